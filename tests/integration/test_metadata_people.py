"""Issue 16: who a file says it shows, read from XMP made in the test: IPTC persons and image
regions, MWG faces and the PLUS model release, each region on the upright image, and hostile
values clamped or dropped, never raised."""

from __future__ import annotations

import io
import pathlib
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageOps

from service.media.metadata import read_metadata
from service.media.metadata.people import MAX_NAMES, MAX_REGIONS, MAX_RELEASE_IDS
from tests.hostile.png_files import png_xmp
from tests.support import people_xmp as P
from tests.support import photos


def people_of(tmp_path: pathlib.Path, data: bytes) -> tuple[dict[str, Any] | None, list[str]]:
    path = tmp_path / "people"
    path.write_bytes(data)
    read = read_metadata(path)
    return read.summary["people"], read.warnings


def test_every_kind_of_person_field_is_read_with_its_release(tmp_path: pathlib.Path) -> None:
    packet = P.packet(
        P.persons("Ada Lovelace", "Alan Turing")
        + P.persons_with_details(("Grace Hopper", "https://example.org/people/7"))
        + P.iptc_regions(
            P.iptc_region((0.1, 0.2, 0.3, 0.4), name="Ada Lovelace"),
            P.iptc_region((160, 0, 80, 60), unit="pixel"),  # a person, unnamed
            P.iptc_region((0.6, 0.6, 0.2, 0.2), kind=P.ARTWORK, name="A painting"),
        )
        + P.mwg_faces(("Alan Turing", (0.5, 0.5, 0.2, 0.2)), size=(320, 240))
        + P.release(None, "MR-2026-001", "MR-2026-002"),
        attributes='plus:ModelReleaseStatus="http://ns.useplus.org/ldf/vocab/MR-LMR"',
    )
    people, warnings = people_of(tmp_path, photos.jpeg_with_xmp(packet, 320, 240))
    assert warnings == []
    assert people == {
        "names": ["Ada Lovelace", "Alan Turing", "Grace Hopper"],
        "person_ids": ["https://example.org/people/7"],
        "regions": [
            {"name": "Ada Lovelace", "x": 0.1, "y": 0.2, "w": 0.3, "h": 0.4},
            {"name": None, "x": 0.5, "y": 0.0, "w": 0.25, "h": 0.25},
            {"name": "Alan Turing", "x": 0.4, "y": 0.4, "w": 0.2, "h": 0.2},
        ],
        "unplaced_regions": 0,
        "release_status": "MR-LMR",
        "release_ids": ["MR-2026-001", "MR-2026-002"],
    }


def test_a_region_holding_person_in_image_is_a_person_whatever_its_type(
    tmp_path: pathlib.Path,
) -> None:
    region = P.iptc_region((0.2, 0.2, 0.1, 0.1), kind=P.ARTWORK, inside=P.persons("Mary Anning"))
    people, _ = people_of(tmp_path, photos.jpeg_with_xmp(P.packet(P.iptc_regions(region))))
    assert people is not None
    assert people["names"] == ["Mary Anning"]
    assert people["regions"] == [{"name": "Mary Anning", "x": 0.2, "y": 0.2, "w": 0.1, "h": 0.1}]


@pytest.mark.parametrize("code", ["MR-NAP", "http://ns.useplus.org/ldf/vocab/MR-NON", " mr-umr "])
def test_a_release_alone_is_read_as_its_code(tmp_path: pathlib.Path, code: str) -> None:
    people, _ = people_of(tmp_path, photos.jpeg_with_xmp(P.packet(P.release(code))))
    assert people is not None
    assert people["release_status"] == code.strip().rsplit("/", 1)[-1].upper()
    assert people["names"] == [] and people["regions"] == []


def test_a_file_that_says_nothing_of_people_has_none(tmp_path: pathlib.Path) -> None:
    people, _ = people_of(tmp_path, photos.jpeg_with_xmp(photos.rights_xmp()))
    assert people is None
    assert people_of(tmp_path, photos.jpeg_plain(320, 240))[0] is None


def _red_box_jpeg(orientation: int, box: tuple[float, float, float, float]) -> bytes:
    """A 320x240 stored picture with a red box where ``box`` (fractions) says, the XMP region
    on it, and the EXIF orientation that turns it upright."""
    image = Image.new("RGB", (320, 240), "white")
    x, y, w, h = box
    ImageDraw.Draw(image).rectangle(
        (x * 320, y * 240, (x + w) * 320 - 1, (y + h) * 240 - 1), fill=(255, 0, 0)
    )
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    packet = P.packet(P.iptc_regions(P.iptc_region(box, name="Rosalind Franklin")))
    image.save(out, "JPEG", quality=95, exif=exif.tobytes(), xmp=packet)
    return out.getvalue()


