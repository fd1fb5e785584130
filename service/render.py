"""Pillow at the edge: social variants that carry their rights.

One call decodes the source once, at the smallest JPEG DCT scale that still serves every preset,
then, on threads (Pillow releases the GIL to resample, convert colour and encode), crops,
reduces by a whole factor (a box filter shared by the presets that reduce alike), resamples the
rest of the way with BICUBIC (presets of the same scale share one resample and are cut from it),
converts the colour to sRGB with littleCMS (``convert()`` ignores ICC profiles), applies EXIF
orientation, pads, optionally burns the credit line in, and encodes with fresh metadata: the
sRGB profile, EXIF Copyright/Artist/ImageDescription and an XMP rights packet. The colour is
converted once on the decoded image instead where that has fewer pixels than the resized
images (or shared reductions) it would otherwise be converted on. Nothing of the source's
metadata is copied, so GPS, maker notes, serial numbers, thumbnails, comments and the original
XMP/IPTC never leave.

EXIF text is ASCII by spec; the rights text is written as UTF-8 bytes, as exiftool does, so
exifread and exiftool read "©" back, while Pillow's ``getexif()`` decodes ASCII tags as Latin-1
("Â©"). XMP carries the same text as proper Unicode.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import os
import re
import tempfile
import unicodedata
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from PIL import Image, ImageCms, ImageColor, ImageDraw, ImageFont, JpegImagePlugin

from . import geometry, imaging
from .presets import Preset

SRGB_PROFILE = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
SRGB_ICC = SRGB_PROFILE.tobytes()

# Orientations 5-8 turn the picture a quarter: the displayed width and height swap.
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# What ingest accepts; restricting Image.open keeps Pillow from trying EPS, PSD and the like.
_FORMATS = ("JPEG", "PNG", "TIFF", "WEBP", "GIF", "AVIF")
_SIXTEEN_BIT = {"I;16", "I;16L", "I;16B", "I;16N", "I"}
# Decoded modes whose colour conversion may wait until after resampling (no alpha, 8-bit).
_LATE_MODES = ("RGB", "L")
# NOCACHE: littleCMS otherwise compares each pixel with the one before to reuse its result,
# which photographic grain never lets it do: a third faster without, the same output.
_CMS_FLAGS = ImageCms.Flags.BLACKPOINTCOMPENSATION | ImageCms.Flags.NOCACHE

# Credit overlay: white text on black at 72% opacity. Over the brightest possible pixel the box
# is (71, 71, 71), which gives white text a contrast ratio of about 9:1 (WCAG asks 4.5:1).
BOX_ALPHA = 184
TEXT_RGBA = (255, 255, 255, 255)
FONT_SCALE = 0.026  # of the geometric mean of the output's sides
MIN_FONT_PX = 10  # long credits shrink to this, then wrap; never smaller
# Pillow's bundled font has ASCII only ("Musée" came out "Mus▯e"). DejaVu Sans covers Latin,
# Greek, Cyrillic, Hebrew, Arabic and more; VITRINE_CREDIT_FONT names another (Noto Sans CJK
# for Chinese and Japanese credits, say). Text the font cannot draw is refused, never boxed.
DEFAULT_CREDIT_FONT = Path(__file__).parent / "data" / "fonts" / "DejaVuSans.ttf"
# A private-use code point no font maps: what the font draws for a character it lacks.
_SURELY_MISSING = "\U0010fffd"


class RenderError(Exception):
    """A variant cannot be made as asked (e.g. over its byte budget); the message says why."""


@dataclass(frozen=True)
class RightsStamp:
    """The rights written into every variant's metadata, and optionally into its pixels."""

    credit_line: str
    creator: str
    title: str
    object_number: str
    licence_uri: str | None
    alt_text: str
    burn_in: bool = False
    placement: str = "bottom-right"  # "bottom-left" | "bottom-right" | "band"


@dataclass(frozen=True)
class Rendered:
    """One encoded variant. ``decoded_size`` is the size the source was decoded at (oriented)."""

    preset: str
    data: bytes
    width: int
    height: int
    media_type: str
    quality: int
    burned_in: bool
    decoded_size: tuple[int, int] = (0, 0)


