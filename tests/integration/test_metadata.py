"""Reading the metadata a camera and a photo desk embedded, from real files built by tests.support.photos."""

from __future__ import annotations

import json
import pathlib
import sys
import tracemalloc
from typing import Any

import exifread
import pytest
from PIL import Image, ImageFile

from service.media import metadata
from service.media.metadata import EmbeddedMetadata, UnsafeMetadata, read_metadata
from tests.support import photos

SUMMARY_KEYS = {
    "creator", "copyright_notice", "credit_line", "web_statement", "usage_terms",
    "description", "alt_text", "title", "date_taken", "camera_make", "camera_model",
    "orientation", "has_gps", "gps", "icc_profile", "people", "keywords", "city",
    "province_state", "country", "sublocation", "iptc_digest", "reconciled",
}  # fmt: skip
TEXT_FIELDS = set(metadata.TEXT_FIELDS)

# Every file opened in this process whose path names the canary is recorded here.
# Audit hooks cannot be removed, so the hook stays cheap and specific.
CANARY_NAME = "vitrine-xxe-canary.txt"
canary_opens: list[str] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "open" and args and CANARY_NAME in str(args[0]):
        canary_opens.append(str(args[0]))


sys.addaudithook(_audit)


def read(tmp_path: pathlib.Path, data: bytes, name: str = "photo.jpg") -> EmbeddedMetadata:
    path = tmp_path / name
    path.write_bytes(data)
    return read_metadata(path)


