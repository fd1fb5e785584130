"""The front door: every preset of a source rendered from one decode, on threads."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from service.media.render.decoding import Decoded, Limits, decode
from service.media.render.draw import _Finishing, _render_batch
from service.media.render.encode import Rendered
from service.media.render.errors import RenderError
from service.media.render.overlay import DEFAULT_CREDIT_FONT
from service.media.render.plan import _Batch, _batches, _job, _sources
from service.media.render.stamp import RightsStamp, xmp_packet
from service.media.render.strips import cpus
from service.rules import geometry
from service.rules.presets import Preset


def render_variants(
    source: Path,
    presets: Sequence[Preset],
    *,
    focal: tuple[float, float],
    stamp: RightsStamp,
    max_pixels: int,
    credit_font: Path = DEFAULT_CREDIT_FONT,
    max_decoded_bytes: int | None = None,
    full_size: tuple[int, int] | None = None,
) -> dict[str, Rendered]:
    """Render every preset from one decode of ``source``; RenderError says why one cannot be.

    ``full_size`` is given when ``source`` is a reduced copy (a working copy) of an original of
    that upright size: the presets are planned on the original, as if it were decoded.
    """
    focal = checked(stamp, focal)
    if not presets:
        return {}
    limits = Limits(max_pixels, max_decoded_bytes)
    decoded = decode(source, limits, needs=presets_need(presets, focal), full_size=full_size)
    return render_decoded(decoded, presets, focal=focal, stamp=stamp, credit_font=credit_font)


def checked(stamp: RightsStamp, focal: tuple[float, float]) -> tuple[float, float]:
    """The focal point as floats; RenderError for a bad focal point or credit placement."""
    if stamp.placement not in ("bottom-left", "bottom-right", "band"):
        raise RenderError(f"unknown credit placement {stamp.placement!r}")
    try:
        return geometry.validate_focal(*focal)
    except ValueError as error:
        raise RenderError(str(error)) from None


def presets_need(
    presets: Sequence[Preset], focal: tuple[float, float]
) -> Callable[[geometry.Size], geometry.Size]:
    """For an upright full size, the smallest size (upright) a decode may shrink it to and still
    serve every preset (geometry.draft_size)."""

    def need(full: geometry.Size) -> geometry.Size:
        return geometry.draft_size(full, [geometry.plan(full, p, focal) for p in presets])

    return need


def render_decoded(
    decoded: Decoded,
    presets: Sequence[Preset],
    *,
    focal: tuple[float, float],
    stamp: RightsStamp,
    credit_font: Path = DEFAULT_CREDIT_FONT,
) -> dict[str, Rendered]:
    """Render every preset from an already decoded source."""
    focal = checked(stamp, focal)
    if not presets:
        return {}
    factors = decoded.factors
    jobs = [
        _job(
            preset,
            geometry.scale_plan(geometry.plan(decoded.full, preset, focal), *factors),
            decoded,
        )
        for preset in presets
    ]
    finishing = _Finishing(decoded, stamp, xmp_packet(stamp), credit_font, decoded.shown)
    batches = _batches(jobs)
    workers = min(len(batches), cpus())
    with ThreadPoolExecutor(max_workers=max(workers, cpus())) as pool:
        sources = _sources(decoded, batches, pool)

        def render_batch(batch: _Batch) -> list[Rendered]:
            source = sources[batch.factor].result()
            return _render_batch(batch, source, finishing)

        # Largest first, so the last task to finish is a small one and no thread waits long.
        largest_first = sorted(batches, key=lambda batch: -batch.pixels)
        rendered = {r.preset: r for done in pool.map(render_batch, largest_first) for r in done}
    return {preset.name: rendered[preset.name] for preset in presets}
