"""Pillow at the edge: social variants that carry their rights.

One call (variants.render_variants) decodes the source once (decoding), at the smallest JPEG DCT
scale that still serves every preset, then, on threads (Pillow releases the GIL to resample,
convert colour and encode), crops, reduces by a whole factor (a box filter shared by the presets
that reduce alike) and resamples the rest of the way with BICUBIC (plan, draw), converts the
colour to sRGB with littleCMS (colour), applies EXIF orientation, pads, optionally burns the
credit line in (overlay), and encodes (encode) with fresh metadata (stamp): the sRGB profile,
EXIF Copyright/Artist/ImageDescription and an XMP rights packet. Nothing of the source's
metadata is copied.

Memory: the one full-size image a render holds is the decode itself (decoded_bytes, checked
against Limits.max_decoded_bytes from the header). Whatever must be converted before it is
resampled is converted and reduced or resampled a strip at a time (strips), never copied whole;
the rest is the size of the outputs. The working copy (working) is a reduced upright decode.

This package re-exports what callers use, so ``from service.media import render`` and
``render.decode(...)`` read as they did when it was one module.
"""

from service.media.render.colour import SRGB_ICC, SRGB_PROFILE, to_srgb
from service.media.render.decoding import _TRANSPOSE, Decoded, Limits, decode, decoded_bytes
from service.media.render.encode import Rendered, _encode, _encode_within_budget, scratch_file
from service.media.render.errors import RenderError
from service.media.render.overlay import (
    BOX_ALPHA,
    DEFAULT_CREDIT_FONT,
    FONT_SCALE,
    MIN_FONT_PX,
    TEXT_RGBA,
    burn_in_credit,
    credit_font_size,
    font_identity,
    load_font,
    missing_glyphs,
)
from service.media.render.stamp import RightsStamp, burns_in, exif_block, xmp_packet
from service.media.render.strips import cpus
from service.media.render.variants import checked, presets_need, render_decoded, render_variants
from service.media.render.working import (
    working_factor,
    working_image,
    working_reduction,
    working_size,
)

__all__ = [
    "BOX_ALPHA",
    "DEFAULT_CREDIT_FONT",
    "FONT_SCALE",
    "MIN_FONT_PX",
    "SRGB_ICC",
    "SRGB_PROFILE",
    "TEXT_RGBA",
    "_TRANSPOSE",
    "Decoded",
    "Limits",
    "RenderError",
    "Rendered",
    "RightsStamp",
    "_encode",
    "_encode_within_budget",
    "burn_in_credit",
    "burns_in",
    "checked",
    "cpus",
    "credit_font_size",
    "decode",
    "decoded_bytes",
    "exif_block",
    "font_identity",
    "load_font",
    "missing_glyphs",
    "presets_need",
    "render_decoded",
    "render_variants",
    "scratch_file",
    "to_srgb",
    "working_factor",
    "working_image",
    "working_reduction",
    "working_size",
    "xmp_packet",
]
