"""Real photographs built with Pillow, for tests.

Every function returns the bytes of one file and is deterministic. Pixels are
a gradient plus a Mandelbrot detail so that encoders behave as on a photograph
(a flat colour compresses to almost nothing and hides encoder bugs).

What is embedded, and how:
- EXIF: Pillow's ``Image.Exif`` (IFD0, Exif sub-IFD, GPS IFD).
- IPTC-IIM: built by hand (tests/support/embedded.py) as a Photoshop APP13 "8BIM"
  0x0404 resource, because Pillow never writes IPTC; spliced into the JPEG after the APPn run.
- XMP: a packet built in tests/support/embedded.py, passed as ``xmp=`` to Pillow (PNG: iTXt).
- ICC: an Adobe RGB (1998)-compatible v2 profile built here byte by byte,
  because littleCMS through Pillow only creates sRGB, LAB and XYZ profiles.
"""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, TiffImagePlugin
from PIL.PngImagePlugin import PngInfo

from tests.support.embedded import (
    ALT_TEXT,
    ALTITUDE,
    ARTIST,
    CAPTION,
    COPYRIGHT,
    CREDIT,
    DATE_TAKEN,
    DESCRIPTION,
    ICC_DESCRIPTION,
    LATITUDE,
    LONGITUDE,
    MAKE,
    MODEL,
    OBJECT_NAME,
    USAGE_TERMS,
    WEB_STATEMENT,
    XMP_BILLION_LAUGHS,
    XMP_EXTERNAL_ENTITY,
    iim_dataset,
    iptc_iim,
    photoshop_app13,
    rights_xmp,
    splice_segment,
    xmp_with_external_entity,
)

# What tests reach as ``photos.NAME``: the files made here, and the values and IPTC/XMP
# blocks of tests/support/embedded.py.
__all__ = [
    "ALTITUDE",
    "ALT_TEXT",
    "ARTIST",
    "CAPTION",
    "COPYRIGHT",
    "CREDIT",
    "DATE_TAKEN",
    "DESCRIPTION",
    "ICC_DESCRIPTION",
    "LATITUDE",
    "LONGITUDE",
    "MAKE",
    "MODEL",
    "OBJECT_NAME",
    "USAGE_TERMS",
    "WEB_STATEMENT",
    "XMP_BILLION_LAUGHS",
    "XMP_EXTERNAL_ENTITY",
    "adobe_rgb_like_icc",
    "avif",
    "gif_animated",
    "iim_dataset",
    "iptc_iim",
    "jpeg_malformed_exif",
    "jpeg_plain",
    "jpeg_with_rights",
    "jpeg_with_xmp",
    "make_exif",
    "malformed_exif_block",
    "photoshop_app13",
    "picture",
    "png_bomb_header",
    "png_with_alpha",
    "rights_xmp",
    "splice_segment",
    "tiff_16bit",
    "tiff_multipage",
    "truncated_jpeg",
    "webp",
    "xmp_with_external_entity",
]


# ---------------------------------------------------------------- pixels


def picture(width: int = 640, height: int = 480, mode: str = "RGB") -> Image.Image:
    """A deterministic photograph-like image: gradients and fractal detail."""
    size = (width, height)
    red = Image.linear_gradient("L").resize(size)
    green = Image.radial_gradient("L").resize(size)
    blue = Image.effect_mandelbrot(size, (-2.0, -1.2, 0.8, 1.2), 100)
    rgb = Image.merge("RGB", (red, green, blue))
    if mode == "RGBA":
        alpha = Image.linear_gradient("L").rotate(90).resize(size)
        return Image.merge("RGBA", (red, green, blue, alpha))
    return rgb.convert(mode)


def _save(image: Image.Image, fmt: str, **params: object) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **params)
    return buf.getvalue()


# ---------------------------------------------------------------- ICC


def _s15f16(value: float) -> bytes:
    return struct.pack(">i", round(value * 65536))


def _xyz_tag(x: float, y: float, z: float) -> bytes:
    return b"XYZ \0\0\0\0" + _s15f16(x) + _s15f16(y) + _s15f16(z)


def _desc_tag(text: str) -> bytes:
    ascii_ = text.encode("ascii") + b"\0"
    # textDescriptionType (ICC v2): ASCII part, empty Unicode and ScriptCode parts.
    return (
        b"desc\0\0\0\0"
        + struct.pack(">I", len(ascii_))
        + ascii_
        + struct.pack(">II", 0, 0)
        + struct.pack(">HB", 0, 0)
        + b"\0" * 67
    )


