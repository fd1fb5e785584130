"""EXIF orientation: what is still to apply to the pixels, and the size it shows at."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PIL import Image, TiffImagePlugin

from service.media.imaging.png import png_exif

# Orientations 5-8 turn the picture a quarter: displayed width and height swap.
_QUARTER_TURNS = {5, 6, 7, 8}


def displayed_size(width: int, height: int, orientation: int) -> tuple[int, int]:
    """Width and height as a viewer shows them once EXIF orientation is applied."""
    return (height, width) if orientation in _QUARTER_TURNS else (width, height)


def exif_orientation(image: Image.Image) -> int:
    """The EXIF orientation (1-8) still to apply to the pixels ``image.load()`` gives.

    One answer for identify (displayed size) and render (the turn): read from the EXIF block
    wherever the format keeps it (JPEG APP1, PNG eXIf or a "Raw profile type exif" text chunk,
    WebP EXIF, AVIF irot/imir as Pillow reports them), else XMP's tiff:Orientation, else 1.
    A TIFF is 1: Pillow already turns its pixels on load and reports the turned size.
    Never decodes pixels (Pillow's PNG getexif() would), and a broken EXIF block means 1.
    """
    if isinstance(image, TiffImagePlugin.TiffImageFile):
        return 1
    try:
        if image.format == "PNG" and "exif" not in image.info:
            exif = Image.Exif()
            filename = getattr(image, "filename", "")
            block = png_exif(Path(filename)) if filename else None
            if block:
                exif.load(block)
            value: Any = exif.get(0x0112) or _xmp_orientation(image.info)
        else:
            value = image.getexif().get(0x0112)
    except Exception:  # hostile EXIF may raise anything; the pixels are not at stake here
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _xmp_orientation(info: Mapping[Any, Any]) -> int | None:
    packet = info.get("XML:com.adobe.xmp") or info.get("xmp") or ""
    text = packet.decode("utf-8", "replace") if isinstance(packet, bytes) else str(packet)
    match = re.search(r'tiff:Orientation(?:="|>)([1-8])\b', text)
    return int(match[1]) if match else None