def render_variants(
    source: Path,
    presets: Sequence[Preset],
    *,
    focal: tuple[float, float],
    stamp: RightsStamp,
    max_pixels: int,
    credit_font: Path = DEFAULT_CREDIT_FONT,
) -> dict[str, Rendered]:
    """Render every preset from one decode of ``source``; RenderError says why one cannot be."""
    if stamp.placement not in ("bottom-left", "bottom-right", "band"):
        raise RenderError(f"unknown credit placement {stamp.placement!r}")
    try:
        focal = geometry.validate_focal(*focal)
    except ValueError as error:
        raise RenderError(str(error)) from None
    if not presets:
        return {}
    decoded = _decode(source, presets, focal, max_pixels)
    turned = decoded.orientation in (5, 6, 7, 8)
    jobs = [
        _job(preset, geometry.scale_plan(plan, *decoded.factors), decoded)
        for preset, plan in zip(presets, decoded.plans, strict=True)
    ]
    width, height = decoded.image.size
    oriented_size = (height, width) if turned else (width, height)
    finishing = _Finishing(decoded, stamp, xmp_packet(stamp), credit_font, oriented_size)
    batches = _batches(jobs)
    workers = min(len(batches), _cpus())
    with ThreadPoolExecutor(max_workers=workers) as pool:
        sources = _sources(decoded, batches, pool, workers)

        def render_batch(batch: _Batch) -> list[Rendered]:
            source = sources[batch.factor].result()
            return _render_batch(batch, source, finishing)

        # Largest first, so the last task to finish is a small one and no thread waits long.
        largest_first = sorted(batches, key=lambda batch: -batch.pixels)
        rendered = {r.preset: r for done in pool.map(render_batch, largest_first) for r in done}
    return {preset.name: rendered[preset.name] for preset in presets}


# ---------------------------------------------------------------- decode


@dataclass(frozen=True)
class _Decoded:
    """A decoded source as stored (not yet turned) and what it still needs.

    ``convert`` is None when ``image`` is already 8-bit sRGB; otherwise ``image`` is "RGB" or
    "L" and ``convert`` turns it, or any resampled piece of it, into sRGB "RGB", so the colour
    conversion can run on whichever image has the fewest pixels.
    """

    image: Image.Image
    convert: Callable[[Image.Image], Image.Image] | None
    orientation: int
    plans: list[geometry.Plan]  # on the oriented, full-size source
    factors: tuple[float, float]  # oriented decoded size / oriented source size


def _decode(
    source: Path, presets: Sequence[Preset], focal: tuple[float, float], max_pixels: int
) -> _Decoded:
    # Ingest refuses scan and chunk bombs; these guards cover originals stored before it did.
    # Pillow walks a PNG's chunks as it opens it, so that check comes first.
    with source.open("rb") as fp:
        head = fp.read(32)
    sniffed = imaging.sniff(head)
    png = sniffed == ("PNG", "image/png")
    if png and (bomb := imaging.structure_bomb(source, "PNG")):
        raise RenderError(f"the source {bomb}")
    try:
        with warnings.catch_warnings():
            # The pixel limit is ours (max_pixels), checked from the header below. Pillow's
            # other warnings are about damaged metadata (EXIF tags past the end of the file,
            # say), which ingest has already reported; the pixels are what matter here.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            warnings.simplefilter("ignore", UserWarning)
            Image.init()
            formats = [name for name in _FORMATS if name in Image.OPEN]
            with Image.open(source, formats=formats) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise RenderError(
                        f"the source is {width}x{height} ({width * height:,} pixels); "
                        f"the limit is {max_pixels:,}"
                    )
                # Each progressive scan is a pass over the whole image; a baseline JPEG has
                # one, and counting reads the whole file, so only progressive ones are counted.
                jpeg = isinstance(image, JpegImagePlugin.JpegImageFile)  # MPO too
                progressive = jpeg and image.info.get("progressive")
                if progressive and (bomb := imaging.structure_bomb(source, "JPEG")):
                    raise RenderError(f"the source {bomb}")
                # Nothing with missing areas is published, even from an original stored before
                # ingest checked this: the same checks of every pixel's data as at upload.
                if sniffed and (problem := imaging.incomplete_data(source, sniffed[0])):
                    raise RenderError(
                        f"the source image cannot be decoded completely: it {problem}"
                    )
                orientation = _orientation(image)
                turned = orientation in (5, 6, 7, 8)
                full = (height, width) if turned else (width, height)
                plans = [geometry.plan(full, preset, focal) for preset in presets]
                scale = (1.0, 1.0)
                if isinstance(image, JpegImagePlugin.JpegImageFile):  # MPO too
                    want_w, want_h = geometry.draft_size(full, plans)
                    want = (want_h, want_w) if turned else (want_w, want_h)
                    drafted = image.draft(image.mode, want)
                    if drafted is not None:
                        box = drafted[1]
                        scale = (box[2] / width, box[3] / height)
                image.load()
                pixels = imaging.unsigned_samples(image)  # signed TIFF samples: 0 is mid-grey
                if pixels.mode in _LATE_MODES:
                    base: Image.Image = pixels
                    convert = _srgb_function(pixels.mode, pixels.info.get("icc_profile"))
                else:
                    base, convert = to_srgb(pixels), None
    except Image.DecompressionBombError as error:  # Pillow's own cap, also from the header
        raise RenderError(
            f"the source declares too many pixels ({error}); the limit is {max_pixels:,}"
        ) from None
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        raise RenderError(f"the source image cannot be decoded: {error}") from None
    factors = (scale[1], scale[0]) if turned else scale
    return _Decoded(base, convert, orientation, plans, factors)


