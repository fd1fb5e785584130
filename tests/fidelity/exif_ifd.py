"""A tiny TIFF/IFD reader and writer for EXIF blocks, so tests can take a camera's EXIF apart
entry by entry, break one thing, and put it back together.

``parse`` reads a TIFF structure (the body of a JPEG APP1 "Exif" segment, a PNG eXIf chunk, a
WebP EXIF chunk) into IFDs: IFD0, the sub-IFDs it points to (Exif 0x8769, GPS 0x8825,
Interoperability 0xA005) and the next IFD (IFD1, the thumbnail's). ``serialise`` writes them back
as given: an entry's type, count and bytes are written as they are, even when they disagree, so a
mutated entry stays mutated. Each IFD is followed by its values over four bytes.
"""

from __future__ import annotations

import dataclasses
import io
import struct
from dataclasses import dataclass, field

from PIL import Image

from tests.support import photos

TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
POINTERS = {0x8769: "Exif", 0x8825: "GPS", 0xA005: "Interop"}
MAKER_NOTE, BODY_SERIAL, LENS_MODEL, LENS_SERIAL = 0x927C, 0xA431, 0xA434, 0xA435


@dataclass
class Entry:
    tag: int
    type: int
    count: int
    data: bytes  # the value's bytes (inline when four or fewer)
    child: Ifd | None = None  # a sub-IFD this entry points to
    raw_offset: int | None = None  # written instead of the value (or the child's) offset


@dataclass
class Ifd:
    entries: list[Entry] = field(default_factory=list)
    next: Ifd | None = None
    raw_next: int | None = None  # written instead of the next IFD's offset (0 if none)


@dataclass
class Block:
    order: str  # "<" (II) or ">" (MM)
    ifd0: Ifd
    magic: bytes = b""  # written instead of the byte-order mark and 42 when set


def parse(data: bytes) -> Block:
    """The IFDs of a TIFF structure (an optional "Exif\\0\\0" prefix is skipped)."""
    data = data.removeprefix(b"Exif\0\0")
    order = {b"II": "<", b"MM": ">"}[data[:2]]
    seen: set[int] = set()

    def read_ifd(at: int) -> Ifd:
        seen.add(at)
        (count,) = struct.unpack_from(order + "H", data, at)
        ifd = Ifd()
        for index in range(count):
            tag, kind, number, raw = struct.unpack_from(order + "HHI4s", data, at + 2 + 12 * index)
            size = TYPE_SIZES.get(kind, 1) * number
            if size <= 4:
                value = raw[:size]
            else:
                (offset,) = struct.unpack(order + "I", raw)
                value = data[offset : offset + size]
            entry = Entry(tag, kind, number, value)
            if tag in POINTERS:
                (offset,) = struct.unpack(order + "I", raw)
                if offset not in seen and offset + 2 <= len(data):
                    entry.child = read_ifd(offset)
            ifd.entries.append(entry)
        (following,) = struct.unpack_from(order + "I", data, at + 2 + 12 * count)
        if following and following not in seen and following + 2 <= len(data):
            ifd.next = read_ifd(following)
        return ifd

    (first,) = struct.unpack_from(order + "I", data, 4)
    return Block(order, read_ifd(first))


def serialise(block: Block) -> bytes:
    """The TIFF structure of ``block``: header, then each IFD with its values after it."""
    order = block.order
    out = bytearray((b"II*\0" if order == "<" else b"MM\0*") + b"\0\0\0\0")
    if block.magic:
        out[: len(block.magic[:4])] = block.magic[:4]

    def write_ifd(ifd: Ifd) -> int:
        at = len(out)
        out.extend(b"\0" * (2 + 12 * len(ifd.entries) + 4))
        struct.pack_into(order + "H", out, at, len(ifd.entries) & 0xFFFF)
        for index, entry in enumerate(ifd.entries):
            if len(entry.data) > 4:
                value = struct.pack(order + "I", len(out))
                out.extend(entry.data + b"\0" * (len(entry.data) % 2))
            else:
                value = entry.data.ljust(4, b"\0")
            if entry.child is not None:
                value = struct.pack(order + "I", write_ifd(entry.child))
            if entry.raw_offset is not None:
                value = struct.pack(order + "I", entry.raw_offset & 0xFFFFFFFF)
            struct.pack_into(
                order + "HHI4s",
                out,
                at + 2 + 12 * index,
                entry.tag & 0xFFFF,
                entry.type & 0xFFFF,
                entry.count & 0xFFFFFFFF,
                value,
            )
        following = write_ifd(ifd.next) if ifd.next is not None else 0
        if ifd.raw_next is not None:
            following = ifd.raw_next & 0xFFFFFFFF
        struct.pack_into(order + "I", out, at + 2 + 12 * len(ifd.entries), following)
        return at

    struct.pack_into(order + "I", out, 4, write_ifd(block.ifd0))
    return bytes(out)


