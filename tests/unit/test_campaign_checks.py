"""The campaign audit's checks as values in, results out: each check of a post on a
platform, image by image, with the fix that each failure points to."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from service.rules import campaign_checks as checks
from service.rules import captions
from service.rules.credits import CreditRule
from service.rules.presets import DEFAULT_PRESETS, Preset
from tests.support.rights import BM, RULE, TODAY, subject

V_AND_A = "© Victoria and Albert Museum, London"
RULES = {BM: RULE, V_AND_A: CreditRule("Victoria and Albert Museum", V_AND_A)}
TWO_CREDITS = f"Secrets: Somali wedding basket\n\n{BM}\n{V_AND_A}\n\n#SecretsMW #MuseumWeek"


def medium(position: int = 0, *, platform: str = "x", **changes: Any) -> checks.Medium:
    """A cleared image of the basket, described, with the platform's default preset."""
    rights = changes.pop("rights", {})
    caption_text = changes.pop("caption_text", TWO_CREDITS)
    credit = changes.pop("credit", BM)
    name = changes.pop("preset_name", {"x": "x", "instagram": "instagram-portrait"}.get(
        platform, platform))  # fmt: skip
    alt = changes.pop("alt_text", "A woven basket with a conical lid.")
    base = checks.Medium(
        position=position,
        asset_id=10 + position,
        live=True,
        preset_name=name,
        preset=DEFAULT_PRESETS.get(name),
        source_size=(2400, 1800),
        focal=(0.5, 0.5),
        alt_text=alt,
        alt_from_post=False,
        subject=subject(
            platform=platform,
            caption_text=caption_text,
            alt_text=alt,
            rights={
                "credit_line": credit,
                "holder": RULES[credit].holder if credit in RULES else "",
                **rights,
            },
            rule=RULES.get(credit),
            embedded_copyright=credit,
        ),
    )
    return dataclasses.replace(base, **changes)


def post(
    *media: checks.Medium, platform: str = "x", text: str = TWO_CREDITS, **changes: Any
) -> checks.PostOnPlatform:
    caption = captions.check_caption(text, platform)
    facts = checks.PostCaptionFacts(
        text=text,
        mode=changes.pop("mode", "manual"),
        length=caption.length,
        limit=caption.limit,
        fits=caption.fits,
        shortened=tuple(changes.pop("shortened", ())),
    )
    chosen = media or (medium(platform=platform),)
    return checks.PostOnPlatform(7, platform, facts, tuple(chosen), **changes)


def one(results: list[checks.Result], check: str, position: int | None = None) -> checks.Result:
    [found] = [r for r in results if r.check == check and r.position == position]
    return found


def test_a_cleared_described_post_with_both_credits_passes_every_check() -> None:
    results = checks.check_post(post(medium(0), medium(1, credit=V_AND_A)))
    assert [(r.check, r.position, r.reason) for r in results if r.status != "pass"] == []
    assert {r.group for r in results} == {"rights", "people", "caption", "alt_text", "media"}
    assert all(r.fix is None for r in results)


# --- rights, image by image ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rights", "check", "code", "field"),
    [
        ({"status": "pending"}, "rights_status_cleared", "status_pending", "status"),
        ({"channels": ["web"]}, "licence_allows_channel", "channel_not_allowed", "channels"),
        ({"licence_uri": None}, "licence_allows_channel", "no_licence", "licence_uri"),
        ({"embargo_until": "2026-04-01"}, "not_embargoed", "embargoed", "embargo_until"),
        ({"expires_at": "2026-03-01"}, "not_expired", "expired", "expires_at"),
        ({"holder": ""}, "holder_known_to_policy", "no_holder", "holder"),
    ],
)
def test_each_image_gets_the_asset_audits_rights_checks_fixed_on_its_rights(
    rights: dict[str, Any], check: str, code: str, field: str
) -> None:
    results = checks.check_post(post(medium(0), medium(1, credit=V_AND_A, rights=rights)))
    failed = one(results, check, 1)
    assert (failed.group, failed.status, failed.code) == ("rights", "fail", code)
    assert failed.fix == checks.Fix("asset_rights", asset_id=11, field=field)
    assert one(results, check, 0).status == "pass"  # the other image is fine


