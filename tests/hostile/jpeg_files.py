"""The JPEG files of the corpus: truncated, corrupt, bombs, hostile EXIF, IPTC, XMP and ICC."""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence

from PIL import Image

from tests.hostile.blocks import ASCII, BM, SHORT, garbage, pic, save, u32
from tests.hostile.payloads import (
    BIDI,
    NASTY,
    exif_huge_counts,
    exif_ifd_loop,
    exif_oversized,
    xmp,
    zip_archive,
)
from tests.support import photos

# ---------------------------------------------------------------- segments


def jpeg(width: int, height: int, **params: object) -> bytes:
    """The picture as a quality-80 JPEG."""
    return save(pic(width, height), "JPEG", quality=80, **params)


def segment(marker: int, payload: bytes) -> bytes:
    """A JPEG marker segment: marker, length, payload."""
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
    """An APP1 Exif segment holding this TIFF structure."""
    return segment(0xE1, b"Exif\0\0" + tiff)


def xmp_segment(packet: bytes) -> bytes:
    """An APP1 XMP segment holding this packet."""
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


# ---------------------------------------------------------------- files


def jpeg_truncated_header() -> bytes:
    """The first 300 bytes of a JPEG."""
    return jpeg(90, 60)[:300]


def jpeg_truncated_scan() -> bytes:
    """A JPEG cut a third into its scan."""
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
    """A 96x60 JPEG whose SOF0 declares 65500x65500."""
    return with_sof_size(jpeg(95, 60), 65500, 65500)


def jpeg_sof_over_limit() -> bytes:
    """20000 x 10000: 200 Mpx, over the 150 Mpx limit but under Pillow's own 2x bomb error."""
    return with_sof_size(jpeg(96, 60), 20000, 10000)


def jpeg_sof_zero_height() -> bytes:
    """A JPEG whose SOF0 declares a height of 0."""
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
    """An ordinary progressive JPEG (control for the scan limit)."""
    return save(pic(129, 60), "JPEG", quality=85, progressive=True)


def jpeg_exif_bad_offsets() -> bytes:
    """A JPEG with tests.support.photos.malformed_exif_block as its EXIF."""
    return save(pic(98, 60), "JPEG", quality=80, exif=photos.malformed_exif_block())


def jpeg_exif_ifd_loop() -> bytes:
    """A JPEG without JFIF whose EXIF IFDs loop back to IFD0."""
    return spliced(without_jfif(jpeg(99, 60)), exif_segment(exif_ifd_loop()))


def jpeg_exif_huge_counts() -> bytes:
    """A JPEG without JFIF (so Pillow reads DPI from EXIF) with huge EXIF counts."""
    return spliced(without_jfif(jpeg(100, 60)), exif_segment(exif_huge_counts()))


def jpeg_exif_oversized() -> bytes:
    """A JPEG with a full 64 KB APP1: 5000 IFD0 entries."""
    return spliced(jpeg(101, 60), exif_segment(exif_oversized()))


def jpeg_exif_not_tiff() -> bytes:
    """An APP1 "Exif" segment whose body is not a TIFF structure at all."""
    return spliced(without_jfif(jpeg(102, 60)), segment(0xE1, b"Exif\0\0" + garbage(400, 2)))


def jpeg_iptc_bad_lengths() -> bytes:
    """A JPEG with an IIM dataset declaring 32767 bytes with 30 left."""
    iim = photos.iim_dataset(1, 90, b"\x1b%G") + photos.iim_dataset(2, 116, BM.encode())
    iim += struct.pack(">BBBH", 0x1C, 2, 120, 0x7FFF) + b"declares 32767 bytes, has 30"
    return spliced(jpeg(103, 60), photos.photoshop_app13(iim))