@pytest.fixture(scope="module")
def rights_jpeg(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedMetadata:
    return read(tmp_path_factory.mktemp("rights"), photos.jpeg_with_rights())


# ---------------------------------------------------------------- rights text


def test_rights_fields_follow_the_mwg_exif_first_then_xmp(rights_jpeg: EmbeddedMetadata) -> None:
    # EXIF, IIM (no IPTC digest) and XMP all agree: EXIF first where it has the field,
    # else XMP (the IIM carries no digest, which the MWG reads as XMP being current).
    summary = rights_jpeg.summary
    assert summary["creator"] == {"value": photos.ARTIST, "source": "exif:Artist"}
    assert summary["copyright_notice"] == {"value": photos.COPYRIGHT, "source": "exif:Copyright"}
    assert summary["credit_line"] == {"value": photos.CREDIT, "source": "xmp:photoshop:Credit"}
    assert summary["web_statement"] == {
        "value": photos.WEB_STATEMENT,
        "source": "xmp:xmpRights:WebStatement",
    }
    assert summary["usage_terms"] == {
        "value": photos.USAGE_TERMS,
        "source": "xmp:xmpRights:UsageTerms",
    }
    assert summary["alt_text"] == {
        "value": photos.ALT_TEXT,
        "source": "xmp:Iptc4xmpCore:AltTextAccessibility",
    }
    assert summary["title"] == {"value": photos.OBJECT_NAME, "source": "xmp:dc:title"}
    assert summary["description"] == {
        "value": photos.DESCRIPTION,
        "source": "exif:ImageDescription",
    }
    assert summary["iptc_digest"] == "missing"
    assert summary["reconciled"]["credit_line"] == {
        "source": "xmp:photoshop:Credit",
        "rule": "no-digest",
        "conflicts": [],
    }


def test_exif_copyright_wins_over_iim_and_the_iim_is_kept_as_a_conflict(
    tmp_path: pathlib.Path,
) -> None:
    data = photos.jpeg_with_rights(
        exif=photos.make_exif(copyright="Copyright 2024 Jane Photographer", artist=None),
        xmp=photos.rights_xmp(rights=None, creator=None, credit=None),
    )
    summary = read(tmp_path, data).summary
    assert summary["copyright_notice"] == {
        "value": "Copyright 2024 Jane Photographer",
        "source": "exif:Copyright",
    }
    assert summary["reconciled"]["copyright_notice"]["conflicts"] == [
        {"source": "iptc:2:116 Copyright Notice", "value": photos.COPYRIGHT}
    ]
    # No XMP value: the IIM's is taken (rule "no-xmp").
    assert summary["creator"] == {"value": photos.ARTIST, "source": "iptc:2:80 By-line"}
    assert summary["credit_line"] == {"value": photos.CREDIT, "source": "iptc:2:110 Credit"}
    assert summary["reconciled"]["credit_line"]["rule"] == "no-xmp"


def test_xmp_rights_win_over_a_disagreeing_iptc_notice_without_digest_and_both_stay_in_raw(
    tmp_path: pathlib.Path,
) -> None:
    result = read(
        tmp_path,
        photos.jpeg_with_rights(
            exif=photos.make_exif(copyright=None),
            iptc=photos.iptc_iim(copyright_notice="© A N Other"),
        ),
    )
    assert result.summary["copyright_notice"]["value"] == photos.COPYRIGHT
    assert result.summary["reconciled"]["copyright_notice"]["conflicts"] == [
        {"source": "iptc:2:116 Copyright Notice", "value": "© A N Other"}
    ]
    assert result.raw["iptc"]["2:116 Copyright Notice"] == "© A N Other"
    assert result.raw["xmp"]["dc:rights"] == photos.COPYRIGHT


def test_exif_copyright_artist_and_description_are_used_when_nothing_else_says(
    tmp_path: pathlib.Path,
) -> None:
    summary = read(tmp_path, photos.jpeg_with_rights(with_iptc=False, with_xmp=False)).summary
    assert summary["copyright_notice"] == {"value": photos.COPYRIGHT, "source": "exif:Copyright"}
    assert summary["creator"] == {"value": photos.ARTIST, "source": "exif:Artist"}
    assert summary["description"] == {
        "value": photos.DESCRIPTION,
        "source": "exif:ImageDescription",
    }
    assert summary["credit_line"] is None  # EXIF has no credit line
    assert summary["alt_text"] is None


def test_iim_without_a_utf8_marker_is_read_as_latin1(tmp_path: pathlib.Path) -> None:
    iim = photos.iptc_iim(utf8=False, encoding="latin-1")
    data = photos.jpeg_with_rights(iptc=iim, with_xmp=False, exif=photos.make_exif(copyright=None))
    result = read(tmp_path, data)
    assert result.raw["iptc"]["2:116 Copyright Notice"] == photos.COPYRIGHT
    assert result.summary["copyright_notice"]["source"] == "iptc:2:116 Copyright Notice"


def test_exif_text_that_is_not_utf8_is_read_as_latin1(tmp_path: pathlib.Path) -> None:
    exif = photos.make_exif(copyright=None)
    exif[0x8298] = "© Musée".encode("latin-1")
    result = read(tmp_path, photos.jpeg_with_rights(exif=exif, with_xmp=False, with_iptc=False))
    assert result.summary["copyright_notice"] == {"value": "© Musée", "source": "exif:Copyright"}


def test_every_summary_source_names_a_raw_tag_holding_that_value(
    rights_jpeg: EmbeddedMetadata,
) -> None:
    for field in TEXT_FIELDS:
        entry = rights_jpeg.summary[field]
        if entry is None:  # the photo desk wrote no location
            continue
        block, _, key = entry["source"].partition(":")
        assert rights_jpeg.raw[block][key] == entry["value"]


def test_raw_tags_are_kept_for_exif_iptc_xmp_and_icc(rights_jpeg: EmbeddedMetadata) -> None:
    raw = rights_jpeg.raw
    assert raw["exif"]["Copyright"] == photos.COPYRIGHT
    assert raw["exif"]["Artist"] == photos.ARTIST
    assert raw["exif"]["GPSLatitudeRef"] == "N"
    assert raw["iptc"]["1:90 Coded Character Set"] == "UTF-8"
    assert raw["iptc"]["2:05 Object Name"] == photos.OBJECT_NAME
    assert raw["iptc"]["2:110 Credit"] == photos.CREDIT
    assert raw["iptc"]["2:120 Caption/Abstract"] == photos.CAPTION
    assert raw["xmp"]["xmpRights:Marked"] == "True"
    assert raw["icc"]["color_space"] == "RGB"
    assert all(isinstance(v, str) for block in raw.values() for v in block.values())


def test_xmp_language_alternatives_put_x_default_first_and_key_the_others(
    rights_jpeg: EmbeddedMetadata,
) -> None:
    assert rights_jpeg.raw["xmp"]["dc:description"] == photos.DESCRIPTION
    assert rights_jpeg.raw["xmp"]["dc:description[fr]"] == "Hoa Hakananai'a, figure en basalte"


def test_several_xmp_creators_are_joined_in_order(tmp_path: pathlib.Path) -> None:
    extra = (
        "<dc:contributor><rdf:Bag><rdf:li>A</rdf:li><rdf:li>B</rdf:li></rdf:Bag></dc:contributor>"
    )
    result = read(tmp_path, photos.jpeg_with_xmp(photos.rights_xmp(extra=extra)))
    assert result.raw["xmp"]["dc:contributor"] == "A; B"


def test_long_raw_values_are_cut_to_2000_characters(tmp_path: pathlib.Path) -> None:
    data = photos.jpeg_with_rights(exif=photos.make_exif(description="x" * 5000), with_xmp=False)
    assert len(read(tmp_path, data).raw["exif"]["ImageDescription"]) == 2000


# ---------------------------------------------------------------- camera facts


def test_date_make_model_and_orientation_come_from_exif(rights_jpeg: EmbeddedMetadata) -> None:
    summary = rights_jpeg.summary
    assert summary["date_taken"] == "2024-03-27T10:15:00"
    assert summary["camera_make"] == "Canon"
    assert summary["camera_model"] == "Canon EOS 5D Mark IV"
    assert summary["orientation"] == 6


@pytest.mark.parametrize("orientation", [1, 3, 8])
def test_orientation_is_the_exif_number(tmp_path: pathlib.Path, orientation: int) -> None:
    data = photos.jpeg_with_rights(160, 120, orientation=orientation)
    assert read(tmp_path, data).summary["orientation"] == orientation


def test_gps_position_is_signed_decimal_degrees(rights_jpeg: EmbeddedMetadata) -> None:
    assert rights_jpeg.summary["has_gps"] is True
    gps = rights_jpeg.summary["gps"]
    assert gps["latitude"] == pytest.approx(51.5194, abs=1e-6)
    assert gps["longitude"] == pytest.approx(-0.1270, abs=1e-6)
    assert gps["altitude"] == pytest.approx(23.5)


def test_southern_and_eastern_positions_and_depths_keep_their_signs(
    tmp_path: pathlib.Path,
) -> None:
    exif = photos.make_exif(gps=(-33.8568, 151.2153, -4.0))
    gps = read(tmp_path, photos.jpeg_with_rights(exif=exif)).summary["gps"]
    assert gps["latitude"] == pytest.approx(-33.8568, abs=1e-6)
    assert gps["longitude"] == pytest.approx(151.2153, abs=1e-6)
    assert gps["altitude"] == pytest.approx(-4.0)


def test_photo_without_gps_says_so(tmp_path: pathlib.Path) -> None:
    summary = read(tmp_path, photos.jpeg_with_rights(exif=photos.make_exif(gps=None))).summary
    assert summary["has_gps"] is False
    assert summary["gps"] is None


def test_icc_profile_description_names_the_embedded_wide_gamut_profile(
    rights_jpeg: EmbeddedMetadata,
) -> None:
    assert rights_jpeg.summary["icc_profile"] == photos.ICC_DESCRIPTION


def test_bare_jpeg_has_every_summary_field_empty_and_json_ready(tmp_path: pathlib.Path) -> None:
    result = read(tmp_path, photos.jpeg_plain(320, 240))
    assert set(result.summary) == SUMMARY_KEYS
    assert result.summary["has_gps"] is False
    assert result.summary["reconciled"] == {}
    assert all(
        v is None
        for k, v in result.summary.items()
        if k not in ("has_gps", "iptc_digest", "reconciled")
    )
    assert result.raw == {"exif": {}, "iptc": {}, "xmp": {}, "icc": {}}
    assert result.summary["iptc_digest"] == "no-iim"
    assert result.warnings == []


def test_full_summary_is_json_serialisable(rights_jpeg: EmbeddedMetadata) -> None:
    assert set(rights_jpeg.summary) == SUMMARY_KEYS
    assert json.loads(json.dumps(rights_jpeg.summary)) == rights_jpeg.summary


# ---------------------------------------------------------------- other formats


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("photo.png", photos.png_with_alpha(rights=True)),
        ("photo.webp", photos.webp(rights=True)),
        ("photo.avif", photos.avif(rights=True)),
    ],
)
def test_png_webp_and_avif_carry_exif_xmp_and_icc(
    tmp_path: pathlib.Path, name: str, data: bytes
) -> None:
    result = read(tmp_path, data, name)
    summary = result.summary
    assert summary["copyright_notice"] == {"value": photos.COPYRIGHT, "source": "exif:Copyright"}
    assert summary["alt_text"]["value"] == photos.ALT_TEXT
    assert result.raw["exif"]["Copyright"] == photos.COPYRIGHT
    assert summary["orientation"] == 6  # AVIF stores it as irot/imir; Pillow puts it back
    assert summary["gps"]["longitude"] == pytest.approx(-0.1270, abs=1e-6)
    assert summary["icc_profile"] == photos.ICC_DESCRIPTION
    assert result.warnings == []


