"""Geometry: crops keep the focal point and the preset's shape; decodes shrink only as far as safe."""

from __future__ import annotations

import io
import itertools
import math
from typing import Any

import pytest
from PIL import Image

from service.rules.geometry import (
    Batch,
    Plan,
    batch_resizes,
    draft_size,
    plan,
    scale_plan,
    validate_focal,
)
from service.rules.presets import DEFAULT_PRESETS, Preset

SOURCES = [(4000, 3000), (3000, 4000), (2000, 2000), (6000, 1000), (1000, 6000), (1601, 899)]
BOXES = [(1600, 900), (1080, 1080), (1080, 1350), (1080, 1920), (1200, 627), (400, 400)]
FOCALS = [
    (0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0),  # corners
    (0.5, 0.0), (0.0, 0.5), (1.0, 0.5), (0.5, 1.0),  # edges
    (0.5, 0.5), (0.3, 0.7), (0.999, 0.001),
]  # fmt: skip


def preset(width: int, height: int, fit: str = "cover", **extra: Any) -> Preset:
    return Preset("p", width, height, fit, **extra)  # type: ignore[arg-type]


def crop_size(p: Plan) -> tuple[int, int]:
    left, top, right, bottom = p.crop
    return right - left, bottom - top


@pytest.mark.parametrize(
    ("source", "box", "focal"), list(itertools.product(SOURCES, BOXES, FOCALS))
)
def test_cover_crops_the_largest_box_shaped_region_with_the_focal_point_inside(
    source: tuple[int, int], box: tuple[int, int], focal: tuple[float, float]
) -> None:
    result = plan(source, preset(*box), focal)
    left, top, right, bottom = result.crop
    width, height = crop_size(result)
    assert 0 <= left < right <= source[0] and 0 <= top < bottom <= source[1]
    assert left <= focal[0] * source[0] <= right
    assert top <= focal[1] * source[1] <= bottom
    # Exactly the box's shape, to within one pixel of rounding on the side that is not full.
    assert abs(width * box[1] - height * box[0]) <= max(box)
    assert width == source[0] or height == source[1]
    assert result.size == result.canvas == box
    assert result.offset == (0, 0)


@pytest.mark.parametrize(
    ("source", "box", "focal", "crop"),
    [
        ((4000, 3000), (1080, 1080), (0.5, 0.5), (500, 0, 3500, 3000)),
        ((4000, 3000), (1080, 1080), (0.0, 0.5), (0, 0, 3000, 3000)),
        ((4000, 3000), (1080, 1080), (1.0, 0.5), (1000, 0, 4000, 3000)),
        ((4000, 3000), (1080, 1080), (0.6, 0.5), (900, 0, 3900, 3000)),
        ((4000, 3000), (1600, 900), (0.5, 0.5), (0, 375, 4000, 2625)),
        ((4000, 3000), (1600, 900), (0.5, 0.1), (0, 0, 4000, 2250)),
        ((4000, 3000), (1600, 900), (0.5, 0.9), (0, 750, 4000, 3000)),
        ((3000, 4000), (1080, 1350), (0.5, 0.2), (0, 0, 3000, 3750)),
        ((1600, 900), (1600, 900), (0.0, 1.0), (0, 0, 1600, 900)),
        ((1000, 1000), (1200, 627), (0.5, 0.5), (0, 239, 1000, 762)),
    ],
)
def test_cover_centres_the_crop_on_the_focal_point_then_clamps_it_to_the_image(
    source: tuple[int, int],
    box: tuple[int, int],
    focal: tuple[float, float],
    crop: tuple[int, int, int, int],
) -> None:
    assert plan(source, preset(*box), focal).crop == crop


def test_cover_defaults_to_the_centre() -> None:
    assert plan((4000, 3000), preset(1000, 1000)).crop == (500, 0, 3500, 3000)


@pytest.mark.parametrize(
    ("source", "box", "size", "offset"),
    [
        ((4000, 3000), (1200, 630), (840, 630), (180, 0)),
        ((3000, 4000), (1080, 1080), (810, 1080), (135, 0)),
        ((4000, 1000), (1000, 1000), (1000, 250), (0, 375)),
        ((1600, 900), (1600, 900), (1600, 900), (0, 0)),
        ((1001, 1000), (1000, 1000), (1000, 999), (0, 0)),
        ((100, 10), (1000, 1000), (1000, 100), (0, 450)),
    ],
)
def test_contain_fits_the_whole_image_and_centres_it_on_a_canvas_of_the_box(
    source: tuple[int, int], box: tuple[int, int], size: tuple[int, int], offset: tuple[int, int]
) -> None:
    result = plan(source, preset(*box, fit="contain"))
    assert result.crop == (0, 0, *source)
    assert result.size == size
    assert result.canvas == box
    assert result.offset == offset
    assert result.offset[0] * 2 + size[0] in (box[0], box[0] - 1)
    assert result.offset[1] * 2 + size[1] in (box[1], box[1] - 1)