def ifds(block: Block) -> list[Ifd]:
    """Every IFD of the block, IFD0 first (each once)."""
    found: list[Ifd] = []

    def walk(ifd: Ifd | None) -> None:
        if ifd is None or any(ifd is seen for seen in found):
            return
        found.append(ifd)
        for entry in ifd.entries:
            walk(entry.child)
        walk(ifd.next)

    walk(block.ifd0)
    return found


def copy(block: Block) -> Block:
    return dataclasses.replace(block, ifd0=_copy_ifd(block.ifd0))


def _copy_ifd(ifd: Ifd) -> Ifd:
    return Ifd(
        [
            dataclasses.replace(e, child=_copy_ifd(e.child) if e.child else None)
            for e in ifd.entries
        ],
        _copy_ifd(ifd.next) if ifd.next else None,
        ifd.raw_next,
    )


# ---------------------------------------------------------------- camera EXIF


def canon_maker_note() -> bytes:
    """A maker note laid out as Canon's: an IFD of its own, offsets from the TIFF header."""
    entries = [(0x0001, 3, 4, b"\x01\0\x02\0"), (0x000C, 4, 1, b"\x39\x30\0\0")]
    body = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        body += struct.pack("<HHI", tag, kind, count) + value
    return body + b"\0\0\0\0" + b"Canon EOS serial 0123456789\0"


def camera_exif(*, order: str = ">", orientation: int = 6) -> bytes:
    """EXIF as a camera writes it: IFD0 (make, model, orientation, rights, resolution), the Exif
    IFD (date, exposure, maker note, serial numbers, lens), the GPS IFD and a thumbnail IFD.
    ``order`` is the byte order: ">" (MM) or "<" (II)."""
    exif = photos.make_exif(orientation=orientation)
    exif[0x011A] = 300.0
    exif[0x011B] = 300.0
    exif[0x0128] = 2
    exif[0x0131] = "Firmware 1.1.0"
    sub = exif.get_ifd(0x8769)
    sub[0x829A] = 1 / 125
    sub[0x829D] = 5.6
    sub[0x8827] = 400
    sub[MAKER_NOTE] = canon_maker_note()
    sub[BODY_SERIAL] = "012345678901"
    sub[LENS_MODEL] = "EF24-105mm f/4L IS USM"
    sub[LENS_SERIAL] = "0000c1d2e3"
    block = parse(exif.tobytes())
    thumbnail = _thumbnail()
    pointer = Entry(0x0201, 4, 1, b"\0\0\0\0")  # JPEGInterchangeFormat: set below
    block.ifd0.next = Ifd(
        [
            Entry(0x0103, 3, 1, struct.pack(block.order + "H", 6)),
            pointer,
            Entry(0x0202, 4, 1, struct.pack(block.order + "I", len(thumbnail))),
        ]
    )
    # The thumbnail follows the IFDs.
    pointer.data = struct.pack(block.order + "I", len(serialise(block)))
    tiff = serialise(block) + thumbnail
    return with_byte_order(tiff, order)


def _thumbnail() -> bytes:
    buffer = io.BytesIO()
    photos.picture(32, 24).save(buffer, "JPEG", quality=60)
    return buffer.getvalue()


def with_byte_order(tiff: bytes, order: str) -> bytes:
    """The same EXIF written in the other byte order ("<" for II, as Canon writes it; ">" for
    MM, as Nikon and Pillow do), the thumbnail after the IFDs kept at its offset."""
    block = parse(tiff)
    if block.order == order:
        return tiff
    codes = {3: "H", 4: "I", 5: "I", 8: "h", 9: "i", 10: "i", 11: "f", 13: "I"}
    for ifd in ifds(block):
        for entry in ifd.entries:
            if entry.type == 12:
                entry.data = b"".join(
                    entry.data[i : i + 8][::-1] for i in range(0, len(entry.data), 8)
                )
            elif (code := codes.get(entry.type)) and len(entry.data) % struct.calcsize(code) == 0:
                number = len(entry.data) // struct.calcsize(code)
                values = struct.unpack(f"{block.order}{number}{code}", entry.data)
                entry.data = struct.pack(f"{order}{number}{code}", *values)
    written = serialise(Block(order, block.ifd0))
    return written + tiff[len(written) :]


# ---------------------------------------------------------------- containers


def in_jpeg(tiff: bytes, size: tuple[int, int] = (24, 16)) -> bytes:
    """A small JPEG whose APP1 "Exif" segment holds ``tiff`` (no JFIF: EXIF comes first)."""
    buffer = io.BytesIO()
    photos.picture(*size).save(buffer, "JPEG", quality=70)
    data = buffer.getvalue()
    assert data[2:4] == b"\xff\xe0"
    (length,) = struct.unpack(">H", data[4:6])
    body = b"Exif\0\0" + tiff
    segment = b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body
    return data[:2] + segment + data[4 + length :]


