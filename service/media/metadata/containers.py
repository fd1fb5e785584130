"""read_blocks: every metadata block an image file carries, found without decoding pixels.

Pillow opens the header (size, ICC profile, EXIF and XMP of WebP and AVIF); the structures that
hold the rest are walked straight from the file (imaging.segments): JPEG's APP1 (EXIF, XMP,
Extended XMP) and APP13 (the Photoshop IRB with IPTC-IIM and its digest), TIFF's IFD0 (IIM tag
33723, XMP tag 700, IRB tag 34377) and PNG's chunks (eXIf, XMP and text, before and after the
image data). Blocks are returned undecoded; the IPTC digest is ExifTool's: the MD5 of ``iim``.
"""

from __future__ import annotations

import pathlib
import re
import struct
import warnings
import zlib
from dataclasses import dataclass, field
from typing import BinaryIO

from PIL import Image

from service.media import imaging
from service.media.imaging.segments import (
    JPEG_SOI,
    TIFF_MAGIC,
    Segment,
    jpeg_segments,
    png_chunks,
    read_png_chunk,
    read_segment,
    tiff_ifd0,
)
from service.media.metadata.text import Warn
from service.media.metadata.xmp import MAX_XMP_BYTES

# The formats ingest accepts: Image.open tries no other plugin (EPS would run Ghostscript).
# HEIF is read only when a plugin for it (pillow-heif) is installed.
PILLOW_FORMATS = ("JPEG", "PNG", "TIFF", "WEBP", "GIF", "AVIF", "HEIF")

# A Photoshop IRB holds a few dozen resources (thumbnail, print settings, IIM, digest, ...).
MAX_IRB_BYTES = 8 * 1024 * 1024
MAX_IRB_RESOURCES = 1000
IRB_IIM, IRB_DIGEST = 0x0404, 0x0425
# PNG text: one value's bytes once inflated, the distinct keywords kept, and the text chunk
# bytes read in all (a file may repeat chunks to cost reading time).
MAX_PNG_TEXT_BYTES = 256 * 1024
MAX_PNG_KEYWORDS = 64
MAX_PNG_TEXT_READ = 4 * MAX_XMP_BYTES

_APP1, _APP13 = 0xE1, 0xED
_EXIF_HEADER = b"Exif\0\0"
_XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\0"
_XMP_EXTENSION_HEADER = b"http://ns.adobe.com/xmp/extension/\0"  # then GUID, total, offset
_EXTENSION_HEAD = len(_XMP_EXTENSION_HEADER) + 32 + 8
_PHOTOSHOP_HEADER = b"Photoshop 3.0\0"
_PHOTOSHOP_OLD_HEADER, _PHOTOSHOP_OLD_LENGTH = b"Adobe_Photoshop2.5:", 27  # as ExifTool reads it
_IRB_TYPES = (b"8BIM", b"PHUT", b"DCSR", b"AgHg", b"MeSa")  # ExifTool's; 8BIM is Photoshop's
_PNG_XMP_KEYWORD = "XML:com.adobe.xmp"
_PNG_RAW_PROFILE = "Raw profile type "  # ImageMagick's hex dumps (EXIF, IPTC, ...): not text
_HAS_EXTENDED_XMP = re.compile(
    rb"HasExtendedXMP\s*=\s*[\"']([A-Za-z0-9]{32})[\"']|HasExtendedXMP>\s*([A-Za-z0-9]{32})\s*<"
)
_TIFF_XMP, _TIFF_IIM, _TIFF_IRB = 700, 33723, 34377


@dataclass
class Blocks:
    """The metadata blocks a file carries, undecoded, found without decoding pixels."""

    exif: bytes | None = None  # TIFF-structured EXIF, without any "Exif\0\0" prefix
    # The IPTC-IIM datasets as stored: JPEG's IRB resource 0x0404 (without its padding),
    # TIFF's tag 33723 (with its padding, as ExifTool digests it); never 0x0404 in tag 34377,
    # which the MWG calls non-standard.
    iim: bytes | None = None
    iim_digest: bytes | None = None  # the stored IPTCDigest: IRB resource 0x0425 (16 bytes)
    xmp: bytes | None = None  # the main XMP packet
    # JPEG Extended XMP reassembled: only the GUID the main packet names, only when complete.
    xmp_extended: bytes | None = None
    # PNG tEXt/zTXt/iTXt keyword -> text, first of each keyword, XMP and raw profiles apart.
    png_text: dict[str, str] = field(default_factory=dict)
    icc: bytes | None = None
    size: tuple[int, int] | None = None  # stored pixels' width and height


