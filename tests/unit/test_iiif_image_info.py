"""IIIF Image API 3.0 info.json: the level-2 document, its scale factors and pyramid sizes,
and the media type it is served as."""

from __future__ import annotations

import json
import math

import pytest

from service.rules.iiif.image_info import (
    CONTEXT,
    JSON,
    JSON_LD,
    PROFILE_URI,
    image_info,
    info_media_type,
    listed_sizes,
    scale_factors,
)
from service.rules.iiif.image_requests import SizeLimits, parse, source_factor

ROOMY = SizeLimits(max_width=10_000, max_height=10_000, max_area=100_000_000)
CC_BY = "http://creativecommons.org/licenses/by/4.0/"
ID = "https://vitrine.example/iiif/3/67352ccc-d1b0-11e1-89ae-279075081939"


@pytest.mark.parametrize(
    ("width", "height", "tile", "expected"),
    [
        (1000, 1000, 512, [1, 2]),
        (512, 512, 512, [1]),
        (1, 1, 256, [1]),
        (513, 10, 512, [1, 2]),
        (10, 513, 512, [1, 2]),
        (1024, 1024, 512, [1, 2]),
        (1025, 1024, 512, [1, 2, 4]),  # ceil(1025 / 2) = 513
        (6000, 4000, 512, [1, 2, 4, 8, 16]),
        (10_000, 100, 256, [1, 2, 4, 8, 16, 32, 64]),
    ],
)
def test_scale_factors_halve_until_the_image_fits_one_tile(
    width: int, height: int, tile: int, expected: list[int]
) -> None:
    assert scale_factors(width, height, tile) == expected


@pytest.mark.parametrize(
    ("width", "height", "factors", "limits", "expected"),
    [
        (1000, 1000, [1, 2], ROOMY, [(500, 500), (1000, 1000)]),
        (1001, 999, [1, 2, 4], ROOMY, [(251, 250), (501, 500), (1001, 999)]),  # rounded up
        (
            6000,
            4000,
            [1, 2, 4, 8, 16],
            SizeLimits(3000, 3000, 4_000_000),  # 6000 wide is too wide; 3000x2000 too large
            [(375, 250), (750, 500), (1500, 1000)],
        ),
        (100, 100, [1], SizeLimits(99, 99, 10**6), []),
    ],
)
def test_listed_sizes_are_the_pyramid_levels_within_the_limits_smallest_first(
    width: int,
    height: int,
    factors: list[int],
    limits: SizeLimits,
    expected: list[tuple[int, int]],
) -> None:
    assert listed_sizes(width, height, factors, limits) == expected


def test_the_level_2_document_has_every_field_the_spec_names() -> None:
    info = image_info(id=ID, width=1000, height=1000, tile=512, limits=ROOMY, rights=CC_BY)
    assert info == {
        "@context": "http://iiif.io/api/image/3/context.json",
        "id": ID,
        "type": "ImageService3",
        "protocol": "http://iiif.io/api/image",
        "profile": "level2",
        "width": 1000,
        "height": 1000,
        "maxWidth": 10_000,
        "maxHeight": 10_000,
        "maxArea": 100_000_000,
        "sizes": [{"width": 500, "height": 500}, {"width": 1000, "height": 1000}],
        "tiles": [{"width": 512, "scaleFactors": [1, 2]}],
        "extraQualities": ["color", "gray", "bitonal"],
        "extraFormats": ["webp"],
        "extraFeatures": ["canonicalLinkHeader", "mirroring", "profileLinkHeader", "sizeUpscaling"],
        "rights": CC_BY,
    }
    assert next(iter(info)) == "@context"  # it SHOULD come first (§5.2)
    json.dumps(info)  # a JSON document as it is


def test_rights_are_left_out_when_unknown_and_a_gray_image_offers_no_colour() -> None:
    info = image_info(
        id=ID, width=10, height=10, tile=256, limits=ROOMY, rights=None, grayscale=True
    )
    assert "rights" not in info
    assert info["extraQualities"] == ["gray", "bitonal"]