def adobe_rgb_like_icc(description: str = ICC_DESCRIPTION) -> bytes:
    """An ICC v2 RGB display profile with Adobe RGB (1998) primaries and gamma 2.2.

    The primaries are the Bradford-adapted D50 colorants Adobe publishes; the
    profile is a genuine matrix/TRC profile that littleCMS can transform with.
    """
    gamma = b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0233)  # u8Fixed8 2.19921875
    tags = [
        (b"desc", _desc_tag(description)),
        (b"cprt", b"text\0\0\0\0" + b"No copyright, use freely\0"),
        (b"wtpt", _xyz_tag(0.96420, 1.00000, 0.82491)),
        (b"rXYZ", _xyz_tag(0.60974, 0.31111, 0.01947)),
        (b"gXYZ", _xyz_tag(0.20528, 0.62567, 0.06087)),
        (b"bXYZ", _xyz_tag(0.14919, 0.06322, 0.74457)),
        (b"rTRC", gamma),
        (b"gTRC", gamma),
        (b"bTRC", gamma),
    ]
    table = b""
    data = b""
    offset = 128 + 4 + 12 * len(tags)
    for signature, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += signature + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = (
        struct.pack(">I", size)
        + b"lcms"
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + struct.pack(">6H", 2024, 3, 27, 10, 15, 0)
        + b"acsp"
        + b"APPL"
        + b"\0" * 4  # flags
        + b"none" * 2  # manufacturer, model
        + b"\0" * 8  # attributes
        + struct.pack(">I", 0)  # perceptual intent
        + _s15f16(0.9642)
        + _s15f16(1.0)
        + _s15f16(0.8249)
        + b"lcms"
        + b"\0" * 44  # profile ID and reserved
    )
    assert len(header) == 128
    return header + struct.pack(">I", len(tags)) + table + data


# ---------------------------------------------------------------- EXIF


def _dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round((value - degrees - minutes / 60) * 3600, 2)
    return (float(degrees), float(minutes), seconds)


def make_exif(
    *,
    artist: str | None = ARTIST,
    copyright: str | None = COPYRIGHT,
    make: str | None = MAKE,
    model: str | None = MODEL,
    date_taken: str | None = DATE_TAKEN,
    orientation: int | None = 6,
    description: str | None = DESCRIPTION,
    gps: tuple[float, float, float | None] | None = (LATITUDE, LONGITUDE, ALTITUDE),
) -> Image.Exif:
    """EXIF as a camera and a photo desk write it. Text goes in as UTF-8, as exiftool does."""
    exif = Image.Exif()
    for tag, text in (
        (0x013B, artist),
        (0x8298, copyright),
        (0x010F, make),
        (0x0110, model),
        (0x010E, description),
    ):
        if text is not None:
            # Bytes, not str: Pillow would turn "©" into "?" when encoding str as ASCII.
            exif[tag] = text.encode("utf-8")
    if orientation is not None:
        exif[0x0112] = orientation
    if date_taken is not None:
        exif.get_ifd(0x8769)[0x9003] = date_taken
    if gps is not None:
        latitude, longitude, altitude = gps
        ifd = exif.get_ifd(0x8825)
        ifd[0x0000] = b"\x02\x03\x00\x00"
        ifd[0x0001] = "N" if latitude >= 0 else "S"
        ifd[0x0002] = _dms(latitude)
        ifd[0x0003] = "E" if longitude >= 0 else "W"
        ifd[0x0004] = _dms(longitude)
        if altitude is not None:
            ifd[0x0005] = b"\x00" if altitude >= 0 else b"\x01"
            ifd[0x0006] = abs(altitude)
    return exif


# ---------------------------------------------------------------- JPEG


def jpeg_with_rights(
    width: int = 640,
    height: int = 480,
    orientation: int | None = 6,
    *,
    exif: Image.Exif | None = None,
    iptc: bytes | None = None,
    xmp: bytes | None = None,
    icc: bytes | None = None,
    with_iptc: bool = True,
    with_xmp: bool = True,
    with_icc: bool = True,
    quality: int = 90,
) -> bytes:
    """A JPEG with EXIF, IPTC-IIM (APP13), XMP and a non-sRGB ICC profile.

    Pass ``exif=make_exif(...)``, ``iptc=iptc_iim(...)`` or ``xmp=rights_xmp(...)``
    to change fields; ``with_*=False`` leaves that block out.
    """
    params: dict[str, object] = {
        "quality": quality,
        "exif": exif if exif is not None else make_exif(orientation=orientation),
    }
    if with_xmp:
        params["xmp"] = xmp if xmp is not None else rights_xmp()
    if with_icc:
        params["icc_profile"] = icc if icc is not None else adobe_rgb_like_icc()
    data = _save(picture(width, height), "JPEG", **params)
    if with_iptc:
        data = splice_segment(data, photoshop_app13(iptc if iptc is not None else iptc_iim()))
    return data