def read_blocks(path: pathlib.Path, warn: Warn) -> Blocks:
    """Every metadata block of the image at ``path``, header only. Problems become warnings."""
    blocks = Blocks()
    _read_with_pillow(path, blocks, warn)
    head = b""
    try:
        with path.open("rb") as fp:
            head = fp.read(8)
            if head.startswith(JPEG_SOI):
                _read_jpeg(fp, blocks, warn)
            elif head == imaging.PNG_SIGNATURE:
                _read_png(fp, blocks, warn)
            elif head[:4] in TIFF_MAGIC:
                _read_tiff(fp, blocks, warn)
    except (OSError, ValueError, struct.error) as exc:  # the walkers check what they read
        warn(f"image: the file could not be read ({exc}); some blocks may be missing")
    if head == imaging.PNG_SIGNATURE:
        # Pillow sees an eXIf chunk only before the image data, and leaves ImageMagick's
        # "Raw profile type exif" text chunk undecoded; without decoding pixels, this finds both.
        blocks.exif = imaging.png_exif(path) or blocks.exif
    if blocks.exif:
        blocks.exif = blocks.exif.removeprefix(_EXIF_HEADER) or None
    return blocks


# What only Pillow reads: when it cannot open the file, the walkers still find the rest.
_PILLOW_ONLY = "its size and ICC profile, and a WebP's, AVIF's or GIF's EXIF and XMP,"


def _read_with_pillow(path: pathlib.Path, blocks: Blocks, warn: Warn) -> None:
    """Open the header with Pillow (never the pixels): size, ICC profile, EXIF and XMP."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # Pixel limits are the caller's business; here a big image is just a big image.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            Image.init()
            formats = [name for name in PILLOW_FORMATS if name in Image.OPEN]
            with Image.open(path, formats=formats) as im:
                blocks.size = im.size
                exif = im.info.get("exif")
                blocks.exif = exif if isinstance(exif, bytes) else None
                xmp = im.info.get("xmp") or im.info.get(_PNG_XMP_KEYWORD)
                if isinstance(xmp, str | bytes):
                    blocks.xmp = xmp.encode("utf-8") if isinstance(xmp, str) else xmp
                icc = im.info.get("icc_profile")
                blocks.icc = icc if isinstance(icc, bytes) and icc else None
        except Image.DecompressionBombError as exc:
            warn(f"image: not opened, too many pixels ({exc}); {_PILLOW_ONLY} not read")
        except (OSError, SyntaxError, ValueError) as exc:
            warn(f"image: Pillow could not open the file ({exc}); {_PILLOW_ONLY} not read")
    for caught_warning in caught:
        warn(f"image: {caught_warning.message}")


# JPEG ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ExtensionChunk:
    """One APP1 segment of Extended XMP: its header, and where its piece of the packet lies."""

    guid: str
    total: int
    offset: int
    data: Segment


def _read_jpeg(fp: BinaryIO, blocks: Blocks, warn: Warn) -> None:
    """APP1 (EXIF, XMP, Extended XMP) and APP13 (Photoshop IRB) segments, up to the scan."""
    xmp: bytes | None = None
    exif: bytes | None = None
    extension: list[_ExtensionChunk] = []
    photoshop: bytearray | None = None  # the run of consecutive Photoshop APP13 segments
    resources: dict[int, bytes] = {}
    for segment in jpeg_segments(fp, warn):
        head = read_segment(fp, segment, 80) if segment.kind in (_APP1, _APP13) else b""
        in_run = segment.kind == _APP13 and head.startswith(_PHOTOSHOP_HEADER)
        if photoshop is not None and not in_run:
            _keep_first(resources, _irb_resources(bytes(photoshop), "JPEG APP13", warn))
            photoshop = None
        if segment.kind == _APP1 and head.startswith(_EXIF_HEADER) and exif is None:
            exif = read_segment(fp, segment)
        elif segment.kind == _APP1 and head.startswith(_XMP_HEADER) and xmp is None:
            xmp = read_segment(fp, segment)[len(_XMP_HEADER) :]
        elif segment.kind == _APP1 and head.startswith(_XMP_EXTENSION_HEADER):
            if chunk := _extension_chunk(head, segment, warn):
                extension.append(chunk)
        elif in_run:
            data = read_segment(fp, segment)[len(_PHOTOSHOP_HEADER) :]
            photoshop = _grown_irb(photoshop, data, warn)
        elif segment.kind == _APP13 and head.startswith(_PHOTOSHOP_OLD_HEADER):
            data = read_segment(fp, segment)[_PHOTOSHOP_OLD_LENGTH:]
            _keep_first(resources, _irb_resources(data, "JPEG APP13", warn))
    if photoshop is not None:
        _keep_first(resources, _irb_resources(bytes(photoshop), "JPEG APP13", warn))
    blocks.exif = blocks.exif or exif
    blocks.xmp = xmp or blocks.xmp
    blocks.iim = resources.get(IRB_IIM) or None
    blocks.iim_digest = _digest(resources.get(IRB_DIGEST), warn)
    blocks.xmp_extended = _extended_xmp(fp, extension, blocks.xmp, warn)


def _grown_irb(run: bytearray | None, data: bytes, warn: Warn) -> bytearray:
    """The Photoshop run with one more segment's data, if it stays within MAX_IRB_BYTES."""
    run = bytearray() if run is None else run
    if len(run) + len(data) > MAX_IRB_BYTES:
        warn(f"IPTC: Photoshop data over {MAX_IRB_BYTES:,} bytes; the rest not read")
    else:
        run += data
    return run


