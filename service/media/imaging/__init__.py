"""Pillow at the edge: what an uploaded file really is, decided from its bytes.

A file is accepted only if every pixel of it decodes: Pillow forgives a lot (it skips the CRC of
PNG image data, fills a PNG whose rows run short, lets libjpeg pad a JPEG whose scan ends early
with grey), so each format gets a check of its own besides Pillow's decode
(:func:`incomplete_data`). Render calls the same checks, so an original stored before they
existed cannot be published with missing areas either.

probe identifies an upload; bombs refuses files that cost far more to open than their size
says; completeness dispatches to the per-format checks (png, jpeg, tiff, animation); samples
and orientation say what the pixels still need. This package re-exports what callers use, so
``imaging.identify(...)`` reads as it did when it was one module.
"""

from service.media.imaging.animation import ANIMATION_CHECK_PIXELS, animation_problem, gif_problem
from service.media.imaging.bombs import (
    MAX_JPEG_SCANS,
    MAX_SMALL_PNG_CHUNKS,
    SMALL_PNG_CHUNK,
    jpeg_scans,
    small_png_chunks,
    structure_bomb,
)
from service.media.imaging.completeness import incomplete_data
from service.media.imaging.jpeg import jpeg_problem
from service.media.imaging.orientation import displayed_size, exif_orientation
from service.media.imaging.png import PNG_SIGNATURE, PNG_SLACK_BYTES, png_exif, png_problem
from service.media.imaging.probe import (
    PILLOW_CHECK_PIXELS,
    ImageInfo,
    identify,
    readable_by_pillow,
    sniff,
)
from service.media.imaging.samples import (
    sample_format,
    unrenderable_samples,
    unsigned_mapping,
    unsigned_samples,
)
from service.media.imaging.tiff import (
    TIFF_COMPRESSIONS,
    TiffPage,
    tiff_compression_readable,
    tiff_first_page,
    tiff_problem,
    unreadable_tiff_compression,
)

__all__ = [
    "ANIMATION_CHECK_PIXELS",
    "MAX_JPEG_SCANS",
    "MAX_SMALL_PNG_CHUNKS",
    "PILLOW_CHECK_PIXELS",
    "PNG_SIGNATURE",
    "PNG_SLACK_BYTES",
    "SMALL_PNG_CHUNK",
    "TIFF_COMPRESSIONS",
    "ImageInfo",
    "TiffPage",
    "animation_problem",
    "displayed_size",
    "exif_orientation",
    "gif_problem",
    "identify",
    "incomplete_data",
    "jpeg_problem",
    "jpeg_scans",
    "png_exif",
    "png_problem",
    "readable_by_pillow",
    "sample_format",
    "small_png_chunks",
    "sniff",
    "structure_bomb",
    "tiff_compression_readable",
    "tiff_first_page",
    "tiff_problem",
    "unreadable_tiff_compression",
    "unrenderable_samples",
    "unsigned_mapping",
    "unsigned_samples",
]
