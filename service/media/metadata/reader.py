"""read_metadata: the blocks taken out of a file's header, read, summarised and bounded."""

from __future__ import annotations

import io
import pathlib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PIL import Image, IptcImagePlugin

from service.media import imaging
from service.media.metadata.exif import read_exif
from service.media.metadata.icc import read_icc
from service.media.metadata.iptc import read_iptc
from service.media.metadata.people import read_people
from service.media.metadata.summary import TEXT_SOURCES, summarise
from service.media.metadata.text import Warn, _clip
from service.media.metadata.xmp import parse_xmp, read_xmp

# What one file may add to its record, however its metadata is built: raw values kept per block
# (the rights and camera fields always are), the length of a raw key, and warnings.
MAX_RAW_TAGS = 500
MAX_KEY_CHARS = 200
MAX_WARNINGS = 50


# The formats ingest accepts: Image.open tries no other plugin (EPS would run Ghostscript).
PILLOW_FORMATS = ("JPEG", "PNG", "TIFF", "WEBP", "GIF", "AVIF", "HEIF")


@dataclass(frozen=True)
class EmbeddedMetadata:
    """Normalised rights fields, the raw tags they came from, and what went wrong reading them."""

    summary: dict[str, Any]
    raw: dict[str, dict[str, str]]
    warnings: list[str]


@dataclass
class _Blocks:
    """The metadata blocks Pillow found in the file, still undecoded."""

    exif: bytes | None = None
    iptc: dict[tuple[int, int], bytes | list[bytes]] | None = None
    xmp: bytes | None = None
    icc: bytes | None = None
    size: tuple[int, int] | None = None  # the stored pixels' width and height


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
                blocks.size = im.size
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
    xmp_root = parse_xmp(blocks.xmp, found.append) if blocks.xmp else None
    xmp = read_xmp(blocks.xmp or b"", found.append, xmp_root) if xmp_root is not None else {}
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
    summary["people"] = (
        read_people(
            xmp_root, size=blocks.size, orientation=summary["orientation"], warn=found.append
        )
        if xmp_root is not None
        else None
    )
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
