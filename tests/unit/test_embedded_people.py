"""Issue 16: what of a file's people each role reads, and what a variant states of them."""

from __future__ import annotations

import pytest

from service.rules import embedded_people as E
from service.rules import geometry

PEOPLE = {
    "names": ["Ada Lovelace"],
    "person_ids": ["https://example.org/people/7"],
    "regions": [{"name": "Ada Lovelace", "x": 0.1, "y": 0.2, "w": 0.3, "h": 0.4}],
    "unplaced_regions": 0,
    "release_status": "MR-UMR",
    "release_ids": ["MR-1"],
}


def test_below_rights_the_summary_says_how_many_and_where_but_not_who() -> None:
    summary = {"title": None, "people": PEOPLE}
    shown = E.summary_for(summary, may_see_people=False)
    assert shown["people"] == {
        **PEOPLE,
        "names": [],
        "person_ids": [],
        "regions": [{"name": None, "x": 0.1, "y": 0.2, "w": 0.3, "h": 0.4}],
        "named": 1,
        "withheld": True,
    }
    assert summary["people"] is PEOPLE and PEOPLE["names"] == ["Ada Lovelace"]  # untouched
    assert E.summary_for(summary, may_see_people=True) == summary
    assert E.summary_for({"people": None}, may_see_people=False) == {"people": None}
    assert E.summary_for({}, may_see_people=False) == {}  # an asset read before issue 16


def test_below_rights_every_raw_tag_that_can_name_someone_is_withheld() -> None:
    raw = {
        "xmp": {
            "Iptc4xmpExt:PersonInImage": "Ada Lovelace",
            "Iptc4xmpExt:PersonInImageWDetails/Iptc4xmpExt:PersonName": "Ada Lovelace",
            "Iptc4xmpExt:ImageRegion/Iptc4xmpExt:Name": "Ada Lovelace",
            "mwg-rs:Regions/mwg-rs:RegionList/mwg-rs:Name": "Ada Lovelace",
            "MP:RegionInfo/MPRI:Regions/MPReg:PersonDisplayName": "Ada Lovelace",
            "plus:ModelReleaseID": "MR-1",
            "xmp:CreatorTool": "Camera",
            "xmpMM:DocumentID": "x",
            "dc:title": "Ada's portrait",
        },
        "exif": {"Artist": "Photographer"},
    }
    shown = E.raw_for(raw, may_see_people=False)
    assert [key for key, value in shown["xmp"].items() if value == E.WITHHELD] == list(raw["xmp"])[
        :5
    ]
    assert shown["exif"] == raw["exif"]
    assert raw["xmp"]["Iptc4xmpExt:PersonInImage"] == "Ada Lovelace"  # untouched
    assert E.raw_for(raw, may_see_people=True) == raw


@pytest.mark.parametrize(
    ("status", "said", "stated"),
    [
        ("unknown", "MR-UMR", "MR-UMR"),
        ("depicted", "MR-LMR", "MR-LMR"),
        ("none", None, "MR-NAP"),  # the register says so: not applicable
        ("none", "MR-NON", "MR-NAP"),
        ("depicted", "MR-NAP", None),  # the file's "nobody" is wrong now: say nothing
        ("unknown", None, None),
    ],
)
def test_a_variant_states_the_release_the_asset_now_has(
    status: str, said: str | None, stated: str | None
) -> None:
    people = {**PEOPLE, "release_status": said}
    assert E.release_for(status, people) == (stated, ("MR-1",))


def test_a_variant_of_a_file_silent_on_people_states_nothing_until_someone_says() -> None:
    assert E.release_for("unknown", None) == (None, ())
    assert E.release_for("none", None) == ("MR-NAP", ())
    assert E.release_for("depicted", {"release_ids": "not a list"}) == (None, ())


@pytest.mark.parametrize(
    ("orientation", "upright"),
    [
        (1, (0.1, 0.2, 0.3, 0.4)),
        (None, (0.1, 0.2, 0.3, 0.4)),
        (2, (0.6, 0.2, 0.3, 0.4)),
        (3, (0.6, 0.4, 0.3, 0.4)),
        (4, (0.1, 0.4, 0.3, 0.4)),
        (5, (0.2, 0.1, 0.4, 0.3)),
        (6, (0.4, 0.1, 0.4, 0.3)),
        (7, (0.4, 0.6, 0.4, 0.3)),
        (8, (0.2, 0.6, 0.4, 0.3)),
        (9, (0.1, 0.2, 0.3, 0.4)),  # not an orientation: as stored
    ],
)
def test_a_region_turns_with_the_picture(
    orientation: int | None, upright: tuple[float, float, float, float]
) -> None:
    found = geometry.upright_region((0.1, 0.2, 0.3, 0.4), orientation)
    assert found == pytest.approx(upright)