def _orientation(image: Image.Image) -> int:
    return imaging.exif_orientation(image)  # the same answer as ingest's (TIFF: Pillow turns)


def to_srgb(image: Image.Image) -> Image.Image:
    """A decoded image as 8-bit sRGB "RGB" or "RGBA", through its ICC profile if any.

    An "RGB" image with a profile is converted in place.

    No profile means sRGB. A profile that does not fit the pixels (or does not parse) is
    ignored, as browsers do. CMYK without a profile falls back to Pillow's naive formula.
    """
    icc = image.info.get("icc_profile")
    if image.mode in _SIXTEEN_BIT:  # 16-bit grey: scale to 8 bits (convert() would clip)
        image = image.convert("I").point(lambda value: value * (1 / 257)).convert("L")
    elif image.mode in ("P", "PA"):
        transparent = image.mode == "PA" or "transparency" in image.info
        image = image.convert("RGBA" if transparent else "RGB")
    elif image.mode not in ("L", "LA", "RGB", "RGBA", "CMYK"):
        image = image.convert("RGBA" if "A" in image.mode else "RGB")
    alpha = image.getchannel("A") if image.mode in ("LA", "RGBA") else None
    if alpha is not None:
        image = image.convert(image.mode[:-1])
    convert = _srgb_function(image.mode, icc)
    out = convert(image) if convert else image.copy()
    if alpha is not None:
        out.putalpha(alpha)
    return out


