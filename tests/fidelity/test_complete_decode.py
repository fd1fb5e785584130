"""Issue 11: a file that does not decode completely is refused at upload, whatever the format,
and an original that slipped in before cannot be rendered: nothing with black or missing areas
is published.

Pillow alone lets much of this through (``test_what_pillow_alone_lets_through`` records what the
installed Pillow does with each kind of damage); ``imaging.incomplete_data`` makes up for it, at
upload and in render.
"""

from __future__ import annotations

import importlib
import io
import pkgutil
import re
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from PIL import Image, ImageFile

import service
from service.media import imaging, render
from service.rules.presets import DEFAULT_PRESETS
from service.rules.problems import UnreadableImage
from tests.hostile import make_corpus as corpus
from tests.support import photos
from tests.support.api import upload

SQLITE_LOCAL = pytest.mark.parametrize(
    ("database_url", "blob_settings"), [("sqlite", "local")], indirect=True
)

# (what is wrong, file, media type): every one decodes only in part.
INCOMPLETE: list[tuple[str, Callable[[], bytes], str]] = [
    ("PNG image data CRC", corpus.png_idat_bad_crc, "image/png"),
    ("PNG ancillary chunk CRC after the pixels", corpus.png_text_after_idat_bad_crc, "image/png"),
    ("PNG PLTE CRC", corpus.png_plte_bad_crc, "image/png"),
    ("PNG IHDR CRC", corpus.png_bad_crc, "image/png"),
    ("PNG deflate garbage", corpus.png_zlib_garbage, "image/png"),
    ("PNG zlib checksum", corpus.png_zlib_bad_checksum, "image/png"),
    ("PNG half the rows", corpus.png_rows_short, "image/png"),
    ("PNG zlib stream cut", corpus.png_zlib_cut, "image/png"),
    ("PNG filter type 7", corpus.png_bad_filter, "image/png"),
    ("PNG without IEND", corpus.png_no_iend, "image/png"),
    ("PNG image data split", corpus.png_idat_split, "image/png"),
    ("PNG cut in half", corpus.png_truncated, "image/png"),
    ("APNG acTL without fcTL", corpus.png_actl_lies, "image/png"),
    ("APNG short fcTL", corpus.apng_changed(corpus._short_fctl), "image/png"),
    ("APNG fdAT out of sequence", corpus.apng_changed(corpus._fdat_out_of_sequence), "image/png"),
    ("APNG frame missing", corpus.apng_changed(corpus._frame_missing), "image/png"),
    ("APNG frame rows short", corpus.apng_changed(corpus._fdat_rows_short), "image/png"),
    ("JPEG cut in its scan", corpus.jpeg_truncated_scan, "image/jpeg"),
    ("JPEG without EOI", corpus.jpeg_no_eoi, "image/jpeg"),
    ("JPEG cut, EOI appended", corpus.jpeg_eoi_padded(), "image/jpeg"),
    ("progressive JPEG cut, EOI appended", corpus.jpeg_eoi_padded(True), "image/jpeg"),
    ("TIFF LZW strip short", corpus.tiff_strip_short("tiff_lzw"), "image/tiff"),
    ("TIFF Deflate strip short", corpus.tiff_strip_short("tiff_adobe_deflate"), "image/tiff"),
    ("TIFF PackBits strip short", corpus.tiff_strip_short("packbits"), "image/tiff"),
    ("TIFF raw strip short", corpus.tiff_strip_short("raw"), "image/tiff"),
    ("TIFF JPEG strip short", corpus.tiff_strip_short("jpeg"), "image/tiff"),
    ("TIFF strip past the end", corpus.tiff_strip_past_end, "image/tiff"),
    ("TIFF tile past the end", corpus.tiff_tile_past_end, "image/tiff"),
    ("WebP cut in half", corpus.webp_truncated, "image/webp"),
    ("WebP VP8 data short", corpus.webp_vp8_short, "image/webp"),
    ("GIF cut in half", corpus.gif_truncated, "image/gif"),
    ("GIF later frame cut", corpus.gif_later_frame_cut, "image/gif"),
    ("AVIF cut in half", corpus.avif_truncated, "image/avif"),
]
WHOLE: list[tuple[str, Callable[[], bytes]]] = [
    ("PNG", lambda: corpus.png(60, 40)),
    ("interlaced PNG", lambda: corpus.save(corpus.pic(61, 41), "PNG", interlace=1)),
    ("16-bit RGBA PNG", corpus.png_16bit_rgba),
    ("palette PNG", corpus.png_palette_transparency),
    ("APNG", corpus.apng),
    ("JPEG", lambda: corpus.jpeg(60, 40)),
    ("progressive JPEG", corpus.jpeg_progressive),
    ("CMYK JPEG", corpus.jpeg_cmyk),
    (
        "JPEG with a damaged ICC profile",
        corpus.jpeg_with_icc(photos.adobe_rgb_like_icc(), 62, seq=[(5, 3)]),
    ),
    ("JPEG-in-TIFF", lambda: corpus.tiff_ifd_first(corpus.tiff(70, 48, compression="jpeg"))),
    ("LZW TIFF", lambda: corpus.tiff_ifd_first(corpus.tiff(70, 48, compression="tiff_lzw"))),
    ("WebP", lambda: corpus.save(corpus.pic(60, 40), "WEBP")),
    ("animated GIF", lambda: photos.gif_animated(3, 40, 30)),
    ("AVIF", lambda: photos.avif(40, 30)),
]


