"""The export bundle's formats as pure values: folder names, focus points, the Sprout Social and
generic CSVs, Mastodon and Bluesky payloads, and the manifest against its shipped schema."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import pytest

from service.rules import bundle_contents, bundle_manifest, post_payloads, scheduler_csv
from service.rules.bundle_contents import (
    BundleCampaign,
    BundleMedia,
    BundlePost,
    Override,
    Rendition,
)
from service.rules.captions import unique_credits
from service.rules.presets import DEFAULT_PRESETS, Preset

LONDON = ZoneInfo("Europe/London")
SCHEMA = json.loads(
    (Path(__file__).parents[2] / "service/data" / bundle_manifest.SCHEMA_FILE).read_text()
)
BM = "© The Trustees of the British Museum"
V_AND_A = "© Victoria and Albert Museum, London"


def rendition(platform: str, folder: str, position: int, **changes: Any) -> Rendition:
    values: dict[str, Any] = {
        "platform": platform,
        "preset": platform,
        "file": bundle_contents.rendition_file(
            folder, position, "Af1935,0711.1", 7, platform, "image/jpeg"
        ),
        "url": f"https://s3.example/variants/{platform}-{position}.jpg?X-Amz-Signature=abc",
        "url_expires_at": datetime(2026, 6, 1, 12, tzinfo=UTC),
        "width": 1200,
        "height": 900,
        "byte_size": 350_000,
        "media_type": "image/jpeg",
        "focus": (0.25, 0.2),
        "overridden": False,
    }
    return Rendition(**{**values, **changes})


def post(
    post_id: int = 12,
    *,
    at: datetime = datetime(2026, 6, 8, 9, 30, tzinfo=LONDON),
    platforms: tuple[str, ...] = ("x", "bluesky", "mastodon"),
    images: int = 2,
    captions: dict[str, str] | None = None,
    alt: str = "A woven basket with a conical lid.",
) -> BundlePost:
    folder = bundle_contents.folder_name(post_id, at, "#secretsMW")
    media = tuple(
        BundleMedia(
            position=index + 1,
            asset_id=7 + index,
            object_number="Af1935,0711.1",
            title="Somali wedding basket",
            alt_text=alt,
            focus=(0.25, 0.2),
            width=2400,
            height=1800,
            credit_line=BM if index % 2 == 0 else V_AND_A,
            holder="Trustees of the British Museum",
            licence_uri="http://creativecommons.org/licenses/by/4.0/",
            renditions={p: rendition(p, folder, index + 1) for p in platforms},
        )
        for index in range(images)
    )
    text = f"Our secret: a basket. #MuseumWeek #secretsMW {BM}"
    return BundlePost(
        id=post_id,
        scheduled_at=at,
        day=at.date(),
        theme="Secrets",
        day_hashtag="#secretsMW",
        platforms=platforms,
        channel="social",
        status="ready",
        captions=captions if captions is not None else {p: text for p in platforms},
        credits=tuple(unique_credits([item.credit_line for item in media])),
        media=media,
    )


def campaign(*posts: BundlePost, date_format: str = "dmy", **changes: Any) -> BundleCampaign:
    values: dict[str, Any] = {
        "id": 3,
        "name": "MuseumWeek 2026",
        "hashtag": "#MuseumWeek",
        "cause_tag": "",
        "timezone": "Europe/London",
        "posts": posts,
        "exported_at": datetime(2026, 5, 30, 16, 0, tzinfo=UTC),
        "exported_by": "ana",
        "date_format": date_format,
    }
    return BundleCampaign(**{**values, **changes})


# ---------------------------------------------------------------- names and focus points


def test_a_post_folder_sorts_by_local_time_and_names_its_day_and_post() -> None:
    assert post().folder == "2026-06-08_0930_secretsMW_post-12"
    accented = bundle_contents.folder_name(5, datetime(2025, 6, 6, 18, 5), "#AccessibilitàMW")
    assert accented == "2025-06-06_1805_AccessibilitaMW_post-5"
    assert bundle_contents.folder_name(5, datetime(2025, 6, 6, 18, 5), "") == (
        "2025-06-06_1805_post-5"
    )


def test_credits_are_kept_once_each_in_media_order() -> None:
    assert post(images=3).credits == (BM, V_AND_A)


@pytest.mark.parametrize(
    ("focus", "expected"),
    [
        ((0.5, 0.5), "0.00,0.00"),
        ((0.0, 0.0), "-1.00,1.00"),  # top left: Mastodon's y points up
        ((1.0, 1.0), "1.00,-1.00"),
        ((0.25, 0.2), "-0.50,0.60"),
        ((1.5, -0.2), "1.00,1.00"),  # clamped into the image
    ],
)
def test_mastodon_focus_turns_the_top_down_fraction_over(
    focus: tuple[float, float], expected: str
) -> None:
    assert post_payloads.mastodon_focus(focus) == expected


def test_the_focal_point_follows_a_cover_crop_into_the_rendered_image() -> None:
    square = Preset("sq", 1000, 1000, "cover")
    # A 2000x1000 source cropped square around x=0.75: the crop is 1000..2000, the point
    # (1500, 500) is the crop's centre.
    assert bundle_contents.focus_in_image((2000, 1000), square, (0.75, 0.5)) == (0.5, 0.5)
    # At the left edge the crop cannot slide further: the point stays near the left.
    x, y = bundle_contents.focus_in_image((2000, 1000), square, (0.1, 0.3))
    assert (round(x, 3), round(y, 3)) == (0.2, 0.3)
    # A "within" preset scales the whole image: fractions are unchanged.
    within = DEFAULT_PRESETS["mastodon"]
    assert bundle_contents.focus_in_image((2400, 1800), within, (0.25, 0.2)) == (0.25, 0.2)


# ---------------------------------------------------------------- scheduler CSVs


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_sprout_social_csv_has_its_case_sensitive_headers_and_a_switchable_date() -> None:
    rows = scheduler_csv.messages([post(at=datetime(2026, 6, 8, 9, 30, tzinfo=LONDON))], "x")
    dmy = _rows(scheduler_csv.sprout_social_csv(rows, "dmy"))
    mdy = _rows(scheduler_csv.sprout_social_csv(rows, "mdy"))
    assert dmy[0] == ["date", "time_24hr", "message_text"]
    assert dmy[1][:2] == ["08/06/2026", "09:30"]
    assert mdy[1][:2] == ["06/08/2026", "09:30"]
    assert dmy[1][2].endswith(BM)
    with pytest.raises(ValueError, match="dmy"):
        scheduler_csv.sprout_social_csv(rows, "ymd")


def test_sprout_social_takes_at_most_350_messages() -> None:
    start = datetime(2026, 6, 1, tzinfo=UTC)
    many = [
        scheduler_csv.ScheduledMessage(n, "x", start + timedelta(minutes=10 * n), "t", (), ())
        for n in range(351)
    ]
    assert len(_rows(scheduler_csv.sprout_social_csv(many[:350], "dmy"))) == 351
    with pytest.raises(ValueError, match="at most 350"):
        scheduler_csv.sprout_social_csv(many, "dmy")


def test_the_generic_csv_has_a_row_per_post_and_platform_with_ordered_media() -> None:
    text = scheduler_csv.generic_csv(scheduler_csv.messages([post(images=2)]))
    rows = _rows(text)
    assert rows[0] == ["scheduled_at", "platform", "text", "media_urls", "alt_texts"]
    assert [row[1] for row in rows[1:]] == ["x", "bluesky", "mastodon"]
    first = rows[1]
    assert first[0] == "2026-06-08T09:30:00+01:00"
    assert first[3].split(",") == [
        "https://s3.example/variants/x-1.jpg?X-Amz-Signature=abc",
        "https://s3.example/variants/x-2.jpg?X-Amz-Signature=abc",
    ]
    assert first[4].split("||") == ["A woven basket with a conical lid."] * 2


# ---------------------------------------------------------------- Mastodon


def test_mastodon_payload_has_documented_media_parameters_in_carousel_order() -> None:
    payload = post_payloads.mastodon_payload(post(images=3))
    assert [m["file"].split("/")[-1][:2] for m in payload["media"]] == ["01", "02", "03"]
    for media in payload["media"]:
        assert set(media) == {"file", "url", "description", "focus"}
        x, y = (float(v) for v in media["focus"].split(","))
        assert -1 <= x <= 1 and -1 <= y <= 1
        assert len(media["description"]) <= 1_500
    assert payload["status"]["media_ids"] == ["{media[0].id}", "{media[1].id}", "{media[2].id}"]
    assert payload["status"]["status"].endswith(BM)
    assert payload["problems"] == []


def test_mastodon_payload_flags_long_descriptions_and_too_many_images() -> None:
    payload = post_payloads.mastodon_payload(post(images=5, alt="a" * 1_501))
    assert any("1501 characters" in p for p in payload["problems"])
    assert any("5 images" in p for p in payload["problems"])


# ---------------------------------------------------------------- Bluesky


def test_bluesky_up_to_four_images_is_an_images_embed_with_alt_and_aspect_ratio() -> None:
    payload = post_payloads.bluesky_payload(post(images=4))
    record = payload["record"]
    assert record["$type"] == "app.bsky.feed.post"
    assert record["createdAt"] == "2026-06-08T08:30:00.000Z"
    embed = record["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    assert len(embed["images"]) == 4
    for image in embed["images"]:
        assert set(image) == {"image", "alt", "aspectRatio"}
        assert image["aspectRatio"] == {"width": 1200, "height": 900}
        assert image["image"]["ref"]["$link"].startswith("bundle:2026-06-08_0930_secretsMW")
    assert [b["pointer"] for b in payload["blobs"]] == [
        f"/embed/images/{n}/image" for n in range(4)
    ]
    assert payload["problems"] == []


def test_bluesky_more_than_four_images_is_a_gallery_of_typed_items() -> None:
    payload = post_payloads.bluesky_payload(post(images=6))
    embed = payload["record"]["embed"]
    assert embed["$type"] == "app.bsky.embed.gallery"
    assert [item["$type"] for item in embed["items"]] == ["app.bsky.embed.gallery#image"] * 6
    assert all({"image", "alt", "aspectRatio"} <= set(item) for item in embed["items"])
    assert payload["blobs"][5]["pointer"] == "/embed/items/5/image"
    eleven = post_payloads.bluesky_payload(post(images=11))
    assert any("11 images" in p for p in eleven["problems"])


def test_bluesky_facets_link_hashtags_and_urls_by_utf8_bytes() -> None:
    text = "Café secrets #MuseumWeek #AccessibilitàMW see https://example.org/x. #2026"
    facets = post_payloads.bluesky_facets(text)
    encoded = text.encode()
    found = [
        (encoded[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(), f["features"][0])
        for f in facets
    ]
    assert found == [
        ("#MuseumWeek", {"$type": "app.bsky.richtext.facet#tag", "tag": "MuseumWeek"}),
        ("#AccessibilitàMW", {"$type": "app.bsky.richtext.facet#tag", "tag": "AccessibilitàMW"}),
        ("https://example.org/x", {"$type": "app.bsky.richtext.facet#link",
                                   "uri": "https://example.org/x"}),
    ]  # fmt: skip


def test_bluesky_problems_name_what_a_pds_refuses() -> None:
    long_text = "é" * 301
    big = post(images=1, captions={"bluesky": long_text}, platforms=("bluesky",), alt="")
    heavy = BundlePost(
        **{
            **big.__dict__,
            "media": (
                BundleMedia(
                    **{
                        **big.media[0].__dict__,
                        "renditions": {
                            "bluesky": rendition("bluesky", big.folder, 1, byte_size=2_000_001)
                        },
                    }
                ),
            ),
        }
    )
    problems = post_payloads.bluesky_payload(heavy)["problems"]
    assert any("301 graphemes" in p for p in problems)
    assert any("2,000,001 bytes" in p for p in problems)
    assert any("no alt text" in p for p in problems)


# ---------------------------------------------------------------- the manifest


def test_the_manifest_validates_against_the_shipped_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    week = campaign(
        post(1, images=4),
        post(2, at=datetime(2026, 6, 9, 12, 0, tzinfo=LONDON), images=6, platforms=("bluesky",)),
        date_format="mdy",
    )
    document = bundle_manifest.manifest(week)
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert document["files"]["sprout_social"]["date_format"] == "mm/dd/yyyy"
    assert document["files"]["sprout_social"]["files"] == {
        "x": "sprout-social-x.csv",
        "bluesky": "sprout-social-bluesky.csv",
        "mastodon": "sprout-social-mastodon.csv",
    }
    first = document["posts"][0]
    assert first["scheduled_at"] == "2026-06-08T09:30:00+01:00"
    assert first["credits"] == [BM, V_AND_A]
    assert [m["position"] for m in first["media"]] == [1, 2, 3, 4]
    assert first["media"][0]["renditions"]["bluesky"]["url"].startswith("https://")
    assert first["payloads"] == {
        "bluesky": "2026-06-08_0930_secretsMW_post-1/bluesky.json",
        "mastodon": "2026-06-08_0930_secretsMW_post-1/mastodon.json",
    }
    assert document["posts"][1]["payloads"] == {
        "bluesky": "2026-06-09_1200_secretsMW_post-2/bluesky.json"
    }
    overridden = campaign(
        post(1),
        override=Override("Licence renewed, paperwork in post", "rita", ({"check": "x",
                                                                         "reason": "y"},)),
    )  # fmt: skip
    jsonschema.Draft202012Validator(SCHEMA).validate(bundle_manifest.manifest(overridden))


def test_the_schema_refuses_a_time_without_offset_and_an_unknown_field() -> None:
    document = bundle_manifest.manifest(campaign(post(1)))
    validator = jsonschema.Draft202012Validator(SCHEMA)
    naive = json.loads(json.dumps(document))
    naive["posts"][0]["scheduled_at"] = "2026-06-08T09:30:00"
    assert list(validator.iter_errors(naive))
    extra = json.loads(json.dumps(document))
    extra["posts"][0]["media"][0]["colour"] = "red"
    assert list(validator.iter_errors(extra))
    assert date.fromisoformat(document["posts"][0]["day"]["date"]) == date(2026, 6, 8)


def test_the_manifest_is_written_a_post_at_a_time_as_the_same_json() -> None:
    for week in (campaign(post(1), post(2, images=3)), campaign()):
        pieces = list(bundle_manifest.manifest_json(week))
        assert len(pieces) == len(week.posts) + 2
        whole = json.dumps(bundle_manifest.manifest(week), ensure_ascii=False, indent=2)
        assert "".join(pieces) == whole + "\n"


def test_a_bundle_url_lasts_until_a_day_after_its_post_within_sigv4s_seven_days() -> None:
    from datetime import UTC, datetime, timedelta

    from service.services.campaign_bundle import url_lifetime

    now = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    # A post in two days: its URL outlives it by a day.
    assert url_lifetime(now + timedelta(days=2), now, 900) == 3 * 24 * 3600
    # A post next month: seven days, the most a SigV4 presigned URL may last.
    assert url_lifetime(now + timedelta(days=30), now, 900) == 7 * 24 * 3600
    # A post in the past (or within the default): the configured lifetime.
    assert url_lifetime(now - timedelta(days=3), now, 900) == 900
