"""Where a file's header pieces lie: JPEG marker segments, PNG chunks, TIFF IFD0 values.

Each walker reads only markers, chunk headers and directory entries, says where each piece's
data is, and leaves reading it to the caller, so an image's pixel data is skipped, never read.
Walks are bounded (pieces counted, lengths checked against the file's size); damage ends the
walk with a warning, and what was found before it stands.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

# A JPEG's header has a few dozen segments; Extended XMP of 4 MB takes 65, an ICC profile at
# most 255. More than this is not a photograph's header.
MAX_JPEG_SEGMENTS = 2048
# Fill bytes (FF) allowed before one marker.
MAX_JPEG_FILL = 256
# PNG chunks walked (headers only: the data of the image chunks is skipped, not read).
MAX_PNG_CHUNKS = 100_000
_PNG_MAX_LENGTH = (1 << 31) - 1
MAX_TIFF_ENTRIES = 4096  # entries read from IFD0

JPEG_SOI = b"\xff\xd8"
_JPEG_STANDALONE = {0x01, 0xD8} | set(range(0xD0, 0xD8))  # TEM, SOI, RSTn: no length
_JPEG_SOS, _JPEG_EOI = 0xDA, 0xD9
TIFF_MAGIC = (b"II*\0", b"MM\0*", b"II+\0", b"MM\0+")
# TIFF field types: bytes per value.
_TIFF_UNITS = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8,
               13: 4, 16: 8, 17: 8, 18: 8}  # fmt: skip

Warn = Callable[[str], None]


@dataclass(frozen=True)
class Segment:
    """One piece of a file's header: what it is and where its data lies."""

    kind: int | bytes  # JPEG marker (0xE1 for APP1), PNG chunk type, or TIFF tag
    start: int  # offset of its data in the file
    length: int  # bytes of data


def file_size(fp: BinaryIO) -> int:
    """The size of a file, or of an in-memory block (an EXIF block is walked as a TIFF)."""
    at = fp.tell()
    size = fp.seek(0, os.SEEK_END)
    fp.seek(at)
    return size


def read_segment(fp: BinaryIO, segment: Segment, length: int | None = None) -> bytes:
    """The first ``length`` bytes (all by default) of a segment's data; short if the file is."""
    fp.seek(segment.start)
    return fp.read(segment.length if length is None else min(length, segment.length))


def jpeg_segments(fp: BinaryIO, warn: Warn) -> Iterator[Segment]:
    """The marker segments of a JPEG's header, up to its first scan (SOS) or EOI."""
    size = file_size(fp)
    fp.seek(0)
    if fp.read(2) != JPEG_SOI:
        return
    at = 2
    for _ in range(MAX_JPEG_SEGMENTS):
        fp.seek(at)
        prefix = fp.read(MAX_JPEG_FILL + 1)
        fill = len(prefix) - len(prefix.lstrip(b"\xff"))
        if not prefix:
            return
        if fill == 0:
            warn(f"JPEG: no marker at byte {at:,}; later segments not read")
            return
        if fill > MAX_JPEG_FILL or fill == len(prefix):
            warn(f"JPEG: fill bytes without a marker at byte {at:,}; later segments not read")
            return
        marker, at = prefix[fill], at + fill + 1
        if marker in _JPEG_STANDALONE:
            continue
        if marker in (_JPEG_SOS, _JPEG_EOI):
            return
        fp.seek(at)
        length = int.from_bytes(fp.read(2), "big")
        if length < 2 or at + length > size:
            warn(
                f"JPEG: a segment (marker {marker:02X}) of impossible length {length:,} at "
                f"byte {at - 2:,}; later segments not read"
            )
            return
        yield Segment(marker, at + 2, length - 2)
        at += length
    warn(f"JPEG: more than {MAX_JPEG_SEGMENTS:,} segments; later segments not read")