def _keep_first(kept: dict[int, bytes], found: dict[int, bytes]) -> None:
    for resource, data in found.items():
        kept.setdefault(resource, data)


def _extension_chunk(head: bytes, segment: Segment, warn: Warn) -> _ExtensionChunk | None:
    """The header of an Extended XMP segment: GUID, total length, this piece's offset."""
    if len(head) < _EXTENSION_HEAD:
        warn("XMP: an Extended XMP segment too short for its header; segment ignored")
        return None
    at = len(_XMP_EXTENSION_HEADER)
    guid = head[at : at + 32].decode("latin-1")
    if not guid.isascii() or not guid.isalnum():
        warn("XMP: an Extended XMP segment with an invalid GUID; segment ignored")
        return None
    total = int.from_bytes(head[at + 32 : at + 36], "big")
    offset = int.from_bytes(head[at + 36 : at + 40], "big")
    data = Segment(segment.kind, segment.start + _EXTENSION_HEAD, segment.length - _EXTENSION_HEAD)
    return _ExtensionChunk(guid, total, offset, data)


def _extended_xmp(
    fp: BinaryIO, chunks: list[_ExtensionChunk], main: bytes | None, warn: Warn
) -> bytes | None:
    """The Extended XMP the main packet names (xmpNote:HasExtendedXMP), put back together
    from its pieces by offset; None, with a warning, unless every byte of it is there."""
    named = _named_guid(main)
    for guid in sorted({chunk.guid for chunk in chunks} - {named}):
        warn(f"XMP: Extended XMP {guid} is not the one the main packet names; ignored")
    if named is None or main is None:
        return None
    mine = [chunk for chunk in chunks if chunk.guid == named]
    if not mine:
        warn(f"XMP: the main packet names Extended XMP {named}, which the file lacks")
        return None
    total = mine[-1].total  # as ExifTool does when the pieces disagree
    if any(chunk.total != total for chunk in mine):
        warn(f"XMP: the pieces of Extended XMP {named} give different totals; the last taken")
    if len(main) + total > MAX_XMP_BYTES:
        warn(f"XMP: Extended XMP of {total:,} bytes is too large; ignored")
        return None
    pieces: dict[int, _ExtensionChunk] = {}
    for chunk in mine:
        if chunk.offset + chunk.data.length > total:
            warn(
                f"XMP: an Extended XMP piece at offset {chunk.offset:,} runs past its total "
                f"of {total:,} bytes; piece ignored"
            )
        else:
            pieces.setdefault(chunk.offset, chunk)
    packet = bytearray()
    while len(packet) < total:
        piece = pieces.get(len(packet))
        if piece is None or not piece.data.length:
            warn(
                f"XMP: Extended XMP {named} is incomplete (the piece at offset "
                f"{len(packet):,} of {total:,} bytes is missing); ignored"
            )
            return None
        packet += read_segment(fp, piece.data)
    return bytes(packet) or None