@pytest.mark.parametrize(
    ("source", "box", "max_pixels", "size"),
    [
        ((4000, 3000), (2000, 2000), None, (2000, 1500)),  # long edge, landscape
        ((3000, 4000), (2000, 2000), None, (1500, 2000)),  # long edge, portrait
        ((8000, 1000), (2000, 2000), None, (2000, 250)),
        ((2000, 1999), (2000, 2000), None, (2000, 1999)),  # already fits
        ((800, 600), (2000, 2000), None, (800, 600)),  # never upscaled
        ((1, 1), (2000, 2000), None, (1, 1)),
        ((3000, 1000), (2000, 2000), 1_000_000, (1732, 577)),  # pixel cap binds before the box
        ((6000, 4000), (3840, 3840), 8_294_400, (3527, 2351)),  # Mastodon: 8.29 MP any shape
        ((4000, 6000), (3840, 3840), 8_294_400, (2351, 3527)),
        ((3840, 2160), (3840, 3840), 8_294_400, (3840, 2160)),  # exactly at the cap
        ((4000, 3000), (1000, 1000), 8_294_400, (1000, 750)),  # box binds before the cap
        ((10_000, 1), (20_000, 20_000), 100, (100, 1)),  # a 1-px line: only the long side gives
        ((20_000, 3), (20_000, 20_000), 100, (100, 1)),
    ],
)
def test_within_scales_down_to_the_box_and_pixel_cap_but_never_up(
    source: tuple[int, int],
    box: tuple[int, int],
    max_pixels: int | None,
    size: tuple[int, int],
) -> None:
    result = plan(source, preset(*box, fit="within", max_pixels=max_pixels))
    assert result.size == result.canvas == size
    assert result.crop == (0, 0, *source)
    assert result.offset == (0, 0)
    assert result.upscale == 1.0
    assert size[0] <= min(box[0], source[0]) and size[1] <= min(box[1], source[1])
    assert max_pixels is None or size[0] * size[1] <= max_pixels


@pytest.mark.parametrize("source", [(5000, 7), (7, 5000), (9999, 9998), (4321, 1234), (3, 2)])
@pytest.mark.parametrize("cap", [1, 2, 1000, 8_294_400])
def test_within_a_pixel_cap_always_gives_at_least_one_pixel_and_at_most_the_cap_or_one_line(
    source: tuple[int, int], cap: int
) -> None:
    width, height = plan(source, preset(9000, 9000, "within", max_pixels=cap)).size
    assert width >= 1 and height >= 1
    assert width * height <= max(cap, min(width, height))


@pytest.mark.parametrize(
    ("source", "fit", "box", "upscale"),
    [
        ((400, 300), "cover", (1600, 900), 4.0),
        ((800, 800), "cover", (1080, 1080), 1.35),
        ((1080, 1080), "cover", (1080, 1080), 1.0),
        ((4000, 3000), "cover", (1080, 1080), 1.0),
        ((500, 500), "contain", (1000, 1000), 2.0),
        ((4000, 3000), "contain", (1000, 1000), 1.0),
        ((500, 500), "within", (1000, 1000), 1.0),
    ],
)
def test_the_upscale_factor_says_how_far_a_small_source_is_enlarged(
    source: tuple[int, int], fit: str, box: tuple[int, int], upscale: float
) -> None:
    assert plan(source, preset(*box, fit=fit)).upscale == pytest.approx(upscale)


@pytest.mark.parametrize("source", [(0, 100), (100, -1)])
def test_an_empty_source_is_refused(source: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="source size"):
        plan(source, preset(100, 100))


def test_cover_refuses_a_focal_point_outside_the_image() -> None:
    with pytest.raises(ValueError, match="focal x"):
        plan((100, 100), preset(10, 10), (1.5, 0.5))


def plans_for(source: tuple[int, int], *names: str) -> list[Plan]:
    return [plan(source, DEFAULT_PRESETS[name], (0.3, 0.6)) for name in names]


