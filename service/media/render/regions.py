"""An Image API answer drawn from a level's pixels: resized, mirrored, turned, credited, in
the quality and format asked for, with the rights written in.

The order is the Image API's (region, size, rotation, quality, format), with the credit drawn
on the turned image, so that it reads upright whatever the rotation, and before the quality,
so that a grey or bitonal answer carries it in grey or black and white like the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, PngImagePlugin

from service.media.render.colour import SRGB_ICC
from service.media.render.encode import scratch_file
from service.media.render.errors import RenderError
from service.media.render.overlay import DEFAULT_CREDIT_FONT, burn_in_credit
from service.media.render.stamp import RightsStamp, exif_block, xmp_packet
from service.rules import geometry

# As the presets encode (Preset.quality): what a web page shows, at a third of q95's bytes.
JPEG_QUALITY = 85
WEBP_QUALITY = 85
BITONAL_THRESHOLD = 128  # a threshold, not dithering: tiles then meet without a seam
FLATTEN_ON = (255, 255, 255)  # what a transparent original shows through in a JPEG
QUALITIES = ("default", "color", "gray", "bitonal")
FORMATS = ("jpg", "png", "webp")
_CLOCKWISE = {
    90: Image.Transpose.ROTATE_270,  # Pillow turns counter-clockwise
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True)
class Output:
    """What the answer is to be: its size before rotation, mirrored or not, turned clockwise
    by a multiple of 90 degrees, its quality and format."""

    size: geometry.Size
    mirrored: bool
    rotation: int
    quality: str
    format: str

    def __post_init__(self) -> None:
        if self.rotation not in (0, *_CLOCKWISE) or self.quality not in QUALITIES:
            raise ValueError(f"cannot draw rotation {self.rotation}, quality {self.quality}")
        if self.format not in FORMATS or min(self.size) < 1:
            raise ValueError(f"cannot draw a {self.size} {self.format}")

    @property
    def shown(self) -> geometry.Size:
        """The answer's size once turned."""
        width, height = self.size
        return (height, width) if self.rotation in (90, 270) else (width, height)


def credit_legible(shown: geometry.Size, min_edge: int) -> bool:
    """Whether an answer of this size is large enough to carry the credit burned in."""
    return min(shown) >= min_edge


def draw(
    image: Image.Image,
    box: tuple[float, float, float, float],
    output: Output,
    stamp: RightsStamp,
    *,
    burn_in: bool,
    credit_font: Path = DEFAULT_CREDIT_FONT,
) -> Image.Image:
    """The answer's pixels: ``box`` (fractional, within ``image``, an upright sRGB "RGB" or
    "RGBA" piece of a level) resized, mirrored, turned, credited when ``burn_in``, and in the
    quality asked for. May reuse ``image``."""
    left, top, right, bottom = box
    whole = (right - left, bottom - top) == output.size and left.is_integer() and top.is_integer()
    if whole and (int(left), int(top), int(right), int(bottom)) == (0, 0, *image.size):
        pass  # a source tile as it is: most of a viewer's requests
    elif whole:
        image = image.crop((int(left), int(top), int(right), int(bottom)))
    else:
        # Under 2x from a level at least as large as the answer (the same reasons as the
        # variants' last step, render.draw._resample); fractional boxes keep the geometry exact.
        image = image.resize(output.size, Image.Resampling.BICUBIC, box=box)
    if output.mirrored:
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    if output.rotation:
        image = image.transpose(_CLOCKWISE[output.rotation])
    if image.mode == "RGBA" and (output.format == "jpg" or output.quality == "bitonal"):
        image = _flatten(image)
    if burn_in:
        burn_in_credit(image, stamp.credit_line, stamp.placement, credit_font)
    return _in_quality(image, output.quality)


def encode(image: Image.Image, output: Output, stamp: RightsStamp) -> bytes:
    """The answer's bytes with the rights written in: EXIF and XMP as the variants carry
    them (stamp.exif_block, stamp.xmp_packet), and the sRGB profile on colour pixels (an RGB
    profile on grey pixels would be a wrong one)."""
    image.info = {}  # nothing of the source's is re-saved
    exif, xmp = exif_block(stamp), xmp_packet(stamp)
    if output.format == "webp" and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.mode else "RGB")  # WebP holds colour only
    if output.format == "jpg" and image.mode == "1":
        image = image.convert("L")
    params: dict[str, Any] = {"exif": exif}
    if image.mode in ("RGB", "RGBA"):
        params["icc_profile"] = SRGB_ICC
    if output.format == "jpg":
        params |= {"quality": JPEG_QUALITY, "optimize": True, "progressive": True, "xmp": xmp}
        kind = "JPEG"
    elif output.format == "webp":
        params |= {"quality": WEBP_QUALITY, "method": 4, "xmp": xmp}
        kind = "WEBP"
    else:
        # Pillow writes a PNG's XMP only as the iTXt chunk the XMP specification names.
        chunks = PngImagePlugin.PngInfo()
        chunks.add_itxt("XML:com.adobe.xmp", xmp.decode("utf-8"), zip=False)
        params["pnginfo"] = chunks
        kind = "PNG"
    with scratch_file() as file:
        try:
            image.save(file, kind, **params)
        except (OSError, ValueError) as error:  # e.g. XMP over the 64 KB a JPEG segment holds
            raise RenderError(f"cannot encode the {output.format}: {error}") from None
        file.seek(0)
        return file.read()


def render(
    image: Image.Image,
    box: tuple[float, float, float, float],
    output: Output,
    stamp: RightsStamp,
    *,
    burn_in: bool,
    credit_font: Path = DEFAULT_CREDIT_FONT,
) -> bytes:
    """draw, then encode: the bytes of one answer."""
    drawn = draw(image, box, output, stamp, burn_in=burn_in, credit_font=credit_font)
    return encode(drawn, output, stamp)


def _flatten(image: Image.Image) -> Image.Image:
    flat = Image.new("RGB", image.size, FLATTEN_ON)
    flat.paste(image, (0, 0), image)
    return flat


def _in_quality(image: Image.Image, quality: str) -> Image.Image:
    if quality == "gray":
        return image.convert("LA" if image.mode == "RGBA" else "L")
    if quality == "bitonal":
        grey = image.convert("L")
        return grey.point(lambda value: 255 if value >= BITONAL_THRESHOLD else 0, "1")
    return image  # default and color: the pixels are colour already