def test_16_bit_tiff_carries_iptc_xmp_exif_and_icc_in_its_tags(tmp_path: pathlib.Path) -> None:
    result = read(tmp_path, photos.tiff_16bit(), "photo.tif")
    assert result.raw["exif"]["BitsPerSample"] == "[16, 16, 16]"
    assert result.raw["exif"]["Copyright"] == photos.COPYRIGHT
    assert result.raw["iptc"]["2:116 Copyright Notice"] == photos.COPYRIGHT
    assert result.summary["credit_line"]["value"] == photos.CREDIT
    assert result.summary["icc_profile"] == photos.ICC_DESCRIPTION
    assert "InterColorProfile" not in result.raw["exif"]  # binary blobs are left out
    assert result.warnings == []


def test_multipage_tiff_reads_the_first_page_tags(tmp_path: pathlib.Path) -> None:
    result = read(tmp_path, photos.tiff_multipage(3), "pages.tif")
    assert result.raw["exif"]["Copyright"] == "(c) Trustees of the British Museum"
    assert result.summary["copyright_notice"]["source"] == "exif:Copyright"


def test_gif_without_metadata_reads_as_empty(tmp_path: pathlib.Path) -> None:
    result = read(tmp_path, photos.gif_animated(3), "anim.gif")
    assert result.summary["creator"] is None
    assert result.warnings == []


