"""Read what the camera and the photo desk embedded in an image.

EXIF comes from exifread; IPTC-IIM, XMP and the ICC profile from Pillow. XMP is
parsed with defusedxml and any DTD refuses the file. Only headers are read:
pixels are never decoded, so a 150-megapixel original costs what its metadata
costs.

Precedence for the rights text fields (IPTC Photo Metadata Standard): XMP
first, then IPTC-IIM, then EXIF. XMP is the standard's own, Unicode and
language-aware serialisation; IIM is the legacy form with byte limits (2:110
Credit holds 32 bytes); EXIF text is ASCII by spec and is often a camera-body
default. The IPTC digest is not checked. Camera facts (date taken, make,
model, orientation, GPS) come from EXIF first, then XMP.
"""

from __future__ import annotations

import io
import logging
import pathlib
import re
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeElementTree
import exifread
from exifread.core.exceptions import ExifNotFound
from exifread.core.exif_header import ExifHeader
from exifread.core.ifd_tag import IfdTag
from exifread.tags.fields import FieldType
from PIL import Image, ImageCms, IptcImagePlugin

from service.media import imaging

MAX_RAW_CHARS = 2000  # longer raw values are cut, so one odd tag cannot bloat a record
MAX_BINARY_BYTES = 256  # non-text EXIF values longer than this are blobs, not shown
MAX_XMP_BYTES = 4 * 1024 * 1024
MAX_XMP_DEPTH = 32
# What one file may add to its record, however its metadata is built: raw values kept per block
# (the rights and camera fields always are), the length of a raw key, and warnings.
MAX_RAW_TAGS = 500
MAX_KEY_CHARS = 200
MAX_WARNINGS = 50
# IFDs exifread walks along the chain (IFD0, the thumbnail's, then TIFF pages): a TIFF may
# chain millions of pages, and exifread would read every tag of each.
MAX_IFDS = 16
# The formats ingest accepts: Image.open tries no other plugin (EPS would run Ghostscript).
PILLOW_FORMATS = ("JPEG", "PNG", "TIFF", "WEBP", "GIF", "AVIF", "HEIF")

Warn = Callable[[str], None]


class UnsafeMetadata(Exception):
    """Embedded XMP declares a DTD or entities; the file is refused."""


@dataclass(frozen=True)
class EmbeddedMetadata:
    """Normalised rights fields, the raw tags they came from, and what went wrong reading them."""

    summary: dict[str, Any]
    raw: dict[str, dict[str, str]]
    warnings: list[str]


# Summary text field -> raw sources in order of precedence ("<block>:<raw key>").
TEXT_SOURCES: dict[str, tuple[str, ...]] = {
    "creator": ("xmp:dc:creator", "iptc:2:80 By-line", "exif:Artist"),
    "copyright_notice": ("xmp:dc:rights", "iptc:2:116 Copyright Notice", "exif:Copyright"),
    "credit_line": ("xmp:photoshop:Credit", "iptc:2:110 Credit"),
    "web_statement": ("xmp:xmpRights:WebStatement",),
    "usage_terms": ("xmp:xmpRights:UsageTerms",),
    "description": (
        "xmp:dc:description",
        "iptc:2:120 Caption/Abstract",
        "exif:ImageDescription",
    ),
    "alt_text": ("xmp:Iptc4xmpCore:AltTextAccessibility",),
    "title": ("xmp:dc:title", "iptc:2:05 Object Name"),
}

IIM_NAMES = {
    (1, 90): "Coded Character Set", (2, 0): "Record Version", (2, 5): "Object Name",
    (2, 15): "Category", (2, 20): "Supplemental Category", (2, 25): "Keywords",
    (2, 40): "Special Instructions", (2, 55): "Date Created", (2, 60): "Time Created",
    (2, 65): "Originating Program", (2, 80): "By-line", (2, 85): "By-line Title",
    (2, 90): "City", (2, 92): "Sub-location", (2, 95): "Province/State",
    (2, 100): "Country Code", (2, 101): "Country", (2, 103): "Job Identifier",
    (2, 105): "Headline", (2, 110): "Credit", (2, 115): "Source",
    (2, 116): "Copyright Notice", (2, 118): "Contact", (2, 120): "Caption/Abstract",
    (2, 122): "Writer/Editor",
}  # fmt: skip
IIM_BINARY = {(1, 0), (1, 20), (1, 22), (2, 0)}
UTF8_ESCAPE = b"\x1b%G"

