"""Read what the camera and the photo desk embedded in an image.

EXIF comes from exifread (exif); IPTC-IIM (iptc), XMP (xmp) and the ICC profile (icc) from
the blocks the containers module finds. XMP is parsed with defusedxml and any DTD refuses
the file. Only headers are read: pixels are never decoded, so a 150-megapixel original
costs what its metadata costs (reader.read_metadata).

Where EXIF, IPTC-IIM and XMP disagree, each field is reconciled by the Metadata Working
Group's rules (rules.mwg, as ExifTool's ``-use MWG`` reads them): EXIF first for creator,
copyright, description and date taken; IIM against XMP by the IPTC digest. The summary says
which block each field came from, and ``reconciled`` keeps the other blocks' values.
Containers (containers) find the blocks wherever a format keeps them: JPEG APP1/APP13
(Extended XMP too), TIFF tags, PNG chunks (text keywords too), WebP and AVIF via Pillow.

This package re-exports what callers use, so ``metadata.read_metadata(...)`` reads as it did
when it was one module.
"""

from service.media.metadata.exif import MAX_BINARY_BYTES, MAX_IFDS, read_exif
from service.media.metadata.icc import ICC_FIELDS, read_icc
from service.media.metadata.iptc import IIM_BINARY, IIM_NAMES, UTF8_ESCAPE, iim_values, parse_iim
from service.media.metadata.reader import (
    MAX_KEY_CHARS,
    MAX_RAW_TAGS,
    MAX_WARNINGS,
    PILLOW_FORMATS,
    EmbeddedMetadata,
    read_metadata,
)
from service.media.metadata.summary import (
    TEXT_FIELDS,
    _gps_to_decimal,
    _iso_datetime,
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
    xmp_values,
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
    "TEXT_FIELDS",
    "UTF8_ESCAPE",
    "XML_NS",
    "XMP_PREFIXES",
    "EmbeddedMetadata",
    "UnsafeMetadata",
    "Warn",
    "_gps_to_decimal",
    "_iso_datetime",
    "iim_values",
    "parse_iim",
    "read_exif",
    "read_icc",
    "read_metadata",
    "summarise",
    "xmp_values",
]