# ---------------------------------------------------------------- damaged files


def test_malformed_exif_gives_warnings_not_an_exception(tmp_path: pathlib.Path) -> None:
    result = read(tmp_path, photos.jpeg_malformed_exif())
    exif_warnings = [w for w in result.warnings if w.startswith("EXIF:")]
    assert any("Artist" in w and "bad offset" in w for w in exif_warnings)
    assert any("XResolution" in w for w in exif_warnings)
    assert any("ExifOffset" in w for w in exif_warnings)
    assert result.summary["camera_make"] == "Canon"  # the good tag survives
    assert "Artist" not in result.raw["exif"]


def test_an_exifread_crash_becomes_a_warning(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise IndexError("tuple index out of range")  # the kind of thing a bad file triggers

    monkeypatch.setattr(exifread, "process_file", explode)
    result = read(tmp_path, photos.jpeg_with_rights())
    assert any(w.startswith("EXIF: could not be read") for w in result.warnings)
    assert result.summary["copyright_notice"]["source"] == "xmp:dc:rights"


def test_malformed_xmp_gives_a_warning_and_iptc_still_answers(tmp_path: pathlib.Path) -> None:
    data = photos.jpeg_with_rights(
        xmp=b"<x:xmpmeta><rdf:RDF>", exif=photos.make_exif(copyright=None)
    )
    result = read(tmp_path, data)
    assert any(w.startswith("XMP: not well-formed") for w in result.warnings)
    assert result.raw["xmp"] == {}
    assert result.summary["copyright_notice"]["source"] == "iptc:2:116 Copyright Notice"


def test_garbage_icc_profile_gives_a_warning(tmp_path: pathlib.Path) -> None:
    result = read(tmp_path, photos.jpeg_with_rights(icc=b"not a profile" * 20))
    assert result.summary["icc_profile"] is None
    assert any(w.startswith("ICC:") for w in result.warnings)


def test_truncated_jpeg_still_yields_its_metadata(tmp_path: pathlib.Path) -> None:
    result = read(tmp_path, photos.truncated_jpeg())
    assert result.summary["copyright_notice"]["value"] == photos.COPYRIGHT
    assert result.summary["orientation"] == 6


def test_metadata_is_read_without_decoding_pixels(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Image.Image) -> None:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)
    assert read(tmp_path, photos.jpeg_with_rights()).summary["orientation"] == 6
    tiff = read(tmp_path, photos.tiff_16bit(), "photo.tif")
    assert tiff.summary["icc_profile"] == photos.ICC_DESCRIPTION