ICC_FIELDS = {
    "color_space": "xcolor_space", "device_class": "device_class", "version": "version",
    "manufacturer": "manufacturer", "model": "model", "copyright": "copyright",
}  # fmt: skip
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
XML_NS = "{http://www.w3.org/XML/1998/namespace}"
XMP_PREFIXES = {
    "http://purl.org/dc/elements/1.1/": "dc", "http://ns.adobe.com/photoshop/1.0/": "photoshop",
    "http://ns.adobe.com/xap/1.0/rights/": "xmpRights", "http://ns.adobe.com/xap/1.0/": "xmp",
    "http://ns.adobe.com/xap/1.0/mm/": "xmpMM", "http://ns.useplus.org/ldf/xmp/1.0/": "plus",
    "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/": "Iptc4xmpCore",
    "http://iptc.org/std/Iptc4xmpExt/2008-02-29/": "Iptc4xmpExt",
    "http://ns.adobe.com/tiff/1.0/": "tiff", "http://ns.adobe.com/exif/1.0/": "exif",
    "http://cipa.jp/exif/1.0/": "exifEX", "http://ns.adobe.com/exif/1.0/aux/": "aux",
    "http://creativecommons.org/ns#": "cc",
}  # fmt: skip


# Control characters but tab and newline (PostgreSQL cannot store NUL in JSON), lone
# surrogates, the byte-order mark, and the bidi embeddings, overrides and isolates that can
# make text display as something else. Joiners (ZWJ, ZWNJ) stay: scripts and emoji need them.
_UNSHOWABLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\u202a-\u202e\u2066-\u2069]"
)


def _clip(text: str, limit: int = MAX_RAW_CHARS) -> str:
    """Embedded text as it may be stored and shown: without the characters above, at most
    ``limit`` long."""
    text = _UNSHOWABLE.sub("", text[: 4 * limit])
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _BoundedExifHeader(ExifHeader):
    """exifread's reader, following the chain of IFDs for at most MAX_IFDS of them."""

    def list_ifd(self) -> list[int]:
        ifds: list[int] = []
        offset = self._first_ifd()
        while offset and len(ifds) < MAX_IFDS:
            if offset in ifds:
                logging.getLogger("exifread").warning("IFD loop detected.")
                break
            ifds.append(offset)
            offset = self._next_ifd(offset)
        else:
            if offset:
                logging.getLogger("exifread").warning(
                    "more than %d IFDs chained; the rest are not read", MAX_IFDS
                )
        return ifds


# ``exifread.process_file`` builds its reader from this module attribute.
exifread.ExifHeader = _BoundedExifHeader  # type: ignore[attr-defined]


def pick_text(raw: dict[str, dict[str, str]], sources: Sequence[str]) -> dict[str, str] | None:
    """The first non-blank value among ``sources``, with the source it came from."""
    for source in sources:
        block, _, key = source.partition(":")
        value = raw.get(block, {}).get(key, "").strip()
        if value:
            return {"value": value, "source": source}
    return None


def _gps_to_decimal(dms: Sequence[Any], ref: str) -> float | None:
    """Degrees, minutes, seconds (numbers or ratios) and N/S/E/W -> signed decimal degrees."""
    if isinstance(dms, str | bytes) or not isinstance(dms, Sequence):
        return None  # text where numbers should be
    try:
        parts = [float(part) for part in dms][:3]
    except (TypeError, ValueError, ZeroDivisionError):  # a ratio with a zero denominator
        return None
    if not parts:
        return None
    degrees = sum(part / 60.0**i for i, part in enumerate(parts))
    return -degrees if ref.strip().upper()[:1] in ("S", "W") else degrees


def _iso_datetime(text: str, offset: str = "") -> str | None:
    """EXIF "YYYY:MM:DD HH:MM:SS" or XMP ISO 8601 -> ISO 8601; None if it is not a date."""
    text = text.strip()
    if re.fullmatch(r"\d{4}:\d\d:\d\d \d\d:\d\d:\d\d.*", text):
        text = text[:10].replace(":", "-") + "T" + text[11:19]
        if re.fullmatch(r"[+-]\d\d:\d\d", offset.strip()):
            text += offset.strip()
    try:
        return datetime.fromisoformat(text).isoformat()
    except ValueError:
        return None