def write(tmp_path: Path, data: bytes, name: str = "upload") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("what", "build", "media_type"), INCOMPLETE, ids=[i[0] for i in INCOMPLETE]
)
def test_a_file_that_does_not_decode_completely_is_refused_with_the_reason(
    tmp_path: Path, what: str, build: Callable[[], bytes], media_type: str
) -> None:
    path = write(tmp_path, build())
    with pytest.raises(UnreadableImage) as refused:
        imaging.identify(path, 150_000_000)
    assert refused.value.detail.startswith(("The file", f"The {media_type}", "The JPEG")), (
        refused.value.detail
    )
    assert len(refused.value.detail) > 40  # says what is wrong, not only that something is


@pytest.mark.parametrize(("what", "build"), WHOLE, ids=[w[0] for w in WHOLE])
def test_whole_files_of_every_format_still_pass_every_check(
    tmp_path: Path, what: str, build: Callable[[], bytes]
) -> None:
    path = write(tmp_path, build())
    info = imaging.identify(path, 150_000_000)
    assert imaging.incomplete_data(path, info.format) is None


@SQLITE_LOCAL
def test_the_api_refuses_each_incomplete_file_with_a_422_problem_and_keeps_nothing(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    for what, build, _ in INCOMPLETE:
        response = upload(client, tokens["contributor"], build(), filename="photo")
        assert response.status_code == 422, (what, response.get_json())
        assert response.mimetype == "application/problem+json"
        assert response.json["code"] == "unreadable-image", what
    listed = client.get("/api/v1/assets", headers=tokens["viewer"]).json
    assert listed["items"] == []


def test_a_png_whose_exif_lookup_used_to_swallow_the_decode_error_is_refused(
    tmp_path: Path,
) -> None:
    """Pillow's PNG getexif() decodes the pixels to look for an eXIf chunk after them; the old
    orientation lookup caught the decode error, and the second load then passed silently."""
    path = write(tmp_path, corpus.png_zlib_garbage())
    with Image.open(path) as image, pytest.raises(OSError):
        image.getexif()  # decodes, and raises, as before
    with Image.open(path) as image:
        assert imaging.exif_orientation(image) == 1  # never decodes
        with pytest.raises(OSError, match="data stream"):
            image.load()
    with pytest.raises(UnreadableImage, match="does not decode"):
        imaging.identify(path, 150_000_000)


def test_no_module_loads_truncated_images() -> None:
    """LOAD_TRUNCATED_IMAGES is Pillow's global switch to pad truncated files and skip
    ancillary CRCs; nothing in the service may turn it on."""
    for module in pkgutil.walk_packages(service.__path__, "service."):
        importlib.import_module(module.name)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    sources = Path(service.__file__).parent.rglob("*.py")
    assert not [p for p in sources if re.search(r"LOAD_TRUNCATED_IMAGES\s*=", p.read_text())]


@pytest.mark.parametrize("cut", [0.2, 0.5, 0.9, 0.99])
def test_jpeg_truncation_is_caught_when_decoding_at_one_eighth_scale(cut: float) -> None:
    data = corpus.save(corpus.pic(640, 480), "JPEG", quality=90)
    scan = data.index(b"\xff\xda")
    cut_data = data[: scan + int((len(data) - scan) * cut)]
    with Image.open(io.BytesIO(cut_data)) as image:
        image.draft("RGB", (80, 60))
        assert image.size == (80, 60)  # DCT scaling: every entropy-coded byte is still read
        with pytest.raises(OSError, match="truncated"):
            image.load()


def test_a_damaged_scan_followed_by_eoi_is_caught_at_one_eighth_scale(tmp_path: Path) -> None:
    path = write(tmp_path, corpus.jpeg_eoi_padded()())
    problem = imaging.jpeg_problem(path)
    assert problem is not None
    assert "premature end of data segment" in problem


def test_the_strict_jpeg_check_maps_the_file_instead_of_holding_it_in_memory(
    tmp_path: Path,
) -> None:
    """Uploads are streamed to disk and may be 200 MB: the check must not read one whole."""
    noise = Image.effect_noise((3000, 3000), 64).convert("RGB")
    path = tmp_path / "noise.jpg"
    noise.save(path, "JPEG", quality=95, exif=photos.make_exif())
    size = path.stat().st_size
    tracemalloc.start()
    try:
        assert imaging.jpeg_problem(path) is None
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert size > 4_000_000
    assert peak < size // 4, f"peak {peak:,} bytes for a {size:,}-byte file"


@pytest.mark.parametrize(
    ("what", "build"),
    [
        ("PNG image data CRC", corpus.png_idat_bad_crc),
        ("PNG ancillary CRC after the pixels", corpus.png_text_after_idat_bad_crc),
        ("PNG half the rows (black)", corpus.png_rows_short),
        ("PNG without IEND", corpus.png_no_iend),
        ("JPEG cut, EOI appended (grey)", corpus.jpeg_eoi_padded()),
        ("JPEG-in-TIFF strip short (padded)", corpus.tiff_strip_short("jpeg")),
        ("GIF later frame cut (first frame only)", corpus.gif_later_frame_cut),
    ],
)
def test_what_pillow_alone_lets_through(what: str, build: Callable[[], bytes]) -> None:
    """The installed Pillow decodes each of these without an error (see the module doc)."""
    with Image.open(io.BytesIO(build())) as image:
        image.load()


# ---------------------------------------------------------------- render


STAMP = render.RightsStamp(
    credit_line="© Trustees of the British Museum",
    creator="Jane Photographer",
    title="Bowl",
    object_number="EA 1",
    licence_uri=None,
    alt_text="A bowl",
)


@pytest.mark.parametrize(
    ("what", "build", "name"),
    [
        ("PNG half the rows", corpus.png_rows_short, "a.png"),
        ("PNG deflate garbage", corpus.png_zlib_garbage, "b.png"),
        ("PNG image data CRC", corpus.png_idat_bad_crc, "c.png"),
        ("JPEG cut, EOI appended", corpus.jpeg_eoi_padded(), "d.jpg"),
        ("TIFF JPEG strip short", corpus.tiff_strip_short("jpeg"), "e.tif"),
        ("APNG frame rows short", corpus.apng_changed(corpus._fdat_rows_short), "f.png"),
    ],
)
def test_an_incomplete_original_stored_before_the_checks_does_not_render(
    tmp_path: Path, what: str, build: Callable[[], bytes], name: str
) -> None:
    path = write(tmp_path, build(), name)
    with pytest.raises(render.RenderError, match="cannot be decoded completely"):
        render.render_variants(
            path,
            [DEFAULT_PRESETS["web-large"]],
            focal=(0.5, 0.5),
            stamp=STAMP,
            max_pixels=150_000_000,
        )
