"""JPEG decoded strictly by libjpeg-turbo, and the file's metadata segments set aside."""

from __future__ import annotations

import contextlib
import mmap
import re
from collections.abc import Iterator
from pathlib import Path

import simplejpeg
from PIL import Image

# libjpeg warnings that leave every pixel in place: bytes between the last scan and EOI, and an
# Adobe colour-transform code it does not know (it then guesses from the components).
_HARMLESS_JPEG_WARNINGS = (
    re.compile(r"extraneous bytes before marker 0xd9", re.IGNORECASE),
    re.compile(r"unknown Adobe color transform", re.IGNORECASE),
)


def jpeg_problem(path: Path) -> str | None:
    """What libjpeg-turbo, decoding strictly at 1/8 scale, finds wrong with the JPEG, or None.

    Only the segments that make pixels are read (metadata segments may be damaged without
    harm: an ICC profile's chunk numbers, say); any warning that means missing or damaged
    image data is an error. The file is mapped, not read: an upload may be 200 MB.
    """
    with _private_map(path) as data:
        _hide_metadata_segments(data)
        return _jpeg_bytes_problem(data)


def _jpeg_bytes_problem(data: bytes | bytearray | mmap.mmap) -> str | None:
    try:
        height, width, colour, _ = simplejpeg.decode_jpeg_header(data)
        space = {"Gray": "GRAY", "CMYK": "CMYK", "YCCK": "CMYK"}.get(colour, "RGB")
        # The smallest size at least 1/8 of the original: libjpeg's 1/8 DCT scaling.
        simplejpeg.decode_jpeg(
            data, colorspace=space, min_height=max(1, height // 8), min_width=max(1, width // 8)
        )
    except ValueError as error:
        message = str(error)
        if any(pattern.search(message) for pattern in _HARMLESS_JPEG_WARNINGS):
            return None
        return f"has damaged or missing image data (libjpeg: {message.rstrip('.')})"
    return None


def _jpeg_opens_without_exif(path: Path) -> bool:
    """Whether Pillow opens the JPEG once its APP1 EXIF segments are turned into comments."""
    with _private_map(path) as data:
        at, changed = 2, False
        while at + 10 <= len(data) and data[at] == 0xFF and data[at + 1] not in (0xDA, 0xD9):
            length = int.from_bytes(data[at + 2 : at + 4], "big")
            if data[at + 1] == 0xE1 and data[at + 4 : at + 10] == b"Exif\0\0":
                data[at + 1], changed = _COMMENT, True
            at += 2 + length
        if not changed:
            return False
        try:
            with Image.open(data, formats=["JPEG"]):  # type: ignore[arg-type]
                return True
        except (OSError, SyntaxError, ValueError):
            return False


@contextlib.contextmanager
def _private_map(path: Path) -> Iterator[mmap.mmap]:
    """The file mapped copy-on-write: changes stay in this process, and only the pages
    changed (a few KB of headers) take memory of their own."""
    with path.open("rb") as fp:
        size = path.stat().st_size
        # mmap refuses an empty file: map one anonymous zero byte instead, which is no JPEG.
        fileno, access = (fp.fileno(), mmap.ACCESS_COPY) if size else (-1, mmap.ACCESS_WRITE)
        with mmap.mmap(fileno, size or 1, access=access) as data:
            yield data


# Markers whose segments decoding needs: quantisation and Huffman tables, frame headers,
# restart interval, arithmetic conditioning, and Adobe's APP14 (its colour transform).
_JPEG_PIXEL_MARKERS = {0xDB, 0xC4, 0xDD, 0xCC, 0xEE} | (set(range(0xC0, 0xD0)) - {0xC4, 0xC8})
_COMMENT = 0xFE  # COM: libjpeg skips a comment by its length without reading it


def _hide_metadata_segments(data: bytearray | mmap.mmap) -> None:
    """Turn the metadata segments before the first scan (APPn but Adobe's) into comments."""
    at = 2
    while at + 4 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0xDA or marker in (0xD8, 0xD9):
            break
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        if length < 2:
            break
        if marker not in _JPEG_PIXEL_MARKERS:
            data[at + 1] = _COMMENT
        at += 2 + length
