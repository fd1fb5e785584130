"""Issue 18: what a JPEG's XMP holds past the 64 KB of one segment (Extended XMP: long
catalogue descriptions, thousands of keywords, many people) reaches the summary as it reaches
ExifTool. ExifTool writes the files: it moves the largest properties into the extension."""

from __future__ import annotations

import subprocess
from pathlib import Path

from PIL import Image

from service.media.metadata import read_metadata
from tests.support.exiftool import exiftool, mwg_view

KEYWORDS = [f"keyword {n:04d} of a very long catalogue vocabulary" for n in range(1500)]
NAMES = [f"Visitor {n:04d} of the Museum Week opening night" for n in range(1500)]


def write(path: Path, *arguments: str) -> None:
    args = path.parent / "args.txt"
    args.write_text("\n".join(arguments) + "\n", encoding="utf-8")
    subprocess.run(
        ["exiftool", "-q", "-q", "-m", "-overwrite_original", "-charset", "utf8", "-@", str(args),
         str(path)],
        check=True,
    )  # fmt: skip


def test_keywords_and_people_held_in_extended_xmp_are_read(tmp_path: Path) -> None:
    path = tmp_path / "opening.jpg"
    Image.new("RGB", (640, 480), (40, 60, 90)).save(path)
    write(
        path,
        "-XMP-dc:Description=Opening night",
        *[f"-XMP-dc:Subject={keyword}" for keyword in KEYWORDS],
        *[f"-XMP-iptcExt:PersonInImage={name}" for name in NAMES],
    )
    (tags,) = exiftool(path)
    assert "XMP-xmpNote:HasExtendedXMP" in tags  # ExifTool did split the packet

    result = read_metadata(path)

    view = mwg_view(path)
    # ExifTool extracts the first 1000 items of a list, with a warning; so does Vitrine.
    assert result.summary["keywords"]["value"] == view["Keywords"] == KEYWORDS[:1000]
    assert "XMP: dc:subject holds 1500 values; the first 1000 kept" in result.warnings
    assert result.summary["description"]["value"] == view["Description"] == "Opening night"
    people = result.summary["people"]
    assert people is not None and people["names"][:2] == NAMES[:2]
    assert "XMP: 1500 names of people; the first 100 kept" in result.warnings
    assert not [w for w in result.warnings if "XMP" in w and "kept" not in w]