def _srgb_function(mode: str, icc: object) -> Callable[[Image.Image], Image.Image] | None:
    """What turns pixels of this mode and ICC profile into sRGB "RGB"; None if they are.

    The function may convert the image it is given in place and return it.
    """
    if isinstance(icc, bytes) and icc:
        try:
            transform = ImageCms.buildTransform(
                ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                SRGB_PROFILE,
                mode,
                "RGB",
                ImageCms.Intent.RELATIVE_COLORIMETRIC,
                _CMS_FLAGS,
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass
        else:

            def apply(pixels: Image.Image) -> Image.Image:
                if mode == "RGB":  # same layout in and out: no new image to allocate and zero
                    ImageCms.applyTransform(pixels, transform, inPlace=True)
                    return pixels
                out = ImageCms.applyTransform(pixels, transform)
                assert out is not None  # only None when inPlace=True
                return out

            return apply
    return None if mode == "RGB" else _to_rgb


def _to_rgb(image: Image.Image) -> Image.Image:
    return image.convert("RGB")


def _cpus() -> int:
    if hasattr(os, "sched_getaffinity"):  # the CPUs this process may run on (Linux)
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


# ---------------------------------------------------------------- plan the pixel work


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


def _job(preset: Preset, plan: geometry.Plan, decoded: _Decoded) -> _Job:
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
    decoded: _Decoded, batches: Sequence[_Batch], pool: ThreadPoolExecutor, workers: int
) -> dict[int, Future[_Source]]:
    """The image each reduce factor's batches resample from, converted to sRGB where cheapest.

    Batches that reduce by the same whole factor share one ``reduce`` (a box filter) of the
    union of their crops, so each BICUBIC step that follows is short (under 2x). The colour is
    converted once on the decoded image when that has fewer pixels than what would otherwise
    be converted: each shared reduction or, if smaller, the resized batches made from it.
    """
    image, convert = decoded.image, decoded.convert
    groups: dict[int, list[_Batch]] = {}
    for batch in batches:
        groups.setdefault(batch.factor, []).append(batch)
    unions = {factor: _union(group, factor, image.size) for factor, group in groups.items()}

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
        image, convert, srgb = _convert_in_strips(image, convert, pool, workers), None, True

    def reduced(factor: int, image: Image.Image = image) -> _Source:
        box = unions[factor]
        out = image.reduce(factor, box=box)
        if convert is not None and out.width * out.height < outputs(factor):
            return _Source(convert(out), box[:2], factor, True)
        return _Source(out, box[:2], factor, srgb)

    sources: dict[int, Future[_Source]] = {}
    for factor in groups:  # submitted before the jobs, so no job waits on one not started
        if factor == 1:
            sources[1] = Future()
            sources[1].set_result(_Source(image, (0, 0), 1, srgb))
        else:
            sources[factor] = pool.submit(reduced, factor)
    return sources


