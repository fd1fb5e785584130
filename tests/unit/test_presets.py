"""Presets: built-ins carry sources, specs print and parse back, overrides are validated."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from service.rules.presets import (
    DEFAULT_PRESETS,
    PresetError,
    load_presets,
    parse_preset,
    parse_spec,
)

BUILT_INS = {
    # name: (width, height, fit, format, max_bytes, max_pixels)
    "x": (1600, 900, "cover", "jpeg", 5_000_000, None),
    "instagram-square": (1080, 1080, "cover", "jpeg", 8_000_000, None),
    "instagram-portrait": (1080, 1350, "cover", "jpeg", 8_000_000, None),
    "instagram-story": (1080, 1920, "cover", "jpeg", 8_000_000, None),
    "instagram-grid": (1080, 1440, "cover", "jpeg", 8_000_000, None),
    "facebook": (1200, 630, "cover", "jpeg", 8_000_000, None),
    "og": (1200, 630, "cover", "jpeg", 8_000_000, None),
    "linkedin": (1200, 627, "cover", "jpeg", 5_000_000, None),
    "bluesky": (4000, 4000, "within", "jpeg", 2_000_000, None),
    "bluesky-2000": (2000, 2000, "within", "jpeg", 976_560, None),
    "mastodon": (3840, 3840, "within", "jpeg", 16_777_216, 8_294_400),
    "thumb": (400, 400, "cover", "webp", None, None),
    "web-large": (2048, 2048, "within", "jpeg", None, None),
}

SQUARE: dict[str, Any] = {"width": 100, "height": 100, "fit": "cover"}


def fields(name: str) -> dict[str, Any]:
    return dataclasses.asdict(DEFAULT_PRESETS[name])


def test_the_built_ins_are_exactly_the_platform_table() -> None:
    actual = {
        name: (p.width, p.height, p.fit, p.format, p.max_bytes, p.max_pixels)
        for name, p in DEFAULT_PRESETS.items()
    }
    assert actual == BUILT_INS


@pytest.mark.parametrize("name", BUILT_INS)
def test_every_built_in_parses_back_from_its_fields(name: str) -> None:
    assert parse_preset(name, fields(name)) == DEFAULT_PRESETS[name]


@pytest.mark.parametrize("name", BUILT_INS)
def test_every_built_in_parses_back_from_its_spec(name: str) -> None:
    preset = DEFAULT_PRESETS[name]
    rebuilt = parse_spec(
        name, preset.spec(), source=preset.source, checked=preset.checked,
        channels=preset.channels,
    )  # fmt: skip
    assert rebuilt == preset


@pytest.mark.parametrize(
    "name", [n for n in BUILT_INS if not DEFAULT_PRESETS[n].source.startswith("Vitrine")]
)
def test_every_platform_preset_names_its_source_and_when_it_was_checked(name: str) -> None:
    preset = DEFAULT_PRESETS[name]
    assert "https://" in preset.source
    # platform-specs.md was researched in 2026-11, campaigns.md (Bluesky 2026, the 3:4 grid) in
    # 2026-12.
    assert preset.checked == ("2026-12" if name in ("bluesky", "instagram-grid") else "2026-11")


@pytest.mark.parametrize("name", BUILT_INS)
def test_jpeg_presets_start_at_a_quality_between_82_and_85(name: str) -> None:
    preset = DEFAULT_PRESETS[name]
    assert preset.format != "jpeg" or 82 <= preset.quality <= 85
    assert preset.min_quality < preset.quality


@pytest.mark.parametrize(
    ("name", "spec"),
    [
        ("x", "cover-1600x900|jpeg-q85-min60|bytes-5000000|pad-ffffff"),
        ("bluesky", "within-4000x4000|jpeg-q85-min60|bytes-2000000|pad-ffffff"),
        ("bluesky-2000", "within-2000x2000|jpeg-q85-min60|bytes-976560|pad-ffffff"),
        ("instagram-grid", "cover-1080x1440|jpeg-q85-min60|bytes-8000000|pad-ffffff"),
        ("mastodon", "within-3840x3840|jpeg-q85-min60|bytes-16777216|px-8294400|pad-ffffff"),
        ("thumb", "cover-400x400|webp-q80-min60|pad-ffffff"),
    ],
)
def test_the_spec_is_a_stable_printable_string(name: str, spec: str) -> None:
    assert DEFAULT_PRESETS[name].spec() == spec


@pytest.mark.parametrize(
    "change",
    [
        {"width": 1601},
        {"height": 901},
        {"fit": "contain"},
        {"fit": "within"},
        {"format": "webp"},
        {"format": "avif"},
        {"quality": 84},
        {"min_quality": 61},
        {"max_bytes": 4_999_999},
        {"max_bytes": None},
        {"max_pixels": 1_440_000},
        {"burn_in_credit": True},
        {"padding": "#000000"},
    ],
)
def test_the_spec_changes_when_any_pixel_or_byte_affecting_field_changes(
    change: dict[str, Any],
) -> None:
    base = DEFAULT_PRESETS["x"]
    assert dataclasses.replace(base, **change).spec() != base.spec()


@pytest.mark.parametrize("change", [{"source": "elsewhere"}, {"checked": "2027-01-01"}])
def test_the_spec_ignores_where_the_numbers_come_from(change: dict[str, Any]) -> None:
    base = DEFAULT_PRESETS["x"]
    assert dataclasses.replace(base, **change).spec() == base.spec()


def test_padding_is_one_spelling_whatever_the_case_given() -> None:
    upper = parse_preset("p", {**SQUARE, "padding": "#FFAA00"})
    assert upper.padding == "#ffaa00"
    assert upper.spec() == parse_preset("p", {**SQUARE, "padding": "#ffaa00"}).spec()


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [("jpeg", "image/jpeg"), ("webp", "image/webp"), ("avif", "image/avif")],
)
def test_the_media_type_follows_the_format(fmt: str, media_type: str) -> None:
    assert parse_preset("p", {**SQUARE, "format": fmt}).media_type == media_type


def test_loading_without_overrides_gives_the_built_ins() -> None:
    assert load_presets() == dict(DEFAULT_PRESETS)


def test_bluesky_pre_2026_limits_are_a_partial_override_of_the_built_in() -> None:
    presets = load_presets({"bluesky": {"width": 2000, "height": 2000, "max_bytes": 976_560}})
    bluesky = presets["bluesky"]
    assert (bluesky.width, bluesky.height, bluesky.max_bytes) == (2000, 2000, 976_560)
    assert bluesky.spec() == DEFAULT_PRESETS["bluesky-2000"].spec()
    assert bluesky.fit == "within"
    assert bluesky.source == DEFAULT_PRESETS["bluesky"].source
    assert bluesky.spec() != DEFAULT_PRESETS["bluesky"].spec()
    assert presets["x"] == DEFAULT_PRESETS["x"]


def test_a_new_preset_is_added_alongside_the_built_ins() -> None:
    presets = load_presets({"pinterest": {"width": 1000, "height": 1500, "fit": "cover"}})
    assert presets["pinterest"].spec() == "cover-1000x1500|jpeg-q85-min60|pad-ffffff"
    assert set(presets) == set(DEFAULT_PRESETS) | {"pinterest"}


def test_loading_does_not_change_the_built_ins() -> None:
    load_presets({"x": {"quality": 70}})
    assert DEFAULT_PRESETS["x"].quality == 85


@pytest.mark.parametrize(
    ("name", "raw", "field"),
    [
        ("p", {**SQUARE, "fit": "fill"}, "fit"),
        ("p", {**SQUARE, "format": "png"}, "format"),
        ("p", {**SQUARE, "quality": 0}, "quality"),
        ("p", {**SQUARE, "quality": 101}, "quality"),
        ("p", {**SQUARE, "quality": "85"}, "quality"),
        ("p", {**SQUARE, "quality": True}, "quality"),
        ("p", {**SQUARE, "quality": 70, "min_quality": 71}, "min_quality"),
        ("p", {**SQUARE, "min_quality": 0}, "min_quality"),
        ("p", {**SQUARE, "padding": "white"}, "padding"),
        ("p", {**SQUARE, "padding": "#fff"}, "padding"),
        ("p", {**SQUARE, "padding": "#gggggg"}, "padding"),
        ("p", {**SQUARE, "width": -1}, "width"),
        ("p", {**SQUARE, "width": 0}, "width"),
        ("p", {**SQUARE, "height": -400}, "height"),
        ("p", {**SQUARE, "height": 1.5}, "height"),
        ("p", {**SQUARE, "width": 100_000}, "width"),
        ("p", {**SQUARE, "max_bytes": -5}, "max_bytes"),
        ("p", {**SQUARE, "max_bytes": 0}, "max_bytes"),
        ("p", {**SQUARE, "max_pixels": -1}, "max_pixels"),
        ("p", {**SQUARE, "max_pixels": 9_999}, "max_pixels"),
        ("p", {**SQUARE, "burn_in_credit": "yes"}, "burn_in_credit"),
        ("p", {**SQUARE, "checked": "last week"}, "checked"),
        ("p", {**SQUARE, "checked": "2026-13-01"}, "checked"),
        ("p", {**SQUARE, "source": 7}, "source"),
        ("p", {**SQUARE, "colour": "#ffffff"}, "colour"),
        ("p", {**SQUARE, "name": "q"}, "name"),
        ("p", {"height": 100, "fit": "cover"}, "width"),
        ("p", {"width": 100, "height": 100}, "fit"),
        ("Big", SQUARE, "name"),
        ("", SQUARE, "name"),
        ("a_b", SQUARE, "name"),
        ("x" * 41, SQUARE, "name"),
    ],
)
def test_a_bad_definition_raises_a_preset_error_naming_the_field(
    name: str, raw: dict[str, Any], field: str
) -> None:
    with pytest.raises(PresetError, match=field) as caught:
        parse_preset(name, raw)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"bluesky": {"fit": "stretch"}}, "fit"),
        ({"x": {"format": "gif"}}, "format"),
        ({"x": {"quality": 0}}, "quality"),
        ({"x": {"quality": 101}}, "quality"),
        ({"x": {"min_quality": 90}}, "min_quality"),
        ({"og": {"padding": "#12345"}}, "padding"),
        ({"thumb": {"width": -400}}, "width"),
        ({"thumb": {"maxbytes": 10}}, "maxbytes"),
        ({"Thumb": {"width": 10, "height": 10, "fit": "cover"}}, "name"),
        ({"new": {"width": 10}}, "height"),
        ({"x": "1600x900"}, "name"),
    ],
)
def test_a_bad_override_raises_a_preset_error_naming_the_field(
    overrides: dict[str, Any], field: str
) -> None:
    with pytest.raises(PresetError, match=field) as caught:
        load_presets(overrides)
    assert caught.value.field == field


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "cover-1600x900",
        "fill-1600x900|jpeg-q85-min60|pad-ffffff",
        "cover-1600x900|jpeg-q85-min60|pad-ffffff|sharpen",
        "cover-1600x900|jpeg-q85-min60|pad-ffffff|bytes-5000000",
        "cover-1600x900|jpeg-q85-min60|bytes-5000000|bytes-5000000|pad-ffffff",
        "cover-1600x900|jpeg-q85-min60|bytes-5000000|pad-FFFFFF",
    ],
)
def test_a_malformed_or_non_canonical_spec_is_refused(spec: str) -> None:
    with pytest.raises(PresetError):
        parse_spec("p", spec)
