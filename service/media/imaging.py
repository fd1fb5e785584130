"""Pillow at the edge: what an uploaded file really is, decided from its bytes.

A file is accepted only if every pixel of it decodes: Pillow forgives a lot (it skips the CRC of
PNG image data, fills a PNG whose rows run short, lets libjpeg pad a JPEG whose scan ends early
with grey), so each format gets a check of its own besides Pillow's decode
(:func:`incomplete_data`). Render calls the same checks, so an original stored before they
existed cannot be published with missing areas either.
"""

from __future__ import annotations

import contextlib
import functools
import io
import mmap
import re
import struct
import warnings
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import simplejpeg
from PIL import Image, TiffImagePlugin, UnidentifiedImageError

from service.rules.problems import TooManyPixels, UnreadableImage, UnsupportedMediaType

# (Pillow format, media type) per magic signature; the filename and declared type are ignored.
_ISO_BMFF_BRANDS = {
    b"avif": ("AVIF", "image/avif"),
    b"avis": ("AVIF", "image/avif"),
    b"heic": ("HEIF", "image/heic"),
    b"heix": ("HEIF", "image/heic"),
    b"mif1": ("HEIF", "image/heif"),
}
# A progressive JPEG decodes scan by scan, each scan a pass over every block of the image, so a
# file of a few hundred KB repeating one tiny scan thousands of times takes minutes (a "scan
# bomb"). Encoders write about 10 scans; libjpeg-turbo suggests a limit of 500 for untrusted
# input.
MAX_JPEG_SCANS = 256
# Pillow reads a PNG chunk by chunk in Python, ~3 us each even when empty, so 200 MB of 12-byte
# chunks would cost minutes before any pixel. Real files have a few metadata chunks plus data
# chunks (IDAT/fdAT) of kilobytes; only an APNG of tiny frames has thousands of small ones.
MAX_SMALL_PNG_CHUNKS = 10_000
SMALL_PNG_CHUNK = 1024  # bytes of chunk data
# Orientations 5-8 turn the picture a quarter: displayed width and height swap.
_QUARTER_TURNS = {5, 6, 7, 8}
# Pillow holds a decoded RGB pixel in 4 bytes. Over this many pixels ingest does not let Pillow
# decode a PNG (600 MB for a 144-megapixel one): the streaming check of every row, which holds
# one zlib window, proves the same thing.
PILLOW_CHECK_PIXELS = 40_000_000
# Frames after the first of a GIF, WebP or AVIF animation are decoded, one at a time, up to this
# many pixels in all (about a second); past it, a GIF's later frames are only walked to check
# that their data is all there. libwebp and libavif check the whole container as they open it.
ANIMATION_CHECK_PIXELS = 150_000_000
# Beyond the pixel rows a PNG declares, a few extra bytes of image data are tolerated (libpng
# calls them a benign error); more is not a picture but a decompression cost.
PNG_SLACK_BYTES = 1 << 20
# libjpeg warnings that leave every pixel in place: bytes between the last scan and EOI, and an
# Adobe colour-transform code it does not know (it then guesses from the components).
_HARMLESS_JPEG_WARNINGS = (
    re.compile(r"extraneous bytes before marker 0xd9", re.IGNORECASE),
    re.compile(r"unknown Adobe color transform", re.IGNORECASE),
)


@dataclass(frozen=True)
class ImageInfo:
    format: str
    media_type: str
    width: int
    height: int
    orientation: int