def test_the_licence_must_run_until_the_post_goes_out() -> None:
    ends = (TODAY + timedelta(days=20)).isoformat()
    early = post(medium(rights={"expires_at": ends}), text=BM, post_date=TODAY + timedelta(days=5))
    assert one(checks.check_post(early), "not_expired", 0).status == "pass"
    late = dataclasses.replace(early, post_date=TODAY + timedelta(days=30))
    failed = one(checks.check_post(late), "not_expired", 0)
    assert failed.status == "fail"
    assert f"before the post goes out on {(TODAY + timedelta(days=30)).isoformat()}" in (
        failed.reason
    )


def test_a_conflicting_embedded_notice_is_a_warning_fixed_on_the_asset() -> None:
    item = medium()
    item = dataclasses.replace(
        item, subject=dataclasses.replace(item.subject, embedded_copyright="© Someone Else")
    )
    warned = one(checks.check_post(post(item, text=BM)), "credit_line_in_embedded_metadata", 0)
    assert (warned.status, warned.fix) == ("warn", checks.Fix("asset", asset_id=10,
                                                              field="metadata"))  # fmt: skip


# --- the caption -----------------------------------------------------------------------------


def test_a_caption_without_the_second_images_credit_fails_for_that_image() -> None:
    text = f"Secrets: Somali wedding basket\n\n{BM}\n\n#SecretsMW"
    results = checks.check_post(
        post(medium(0, caption_text=text), medium(1, credit=V_AND_A, caption_text=text), text=text)
    )
    assert one(results, "credit_line_in_caption", 0).status == "pass"
    failed = one(results, "credit_line_in_caption", 1)
    assert (failed.group, failed.status, failed.code) == ("caption", "fail", "missing")
    assert failed.fix == checks.Fix("post_caption", 7, 11, "x", 1, "caption")


def test_a_credit_in_another_spelling_is_not_exact() -> None:
    text = "Somali wedding basket. (c) Trustees of the British Museum"
    failed = one(checks.check_post(post(medium(caption_text=text), text=text)),
                 "credit_line_in_caption", 0)  # fmt: skip
    assert (failed.status, failed.code) == ("fail", "equivalent")


def test_an_image_without_a_known_credit_is_fixed_on_its_rights_not_the_caption() -> None:
    failed = one(checks.check_post(post(medium(credit=""), text="A basket")),
                 "credit_line_in_caption", 0)  # fmt: skip
    assert failed.code == "no_credit_line"
    assert failed.fix == checks.Fix("asset_rights", asset_id=10, field="credit_line")


def test_a_caption_over_the_limit_fails_and_the_credits_are_never_cut() -> None:
    long = "Secrets: " + "basket " * 60 + BM
    composed = one(checks.check_post(post(medium(caption_text=long), text=long, mode="template")),
                   "caption_within_limit")  # fmt: skip
    assert (composed.group, composed.status, composed.code) == ("caption", "fail", "too_long")
    assert "as X counts" in composed.reason and "never cut" in composed.reason
    assert composed.fix == checks.Fix("post_caption", 7, None, "x", None, "caption")
    written = one(checks.check_post(post(medium(caption_text=long), text=long)),
                  "caption_within_limit")  # fmt: skip
    assert "every credit must stay" in written.reason


def test_bluesky_counts_graphemes_and_bytes() -> None:
    # 300 family emoji are 300 graphemes (within) but far over 3,000 bytes.
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    text = family * 290 + " " + "x" * 9
    failed = one(checks.check_post(post(medium(platform="bluesky", caption_text=text),
                                        platform="bluesky", text=text)),
                 "caption_within_limit")  # fmt: skip
    assert failed.status == "fail" and "bytes of UTF-8" in failed.reason


def test_what_composing_cut_is_a_warning_and_an_empty_caption_fails() -> None:
    cut = post(medium(), mode="template", shortened=("description",))
    warned = one(checks.check_post(cut), "caption_not_cut")
    assert (warned.status, warned.code) == ("warn", "shortened")
    assert "the description was cut" in warned.reason and "credits were kept" in warned.reason
    empty = one(checks.check_post(post(medium(caption_text=""), text="")), "caption_written")
    assert (empty.status, empty.code) == ("fail", "empty")


# --- alt text --------------------------------------------------------------------------------


