"""A variant rendered from the working copy looks like one rendered from the original.

The working copy is the original upright, in sRGB and reduced by a power of two, kept as JPEG
q98 4:4:4 (or WebP lossless with alpha). A variant made from it differs from one made from the
original by what two valid resampling paths differ by: the copy's box filter against the
original's own (or its DCT scaling, whose chroma is coarser at 1/8), the colour converted
before resampling instead of after, and the copy's encode. Measured on these sources, with
sensor-like grain: 44-51 dB PSNR, under 1 level of 255 on average; 38.8 dB and 1.7 levels for
a thumbnail whose direct render takes a 1/8-scale JPEG decode. A q85 variant's own encode
changes its pixels by about 35 dB: the copy's difference is well below what publishing does.
"""

from __future__ import annotations

import dataclasses
import io
import math
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image, ImageChops, ImageStat, TiffImagePlugin

from service.media import imaging, render
from service.rules.presets import DEFAULT_PRESETS, Preset
from service.services import working_copy
from service.storage.local import LocalBlobStore
from tests.support import photos

STAMP = render.RightsStamp("© Museum", "Jane Photographer", "Figure", "1", None, "A figure.")
# The fits and sizes of the built-ins, encoded at quality 100 so that the comparison sees what
# the working copy changes rather than the chance of two q85 encodes of nearly equal pixels.
PRESETS = [
    dataclasses.replace(DEFAULT_PRESETS[name], quality=100, max_bytes=None)
    for name in ("x", "instagram-story", "web-large", "thumb")
] + [Preset("square-contain", 1200, 1200, "contain", quality=100, padding="#202020")]
FOCAL = (0.3, 0.6)


def photo(width: int, height: int) -> Image.Image:
    """Photograph-like: smooth light with edges, and grain the copy's encode must keep."""
    picture = photos.picture(width // 8, height // 8).resize(
        (width, height), Image.Resampling.BICUBIC
    )
    grain = Image.merge("RGB", [Image.effect_noise((width, height), 4) for _ in range(3)])
    return ImageChops.add(picture, grain, scale=1.0, offset=-128)


def _save(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def jpeg_turned_adobe() -> bytes:
    stored = photo(3400, 5000).transpose(Image.Transpose.ROTATE_90)  # shown upright with 6
    return _save(
        stored,
        "JPEG",
        quality=92,
        icc_profile=photos.adobe_rgb_like_icc(),
        exif=photos.make_exif(orientation=6),
    )


def png_alpha() -> bytes:
    image = photo(4800, 3200).convert("RGBA")
    image.putalpha(Image.radial_gradient("L").resize(image.size))
    return _save(image, "PNG", compress_level=1)


def tiff_grey16_turned() -> bytes:
    grey = photo(3000, 4400).convert("L").transpose(Image.Transpose.ROTATE_270)  # shown with 8
    wide = grey.convert("I").point(lambda v: v * 257).convert("I;16")
    info = TiffImagePlugin.ImageFileDirectory_v2()
    info[0x0112] = 8
    return _save(wide, "TIFF", compression="tiff_lzw", tiffinfo=info)


def png_small_adobe() -> bytes:
    return _save(photo(900, 600), "PNG", icc_profile=photos.adobe_rgb_like_icc())


SOURCES = {
    "jpeg-24mp-turned-adobe": jpeg_turned_adobe,
    "png-15mp-alpha": png_alpha,
    "tiff-13mp-grey16-turned": tiff_grey16_turned,
    "png-small-adobe": png_small_adobe,
}


def psnr(a: Image.Image, b: Image.Image) -> float:
    assert a.size == b.size and a.mode == b.mode
    difference = ImageChops.difference(a, b)
    mse = sum(v**2 for v in ImageStat.Stat(difference).rms) / len(difference.getbands())
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)


def mean_error(a: Image.Image, b: Image.Image) -> float:
    return max(ImageStat.Stat(ImageChops.difference(a, b)).mean)


def decoded(rendered: render.Rendered) -> Image.Image:
    with Image.open(io.BytesIO(rendered.data)) as image:
        return image.convert("RGBA" if image.mode == "RGBA" else "RGB")


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_variants_from_the_working_copy_look_like_variants_from_the_original(
    name: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_bytes(SOURCES[name]())
    info = imaging.identify(path, 10**8)
    store = LocalBlobStore(tmp_path / "blobs")
    original = SimpleNamespace(
        sha256="a" * 64,
        blob_key="originals/aa/aa/" + "a" * 64,
        media_type=info.media_type,
        width=info.width,
        height=info.height,
    )
    with path.open("rb") as stream:
        store.put(original.blob_key, stream, info.media_type)
    truth = {  # each alone, as a request renders it (a JPEG decodes at the scale it needs)
        preset.name: render.render_variants(
            path, [preset], focal=FOCAL, stamp=STAMP, max_pixels=10**8
        )[preset.name]
        for preset in PRESETS
    }
    kept = working_copy.kept_size(original)
    assert kept is not None
    served = []
    for attempt in ("first: made on the way", "later: from the stored copy"):
        if attempt.startswith("first"):
            store.delete(working_copy.blob_key(original.sha256))
        for preset in PRESETS:  # one at a time, as a request renders them
            need = render.presets_need([preset], FOCAL)((original.width, original.height))
            if need[0] <= kept[0] and need[1] <= kept[1]:
                served.append(preset.name)
            workdir = tmp_path / f"{attempt[:5]}-{preset.name}"
            workdir.mkdir()
            [got] = working_copy.render_presets(
                store,
                original,
                [preset],
                focal=FOCAL,
                stamp=STAMP,
                limits=render.Limits(10**8),
                credit_font=render.DEFAULT_CREDIT_FONT,
                workdir=workdir,
            ).values()
            working_copy.wait_until_kept()  # stored on a thread of its own
            assert store.exists(working_copy.blob_key(original.sha256))
            want, have = decoded(truth[preset.name]), decoded(got)
            assert (have.size, have.mode) == (want.size, want.mode), preset.name
            quality, error = psnr(have, want), mean_error(have, want)
            assert quality > 38 and error < 2, (
                f"{name} {attempt} {preset.name}: {quality:.1f} dB, mean error {error:.2f}"
            )
    assert served, "no preset of the table is rendered from this source's working copy"
    with store.open(working_copy.blob_key(original.sha256)) as stream, Image.open(stream) as copy:
        assert copy.size == working_copy.kept_size(original)
        assert max(copy.size) <= working_copy.WORKING_EDGE
        assert copy.format == ("WEBP" if "alpha" in name else "JPEG")
        assert "exif" not in copy.info and "icc_profile" not in copy.info