def _named_guid(main: bytes | None) -> str | None:
    """The GUID in the main packet's xmpNote:HasExtendedXMP (attribute or element)."""
    match = _HAS_EXTENDED_XMP.search(main) if main else None
    if match is None:
        return None
    return (match.group(1) or match.group(2)).decode("ascii")


# Photoshop IRB --------------------------------------------------------------------------


def _irb_resources(data: bytes, where: str, warn: Warn) -> dict[int, bytes]:
    """The IIM (0x0404) and IPTC digest (0x0425) resources of a Photoshop IRB, first of each.

    Walked as ExifTool walks it: type, id, Pascal name padded to even, size, data padded
    to even; a bad resource ends the walk with a warning, what came before it stands.
    """
    found: dict[int, bytes] = {}
    at = 0
    for _ in range(MAX_IRB_RESOURCES):
        if at + 8 >= len(data):
            return found
        if data[at : at + 4] not in _IRB_TYPES:
            warn(f"IPTC: a bad Photoshop resource type in {where}; later resources not read")
            return found
        resource = int.from_bytes(data[at + 4 : at + 6], "big")
        name_length = data[at + 6]
        at += 7 + name_length + (0 if name_length % 2 else 1)
        if at + 4 > len(data):
            warn(f"IPTC: a Photoshop resource cut off in {where}; later resources not read")
            return found
        size = int.from_bytes(data[at : at + 4], "big")
        at += 4
        if at + size > len(data):
            warn(
                f"IPTC: Photoshop resource {resource:#06x} of {size:,} bytes runs past the end "
                f"of {where}; it and later resources not read"
            )
            return found
        if resource in (IRB_IIM, IRB_DIGEST):
            found.setdefault(resource, data[at : at + size])
        at += size + size % 2
    warn(f"IPTC: more than {MAX_IRB_RESOURCES:,} Photoshop resources in {where}; the rest not read")
    return found


def _digest(data: bytes | None, warn: Warn) -> bytes | None:
    if data is not None and len(data) != 16:
        warn(f"IPTC: the stored IPTC digest has {len(data)} bytes, not 16; ignored")
        return None
    return data


# TIFF ------------------------------------------------------------------------------------


def _read_tiff(fp: BinaryIO, blocks: Blocks, warn: Warn) -> None:
    """IFD0's XMP (700), IIM (33723) and Photoshop IRB (34377), read as stored."""
    found = tiff_ifd0(fp, {_TIFF_XMP, _TIFF_IIM, _TIFF_IRB}, warn)
    xmp = _bounded(fp, found.get(_TIFF_XMP), MAX_XMP_BYTES, "XMP: tag 700", warn)
    iim = _bounded(fp, found.get(_TIFF_IIM), MAX_IRB_BYTES, "IPTC: tag 33723", warn)
    irb = _bounded(fp, found.get(_TIFF_IRB), MAX_IRB_BYTES, "IPTC: tag 34377", warn)
    resources = _irb_resources(irb, "TIFF tag 34377", warn) if irb else {}
    blocks.xmp = xmp or blocks.xmp
    blocks.iim = iim or None
    if not iim and resources.get(IRB_IIM):
        # Not where the TIFF/EP and MWG put it; ExifTool's MWG reading ignores it as well.
        warn("IPTC: IIM only inside the Photoshop resources (tag 34377), not tag 33723; ignored")
    blocks.iim_digest = _digest(resources.get(IRB_DIGEST), warn)