# ---------------------------------------------------------------- hostile files


def test_xmp_external_entity_is_refused_without_reading_the_target(
    tmp_path: pathlib.Path,
) -> None:
    canary = tmp_path / CANARY_NAME
    canary.write_text("secret")
    canary_opens.clear()
    packet = photos.xmp_with_external_entity(canary.as_uri())
    with pytest.raises(UnsafeMetadata, match="DTD"):
        read(tmp_path, photos.jpeg_with_xmp(packet))
    assert canary_opens == []
    canary.read_text()  # and the audit hook does see an open of the canary
    assert canary_opens == [str(canary)]


def test_external_entity_constant_is_refused_too(tmp_path: pathlib.Path) -> None:
    with pytest.raises(UnsafeMetadata):
        read(tmp_path, photos.jpeg_with_xmp(photos.XMP_EXTERNAL_ENTITY))


def test_billion_laughs_xmp_is_refused_before_any_expansion(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "laughs.jpg"
    path.write_bytes(photos.jpeg_with_xmp(photos.XMP_BILLION_LAUGHS))
    tracemalloc.start()
    try:
        with pytest.raises(UnsafeMetadata):
            read_metadata(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000  # expanded, the entity would be 3 GB of "lol"


def test_hostile_xmp_in_a_png_is_refused(tmp_path: pathlib.Path) -> None:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_itxt("XML:com.adobe.xmp", photos.XMP_BILLION_LAUGHS.decode())
    path = tmp_path / "laughs.png"
    photos.picture(64, 48).save(path, pnginfo=info)
    with pytest.raises(UnsafeMetadata):
        read_metadata(path)


def test_png_declaring_900_megapixels_is_read_without_allocating_them(
    tmp_path: pathlib.Path,
) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(photos.png_bomb_header(30000, 30000))
    assert path.stat().st_size < 1000
    tracemalloc.start()
    try:
        result = read_metadata(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000
    assert set(result.summary) == SUMMARY_KEYS
    # Only the header is opened: the pixel limit is identify's to judge, not the reader's.
    assert not any("pixels" in w for w in result.warnings)


# ---------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(
    ("dms", "ref", "expected"),
    [
        ([51, 31, 9.84], "N", 51.5194),
        ([0, 7, 37.2], "W", -0.127),
        ([33, 51.408, 0], "S", -33.8568),
        ([], "N", None),
    ],
)
def test_gps_to_decimal_signs_by_reference(
    dms: list[float], ref: str, expected: float | None
) -> None:
    assert metadata._gps_to_decimal(dms, ref) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    ("text", "offset", "expected"),
    [
        ("2024:03:27 10:15:00", "", "2024-03-27T10:15:00"),
        ("2024:03:27 10:15:00", "+01:00", "2024-03-27T10:15:00+01:00"),
        ("2024-03-27T10:15:00Z", "", "2024-03-27T10:15:00+00:00"),
        ("0000:00:00 00:00:00", "", None),
        ("", "", None),
    ],
)
def test_iso_datetime_normalises_exif_and_xmp_dates(
    text: str, offset: str, expected: str | None
) -> None:
    assert metadata._iso_datetime(text, offset) == expected


def test_date_taken_falls_back_to_xmp_date_created(tmp_path: pathlib.Path) -> None:
    extra = "<photoshop:DateCreated>2024-03-27T10:15:00+01:00</photoshop:DateCreated>"
    result = read(tmp_path, photos.jpeg_with_xmp(photos.rights_xmp(extra=extra)))
    assert result.summary["date_taken"] == "2024-03-27T10:15:00+01:00"


def test_gps_directory_with_only_a_version_is_not_location_data(tmp_path: pathlib.Path) -> None:
    exif = photos.make_exif(gps=None)
    exif.get_ifd(0x8825)[0x0000] = b"\x02\x03\x00\x00"
    summary = read(tmp_path, photos.jpeg_with_rights(exif=exif)).summary
    assert summary["has_gps"] is False


def test_gps_timestamp_alone_still_counts_as_location_data(tmp_path: pathlib.Path) -> None:
    exif = photos.make_exif(gps=None)
    exif.get_ifd(0x8825)[0x001D] = "2024:03:27"  # GPSDateStamp
    summary = read(tmp_path, photos.jpeg_with_rights(exif=exif)).summary
    assert summary["has_gps"] is True
    assert summary["gps"] is None
