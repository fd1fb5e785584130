"""Interim: the blocks Pillow finds (replaced by the containers branch)."""

from __future__ import annotations

import pathlib
import warnings
from dataclasses import dataclass, field

from PIL import Image

from service.media.metadata.text import Warn

PILLOW_FORMATS = ("JPEG", "PNG", "TIFF", "WEBP", "GIF", "AVIF", "HEIF")


@dataclass
class Blocks:
    """The metadata blocks a file carries, undecoded, found without decoding pixels."""

    exif: bytes | None = None
    iim: bytes | None = None
    iim_digest: bytes | None = None
    xmp: bytes | None = None
    xmp_extended: bytes | None = None
    png_text: dict[str, str] = field(default_factory=dict)
    icc: bytes | None = None
    size: tuple[int, int] | None = None


def read_blocks(path: pathlib.Path, warn: Warn) -> Blocks:
    blocks = Blocks()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            Image.init()
            formats = [name for name in PILLOW_FORMATS if name in Image.OPEN]
            with Image.open(path, formats=formats) as im:
                blocks.size = im.size
                exif = im.info.get("exif")
                blocks.exif = exif if isinstance(exif, bytes) else None
                xmp = im.info.get("xmp") or im.info.get("XML:com.adobe.xmp")
                if isinstance(xmp, str | bytes):
                    blocks.xmp = xmp.encode("utf-8") if isinstance(xmp, str) else xmp
                icc = im.info.get("icc_profile")
                blocks.icc = icc if isinstance(icc, bytes) and icc else None
                photoshop = im.info.get("photoshop") or {}
                blocks.iim = photoshop.get(0x0404)
                blocks.iim_digest = photoshop.get(0x0425)
                if blocks.iim is None and hasattr(im, "tag_v2"):
                    data = im.tag_v2.get(33723)
                    blocks.iim = (
                        data
                        if isinstance(data, bytes)
                        else (bytes(data) if isinstance(data, tuple) else None)
                    )
        except Image.DecompressionBombError as exc:
            warn(f"image: not opened, too many pixels ({exc}); only EXIF was read")
        except (OSError, SyntaxError, ValueError) as exc:
            warn(f"image: Pillow could not open the file ({exc}); only EXIF was read")
    for caught_warning in caught:
        warn(f"image: {caught_warning.message}")
    from service.media import imaging

    with path.open("rb") as fp:
        if fp.read(8) == imaging.PNG_SIGNATURE:
            blocks.exif = imaging.png_exif(path) or blocks.exif
    return blocks