def png_chunks(fp: BinaryIO, warn: Warn) -> Iterator[Segment]:
    """Every chunk of a PNG, before and after the image data, up to IEND."""
    size = file_size(fp)
    at = 8  # past the signature
    for _ in range(MAX_PNG_CHUNKS):
        fp.seek(at)
        header = fp.read(8)
        if len(header) < 8:
            return
        length, kind = int.from_bytes(header[:4], "big"), header[4:]
        if not (kind.isascii() and kind.isalpha()):
            warn(f"PNG: a broken chunk header at byte {at:,}; later chunks not read")
            return
        if length > _PNG_MAX_LENGTH or at + 12 + length > size:
            name = kind.decode("ascii")
            warn(
                f"PNG: a {name} chunk of impossible length {length:,} at byte {at:,}; "
                "later chunks not read"
            )
            return
        yield Segment(kind, at + 8, length)
        if kind == b"IEND":
            return
        at += 12 + length
    warn(f"PNG: more than {MAX_PNG_CHUNKS:,} chunks; later chunks not read")


def read_png_chunk(fp: BinaryIO, chunk: Segment, warn: Warn) -> bytes | None:
    """A chunk's data, or None (with a warning) when its CRC says it is damaged."""
    fp.seek(chunk.start - 4)
    kind_and_data = fp.read(4 + chunk.length)
    stored = fp.read(4)
    if len(stored) < 4 or zlib.crc32(kind_and_data) != int.from_bytes(stored, "big"):
        name = kind_and_data[:4].decode("ascii", "replace")
        warn(f"PNG: a {name} chunk has a bad CRC (its data is damaged); chunk skipped")
        return None
    return kind_and_data[4:]


def tiff_ifd0(fp: BinaryIO, tags: set[int], warn: Warn) -> dict[int, Segment]:
    """Where the values of the given tags of a TIFF's first IFD lie (classic or BigTIFF)."""
    size = file_size(fp)
    fp.seek(0)
    head = fp.read(16)
    if head[:4] not in TIFF_MAGIC:
        return {}
    order = "<" if head[:2] == b"II" else ">"
    big = head[2:4] in (b"+\0", b"\0+")
    if len(head) < (16 if big else 8):
        warn("TIFF: the file ends inside its header; its tags not read")
        return {}
    # (IFD offset, entry count format, entry size, value field size)
    if big:
        (ifd,) = struct.unpack(order + "Q", head[8:16])
        count_format, entry_size, field = "Q", 20, 8
    else:
        (ifd,) = struct.unpack(order + "I", head[4:8])
        count_format, entry_size, field = "H", 12, 4
    count_size = struct.calcsize(count_format)
    if ifd + count_size > size:
        warn("TIFF: the first IFD lies past the end of the file; its tags not read")
        return {}
    fp.seek(ifd)
    (count,) = struct.unpack(order + count_format, fp.read(count_size))
    if count > MAX_TIFF_ENTRIES:
        warn(f"TIFF: the first IFD has {count:,} entries; the first {MAX_TIFF_ENTRIES:,} read")
        count = MAX_TIFF_ENTRIES
    entries = fp.read(count * entry_size)
    found: dict[int, Segment] = {}
    value_format = order + ("HHQ8s" if big else "HHI4s")
    for index in range(len(entries) // entry_size):
        at = index * entry_size
        tag, kind, number, value = struct.unpack(value_format, entries[at : at + entry_size])
        if tag not in tags or tag in found:
            continue
        unit = _TIFF_UNITS.get(kind)
        if unit is None:
            warn(f"TIFF: tag {tag} has unknown type {kind}; tag skipped")
            continue
        length = number * unit
        if length <= field:
            start = ifd + count_size + at + entry_size - field
        else:
            (start,) = struct.unpack(order + ("Q" if big else "I"), value)
        if start + length > size:
            warn(f"TIFF: tag {tag}'s value runs past the end of the file; tag skipped")
            continue
        found[tag] = Segment(tag, start, length)
    return found
