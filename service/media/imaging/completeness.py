"""Whether every pixel a file declares is there: the checks Pillow's own decode does not make."""

from __future__ import annotations

from pathlib import Path

from service.media.imaging.animation import animation_problem
from service.media.imaging.jpeg import jpeg_problem
from service.media.imaging.png import png_problem
from service.media.imaging.tiff import tiff_problem


def incomplete_data(path: Path, pillow_format: str) -> str | None:
    """What stops the file decoding completely, or None if every pixel it declares is there.

    The checks Pillow's own decode does not make, read straight from the file:

    - PNG: every chunk's CRC (Pillow skips the image data's and those after it), the zlib
      stream of every frame inflated to the exact size of its rows (Pillow fills short rows
      with black), valid filter bytes, IEND, and for APNG the frame control: acTL's frame
      count, each fcTL, the sequence numbers of fcTL and fdAT. Never more than a zlib window
      in memory, whatever the image's size.
    - JPEG: a strict decode at 1/8 scale by libjpeg-turbo (simplejpeg), where any warning
      that means missing or damaged data is an error; Pillow's libjpeg pads them silently.
    - TIFF: the first page's strips or tiles lie within the file; JPEG-compressed ones are
      decoded strictly as above (libtiff pads those too).
    - GIF, WebP, AVIF: the frames after the first are decoded (up to ANIMATION_CHECK_PIXELS);
      a GIF's data blocks are walked to their end.

    The first frame's decode by Pillow is the caller's (identify and render both do it).
    """
    checks = {
        "PNG": png_problem,
        "JPEG": jpeg_problem,
        "TIFF": tiff_problem,
        "GIF": animation_problem,
        "WEBP": animation_problem,
        "AVIF": animation_problem,
    }
    check = checks.get(pillow_format)
    return check(path) if check else None
