"""TIFF: the first page's compression, whether Pillow can decode it, and its strips' extent."""

from __future__ import annotations

import functools
import io
import struct
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, TiffImagePlugin

from service.media.imaging.jpeg import _jpeg_bytes_problem

# Compression names (TIFF 6.0, libtiff's tiff.h, the DNG and Adobe registrations).
TIFF_COMPRESSIONS = {
    1: "no compression", 2: "CCITT modified Huffman RLE", 3: "CCITT Group 3 fax",
    4: "CCITT Group 4 fax", 5: "LZW", 6: "old-style JPEG", 7: "JPEG", 8: "Deflate",
    9: "JBIG (ITU-T T.85)", 10: "JBIG2 (ITU-T T.43)", 32766: "NeXT 2-bit RLE",
    32771: "CCITT RLE (word-aligned)", 32773: "PackBits", 32809: "ThunderScan RLE",
    32895: "IT8 CT padding", 32896: "IT8 linework RLE", 32897: "IT8 monochrome picture",
    32898: "IT8 binary line art", 32908: "Pixar film", 32909: "Pixar log",
    32946: "Deflate", 32947: "Kodak DCS", 34661: "JBIG", 34676: "SGI LogLuv",
    34677: "SGI LogLuv 24-bit", 34712: "JPEG 2000", 34713: "Nikon NEF", 34715: "JBIG2",
    34887: "LERC", 34892: "lossy JPEG (DNG)", 34925: "LZMA", 34926: "Zstandard",
    34927: "WebP", 50000: "Zstandard", 50001: "WebP", 50002: "JPEG XL", 52546: "JPEG XL",
}  # fmt: skip
# What Pillow can write, so that this installation's decoder can be tried on a sample:
# compression -> (Pillow's name, mode of the sample). The others Pillow knows are tried on the
# file itself; those it does not know it cannot read.
_TIFF_SAMPLES = {
    3: ("group3", "1"), 4: ("group4", "1"), 5: ("tiff_lzw", "L"), 7: ("jpeg", "L"),
    8: ("tiff_adobe_deflate", "L"), 32946: ("tiff_adobe_deflate", "L"), 32773: ("packbits", "L"),
    34925: ("lzma", "L"), 50000: ("zstd", "L"), 50001: ("webp", "RGB"),
}  # fmt: skip
# Pillow has no mode for SGI LogLuv's pixels (CIE Log L and uv).
_PILLOW_CANNOT = {34676, 34677}


@dataclass(frozen=True)
class TiffPage:
    """The tags of a TIFF's first page that say where its pixels are and how they are coded."""

    compression: int
    offsets: tuple[int, ...]  # of strips or tiles
    byte_counts: tuple[int, ...]
    jpeg_tables: bytes


_TIFF_TYPES = {1: ("B", 1), 3: ("H", 2), 4: ("I", 4), 7: ("B", 1), 16: ("Q", 8)}
_TIFF_MAX_ENTRIES = 4096
_TIFF_MAX_VALUES = 1 << 22


def tiff_first_page(path: Path) -> TiffPage | None:
    """The first page's compression and pixel data, read from the IFD; None if it cannot be."""
    try:
        with path.open("rb") as fp:
            head = fp.read(8)
            order = {b"II*\0": "<", b"MM\0*": ">"}.get(head[:4])
            if order is None:
                return None
            (at,) = struct.unpack(order + "I", head[4:8])
            fp.seek(at)
            (count,) = struct.unpack(order + "H", fp.read(2))
            if count > _TIFF_MAX_ENTRIES:
                return None
            entries = fp.read(12 * count)
            tags: dict[int, tuple[int, ...] | bytes] = {}
            for index in range(len(entries) // 12):
                tag, kind, number, raw = struct.unpack(
                    order + "HHI4s", entries[12 * index : 12 * index + 12]
                )
                if tag not in (259, 273, 279, 324, 325, 347) or kind not in _TIFF_TYPES:
                    continue
                code, size = _TIFF_TYPES[kind]
                if number > _TIFF_MAX_VALUES:
                    return None
                if number * size <= 4:
                    value = raw[: number * size]
                else:
                    fp.seek(struct.unpack(order + "I", raw)[0])
                    value = fp.read(number * size)
                    if len(value) < number * size:
                        return None
                tags[tag] = value if tag == 347 else struct.unpack(f"{order}{number}{code}", value)
    except (OSError, struct.error):
        return None
    compression = tags.get(259, (1,))
    offsets, counts = tags.get(273) or tags.get(324), tags.get(279) or tags.get(325)
    tables = tags.get(347, b"")
    if not isinstance(compression, tuple) or not compression:
        return None
    return TiffPage(
        compression[0],
        offsets if isinstance(offsets, tuple) else (),
        counts if isinstance(counts, tuple) else (),
        tables if isinstance(tables, bytes) else b"",
    )


def unreadable_tiff_compression(path: Path) -> str | None:
    """'TIFF images compressed with <name> (compression <n>)' if this installation has no
    decoder for the first page's compression, else None."""
    page = tiff_first_page(path)
    if page is None or tiff_compression_readable(page.compression):
        return None
    name = TIFF_COMPRESSIONS.get(page.compression, "an unregistered scheme")
    return f"TIFF images compressed with {name} (compression {page.compression})"


@functools.cache
def tiff_compression_readable(compression: int) -> bool:
    """Whether Pillow, with the libtiff it was built with, decodes this TIFF compression.

    Tried once per process on a tiny sample written with it, where Pillow can write one
    (libtiff lacks the codecs it was built without: WebP, say); a compression Pillow does not
    know at all cannot be read.
    """
    if compression not in TiffImagePlugin.COMPRESSION_INFO or compression in _PILLOW_CANNOT:
        return False
    if compression not in _TIFF_SAMPLES:
        return True
    name, mode = _TIFF_SAMPLES[compression]
    sample = Image.new(mode, (16, 16), 1)
    buffer = io.BytesIO()
    try:
        sample.save(buffer, "TIFF", compression=name)
        buffer.seek(0)
        with Image.open(buffer, formats=["TIFF"]) as image:
            image.load()
    except Exception:  # any failure of a codec on its own sample means it is not there
        return False
    return True


def tiff_problem(path: Path) -> str | None:
    """Strips or tiles of the first page that lie outside the file, or a JPEG-compressed one
    whose data is incomplete; None if none."""
    page = tiff_first_page(path)
    if page is None:
        return None
    size = path.stat().st_size
    if len(page.offsets) != len(page.byte_counts):
        return (
            f"has {len(page.offsets):,} strip or tile offsets but "
            f"{len(page.byte_counts):,} byte counts"
        )
    for index, (offset, count) in enumerate(zip(page.offsets, page.byte_counts, strict=True)):
        if offset + count > size:
            return f"has strip or tile {index + 1} running past the end of the file"
    if page.compression != 7:
        return None
    tables = page.jpeg_tables.removesuffix(b"\xff\xd9") if page.jpeg_tables else b""
    with path.open("rb") as fp:
        for index, (offset, count) in enumerate(zip(page.offsets, page.byte_counts, strict=True)):
            fp.seek(offset)
            strip = fp.read(count)
            stream = tables + strip.removeprefix(b"\xff\xd8") if tables else strip
            if problem := _jpeg_bytes_problem(stream):
                return f"{problem} in strip or tile {index + 1}"
    return None
