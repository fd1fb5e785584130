"""Rendering: the rights written into the output and no private metadata; one decode and one
resize for all presets; sources refused before they are decoded.

Split from test_render.py, whose helpers are in tests/support/render.py.
"""

from __future__ import annotations

import dataclasses
import io
import math
from pathlib import Path
from typing import Any

import exifread
import pytest
from PIL import Image, ImageChops, ImageStat, IptcImagePlugin

from service.media import imaging
from service.media.metadata import read_metadata
from service.media.render import (
    SRGB_ICC,
    RenderError,
    render_variants,
)
from service.rules.presets import DEFAULT_PRESETS
from tests.support import photos
from tests.support.render import (
    CREDIT,
    LICENCE,
    LIMIT,
    STAMP,
    encode,
    pixels,
    preset,
    render_one,
    save,
)

# ---------------------------------------------------------------- metadata out


def _private_exif() -> Image.Exif:
    exif = photos.make_exif(orientation=6)
    exif.get_ifd(0x8769)[0x927C] = b"Canon maker note with a serial"  # MakerNote
    exif.get_ifd(0x8769)[0xA431] = "0123456789"  # BodySerialNumber
    return exif


def _exifread_tags(data: bytes, fmt: str) -> dict[str, str]:
    """exifread's view: the file itself for JPEG; the EXIF block Pillow finds for WebP/AVIF."""
    if fmt == "jpeg":
        stream = io.BytesIO(data)
    else:  # exifread 3.5 reads no EXIF from a WebP/AVIF file itself
        with Image.open(io.BytesIO(data)) as image:
            stream = io.BytesIO(image.info["exif"].removeprefix(b"Exif\0\0"))
    tags = exifread.process_file(stream, details=True, extract_thumbnail=True)
    return {key: str(value) for key, value in tags.items()}


@pytest.mark.parametrize("fmt", ["jpeg", "webp", "avif"])
def test_the_output_carries_the_rights_and_no_private_metadata(tmp_path: Path, fmt: str) -> None:
    source = photos.jpeg_with_rights(800, 600, exif=_private_exif())
    path = save(tmp_path, source)
    stamp = dataclasses.replace(
        STAMP,
        title='Bowl & cover, "Lotus" <lid>',
        alt_text="A bowl & its lid <painted> with 'lotus' flowers",
    )
    before = sorted(p.name for p in tmp_path.iterdir())

    rendered = render_one(path, preset(width=600, height=600, format=fmt), stamp=stamp)

    assert sorted(p.name for p in tmp_path.iterdir()) == before  # bytes only, no files
    data = rendered.data
    # exifread decodes the UTF-8 bytes in these ASCII tags as UTF-8, as exiftool does.
    tags = _exifread_tags(data, fmt)
    assert tags["Image Copyright"] == CREDIT
    assert tags["Image Artist"] == "Jane Photographer"
    assert tags["Image ImageDescription"] == 'Bowl & cover, "Lotus" <lid> (1869,1005.1)'
    assert tags.get("Image Orientation", "Horizontal (normal)") == "Horizontal (normal)"
    assert not [k for k in tags if k.startswith(("GPS", "MakerNote", "Thumbnail", "JPEGThumbnail"))]
    assert not [k for k in tags if "MakerNote" in k or "Serial" in k or "Make" in k or "Model" in k]

    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        # Pillow decodes ASCII tags as Latin-1: it shows "Â©"; the bytes are UTF-8.
        assert exif[0x8298].encode("latin-1").decode("utf-8") == CREDIT
        assert exif.get(0x0112, 1) == 1
        assert not exif.get_ifd(0x8825) and not exif.get_ifd(0x8769)  # no GPS, no Exif IFD
        assert image.info["icc_profile"] == SRGB_ICC
        assert "photoshop" not in image.info and IptcImagePlugin.getiptcinfo(image) is None
        xmp = image.info["xmp"]
        xmp = xmp if isinstance(xmp, bytes) else xmp.encode()
    assert photos.USAGE_TERMS.encode() not in xmp and b"figure en basalte" not in xmp
    assert b"&amp; its lid &lt;painted&gt;" in xmp

    meta = read_metadata(save(tmp_path, data, f"out.{fmt}"))
    summary, xmp_raw = meta.summary, meta.raw["xmp"]
    assert xmp_raw["dc:rights"] == xmp_raw["photoshop:Credit"] == CREDIT
    assert xmp_raw["dc:creator"] == "Jane Photographer"
    assert xmp_raw["xmpRights:WebStatement"] == LICENCE
    assert xmp_raw["Iptc4xmpCore:AltTextAccessibility"] == stamp.alt_text
    assert xmp_raw["dc:title"] == stamp.title
    assert summary["has_gps"] is False and summary["gps"] is None
    assert summary["camera_make"] is None and summary["date_taken"] is None
    assert summary["icc_profile"] == "sRGB built-in"
    assert meta.warnings == []


def test_a_stamp_without_a_licence_writes_no_web_statement(tmp_path: Path) -> None:
    path = save(tmp_path, photos.jpeg_plain())
    rendered = render_one(path, preset(), stamp=dataclasses.replace(STAMP, licence_uri=None))
    meta = read_metadata(save(tmp_path, rendered.data, "out.jpg"))
    assert "xmpRights:WebStatement" not in meta.raw["xmp"]
    assert meta.summary["credit_line"]["value"] == CREDIT