def jpeg_plain(width: int = 640, height: int = 480, quality: int = 85) -> bytes:
    """A JPEG with no metadata at all (JFIF header only)."""
    return _save(picture(width, height), "JPEG", quality=quality)


def jpeg_with_xmp(xmp_packet: bytes, width: int = 320, height: int = 240) -> bytes:
    """A JPEG whose only metadata is the given XMP packet, written as Pillow writes XMP."""
    return _save(picture(width, height), "JPEG", quality=85, xmp=xmp_packet)


def malformed_exif_block() -> bytes:
    """An "Exif\\0\\0" block whose IFD0 has bad offsets, a huge count and a dangling next-IFD."""
    entries = [
        # Make: ASCII, good, inline ("Canon" + NUL is 6 bytes, so at an offset).
        struct.pack("<HHII", 0x010F, 2, 6, 8 + 2 + 12 * 5 + 4),
        # Artist: ASCII, count 4 GB, offset far past the end of the block.
        struct.pack("<HHII", 0x013B, 2, 0xFFFFFFF0, 0x7FFFFFF0),
        # Copyright: ASCII, offset past the end.
        struct.pack("<HHII", 0x8298, 2, 40, 0x00FFFFF0),
        # XResolution: RATIONAL with a count of 268 million.
        struct.pack("<HHII", 0x011A, 5, 0x10000000, 0x00FFFF00),
        # Exif sub-IFD pointer far outside the block.
        struct.pack("<HHII", 0x8769, 4, 1, 0x0FFFFFF0),
    ]
    ifd0 = struct.pack("<H", len(entries)) + b"".join(entries) + struct.pack("<I", 0x7FFFFFF0)
    return b"Exif\0\0" + b"II*\0" + struct.pack("<I", 8) + ifd0 + b"Canon\0"


def jpeg_malformed_exif(width: int = 320, height: int = 240) -> bytes:
    """A JPEG that decodes, whose EXIF block has bad offsets and a huge count."""
    return _save(picture(width, height), "JPEG", quality=85, exif=malformed_exif_block())