@pytest.mark.parametrize(
    ("source", "names", "expected"),
    [
        ((4000, 3000), ("thumb",), (535, 401)),
        ((4000, 3000), ("thumb", "instagram-square"), (1442, 1081)),
        ((4000, 3000), ("x", "og", "linkedin"), (1602, 1202)),
        ((4000, 3000), ("bluesky-2000", "thumb"), (2002, 1501)),
        ((2000, 1500), ("bluesky-2000",), (2000, 1500)),  # keeps every pixel of this source
        ((4000, 3000), ("bluesky",), (4000, 3000)),  # Bluesky's 4000 px box needs every pixel
        ((800, 600), ("instagram-square",), (800, 600)),  # needs upscaling: no reduction
        ((4000, 3000), ("thumb", "web-large"), (2050, 1537)),
        ((4000, 3000), (), (4000, 3000)),
    ],
)
def test_draft_size_is_the_smallest_decode_that_still_serves_every_plan(
    source: tuple[int, int], names: tuple[str, ...], expected: tuple[int, int]
) -> None:
    assert draft_size(source, plans_for(source, *names)) == expected


def test_draft_size_returns_the_full_size_when_one_plan_needs_every_pixel() -> None:
    plans = plans_for((1200, 1000), "thumb")
    assert draft_size((1200, 1000), plans) != (1200, 1000)
    full = plan((1200, 1000), preset(1200, 1000, "within"))
    assert draft_size((1200, 1000), [*plans, full]) == (1200, 1000)


@pytest.mark.parametrize("source", [*SOURCES, (4001, 3001), (5472, 3648), (1023, 767)])
@pytest.mark.parametrize("name", list(DEFAULT_PRESETS))
def test_every_jpeg_dct_reduction_allowed_by_draft_size_serves_the_plan(
    source: tuple[int, int], name: str
) -> None:
    planned = plans_for(source, name)[0]
    target = draft_size(source, [planned])
    if planned.upscale > 1:  # already short of pixels at full size: no reduction at all
        assert target == source
        return
    for reduction in (1, 2, 4, 8):
        # libjpeg decodes at ceil(size / reduction); Pillow picks one no smaller than the target.
        decoded = (math.ceil(source[0] / reduction), math.ceil(source[1] / reduction))
        if decoded[0] < target[0] or decoded[1] < target[1]:
            continue
        for factors in ((1 / reduction,) * 2, (decoded[0] / source[0], decoded[1] / source[1])):
            scaled = scale_plan(planned, *factors)
            width, height = crop_size(scaled)
            assert width >= planned.size[0] and height >= planned.size[1]
            assert scaled.crop[2] <= decoded[0] and scaled.crop[3] <= decoded[1]


def test_pillow_draft_with_draft_size_decodes_small_enough_and_large_enough() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1200), "#808080").save(buffer, "JPEG")
    plans = plans_for((1600, 1200), "thumb")
    with Image.open(buffer) as image:
        image.draft("RGB", draft_size((1600, 1200), plans))
        decoded = image.size
    assert decoded == (800, 600)
    scaled = scale_plan(plans[0], decoded[0] / 1600, decoded[1] / 1200)
    assert crop_size(scaled) == (600, 600)
    assert scaled.upscale == 1.0


@pytest.mark.parametrize(
    ("crop", "factors", "scaled"),
    [
        ((500, 0, 3500, 3000), (0.5, 0.5), (250, 0, 1750, 1500)),
        ((500, 0, 3500, 3000), (0.25, 0.25), (125, 0, 875, 750)),
        ((1, 1, 5, 5), (0.5, 0.5), (1, 1, 2, 2)),  # rounded inward on every side
        ((3, 0, 3001, 3000), (1 / 3, 1 / 3), (1, 0, 1000, 1000)),  # float products hit integers
        ((1, 0, 2, 1), (0.5, 0.5), (1, 0, 2, 1)),  # never empty
        ((0, 0, 4000, 3000), (1.0, 1.0), (0, 0, 4000, 3000)),
    ],
)
def test_scale_plan_scales_the_crop_rounding_inward_and_keeps_the_output(
    crop: tuple[int, int, int, int],
    factors: tuple[float, float],
    scaled: tuple[int, int, int, int],
) -> None:
    original = Plan(crop, (100, 100), (120, 100), (10, 0), 1.0)
    result = scale_plan(original, *factors)
    assert result.crop == scaled
    assert (result.size, result.canvas, result.offset) == ((100, 100), (120, 100), (10, 0))


def test_scale_plan_reports_upscaling_when_the_decode_was_too_small() -> None:
    original = plan((4000, 3000), preset(1080, 1080))
    assert scale_plan(original, 0.25, 0.25).upscale == pytest.approx(1080 / 750)