def test_an_unknown_placement_is_refused(tmp_path: Path) -> None:
    path = save(tmp_path, photos.jpeg_plain())
    with pytest.raises(RenderError, match="placement"):
        render_one(path, preset(), stamp=dataclasses.replace(STAMP, placement="top"))


def test_one_call_opens_and_decodes_the_source_once_for_all_presets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = save(tmp_path, photos.jpeg_with_rights(1200, 900))
    opened: list[object] = []
    real_open = Image.open

    def counting_open(*args: object, **kwargs: object) -> Image.Image:
        opened.append(args[0])
        return real_open(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Image, "open", counting_open)
    out = render_variants(
        path,
        [DEFAULT_PRESETS[n] for n in ("thumb", "x", "og")],
        focal=(0.5, 0.5),
        stamp=STAMP,
        max_pixels=LIMIT,
    )
    assert len(out) == 3 and opened == [path]


@pytest.mark.parametrize("focal_y", [0.5, 0.2, 0.9])
def test_presets_of_one_scale_are_resized_once_and_look_as_if_resized_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, focal_y: float
) -> None:
    # A tall photograph: Instagram's square and 4:5 portrait are both 1080 wide from its width.
    path = save(tmp_path, photos.jpeg_plain(2000, 3000, quality=90))
    square, portrait = DEFAULT_PRESETS["instagram-square"], DEFAULT_PRESETS["instagram-portrait"]
    focal = (0.5, focal_y)
    alone = render_variants(path, [square], focal=focal, stamp=STAMP, max_pixels=LIMIT)
    resizes: list[tuple[int, int]] = []
    real_resize = Image.Image.resize

    def counting_resize(image: Image.Image, size: tuple[int, int], *a: object, **k: object) -> Any:
        resizes.append(tuple(size))
        return real_resize(image, size, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(Image.Image, "resize", counting_resize)
    both = render_variants(path, [square, portrait], focal=focal, stamp=STAMP, max_pixels=LIMIT)

    assert resizes == [(1080, 1350)]
    assert (both["instagram-square"].width, both["instagram-square"].height) == (1080, 1080)
    diff = ImageChops.difference(
        pixels(both["instagram-square"]).convert("RGB"),
        pixels(alone["instagram-square"]).convert("RGB"),
    )
    stat = ImageStat.Stat(diff)
    assert max(stat.mean) < 0.5  # 8-bit levels: the same picture, bar JPEG noise
    assert min(10 * math.log10(255**2 / max(rms, 1e-9) ** 2) for rms in stat.rms) > 40


def test_a_progressive_jpeg_of_thousands_of_scans_stored_before_ingest_refused_them_is_not_decoded(
    tmp_path: Path,
) -> None:
    path = Path(__file__).parents[1] / "data" / "hostile" / "jpeg-3000-scans.jpg"
    with pytest.raises(RenderError, match=r"3,0\d\d or more JPEG scans; at most 256"):
        render_one(path, DEFAULT_PRESETS["thumb"])


def test_a_progressive_mpo_has_its_scans_counted_like_any_progressive_jpeg(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A camera's multi-picture JPEG opens as MPO; a scan bomb inside one must not escape.
    frames = [photos.picture(64, 48), photos.picture(64, 48)]
    path = save(tmp_path, encode(frames[0], "MPO", save_all=True, append_images=frames[1:],
                                 progressive=True))  # fmt: skip
    with Image.open(path) as opened:
        assert opened.format == "MPO" and opened.info.get("progressive")
    counted: list[Path] = []

    def counting(source: Path, limit: int = 256) -> int:
        counted.append(source)
        return 100_000

    monkeypatch.setattr(imaging.bombs, "jpeg_scans", counting)
    with pytest.raises(RenderError, match="100,000 or more JPEG scans"):
        render_one(path, DEFAULT_PRESETS["thumb"])
    assert counted == [path]


def test_a_png_flooded_with_tiny_chunks_is_refused_before_pillow_reads_them(tmp_path: Path) -> None:
    hostile = Path(__file__).parents[1] / "data" / "hostile"
    with pytest.raises(RenderError, match=r"10,001 or more PNG chunks of under 1,024 bytes"):
        render_one(hostile / "png-chunk-flood.png", DEFAULT_PRESETS["thumb"])
    # An APNG of 2000 tiny frames has 4,002 small chunks: under the limit, it renders.
    assert render_one(hostile / "apng-2000-frames.png", DEFAULT_PRESETS["thumb"]).width > 0


def test_a_focal_point_outside_the_image_and_a_format_ingest_refuses_are_render_errors(
    tmp_path: Path,
) -> None:
    path = save(tmp_path, photos.jpeg_plain())
    with pytest.raises(RenderError, match="focal x"):
        render_variants(path, [preset()], focal=(1.5, 0.5), stamp=STAMP, max_pixels=LIMIT)
    bmp = save(tmp_path, encode(photos.picture(64, 48), "BMP"), "source.bmp")
    with pytest.raises(RenderError, match="cannot be decoded"):
        render_one(bmp, preset())
    assert render_variants(path, [], focal=(0.5, 0.5), stamp=STAMP, max_pixels=LIMIT) == {}
