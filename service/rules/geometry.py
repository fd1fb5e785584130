"""Where to crop and how big to draw: the pure geometry of fitting a source to a preset.

No pixels here, only sizes, so every rule is a table test. Coordinates are in source pixels
after EXIF orientation has been applied; boxes are (left, top, right, bottom), right/bottom
exclusive, as Pillow's ``crop`` takes them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from service.rules.presets import Preset

Box = tuple[int, int, int, int]
Size = tuple[int, int]

# Products like 3000 * (1/3) land a hair off an integer in floating point; without this slack
# the inward rounding of scale_plan would drop a whole pixel for it.
_EPSILON = 1e-9


@dataclass(frozen=True)
class Plan:
    """How one source becomes one preset's image: crop, resize, place on a canvas."""

    crop: Box  # in source pixels
    size: Size  # what the crop is resized to
    canvas: Size  # the final image; larger than size only for contain padding
    offset: Size  # where the resized crop goes on the canvas
    upscale: float  # output px per source px on the more stretched axis; 1.0 if not enlarged


def validate_focal(x: Any, y: Any) -> tuple[float, float]:
    """The focal point as floats, or ValueError unless both are numbers in [0, 1]."""
    for axis, value in (("x", x), ("y", y)):
        # bool is an int subclass, and NaN compares false with everything, so both need naming.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"focal {axis} must be a number in [0, 1], got {value!r}")
        if not 0 <= value <= 1:  # also refuses NaN
            raise ValueError(f"focal {axis} must be in [0, 1], got {value!r}")
    return float(x), float(y)


def _check_size(size: tuple[int, int]) -> Size:
    width, height = size
    if isinstance(width, bool) or isinstance(height, bool) or min(width, height) < 1:
        raise ValueError(f"source size must be positive, got {size!r}")
    return int(width), int(height)


def _upscale(crop: Box, size: Size) -> float:
    left, top, right, bottom = crop
    return max(1.0, size[0] / (right - left), size[1] / (bottom - top))


