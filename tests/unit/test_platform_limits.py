"""Platform image limits as data: images per post (per Bluesky embed), image bytes and edges,
alt text and aspect ratios, each platform's with a source and the date it was checked; and
the built-in presets agree with them."""

from __future__ import annotations

import re

import pytest

from service.rules.captions import (
    PLATFORMS,
    alt_required,
    aspect_ratio_problems,
    aspect_ratio_range,
    image_format,
    image_format_for,
    max_image_bytes,
    media_limit,
)
from service.rules.presets import DEFAULT_PRESETS


@pytest.mark.parametrize(
    ("platform", "images", "max_bytes", "alt"),
    [
        ("x", 4, 5_000_000, False),
        ("instagram", 10, 8_000_000, False),  # through the API; the app takes 20
        ("facebook", 10, None, False),  # a scheduler's limit; Facebook's own not found
        ("linkedin", 20, 5_000_000, False),
        ("bluesky", 4, 2_000_000, True),  # app.bsky.embed.images
        ("mastodon", 4, 16_777_216, False),  # the default; each instance may differ
        ("threads", 20, 8_000_000, False),
        ("default", 4, None, False),  # the smallest count, so a default post fits anywhere
    ],
)
def test_each_platform_has_its_images_per_post_and_image_limits(
    platform: str, images: int, max_bytes: int | None, alt: bool
) -> None:
    assert media_limit(platform) == images
    assert max_image_bytes(platform) == max_bytes
    assert alt_required(platform) is alt


def test_bluesky_has_two_embeds_with_the_2026_limits_its_pds_enforces() -> None:
    images, gallery = PLATFORMS["bluesky"].image_formats
    assert (images.name, images.max_images, gallery.name, gallery.max_images) == (
        "images", 4, "gallery", 10,
    )  # fmt: skip
    for embed in (images, gallery):
        assert (embed.max_bytes, embed.max_edge, embed.alt_required) == (2_000_000, 4000, True)
    assert (images.aspect_ratio_required, gallery.aspect_ratio_required) == (False, True)
    assert media_limit("bluesky", "gallery") == 10
    assert media_limit("Bluesky", "app.bsky.embed.gallery") == 10  # the lexicon's full name
    assert media_limit("bluesky", "images") == 4
    assert max_image_bytes("bluesky", "gallery") == 2_000_000
    assert alt_required("bluesky", "gallery")


def test_an_unknown_embed_or_platform_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="choose one of: images, gallery"):
        media_limit("bluesky", "video")
    with pytest.raises(ValueError, match="has no image format 'gallery'"):
        media_limit("x", "gallery")
    with pytest.raises(ValueError, match="Unknown platform 'myspace'"):
        media_limit("myspace")
    assert media_limit("twitter") == 4  # another name for X


@pytest.mark.parametrize(
    ("platform", "count", "embed"),
    [
        ("bluesky", 1, "images"),
        ("bluesky", 4, "images"),
        ("bluesky", 5, "gallery"),
        ("bluesky", 10, "gallery"),
        ("bluesky", 11, None),
        ("x", 4, "media"),
        ("x", 5, None),
        ("instagram", 10, "carousel"),
        ("instagram", 11, None),
        ("threads", 20, "carousel"),
    ],
)
def test_a_post_goes_in_the_first_format_that_holds_its_images(
    platform: str, count: int, embed: str | None
) -> None:
    found = image_format_for(platform, count)
    assert (found.name if found else None) == embed


def test_only_instagram_documents_an_aspect_ratio_range_and_the_carousel_rule() -> None:
    assert aspect_ratio_range("instagram") == (0.75, 1.91)  # 3:4 (since 2025) to 1.91:1
    assert PLATFORMS["instagram"].carousel_ratio_from_first
    others = [key for key in PLATFORMS if key != "instagram"]
    assert all(aspect_ratio_range(key) is None for key in others)
    assert not any(PLATFORMS[key].carousel_ratio_from_first for key in others)
    for key in others:  # each says why it has none
        why = ("not limited", "not found", "not adopted", "Derived")
        assert any(phrase in PLATFORMS[key].media_source for phrase in why), key


