"""Structure bombs: JPEGs and PNGs that cost far more to open than their size says.

The checks read only markers and chunk headers, and stop just past their limits.
"""

from __future__ import annotations

from pathlib import Path

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
