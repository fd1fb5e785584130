"""read_metadata: the blocks taken out of a file's header, read, summarised and bounded."""

from __future__ import annotations

import hashlib
import io
import pathlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from exifread.core.ifd_tag import IfdTag

from service.media.metadata import containers
from service.media.metadata.exif import copyright_notices, read_exif
from service.media.metadata.icc import read_icc
from service.media.metadata.iptc import iim_values, parse_iim
from service.media.metadata.people import read_people
from service.media.metadata.summary import BlockValues, summarise
from service.media.metadata.text import Warn, _clip, joined
from service.media.metadata.xmp import parse_packets, xmp_values
from service.rules import mwg

# What one file may add to its record, however its metadata is built: raw values kept per block
# (the rights and camera fields always are), the length of a raw key, and warnings.
MAX_RAW_TAGS = 500
MAX_KEY_CHARS = 200
MAX_WARNINGS = 50


PILLOW_FORMATS = containers.PILLOW_FORMATS  # the formats ingest accepts


@dataclass(frozen=True)
class EmbeddedMetadata:
    """Normalised rights fields, the raw tags they came from, and what went wrong reading them."""

    summary: dict[str, Any]
    raw: dict[str, dict[str, str]]
    warnings: list[str]


def read_metadata(path: pathlib.Path) -> EmbeddedMetadata:
    """Read EXIF, IPTC-IIM, XMP, PNG text and ICC from the image at ``path``, header only.

    Damaged metadata gives warnings, never exceptions. Raises UnsafeMetadata when
    the XMP declares a DTD or entities (billion laughs, external entities).
    """
    found: list[str] = []
    blocks = containers.read_blocks(path, found.append)
    xmp_root = parse_packets(blocks.xmp, blocks.xmp_extended, found.append)
    packets = (blocks.xmp or b"") + (blocks.xmp_extended or b"")  # both declare prefixes
    xmp = xmp_values(packets, xmp_root, found.append) if xmp_root is not None else {}
    exif_raw, exif_tags = _exif(path, blocks, found.append)
    datasets = parse_iim(blocks.iim, found.append) if blocks.iim else {}
    iim = iim_values(datasets)
    iim_md5 = hashlib.md5(blocks.iim, usedforsecurity=False).digest() if blocks.iim else None
    digest = mwg.digest_state(iim_md5, blocks.iim_digest)
    png = {_clip(key, MAX_KEY_CHARS): _clip(text) for key, text in blocks.png_text.items()}
    values = BlockValues(exif=exif_raw, iptc=iim, xmp=xmp, png=png)
    raw = {
        "exif": exif_raw,
        "iptc": joined(iim),
        "xmp": joined(xmp),
        "icc": read_icc(blocks.icc, found.append) if blocks.icc else {},
        "png": png,
    }
    summary = summarise(values, exif_tags, digest, found.append)
    summary["icc_profile"] = raw["icc"].get("description")
    summary["people"] = (
        read_people(
            xmp_root, size=blocks.size, orientation=summary["orientation"], warn=found.append
        )
        if xmp_root is not None
        else None
    )
    kept = {
        block: _bounded(block, texts, found.append)
        for block, texts in raw.items()
        if texts or block != "png"  # PNG text only for PNGs that have some
    }
    return EmbeddedMetadata(summary=summary, raw=kept, warnings=_bounded_warnings(found))


def _exif(
    path: pathlib.Path, blocks: containers.Blocks, warn: Warn
) -> tuple[dict[str, str], dict[str, IfdTag]]:
    """The EXIF tags of the file, read by exifread from the file, then from the block."""
    with path.open("rb") as fp:
        exif_raw, exif_tags = read_exif(fp, path.stat().st_size, warn)
        # exifread keeps only the photographer's notice; a TIFF is its own EXIF block.
        notices = copyright_notices(io.BytesIO(blocks.exif) if blocks.exif else fp)
    if blocks.exif and "Orientation" not in exif_tags:
        # The found block fills the gaps: exifread misses WebP EXIF without an "Exif" prefix
        # and PNG's raw-profile EXIF, and AVIF keeps orientation in irot/imir, which Pillow
        # writes back. The file's own values win: Pillow's rewritten AVIF block turns "©"
        # into "?".
        more_raw, more_tags = read_exif(io.BytesIO(blocks.exif), len(blocks.exif), warn)
        exif_raw, exif_tags = more_raw | exif_raw, more_tags | exif_tags
    if notices:
        exif_raw["Copyright"] = notices
    return exif_raw, exif_tags


# Raw keys the summary reads (every MWG field's sources, and what goes with them): kept
# whatever else a block holds.
_SUMMARY_SOURCES = {source for rule in mwg.FIELDS.values() for source in rule.sources} | {
    "exif:OffsetTimeOriginal", "exif:Make", "exif:Model", "exif:GPSLatitude",
    "exif:GPSLatitudeRef", "exif:GPSLongitude", "exif:GPSLongitudeRef", "exif:GPSAltitude",
    "exif:GPSAltitudeRef", "xmp:tiff:Make", "xmp:tiff:Model", "icc:description",
    "iptc:2:60 Time Created", "iptc:1:90 Coded Character Set",
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