@contextmanager
def _exifread_warnings(warn: Warn) -> Iterator[None]:
    """Turn exifread's logged warnings on this thread into our warnings."""
    thread = threading.get_ident()

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            # "no EXIF here" is logged as a warning but is not a problem with the file.
            if record.thread == thread and not isinstance(record.msg, ExifNotFound):
                warn(f"EXIF: {record.getMessage()}")

    handler = Collect(logging.WARNING)
    logger = logging.getLogger("exifread")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def _exif_value(tag: IfdTag) -> str:
    values = tag.values
    if isinstance(values, bytes):  # ASCII that is not UTF-8: old cameras wrote Latin-1
        return values.decode("latin-1").strip(" \0")
    return str(tag.printable).strip(" \0")


def read_exif(fp: BinaryIO, size: int, warn: Warn) -> tuple[dict[str, str], dict[str, IfdTag]]:
    """EXIF tags as {name: text}, plus the exifread tags behind them, from a file or EXIF block.

    ``size`` bounds valid offsets. Tags with offsets or lengths outside it are skipped
    with a warning; exifread's own errors become warnings too, never exceptions.
    """
    with _exifread_warnings(warn):
        try:
            tags = exifread.process_file(fp, details=False, extract_thumbnail=False)
        except Exception as exc:  # exifread is not hardened: a bad file may raise anything
            warn(f"EXIF: could not be read ({type(exc).__name__}: {exc}); EXIF skipped")
            return {}, {}
    raw: dict[str, str] = {}
    kept: dict[str, IfdTag] = {}
    for key, tag in tags.items():
        if not isinstance(tag, IfdTag):  # thumbnails come back as bytes
            continue
        try:
            checked = _checked_tag(key, tag, size, warn)
            if checked is None:
                continue
            name, text = checked
        except Exception as exc:  # exifread decodes a tag of a type or count it did not expect
            warn(f"EXIF: {_clip(key, 80)} could not be read ({type(exc).__name__}); tag skipped")
            continue
        if name in raw:  # "Make" from IFD0 first; a later IFD's is kept under its full key
            name = key
        raw[name] = text
        kept[name] = tag
    return raw, kept


_POINTER_NAMES = ("ExifOffset", "GPSInfo", "InteroperabilityOffset")


def _checked_tag(key: str, tag: IfdTag, size: int, warn: Warn) -> tuple[str, str] | None:
    """(name it is kept under, its text) for one exifread tag, or None (with a warning) for a
    tag whose offset, length or value cannot be trusted."""
    ifd, _, name = key.partition(" ")
    if ifd == "IFD":  # "IFD 2 Artist": the third and later IFDs of a TIFF
        number, _, name = name.partition(" ")
        ifd = f"IFD {number}"
    where = f"{ifd} IFD"
    is_text = tag.field_type == FieldType.ASCII
    values = tag.values
    if tag.field_length > 4 and tag.field_offset + tag.field_length > size:
        warn(f"EXIF: bad offset or length for {name} in {where}; tag skipped")
        return None
    if not is_text and tag.field_length and not values:
        warn(f"EXIF: {name} in {where} could not be read; tag skipped")
        return None
    if name in _POINTER_NAMES:
        first = values[0] if isinstance(values, list) and values else None
        if not isinstance(first, int) or first >= size:
            warn(f"EXIF: {name} in {where} is not an offset within the data; IFD skipped")
            return None
    if not is_text and not tag.prefer_printable and tag.field_length > MAX_BINARY_BYTES:
        return None  # a binary blob (embedded ICC, IPTC, XMP, print settings)
    kept_as = name if ifd in ("Image", "EXIF", "GPS") else key
    return kept_as, _clip(_exif_value(tag))


def _iim_text(value: bytes, utf8: bool) -> str:
    if utf8:
        return value.decode("utf-8", "replace")
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


def read_iptc(datasets: dict[tuple[int, int], bytes | list[bytes]]) -> dict[str, str]:
    """IIM datasets as {"2:116 Copyright Notice": text}, decoded per the 1:90 character set."""
    charset = datasets.get((1, 90), b"")
    utf8 = (charset if isinstance(charset, bytes) else b"".join(charset)) == UTF8_ESCAPE
    raw: dict[str, str] = {}
    for (record, dataset), value in sorted(datasets.items()):
        values = value if isinstance(value, list) else [value]
        name = IIM_NAMES.get((record, dataset), "")
        key = f"{record}:{dataset:02d} {name}".strip()
        if (record, dataset) == (1, 90):
            text = "UTF-8" if utf8 else " ".join(v.hex() for v in values if v)
        elif (record, dataset) in IIM_BINARY:
            text = "; ".join(str(int.from_bytes(v or b"", "big")) for v in values)
        else:
            text = "; ".join(_iim_text(v or b"", utf8).strip() for v in values)
        raw[key] = _clip(text)
    return raw


