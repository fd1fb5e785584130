"""Building blocks shared by every family: the picture, saving, integers, TIFF field types."""

from __future__ import annotations

import io
import random
import struct
import zlib
from collections.abc import Callable, Sequence

from PIL import Image

from tests.support import photos

BM = "© Trustees of the British Museum"


def pic(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """The test picture (tests.support.photos.picture) at this size, in ``mode``."""
    return photos.picture(width, height, "RGB" if mode not in ("RGB", "RGBA") else mode).convert(
        mode
    )


def shows(width: int, height: int, mode: str = "RGB", turn: Image.Transpose | None = None
          ) -> Callable[[], Image.Image]:  # fmt: skip
    """What a file made from ``pic(width, height, mode)`` shows: that picture, maybe turned."""

    def picture() -> Image.Image:
        image = pic(width, height, mode).convert("RGB")
        return image if turn is None else image.transpose(turn)

    return picture


def save(image: Image.Image, fmt: str, **params: object) -> bytes:
    """The image encoded by Pillow as ``fmt`` with these save parameters."""
    buf = io.BytesIO()
    image.save(buf, fmt, **params)
    return buf.getvalue()


def ifd(entries: Sequence[tuple[int, int, int, bytes]], next_ifd: int) -> bytes:
    """A little-endian IFD: (tag, type, count, 4 value bytes) entries, then the next pointer."""
    body = b"".join(
        struct.pack("<HHI", tag, typ, count) + value.ljust(4, b"\0")[:4]
        for tag, typ, count, value in entries
    )
    return struct.pack("<H", len(entries)) + body + struct.pack("<I", next_ifd)


def u32(value: int) -> bytes:
    """A little-endian unsigned 32-bit integer."""
    return struct.pack("<I", value)


def u16(value: int) -> bytes:
    """A little-endian unsigned 16-bit integer."""
    return struct.pack("<H", value)


BYTE, ASCII, SHORT, LONG, RATIONAL, UNDEFINED = 1, 2, 3, 4, 5, 7


def deflated_zeros(total: int, chunk: int = 1 << 20) -> bytes:
    """``total`` zero bytes deflated at level 9, fed ``chunk`` bytes at a time."""
    compressor = zlib.compressobj(9)
    zeros = b"\0" * chunk
    parts = [
        compressor.compress(zeros[: min(chunk, total - done)]) for done in range(0, total, chunk)
    ]
    return b"".join(parts) + compressor.flush()


def garbage(size: int, seed: int) -> bytes:
    """``size`` random bytes, the same for the same ``seed``."""
    return random.Random(seed).randbytes(size)


def cut(data: bytes, keep: float) -> bytes:
    """The first ``keep`` fraction of ``data``."""
    return data[: int(len(data) * keep)]


# How a file with EXIF orientation n shows: the stored picture turned so.
TURNS = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
         4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
         6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
         8: Image.Transpose.ROTATE_90}  # fmt: skip
