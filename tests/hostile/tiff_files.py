"""The TIFF files of the corpus: hand-made pages, bombs, IFD loops, sample formats, short strips."""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence

from PIL import ImageCms

from tests.hostile.blocks import (
    ASCII,
    BYTE,
    LONG,
    SHORT,
    UNDEFINED,
    cut,
    deflated_zeros,
    garbage,
    ifd,
    pic,
    save,
    u16,
    u32,
)

# ---------------------------------------------------------------- pages by hand


def tiff_pages(
    pages: Sequence[Sequence[tuple[int, int, int, bytes]]],
    strips: Sequence[bytes],
    *,
    loop_to: int | None = None,
) -> bytes:
    """A little-endian TIFF by hand. Page i's StripOffsets (273) points at ``strips[i % n]``.

    Values over four bytes are written before their IFD; ``loop_to`` makes the last IFD's
    next pointer go back to that page's IFD (an IFD loop) instead of ending the chain.
    """
    out = bytearray(b"II*\0\0\0\0\0")
    strip_at = []
    for strip in strips:
        strip_at.append(len(out))
        out += strip + b"\0" * (len(strip) % 2)
    ifd_at: list[int] = []
    next_fields: list[int] = []
    for index, tags in enumerate(pages):
        entries = []
        for tag, typ, count, value in sorted(tags):
            if tag == 273:
                value = u32(strip_at[index % len(strip_at)])
            if len(value) > 4:
                entries.append((tag, typ, count, u32(len(out))))
                out += value + b"\0" * (len(value) % 2)
            else:
                entries.append((tag, typ, count, value))
        ifd_at.append(len(out))
        out += ifd(entries, 0)
        next_fields.append(len(out) - 4)
    out[4:8] = u32(ifd_at[0])
    for index, at in enumerate(next_fields[:-1]):
        out[at : at + 4] = u32(ifd_at[index + 1])
    if loop_to is not None:
        out[next_fields[-1] : next_fields[-1] + 4] = u32(ifd_at[loop_to])
    return bytes(out)


def grey_page(width: int, height: int, strip_bytes: int, *, bits: int = 8,
              compression: int = 1, extra: Sequence[tuple[int, int, int, bytes]] = ()
              ) -> list[tuple[int, int, int, bytes]]:  # fmt: skip
    """The tags of one single-strip greyscale page."""
    return [
        (256, LONG, 1, u32(width)),
        (257, LONG, 1, u32(height)),
        (258, SHORT, 1, u16(bits)),
        (259, SHORT, 1, u16(compression)),
        (262, SHORT, 1, u16(1)),  # min-is-black
        (273, LONG, 1, u32(0)),
        (277, SHORT, 1, u16(1)),
        (278, LONG, 1, u32(height)),
        (279, LONG, 1, u32(strip_bytes)),
        *extra,
    ]


# ---------------------------------------------------------------- files


def tiff(width: int, height: int, mode: str = "RGB", **params: object) -> bytes:
    """The picture as a TIFF by Pillow."""
    return save(pic(width, height, mode), "TIFF", **params)


def tiff_truncated() -> bytes:
    """A TIFF by Pillow cut at 60%."""
    return cut(tiff(90, 48), 0.6)


def tiff_declared_bomb() -> bytes:
    """A TIFF declaring 10 Gpx with 16 bytes of strip."""
    return tiff_pages([grey_page(100000, 100000, 16)], [b"\0" * 16])