def _xmp_collect(
    node: Element, path: str, prefixes: dict[str, str], out: dict[str, list[str]], depth: int = 0
) -> None:
    """Flatten one XMP node (simple, array or struct) into ``out[path]``."""

    def name(tag: str) -> str:
        uri, _, local = tag[1:].partition("}")
        return f"{prefixes[uri]}:{local}" if uri in prefixes else tag

    def join(child: str) -> str:
        return f"{path}/{child}" if path else child

    if depth > MAX_XMP_DEPTH:
        return
    for attr, value in node.attrib.items():  # simple properties in attribute shorthand
        if not attr.startswith((RDF, XML_NS)):
            out.setdefault(join(name(attr)), []).append(value.strip())
    if (resource := node.get(RDF + "resource")) is not None:
        out.setdefault(path, []).append(resource.strip())
    if len(node) == 0:
        if path and (node.text or "").strip():
            out.setdefault(path, []).append((node.text or "").strip())
        return
    for child in node:
        if child.tag == RDF + "Alt":  # language alternatives: x-default first, others keyed
            items = child.findall(RDF + "li")
            default = [li for li in items if li.get(XML_NS + "lang") == "x-default"] or items[:1]
            for li in default + [li for li in items if li not in default]:
                lang = li.get(XML_NS + "lang", "x-default")
                where = path if li in default else f"{path}[{lang}]"
                _xmp_collect(li, where, prefixes, out, depth + 1)
        elif child.tag in (RDF + "Seq", RDF + "Bag"):
            for li in child.findall(RDF + "li"):
                _xmp_collect(li, path, prefixes, out, depth + 1)
        elif child.tag == RDF + "Description":  # a struct written as a nested resource
            _xmp_collect(child, path, prefixes, out, depth + 1)
        else:
            _xmp_collect(child, join(name(child.tag)), prefixes, out, depth + 1)


