"""Issue 18, the edges a review found, each against ExifTool's ``-use MWG`` reading: a value
longer than the 2000 characters Vitrine keeps, an IIM date whose day or month is "not known"
(00), a dataset that must not repeat but does, values that look like digits in another script,
and IIM text in UTF-8 without the 1:90 marker (where Vitrine reads better than ExifTool, on
purpose)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from PIL import Image

from service.media.metadata import read_metadata
from service.web.embedded_view import disagreements
from tests.support.exiftool import mwg_view

SYNC = "-IPTCDigest=new"


def jpeg(tmp_path: Path, name: str = "photo.jpg") -> Path:
    path = tmp_path / name
    Image.new("RGB", (64, 48), (90, 60, 30)).save(path)
    return path


def write(path: Path, *arguments: str, minor_errors: str = "-m") -> None:
    """ExifTool writes; without "-m" it cuts IIM values at their dataset's limit."""
    subprocess.run(
        ["exiftool", "-q", "-q", minor_errors, "-overwrite_original", "-charset", "iptc=utf8",
         "-charset", "utf8", *arguments, str(path)],
        check=True,
    )  # fmt: skip


def iim_block(*datasets: tuple[int, bytes]) -> bytes:
    """Record 2 datasets, as an IIM-only tool writes them (no 1:90, no digest)."""
    return b"".join(b"\x1c\x02" + bytes([n]) + len(v).to_bytes(2, "big") + v for n, v in datasets)


def with_iim(tmp_path: Path, block: bytes, *more: str) -> Path:
    path = jpeg(tmp_path)
    raw = tmp_path / "block.iptc"
    raw.write_bytes(block)
    write(path, f"-IPTC<={raw}", *more)
    return path


def test_a_description_longer_than_kept_is_recovered_whole_before_it_is_cut(
    tmp_path: Path,
) -> None:
    # Caption/Abstract holds 2000 bytes: with a stale digest, an IIM value that is the XMP one
    # cut there gives back the whole XMP value (ExifTool), which Vitrine then keeps cut.
    text = ("Bowl, collected 1901. " * 120)[:2500]
    path = jpeg(tmp_path)
    write(path, f"-IPTC:Caption-Abstract={text}", f"-XMP-dc:Description={text}", SYNC,
          minor_errors="-overwrite_original")  # fmt: skip
    write(path, "-IPTC:City=Paris")  # an IIM-only edit: the digest goes stale

    summary = read_metadata(path).summary

    assert mwg_view(path)["Description"] == text
    assert summary["reconciled"]["description"]["rule"] == "iim-truncated"
    assert summary["description"]["value"] == text[:1999] + "…"
    assert summary["reconciled"]["description"]["conflicts"] == []
    assert disagreements(summary) == []  # nothing for a rights manager to settle


def test_an_iim_date_whose_day_is_not_known_stays_a_month(tmp_path: Path) -> None:
    path = with_iim(tmp_path, iim_block((55, b"20240300"), (60, b"101500+0100")))

    summary = read_metadata(path).summary

    assert mwg_view(path)["DateTimeOriginal"].startswith("2024:03:00")
    assert summary["date_taken"] == "2024-03"


def test_a_dataset_that_must_not_repeat_counts_by_its_last_value(tmp_path: Path) -> None:
    block = iim_block((120, b"First caption"), (120, b"Second caption"), (55, b"20240101"),
                      (55, b"20250101"), (80, b"Ann"), (80, b"Bob"))  # fmt: skip
    path = with_iim(tmp_path, block)

    summary = read_metadata(path).summary

    view = mwg_view(path)
    assert summary["description"]["value"] == view["Description"] == "Second caption"
    assert view["DateTimeOriginal"].startswith("2025:01:01") and summary["date_taken"] == (
        "2025-01-01"
    )
    assert summary["creator"]["value"] == "Ann; Bob" and view["Creator"] == ["Ann", "Bob"]


def test_digits_of_another_script_are_no_date_or_orientation_and_never_an_error(
    tmp_path: Path,
) -> None:
    path = jpeg(tmp_path)
    packet = tmp_path / "odd.xmp"
    packet.write_text(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF'
        ' xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description'
        ' xmlns:tiff="http://ns.adobe.com/tiff/1.0/"'
        ' xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"'
        ' tiff:Orientation="²" photoshop:DateCreated="٢٠٢٤"/></rdf:RDF></x:xmpmeta>',
        encoding="utf-8",
    )
    write(path, f"-XMP<={packet}")

    summary = read_metadata(path).summary

    assert (summary["orientation"], summary["date_taken"]) == (None, None)
    # ExifTool passes the text through as it is; Vitrine's dates are ISO 8601 in ASCII digits.
    assert mwg_view(path)["DateTimeOriginal"] == "٢٠٢٤"


def test_utf8_iim_without_its_marker_reads_as_written_where_exiftool_reads_latin(
    tmp_path: Path,
) -> None:
    # Outside the MWG, by choice: IIM without 1:90 is Latin by the standard and ExifTool reads
    # it so ("ZoÃ«"); tools that write UTF-8 without saying so are common, and Latin text is
    # almost never valid UTF-8, so Vitrine reads valid UTF-8 as UTF-8 ("Zoë").
    path = with_iim(tmp_path, iim_block((80, "Zoë".encode())))

    summary = read_metadata(path).summary

    assert mwg_view(path)["Creator"] == ["ZoÃ«"]
    assert summary["creator"] == {"value": "Zoë", "source": "iptc:2:80 By-line"}


def test_exif_copyright_keeps_the_editors_notice_after_the_photographers(
    tmp_path: Path,
) -> None:
    # EXIF Copyright holds the photographer's notice, a NUL, then the editor's.
    for name, notices, expected in (
        (
            "both.jpg",
            b"(c) Photographer Ann\0(c) Editor Bob\0",
            "(c) Photographer Ann\n(c) Editor Bob",
        ),
        ("editor.jpg", b" \0(c) Editor Bob\0", "(c) Editor Bob"),
    ):
        exif = Image.Exif()
        exif[0x8298] = notices
        path = tmp_path / name
        Image.new("RGB", (64, 48)).save(path, exif=exif.tobytes())
        write(path, "-XMP-dc:Rights=(c) XMP desk")

        summary = read_metadata(path).summary

        assert mwg_view(path)["Copyright"].strip() == expected
        assert summary["copyright_notice"] == {"value": expected, "source": "exif:Copyright"}