def test_instagram_refuses_an_image_outside_its_feed_ratios() -> None:
    # 3:4 and 1.91:1 are the bounds; 1200x628 states 1.91:1 to two decimals; 9:16 is a story.
    for width, height in [(1080, 1440), (1080, 1350), (1080, 1080), (1080, 566), (1200, 628)]:
        assert aspect_ratio_problems("instagram", [(width, height)]) == []
    [story] = aspect_ratio_problems("instagram", [(1080, 1920)])
    assert (story.position, story.status) == (1, "fail")
    assert "1080x1920" in story.reason and "0.75:1 to 1.91:1" in story.reason
    [wide] = aspect_ratio_problems("instagram", [(1080, 1080), (2000, 1000)])
    assert (wide.position, wide.status) == (2, "fail")  # refused, not also warned about


def test_instagram_warns_that_the_first_image_sets_the_shape_of_a_carousel() -> None:
    problems = aspect_ratio_problems("instagram", [(1080, 1350), (2160, 2700), (1080, 1080)])
    assert [(p.position, p.status) for p in problems] == [(3, "warn")]
    assert "image 1 is 0.80:1" in problems[0].reason
    assert aspect_ratio_problems("instagram", [(1080, 1350)] * 10) == []


@pytest.mark.parametrize("platform", ["x", "bluesky", "mastodon", "linkedin", "threads"])
def test_platforms_without_a_documented_ratio_take_any_shape(platform: str) -> None:
    assert aspect_ratio_problems(platform, [(1080, 1920), (4000, 400), (500, 500)]) == []


_CHECKED = re.compile(r"Checked 20\d\d-\d\d")


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_every_platform_names_its_sources_and_when_they_were_checked(platform: str) -> None:
    spec = PLATFORMS[platform]
    assert spec.image_formats, "every platform says how many images a post may carry"
    assert _CHECKED.search(spec.media_source)
    assert _CHECKED.search(spec.source) or spec.source.startswith("Derived")
    if platform != "default":
        assert "https://" in spec.media_source and "https://" in spec.source


def test_the_x_alt_text_conflict_is_documented_where_the_limit_is_kept() -> None:
    assert PLATFORMS["x"].alt_text_limit == 1_000
    assert "420" in PLATFORMS["x"].source and "conflict" in PLATFORMS["x"].source


@pytest.mark.parametrize(
    "name",
    [n for n in DEFAULT_PRESETS if n.split("-")[0] in PLATFORMS],
)
def test_every_platform_preset_fits_its_platforms_image_limits(name: str) -> None:
    preset = DEFAULT_PRESETS[name]
    platform = name.split("-")[0]  # as services/publishing.platform_for maps it
    largest = max_image_bytes(platform)
    assert largest is None or (preset.max_bytes is not None and preset.max_bytes <= largest)
    edge = image_format(platform).max_edge
    assert edge is None or max(preset.width, preset.height) <= edge


def test_the_bluesky_presets_are_the_2026_limits_and_the_old_ones() -> None:
    bluesky, older = DEFAULT_PRESETS["bluesky"], DEFAULT_PRESETS["bluesky-2000"]
    assert (bluesky.width, bluesky.height, bluesky.fit) == (4000, 4000, "within")
    assert bluesky.max_bytes == max_image_bytes("bluesky") == 2_000_000
    assert (older.width, older.height, older.max_bytes) == (2000, 2000, 976_560)
    grid = DEFAULT_PRESETS["instagram-grid"]
    assert (grid.width, grid.height, grid.fit) == (1080, 1440, "cover")  # 3:4
    assert aspect_ratio_problems("instagram", [(grid.width, grid.height)]) == []