def test_alt_text_must_be_written_and_within_the_platforms_limit() -> None:
    missing = one(checks.check_post(post(medium(0), medium(1, alt_text="", credit=V_AND_A))),
                  "alt_text_present", 1)  # fmt: skip
    assert (missing.group, missing.status) == ("alt_text", "fail")
    assert missing.fix == checks.Fix("post_alt_text", 7, 11, None, 1, "alt_text")
    long = "A woven basket with a conical lid. " * 30  # 1,050 characters
    over = one(checks.check_post(post(medium(alt_text=long))), "alt_text_within_limit", 0)
    assert (over.status, over.code) == ("fail", "too_long")
    assert "over X's limit of 1,000 by 50" in over.reason
    bluesky = post(medium(alt_text=long, platform="bluesky"), platform="bluesky")
    assert one(checks.check_post(bluesky), "alt_text_within_limit", 0).status == "pass"
    instagram = post(medium(alt_text=long, platform="instagram"), platform="instagram")
    assert one(checks.check_post(instagram), "alt_text_within_limit", 0).code == "no_limit"


# --- the images ------------------------------------------------------------------------------


def _bluesky(count: int, embed: str | None = None) -> checks.Result:
    media = [medium(n, platform="bluesky") for n in range(count)]
    return one(checks.check_post(post(*media, platform="bluesky", embed=embed)),
               "media_count_within_limit")  # fmt: skip


def test_bluesky_takes_4_images_in_embed_images_and_10_in_the_gallery() -> None:
    assert _bluesky(4).status == "pass" and "app.bsky.embed.images" in _bluesky(4).reason
    assert _bluesky(4, "images").status == "pass"
    refused = _bluesky(5, "images")
    assert (refused.group, refused.status, refused.code) == ("media", "fail", "too_many")
    assert "app.bsky.embed.images takes at most 4" in refused.reason
    assert "app.bsky.embed.gallery" in refused.reason
    assert refused.fix == checks.Fix("post_media", 7, None, "bluesky", None, "media")
    gallery = _bluesky(5)
    assert gallery.status == "pass" and "app.bsky.embed.gallery" in gallery.reason
    assert _bluesky(10, "gallery").status == "pass"
    assert _bluesky(11).status == "fail" and "at most 10" in _bluesky(11).reason


def test_x_takes_4_images_and_a_post_without_any_is_a_warning() -> None:
    five = [medium(n) for n in range(5)]
    failed = one(checks.check_post(post(*five)), "media_count_within_limit")
    assert failed.status == "fail" and "X takes at most 4" in failed.reason
    none = dataclasses.replace(post(), media=())
    assert one(checks.check_post(none), "media_count_within_limit").status == "warn"


def test_a_deleted_asset_and_a_missing_preset_fail_for_their_image() -> None:
    results = checks.check_post(post(medium(0, live=False), medium(1, preset=None,
                                                                  credit=V_AND_A)))  # fmt: skip
    assert one(results, "asset_live", 0).fix == checks.Fix("post_media", 7, 10, None, 0, "media")
    missing = one(results, "preset_fits_platform", 1)
    assert (missing.status, missing.code) == ("fail", "no_preset")


def test_a_preset_over_the_platforms_byte_cap_or_edge_fails() -> None:
    heavy = dataclasses.replace(DEFAULT_PRESETS["bluesky"], max_bytes=3_000_000)
    big = Preset("bluesky-huge", 6000, 6000, "within", max_bytes=1_000_000)
    results = checks.check_post(
        post(
            medium(0, platform="bluesky", preset=heavy),
            medium(1, platform="bluesky", preset=big, source_size=(8000, 6000)),
            medium(2, platform="bluesky", preset_name="bluesky-2000",
                   preset=DEFAULT_PRESETS["bluesky-2000"]),
            platform="bluesky",
        )
    )  # fmt: skip
    assert "over Bluesky's 2,000,000 B" in one(results, "preset_fits_platform", 0).reason
    assert "6,000 px edge is over Bluesky's 4,000 px" in one(results, "preset_fits_platform",
                                                             1).reason  # fmt: skip
    assert one(results, "preset_fits_platform", 2).status == "pass"


def test_instagram_warns_when_a_carousel_image_is_not_the_first_ones_shape() -> None:
    # Cover presets render at their box: the first slide 4:5, the second 1:1.
    square = dict(preset_name="instagram-square", preset=DEFAULT_PRESETS["instagram-square"])
    results = checks.check_post(
        post(medium(0, platform="instagram"), medium(1, platform="instagram", **square),
             platform="instagram")
    )  # fmt: skip
    assert one(results, "aspect_ratio_accepted", 0).status == "pass"
    warned = one(results, "aspect_ratio_accepted", 1)
    assert (warned.status, warned.code) == ("warn", "unlike_first")
    assert warned.reason.startswith("Image 2 is 1.00:1 but image 1 is 0.80:1")
    assert warned.fix == checks.Fix("post_media", 7, 11, "instagram", 1, "presets")