def tiff_compressed_bomb() -> bytes:
    """13000 x 12000 one-bit pixels, deflate-compressed into about 20 KB."""
    width, height = 13000, 12000
    strip = deflated_zeros((width + 7) // 8 * height)
    page = grey_page(width, height, len(strip), bits=1, compression=8)
    return tiff_pages([page], [strip])


def tiff_many_pages() -> bytes:
    """4096 pages of 32 x 32 grey sharing one strip."""
    strip = pic(32, 32, "L").tobytes()
    return tiff_pages([grey_page(32, 32, len(strip))] * 4096, [strip])


def tiff_many_big_pages() -> bytes:
    """1000 pages of 2000 x 2000 (4 Mpx each, 4 Gpx in all), one shared deflate strip."""
    strip = deflated_zeros(2000 * 2000)
    return tiff_pages([grey_page(2000, 2000, len(strip), compression=8)] * 1000, [strip])


def tiff_ifd_self_loop() -> bytes:
    """A TIFF whose IFD0 names itself as the next IFD."""
    strip = pic(33, 32, "L").tobytes()
    return tiff_pages([grey_page(33, 32, len(strip))], [strip], loop_to=0)


def tiff_ifd_two_loop() -> bytes:
    """A two-page TIFF whose IFD1 points back at IFD0."""
    strip = pic(34, 32, "L").tobytes()
    return tiff_pages([grey_page(34, 32, len(strip))] * 2, [strip], loop_to=0)


def tiff_strip_past_end() -> bytes:
    """A TIFF whose strip runs past the end."""
    strip = pic(35, 32, "L").tobytes()
    data = bytearray(tiff_pages([grey_page(35, 32, len(strip))], [strip]))
    return bytes(data[: 8 + len(strip) // 4]) + bytes(data[8 + len(strip) :])


def tiff_huge_tag_count() -> bytes:
    """A TIFF whose tags declare 2^30 to 2^32 values."""
    strip = pic(36, 32, "L").tobytes()
    extra = [
        (0x010E, ASCII, 0x7FFFFFFF, b"x" * 8),  # ImageDescription: 2 G characters
        (0x013B, ASCII, 0xFFFFFFFF, b"Jane\0\0\0\0"),  # Artist: 4 G characters
        (0x0140, SHORT, 0x40000000, b"\0" * 8),  # ColorMap: 1 G shorts
    ]
    return tiff_pages([grey_page(36, 32, len(strip), extra=extra)], [strip])


def tiff_16bit_grey() -> bytes:
    """A 16-bit grey TIFF by Pillow."""
    grey = pic(91, 48, "L").point(lambda v: v * 257, "I").convert("I;16")
    return save(grey, "TIFF")


def tiff_16bit_cmyk() -> bytes:
    """A 64-bit CMYK TIFF by hand."""
    width, height = 37, 32
    cmyk = pic(width, height, "CMYK").tobytes()
    samples = bytearray(len(cmyk) * 2)
    samples[0::2], samples[1::2] = cmyk, cmyk  # little-endian: low, high
    page = [
        (256, LONG, 1, u32(width)),
        (257, LONG, 1, u32(height)),
        (258, SHORT, 4, struct.pack("<4H", 16, 16, 16, 16)),
        (259, SHORT, 1, u16(1)),
        (262, SHORT, 1, u16(5)),  # separated (CMYK)
        (273, LONG, 1, u32(0)),
        (277, SHORT, 1, u16(4)),
        (278, LONG, 1, u32(height)),
        (279, LONG, 1, u32(len(samples))),
        (284, SHORT, 1, u16(1)),
    ]
    return tiff_pages([page], [bytes(samples)])


def tiff_float() -> bytes:
    """32-bit floating-point grey samples (SampleFormat 3), values 0.0 to 1.0."""
    width, height = 38, 32
    grey = pic(width, height, "L").tobytes()
    samples = struct.pack(f"<{len(grey)}f", *(v / 255 for v in grey))
    page = grey_page(width, height, len(samples), bits=32, extra=[(339, SHORT, 1, u16(3))])
    return tiff_pages([page], [samples])


def tiff_int32() -> bytes:
    """32-bit unsigned integer grey samples."""
    width, height = 39, 32
    grey = pic(width, height, "L").tobytes()
    samples = struct.pack(f"<{len(grey)}I", *(v << 24 for v in grey))
    page = grey_page(width, height, len(samples), bits=32, extra=[(339, SHORT, 1, u16(1))])
    return tiff_pages([page], [samples])


def tiff_lab() -> bytes:
    """CIELab pixels converted from the sRGB picture by littleCMS."""
    srgb, lab = ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB")
    transform = ImageCms.buildTransform(srgb, lab, "RGB", "LAB")
    lab_image = ImageCms.applyTransform(pic(93, 48), transform)
    assert lab_image is not None
    lab_image.info.pop("icc_profile", None)  # littleCMS dates it: the bytes would change
    return save(lab_image, "TIFF")


def tiff_with_blocks(width: int, *, icc: bytes | None = None, xmp_packet: bytes | None = None,
                     iptc: bytes | None = None) -> Callable[[], bytes]:  # fmt: skip
    """A builder of a grey TIFF carrying these ICC, XMP and IPTC blocks in their tags."""

    def build() -> bytes:
        strip = pic(width, 32, "L").tobytes()
        extra = []
        if icc is not None:
            extra.append((34675, UNDEFINED, len(icc), icc))
        if xmp_packet is not None:
            extra.append((700, BYTE, len(xmp_packet), xmp_packet))
        if iptc is not None:
            padded = iptc + b"\0" * (-len(iptc) % 4)
            extra.append((33723, LONG, len(padded) // 4, padded))
        return tiff_pages([grey_page(width, 32, len(strip), extra=extra)], [strip])

    return build


def bigtiff() -> bytes:
    """A BigTIFF header (II+)."""
    return b"II+\0" + struct.pack("<HHQ", 8, 0, 16) + b"\0" * 32


# ---------------------------------------------------------------- issue 11: incomplete data


TIFF_TYPES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 12: 8}


def tiff_ifd_first(data: bytes, short_by: int = 0) -> bytes:
    """Pillow's little-endian single-page TIFF laid out again with its IFD first and its strips
    last (Pillow writes the IFD of a compressed TIFF after the pixels, so cutting the file cuts
    the IFD), the last strip ``short_by`` bytes shorter, its byte count saying so."""
    assert data[:4] == b"II*\0"
    (at,) = struct.unpack_from("<I", data, 4)
    (count,) = struct.unpack_from("<H", data, at)
    entries = []
    for index in range(count):
        tag, kind, number, raw = struct.unpack_from("<HHI4s", data, at + 2 + 12 * index)
        size = TIFF_TYPES[kind] * number
        offset = struct.unpack("<I", raw)[0]
        entries.append(
            [tag, kind, number, raw[:size] if size <= 4 else data[offset : offset + size]]
        )
    tags = {entry[0]: entry for entry in entries}
    offsets = struct.unpack(f"<{tags[273][2]}I", tags[273][3])
    counts = list(struct.unpack(f"<{tags[279][2]}I", tags[279][3]))
    strips = [data[o : o + c] for o, c in zip(offsets, counts, strict=True)]
    strips[-1] = strips[-1][: len(strips[-1]) - short_by]
    counts[-1] -= short_by
    tags[279][1], tags[279][3] = LONG, struct.pack(f"<{len(counts)}I", *counts)
    tags[273][1] = LONG

    def layout(pixels_at: int) -> bytes:
        starts, position = [], pixels_at
        for strip in strips:
            starts.append(position)
            position += len(strip)
        tags[273][3] = struct.pack(f"<{len(starts)}I", *starts)
        values_at = 8 + 2 + 12 * count + 4
        body, values = b"", b""
        for tag, kind, number, value in sorted(entries):
            if len(value) <= 4:
                body += struct.pack("<HHI", tag, kind, number) + value.ljust(4, b"\0")
            else:
                body += struct.pack("<HHII", tag, kind, number, values_at + len(values))
                values += value + b"\0" * (len(value) % 2)
        return b"II*\0" + u32(8) + u16(count) + body + u32(0) + values

    head = layout(0)
    return layout(len(head)) + b"".join(strips)


def tiff_strip_short(compression: str) -> Callable[[], bytes]:
    """A builder of an IFD-first TIFF in ``compression`` whose last strip lost 300 bytes."""
    return lambda: tiff_ifd_first(tiff(70, 48, compression=compression), short_by=300)


def tiff_tile_past_end() -> bytes:
    """A 32 x 32 grey TIFF in four 16 x 16 tiles after its IFD, the last tile cut short."""
    tiles = [pic(32, 32, "L").crop((x, y, x + 16, y + 16)).tobytes()
             for y in (0, 16) for x in (0, 16)]  # fmt: skip
    tags = [
        (256, LONG, 1, u32(32)), (257, LONG, 1, u32(32)), (258, SHORT, 1, u16(8)),
        (259, SHORT, 1, u16(1)), (262, SHORT, 1, u16(1)), (277, SHORT, 1, u16(1)),
        (322, SHORT, 1, u16(16)), (323, SHORT, 1, u16(16)),
    ]  # fmt: skip
    values_at = 8 + 2 + 12 * (len(tags) + 2) + 4
    pixels_at = values_at + 32
    tags += [(324, LONG, 4, u32(values_at)), (325, LONG, 4, u32(values_at + 16))]
    values = struct.pack("<4I", *[pixels_at + 256 * i for i in range(4)])
    values += struct.pack("<4I", *[256] * 4)
    return b"II*\0" + u32(8) + ifd(sorted(tags), 0) + values + b"".join(tiles)[:-100]


def tiff_signed(bits: int) -> bytes:
    """Grey samples as signed integers (SampleFormat 2): the picture's 0..255 as -128..127
    (8-bit) or -32768..32767 (16-bit, value * 257 - 32768), so 0 is mid-grey."""
    width, height = 44 + bits // 8, 32
    grey = pic(width, height, "L").tobytes()
    if bits == 8:
        samples = struct.pack(f"<{len(grey)}b", *(v - 128 for v in grey))
    else:
        samples = struct.pack(f"<{len(grey)}h", *(v * 257 - 32768 for v in grey))
    page = grey_page(width, height, len(samples), bits=bits, extra=[(339, SHORT, 1, u16(2))])
    return tiff_pages([page], [samples])


def tiff_foreign_compression(compression: int) -> Callable[[], bytes]:
    """A grey TIFF whose compression this installation has no decoder for; the strip is a
    few bytes of stand-in data (the check comes before any is decoded)."""

    def build() -> bytes:
        strip = garbage(64, compression)
        return tiff_pages([grey_page(46, 32, len(strip), compression=compression)], [strip])

    return build
