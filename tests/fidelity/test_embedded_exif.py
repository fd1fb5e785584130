"""Issue 11: EXIF in PNG (the eXIf chunk, before or after the pixels, and ImageMagick's "Raw
profile type exif" text chunk) is read like JPEG EXIF: rights fields, GPS and orientation, for
metadata and for the displayed size. WebP's EXIF and XMP chunks are read too."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from PIL import Image, ImageFile

from service.media import imaging
from service.media.metadata import read_metadata
from tests.fidelity import exif_ifd as X
from tests.support import photos
from tests.support.api import upload

SQLITE_LOCAL = pytest.mark.parametrize(
    ("database_url", "blob_settings"), [("sqlite", "local")], indirect=True
)
CARRIERS: dict[str, Callable[[bytes], bytes]] = {
    "JPEG APP1": X.in_jpeg,
    "PNG eXIf before the pixels": X.in_png,
    "PNG eXIf after the pixels": lambda tiff: X.in_png(tiff, after_idat=True),
    "PNG raw profile, zTXt": X.in_png_raw_profile,
    "PNG raw profile, zTXt, Exif prefix": lambda tiff: X.in_png_raw_profile(tiff, prefix=True),
    "PNG raw profile, tEXt": lambda tiff: X.in_png_raw_profile(tiff, kind=b"tEXt"),
    "PNG raw profile, iTXt": lambda tiff: X.in_png_raw_profile(tiff, kind=b"iTXt"),
    "WebP EXIF chunk": X.in_webp,
}


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "photo"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("order", [">", "<"], ids=["MM", "II"])
@pytest.mark.parametrize("carrier", list(CARRIERS))
def test_exif_is_read_alike_from_every_carrier(
    tmp_path: Path, carrier: str, order: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, CARRIERS[carrier](X.camera_exif(order=order)))

    def refuse(self: Image.Image) -> None:
        raise AssertionError("pixels were decoded to read metadata")

    with monkeypatch.context() as patched:
        patched.setattr(ImageFile.ImageFile, "load", refuse)
        result = read_metadata(path)
    summary = result.summary
    assert summary["copyright_notice"] == {
        "value": "© Trustees of the British Museum",
        "source": "exif:Copyright",
    }
    assert summary["creator"]["value"] == photos.ARTIST
    assert summary["description"]["value"] == photos.DESCRIPTION
    assert (summary["camera_make"], summary["camera_model"]) == (photos.MAKE, photos.MODEL)
    assert summary["date_taken"] == "2024-03-27T10:15:00"
    assert summary["orientation"] == 6
    assert summary["has_gps"] is True
    assert summary["gps"]["latitude"] == pytest.approx(photos.LATITUDE, abs=1e-3)
    assert summary["gps"]["longitude"] == pytest.approx(photos.LONGITUDE, abs=1e-3)
    assert result.raw["exif"]["BodySerialNumber"] == "012345678901"
    assert result.warnings == []


@pytest.mark.parametrize("carrier", list(CARRIERS))
def test_the_displayed_size_follows_the_orientation_in_every_carrier(
    tmp_path: Path, carrier: str
) -> None:
    path = write(tmp_path, CARRIERS[carrier](X.camera_exif(orientation=8)))
    info = imaging.identify(path, 150_000_000)
    assert (info.width, info.height, info.orientation) == (16, 24, 8)
    with Image.open(path) as image:
        assert imaging.exif_orientation(image) == 8


def test_an_eXIf_chunk_wins_over_a_raw_profile(tmp_path: Path) -> None:
    data = X.in_png_raw_profile(X.camera_exif(orientation=3))
    chunks = [(kind, body) for kind, body in _chunks(data)]
    chunks.insert(1, (b"eXIf", X.camera_exif(orientation=6)))
    path = write(tmp_path, b"\x89PNG\r\n\x1a\n" + b"".join(photos._png_chunk(*c) for c in chunks))
    assert read_metadata(path).summary["orientation"] == 6
    assert imaging.png_exif(path) == X.camera_exif(orientation=6)


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    from tests.hostile.make_corpus import png_chunk_list

    return png_chunk_list(data)


def test_a_raw_profile_that_is_not_hex_is_ignored(tmp_path: Path) -> None:
    good = X.in_png_raw_profile(X.camera_exif(), kind=b"tEXt")
    path = write(tmp_path, good.replace(b"\nexif\n", b"\nexif\nzz"))
    assert imaging.png_exif(path) is None
    assert read_metadata(path).summary["camera_make"] is None


def test_tiff_orientation_is_already_applied_by_pillow_so_it_is_not_turned_again(
    tmp_path: Path,
) -> None:
    from tests.hostile.make_corpus import oriented

    path = write(tmp_path, oriented("TIFF", 6, 60, 40)())
    with Image.open(path) as image:
        assert image.size == (40, 60)  # Pillow reports the turned size from the header
        assert imaging.exif_orientation(image) == 1
        image.load()
        assert image.size == (40, 60)
    info = imaging.identify(path, 150_000_000)
    assert (info.width, info.height) == (40, 60)
    assert read_metadata(path).summary["orientation"] == 6  # the file's own value, as metadata


def test_webp_exif_and_xmp_chunks_are_read(tmp_path: Path) -> None:
    path = write(tmp_path, photos.webp(rights=True))
    result = read_metadata(path)
    assert result.summary["credit_line"] == {
        "value": photos.CREDIT,
        "source": "xmp:photoshop:Credit",
    }
    assert result.raw["exif"]["Copyright"] == photos.COPYRIGHT
    assert result.summary["orientation"] == 6
    assert result.summary["has_gps"] is True


@SQLITE_LOCAL
def test_an_upload_of_a_png_with_raw_profile_exif_proposes_its_rights(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    response = upload(client, tokens["contributor"], X.in_png_raw_profile(X.camera_exif()))
    assert response.status_code == 201, response.json
    assert (response.json["width"], response.json["height"]) == (16, 24)
    metadata = client.get(
        f"/api/v1/assets/{response.json['id']}/metadata", headers=tokens["viewer"]
    ).json
    assert metadata["summary"]["copyright_notice"]["value"] == "© Trustees of the British Museum"
    assert metadata["summary"]["has_gps"] is True
