"""The WebP and GIF files of the corpus: truncated, corrupt, bombs and animations."""

from __future__ import annotations

import struct
from collections.abc import Sequence

from PIL import Image

from tests.hostile.blocks import cut, garbage, pic, save
from tests.hostile.payloads import zip_archive
from tests.support import photos

# ---------------------------------------------------------------- RIFF chunks


def riff(chunks: Sequence[tuple[bytes, bytes]], *, size: int | None = None) -> bytes:
    """A RIFF WebP of these chunks; ``size`` overrides the RIFF size."""
    body = b"WEBP" + b"".join(
        kind + struct.pack("<I", len(payload)) + payload + b"\0" * (len(payload) % 2)
        for kind, payload in chunks
    )
    return b"RIFF" + struct.pack("<I", len(body) if size is None else size) + body


def webp_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """The chunks of a RIFF WebP file."""
    chunks, at = [], 12
    while at + 8 <= len(data):
        kind, (length,) = data[at : at + 4], struct.unpack("<I", data[at + 4 : at + 8])
        chunks.append((kind, data[at + 8 : at + 8 + length]))
        at += 8 + length + length % 2
    return chunks


def vp8x(flags: int, width: int, height: int) -> tuple[bytes, bytes]:
    """A VP8X chunk with these flags and canvas size."""
    return b"VP8X", bytes([flags, 0, 0, 0]) + (width - 1).to_bytes(3, "little") + (
        height - 1
    ).to_bytes(3, "little")


# ---------------------------------------------------------------- WebP files


def webp_truncated() -> bytes:
    """A WebP cut in half."""
    return cut(save(pic(90, 64), "WEBP", quality=80), 0.5)


def webp_riff_size_lies() -> bytes:
    """A WebP whose RIFF size says 2 GB on a 4 KB file."""
    data = save(pic(91, 64), "WEBP", quality=80)
    return data[:4] + struct.pack("<I", 0x7FFFFFF0) + data[8:]


def webp_canvas_bomb() -> bytes:
    """An animation of two 8 x 8 frames on a VP8X canvas of 16384 x 16384 (268 Mpx)."""
    frames = [Image.new("RGB", (8, 8), colour) for colour in ("red", "blue")]
    data = save(frames[0], "WEBP", save_all=True, append_images=frames[1:], lossless=True)
    chunks = webp_chunks(data)
    assert chunks[0][0] == b"VP8X"
    return riff([vp8x(chunks[0][1][0], 16384, 16384), *chunks[1:]])


def webp_lossless_header_bomb() -> bytes:
    """A VP8L header declaring 16384 x 16384, with a few bytes of bitstream."""
    bits = (16384 - 1) | ((16384 - 1) << 14)
    header = b"\x2f" + struct.pack("<I", bits)
    return riff([(b"VP8L", header + b"\0" * 11)])


def webp_many_frames() -> bytes:
    """An animated WebP of 3000 lossless frames of 8x8."""
    frames = [Image.new("RGB", (8, 8), (i % 256, i // 256 % 256, 9)) for i in range(3000)]
    return save(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=20,
                lossless=True)  # fmt: skip


def webp_garbage_chunks() -> bytes:
    """Garbage EXIF and ICCP chunks (VP8X flags announce both)."""
    chunks = webp_chunks(save(pic(93, 64), "WEBP", quality=80))
    return riff([vp8x(0x28, 93, 64), (b"ICCP", garbage(700, 5)), *chunks,
                 (b"EXIF", b"II*\0" + garbage(300, 6))])  # fmt: skip


def webp_xmp_xxe() -> bytes:
    """A WebP whose XMP chunk has an external entity."""
    return save(pic(94, 64), "WEBP", quality=80, xmp=photos.XMP_EXTERNAL_ENTITY)


# ---------------------------------------------------------------- GIF files


def gif(width: int, height: int) -> bytes:
    """The picture as a palette GIF by Pillow."""
    return save(pic(width, height).convert("P"), "GIF")


def gif_truncated() -> bytes:
    """A GIF cut in half."""
    return cut(gif(90, 64), 0.5)


def gif_declared_bomb() -> bytes:
    """Logical screen and one frame of 65535 x 65535, two bytes of LZW data."""
    screen = b"GIF89a" + struct.pack("<HHBBB", 65535, 65535, 0x80, 0, 0) + b"\0\0\0\xff\xff\xff"
    frame = b"\x2c" + struct.pack("<HHHHB", 0, 0, 65535, 65535, 0) + b"\x02\x02\x44\x01\x00"
    return screen + frame + b"\x3b"


def gif_frame_outside_screen() -> bytes:
    """A 10 x 10 screen whose first frame sits at (60000, 60000) and is 5000 x 5000."""
    screen = b"GIF89a" + struct.pack("<HHBBB", 10, 10, 0x80, 0, 0) + b"\0\0\0\xff\xff\xff"
    frame = b"\x2c" + struct.pack("<HHHHB", 60000, 60000, 5000, 5000, 0) + b"\x02\x02\x44\x01\x00"
    return screen + frame + b"\x3b"


def gif_lzw_garbage() -> bytes:
    """A GIF with random bytes over its LZW data."""
    data = bytearray(gif(91, 64))
    at = data.index(b"\x2c") + 10 + 1 + 1  # descriptor, LZW code size, first sub-block length
    data[at : at + 200] = garbage(200, 7)
    return bytes(data)


def gif_many_frames() -> bytes:
    """A GIF of 5000 frames of 8x8."""
    frames = [Image.new("P", (8, 8), i % 256) for i in range(5000)]
    for index, frame in enumerate(frames):
        frame.putpixel((index % 8, index // 8 % 8), (index + 1) % 256)
    return save(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=20)


def gif_polyglot_zip() -> bytes:
    """A GIF with a ZIP after the trailer (GIFAR)."""
    return gif(92, 64) + zip_archive()


# ---------------------------------------------------------------- issue 11: incomplete data


def webp_vp8_short() -> bytes:
    """A lossy WebP whose VP8 data is cut by a third, the RIFF and chunk sizes made to agree."""
    chunks = webp_chunks(save(pic(95, 64), "WEBP", quality=80))
    kind, payload = chunks[-1]
    return riff([*chunks[:-1], (kind, payload[: len(payload) * 2 // 3])])


def gif_later_frame_cut() -> bytes:
    """A three-frame GIF whose last frame's LZW data is cut, a block end and trailer added."""
    frames = [pic(50, 40).rotate(i * 90).convert("P") for i in range(3)]
    data = save(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    last = data.rindex(b"\x2c")
    return data[: last + (len(data) - last) // 2] + b"\x00\x3b"
