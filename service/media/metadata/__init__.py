"""Read what the camera and the photo desk embedded in an image.

EXIF comes from exifread (exif); IPTC-IIM (iptc), XMP (xmp) and the ICC profile (icc) from
Pillow. XMP is parsed with defusedxml and any DTD refuses the file. Only headers are read:
pixels are never decoded, so a 150-megapixel original costs what its metadata costs
(reader.read_metadata).

Precedence for the rights text fields (IPTC Photo Metadata Standard): XMP
first, then IPTC-IIM, then EXIF. XMP is the standard's own, Unicode and
language-aware serialisation; IIM is the legacy form with byte limits (2:110
Credit holds 32 bytes); EXIF text is ASCII by spec and is often a camera-body
default. The IPTC digest is not checked. Camera facts (date taken, make,
model, orientation, GPS) come from EXIF first, then XMP (summary).

This package re-exports what callers use, so ``metadata.read_metadata(...)`` reads as it did
when it was one module.
"""

from service.media.metadata.exif import MAX_BINARY_BYTES, MAX_IFDS, read_exif
from service.media.metadata.icc import ICC_FIELDS, read_icc
from service.media.metadata.iptc import IIM_BINARY, IIM_NAMES, UTF8_ESCAPE, read_iptc
from service.media.metadata.reader import (
    MAX_KEY_CHARS,
    MAX_RAW_TAGS,
    MAX_WARNINGS,
    PILLOW_FORMATS,
    EmbeddedMetadata,
    read_metadata,
)
from service.media.metadata.summary import (
    TEXT_SOURCES,
    _gps_to_decimal,
    _iso_datetime,
    pick_text,
    summarise,
)
from service.media.metadata.text import MAX_RAW_CHARS, Warn
from service.media.metadata.xmp import (
    MAX_XMP_BYTES,
    MAX_XMP_DEPTH,
    RDF,
    XML_NS,
    XMP_PREFIXES,
    UnsafeMetadata,
    read_xmp,
)

__all__ = [
    "ICC_FIELDS",
    "IIM_BINARY",
    "IIM_NAMES",
    "MAX_BINARY_BYTES",
    "MAX_IFDS",
    "MAX_KEY_CHARS",
    "MAX_RAW_CHARS",
    "MAX_RAW_TAGS",
    "MAX_WARNINGS",
    "MAX_XMP_BYTES",
    "MAX_XMP_DEPTH",
    "PILLOW_FORMATS",
    "RDF",
    "TEXT_SOURCES",
    "UTF8_ESCAPE",
    "XML_NS",
    "XMP_PREFIXES",
    "EmbeddedMetadata",
    "UnsafeMetadata",
    "Warn",
    "_gps_to_decimal",
    "_iso_datetime",
    "pick_text",
    "read_exif",
    "read_icc",
    "read_iptc",
    "read_metadata",
    "read_xmp",
    "summarise",
]
