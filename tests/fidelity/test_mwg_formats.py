"""Issue 18 across formats: the same disagreeing EXIF and XMP (and IPTC-IIM where the format
has a place for it) written by ExifTool into a JPEG, a TIFF, a PNG, a WebP and an AVIF read as
ExifTool's ``-use MWG`` reads them; a PNG that says who made it only in its text keywords
proposes that author."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from PIL import Image

from service.media.metadata import read_metadata
from tests.support.api import upload
from tests.support.exiftool import exiftool, mwg_view

FORMATS = {"jpg": "JPEG", "tif": "TIFF", "png": "PNG", "webp": "WEBP", "avif": "AVIF"}
HAS_IIM = {"jpg", "tif"}  # where the MWG reads IPTC-IIM


def write(path: Path, *arguments: str) -> None:
    subprocess.run(
        ["exiftool", "-q", "-q", "-m", "-overwrite_original", "-charset", "utf8", *arguments,
         str(path)],
        check=True,
    )  # fmt: skip


def picture(tmp_path: Path, suffix: str) -> Path:
    path = tmp_path / f"photo.{suffix}"
    Image.new("RGB", (96, 64), (150, 110, 60)).save(path, FORMATS[suffix])
    return path


@pytest.mark.parametrize("suffix", list(FORMATS))
def test_disagreeing_blocks_read_as_exiftool_mwg_reads_them_in_every_format(
    tmp_path: Path, suffix: str
) -> None:
    path = picture(tmp_path, suffix)
    write(path, "-EXIF:Artist=Camera Owner", "-XMP-dc:Creator=Ann Smith", "-XMP-dc:Creator=Bob Ng",
          "-XMP-dc:Rights=© Musée du quai Branly", "-XMP-dc:Description=Bowl, front",
          "-XMP-photoshop:DateCreated=2024-03-27T10:15:00+01:00", "-XMP-dc:Subject=bowl",
          "-XMP-dc:Subject=ceramic")  # fmt: skip
    if suffix in HAS_IIM:
        write(path, "-IPTC:Caption-Abstract=Bowl (IIM)", "-IPTC:City=Paris")  # no digest
    view = mwg_view(path)

    summary = read_metadata(path).summary

    assert view["Creator"] == ["Camera Owner"]
    assert summary["creator"] == {"value": "Camera Owner", "source": "exif:Artist"}
    assert summary["reconciled"]["creator"]["conflicts"] == [
        {"source": "xmp:dc:creator", "value": "Ann Smith; Bob Ng"}
    ]
    assert summary["copyright_notice"]["value"] == view["Copyright"] == "© Musée du quai Branly"
    assert summary["description"]["value"] == view["Description"] == "Bowl, front"
    assert summary["keywords"]["value"] == view["Keywords"] == ["bowl", "ceramic"]
    assert summary["date_taken"] == "2024-03-27T10:15:00+01:00"
    assert view["DateTimeOriginal"].startswith("2024:03:27 10:15:00")
    if suffix in HAS_IIM:
        assert summary["iptc_digest"] == "missing"
        assert summary["city"]["value"] == view["City"] == "Paris"


def test_a_png_that_names_its_author_only_in_text_keywords_proposes_that_author(
    client: FlaskClient, tokens: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    path = picture(tmp_path, "png")
    write(path, "-PNG:Author=Ann Smith", "-PNG:Copyright=© Ann Smith 2024",
          "-PNG:Description=Bowl with a blue glaze", "-PNG:Title=Bowl",
          "-PNG:CreationTime=2024:03:27 10:15:00")  # fmt: skip
    (tags,) = exiftool(path)
    assert tags["PNG:Author"] == "Ann Smith" and "Creator" not in mwg_view(path)

    created = upload(client, tokens["contributor"], path.read_bytes(), filename="bowl.png")

    assert created.status_code == 201, created.json
    summary = created.json["metadata"]
    assert summary["creator"] == {"value": "Ann Smith", "source": "png:Author"}
    assert summary["copyright_notice"] == {"value": "© Ann Smith 2024", "source": "png:Copyright"}
    assert summary["description"]["value"] == "Bowl with a blue glaze"
    assert summary["title"] == {"value": "Bowl", "source": "png:Title"}
    assert summary["date_taken"] == "2024-03-27T10:15:00"
    assert summary["reconciled"]["creator"]["rule"] == "fallback"
    rights = client.get(f"/api/v1/assets/{created.json['id']}/rights", headers=tokens["viewer"])
    assert rights.json["creator"] == "Ann Smith"