def _round(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half up, in integers so no float drift enters a size."""
    return (2 * numerator + denominator) // (2 * denominator)


def _fit_inside(source: Size, box: Size) -> Size:
    """The largest size of the source's shape inside the box (may be larger than the source)."""
    (sw, sh), (bw, bh) = source, box
    if sw * bh >= sh * bw:  # relatively wider than the box: width binds
        return bw, min(bh, max(1, _round(sh * bw, sw)))
    return min(bw, max(1, _round(sw * bh, sh))), bh


def _cover(source: Size, box: Size, focal: tuple[float, float]) -> Plan:
    (sw, sh), (bw, bh) = source, box
    # The largest crop of the box's shape, then slid so the focal point sits at its centre,
    # clamped to the image. The clamp only moves the crop towards the focal point, so it stays in.
    if sw * bh >= sh * bw:
        cw, ch = max(1, _round(sh * bw, bh)), sh
    else:
        cw, ch = sw, max(1, _round(sw * bh, bw))
    left = min(max(0, math.floor(focal[0] * sw - cw / 2 + 0.5)), sw - cw)
    top = min(max(0, math.floor(focal[1] * sh - ch / 2 + 0.5)), sh - ch)
    crop = (left, top, left + cw, top + ch)
    return Plan(crop, box, box, (0, 0), _upscale(crop, box))


def _contain(source: Size, box: Size) -> Plan:
    size = _fit_inside(source, box)
    crop = (0, 0, *source)
    # Centred; an odd leftover pixel goes to the right/bottom.
    offset = ((box[0] - size[0]) // 2, (box[1] - size[1]) // 2)
    return Plan(crop, size, box, offset, _upscale(crop, size))


def _within(source: Size, box: Size, max_pixels: int | None) -> Plan:
    (sw, sh), (bw, bh) = source, box
    width, height = source if sw <= bw and sh <= bh else _fit_inside(source, box)
    if max_pixels is not None and width * height > max_pixels:
        # Equal scale on both axes, floored so the product stays under the cap.
        scale = math.sqrt(max_pixels / (sw * sh))
        width = min(width, max(1, math.floor(sw * scale)))
        height = min(height, max(1, math.floor(sh * scale)))
        # Floats can still overshoot by a pixel; a 1-px-thin source can overshoot by more, and
        # then only the long side can give.
        if width * height > max_pixels:
            if width >= height:
                width = max(1, max_pixels // height)
            else:
                height = max(1, max_pixels // width)
    crop = (0, 0, sw, sh)
    return Plan(crop, (width, height), (width, height), (0, 0), 1.0)


def plan(
    source_size: tuple[int, int], preset: Preset, focal: tuple[float, float] = (0.5, 0.5)
) -> Plan:
    """Plan how a source of ``source_size`` becomes ``preset``'s image, cropping around ``focal``.

    cover and contain may enlarge a small source (``upscale`` > 1 tells); within never does.
    """
    source = _check_size(source_size)
    box = (preset.width, preset.height)
    if preset.fit == "cover":
        return _cover(source, box, validate_focal(*focal))
    if preset.fit == "contain":
        return _contain(source, box)
    return _within(source, box, preset.max_pixels)


def draft_size(source_size: tuple[int, int], plans: Sequence[Plan]) -> tuple[int, int]:
    """The smallest size the decoder may shrink the whole source to and still serve every plan.

    For Pillow's ``Image.draft``, which decodes JPEGs at 1/2, 1/4 or 1/8 scale but never below
    the size asked for. Returns ``source_size`` when some plan needs every source pixel.
    """
    source = _check_size(source_size)
    if not plans:
        return source
    # scale_plan rounds a reduced crop inward, losing under one pixel per side, so each crop must
    # keep one spare pixel per axis at the reduced scale: crop * f >= size + 1.
    needed = max(
        max(
            Fraction(p.size[0] + 1, p.crop[2] - p.crop[0]),
            Fraction(p.size[1] + 1, p.crop[3] - p.crop[1]),
        )
        for p in plans
    )
    if needed >= 1:
        return source
    return math.ceil(source[0] * needed), math.ceil(source[1] * needed)


def scale_plan(plan: Plan, factor_x: float, factor_y: float) -> Plan:
    """The same plan for a source decoded at reduced scale (factor = decoded / source size).

    The crop is rounded inward so that it never takes pixels from outside the planned crop,
    nor from beyond the decoded image; size, canvas and offset do not change.
    """
    if not (0 < factor_x <= 1 and 0 < factor_y <= 1):
        raise ValueError(f"scale factors must be in (0, 1], got {factor_x!r}, {factor_y!r}")
    left, top, right, bottom = plan.crop
    new_left = math.ceil(left * factor_x - _EPSILON)
    new_top = math.ceil(top * factor_y - _EPSILON)
    # Never empty: a crop that rounds away to nothing keeps its first pixel.
    new_right = max(new_left + 1, math.floor(right * factor_x + _EPSILON))
    new_bottom = max(new_top + 1, math.floor(bottom * factor_y + _EPSILON))
    crop = (new_left, new_top, new_right, new_bottom)
    return Plan(crop, plan.size, plan.canvas, plan.offset, _upscale(crop, plan.size))


# How far (output pixels) a batched resize may place any pixel of a member away from where its
# own resize would: scale drift across the union plus the rounding of its cut. Photographic
# grain shows a half-pixel shift as a 2 dB drop in PSNR; a quarter pixel costs nothing visible.
_DRIFT = 0.25


@dataclass(frozen=True)
class Batch:
    """Resizes done as one: ``crop`` (the union of the members' crops) resized to ``size``,
    then each member cut out of the result at its box in ``cuts``."""

    members: tuple[int, ...]  # indices into the requests, largest crop first
    crop: Box
    size: Size
    cuts: tuple[Box, ...]  # in the resized union, one per member


def batch_resizes(requests: Sequence[tuple[Box, Size]]) -> list[Batch]:
    """Group (crop, size) resizes that share a scale, so that one resample serves each group.

    Presets often differ only in how much of the same scaled picture they keep (a square and a
    4:5 portrait from a tall photograph are both 1080 wide). A request joins a group when,
    resized at the group's scale (its largest crop's), every pixel of it lands within a quarter
    of an output pixel of where its own resize would put it, and the union is no larger than
    the crops it replaces. Every request ends up in exactly one batch; alone, its cut is the
    whole.
    """
    order = sorted(range(len(requests)), key=lambda i: -_area(requests[i][0]))
    batches: list[Batch] = []
    for index in order:
        for position, batch in enumerate(batches):
            joined = _batch((*batch.members, index), requests)
            if joined is not None:
                batches[position] = joined
                break
        else:
            alone = _batch((index,), requests)
            assert alone is not None  # one request always fits its own resize
            batches.append(alone)
    return batches


def _area(box: Box) -> int:
    return (box[2] - box[0]) * (box[3] - box[1])


def _batch(members: tuple[int, ...], requests: Sequence[tuple[Box, Size]]) -> Batch | None:
    """The batch of these requests at the first one's scale, or None if they do not share."""
    boxes = [requests[i][0] for i in members]
    union = (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )
    if len(members) > 1 and _area(union) > sum(_area(b) for b in boxes):
        return None
    lead_crop, lead_size = requests[members[0]]
    scale_x = lead_size[0] / (lead_crop[2] - lead_crop[0])
    scale_y = lead_size[1] / (lead_crop[3] - lead_crop[1])
    union_w, union_h = union[2] - union[0], union[3] - union[1]
    size = (max(1, round(union_w * scale_x)), max(1, round(union_h * scale_y)))
    cuts = []
    for i in members:
        (left, top, right, bottom), (width, height) = requests[i]
        if width > size[0] or height > size[1]:
            return None
        exact_x, exact_y = (left - union[0]) * scale_x, (top - union[1]) * scale_y
        x = min(max(0, round(exact_x)), size[0] - width)
        y = min(max(0, round(exact_y)), size[1] - height)
        drift_x = abs(width / (right - left) - scale_x) * union_w + abs(x - exact_x)
        drift_y = abs(height / (bottom - top) - scale_y) * union_h + abs(y - exact_y)
        if max(drift_x, drift_y) > _DRIFT:
            return None
        cuts.append((x, y, x + width, y + height))
    return Batch(members, union, size, tuple(cuts))


def _upright_point(u: float, v: float, orientation: int) -> tuple[float, float]:
    """Where a point of the stored pixels (fractions u, v) is shown once EXIF orientation is
    applied: mirrored (2, 4), turned 180° (3), transposed (5), turned 90° clockwise (6),
    transversed (7), turned 90° anticlockwise (8)."""
    return {
        2: (1 - u, v),
        3: (1 - u, 1 - v),
        4: (u, 1 - v),
        5: (v, u),
        6: (1 - v, u),
        7: (1 - v, 1 - u),
        8: (v, 1 - u),
    }.get(orientation, (u, v))


def upright_region(
    region: tuple[float, float, float, float], orientation: int | None
) -> tuple[float, float, float, float]:
    """A box (x, y, w, h: top-left corner and size, fractions of the stored image) as it lies
    on the image once its EXIF orientation is applied (an unknown orientation is 1)."""
    x, y, w, h = region
    x1, y1 = _upright_point(x, y, orientation or 1)
    x2, y2 = _upright_point(x + w, y + h, orientation or 1)
    return min(x1, x2), min(y1, y2), abs(x2 - x1), abs(y2 - y1)