def _union(batches: Sequence[_Batch], factor: int, size: geometry.Size) -> geometry.Box:
    """The box around the batches' crops, its corner on the ``factor`` grid (so reduce aligns)."""
    left = min(batch.crop[0] for batch in batches) // factor * factor
    top = min(batch.crop[1] for batch in batches) // factor * factor
    right = min(size[0], -(-max(batch.crop[2] for batch in batches) // factor) * factor)
    bottom = min(size[1], -(-max(batch.crop[3] for batch in batches) // factor) * factor)
    return (left, top, right, bottom)


def _convert_in_strips(
    image: Image.Image,
    convert: Callable[[Image.Image], Image.Image],
    pool: ThreadPoolExecutor,
    strips: int,
) -> Image.Image:
    """``convert(image)``, in horizontal strips on the pool's threads; may reuse ``image``."""
    if strips == 1:
        return convert(image)
    step = -(-image.height // strips)
    boxes = [
        (0, top, image.width, min(image.height, top + step)) for top in range(0, image.height, step)
    ]
    pieces = list(pool.map(lambda box: convert(image.crop(box)), boxes))
    # Back into the decoded image when the mode allows: one full-size image fewer in memory.
    out = image if pieces[0].mode == image.mode else Image.new(pieces[0].mode, image.size)
    for box, piece in zip(boxes, pieces, strict=True):
        out.paste(piece, box[:2])
    return out


# ---------------------------------------------------------------- resample, pad, overlay


@dataclass(frozen=True)
class _Finishing:
    """What every output of one call shares once resized: the source's facts, the rights."""

    decoded: _Decoded
    stamp: RightsStamp
    xmp: bytes
    credit_font: Path
    oriented_size: geometry.Size


def _render_batch(batch: _Batch, source: _Source, finishing: _Finishing) -> list[Rendered]:
    resized = _resample(source, batch.crop, batch.size)
    convert = finishing.decoded.convert
    if not source.srgb and convert is not None:
        resized = convert(resized)
    if len(batch.jobs) == 1:
        return [_finish(batch.jobs[0], resized, finishing)]
    # Each job gets its own copy: finishing may draw the credit line into the pixels.
    return [
        _finish(job, resized.crop(cut), finishing)
        for job, cut in zip(batch.jobs, batch.cuts, strict=True)
    ]


def _finish(job: _Job, image: Image.Image, finishing: _Finishing) -> Rendered:
    """Turn, flatten, pad, burn the credit in and encode one job's resized pixels."""
    preset, plan, stamp = job.preset, job.plan, finishing.stamp
    if finishing.decoded.orientation in _TRANSPOSE:
        image = image.transpose(_TRANSPOSE[finishing.decoded.orientation])
    padding = _colour(preset)
    if preset.format == "jpeg" and image.mode == "RGBA":
        flat = Image.new("RGB", image.size, padding)
        flat.paste(image, (0, 0), image)
        image = flat
    if plan.canvas != plan.size or plan.offset != (0, 0):
        canvas = Image.new(image.mode, plan.canvas, padding)
        canvas.paste(image, plan.offset)
        image = canvas
    burned = stamp.burn_in or preset.burn_in_credit
    if burned:
        burn_in_credit(image, stamp.credit_line, stamp.placement, finishing.credit_font)
    exif = exif_block(stamp, orientation=preset.format != "avif")
    data, quality = _encode_within_budget(image, preset, exif, finishing.xmp)
    return Rendered(
        preset.name,
        data,
        image.width,
        image.height,
        preset.media_type,
        quality,
        burned,
        decoded_size=finishing.oriented_size,
    )


def _resample(source: _Source, crop: geometry.Box, size: geometry.Size) -> Image.Image:
    """Crop box (left, top, right, bottom), in decoded pixels, of ``source`` resized to ``size``.

    The source may already be reduced by a whole factor (a box filter, cheap); BICUBIC makes
    the last step, of under 2x. Why not LANCZOS: BICUBIC costs a quarter less, and against
    LANCZOS from the full-size decode it scores 43-47 dB PSNR where LANCZOS scores 43-50 (bench
    sources), both far above the ~35 dB a q85 JPEG encode leaves; once encoded the two are
    within 0.15 dB. The crop need not fall on the reduced pixel grid: the box may be fractional.
    """
    x, y = source.origin
    scale = source.factor
    left, top = (crop[0] - x) / scale, (crop[1] - y) / scale
    right, bottom = (crop[2] - x) / scale, (crop[3] - y) / scale
    if (right - left, bottom - top) == size and left.is_integer() and top.is_integer():
        return source.image.crop((int(left), int(top), int(right), int(bottom)))
    box = (left, top, right, bottom)
    return source.image.resize(size, Image.Resampling.BICUBIC, box=box)


def _colour(preset: Preset) -> tuple[int, ...]:
    try:
        return ImageColor.getrgb(preset.padding)[:3]
    except ValueError:
        raise RenderError(f"preset {preset.name!r}: bad padding {preset.padding!r}") from None


def load_font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    """The TrueType/OpenType font at ``path``; ValueError if it is not one."""
    try:
        return ImageFont.truetype(str(path), size)
    except OSError as error:
        raise ValueError(f"{path} is not a font Pillow can read: {error}") from None


def font_identity(path: Path) -> str:
    """Name and digest of a font file: a variant key changes when the font does, even when the
    file is replaced in place."""
    stat = path.stat()
    return _font_digest(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _font_digest(path: Path, _mtime_ns: int, _size: int) -> str:
    return f"{path.name}:{hashlib.sha256(path.read_bytes()).hexdigest()[:16]}"


def missing_glyphs(font: ImageFont.FreeTypeFont, text: str) -> str:
    """The characters of ``text`` (each once) that ``font`` would draw as its missing-glyph box."""

    def drawn(char: str) -> tuple[tuple[int, int], bytes]:
        mask = font.getmask(char)
        return mask.size, bytes(mask)

    box = drawn(_SURELY_MISSING)
    # Spaces, controls and format characters draw nothing whether the font has them or not;
    # private-use and (to this Python) unassigned characters are checked like any other.
    invisible = ("Zs", "Zl", "Zp", "Cc", "Cf")
    shown = (char for char in dict.fromkeys(text) if unicodedata.category(char) not in invisible)
    return "".join(char for char in shown if drawn(char) == box)


def credit_font_size(width: int, height: int) -> int:
    """Font pixel size for an output: 2.6% of sqrt(w*h), at least MIN_FONT_PX + 2.

    400x400 gets 12 px, 1080x1080 28 px, 1200x630 23 px, 2000x1500 45 px.
    """
    return max(MIN_FONT_PX + 2, round(FONT_SCALE * math.sqrt(width * height)))


def _fit_text(
    text: str, size: int, room: int, font_path: Path
) -> tuple[list[str], ImageFont.FreeTypeFont]:
    """Lines and font for ``text`` within ``room`` px: shrink (to MIN_FONT_PX), then wrap."""
    font = load_font(font_path, size)
    if missing := missing_glyphs(font, text):
        raise RenderError(
            f"the credit font {font_path.name} cannot draw {missing!r} of the credit line; "
            "set VITRINE_CREDIT_FONT to a font that can (such as Noto Sans CJK for Chinese "
            "and Japanese)"
        )
    length = font.getlength(text)
    if length > room:
        font = load_font(font_path, max(MIN_FONT_PX, math.floor(size * room / length * 0.98)))
    lines: list[str] = []
    for word in text.split():
        trial = f"{lines[-1]} {word}" if lines else word
        if lines and font.getlength(trial) <= room:
            lines[-1] = trial
        else:
            lines.append(word)
    if any(font.getlength(line) > room for line in lines):
        raise RenderError(f"the credit line does not fit legibly in {room} px: {text!r}")
    return lines, font


def burn_in_credit(
    image: Image.Image, text: str, placement: str, font_path: Path = DEFAULT_CREDIT_FONT
) -> None:
    """Draw ``text`` in white on a dark box (corner) or full-width band, in place."""
    if not text.strip():
        raise RenderError("the credit line to burn in is empty")
    width, height = image.size
    size = credit_font_size(width, height)
    margin, pad = max(4, round(size * 0.6)), max(3, round(size * 0.4))
    room = width - 2 * pad - (0 if placement == "band" else 2 * margin)
    lines, font = _fit_text(" ".join(text.split()), size, room, font_path)
    block = "\n".join(lines)
    spacing = max(2, round(font.size * 0.25))
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    bbox = probe.multiline_textbbox((0, 0), block, font=font, spacing=spacing)
    left, top, right, bottom = (math.floor(bbox[0]), math.floor(bbox[1]), *map(math.ceil, bbox[2:]))
    box_w = width if placement == "band" else right - left + 2 * pad
    box_h = bottom - top + 2 * pad
    if box_h > height // 3:
        raise RenderError(f"the credit line needs {box_h} px of a {height} px high image")
    x0 = {"band": 0, "bottom-left": margin}.get(placement, width - margin - box_w)
    y0 = height - box_h - (0 if placement == "band" else margin)
    layer = Image.new("RGBA", (box_w, box_h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    if placement == "band":
        draw.rectangle((0, 0, box_w - 1, box_h - 1), fill=(0, 0, 0, BOX_ALPHA))
        text_x = (box_w - (right - left)) // 2
    else:
        draw.rounded_rectangle((0, 0, box_w - 1, box_h - 1), radius=pad, fill=(0, 0, 0, BOX_ALPHA))
        text_x = pad
    align = "center" if placement == "band" else "left"
    draw.multiline_text(
        (text_x - left, pad - top), block, font=font, fill=TEXT_RGBA, spacing=spacing, align=align
    )
    if image.mode == "RGBA":
        image.alpha_composite(layer, (x0, y0))
    else:
        image.paste(layer, (x0, y0), layer)


# ---------------------------------------------------------------- metadata and encoding


def _clean(text: str) -> str:
    """Text without the characters XML 1.0 forbids (and EXIF has no use for): C0 controls,
    lone surrogates, U+FFFE and U+FFFF. Joiners, variation selectors, emoji tags and
    direction marks are allowed in XML and kept, so the metadata reads as the user wrote it."""
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]", "", text).strip()


def exif_block(stamp: RightsStamp, *, orientation: bool = True) -> bytes:
    """EXIF with only the rights and Orientation 1 (pixels are already turned), UTF-8 text.

    ``orientation=False`` leaves the tag out, for AVIF: Pillow moves an Orientation tag into
    the irot/imir boxes and re-encodes the rest of the block as ASCII, turning "©" into "??".
    """
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = 1
    described = f"{stamp.title} ({stamp.object_number})" if stamp.object_number else stamp.title
    for tag, value in ((0x8298, stamp.credit_line), (0x013B, stamp.creator), (0x010E, described)):
        if _clean(value):
            # bytes, not str: Pillow would write "©" as "?" when encoding a str as ASCII.
            exif[tag] = _clean(value).encode("utf-8")
    return exif.tobytes()


def xmp_packet(stamp: RightsStamp) -> bytes:
    """An XMP packet with dc:rights/creator/title, photoshop:Credit, WebStatement and alt text."""

    def alt(tag: str, text: str) -> str:
        li = f'<rdf:li xml:lang="x-default">{escape(_clean(text))}</rdf:li>'
        return f"<{tag}><rdf:Alt>{li}</rdf:Alt></{tag}>" if _clean(text) else ""

    def simple(tag: str, text: str | None) -> str:
        return f"<{tag}>{escape(_clean(text))}</{tag}>" if text and _clean(text) else ""

    creator = _clean(stamp.creator)
    body = "".join(
        (
            alt("dc:rights", stamp.credit_line),
            f"<dc:creator><rdf:Seq><rdf:li>{escape(creator)}</rdf:li></rdf:Seq></dc:creator>"
            if creator
            else "",
            alt("dc:title", stamp.title),
            simple("dc:identifier", stamp.object_number),
            simple("photoshop:Credit", stamp.credit_line),
            simple("xmpRights:WebStatement", stamp.licence_uri),
            alt("Iptc4xmpCore:AltTextAccessibility", stamp.alt_text),
        )
    )
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Vitrine">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about=""'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"'
        ' xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/"'
        ' xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/">'
        f"{body}</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="r"?>'
    )
    return packet.encode("utf-8")


def _encode(image: Image.Image, preset: Preset, quality: int, exif: bytes, xmp: bytes) -> bytes:
    image.info = {}  # Pillow re-saves some info keys (JPEG comment) unless told otherwise
    params: dict[str, Any] = {"quality": quality, "exif": exif, "xmp": xmp, "icc_profile": SRGB_ICC}
    if preset.format == "jpeg":
        params |= {"optimize": True, "progressive": True}
    elif preset.format == "webp":
        params |= {"method": 4}
    with _scratch_file() as file:
        try:
            image.save(file, preset.format.upper(), **params)
        except (OSError, ValueError) as error:  # e.g. XMP over the 64 KB a JPEG segment holds
            raise RenderError(f"preset {preset.name!r}: cannot encode: {error}") from None
        file.seek(0)
        return file.read()


def _scratch_file() -> BinaryIO:
    """An anonymous file to encode into, in memory where the OS allows.

    Not a BytesIO: Pillow's JPEG encoder keeps the GIL while it writes to a Python object and
    releases it only when it writes to a file descriptor, so encodes on threads ran one at a
    time (measured: 0.77x for two threads to BytesIO, 1.5-1.8x to a file).
    """
    if hasattr(os, "memfd_create"):  # Linux
        return os.fdopen(os.memfd_create("vitrine-encode"), "w+b")
    return tempfile.TemporaryFile()


def _encode_within_budget(
    image: Image.Image, preset: Preset, exif: bytes, xmp: bytes
) -> tuple[bytes, int]:
    """(bytes, quality): the highest quality in [min_quality, quality] within max_bytes."""
    data = _encode(image, preset, preset.quality, exif, xmp)
    budget = preset.max_bytes
    if budget is None or len(data) <= budget:
        return data, preset.quality
    low = min(preset.min_quality, preset.quality)
    best = _encode(image, preset, low, exif, xmp)
    if len(best) > budget:
        raise RenderError(
            f"preset {preset.name!r}: {image.width}x{image.height} {preset.format} is "
            f"{len(best):,} bytes at the minimum quality {low}, over the {budget:,}-byte budget"
        )
    high = preset.quality - 1  # ``low`` fits, ``preset.quality`` does not
    while low < high:
        middle = (low + high + 1) // 2
        candidate = _encode(image, preset, middle, exif, xmp)
        if len(candidate) <= budget:
            low, best = middle, candidate
        else:
            high = middle - 1
    return best, low