def in_png(tiff: bytes, size: tuple[int, int] = (24, 16), *, after_idat: bool = False) -> bytes:
    """A small PNG with ``tiff`` as its eXIf chunk, before the image data or after it."""
    buffer = io.BytesIO()
    photos.picture(*size).save(buffer, "PNG")
    data = buffer.getvalue()
    chunk = photos._png_chunk(b"eXIf", tiff)
    at = len(data) - 12 if after_idat else 8 + 25
    return data[:at] + chunk + data[at:]


def in_png_raw_profile(
    tiff: bytes, size: tuple[int, int] = (24, 16), *, kind: bytes = b"zTXt", prefix: bool = False
) -> bytes:
    """A small PNG carrying ``tiff`` as ImageMagick does: a "Raw profile type exif" text chunk
    ("\\nexif\\n   <length>\\n" then hex in lines of 72), compressed in zTXt by default."""
    import zlib

    payload = (b"Exif\0\0" if prefix else b"") + tiff
    hexed = payload.hex()
    lines = "\n".join(hexed[i : i + 72] for i in range(0, len(hexed), 72))
    text = f"\nexif\n{len(payload):8d}\n{lines}\n".encode("latin-1")
    key = b"Raw profile type exif\0"
    if kind == b"zTXt":
        body = key + b"\0" + zlib.compress(text)
    elif kind == b"iTXt":
        body = key + b"\1\0" + b"\0\0" + zlib.compress(text)
    else:
        body = key + text
    buffer = io.BytesIO()
    photos.picture(*size).save(buffer, "PNG")
    data = buffer.getvalue()
    return data[:33] + photos._png_chunk(kind, body) + data[33:]


def in_webp(tiff: bytes, size: tuple[int, int] = (24, 16)) -> bytes:
    """A small WebP (VP8X with the EXIF flag) whose EXIF chunk holds ``tiff``."""
    buffer = io.BytesIO()
    photos.picture(*size).save(buffer, "WEBP", quality=70, exif=b"Exif\0\0" + tiff)
    return buffer.getvalue()


def image_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size


# ---------------------------------------------------------------- mutations

# What a mutation does to the entry (or IFD, or block) it lands on; each takes the number the
# fuzzer drew. Offsets and counts favour the values that break readers: 0, the header, the end,
# 2^31 and 2^32 - 1.
SPECIAL = (0, 1, 2, 8, 0xFF, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF)
MUTATIONS = (
    "type", "count", "offset", "empty", "truncate", "ascii-pointer", "next", "duplicate",
    "delete", "reverse", "tag", "magic", "zero-maker-note", "gps-types", "bytes",
)  # fmt: skip


def _special(value: int) -> int:
    return SPECIAL[value % len(SPECIAL)] if value % 3 else value


def mutate(block: Block, where: int, entry_index: int, kind: str, value: int) -> None:
    """Apply one mutation, in place, to an entry of the ``where``-th IFD (both taken modulo)."""
    all_ifds = ifds(block)
    ifd = all_ifds[where % len(all_ifds)]
    if kind == "magic":
        block.magic = (b"II*\0", b"MM\0*", b"II\0*", b"MM*\0", b"IM*\0", b"\0\0\0\0")[value % 6]
        return
    if kind == "next":
        ifd.raw_next = _special(value)
        return
    if kind == "reverse":
        ifd.entries.reverse()
        return
    if not ifd.entries:
        ifd.entries.append(Entry(0x010F, 2, 1, b"\0"))
    entry = ifd.entries[entry_index % len(ifd.entries)]
    if kind == "type":
        entry.type = value % 20
    elif kind == "count":
        entry.count = _special(value)
    elif kind == "offset":
        entry.raw_offset = _special(value)
    elif kind == "empty":
        entry.data, entry.count = b"", 0 if value % 2 else entry.count
    elif kind == "truncate":
        entry.data = entry.data[: value % (len(entry.data) + 1)]
    elif kind == "ascii-pointer":  # a string where an offset (a sub-IFD) should be
        target = next((e for e in ifd.entries if e.tag in POINTERS), entry)
        target.type, target.child = 2, None
        target.data = b"Exif IFD\0"[: 4 + value % 6]
        target.count = len(target.data)
    elif kind == "duplicate":
        ifd.entries.insert(entry_index % len(ifd.entries), dataclasses.replace(entry))
    elif kind == "delete":
        ifd.entries.remove(entry)
    elif kind == "tag":
        entry.tag = (*POINTERS, 0x0112, 0x927C, 0x0201, value & 0xFFFF)[value % 7]
    elif kind == "zero-maker-note":
        for found in ifd.entries:
            if found.tag == MAKER_NOTE:
                found.count, found.data = 0, b""
    elif kind == "gps-types":  # GPS values of the wrong type: ASCII rationals, SHORT refs
        entry.type = (2, 3, 7, 10)[value % 4]
    elif kind == "bytes":
        data = bytearray(entry.data or b"\0")
        data[value % len(data)] = (value >> 8) & 0xFF
        entry.data = bytes(data)
