"""Probing an upload: its format from its bytes, its size, and that it decodes fully."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from service.media.imaging.bombs import structure_bomb
from service.media.imaging.completeness import incomplete_data
from service.media.imaging.jpeg import _jpeg_opens_without_exif
from service.media.imaging.orientation import displayed_size, exif_orientation
from service.media.imaging.png import PNG_SIGNATURE
from service.media.imaging.samples import unrenderable_samples
from service.media.imaging.tiff import unreadable_tiff_compression
from service.rules.problems import TooManyPixels, UnreadableImage, UnsupportedMediaType

# (Pillow format, media type) per magic signature; the filename and declared type are ignored.
_ISO_BMFF_BRANDS = {
    b"avif": ("AVIF", "image/avif"),
    b"avis": ("AVIF", "image/avif"),
    b"heic": ("HEIF", "image/heic"),
    b"heix": ("HEIF", "image/heic"),
    b"mif1": ("HEIF", "image/heif"),
}


# Pillow holds a decoded RGB pixel in 4 bytes. Over this many pixels ingest does not let Pillow
# decode a PNG (600 MB for a 144-megapixel one): the streaming check of every row, which holds
# one zlib window, proves the same thing.
PILLOW_CHECK_PIXELS = 40_000_000


@dataclass(frozen=True)
class ImageInfo:
    """What identify found: the format, media type, upright size and EXIF orientation."""

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
