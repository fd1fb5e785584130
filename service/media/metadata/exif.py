"""EXIF read with exifread, hardened: bounded IFD chains, checked offsets, errors as warnings."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

import exifread
from exifread.core.exceptions import ExifNotFound
from exifread.core.exif_header import ExifHeader
from exifread.core.ifd_tag import IfdTag
from exifread.tags.fields import FieldType

from service.media.imaging.segments import tiff_ifd0
from service.media.metadata.text import Warn, _clip

MAX_BINARY_BYTES = 256  # non-text EXIF values longer than this are blobs, not shown


# IFDs exifread walks along the chain (IFD0, the thumbnail's, then TIFF pages): a TIFF may
# chain millions of pages, and exifread would read every tag of each.
MAX_IFDS = 16


class _BoundedExifHeader(ExifHeader):
    """exifread's reader, following the chain of IFDs for at most MAX_IFDS of them."""

    def list_ifd(self) -> list[int]:
        """The offsets of the IFDs to read: the chain, cut at MAX_IFDS and at any loop."""
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


_COPYRIGHT = 0x8298
_MAX_COPYRIGHT_BYTES = 64 * 1024


def copyright_notices(tiff: BinaryIO) -> str | None:
    """EXIF Copyright as ExifTool reads it, from a TIFF structure (a file or an EXIF block):
    the photographer's notice and, after a NUL, the editor's, one per line. exifread keeps only
    the photographer's; None when the tag is absent or holds one notice."""
    where = tiff_ifd0(tiff, {_COPYRIGHT}, lambda problem: None).get(_COPYRIGHT)
    if where is None or not 0 < where.length <= _MAX_COPYRIGHT_BYTES:
        return None  # exifread reports damage to the tag
    tiff.seek(where.start)
    notices = tiff.read(where.length).rstrip(b"\0 ").split(b"\0")
    if len(notices) < 2:
        return None
    return _clip("\n".join(_text(notice).strip() for notice in notices[:2]))


def _text(value: bytes) -> str:
    """EXIF "ASCII", as cameras and tools write it: UTF-8 (as ExifTool writes), else Latin-1."""
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("latin-1")


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