def test_a_shape_outside_the_platforms_range_fails() -> None:
    wide = Preset("instagram-wide", 2000, 800, "cover", max_bytes=8_000_000)
    failed = one(checks.check_post(post(medium(platform="instagram", preset=wide),
                                        platform="instagram")),
                 "aspect_ratio_accepted", 0)  # fmt: skip
    assert (failed.status, failed.code) == ("fail", "out_of_range")


def test_a_within_preset_keeps_the_assets_own_shape() -> None:
    item = medium(platform="bluesky", source_size=(1800, 2400))
    assert item.rendered_size == (1800, 2400)
    passed = one(checks.check_post(post(item, platform="bluesky")), "aspect_ratio_accepted", 0)
    assert "1800x2400 (0.75:1)" in passed.reason


# --- the schedule ----------------------------------------------------------------------------

DAYS = (date(2026, 6, 8), date(2026, 6, 9))


def _at(day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, 6, day, hour, minute, tzinfo=UTC)


def test_posts_on_one_platform_must_be_ten_minutes_apart() -> None:
    timings = checks.timings(
        [
            (1, _at(8, 9, 0), DAYS[0], ["x", "bluesky"]),
            (2, _at(8, 9, 5), DAYS[0], ["x"]),
            (3, _at(8, 9, 12), DAYS[0], ["bluesky"]),
            (4, _at(8, 9, 15), DAYS[0], ["x"]),
        ],
        DAYS,
        timedelta(minutes=10),
    )
    spacing = {(t.post_id, t.platform): checks.spaced_from_previous(t) for t in timings}
    assert spacing[(1, "x")].code == "first"
    too_close = spacing[(2, "x")]
    assert (too_close.group, too_close.status) == ("schedule", "fail")
    assert "5 minutes after post 1 on X (at 09:00)" in too_close.reason
    assert too_close.fix == checks.Fix("post_time", 2, None, None, None, "time")
    assert spacing[(3, "bluesky")].status == "pass"  # 7 minutes after X post 2: another platform
    assert spacing[(4, "x")].status == "pass"  # 10 minutes after post 2: enough


def test_a_post_must_go_out_on_its_day_within_the_campaign() -> None:
    def judged(at: datetime, day: date) -> checks.Result:
        [timing] = checks.timings([(1, at, day, ["x"])], DAYS, timedelta(minutes=10))
        return checks.time_in_campaign(timing)

    assert judged(_at(8, 23, 50), DAYS[0]).status == "pass"
    outside = judged(_at(10, 9, 0), DAYS[1])
    assert (outside.status, outside.code) == ("fail", "outside")
    assert "2026-06-08 to 2026-06-09" in outside.reason
    assert judged(_at(9, 9, 0), DAYS[0]).code == "other_day"


# --- reading the results ---------------------------------------------------------------------


def test_the_grid_shows_the_worst_status_per_post_platform_and_group() -> None:
    results = checks.check_post(post(medium(0), medium(1, credit=V_AND_A, alt_text="")))
    grid = checks.cells(results)
    assert grid[(7, "x", "alt_text")] == "fail"
    assert grid[(7, "x", "rights")] == "pass"
    summary = checks.summary(results, posts=1)
    # Rights, people, caption, alt text and media: the schedule is judged apart.
    assert (summary["cells"], summary["cells_failed"]) == (5, 1)
    assert summary["failed"] == 1 and summary["checks"] == len(results)
    assert checks.worst([]) == "pass"


def test_results_print_as_json_and_csv_safe_for_spreadsheets() -> None:
    item = medium(alt_text="")
    [failed] = [r for r in checks.check_post(post(item)) if r.status == "fail"]
    as_json = checks.result_dict(failed)
    assert as_json["fix"] == {"kind": "post_alt_text", "post_id": 7, "asset_id": 10,
                              "platform": None, "position": 0, "field": "alt_text"}  # fmt: skip
    formula = dataclasses.replace(failed, reason="=HYPERLINK(1)")
    rows = list(csv.reader(io.StringIO(checks.csv_rows([formula], {7: "2026-06-08T09:00+01:00"}))))
    assert rows[0] == list(checks.CSV_COLUMNS)
    assert rows[1][:3] == ["7", "2026-06-08T09:00+01:00", "x"]
    assert rows[1][8] == "'=HYPERLINK(1)"
    assert rows[1][-3:] == ["post_alt_text", "10", "alt_text"]
