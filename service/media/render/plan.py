"""Planning the pixel work: each preset's crop in stored pixels, batched by reduce factor.

Presets that reduce by the same whole factor share one box-filter reduction of the union of
their crops; presets of the same scale share one resample and are cut from it. The colour is
converted once on the decoded image instead where that has fewer pixels.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from PIL import Image

from service.media.render.decoding import Decoded
from service.media.render.strips import _convert_in_strips, _reduce_in_pieces, cpus
from service.rules import geometry
from service.rules.presets import Preset


@dataclass(frozen=True)
class _Job:
    """One preset's pixel work, in the decoded image's stored (not yet turned) pixels."""

    preset: Preset
    plan: geometry.Plan  # on the oriented decoded image
    crop: geometry.Box  # plan.crop, unturned
    size: geometry.Size  # plan.size, unturned
    factor: int  # whole factor to reduce the crop by (box filter) before BICUBIC; 1: none


@dataclass(frozen=True)
class _Batch:
    """Jobs of one reduce factor resized as one, each then cut out (geometry.batch_resizes)."""

    jobs: tuple[_Job, ...]
    factor: int
    crop: geometry.Box  # the union of the jobs' crops, in decoded pixels
    size: geometry.Size  # what that union is resized to
    cuts: tuple[geometry.Box, ...]  # each job's box in the resized union

    @property
    def pixels(self) -> int:
        """How many pixels the resized union has: what the batch costs to work on."""
        return self.size[0] * self.size[1]


def _batches(jobs: Sequence[_Job]) -> list[_Batch]:
    by_factor: dict[int, list[_Job]] = {}
    for job in jobs:
        by_factor.setdefault(job.factor, []).append(job)
    return [
        _Batch(tuple(group[i] for i in batch.members), factor, batch.crop, batch.size, batch.cuts)
        for factor, group in by_factor.items()
        for batch in geometry.batch_resizes([(job.crop, job.size) for job in group])
    ]


@dataclass(frozen=True)
class _Source:
    """What a job resamples from: the decoded image, or a shared reduction of part of it."""

    image: Image.Image
    origin: tuple[int, int]  # where ``image`` starts, in decoded pixels
    factor: int  # decoded pixels per ``image`` pixel
    srgb: bool  # already converted to sRGB
    # Set on the full-size decode when it must be prepared (or premultiplied) piece by piece.
    prepare: Callable[[Image.Image], Image.Image] | None = None
    pieces: bool = False


def _job(preset: Preset, plan: geometry.Plan, decoded: Decoded) -> _Job:
    width, height = decoded.image.size
    crop = _unturn(plan.crop, width, height, decoded.orientation)
    turned = decoded.orientation in (5, 6, 7, 8)
    size = (plan.size[1], plan.size[0]) if turned else plan.size
    factor = max(1, min((crop[2] - crop[0]) // size[0], (crop[3] - crop[1]) // size[1]))
    return _Job(preset, plan, crop, size, factor)


def _unturn(box: geometry.Box, width: int, height: int, orientation: int) -> geometry.Box:
    """``box`` on the image shown after EXIF ``orientation``, as a box on the stored image.

    The stored image is width x height. Each orientation maps a shown point (x, y), in pixel
    edge coordinates, to a stored point; a box maps to the box between its mapped corners.
    """
    maps: dict[int, Callable[[int, int], tuple[int, int]]] = {
        2: lambda x, y: (width - x, y),
        3: lambda x, y: (width - x, height - y),
        4: lambda x, y: (x, height - y),
        5: lambda x, y: (y, x),
        6: lambda x, y: (y, height - x),
        7: lambda x, y: (width - y, height - x),
        8: lambda x, y: (width - y, x),
    }
    if orientation not in maps:
        return box
    (x0, y0), (x1, y1) = maps[orientation](box[0], box[1]), maps[orientation](box[2], box[3])
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _sources(
    decoded: Decoded, batches: Sequence[_Batch], pool: ThreadPoolExecutor
) -> dict[int, Future[_Source]]:
    """The image each reduce factor's batches resample from, converted to sRGB where cheapest.

    Batches that reduce by the same whole factor share one ``reduce`` (a box filter) of the
    union of their crops, so each BICUBIC step that follows is short (under 2x). The colour is
    converted once on the decoded image when that has fewer pixels than what would otherwise
    be converted: each shared reduction or, if smaller, the resized batches made from it.

    A decode that must be prepared first (palettes, colour keys, alpha, 16-bit, CMYK) is
    prepared and reduced piece by piece, so no second full-size image is ever made of it.
    """
    image, convert = decoded.image, decoded.convert
    groups: dict[int, list[_Batch]] = {}
    for batch in batches:
        groups.setdefault(batch.factor, []).append(batch)
    unions = {factor: _union(group, factor, image.size) for factor, group in groups.items()}
    sources: dict[int, Future[_Source]] = {}
    if decoded.pieces:
        for factor in groups:
            if factor == 1:
                whole = _Source(image, (0, 0), 1, True, decoded.prepare, pieces=True)
                sources[1] = _done(whole)
            else:  # in this thread, each spread over the pool's threads piece by piece
                box = unions[factor]
                smaller = _reduce_in_pieces(image, decoded.prepare, box, factor, pool.map)
                sources[factor] = _done(_Source(smaller, box[:2], factor, True))
        return sources

    def outputs(factor: int) -> int:
        return sum(batch.pixels for batch in groups[factor])

    def area(box: geometry.Box, factor: int) -> int:
        return -(-(box[2] - box[0]) // factor) * -(-(box[3] - box[1]) // factor)

    late = sum(
        outputs(factor) if factor == 1 else min(area(unions[factor], factor), outputs(factor))
        for factor in groups
    )
    srgb = convert is None
    if convert is not None and image.width * image.height <= late:
        image, convert, srgb = _convert_in_strips(image, convert, pool, cpus()), None, True

    def reduced(factor: int, image: Image.Image = image) -> _Source:
        box = unions[factor]
        out = image.reduce(factor, box=box)
        if convert is not None and out.width * out.height < outputs(factor):
            return _Source(convert(out), box[:2], factor, True)
        return _Source(out, box[:2], factor, srgb)

    for factor in groups:  # submitted before the jobs, so no job waits on one not started
        if factor == 1:
            sources[1] = _done(_Source(image, (0, 0), 1, srgb))
        else:
            sources[factor] = pool.submit(reduced, factor)
    return sources


def _done(source: _Source) -> Future[_Source]:
    future: Future[_Source] = Future()
    future.set_result(source)
    return future


def _union(batches: Sequence[_Batch], factor: int, size: geometry.Size) -> geometry.Box:
    """The box around the batches' crops, its corner on the ``factor`` grid (so reduce aligns)."""
    left = min(batch.crop[0] for batch in batches) // factor * factor
    top = min(batch.crop[1] for batch in batches) // factor * factor
    right = min(size[0], -(-max(batch.crop[2] for batch in batches) // factor) * factor)
    bottom = min(size[1], -(-max(batch.crop[3] for batch in batches) // factor) * factor)
    return (left, top, right, bottom)