@pytest.mark.parametrize("orientation", range(1, 9))
def test_a_region_lands_on_the_upright_image_as_pillow_turns_it(
    tmp_path: pathlib.Path, orientation: int
) -> None:
    box = (0.125, 0.25, 0.25, 0.5)  # off-centre and not square: every turn moves it
    data = _red_box_jpeg(orientation, box)
    people, _ = people_of(tmp_path, data)
    assert people is not None
    [region] = people["regions"]
    upright = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    r, g, _ = upright.split()
    reds = ImageChops.multiply(
        r.point(lambda v: 255 if v > 200 else 0), g.point(lambda v: 255 if v < 80 else 0)
    )
    left, top, right, bottom = reds.getbbox() or (0, 0, 0, 0)
    width, height = upright.size
    seen = (left / width, top / height, (right - left) / width, (bottom - top) / height)
    found = (region["x"], region["y"], region["w"], region["h"])
    assert found == pytest.approx(seen, abs=0.01), (orientation, found, seen)


HOSTILE = {
    "names": P.persons(*[f"Person {i}" for i in range(5000)]),
    "long_name": P.persons("A" * 100_000 + "\u202e\x00"),
    "nan_and_infinite": P.iptc_regions(
        P.iptc_region((float("nan"), 0.1, 0.1, 0.1)),
        P.iptc_region((0.1, float("inf"), 0.1, 0.1)),
        P.iptc_region((1e308, 1e308, 1e308, 1e308)),
    ),
    "outside": P.iptc_regions(
        P.iptc_region((-0.5, -0.5, 0.75, 0.75)),  # clamped to the image
        P.iptc_region((2, 2, 1, 1)),  # nothing inside: unplaced
        P.iptc_region((0.1, 0.1, -0.2, 0.3)),  # negative width: unplaced
    ),
    "bad_units": P.iptc_regions(P.iptc_region((0.1, 0.1, 0.1, 0.1), unit="furlongs")),
    "regions": P.iptc_regions(*[P.iptc_region((0.1, 0.1, 0.1, 0.1))] * 1000),
    "mwg_garbage": P.mwg_faces(("x", (float("nan"), 0.5, 0.1, 0.1)), size=(0, -4))
    + "<mwg-rs:Regions>text, not a struct</mwg-rs:Regions>",
    "release": P.release("MR-MAYBE", *[f"id {i}" for i in range(1000)]),
    "release_attribute_and_text": P.release("<>&'\""),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_people_fields_are_clamped_or_dropped(tmp_path: pathlib.Path, name: str) -> None:
    # A PNG: its iTXt holds more than the 64 KB of a JPEG's XMP segment.
    data = png_xmp(P.packet(HOSTILE[name]), 128, compressed=True)()
    people, warnings = people_of(tmp_path, data)
    if people is None:
        return
    assert len(people["names"]) <= MAX_NAMES
    assert all(len(n) <= 200 and "\x00" not in n and "\u202e" not in n for n in people["names"])
    assert len(people["regions"]) <= MAX_REGIONS
    assert len(people["release_ids"]) <= MAX_RELEASE_IDS
    for region in people["regions"]:
        values = [region[k] for k in ("x", "y", "w", "h")]
        assert all(0 <= v <= 1 for v in values), region
        assert region["x"] + region["w"] <= 1 + 1e-9 and region["y"] + region["h"] <= 1 + 1e-9
        assert region["w"] > 0 and region["h"] > 0
    if name == "outside":
        assert people["regions"] == [{"name": None, "x": 0.0, "y": 0.0, "w": 0.25, "h": 0.25}]
        assert people["unplaced_regions"] == 2
        assert any("3 person regions reach outside the image" in w for w in warnings)
        assert any("2 person regions have no usable box" in w for w in warnings)
    if name == "nan_and_infinite":
        assert people["regions"] == [] and people["unplaced_regions"] == 3
    if name == "names":
        assert any(f"names of people; the first {MAX_NAMES} kept" in w for w in warnings)
    if name == "release":
        assert people["release_status"] is None
        assert any("not a PLUS code" in w for w in warnings)
