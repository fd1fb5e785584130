"""The other files of the corpus: not images, AVIF, and EXIF orientation in every format."""

from __future__ import annotations

import struct
from collections.abc import Callable

from PIL import TiffImagePlugin

from tests.hostile.blocks import cut, pic, save
from tests.support import photos


def avif_truncated() -> bytes:
    """tests.support.photos.avif cut in half."""
    return cut(photos.avif(64, 48), 0.5)


SVG_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.domain)</script></svg>"
)
EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n(/etc/passwd) (r) file\nshowpage\n"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n"
PSD = b"8BPS\0\x01" + b"\0" * 6 + struct.pack(">HIIHH", 3, 64, 64, 8, 3) + b"\0" * 64


def bmp() -> bytes:
    """A BMP by Pillow (readable, not accepted)."""
    return save(pic(64, 48), "BMP")


def jpeg2000() -> bytes:
    """A JPEG 2000 by Pillow (readable, not accepted)."""
    return save(pic(64, 48), "JPEG2000")


# ---------------------------------------------------------------- issue 11: orientation, EXIF


def oriented(fmt: str, orientation: int, width: int, height: int = 40) -> Callable[[], bytes]:
    """The picture stored as it came off the sensor, with EXIF saying how to turn it."""

    def build() -> bytes:
        exif = photos.make_exif(orientation=orientation, gps=None)
        params: dict[str, object] = {"exif": exif}
        if fmt == "TIFF":
            info = TiffImagePlugin.ImageFileDirectory_v2()
            info[274] = orientation
            params = {"tiffinfo": info, "compression": "tiff_lzw"}
        elif fmt == "AVIF":
            params |= {"quality": 70, "speed": 10}
        elif fmt in ("JPEG", "WEBP"):
            params |= {"quality": 90}
        return save(pic(width, height), fmt, **params)

    return build