def read_xmp(packet: bytes, warn: Warn) -> dict[str, str]:
    """XMP properties as {"dc:rights": text}; arrays joined with "; ", Lang Alt x-default first.

    Raises UnsafeMetadata when the packet declares a DTD, entities or external references.
    """
    packet = packet.rstrip(b"\0 \t\r\n")
    if len(packet) > MAX_XMP_BYTES:
        warn(f"XMP: packet of {len(packet)} bytes is too large; XMP skipped")
        return {}
    try:
        root = SafeElementTree.fromstring(packet, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise UnsafeMetadata(
            f"embedded XMP declares a DTD or entities ({type(exc).__name__}); file refused"
        ) from exc
    except ParseError as exc:
        warn(f"XMP: not well-formed XML ({exc}); XMP skipped")
        return {}
    # Well-known prefixes win; otherwise use the prefix the document declared.
    declared = re.findall(rb'xmlns:([\w.-]+)\s*=\s*["\']([^"\']*)["\']', packet)
    prefixes = {uri.decode("utf-8", "replace"): p.decode() for p, uri in declared}
    prefixes |= XMP_PREFIXES
    collected: dict[str, list[str]] = {}
    for rdf in root.iter(RDF + "RDF"):
        for description in rdf.findall(RDF + "Description"):
            _xmp_collect(description, "", prefixes, collected)
    return {key: _clip("; ".join(v for v in values if v)) for key, values in collected.items()}


def read_icc(icc: bytes, warn: Warn) -> dict[str, str]:
    """The ICC profile's description and identity, as text."""
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        description = ImageCms.getProfileDescription(profile).strip()
    except (OSError, ImageCms.PyCMSError, TypeError, ValueError) as exc:
        warn(f"ICC: profile could not be read ({exc}); profile ignored")
        return {}
    core = profile.profile
    fields = {"description": description, "size": str(len(icc))} | {
        key: str(getattr(core, attribute) or "").strip() for key, attribute in ICC_FIELDS.items()
    }
    return {key: _clip(value) for key, value in fields.items() if value}


@dataclass
class _Blocks:
    """The metadata blocks Pillow found in the file, still undecoded."""

    exif: bytes | None = None
    iptc: dict[tuple[int, int], bytes | list[bytes]] | None = None
    xmp: bytes | None = None
    icc: bytes | None = None


def _pillow_blocks(path: pathlib.Path, warn: Warn) -> _Blocks:
    """Open the header with Pillow (never the pixels) and take out the raw blocks."""
    blocks = _Blocks()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # Pixel limits are the caller's business; here a big image is just a big image.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            Image.init()
            formats = [name for name in PILLOW_FORMATS if name in Image.OPEN]
            with Image.open(path, formats=formats) as im:
                exif = im.info.get("exif")
                blocks.exif = exif if isinstance(exif, bytes) else None
                xmp = im.info.get("xmp") or im.info.get("XML:com.adobe.xmp")
                if isinstance(xmp, str | bytes):
                    blocks.xmp = xmp.encode("utf-8") if isinstance(xmp, str) else xmp
                icc = im.info.get("icc_profile")
                blocks.icc = icc if isinstance(icc, bytes) and icc else None
                try:
                    blocks.iptc = IptcImagePlugin.getiptcinfo(im)
                except Exception as exc:  # the IIM parser raises SyntaxError, OSError, ...
                    warn(f"IPTC: could not be read ({exc}); IPTC skipped")
        except Image.DecompressionBombError as exc:
            warn(f"image: not opened, too many pixels ({exc}); only EXIF was read")
        except (OSError, SyntaxError, ValueError) as exc:
            warn(f"image: Pillow could not open the file ({exc}); only EXIF was read")
    for caught_warning in caught:
        warn(f"image: {caught_warning.message}")
    return blocks


def _date_taken(exif_raw: dict[str, str], xmp: dict[str, str], warn: Warn) -> str | None:
    """When the shutter fired: EXIF DateTimeOriginal (with its offset), else XMP's dates."""
    if original := exif_raw.get("DateTimeOriginal"):
        if taken := _iso_datetime(original, exif_raw.get("OffsetTimeOriginal", "")):
            return taken
        warn(f"EXIF: DateTimeOriginal {original!r} is not a date; ignored")
    for key in ("photoshop:DateCreated", "exif:DateTimeOriginal"):
        if taken := _iso_datetime(xmp.get(key, "")):
            return taken
    return None


def _gps(exif: dict[str, IfdTag], exif_raw: dict[str, str], warn: Warn) -> dict[str, Any] | None:
    """The EXIF GPS position in signed decimal degrees, or None."""
    if "GPSLatitude" not in exif or "GPSLongitude" not in exif:
        return None
    lat = _gps_to_decimal(exif["GPSLatitude"].values, exif_raw.get("GPSLatitudeRef", ""))
    lon = _gps_to_decimal(exif["GPSLongitude"].values, exif_raw.get("GPSLongitudeRef", ""))
    if lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180:
        warn("GPS: position tags present but not a valid position; ignored")
        return None
    alt = _gps_to_decimal(exif["GPSAltitude"].values, "") if "GPSAltitude" in exif else None
    if alt is not None and exif_raw.get("GPSAltitudeRef") == "1":  # below sea level
        alt = -alt
    return {"latitude": lat, "longitude": lon, "altitude": alt}


def summarise(
    raw: dict[str, dict[str, str]], exif: dict[str, IfdTag], warn: Warn
) -> dict[str, Any]:
    """The flat, JSON-ready summary: rights text with sources, then the camera facts."""
    summary: dict[str, Any] = {f: pick_text(raw, s) for f, s in TEXT_SOURCES.items()}
    xmp, exif_raw = raw["xmp"], raw["exif"]
    summary["date_taken"] = _date_taken(exif_raw, xmp, warn)
    summary["camera_make"] = exif_raw.get("Make") or xmp.get("tiff:Make") or None
    summary["camera_model"] = exif_raw.get("Model") or xmp.get("tiff:Model") or None
    values = exif["Orientation"].values if "Orientation" in exif else None
    orientation: Any = values[0] if isinstance(values, list) and values else None
    if orientation is None and xmp.get("tiff:Orientation", "").strip().isdigit():
        orientation = int(xmp["tiff:Orientation"])
    summary["orientation"] = orientation if orientation in range(1, 9) else None
    summary["gps"] = _gps(exif, exif_raw, warn)
    # Any GPS tag is location data worth flagging, even without a usable position.
    summary["has_gps"] = summary["gps"] is not None or any(
        key.startswith(("GPS", "exif:GPS")) and key not in ("GPSVersionID", "GPSInfo")
        for key in [*exif_raw, *xmp]
    )
    summary["icc_profile"] = raw["icc"].get("description")
    return summary


def read_metadata(path: pathlib.Path) -> EmbeddedMetadata:
    """Read EXIF, IPTC-IIM, XMP and ICC from the image at ``path``, header only.

    Damaged metadata gives warnings, never exceptions. Raises UnsafeMetadata when
    the XMP declares a DTD or entities (billion laughs, external entities).
    """
    found: list[str] = []
    blocks = _pillow_blocks(path, found.append)
    with path.open("rb") as fp:
        png = fp.read(8) == imaging.PNG_SIGNATURE
    if png:
        # Pillow sees an eXIf chunk only before the image data, and leaves ImageMagick's
        # "Raw profile type exif" text chunk undecoded; without decoding pixels, this finds both.
        blocks.exif = imaging.png_exif(path) or blocks.exif
    xmp = read_xmp(blocks.xmp, found.append) if blocks.xmp else {}
    with path.open("rb") as fp:
        exif_raw, exif_tags = read_exif(fp, path.stat().st_size, found.append)
    if blocks.exif and "Orientation" not in exif_tags:
        # Pillow's copy of the block fills the gaps: exifread misses WebP EXIF without an
        # "Exif" prefix and PNG's raw-profile EXIF, and AVIF keeps orientation in irot/imir,
        # which Pillow writes back.
        # The file's own values win: Pillow's rewritten AVIF block turns "©" into "?".
        block = blocks.exif.removeprefix(b"Exif\0\0")
        more_raw, more_tags = read_exif(io.BytesIO(block), len(block), found.append)
        exif_raw, exif_tags = more_raw | exif_raw, more_tags | exif_tags
    raw = {
        "exif": exif_raw,
        "iptc": read_iptc(blocks.iptc) if blocks.iptc else {},
        "xmp": xmp,
        "icc": read_icc(blocks.icc, found.append) if blocks.icc else {},
    }
    summary = summarise(raw, exif_tags, found.append)
    kept = {block: _bounded(block, values, found.append) for block, values in raw.items()}
    return EmbeddedMetadata(summary=summary, raw=kept, warnings=_bounded_warnings(found))


# Raw keys the summary reads: kept whatever else a block holds.
_SUMMARY_SOURCES = {source for sources in TEXT_SOURCES.values() for source in sources} | {
    "exif:DateTimeOriginal", "exif:OffsetTimeOriginal", "exif:Make", "exif:Model",
    "exif:Orientation", "exif:GPSLatitude", "exif:GPSLatitudeRef", "exif:GPSLongitude",
    "exif:GPSLongitudeRef", "exif:GPSAltitude", "exif:GPSAltitudeRef", "xmp:tiff:Make",
    "xmp:tiff:Model", "xmp:tiff:Orientation", "xmp:photoshop:DateCreated",
    "xmp:exif:DateTimeOriginal", "icc:description",
}  # fmt: skip


def _bounded(block: str, raw: dict[str, str], warn: Warn) -> dict[str, str]:
    """At most MAX_RAW_TAGS of a block's raw values, those the summary reads first; keys cut
    to MAX_KEY_CHARS. A file cannot make its record (a database row) grow without bound."""
    if len(raw) <= MAX_RAW_TAGS and all(len(key) <= MAX_KEY_CHARS for key in raw):
        return raw
    wanted = {key for key in raw if f"{block}:{key}" in _SUMMARY_SOURCES}
    others = [key for key in raw if key not in wanted]
    room = max(0, MAX_RAW_TAGS - len(wanted))
    keep = wanted | set(others[:room])
    if len(others) > room:
        warn(f"{block.upper()}: {len(others) - room} more values not kept (at most {MAX_RAW_TAGS})")
    return {_clip(key, MAX_KEY_CHARS): value for key, value in raw.items() if key in keep}


def _bounded_warnings(found: Sequence[str]) -> list[str]:
    """The distinct warnings, each cut and cleaned, at most MAX_WARNINGS of them."""
    distinct = list(dict.fromkeys(_clip(text, 500) for text in found))
    if len(distinct) <= MAX_WARNINGS:
        return distinct
    more = len(distinct) - (MAX_WARNINGS - 1)
    return [*distinct[: MAX_WARNINGS - 1], f"... and {more} more warnings"]
