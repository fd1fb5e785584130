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
                orientation = _orientation(image)
                _decode_first_frame(image)
    except Image.DecompressionBombError as error:
        raise TooManyPixels(f"The image declares too many pixels: {error}") from None
    except UnidentifiedImageError:
        raise UnreadableImage(f"The file starts like {media_type} but cannot be read.") from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        # Pillow reports truncated and corrupt data as any of these.
        raise UnreadableImage(f"The {media_type} image does not decode: {error}") from None
    shown_width, shown_height = displayed_size(width, height, orientation)
    return ImageInfo(pillow_format, media_type, shown_width, shown_height, orientation)


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(0x0112, 1)
    except Exception:  # a broken EXIF block must not refuse an image that decodes
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