@pytest.mark.parametrize("factors", [(0, 0.5), (0.5, -1), (1.5, 1.0), (math.nan, 0.5)])
def test_scale_plan_refuses_factors_outside_zero_to_one(factors: tuple[float, float]) -> None:
    with pytest.raises(ValueError, match="scale factors"):
        scale_plan(plan((100, 100), preset(10, 10)), *factors)


@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [
        (0, 0, (0.0, 0.0)),
        (1, 1, (1.0, 1.0)),
        (0.5, 0.25, (0.5, 0.25)),
        (1.0, 0, (1.0, 0.0)),
    ],
)
def test_validate_focal_accepts_numbers_from_zero_to_one(
    x: Any, y: Any, expected: tuple[float, float]
) -> None:
    result = validate_focal(x, y)
    assert result == expected
    assert all(type(value) is float for value in result)


@pytest.mark.parametrize(
    ("x", "y", "axis"),
    [
        (-0.1, 0.5, "x"),
        (1.01, 0.5, "x"),
        (0.5, 2, "y"),
        ("0.5", 0.5, "x"),
        (None, 0.5, "x"),
        (True, 0.5, "x"),
        (0.5, math.nan, "y"),
        (math.inf, 0.5, "x"),
        (0.5, [0.5], "y"),
    ],
)
def test_validate_focal_refuses_anything_but_a_number_from_zero_to_one(
    x: Any, y: Any, axis: str
) -> None:
    with pytest.raises(ValueError, match=f"focal {axis}"):
        validate_focal(x, y)


# ---------------------------------------------------------------- shared resizes


def test_a_square_and_a_portrait_of_a_tall_photograph_share_one_resize() -> None:
    # Both are 1080 wide from the full 2000-px width: the square is cut out of the portrait.
    portrait = ((0, 250, 2000, 2750), (1080, 1350))
    square = ((0, 500, 2000, 2500), (1080, 1080))
    assert batch_resizes([square, portrait]) == [
        Batch(
            (1, 0), (0, 250, 2000, 2750), (1080, 1350), ((0, 0, 1080, 1350), (0, 135, 1080, 1215))
        )
    ]


@pytest.mark.parametrize(
    ("requests", "why"),
    [
        ([((0, 0, 2000, 2000), (1080, 1080)), ((0, 0, 2000, 2500), (1600, 2000))], "scales"),
        # A focal point near each end: the union would be far larger than the two crops.
        ([((0, 0, 1000, 1000), (500, 500)), ((3000, 0, 4000, 1000), (500, 500))], "apart"),
        # 1044 px to 627 against 1050 to 630: one source pixel off, 0.6 px of drift at the edge.
        ([((975, 0, 2025, 2000), (630, 1200)), ((978, 0, 2022, 2000), (627, 1200))], "drift"),
        # Same scale, but the smaller one would sit half a pixel off the resized grid.
        ([((0, 0, 2000, 2000), (1000, 1000)), ((1, 0, 1001, 2000), (500, 1000))], "offset"),
    ],
)
def test_resizes_share_only_when_every_pixel_lands_where_its_own_resize_puts_it(
    requests: list[tuple[tuple[int, int, int, int], tuple[int, int]]], why: str
) -> None:
    batches = batch_resizes(requests)
    assert len(batches) == 2, why
    for batch in batches:
        (index,) = batch.members
        assert batch.crop == requests[index][0]
        assert batch.cuts == ((0, 0, *requests[index][1]),)


@pytest.mark.parametrize(("source", "focal"), list(itertools.product(SOURCES, FOCALS)))
def test_every_cover_preset_is_in_exactly_one_batch_and_cut_at_its_own_size(
    source: tuple[int, int], focal: tuple[float, float]
) -> None:
    requests = [(p.crop, p.size) for p in (plan(source, preset(*box), focal) for box in BOXES)]
    batches = batch_resizes(requests)
    assert sorted(i for batch in batches for i in batch.members) == list(range(len(requests)))
    for batch in batches:
        union = batch.crop
        for index, cut in zip(batch.members, batch.cuts, strict=True):
            crop, size = requests[index]
            assert (cut[2] - cut[0], cut[3] - cut[1]) == size
            assert min(cut[:2]) >= 0 and cut[2] <= batch.size[0] and cut[3] <= batch.size[1]
            # The cut sits where the crop sits in the union, at the union's scale.
            scale = batch.size[0] / (union[2] - union[0])
            assert abs(cut[0] - (crop[0] - union[0]) * scale) <= 0.25 + 1e-9
