"""Orientation is applied exactly once, for every format and all eight EXIF orientations.

Each case stores one upright picture turned by the inverse of an orientation, with that
orientation declared the way its format declares it (JPEG APP1, PNG eXIf or ImageMagick's
"Raw profile type exif" text, WebP EXIF chunk, TIFF tag under every compression this Pillow
writes, AVIF irot/imir boxes), and checks that every kind of output looks like the upright
picture and that ingest reports its upright width and height.

Pillow behaviours this relies on (Pillow 13, checked by these very cases):
- JPEG, PNG, WebP: pixels come out as stored, the orientation stays in ``getexif()``.
- TIFF: Pillow turns the pixels as it loads them (``TiffImageFile.load_end`` calls
  ``exif_transpose``; for YCbCr and JPEG-compressed TIFFs decoded through libtiff's RGBA
  interface too, which Pillow asks for top-left rows), its ``size`` is upright even before
  loading, and the tag is gone from ``getexif()`` once loaded.
- AVIF: Pillow's writer moves the tag into irot/imir boxes; its reader reports them as the
  EXIF orientation (they win over an EXIF tag) and leaves the pixels as stored.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from PIL import Image, ImageChops, ImageDraw, ImageStat, PngImagePlugin, TiffImagePlugin, features

from service.media import imaging
from service.media.render import RightsStamp, render_variants
from service.rules.presets import DEFAULT_PRESETS, Preset
from tests.support.api import upload

T = Image.Transpose
# What a viewer does to the stored pixels for each orientation, and its inverse (how a camera
# stores an upright scene it saw turned).
SHOW = {
    2: T.FLIP_LEFT_RIGHT,
    3: T.ROTATE_180,
    4: T.FLIP_TOP_BOTTOM,
    5: T.TRANSPOSE,
    6: T.ROTATE_270,
    7: T.TRANSVERSE,
    8: T.ROTATE_90,
}
STORE = {**SHOW, 6: T.ROTATE_90, 8: T.ROTATE_270}
UPRIGHT = (300, 200)
STAMP = RightsStamp("© Museum", "Jane Photographer", "Figure", "1869,1005.1", None, "A figure.")
# One of each fit, and the library's previews (thumbnail, large web image).
PRESETS = [
    Preset("cover", 120, 160, "cover", quality=95),
    Preset("contain", 160, 160, "contain", quality=95),
    Preset("within", 150, 150, "within", quality=95),
    DEFAULT_PRESETS["thumb"],
    DEFAULT_PRESETS["web-large"],
]


def upright() -> Image.Image:
    """Coloured quadrants, a white marker near the top-left corner and a dark bar along the
    top: no two of the eight orientations look alike."""
    width, height = UPRIGHT
    image = Image.new("RGB", UPRIGHT)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width // 2 - 1, height // 2 - 1), fill=(210, 40, 40))
    draw.rectangle((width // 2, 0, width - 1, height // 2 - 1), fill=(40, 180, 60))
    draw.rectangle((0, height // 2, width // 2 - 1, height - 1), fill=(40, 60, 200))
    draw.rectangle((width // 2, height // 2, width - 1, height - 1), fill=(230, 210, 50))
    draw.rectangle((16, 16, 70, 50), fill=(255, 255, 255))
    draw.rectangle((0, 0, width - 1, 6), fill=(20, 20, 20))
    return image


def _exif(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()


def _save(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def _tiff(compression: str, mode: str = "RGB") -> object:
    def make(stored: Image.Image, orientation: int) -> bytes:
        info = TiffImagePlugin.ImageFileDirectory_v2()
        info[0x0112] = orientation
        return _save(stored.convert(mode), "TIFF", compression=compression, tiffinfo=info)

    return make


def _raw_profile_png(stored: Image.Image, orientation: int) -> bytes:
    """EXIF the way ImageMagick writes it into a PNG: hex in a "Raw profile type exif" text."""
    data = b"Exif\x00\x00" + _exif(orientation).removeprefix(b"Exif\x00\x00")
    info = PngImagePlugin.PngInfo()
    info.add_text("Raw profile type exif", f"\nexif\n{len(data):8d}\n{data.hex()}\n", zip=True)
    return _save(stored, "PNG", pnginfo=info)


MAKERS: dict[str, object] = {
    "jpeg": lambda s, o: _save(s, "JPEG", quality=95, subsampling=0, exif=_exif(o)),
    "png-exif-chunk": lambda s, o: _save(s, "PNG", exif=_exif(o)),
    "png-raw-profile": _raw_profile_png,
    "webp": lambda s, o: _save(s, "WEBP", lossless=True, exif=_exif(o)),
    "tiff-raw": _tiff("raw"),
    "tiff-lzw": _tiff("tiff_lzw"),
    "tiff-deflate": _tiff("tiff_adobe_deflate"),
    "tiff-packbits": _tiff("packbits"),
    "tiff-jpeg": _tiff("jpeg"),
    "tiff-ycbcr-lzw": _tiff("tiff_lzw", "YCbCr"),  # libtiff's RGBA interface decodes these
    "tiff-ycbcr-jpeg": _tiff("jpeg", "YCbCr"),
    "tiff-grey-deflate": _tiff("tiff_adobe_deflate", "L"),
}
if features.check("avif"):
    MAKERS["avif"] = lambda s, o: _save(s, "AVIF", quality=95, exif=_exif(o))
LOSSY = {"jpeg", "tiff-jpeg", "tiff-ycbcr-jpeg", "avif"}
GREY = {"tiff-grey-deflate"}


def stored_file(fmt: str, orientation: int, tmp_path: Path) -> Path:
    picture = upright()
    stored = picture if orientation == 1 else picture.transpose(STORE[orientation])
    make = MAKERS[fmt]
    path = tmp_path / f"{fmt}-{orientation}"
    path.write_bytes(make(stored, orientation))  # type: ignore[operator]
    return path


def mean_error(a: Image.Image, b: Image.Image, mode: str = "RGB") -> float:
    assert a.size == b.size, (a.size, b.size)
    difference = ImageChops.difference(a.convert(mode), b.convert(mode))
    return sum(ImageStat.Stat(difference).mean) / 3


def outputs(path: Path) -> dict[str, Image.Image]:
    rendered = render_variants(path, PRESETS, focal=(0.3, 0.3), stamp=STAMP, max_pixels=10**8)
    return {name: Image.open(io.BytesIO(r.data)).convert("RGB") for name, r in rendered.items()}


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Image.Image]:
    """Every preset rendered from the upright picture, stored upright in a lossless PNG."""
    path = tmp_path_factory.mktemp("upright") / "upright.png"
    upright().save(path, "PNG")
    return outputs(path)


def test_the_eight_orientations_of_the_test_picture_all_look_different() -> None:
    picture = upright()
    shown = [picture] + [picture.transpose(STORE[o]) for o in range(2, 9)]
    for i, a in enumerate(shown):
        for b in shown[i + 1 :]:
            assert a.size != b.size or mean_error(a, b) > 40


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("fmt", sorted(MAKERS))
def test_every_format_is_turned_upright_exactly_once(
    fmt: str, orientation: int, tmp_path: Path, expected: dict[str, Image.Image]
) -> None:
    path = stored_file(fmt, orientation, tmp_path)
    info = imaging.identify(path, 10**8)
    assert (info.width, info.height) == UPRIGHT, "ingest must report the upright size"
    tolerance = 8 if fmt in LOSSY else 3
    for name, image in outputs(path).items():
        error = mean_error(image, expected[name], "L" if fmt in GREY else "RGB")
        assert error < tolerance, f"{fmt} orientation {orientation}, preset {name}: {error:.1f}"


@pytest.mark.parametrize("orientation", range(1, 9))
def test_pillow_turns_a_tiff_as_it_loads_and_leaves_other_formats_as_stored(
    orientation: int, tmp_path: Path
) -> None:
    """The Pillow behaviour the single reading of orientation is built on."""
    tiff = Image.open(stored_file("tiff-lzw", orientation, tmp_path))
    assert tiff.size == UPRIGHT  # before loading
    assert tiff.getexif().get(0x0112) == orientation  # declared...
    assert imaging.exif_orientation(tiff) == 1  # ...but nothing is left to apply
    tiff.load()
    assert tiff.getexif().get(0x0112, 1) == 1  # Pillow has applied it and dropped the tag
    assert mean_error(tiff, upright()) < 1
    for fmt in ["jpeg", "png-exif-chunk", "webp"] + (["avif"] if "avif" in MAKERS else []):
        image = Image.open(stored_file(fmt, orientation, tmp_path))
        image.load()
        assert imaging.exif_orientation(image) == orientation, fmt
        assert image.size == imaging.displayed_size(*UPRIGHT, orientation), fmt


def test_an_upload_reports_the_upright_size_of_a_turned_tiff_and_png(
    client: FlaskClient, tokens: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    for fmt, orientation in (("tiff-lzw", 6), ("png-exif-chunk", 8), ("tiff-deflate", 5)):
        data = stored_file(fmt, orientation, tmp_path).read_bytes()
        response = upload(client, tokens["contributor"], data, filename="turned")
        assert response.status_code == 201, response.json
        assert (response.json["width"], response.json["height"]) == UPRIGHT, fmt