def sniff(head: bytes) -> tuple[str, str] | None:
    """The (Pillow format, media type) the first bytes announce, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG", "image/jpeg"
    if head.startswith(PNG_SIGNATURE):
        return "PNG", "image/png"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "TIFF", "image/tiff"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP", "image/webp"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF", "image/gif"
    if head[4:8] == b"ftyp":
        return _ISO_BMFF_BRANDS.get(head[8:12])
    return None


def readable_by_pillow(pillow_format: str) -> bool:
    """Whether the installed Pillow has a decoder for the format (HEIF needs a plugin)."""
    Image.init()
    return pillow_format in Image.OPEN


def displayed_size(width: int, height: int, orientation: int) -> tuple[int, int]:
    """Width and height as a viewer shows them once EXIF orientation is applied."""
    return (height, width) if orientation in _QUARTER_TURNS else (width, height)


def identify(path: Path, max_pixels: int) -> ImageInfo:
    """Check that ``path`` is a supported image within the pixel limit that decodes fully.

    The pixel count is checked from the header, before any pixel is decoded, so that a
    small file declaring huge dimensions is refused cheaply.
    """
    with path.open("rb") as fp:
        head = fp.read(32)
    sniffed = sniff(head)
    if sniffed is None:
        raise UnsupportedMediaType(
            "The file is not a JPEG, PNG, TIFF, WebP, GIF, AVIF or HEIC image "
            "(its type is decided from its bytes, not its name)."
        )
    pillow_format, media_type = sniffed
    if not readable_by_pillow(pillow_format):
        raise UnsupportedMediaType(f"{media_type} files cannot be read by this installation.")
    if bomb := structure_bomb(path, pillow_format):
        raise UnreadableImage(f"The file {bomb}.")
    if pillow_format == "TIFF" and (codec := unreadable_tiff_compression(path)):
        raise UnsupportedMediaType(f"This installation cannot read {codec}.")
    try:
        with warnings.catch_warnings():
            # Bombs are judged below; other warnings are about metadata, which
            # read_metadata reports on its own.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            warnings.simplefilter("ignore", UserWarning)
            with Image.open(path, formats=[pillow_format]) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise TooManyPixels(
                        f"The image is {width}x{height} ({width * height:,} pixels); "
                        f"the limit is {max_pixels:,}."
                    )
                if unrenderable := unrenderable_samples(image):
                    raise UnsupportedMediaType(
                        f"The {media_type} image has {unrenderable}; 8- and 16-bit images "
                        "(signed 16-bit too) are accepted."
                    )
                if pillow_format != "PNG" or width * height <= PILLOW_CHECK_PIXELS:
                    _decode_first_frame(image)
                orientation = exif_orientation(image)
    except Image.DecompressionBombError as error:
        raise TooManyPixels(f"The image declares too many pixels: {error}") from None
    except UnidentifiedImageError:
        if pillow_format == "JPEG" and _jpeg_opens_without_exif(path):
            raise UnreadableImage(
                "The JPEG's EXIF block is damaged in a way the image library cannot read past "
                "(Pillow reads the resolution from it); remove the EXIF block and upload again."
            ) from None
        raise UnreadableImage(f"The file starts like {media_type} but cannot be read.") from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        # Pillow reports truncated and corrupt data as any of these.
        raise UnreadableImage(f"The {media_type} image does not decode: {error}") from None
    if problem := incomplete_data(path, pillow_format):
        raise UnreadableImage(f"The {media_type} image does not decode completely: it {problem}.")
    shown_width, shown_height = displayed_size(width, height, orientation)
    return ImageInfo(pillow_format, media_type, shown_width, shown_height, orientation)


def structure_bomb(path: Path, pillow_format: str) -> str | None:
    """What makes this JPEG or PNG cost far more to open than its size says, or None.

    The checks read only markers and chunk headers, and stop just past their limits.
    """
    if pillow_format == "JPEG" and (scans := jpeg_scans(path)) > MAX_JPEG_SCANS:
        return (
            f"has {scans:,} or more JPEG scans; at most {MAX_JPEG_SCANS} are decoded "
            "(a progressive JPEG has about 10)"
        )
    if pillow_format == "PNG" and (small := small_png_chunks(path)) > MAX_SMALL_PNG_CHUNKS:
        return (
            f"has {small:,} or more PNG chunks of under {SMALL_PNG_CHUNK:,} bytes; at most "
            f"{MAX_SMALL_PNG_CHUNKS:,} are read (a photograph has a handful)"
        )
    return None


def jpeg_scans(path: Path, limit: int = MAX_JPEG_SCANS) -> int:
    """How many start-of-scan markers (FF DA) the file holds, counted up to ``limit + 1``.

    Entropy-coded data never holds FF DA (an FF there is followed by 00 or a restart marker),
    so the count is exact but for byte pairs inside metadata segments, which only add.
    """
    count, tail = 0, b""
    with path.open("rb") as fp:
        while count <= limit and (chunk := fp.read(1 << 20)):
            count += (tail + chunk).count(b"\xff\xda")
            tail = chunk[-1:]
    return count


def small_png_chunks(path: Path, limit: int = MAX_SMALL_PNG_CHUNKS) -> int:
    """How many chunks of under SMALL_PNG_CHUNK bytes the PNG holds, counted up to ``limit + 1``.

    Walks the chunk headers only (length and type), skipping each chunk's data, and stops at
    IEND, at the end of the file or past the limit, so a hostile file costs a few ms.
    """
    count = 0
    with path.open("rb") as fp:
        fp.seek(8)  # the signature
        while count <= limit and len(header := fp.read(8)) == 8:
            length = int.from_bytes(header[:4], "big")
            if header[4:] == b"IEND":
                break
            count += length < SMALL_PNG_CHUNK
            fp.seek(length + 4, 1)  # data and CRC
    return count


def _decode_first_frame(image: Image.Image) -> None:
    """Decode the pixels (first page or frame) with Pillow, as render will.

    JPEGs decode at 1/8 scale through DCT scaling: every entropy-coded byte is still read, so
    truncation is caught (Pillow raises "image file is truncated" at any scale), at a fraction
    of the memory. A scan that ends early but is followed by an EOI marker is not caught here:
    libjpeg pads it with a warning Pillow never shows; :func:`incomplete_data` catches that.
    """
    if image.format == "JPEG":
        image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
    image.seek(0)
    image.load()


# ---------------------------------------------------------------- completeness


def incomplete_data(path: Path, pillow_format: str) -> str | None:
    """What stops the file decoding completely, or None if every pixel it declares is there.

    The checks Pillow's own decode does not make, read straight from the file:

    - PNG: every chunk's CRC (Pillow skips the image data's and those after it), the zlib
      stream of every frame inflated to the exact size of its rows (Pillow fills short rows
      with black), valid filter bytes, IEND, and for APNG the frame control: acTL's frame
      count, each fcTL, the sequence numbers of fcTL and fdAT. Never more than a zlib window
      in memory, whatever the image's size.
    - JPEG: a strict decode at 1/8 scale by libjpeg-turbo (simplejpeg), where any warning
      that means missing or damaged data is an error; Pillow's libjpeg pads them silently.
    - TIFF: the first page's strips or tiles lie within the file; JPEG-compressed ones are
      decoded strictly as above (libtiff pads those too).
    - GIF, WebP, AVIF: the frames after the first are decoded (up to ANIMATION_CHECK_PIXELS);
      a GIF's data blocks are walked to their end.

    The first frame's decode by Pillow is the caller's (identify and render both do it).
    """
    checks = {
        "PNG": png_problem,
        "JPEG": jpeg_problem,
        "TIFF": tiff_problem,
        "GIF": animation_problem,
        "WEBP": animation_problem,
        "AVIF": animation_problem,
    }
    check = checks.get(pillow_format)
    return check(path) if check else None


# ---------------------------------------------------------------- PNG

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
# Adam7: (x start, y start, x step, y step) of each pass.
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
          (0, 1, 1, 2))  # fmt: skip
_READ_BLOCK = 1 << 20
_PNG_MAX_LENGTH = (1 << 31) - 1


class _PngDamage(Exception):
    """What is wrong with a PNG, said as the end of "The image does not decode completely: it"."""


@dataclass
class _Ihdr:
    width: int
    height: int
    depth: int
    colour: int
    interlaced: bool

    def passes(self, width: int, height: int) -> list[tuple[int, int]]:
        """(rows, bytes per row with its filter byte) of each pass over a width x height image."""
        bits = self.depth * _PNG_CHANNELS[self.colour]
        sizes = (
            [(width, height)]
            if not self.interlaced
            else [
                (-(-(width - x) // dx), -(-(height - y) // dy))
                for x, y, dx, dy in _ADAM7
                if width > x and height > y
            ]
        )
        return [(rows, 1 + (columns * bits + 7) // 8) for columns, rows in sizes]


class _Rows:
    """One zlib stream of PNG image data, inflated piece by piece and checked row by row."""

    def __init__(self, what: str, passes: list[tuple[int, int]]) -> None:
        self.what = what
        self.inflater = zlib.decompressobj()
        self.inflated = 0
        self.expected = sum(rows * stride for rows, stride in passes)
        # Where each pass's rows start in the inflated stream: (start, end, stride).
        self.layout: list[tuple[int, int, int]] = []
        start = 0
        for rows, stride in passes:
            self.layout.append((start, start + rows * stride, stride))
            start += rows * stride

    def feed(self, data: bytes) -> None:
        if self.inflater.eof:
            return  # data after the end of the zlib stream is ignored, as libpng does
        try:
            out = self.inflater.decompress(data, _READ_BLOCK)
            self._rows(out)
            while self.inflater.unconsumed_tail and not self.inflater.eof:
                out = self.inflater.decompress(self.inflater.unconsumed_tail, _READ_BLOCK)
                self._rows(out)
        except zlib.error as error:
            raise _PngDamage(
                f"has damaged compressed data in {self.what} (zlib: {error})"
            ) from None

    def _rows(self, out: bytes) -> None:
        start = self.inflated
        self.inflated += len(out)
        if self.inflated > self.expected + PNG_SLACK_BYTES:
            raise _PngDamage(
                f"holds more image data in {self.what} than its size needs "
                f"({self.expected:,} bytes of rows)"
            )
        for first, end, stride in self.layout:
            low, high = max(start, first), min(self.inflated, end)
            if low >= high:
                continue
            row_start = first + -(-(low - first) // stride) * stride
            if row_start < high and max(out[row_start - start : high - start : stride]) > 4:
                raise _PngDamage(f"has a row with an unknown filter type in {self.what}")

    def finish(self) -> None:
        if self.inflated < self.expected:
            raise _PngDamage(
                f"has {self.what} that ends early: {self.inflated:,} of "
                f"{self.expected:,} bytes of pixel rows"
            )


def png_problem(path: Path) -> str | None:
    """What stops this PNG decoding completely (every chunk, every frame), or None."""
    try:
        with path.open("rb") as fp:
            _check_png(fp)
    except _PngDamage as damage:
        return str(damage)
    return None


def _png_chunks(fp: BinaryIO) -> Iterator[tuple[bytes, int, Iterator[bytes]]]:
    """(type, length, pieces of its data) per chunk, the CRC checked once the data is read."""
    if fp.read(8) != PNG_SIGNATURE:
        raise _PngDamage("is not a PNG")
    while True:
        header = fp.read(8)
        if not header:
            raise _PngDamage("ends without an IEND chunk")
        if len(header) < 8:
            raise _PngDamage("is cut off inside a chunk header")
        length, kind = int.from_bytes(header[:4], "big"), header[4:]
        if not kind.isascii() or not kind.isalpha():
            raise _PngDamage(f"has a broken chunk header ({kind!r})")
        name = kind.decode("ascii")
        if length > _PNG_MAX_LENGTH:
            raise _PngDamage(f"has a {name} chunk of impossible length {length:,}")
        crc = zlib.crc32(kind)

        def pieces(length: int = length, name: str = name) -> Iterator[bytes]:
            nonlocal crc
            left = length
            while left:
                piece = fp.read(min(left, _READ_BLOCK))
                if not piece:
                    raise _PngDamage(f"is cut off inside its {name} chunk")
                crc = zlib.crc32(piece, crc)
                left -= len(piece)
                yield piece

        data = pieces()
        yield kind, length, data
        for _ in data:  # whatever the consumer did not read
            pass
        stored = fp.read(4)
        if len(stored) < 4:
            raise _PngDamage(f"is cut off inside its {name} chunk")
        if int.from_bytes(stored, "big") != crc:
            raise _PngDamage(f"has a bad CRC in its {name} chunk (its data is damaged)")
        if kind == b"IEND":
            return


def _small(data: Iterator[bytes], length: int, limit: int = 1 << 16) -> bytes:
    """The whole data of a chunk that has no reason to be large."""
    if length > limit:
        return b""
    return b"".join(data)


def _check_png(fp: BinaryIO) -> None:
    ihdr: _Ihdr | None = None
    palette = False
    image_rows: _Rows | None = None  # the IDAT stream
    image_done = False
    frames_declared: int | None = None
    frames = 0  # fcTL chunks seen
    frame: _Rows | None = None  # the frame whose fdAT chunks are being read
    frame_has_data = False
    sequence = 0
    previous = b""
    for kind, length, data in _png_chunks(fp):
        if ihdr is None:
            if kind != b"IHDR" or length != 13:
                raise _PngDamage("does not start with an IHDR chunk")
            ihdr = _read_ihdr(b"".join(data))
        elif kind == b"IDAT":
            if image_done:
                raise _PngDamage("has its image data (IDAT) split by other chunks")
            if image_rows is None:
                if ihdr.colour == 3 and not palette:
                    raise _PngDamage("has no palette (PLTE) before its image data")
                frame_has_data = frames > 0  # an fcTL before IDAT: IDAT is frame 1
                image_rows = _Rows("its image data (IDAT)", ihdr.passes(ihdr.width, ihdr.height))
            for piece in data:
                image_rows.feed(piece)
        else:
            if image_rows is not None and not image_done:
                image_done = True
                image_rows.finish()
            if kind == b"PLTE":
                palette = True
                if length % 3 or not 3 <= length <= 768:
                    raise _PngDamage(f"has a palette (PLTE) of {length} bytes")
            elif kind == b"acTL":
                if image_rows is not None or frames_declared is not None:
                    raise _PngDamage("has its animation control (acTL) after the image data")
                if length != 8:
                    raise _PngDamage("has a truncated animation control (acTL) chunk")
                frames_declared = int.from_bytes(_small(data, length)[:4], "big")
                if not 0 < frames_declared < 1 << 31:
                    raise _PngDamage(f"declares {frames_declared:,} animation frames in acTL")
            elif kind == b"fcTL" and frames_declared is not None:
                if length != 26:
                    raise _PngDamage("has a truncated frame control (fcTL) chunk")
                body = _small(data, length)
                sequence = _next_sequence(body, sequence)
                if frames and not frame_has_data:
                    raise _PngDamage(f"has animation frame {frames} without image data")
                if frame is not None:
                    frame.finish()
                frame = _frame_rows(ihdr, body, frames, first=image_rows is None)
                frames += 1
                frame_has_data = False
                if image_rows is None:  # the IDAT image is this frame's data
                    frame = None
            elif kind == b"fdAT" and frames_declared is not None:
                if frame is None or image_rows is None:
                    raise _PngDamage("has frame data (fdAT) without its frame control (fcTL)")
                if length < 4:
                    raise _PngDamage("has a truncated frame data (fdAT) chunk")
                if previous not in (b"fcTL", b"fdAT"):
                    raise _PngDamage("has its frame data (fdAT) split by other chunks")
                head = b""
                for piece in data:
                    if len(head) < 4:
                        need = 4 - len(head)
                        head, piece = head + piece[:need], piece[need:]
                        if len(head) == 4:
                            sequence = _next_sequence(head, sequence)
                    if piece:
                        frame.feed(piece)
                frame_has_data = True
            elif kind == b"IEND" and image_rows is None:
                raise _PngDamage("has no image data (IDAT)")
        previous = kind
    if frames_declared is None:
        return
    if not frames:
        raise _PngDamage(
            f"is an animated PNG (acTL, {frames_declared:,} frames) without frame control (fcTL)"
        )
    if frames != frames_declared:
        raise _PngDamage(
            f"declares {frames_declared:,} animation frames in acTL and has {frames:,}"
        )
    if not frame_has_data:
        raise _PngDamage(f"has animation frame {frames} without image data")
    if frame is not None:
        frame.finish()


def _read_ihdr(body: bytes) -> _Ihdr:
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(
        ">IIBBBBB", body
    )
    if not (0 < width <= _PNG_MAX_LENGTH and 0 < height <= _PNG_MAX_LENGTH):
        raise _PngDamage(f"declares a size of {width}x{height}")
    if depth not in _PNG_DEPTHS.get(colour, ()):
        raise _PngDamage(f"declares bit depth {depth} with colour type {colour}")
    if compression or filtering or interlace > 1:
        raise _PngDamage("declares an unknown compression, filter or interlace method")
    return _Ihdr(width, height, depth, colour, interlace == 1)


def _next_sequence(body: bytes, expected: int) -> int:
    number = int.from_bytes(body[:4], "big")
    if number != expected:
        raise _PngDamage(
            f"has animation chunks out of sequence (number {number:,} where {expected:,} was due)"
        )
    return expected + 1


def _frame_rows(ihdr: _Ihdr, body: bytes, index: int, *, first: bool) -> _Rows:
    width, height, x, y = struct.unpack(">IIII", body[4:20])
    dispose, blend = body[24], body[25]
    if not width or not height or x + width > ihdr.width or y + height > ihdr.height:
        raise _PngDamage(f"has animation frame {index + 1} outside the image")
    if first and (x, y, width, height) != (0, 0, ihdr.width, ihdr.height):
        raise _PngDamage("has a first animation frame that does not cover the image")
    if dispose > 2 or blend > 1:
        raise _PngDamage(f"has animation frame {index + 1} with an unknown dispose or blend")
    return _Rows(f"animation frame {index + 1}", ihdr.passes(width, height))


def png_exif(path: Path) -> bytes | None:
    """The EXIF block (a TIFF structure) a PNG carries, wherever it is, without decoding pixels.

    An ``eXIf`` chunk first (before or after the image data), else ImageMagick's
    "Raw profile type exif" (or "APP1") text chunk: tEXt, zTXt or iTXt holding
    "\\nexif\\n   <length>\\n<hex...>", the hex sometimes starting with "Exif\\0\\0".
    """
    found: dict[str, bytes] = {}
    try:
        with path.open("rb") as fp:
            if fp.read(8) != PNG_SIGNATURE:
                return None
            while len(header := fp.read(8)) == 8 and "exif" not in found:
                length, kind = int.from_bytes(header[:4], "big"), header[4:]
                if kind == b"IEND":
                    break
                if kind == b"eXIf" and length <= _MAX_EXIF_BYTES:
                    found["exif"] = fp.read(length)
                    fp.seek(4, 1)
                    continue
                if kind in (b"tEXt", b"zTXt", b"iTXt") and length <= _MAX_EXIF_BYTES * 3:
                    body = fp.read(length)
                    fp.seek(4, 1)
                    if "raw" not in found and (raw := _raw_profile_exif(kind, body)):
                        found["raw"] = raw
                    continue
                fp.seek(length + 4, 1)
    except OSError:
        return None
    block = found.get("exif") or found.get("raw")
    return block.removeprefix(b"Exif\0\0") if block else None


_MAX_EXIF_BYTES = 1 << 20
_RAW_PROFILE_KEYS = (b"Raw profile type exif", b"Raw profile type APP1")


def _raw_profile_exif(kind: bytes, body: bytes) -> bytes | None:
    keyword, _, rest = body.partition(b"\0")
    if keyword not in _RAW_PROFILE_KEYS:
        return None
    try:
        if kind == b"zTXt":
            text = _inflate_bounded(rest[1:])
        elif kind == b"iTXt":
            compressed, rest = rest[:1] == b"\1", rest[2:]
            rest = rest.split(b"\0", 2)[-1]  # past the language tag and translated keyword
            text = _inflate_bounded(rest) if compressed else rest
        else:
            text = rest
        lines = text.decode("latin-1").split()
        # "exif", the byte count, then the hex digits in lines of 72.
        count = int(lines[1])
        data = bytes.fromhex("".join(lines[2:]))
    except (zlib.error, ValueError, IndexError):
        return None
    return data[:count] or None


def _inflate_bounded(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    out = inflater.decompress(data, _MAX_EXIF_BYTES * 3)
    if inflater.unconsumed_tail:
        raise ValueError("too large")
    return out


# ---------------------------------------------------------------- JPEG


def jpeg_problem(path: Path) -> str | None:
    """What libjpeg-turbo, decoding strictly at 1/8 scale, finds wrong with the JPEG, or None.

    Only the segments that make pixels are read (metadata segments may be damaged without
    harm: an ICC profile's chunk numbers, say); any warning that means missing or damaged
    image data is an error. The file is mapped, not read: an upload may be 200 MB.
    """
    with _private_map(path) as data:
        _hide_metadata_segments(data)
        return _jpeg_bytes_problem(data)


def _jpeg_bytes_problem(data: bytes | bytearray | mmap.mmap) -> str | None:
    try:
        height, width, colour, _ = simplejpeg.decode_jpeg_header(data)
        space = {"Gray": "GRAY", "CMYK": "CMYK", "YCCK": "CMYK"}.get(colour, "RGB")
        # The smallest size at least 1/8 of the original: libjpeg's 1/8 DCT scaling.
        simplejpeg.decode_jpeg(
            data, colorspace=space, min_height=max(1, height // 8), min_width=max(1, width // 8)
        )
    except ValueError as error:
        message = str(error)
        if any(pattern.search(message) for pattern in _HARMLESS_JPEG_WARNINGS):
            return None
        return f"has damaged or missing image data (libjpeg: {message.rstrip('.')})"
    return None


def _jpeg_opens_without_exif(path: Path) -> bool:
    """Whether Pillow opens the JPEG once its APP1 EXIF segments are turned into comments."""
    with _private_map(path) as data:
        at, changed = 2, False
        while at + 10 <= len(data) and data[at] == 0xFF and data[at + 1] not in (0xDA, 0xD9):
            length = int.from_bytes(data[at + 2 : at + 4], "big")
            if data[at + 1] == 0xE1 and data[at + 4 : at + 10] == b"Exif\0\0":
                data[at + 1], changed = _COMMENT, True
            at += 2 + length
        if not changed:
            return False
        try:
            with Image.open(data, formats=["JPEG"]):  # type: ignore[arg-type]
                return True
        except (OSError, SyntaxError, ValueError):
            return False


@contextlib.contextmanager
def _private_map(path: Path) -> Iterator[mmap.mmap]:
    """The file mapped copy-on-write: changes stay in this process, and only the pages
    changed (a few KB of headers) take memory of their own."""
    with path.open("rb") as fp:
        size = path.stat().st_size
        # mmap refuses an empty file: map one anonymous zero byte instead, which is no JPEG.
        fileno, access = (fp.fileno(), mmap.ACCESS_COPY) if size else (-1, mmap.ACCESS_WRITE)
        with mmap.mmap(fileno, size or 1, access=access) as data:
            yield data


# Markers whose segments decoding needs: quantisation and Huffman tables, frame headers,
# restart interval, arithmetic conditioning, and Adobe's APP14 (its colour transform).
_JPEG_PIXEL_MARKERS = {0xDB, 0xC4, 0xDD, 0xCC, 0xEE} | (set(range(0xC0, 0xD0)) - {0xC4, 0xC8})
_COMMENT = 0xFE  # COM: libjpeg skips a comment by its length without reading it


def _hide_metadata_segments(data: bytearray | mmap.mmap) -> None:
    """Turn the metadata segments before the first scan (APPn but Adobe's) into comments."""
    at = 2
    while at + 4 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker == 0xDA or marker in (0xD8, 0xD9):
            break
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        if length < 2:
            break
        if marker not in _JPEG_PIXEL_MARKERS:
            data[at + 1] = _COMMENT
        at += 2 + length


# ---------------------------------------------------------------- TIFF

# Compression names (TIFF 6.0, libtiff's tiff.h, the DNG and Adobe registrations).
TIFF_COMPRESSIONS = {
    1: "no compression", 2: "CCITT modified Huffman RLE", 3: "CCITT Group 3 fax",
    4: "CCITT Group 4 fax", 5: "LZW", 6: "old-style JPEG", 7: "JPEG", 8: "Deflate",
    9: "JBIG (ITU-T T.85)", 10: "JBIG2 (ITU-T T.43)", 32766: "NeXT 2-bit RLE",
    32771: "CCITT RLE (word-aligned)", 32773: "PackBits", 32809: "ThunderScan RLE",
    32895: "IT8 CT padding", 32896: "IT8 linework RLE", 32897: "IT8 monochrome picture",
    32898: "IT8 binary line art", 32908: "Pixar film", 32909: "Pixar log",
    32946: "Deflate", 32947: "Kodak DCS", 34661: "JBIG", 34676: "SGI LogLuv",
    34677: "SGI LogLuv 24-bit", 34712: "JPEG 2000", 34713: "Nikon NEF", 34715: "JBIG2",
    34887: "LERC", 34892: "lossy JPEG (DNG)", 34925: "LZMA", 34926: "Zstandard",
    34927: "WebP", 50000: "Zstandard", 50001: "WebP", 50002: "JPEG XL", 52546: "JPEG XL",
}  # fmt: skip
# What Pillow can write, so that this installation's decoder can be tried on a sample:
# compression -> (Pillow's name, mode of the sample). The others Pillow knows are tried on the
# file itself; those it does not know it cannot read.
_TIFF_SAMPLES = {
    3: ("group3", "1"), 4: ("group4", "1"), 5: ("tiff_lzw", "L"), 7: ("jpeg", "L"),
    8: ("tiff_adobe_deflate", "L"), 32946: ("tiff_adobe_deflate", "L"), 32773: ("packbits", "L"),
    34925: ("lzma", "L"), 50000: ("zstd", "L"), 50001: ("webp", "RGB"),
}  # fmt: skip
# Pillow has no mode for SGI LogLuv's pixels (CIE Log L and uv).
_PILLOW_CANNOT = {34676, 34677}


@dataclass(frozen=True)
class TiffPage:
    """The tags of a TIFF's first page that say where its pixels are and how they are coded."""

    compression: int
    offsets: tuple[int, ...]  # of strips or tiles
    byte_counts: tuple[int, ...]
    jpeg_tables: bytes


_TIFF_TYPES = {1: ("B", 1), 3: ("H", 2), 4: ("I", 4), 7: ("B", 1), 16: ("Q", 8)}
_TIFF_MAX_ENTRIES = 4096
_TIFF_MAX_VALUES = 1 << 22


def tiff_first_page(path: Path) -> TiffPage | None:
    """The first page's compression and pixel data, read from the IFD; None if it cannot be."""
    try:
        with path.open("rb") as fp:
            head = fp.read(8)
            order = {b"II*\0": "<", b"MM\0*": ">"}.get(head[:4])
            if order is None:
                return None
            (at,) = struct.unpack(order + "I", head[4:8])
            fp.seek(at)
            (count,) = struct.unpack(order + "H", fp.read(2))
            if count > _TIFF_MAX_ENTRIES:
                return None
            entries = fp.read(12 * count)
            tags: dict[int, tuple[int, ...] | bytes] = {}
            for index in range(len(entries) // 12):
                tag, kind, number, raw = struct.unpack(
                    order + "HHI4s", entries[12 * index : 12 * index + 12]
                )
                if tag not in (259, 273, 279, 324, 325, 347) or kind not in _TIFF_TYPES:
                    continue
                code, size = _TIFF_TYPES[kind]
                if number > _TIFF_MAX_VALUES:
                    return None
                if number * size <= 4:
                    value = raw[: number * size]
                else:
                    fp.seek(struct.unpack(order + "I", raw)[0])
                    value = fp.read(number * size)
                    if len(value) < number * size:
                        return None
                tags[tag] = value if tag == 347 else struct.unpack(f"{order}{number}{code}", value)
    except (OSError, struct.error):
        return None
    compression = tags.get(259, (1,))
    offsets, counts = tags.get(273) or tags.get(324), tags.get(279) or tags.get(325)
    tables = tags.get(347, b"")
    if not isinstance(compression, tuple) or not compression:
        return None
    return TiffPage(
        compression[0],
        offsets if isinstance(offsets, tuple) else (),
        counts if isinstance(counts, tuple) else (),
        tables if isinstance(tables, bytes) else b"",
    )


def unreadable_tiff_compression(path: Path) -> str | None:
    """'TIFF images compressed with <name> (compression <n>)' if this installation has no
    decoder for the first page's compression, else None."""
    page = tiff_first_page(path)
    if page is None or tiff_compression_readable(page.compression):
        return None
    name = TIFF_COMPRESSIONS.get(page.compression, "an unregistered scheme")
    return f"TIFF images compressed with {name} (compression {page.compression})"


@functools.cache
def tiff_compression_readable(compression: int) -> bool:
    """Whether Pillow, with the libtiff it was built with, decodes this TIFF compression.

    Tried once per process on a tiny sample written with it, where Pillow can write one
    (libtiff lacks the codecs it was built without: WebP, say); a compression Pillow does not
    know at all cannot be read.
    """
    if compression not in TiffImagePlugin.COMPRESSION_INFO or compression in _PILLOW_CANNOT:
        return False
    if compression not in _TIFF_SAMPLES:
        return True
    name, mode = _TIFF_SAMPLES[compression]
    sample = Image.new(mode, (16, 16), 1)
    buffer = io.BytesIO()
    try:
        sample.save(buffer, "TIFF", compression=name)
        buffer.seek(0)
        with Image.open(buffer, formats=["TIFF"]) as image:
            image.load()
    except Exception:  # any failure of a codec on its own sample means it is not there
        return False
    return True


def tiff_problem(path: Path) -> str | None:
    """Strips or tiles of the first page that lie outside the file, or a JPEG-compressed one
    whose data is incomplete; None if none."""
    page = tiff_first_page(path)
    if page is None:
        return None
    size = path.stat().st_size
    if len(page.offsets) != len(page.byte_counts):
        return (
            f"has {len(page.offsets):,} strip or tile offsets but "
            f"{len(page.byte_counts):,} byte counts"
        )
    for index, (offset, count) in enumerate(zip(page.offsets, page.byte_counts, strict=True)):
        if offset + count > size:
            return f"has strip or tile {index + 1} running past the end of the file"
    if page.compression != 7:
        return None
    tables = page.jpeg_tables.removesuffix(b"\xff\xd9") if page.jpeg_tables else b""
    with path.open("rb") as fp:
        for index, (offset, count) in enumerate(zip(page.offsets, page.byte_counts, strict=True)):
            fp.seek(offset)
            strip = fp.read(count)
            stream = tables + strip.removeprefix(b"\xff\xd8") if tables else strip
            if problem := _jpeg_bytes_problem(stream):
                return f"{problem} in strip or tile {index + 1}"
    return None


# ---------------------------------------------------------------- animations


def animation_problem(path: Path) -> str | None:
    """The first frame after the first that does not decode, or None (GIF, WebP, AVIF)."""
    checked = 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path, formats=["GIF", "WEBP", "AVIF"]) as image:
                frames = getattr(image, "n_frames", 1)
                for frame in range(1, frames):
                    checked += image.width * image.height
                    if checked > ANIMATION_CHECK_PIXELS:
                        break
                    image.seek(frame)
                    image.load()
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        return f"has a frame that does not decode ({error})"
    with path.open("rb") as fp:
        gif = fp.read(3) == b"GIF"
    return gif_problem(path) if gif else None


def gif_problem(path: Path) -> str | None:
    """Where the GIF's blocks end before their data does, or None. A missing trailer byte
    (0x3B) after complete frames is forgiven: every pixel is there."""
    try:
        with path.open("rb") as fp:
            header = fp.read(13)
            if len(header) < 13:
                return "is cut off in its header"
            if header[10] & 0x80:
                fp.seek(3 << ((header[10] & 7) + 1), 1)
            frame = 0
            while block := fp.read(1):
                if block == b"\x3b":
                    return None
                if block == b"\x21":
                    if not fp.read(1):
                        return "is cut off in an extension"
                elif block == b"\x2c":
                    frame += 1
                    descriptor = fp.read(9)
                    if len(descriptor) < 9:
                        return f"is cut off in frame {frame}"
                    if descriptor[8] & 0x80:
                        fp.seek(3 << ((descriptor[8] & 7) + 1), 1)
                    if not fp.read(1):  # LZW minimum code size
                        return f"is cut off in frame {frame}"
                else:
                    return f"has an unknown block (0x{block[0]:02x}) after frame {frame}"
                while True:
                    size = fp.read(1)
                    if not size:
                        return f"is cut off after frame {frame}" if frame else "is cut off"
                    if size == b"\0":
                        break
                    data = fp.read(size[0])
                    if len(data) < size[0]:
                        return f"is cut off in frame {frame}" if frame else "is cut off"
    except OSError as error:
        return f"cannot be read ({error})"
    return None


# ---------------------------------------------------------------- samples and orientation


def unrenderable_samples(image: Image.Image) -> str | None:
    """'<sample format> samples' for pixels a photograph never has, else None.

    32-bit integer and floating-point samples are scientific data whose range no picture
    has, which variants could only clip to black or white. Signed 8- and 16-bit TIFF samples
    are rendered (:func:`unsigned_samples`).
    """
    if image.mode not in ("I", "F"):
        return None
    kind = sample_format(image)
    return None if kind == "signed 16-bit integer" else f"{kind} samples (mode {image.mode})"


def sample_format(image: Image.Image) -> str:
    """The image's samples as a person would name them: "signed 16-bit integer", say."""
    bits, number_format = _tiff_sample_tags(image)
    if number_format == 3 or image.mode == "F":
        return f"{bits or 32}-bit floating-point"
    signed = "signed" if number_format == 2 else "unsigned"
    return f"{signed} {bits or (32 if image.mode == 'I' else 8)}-bit integer"


def _tiff_sample_tags(image: Image.Image) -> tuple[int | None, int]:
    tags = getattr(image, "tag_v2", None)
    if tags is None:
        return None, 1
    bits, number_format = _first(tags.get(258)), _first(tags.get(339, 1))
    return (bits if isinstance(bits, int) else None), (
        number_format if isinstance(number_format, int) else 1
    )


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, tuple) and value else value


def unsigned_samples(image: Image.Image) -> Image.Image:
    """A decoded image whose samples are signed (TIFF SampleFormat 2) as unsigned 8-bit "L".

    -32768..32767 (16-bit, Pillow mode "I") and -128..127 (8-bit, which Pillow decodes as if
    unsigned, "L") map linearly onto 0..255: zero is mid-grey. Any other image is returned
    as it is. Call it on the loaded image before converting colour (render.to_srgb reads
    mode "I" as unsigned 16-bit).
    """
    mapping = unsigned_mapping(image)
    return mapping(image) if mapping is not None else image


def unsigned_mapping(image: Image.Image) -> Callable[[Image.Image], Image.Image] | None:
    """What unsigned_samples does to a loaded image, as a function of any piece of it (render
    converts a large image strip by strip); None when its samples are not signed."""
    bits, number_format = _tiff_sample_tags(image)
    if number_format != 2:
        return None
    if image.mode == "I" and bits == 16:
        return lambda piece: piece.point(lambda value: value * (1 / 257) + 32768 / 257).convert("L")
    if image.mode == "L" and bits == 8:
        return lambda piece: piece.point(lambda value: value ^ 0x80)
    return None


def exif_orientation(image: Image.Image) -> int:
    """The EXIF orientation (1-8) still to apply to the pixels ``image.load()`` gives.

    One answer for identify (displayed size) and render (the turn): read from the EXIF block
    wherever the format keeps it (JPEG APP1, PNG eXIf or a "Raw profile type exif" text chunk,
    WebP EXIF, AVIF irot/imir as Pillow reports them), else XMP's tiff:Orientation, else 1.
    A TIFF is 1: Pillow already turns its pixels on load and reports the turned size.
    Never decodes pixels (Pillow's PNG getexif() would), and a broken EXIF block means 1.
    """
    if isinstance(image, TiffImagePlugin.TiffImageFile):
        return 1
    try:
        if image.format == "PNG" and "exif" not in image.info:
            exif = Image.Exif()
            filename = getattr(image, "filename", "")
            block = png_exif(Path(filename)) if filename else None
            if block:
                exif.load(block)
            value: Any = exif.get(0x0112) or _xmp_orientation(image.info)
        else:
            value = image.getexif().get(0x0112)
    except Exception:  # hostile EXIF may raise anything; the pixels are not at stake here
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _xmp_orientation(info: Mapping[Any, Any]) -> int | None:
    packet = info.get("XML:com.adobe.xmp") or info.get("xmp") or ""
    text = packet.decode("utf-8", "replace") if isinstance(packet, bytes) else str(packet)
    match = re.search(r'tiff:Orientation(?:="|>)([1-8])\b', text)
    return int(match[1]) if match else None
