"""The PNG files of the corpus: truncated, corrupt, bombs, 16-bit, APNG, tRNS and EXIF."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Sequence

from PIL import Image
from PIL.PngImagePlugin import PngInfo

from tests.hostile.blocks import cut, deflated_zeros, garbage, pic, save
from tests.support import photos

# ---------------------------------------------------------------- chunks and rows


def png_chunk(kind: bytes, body: bytes) -> bytes:
    """A PNG chunk: length, type, body, CRC."""
    return photos._png_chunk(kind, body)


def png_raw(width: int, height: int, bit_depth: int, colour_type: int, rows: bytes) -> bytes:
    """A PNG by hand: IHDR, one IDAT of ``rows`` (filter bytes included), IEND."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(rows, 9))
        + png_chunk(b"IEND", b"")
    )


def sixteen_bit_rows(width: int, height: int, channels: int) -> bytes:
    """Big-endian 16-bit rows (filter 0) whose low bytes carry other detail than the high."""
    mode = {3: "RGB", 4: "RGBA"}[channels]
    high = pic(width, height, mode).tobytes()
    low = pic(width, height, mode).transpose(Image.Transpose.ROTATE_180).tobytes()
    samples = bytearray(len(high) * 2)
    samples[0::2], samples[1::2] = high, low
    stride = width * channels * 2
    return b"".join(b"\0" + samples[y * stride : (y + 1) * stride] for y in range(height))


def insert_png_chunks(data: bytes, *chunks: bytes) -> bytes:
    """``chunks`` inserted right after IHDR."""
    at = 8 + 8 + 13 + 4
    return data[:at] + b"".join(chunks) + data[at:]


# ---------------------------------------------------------------- files


def png(width: int, height: int, mode: str = "RGB", **params: object) -> bytes:
    """The picture as a PNG by Pillow."""
    return save(pic(width, height, mode), "PNG", **params)


def png_truncated() -> bytes:
    """A PNG cut in half."""
    return cut(png(90, 64), 0.5)


def png_bad_crc() -> bytes:
    """A PNG whose IHDR CRC is DEADBEEF."""
    data = bytearray(png(91, 64))
    data[29:33] = b"\xde\xad\xbe\xef"  # IHDR's CRC
    return bytes(data)


def png_zero_width() -> bytes:
    """A PNG whose IHDR declares a width of 0."""
    return png_raw(0, 10, 8, 0, b"\0" * 10)


def png_compressed_bomb() -> bytes:
    """13000 x 12000 one-bit pixels really stored: 156 Mpx deflated into about 20 KB."""
    width, height = 13000, 12000
    rows = (1 + (width + 7) // 8) * height
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", deflated_zeros(rows))
        + png_chunk(b"IEND", b"")
    )


def png_ztxt_bomb() -> bytes:
    """A zTXt chunk that inflates to 16 MB of zeros (Pillow caps text chunks at 1 MB)."""
    body = b"Comment\0\0" + deflated_zeros(16 << 20)
    return insert_png_chunks(png(92, 64), png_chunk(b"zTXt", body))


def png_chunk_flood() -> bytes:
    """20,000 empty private chunks before the image data: Pillow reads each one in Python."""
    return insert_png_chunks(png(96, 64), *[png_chunk(b"prVt", b"")] * 20_000)


def png_iccp_garbage() -> bytes:
    """A PNG iCCP chunk of deflated random bytes."""
    body = b"icc\0\0" + zlib.compress(garbage(3000, 3))
    return insert_png_chunks(png(93, 64), png_chunk(b"iCCP", body))


def png_iccp_bomb() -> bytes:
    """A PNG iCCP chunk inflating to 16 MB."""
    body = b"icc\0\0" + deflated_zeros(16 << 20)
    return insert_png_chunks(png(94, 64), png_chunk(b"iCCP", body))


def png_exif_garbage() -> bytes:
    """A PNG eXIf chunk of random bytes."""
    return insert_png_chunks(png(95, 64), png_chunk(b"eXIf", b"MM\0*" + garbage(500, 4)))


def png_16bit_rgb() -> bytes:
    """A 48-bit RGB PNG by hand."""
    return png_raw(96, 64, 16, 2, sixteen_bit_rows(96, 64, 3))


def png_16bit_rgba() -> bytes:
    """A 64-bit RGBA PNG by hand."""
    return png_raw(97, 64, 16, 6, sixteen_bit_rows(97, 64, 4))


def png_16bit_grey() -> bytes:
    """A 16-bit grey PNG by Pillow."""
    grey = pic(98, 64, "L").point(lambda v: v * 257, "I").convert("I;16")
    return save(grey, "PNG")


def png_1bit() -> bytes:
    """A 1-bit PNG."""
    return png(99, 64, "1")


def png_palette_transparency() -> bytes:
    """A palette PNG with tRNS."""
    image = pic(100, 64).convert("P")
    return save(image, "PNG", transparency=0)