def jpeg_iptc_extended_length() -> bytes:
    """A JPEG with IIM extended lengths of 4 GB and of 127 bytes."""
    iim = photos.iim_dataset(2, 80, b"Jane Photographer")
    iim += struct.pack(">BBBH", 0x1C, 2, 110, 0x8004) + u32(0xFFFFFFFF)[::-1] + b"short"
    iim += struct.pack(">BBBH", 0x1C, 2, 116, 0x80FF) + b"\xff" * 8
    return spliced(jpeg(104, 60), photos.photoshop_app13(iim))


def jpeg_iptc_bad_marker() -> bytes:
    """A JPEG with an IIM dataset whose tag marker is 0x1D."""
    iim = photos.iim_dataset(2, 116, BM.encode()) + b"\x1d\x02\x78\x00\x05hello"
    return spliced(jpeg(105, 60), photos.photoshop_app13(iim))


def jpeg_8bim_lying_size() -> bytes:
    """A Photoshop resource declaring 4 GB, then an IIM block after it."""
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\0\0" + struct.pack(">I", 0xFFFFFFF0)
    payload = b"Photoshop 3.0\0" + resource + photos.iptc_iim()
    return spliced(jpeg(106, 60), segment(0xED, payload))


def jpeg_iptc_many_keywords() -> bytes:
    """A JPEG with 5000 IIM 2:25 Keywords datasets."""
    iim = photos.iim_dataset(1, 90, b"\x1b%G")
    iim += b"".join(photos.iim_dataset(2, 25, f"kw{i}".encode()) for i in range(5000))
    return spliced(jpeg(107, 60), photos.photoshop_app13(iim[:65000]))


def jpeg_xmp(packet: bytes, width: int) -> Callable[[], bytes]:
    """A builder of a JPEG carrying this XMP packet."""
    return lambda: spliced(jpeg(width, 60), xmp_segment(packet))


def jpeg_with_icc(profile: bytes, width: int, seq: Sequence[tuple[int, int]] | None = None,
                  mode: str = "RGB") -> Callable[[], bytes]:  # fmt: skip
    """A builder of a JPEG carrying this ICC profile in APP2 chunks."""

    def build() -> bytes:
        data = save(pic(width, 60, mode), "JPEG", quality=80)
        return spliced(data, *icc_segments(profile, seq))

    return build


def jpeg_cmyk() -> bytes:
    """A CMYK JPEG by Pillow (Adobe APP14, inverted)."""
    return save(pic(112, 60, "CMYK"), "JPEG", quality=80)


def jpeg_polyglot_html() -> bytes:
    """A JPEG with an HTML page after EOI."""
    return jpeg(113, 60) + b"<!doctype html><html><body><script>alert(document.cookie)</script>"


def jpeg_polyglot_zip() -> bytes:
    """A JPEG with a ZIP archive after EOI."""
    return jpeg(114, 60) + zip_archive()


def jpeg_comment_script() -> bytes:
    """A JPEG COM segment with <script> and PHP."""
    return spliced(
        jpeg(115, 60), segment(0xFE, b"<script>alert(1)</script><?php system($_GET['c']); ?>")
    )


def html_then_jpeg() -> bytes:
    """An HTML page with a JPEG after it."""
    return b"<html><script>alert(1)</script></html>\n" + jpeg(116, 60)


# ---------------------------------------------------------------- text in fields and names


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


# ---------------------------------------------------------------- JPEGs sent with hostile text


def text_jpeg(width: int) -> Callable[[], bytes]:
    """A builder of a plain JPEG for the text cases (what is hostile is sent with it)."""
    return lambda: jpeg(width, 61)


# ---------------------------------------------------------------- issue 11: incomplete data


def jpeg_eoi_padded(progressive: bool = False) -> Callable[[], bytes]:
    """A JPEG cut halfway through its scan data, an EOI marker appended: libjpeg fills the
    rest with grey and only warns; Pillow shows no error."""

    def build() -> bytes:
        data = save(pic(150 + progressive, 100), "JPEG", quality=90, progressive=progressive)
        scan = data.index(b"\xff\xda")
        return data[: scan + (len(data) - scan) // 2] + b"\xff\xd9"

    return build


# ---------------------------------------------------------------- issue 11: orientation, EXIF


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