def truncated_jpeg(width: int = 640, height: int = 480) -> bytes:
    """``jpeg_with_rights`` cut off halfway through the scan: metadata intact, pixels not."""
    data = jpeg_with_rights(width, height)
    scan = data.index(b"\xff\xda")
    return data[: scan + (len(data) - scan) // 2]


# ---------------------------------------------------------------- other formats


def png_with_alpha(width: int = 320, height: int = 240, *, rights: bool = False) -> bytes:
    """An RGBA PNG; with ``rights=True`` also eXIf, iCCP and XMP in an iTXt chunk."""
    if not rights:
        return _save(picture(width, height, "RGBA"), "PNG")
    info = PngInfo()
    info.add_itxt("XML:com.adobe.xmp", rights_xmp().decode("utf-8"), zip=False)
    return _save(
        picture(width, height, "RGBA"),
        "PNG",
        pnginfo=info,
        exif=make_exif(),
        icc_profile=adobe_rgb_like_icc(),
    )


def webp(width: int = 320, height: int = 240, *, rights: bool = False) -> bytes:
    """A lossy WebP; with ``rights=True`` also EXIF, XMP and ICC chunks."""
    params: dict[str, object] = {"quality": 80}
    if rights:
        params |= {"exif": make_exif(), "xmp": rights_xmp(), "icc_profile": adobe_rgb_like_icc()}
    return _save(picture(width, height), "WEBP", **params)


def avif(width: int = 320, height: int = 240, *, rights: bool = False) -> bytes:
    """An AVIF; with ``rights=True`` also EXIF, XMP and ICC."""
    params: dict[str, object] = {"quality": 60, "speed": 10}
    if rights:
        params |= {"exif": make_exif(), "xmp": rights_xmp(), "icc_profile": adobe_rgb_like_icc()}
    return _save(picture(width, height), "AVIF", **params)


def gif_animated(frames: int = 4, width: int = 160, height: int = 120) -> bytes:
    """An animated GIF whose frames differ (rotated copies of the picture)."""
    images = [picture(width, height).rotate(i * 15).convert("P") for i in range(frames)]
    return _save(images[0], "GIF", save_all=True, append_images=images[1:], duration=100, loop=0)


def tiff_multipage(n_pages: int = 3, width: int = 160, height: int = 120) -> bytes:
    """A multi-page 8-bit RGB TIFF; page 0 carries Artist, Copyright and XMP tags."""
    pages = [picture(width, height).rotate(i * 90) for i in range(n_pages)]
    info = TiffImagePlugin.ImageFileDirectory_v2()
    info[315] = ARTIST
    info[33432] = "(c) Trustees of the British Museum"
    info[700] = rights_xmp()
    return _save(pages[0], "TIFF", save_all=True, append_images=pages[1:], tiffinfo=info)


def _tiff_entry(
    tag: int, type_: int, count: int, value: bytes, data_at: int
) -> tuple[bytes, bytes]:
    """One little-endian IFD entry; values over 4 bytes go to ``data_at``."""
    if len(value) <= 4:
        return struct.pack("<HHI", tag, type_, count) + value.ljust(4, b"\0"), b""
    value += b"\0" * (len(value) % 2)
    return struct.pack("<HHII", tag, type_, count, data_at), value


def tiff_16bit(width: int = 320, height: int = 240, *, rights: bool = True) -> bytes:
    """A 48-bit RGB TIFF (16 bits a sample, uncompressed), written by hand.

    Pillow cannot write 16-bit RGB. The low byte of each sample carries other
    detail than the high byte, so the file has genuine 16-bit precision.
    With ``rights=True`` it carries Artist, Copyright, XMP (tag 700), IPTC
    (tag 33723) and the ICC profile (tag 34675), as Photoshop writes them.
    """
    high = picture(width, height).tobytes()
    low = picture(width, height).transpose(Image.Transpose.FLIP_LEFT_RIGHT).tobytes()
    pixels = bytearray(len(high) * 2)
    pixels[0::2] = low  # little-endian: low byte first
    pixels[1::2] = high
    SHORT, LONG, ASCII, BYTE, UNDEFINED = 3, 4, 2, 1, 7
    tags: list[tuple[int, int, int, bytes]] = [
        (256, LONG, 1, struct.pack("<I", width)),
        (257, LONG, 1, struct.pack("<I", height)),
        (258, SHORT, 3, struct.pack("<3H", 16, 16, 16)),
        (259, SHORT, 1, struct.pack("<H", 1)),
        (262, SHORT, 1, struct.pack("<H", 2)),
        (273, LONG, 1, b"\0" * 4),  # strip offset, set below
        (277, SHORT, 1, struct.pack("<H", 3)),
        (278, LONG, 1, struct.pack("<I", height)),
        (279, LONG, 1, struct.pack("<I", len(pixels))),
        (284, SHORT, 1, struct.pack("<H", 1)),
    ]
    if rights:
        iim = iptc_iim()
        iim += b"\0" * (-len(iim) % 4)
        tags += [
            (315, ASCII, len(ARTIST) + 1, ARTIST.encode() + b"\0"),
            (700, BYTE, len(rights_xmp()), rights_xmp()),
            (33432, ASCII, len(COPYRIGHT.encode()) + 1, COPYRIGHT.encode() + b"\0"),
            (33723, LONG, len(iim) // 4, iim),
            (34675, UNDEFINED, len(adobe_rgb_like_icc()), adobe_rgb_like_icc()),
        ]
    tags.sort()
    data_at = 8 + 2 + 12 * len(tags) + 4
    # Values over 4 bytes sit between the IFD and the pixels; the strip offset follows them.
    blob_size = sum(len(v) + len(v) % 2 for *_, v in tags if len(v) > 4)
    entries, blobs = b"", b""
    for tag, type_, count, value in tags:
        if tag == 273:
            value = struct.pack("<I", data_at + blob_size)
        entry, blob = _tiff_entry(tag, type_, count, value, data_at + len(blobs))
        entries += entry
        blobs += blob
    ifd = struct.pack("<H", len(tags)) + entries + struct.pack("<I", 0)
    return b"II*\0" + struct.pack("<I", 8) + ifd + blobs + bytes(pixels)


# ---------------------------------------------------------------- hostile files


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb_header(width: int = 30000, height: int = 30000) -> bytes:
    """A tiny PNG whose IHDR declares ``width`` x ``height`` 8-bit grey pixels.

    Only the first rows are compressed (never the whole image), so the file is a
    few hundred bytes and building it allocates nothing like the pixels.
    """
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\0" * (width + 1)  # filter byte + one row of grey
    idat = b"".join(compressor.compress(row) for _ in range(4))
    idat += compressor.flush(zlib.Z_SYNC_FLUSH)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )
