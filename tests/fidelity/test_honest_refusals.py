"""Issue 11: honest refusals. A signed 16-bit TIFF is accepted and renders as the picture it
holds; samples no photograph has are refused naming their real format; a TIFF whose compression
this installation cannot decode gets 415 naming the compression, not "does not decode"."""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from PIL import Image, ImageChops, ImageStat, TiffImagePlugin

from service.media import imaging, render
from service.rules.presets import DEFAULT_PRESETS
from service.rules.problems import UnsupportedMediaType
from tests.hostile import make_corpus as corpus
from tests.support.api import upload

SQLITE_LOCAL = pytest.mark.parametrize(
    ("database_url", "blob_settings"), [("sqlite", "local")], indirect=True
)
STAMP = render.RightsStamp("© Trustees of the British Museum", "J. P.", "Bowl", "EA 1", None, "")


def write(tmp_path: Path, data: bytes, name: str = "upload.tif") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    return sum(ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).mean) / 3


def grey_tiff(samples: bytes, width: int, height: int, bits: int, number_format: int) -> bytes:
    page = corpus.grey_page(
        width,
        height,
        len(samples),
        bits=bits,
        extra=[(339, corpus.SHORT, 1, corpus.u16(number_format))],
    )
    return corpus.tiff_pages([page], [samples])


# ---------------------------------------------------------------- signed samples


@pytest.mark.parametrize("bits", [8, 16])
def test_a_signed_tiff_is_accepted_and_renders_as_its_picture(tmp_path: Path, bits: int) -> None:
    path = write(tmp_path, corpus.tiff_signed(bits))
    info = imaging.identify(path, 150_000_000)
    width = 44 + bits // 8
    assert (info.width, info.height) == (width, 32)
    picture = corpus.pic(width, 32, "L")
    rendered = render.render_variants(
        path, [DEFAULT_PRESETS["web-large"]], focal=(0.5, 0.5), stamp=STAMP, max_pixels=10**8
    )["web-large"]
    with Image.open(io.BytesIO(rendered.data)) as output:
        assert output.size == (width, 32)
        assert mean_difference(output, picture) < 4


def test_signed_16_bit_samples_map_linearly_onto_8_bits() -> None:
    values = [-32768, -257, 0, 257, 32767]
    samples = struct.pack(f"<{len(values)}h", *values)
    with Image.open(io.BytesIO(grey_tiff(samples, len(values), 1, 16, 2))) as image:
        image.load()
        assert image.mode == "I"
        assert imaging.sample_format(image) == "signed 16-bit integer"
        mapped = imaging.unsigned_samples(image)
    assert mapped.mode == "L"
    assert list(mapped.get_flattened_data()) == [0, 126, 127, 128, 255]  # (v + 32768) // 257


def test_signed_8_bit_samples_are_not_read_as_unsigned() -> None:
    values = [-128, -1, 0, 1, 127]
    samples = struct.pack(f"<{len(values)}b", *values)
    with Image.open(io.BytesIO(grey_tiff(samples, len(values), 1, 8, 2))) as image:
        image.load()
        assert list(image.get_flattened_data()) == [128, 255, 0, 1, 127]  # Pillow: the raw bytes
        mapped = imaging.unsigned_samples(image)
    assert list(mapped.get_flattened_data()) == [0, 127, 128, 129, 255]


def test_unsigned_images_are_left_as_they_are() -> None:
    with Image.open(io.BytesIO(corpus.tiff_16bit_grey())) as image:
        image.load()
        assert imaging.unsigned_samples(image) is image


@pytest.mark.parametrize(
    ("bits", "number_format", "pack", "named"),
    [
        (32, 1, "I", "unsigned 32-bit integer samples"),
        (32, 2, "i", "signed 32-bit integer samples"),
        (32, 3, "f", "32-bit floating-point samples"),
    ],
)
def test_samples_no_photograph_has_are_refused_naming_their_format(
    tmp_path: Path, bits: int, number_format: int, pack: str, named: str
) -> None:
    samples = struct.pack(f"<{8 * 8}{pack}", *([1] * 64))
    path = write(tmp_path, grey_tiff(samples, 8, 8, bits, number_format))
    with pytest.raises(UnsupportedMediaType, match=named):
        imaging.identify(path, 150_000_000)


@SQLITE_LOCAL
def test_the_api_accepts_a_signed_16_bit_tiff(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    response = upload(client, tokens["contributor"], corpus.tiff_signed(16), filename="s.tif")
    assert response.status_code == 201, response.json
    assert (response.json["width"], response.json["height"]) == (46, 32)


# ---------------------------------------------------------------- TIFF compressions

FOREIGN = [
    (34712, "JPEG 2000"),
    (34661, "JBIG"),
    (34887, "LERC"),
    (50002, "JPEG XL"),
    (65000, "an unregistered scheme"),
    (34676, "SGI LogLuv"),  # Pillow has no mode for its pixels
]


@pytest.mark.parametrize(("compression", "name"), FOREIGN)
def test_a_tiff_compressed_in_a_scheme_this_installation_lacks_gets_415_naming_it(
    tmp_path: Path, compression: int, name: str
) -> None:
    path = write(tmp_path, corpus.tiff_foreign_compression(compression)())
    with pytest.raises(UnsupportedMediaType) as refused:
        imaging.identify(path, 150_000_000)
    assert refused.value.detail == (
        f"This installation cannot read TIFF images compressed with {name} "
        f"(compression {compression})."
    )


def test_webp_in_tiff_is_refused_as_unreadable_here_when_libtiff_lacks_it(tmp_path: Path) -> None:
    """Pillow's wheels build libtiff without WebP: writing one fails, and so would reading."""
    buffer = io.BytesIO()
    try:
        Image.new("RGB", (8, 8)).save(buffer, "TIFF", compression="webp")
        can_write = True
    except OSError:
        can_write = False
    assert imaging.tiff_compression_readable(50001) is can_write
    path = write(tmp_path, corpus.tiff_foreign_compression(50001)())
    if can_write:
        pytest.skip("this libtiff decodes WebP")
    with pytest.raises(UnsupportedMediaType, match=r"compressed with WebP \(compression 50001\)"):
        imaging.identify(path, 150_000_000)


@pytest.mark.parametrize(
    ("compression", "make"),
    [
        ("tiff_lzw", lambda: corpus.pic(40, 30)),
        ("tiff_adobe_deflate", lambda: corpus.pic(40, 30)),
        ("packbits", lambda: corpus.pic(40, 30)),
        ("jpeg", lambda: corpus.pic(40, 30)),
        ("group4", lambda: corpus.pic(40, 30).convert("1")),
        ("group3", lambda: corpus.pic(40, 30).convert("1")),
        ("lzma", lambda: corpus.pic(40, 30)),
        ("zstd", lambda: corpus.pic(40, 30)),
    ],
)
def test_tiff_compressions_this_installation_decodes_are_accepted(
    tmp_path: Path, compression: str, make: Callable[[], Image.Image]
) -> None:
    path = write(tmp_path, corpus.save(make(), "TIFF", compression=compression))
    number = TiffImagePlugin.COMPRESSION_INFO_REV[compression]
    assert imaging.tiff_compression_readable(number)
    assert imaging.identify(path, 150_000_000).format == "TIFF"


@SQLITE_LOCAL
def test_the_api_answers_415_for_an_unreadable_compression(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    data = corpus.tiff_foreign_compression(34712)()
    response = upload(client, tokens["contributor"], data, filename="scan.tif")
    assert response.status_code == 415
    assert response.json["code"] == "unsupported-media-type"
    assert "cannot read TIFF images compressed with JPEG 2000" in response.json["detail"]


def test_an_old_style_jpeg_tiff_is_read_by_this_build(tmp_path: Path) -> None:
    """Compression 6 (OJPEG, JPEGInterchangeFormat pointing at a whole JPEG) decodes with the
    libtiff Pillow ships, so it is accepted, not refused as unreadable."""
    jpeg = corpus.save(corpus.pic(64, 48), "JPEG", quality=90)
    L, S = corpus.LONG, corpus.SHORT
    page = [
        (256, L, 1, corpus.u32(64)), (257, L, 1, corpus.u32(48)),
        (258, S, 3, struct.pack("<3H", 8, 8, 8)), (259, S, 1, corpus.u16(6)),
        (262, S, 1, corpus.u16(6)), (273, L, 1, corpus.u32(0)), (277, S, 1, corpus.u16(3)),
        (278, L, 1, corpus.u32(48)), (279, L, 1, corpus.u32(len(jpeg))),
        (513, L, 1, corpus.u32(8)), (514, L, 1, corpus.u32(len(jpeg))),
    ]  # fmt: skip
    path = write(tmp_path, corpus.tiff_pages([page], [jpeg]))
    assert imaging.tiff_compression_readable(6)
    info = imaging.identify(path, 150_000_000)
    assert (info.format, info.width, info.height) == ("TIFF", 64, 48)
