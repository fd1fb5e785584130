"""Pillow at the edge: what an uploaded file really is, decided from its bytes."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from .problems import TooManyPixels, UnreadableImage, UnsupportedMediaType

# (Pillow format, media type) per magic signature; the filename and declared type are ignored.
_ISO_BMFF_BRANDS = {
    b"avif": ("AVIF", "image/avif"),
    b"avis": ("AVIF", "image/avif"),
    b"heic": ("HEIF", "image/heic"),
    b"heix": ("HEIF", "image/heic"),
    b"mif1": ("HEIF", "image/heif"),
}
# Pillow's modes for 32-bit integer (or signed 16-bit) and floating-point samples: scientific
# data whose range no photograph has, which variants could only clip to black or white.
_UNRENDERABLE_MODES = {"I", "F"}
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
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
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
                if image.mode in _UNRENDERABLE_MODES:
                    raise UnsupportedMediaType(
                        f"The {media_type} image has 32-bit or floating-point samples "
                        f"(mode {image.mode}); 8- and 16-bit images are accepted."
                    )
                declared = exif_orientation(image)
                _decode_first_frame(image)
                # Pillow turns a TIFF as it loads it (its size is upright from the start) and
                # then drops the tag: what the loaded image still declares is what is left.
                left = exif_orientation(image)
    except Image.DecompressionBombError as error:
        raise TooManyPixels(f"The image declares too many pixels: {error}") from None
    except UnidentifiedImageError:
        raise UnreadableImage(f"The file starts like {media_type} but cannot be read.") from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        # Pillow reports truncated and corrupt data as any of these.
        raise UnreadableImage(f"The {media_type} image does not decode: {error}") from None
    shown_width, shown_height = displayed_size(width, height, left)
    return ImageInfo(pillow_format, media_type, shown_width, shown_height, declared)


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


def exif_orientation(image: Image.Image) -> int:
    """The EXIF orientation (1-8) an opened image declares; 1 when none or unreadable.

    The one reader for ingest and render. Pillow's ``getexif`` finds the tag wherever the format
    keeps it: a JPEG's APP1, a PNG's eXIf chunk or "Raw profile type exif" text, a WebP's EXIF
    chunk, a TIFF's IFD, an AVIF's irot/imir boxes (which win over its EXIF, as the HEIF spec
    says), and XMP's tiff:Orientation when there is no EXIF tag. Pillow turns a TIFF itself as
    it loads it and then removes the tag, so on a loaded image this is what is still to apply.
    """
    try:
        value = image.getexif().get(0x0112, 1)
    except Exception:  # a broken EXIF block must not refuse or stop an image that decodes
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _decode_first_frame(image: Image.Image) -> None:
    """Decode the pixels (first page or frame) to prove the file is whole.

    JPEGs decode at 1/8 scale through DCT scaling: every entropy-coded byte is still read,
    so truncation is caught, at a fraction of the memory.
    """
    if image.format == "JPEG":
        image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
    image.seek(0)
    image.load()