def test_the_profile_link_names_the_level_2_profile() -> None:
    assert PROFILE_URI == "http://iiif.io/api/image/3/level2.json"
    assert CONTEXT == "http://iiif.io/api/image/3/context.json"


@pytest.mark.parametrize(
    ("width", "height", "tile", "limits"),
    [
        (1000, 1000, 512, ROOMY),
        (6000, 4000, 512, SizeLimits(3000, 3000, 4_000_000)),
        (4001, 2999, 256, ROOMY),
        (300, 20_000, 256, SizeLimits(4096, 4096, 16_777_216)),
    ],
)
def test_every_size_the_document_lists_is_served_exactly_from_its_own_level(
    width: int, height: int, tile: int, limits: SizeLimits
) -> None:
    """The spec: a request for a listed size in the w,h form MUST be supported (§5.3), and
    sizes and tiles MUST be within the limits."""
    info = image_info(id=ID, width=width, height=height, tile=tile, limits=limits, rights=None)
    factors = info["tiles"][0]["scaleFactors"]
    assert tile <= limits.max_width and tile <= limits.max_height
    for size in info["sizes"]:
        w, h = size["width"], size["height"]
        made = parse(
            "full", f"{w},{h}", "0", "default.jpg", width=width, height=height, limits=limits
        )
        assert made.size == (w, h)
        assert made.canonical(width, height) in (
            f"full/{w},{h}/0/default.jpg",
            "full/max/0/default.jpg",
        )
        level = source_factor(made, factors, image_size=(width, height))
        assert (math.ceil(width / level), math.ceil(height / level)) == (w, h)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON_LD),  # no Accept: JSON-LD with the context as profile (§5.1)
        ("", JSON_LD),
        ("*/*", JSON_LD),
        ("application/ld+json", JSON_LD),  # the validator's jsonld test
        (f'application/ld+json;profile="{CONTEXT}"', JSON_LD),
        ("application/json", JSON),
        ("application/json, */*;q=0.8", JSON),
        ("application/json;q=0.5, application/ld+json", JSON_LD),
        ("application/json, application/ld+json;q=0.9", JSON),
        ("application/ld+json;q=0, application/json", JSON),
        ("text/html, application/*;q=0.9", JSON_LD),
        ("text/html", JSON_LD),  # nothing acceptable: JSON-LD all the same, never a 406
        ("application/json;q=nan", JSON),
        ("application/json;q=abc", JSON),
    ],
)
def test_info_json_is_json_ld_unless_plain_json_is_preferred(
    accept: str | None, expected: str
) -> None:
    assert info_media_type(accept) == expected


def test_the_json_ld_media_type_is_the_specs_to_the_letter() -> None:
    assert JSON_LD == 'application/ld+json;profile="http://iiif.io/api/image/3/context.json"'


@pytest.mark.parametrize(
    ("width", "height"), [(1000, 1000), (1001, 999), (3950, 2701), (257, 8000)]
)
@pytest.mark.parametrize("tile", [256, 512])
def test_each_tile_the_document_implies_is_served_exactly_from_its_own_level(
    width: int, height: int, tile: int
) -> None:
    """The requests a viewer makes from ``tiles``: at factor f, regions tile*f wide cut at
    multiples of it (the last one partial), scaled to ceil(w / f) (spec implementation notes)."""
    factors = scale_factors(width, height, tile)
    for f in factors:
        span = tile * f
        for x in range(0, width, span):
            for y in range(0, height, span):
                rw, rh = min(span, width - x), min(span, height - y)
                size = f"{math.ceil(rw / f)},{math.ceil(rh / f)}"
                made = parse(f"{x},{y},{rw},{rh}", size, "0", "default.jpg", width=width,
                             height=height, limits=ROOMY)  # fmt: skip
                assert made.size == (math.ceil(rw / f), math.ceil(rh / f))
                assert source_factor(made, factors, image_size=(width, height)) == f
                # Without the image's size an edge tile falls back to a finer level.
                assert source_factor(made, factors) <= f