def _bounded(
    fp: BinaryIO, segment: Segment | None, limit: int, what: str, warn: Warn
) -> bytes | None:
    if segment is None:
        return None
    if segment.length > limit:
        warn(f"{what} holds {segment.length:,} bytes, over {limit:,}; not read")
        return None
    return read_segment(fp, segment) or None


# PNG -------------------------------------------------------------------------------------


def _read_png(fp: BinaryIO, blocks: Blocks, warn: Warn) -> None:
    """XMP and text keywords from tEXt, zTXt and iTXt chunks, wherever they are."""
    xmp: bytes | None = None
    text: dict[str, str] = {}
    budget, crowded = MAX_PNG_TEXT_READ, False
    for chunk in png_chunks(fp, warn):
        if chunk.kind not in (b"tEXt", b"zTXt", b"iTXt"):
            continue
        name = chunk.kind.decode("ascii") if isinstance(chunk.kind, bytes) else ""
        if chunk.length > MAX_XMP_BYTES + 1024:
            warn(f"PNG: a {name} chunk of {chunk.length:,} bytes is too large; not read")
            continue
        if chunk.length > budget:
            warn(f"PNG: text chunks of over {MAX_PNG_TEXT_READ:,} bytes in all; the rest not read")
            break
        budget -= chunk.length
        data = read_png_chunk(fp, chunk, warn)
        keyword, _, rest = (data or b"").partition(b"\0")
        if data is None or not _is_keyword(keyword, name, warn):
            continue
        key = keyword.decode("latin-1")
        is_xmp = key == _PNG_XMP_KEYWORD
        if key.startswith(_PNG_RAW_PROFILE) or (xmp is not None if is_xmp else key in text):
            continue
        if not is_xmp and len(text) >= MAX_PNG_KEYWORDS:
            if not crowded:
                warn(f"PNG: more than {MAX_PNG_KEYWORDS} text keywords; the rest not read")
            crowded = True
            continue
        limit = MAX_XMP_BYTES if is_xmp else MAX_PNG_TEXT_BYTES
        value = _png_text_value(name, key, rest, limit, warn)
        if value is None:
            continue
        if is_xmp:
            xmp = value
        else:
            text[key] = value.decode("utf-8" if name == "iTXt" else "latin-1", "replace")
    blocks.xmp = xmp or blocks.xmp
    blocks.png_text = text


def _is_keyword(keyword: bytes, chunk: str, warn: Warn) -> bool:
    if 1 <= len(keyword) <= 79:
        return True
    warn(f"PNG: a {chunk} chunk without a valid keyword; chunk skipped")
    return False


def _png_text_value(chunk: str, key: str, rest: bytes, limit: int, warn: Warn) -> bytes | None:
    """The text bytes of a text chunk after its keyword: inflated (to at most ``limit``
    bytes) when compressed, the iTXt language tag and translated keyword skipped."""
    if chunk == "tEXt":
        compressed, method, value = False, b"\0", rest
    elif chunk == "zTXt":
        compressed, method, value = True, rest[:1], rest[1:]
    else:
        compressed, method = rest[:1] == b"\1", rest[1:2]
        value = rest[2:].split(b"\0", 2)[-1] if rest.count(b"\0", 2) >= 2 else b""
    if compressed and method != b"\0":
        warn(f"PNG: {chunk} {key!r} uses an unknown compression method; not read")
        return None
    if compressed:
        inflater = zlib.decompressobj()
        try:
            value = inflater.decompress(value, limit)
        except zlib.error as exc:
            warn(f"PNG: {chunk} {key!r} has damaged compressed text ({exc}); not read")
            return None
        if inflater.unconsumed_tail or (not inflater.eof and inflater.decompress(b"", 1)):
            warn(f"PNG: {chunk} {key!r} inflates past {limit:,} bytes; not read")
            return None
    elif len(value) > limit:
        warn(f"PNG: {chunk} {key!r} holds over {limit:,} bytes; not read")
        return None
    return value
