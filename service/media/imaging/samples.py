"""Sample formats: which a photograph may have, and signed samples mapped to unsigned."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PIL import Image


def unrenderable_samples(image: Image.Image) -> str | None:
    """'<sample format> samples' for pixels a photograph never has, else None.

    32-bit integer and floating-point samples are scientific data whose range no picture
    has, which variants could only clip to black or white. Signed 8- and 16-bit TIFF samples
    are rendered (:func:`unsigned_samples`).
    """
    if image.mode not in ("I", "F"):
        return None
    kind = sample_format(image)
    return None if kind == "signed 16-bit integer" else f"{kind} samples (mode {image.mode})"


def sample_format(image: Image.Image) -> str:
    """The image's samples as a person would name them: "signed 16-bit integer", say."""
    bits, number_format = _tiff_sample_tags(image)
    if number_format == 3 or image.mode == "F":
        return f"{bits or 32}-bit floating-point"
    signed = "signed" if number_format == 2 else "unsigned"
    return f"{signed} {bits or (32 if image.mode == 'I' else 8)}-bit integer"


def _tiff_sample_tags(image: Image.Image) -> tuple[int | None, int]:
    tags = getattr(image, "tag_v2", None)
    if tags is None:
        return None, 1
    bits, number_format = _first(tags.get(258)), _first(tags.get(339, 1))
    return (bits if isinstance(bits, int) else None), (
        number_format if isinstance(number_format, int) else 1
    )


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, tuple) and value else value


def unsigned_samples(image: Image.Image) -> Image.Image:
    """A decoded image whose samples are signed (TIFF SampleFormat 2) as unsigned 8-bit "L".

    -32768..32767 (16-bit, Pillow mode "I") and -128..127 (8-bit, which Pillow decodes as if
    unsigned, "L") map linearly onto 0..255: zero is mid-grey. Any other image is returned
    as it is. Call it on the loaded image before converting colour (render.to_srgb reads
    mode "I" as unsigned 16-bit).
    """
    mapping = unsigned_mapping(image)
    return mapping(image) if mapping is not None else image


def unsigned_mapping(image: Image.Image) -> Callable[[Image.Image], Image.Image] | None:
    """What unsigned_samples does to a loaded image, as a function of any piece of it (render
    converts a large image strip by strip); None when its samples are not signed."""
    bits, number_format = _tiff_sample_tags(image)
    if number_format != 2:
        return None
    if image.mode == "I" and bits == 16:
        return lambda piece: piece.point(lambda value: value * (1 / 257) + 32768 / 257).convert("L")
    if image.mode == "L" and bits == 8:
        return lambda piece: piece.point(lambda value: value ^ 0x80)
    return None