def png_apng_many_frames() -> bytes:
    """An APNG of 2000 frames of 8x8."""
    frames = [Image.new("RGB", (8, 8), (i % 256, i // 256 % 256, 7)) for i in range(2000)]
    return save(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=20)


def png_actl_lies() -> bytes:
    """acTL declares 2^31-1 frames; there is one."""
    actl = png_chunk(b"acTL", struct.pack(">II", 0x7FFFFFFF, 0))
    return insert_png_chunks(png(101, 64), actl)


def png_xmp(packet: bytes, width: int, *, compressed: bool = False) -> Callable[[], bytes]:
    """A builder of a PNG carrying this XMP packet in an iTXt chunk."""

    def build() -> bytes:
        info = PngInfo()
        info.add_itxt("XML:com.adobe.xmp", packet.decode("utf-8"), zip=compressed)
        return png(width, 64, pnginfo=info)

    return build


def png_polyglot_html() -> bytes:
    """A PNG with HTML after IEND."""
    return png(104, 64) + b"<html><script>alert(1)</script></html>"


# ---------------------------------------------------------------- issue 11: incomplete data


def png_chunk_list(data: bytes) -> list[tuple[bytes, bytes]]:
    """The (type, data) of each chunk of a PNG."""
    chunks, at = [], 8
    while at + 8 <= len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        chunks.append((data[at + 4 : at + 8], data[at + 8 : at + 8 + length]))
        at += 12 + length
    return chunks


def png_join(chunks: Sequence[tuple[bytes, bytes]]) -> bytes:
    """A PNG of these chunks, each with its right CRC."""
    return b"\x89PNG\r\n\x1a\n" + b"".join(png_chunk(kind, body) for kind, body in chunks)


def png_rows(width: int, height: int) -> tuple[bytes, bytes]:
    """(IHDR body, the filtered rows) of the RGB picture, as Pillow writes them."""
    chunks = dict(png_chunk_list(png(width, height)))
    return chunks[b"IHDR"], zlib.decompress(chunks[b"IDAT"])


def with_idat(width: int, height: int, idat: bytes) -> bytes:
    """The picture's PNG with ``idat`` as its one image data chunk."""
    ihdr, _ = png_rows(width, height)
    return png_join([(b"IHDR", ihdr), (b"IDAT", idat), (b"IEND", b"")])


def bad_crc(data: bytes, kind: bytes, occurrence: int = 0) -> bytes:
    """The PNG with the CRC of its ``occurrence``-th ``kind`` chunk wrong (data untouched)."""
    at, seen = 8, 0
    while True:
        (length,) = struct.unpack(">I", data[at : at + 4])
        if data[at + 4 : at + 8] == kind:
            if seen == occurrence:
                end = at + 8 + length
                return data[:end] + bytes(b ^ 0xFF for b in data[end : end + 4]) + data[end + 4 :]
            seen += 1
        at += 12 + length


def png_idat_bad_crc() -> bytes:
    """A PNG whose image data chunk's CRC is wrong (Pillow never checks it)."""
    return bad_crc(png(60, 40), b"IDAT")


def png_text_after_idat_bad_crc() -> bytes:
    """An ancillary tEXt chunk after the image data whose CRC is wrong (Pillow never checks)."""
    chunks = png_chunk_list(png(61, 40))
    chunks.insert(-1, (b"tEXt", b"Comment\0written after the pixels"))
    return bad_crc(png_join(chunks), b"tEXt")


def png_plte_bad_crc() -> bytes:
    """A palette PNG whose PLTE CRC is wrong."""
    return bad_crc(save(pic(62, 40).convert("P"), "PNG"), b"PLTE")


def png_zlib_garbage() -> bytes:
    """The deflate stream overwritten in its middle by random bytes; every CRC right."""
    _, rows = png_rows(63, 40)
    stream = bytearray(zlib.compress(rows, 9))
    stream[len(stream) // 2 : len(stream) // 2 + 24] = garbage(24, 11)
    return with_idat(63, 40, bytes(stream))


def png_zlib_bad_checksum() -> bytes:
    """Every row there, but the zlib stream's Adler-32 is wrong."""
    _, rows = png_rows(64, 40)
    stream = bytearray(zlib.compress(rows, 9))
    stream[-1] ^= 0xFF
    return with_idat(64, 40, bytes(stream))


def png_rows_short() -> bytes:
    """A whole, valid zlib stream holding only the first half of the rows (Pillow: black)."""
    _, rows = png_rows(65, 40)
    return with_idat(65, 40, zlib.compress(rows[: len(rows) // 2], 9))


def png_zlib_cut() -> bytes:
    """The zlib stream cut in half, the file otherwise whole (IEND, right CRCs)."""
    _, rows = png_rows(66, 40)
    stream = zlib.compress(rows, 9)
    return with_idat(66, 40, stream[: len(stream) // 2])


def png_bad_filter() -> bytes:
    """A PNG with a row of filter type 7."""
    _, rows = png_rows(67, 40)
    broken = bytearray(rows)
    broken[(len(rows) // 40) * 20] = 7  # row 20's filter type
    return with_idat(67, 40, zlib.compress(bytes(broken), 9))


def png_no_iend() -> bytes:
    """A PNG with every pixel and no IEND chunk."""
    return png(68, 40)[:-12]


def png_idat_split() -> bytes:
    """Two IDAT chunks with a tEXt chunk between them."""
    _, rows = png_rows(69, 40)
    stream = zlib.compress(rows, 9)
    ihdr, _ = png_rows(69, 40)
    half = len(stream) // 2
    return png_join([(b"IHDR", ihdr), (b"IDAT", stream[:half]), (b"tEXt", b"Comment\0between"),
                     (b"IDAT", stream[half:]), (b"IEND", b"")])  # fmt: skip


def apng(width: int = 40, height: int = 30, frames: int = 3) -> bytes:
    """A whole APNG of ``frames`` frames, each the picture turned a further 90 degrees."""
    images = [pic(width, height).rotate(i * 90) for i in range(frames)]
    return save(images[0], "PNG", save_all=True, append_images=images[1:], duration=100)


def apng_changed(change: Callable[[list[tuple[bytes, bytes]]], None]) -> Callable[[], bytes]:
    """A builder of the 3-frame APNG with its chunk list changed by ``change``."""

    def build() -> bytes:
        chunks = png_chunk_list(apng())
        change(chunks)
        return png_join(chunks)

    return build


def _short_fctl(chunks: list[tuple[bytes, bytes]]) -> None:
    at = [kind for kind, _ in chunks].index(b"fcTL")
    chunks[at] = (b"fcTL", chunks[at][1][:20])


def _fdat_out_of_sequence(chunks: list[tuple[bytes, bytes]]) -> None:
    at = [kind for kind, _ in chunks].index(b"fdAT")
    body = chunks[at][1]
    chunks[at] = (b"fdAT", struct.pack(">I", struct.unpack(">I", body[:4])[0] + 5) + body[4:])


def _frame_missing(chunks: list[tuple[bytes, bytes]]) -> None:
    last = max(i for i, (kind, _) in enumerate(chunks) if kind == b"fcTL")
    del chunks[last:-1]  # the last fcTL and its fdAT; IEND stays


def _fdat_rows_short(chunks: list[tuple[bytes, bytes]]) -> None:
    at = max(i for i, (kind, _) in enumerate(chunks) if kind == b"fdAT")
    body = chunks[at][1]
    rows = zlib.decompress(body[4:])
    chunks[at] = (b"fdAT", body[:4] + zlib.compress(rows[: len(rows) // 3]))


def png_transparent_key(mode: str, key: int | tuple[int, int, int], width: int) -> bytes:
    """A PNG whose tRNS chunk makes one colour transparent (no alpha channel)."""
    image = pic(width, 40, "RGB" if mode == "RGB" else "L")
    if mode == "I;16":
        image = image.point(lambda v: v * 257, "I").convert("I;16")
    if mode == "RGB":
        image.paste((0, 255, 0), (0, 0, width // 2, 20))  # a green key colour in a corner
    else:
        image.paste(key, (0, 0, width // 2, 20))
    return save(image, "PNG", transparency=key)


def png_144_megapixels() -> bytes:
    """12000 x 12000 8-bit RGB, all rows stored: 432 MB of pixel rows deflated to ~420 KB."""
    width = height = 12000
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return png_join([(b"IHDR", ihdr), (b"IDAT", deflated_zeros((1 + 3 * width) * height)),
                     (b"IEND", b"")])  # fmt: skip


# ---------------------------------------------------------------- issue 11: orientation, EXIF


def png_exif_chunk(orientation: int, width: int, *, after_idat: bool) -> Callable[[], bytes]:
    """A PNG with camera EXIF (rights, GPS, orientation) in an eXIf chunk."""

    def build() -> bytes:
        tiff = photos.make_exif(orientation=orientation).tobytes()[6:]  # no "Exif\0\0"
        chunks = png_chunk_list(png(width, 40))
        chunks.insert(-1 if after_idat else 1, (b"eXIf", tiff))
        return png_join(chunks)

    return build


def png_raw_profile(orientation: int, width: int, kind: bytes) -> Callable[[], bytes]:
    """ImageMagick's way: EXIF (with its "Exif\\0\\0" prefix) hex-encoded in a "Raw profile
    type exif" text chunk: "\\nexif\\n   <length>\\n" then lines of 72 hex digits."""

    def build() -> bytes:
        payload = photos.make_exif(orientation=orientation).tobytes()  # "Exif\0\0" + TIFF
        hexed = payload.hex()
        lines = "\n".join(hexed[i : i + 72] for i in range(0, len(hexed), 72))
        text = f"\nexif\n{len(payload):8d}\n{lines}\n".encode("latin-1")
        key = b"Raw profile type exif\0"
        body = {b"zTXt": key + b"\0" + zlib.compress(text), b"tEXt": key + text,
                b"iTXt": key + b"\1\0\0\0" + zlib.compress(text)}[kind]  # fmt: skip
        chunks = png_chunk_list(png(width, 40))
        chunks.insert(1, (kind, body))
        return png_join(chunks)

    return build
