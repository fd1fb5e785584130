"""Colour: any decoded mode, transparency and ICC profile brought to 8-bit sRGB (littleCMS).

``convert()`` ignores ICC profiles, so profiles go through ImageCms. Transparency, whether an
alpha channel, a palette's or a PNG tRNS colour key (RGB, grey of any depth, 16-bit), becomes
alpha before any resampling.
"""

from __future__ import annotations

import functools
import io
import threading
from collections.abc import Callable

from PIL import Image, ImageCms, ImageMath

from service.media import imaging

SRGB_PROFILE = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
SRGB_ICC = SRGB_PROFILE.tobytes()


_SIXTEEN_BIT = {"I;16", "I;16L", "I;16B", "I;16N", "I"}


# Decoded modes whose colour conversion may wait until after resampling (no alpha, 8-bit).
_LATE_MODES = ("RGB", "L")
# NOCACHE: littleCMS otherwise compares each pixel with the one before to reuse its result,
# which photographic grain never lets it do: a third faster without, the same output.
_CMS_FLAGS = ImageCms.Flags.BLACKPOINTCOMPENSATION | ImageCms.Flags.NOCACHE


def _conversions(
    image: Image.Image, rawmode: str | None
) -> tuple[
    Callable[[Image.Image], Image.Image] | None, Callable[[Image.Image], Image.Image] | None
]:
    """(prepare, convert) for a loaded image: see Decoded."""
    mode, icc = image.mode, image.info.get("icc_profile")
    if (unsigned := imaging.unsigned_mapping(image)) is not None:  # signed TIFF samples
        grey = functools.partial(
            _prepare, mode="L", key=None, transparent=False, transforms=_Transforms(icc)
        )
        return (lambda piece: grey(unsigned(piece))), None
    key = _colour_key(image, rawmode)
    if mode in _LATE_MODES and key is None:
        return None, _srgb_function(mode, icc)
    if mode == "RGBA" and _srgb_function("RGB", icc) is None:
        return None, None  # sRGB already; resampled piece by piece for its alpha
    transforms = _Transforms(icc)
    return functools.partial(
        _prepare, mode=mode, key=key, transparent=_transparent(image), transforms=transforms
    ), None


def _transparent(image: Image.Image) -> bool:
    return image.mode in ("PA", "LA", "RGBA") or (
        image.mode == "P" and "transparency" in image.info
    )


def _colour_key(image: Image.Image, rawmode: str | None) -> int | tuple[int, ...] | None:
    """The colour a PNG's tRNS chunk makes transparent, in the decoded samples' scale.

    Pillow keeps the key in the file's scale: 2- and 4-bit grey is decoded scaled up to 8 bits,
    16-bit RGB is decoded to its high bytes, so their keys are scaled to match. 16-bit grey is
    decoded whole, its key kept. Palettes carry their transparency in the palette instead.
    """
    key = image.info.get("transparency")
    if image.mode in ("RGB",) and isinstance(key, tuple) and len(key) == 3:
        sixteen = rawmode is not None and ";16" in rawmode
        return tuple(int(v) >> 8 for v in key) if sixteen else tuple(int(v) & 0xFF for v in key)
    if image.mode in ("L", "1") and isinstance(key, int):
        if image.mode == "1":
            return 255 if key else 0
        bits = {"L;1": 1, "L;2": 2, "L;4": 4}.get(rawmode or "", 8)
        return key * 255 // ((1 << bits) - 1) if bits < 8 else key & 0xFF
    if image.mode in _SIXTEEN_BIT and image.mode != "I" and isinstance(key, int):
        return key
    return None


class _Transforms:
    """littleCMS transforms from one ICC profile to sRGB, built once per mode when first asked."""

    def __init__(self, icc: object) -> None:
        self._icc = icc
        self._built: dict[str, Callable[[Image.Image], Image.Image] | None] = {}
        self._lock = threading.Lock()

    def to_rgb(self, mode: str) -> Callable[[Image.Image], Image.Image] | None:
        """The conversion to sRGB for pixels of this mode, built once; None if they are sRGB."""
        with self._lock:
            if mode not in self._built:
                self._built[mode] = _srgb_function(mode, self._icc)
            return self._built[mode]


def _prepare(
    piece: Image.Image,
    *,
    mode: str,
    key: int | tuple[int, ...] | None,
    transparent: bool,
    transforms: _Transforms,
) -> Image.Image:
    """A piece of a decoded ``mode`` image as 8-bit sRGB "RGB", or "RGBA" if it has alpha.

    The piece is a crop of its own, which this may change.
    """
    alpha: Image.Image | None = None
    if mode == "1":
        piece = piece.convert("L")
    if mode in _SIXTEEN_BIT:
        wide = piece.convert("I")  # exact, whatever the byte order
        if key is not None:
            alpha = ImageMath.lambda_eval(
                lambda args: args["convert"]((args["v"] != key) * 255, "L"), v=wide
            )
        # Scale to 8 bits, rounding (convert() would clip everything above 255 to white).
        piece = wide.point(lambda value: value * (1 / 257) + 0.5).convert("L")
    elif key is not None:  # "L", "1" or "RGB" with a tRNS colour key: Pillow matches it
        piece.info["transparency"] = key
        piece = piece.convert("LA" if piece.mode == "L" else "RGBA")
    elif mode in ("P", "PA"):
        piece = piece.convert("RGBA" if transparent else "RGB")
    elif mode not in ("L", "LA", "RGB", "RGBA", "CMYK"):
        piece = piece.convert("RGBA" if "A" in mode else "RGB")
    if piece.mode in ("LA", "RGBA"):
        alpha = piece.getchannel("A")
        piece = piece.convert(piece.mode[:-1])
    convert = transforms.to_rgb(piece.mode)
    out = convert(piece) if convert else piece
    if alpha is not None:
        out.putalpha(alpha)
    return out


def to_srgb(image: Image.Image) -> Image.Image:
    """A loaded image as 8-bit sRGB "RGB" or "RGBA", through its ICC profile if any, with its
    palette or colour-key transparency as alpha (a whole-image convenience for small images).

    No profile means sRGB. A profile that does not fit the pixels (or does not parse) is
    ignored, as browsers do. CMYK without a profile falls back to Pillow's naive formula.
    """
    prepare, convert = _conversions(image, None)
    change = prepare or convert
    return change(image.copy()) if change is not None else image.copy()


def _srgb_function(mode: str, icc: object) -> Callable[[Image.Image], Image.Image] | None:
    """What turns pixels of this mode and ICC profile into sRGB "RGB"; None if they are.

    The function may convert the image it is given in place and return it.
    """
    if isinstance(icc, bytes) and icc:
        try:
            transform = ImageCms.buildTransform(
                ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                SRGB_PROFILE,
                mode,
                "RGB",
                ImageCms.Intent.RELATIVE_COLORIMETRIC,
                _CMS_FLAGS,
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass
        else:

            def apply(pixels: Image.Image) -> Image.Image:
                if mode == "RGB":  # same layout in and out: no new image to allocate and zero
                    ImageCms.applyTransform(pixels, transform, inPlace=True)
                    return pixels
                out = ImageCms.applyTransform(pixels, transform)
                assert out is not None  # only None when inPlace=True
                return out

            return apply
    return None if mode == "RGB" else _to_rgb


def _to_rgb(image: Image.Image) -> Image.Image:
    return image.convert("RGB")
