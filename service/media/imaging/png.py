"""PNG read straight from the file: every chunk and frame checked, and the EXIF it carries."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

# Beyond the pixel rows a PNG declares, a few extra bytes of image data are tolerated (libpng
# calls them a benign error); more is not a picture but a decompression cost.
PNG_SLACK_BYTES = 1 << 20


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
        """Inflate the next piece of image data, checking its size and each row's filter type."""
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
        """Fail if the image data ended before every pixel row was there."""
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
