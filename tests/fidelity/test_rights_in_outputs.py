"""Issue 11: the rights metadata in every preset's output reads correctly in an independent
reader. ExifTool (Debian's libimage-exiftool-perl; ``make test`` installs it through
scripts/tools.sh) reads each output of every built-in preset, plus an AVIF one: Copyright, Artist
and ImageDescription in EXIF and dc:rights, dc:creator, photoshop:Credit and
xmpRights:WebStatement in XMP equal the stamp, non-ASCII text without mojibake; GPS, serial
numbers, maker notes, the thumbnail and the source's own XMP and IPTC are gone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from service.media import render
from service.rules.presets import DEFAULT_PRESETS, Preset
from tests.fidelity import exif_ifd as X
from tests.hostile import make_corpus as corpus
from tests.support import photos
from tests.support.exiftool import exiftool
from tests.support.rights import BM, CC_BY

SQLITE_LOCAL = pytest.mark.parametrize(
    ("database_url", "blob_settings"), [("sqlite", "local")], indirect=True
)
PRESETS = [*DEFAULT_PRESETS.values(), Preset("avif-check", 800, 800, "within", format="avif")]
STAMPS = [
    render.RightsStamp(
        credit_line="© Trustees of the British Museum",
        creator="Musée du Louvre",
        title="Ṣāḥib's ewer «brass»",
        object_number="1891,0305.1",
        licence_uri="https://creativecommons.org/licenses/by-nc-sa/4.0/",
        alt_text="A brass ewer",
    ),
    render.RightsStamp(
        credit_line="© متحف اللوفر — Musée du Louvre",
        creator="Ṣāḥib ʿAlī ibn Yūsuf",
        title="إبريق",
        object_number="AO 7428",
        licence_uri="https://www.louvre.fr/mentions-legales",
        alt_text="إبريق نحاسي",
    ),
]
# What a camera original carries that must never reach an output.
PRIVATE_GROUPS = ("GPS", "MakerNotes", "Canon", "IFD1", "IPTC", "Photoshop", "ExifIFD")
MOJIBAKE = ("Â", "Ã", "Ø§", "\ufffd", "?")
# The XMP properties Vitrine writes (render.xmp_packet); anything else came from the source.
VITRINE_XMP = {
    "XMP-x:XMPToolkit", "XMP-dc:Rights", "XMP-dc:Creator", "XMP-dc:Title", "XMP-dc:Identifier",
    "XMP-dc:Description",
    "XMP-photoshop:Credit", "XMP-xmpRights:WebStatement", "XMP-iptcCore:AltTextAccessibility",
}  # fmt: skip


def camera_original(tmp_path: Path) -> Path:
    """A camera JPEG with everything a variant must not carry: GPS, serial numbers (body, lens,
    the maker note's), a maker note, a thumbnail, IPTC and the photo desk's XMP."""
    data = X.in_jpeg(X.camera_exif(orientation=1), size=(900, 700))
    packet = photos.rights_xmp(extra="<photoshop:City>Source city</photoshop:City>")
    data = corpus.spliced(
        data, corpus.xmp_segment(packet), photos.photoshop_app13(photos.iptc_iim())
    )
    path = tmp_path / "camera.jpg"
    path.write_bytes(data)
    return path


def test_the_camera_original_carries_what_outputs_must_not(tmp_path: Path) -> None:
    (tags,) = exiftool(camera_original(tmp_path))
    groups = {key.split(":")[0] for key in tags}
    assert {"GPS", "IFD1", "IPTC", "Canon", "ExifIFD"} <= groups
    assert {"ExifIFD:SerialNumber", "ExifIFD:LensSerialNumber", "Canon:SerialNumber"} <= set(tags)
    assert "XMP-photoshop:City" in tags and "IFD1:ThumbnailImage" in tags


@pytest.mark.parametrize("stamp", STAMPS, ids=["latin", "arabic"])
def test_every_preset_output_reads_back_the_stamp_in_exiftool(
    tmp_path: Path, stamp: render.RightsStamp
) -> None:
    source = camera_original(tmp_path)
    outputs = render.render_variants(
        source, PRESETS, focal=(0.5, 0.5), stamp=stamp, max_pixels=150_000_000
    )
    paths = []
    for name, rendered in outputs.items():
        path = tmp_path / f"{name}.{rendered.media_type.split('/')[1]}"
        path.write_bytes(rendered.data)
        paths.append(path)
    read = exiftool(*paths)
    assert len(read) == len(PRESETS)
    problems: list[str] = []
    for preset, tags in zip(PRESETS, read, strict=True):
        problems += output_problems(preset, tags, stamp)
    assert not problems, "\n".join(problems)


def output_problems(preset: Preset, tags: dict[str, Any], stamp: render.RightsStamp) -> list[str]:
    where = f"{preset.name} ({preset.format})"
    expected = {
        "IFD0:Copyright": stamp.credit_line,
        "IFD0:Artist": stamp.creator,
        "IFD0:ImageDescription": f"{stamp.title} ({stamp.object_number})",
        "XMP-dc:Rights": stamp.credit_line,
        "XMP-dc:Creator": stamp.creator,
        "XMP-dc:Title": stamp.title,
        "XMP-photoshop:Credit": stamp.credit_line,
        "XMP-xmpRights:WebStatement": stamp.licence_uri,
    }
    problems = [
        f"{where}: {key} reads {tags.get(key)!r}, not {value!r}"
        for key, value in expected.items()
        if tags.get(key) != value
    ]
    for key, value in tags.items():
        group = key.split(":")[0]
        if group.startswith(PRIVATE_GROUPS) or "Serial" in key or "GPS" in key:
            problems.append(f"{where}: {key} = {value!r} survived")
        if key.startswith("XMP") and key not in VITRINE_XMP:
            problems.append(f"{where}: {key} = {value!r} is not Vitrine's")
        if key.endswith("Warning"):
            problems.append(f"{where}: ExifTool warns {value!r}")
    for key in expected:
        value = str(tags.get(key, ""))
        if any(bad in value for bad in MOJIBAKE):
            problems.append(f"{where}: {key} is mojibake: {value!r}")
    orientation = tags.get("IFD0:Orientation")
    if preset.format == "avif":
        if orientation is not None:  # Pillow would move it into irot/imir and mangle the text
            problems.append(f"{where}: Orientation {orientation!r} in AVIF EXIF")
    elif orientation != "Horizontal (normal)":
        problems.append(f"{where}: Orientation {orientation!r}")
    return problems


@SQLITE_LOCAL
def test_a_published_variant_carries_the_rights_to_exiftool(
    client: FlaskClient, tokens: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    """The same through the API: upload, clear the rights, fetch a variant, read it."""
    from tests.support.api import upload
    from tests.support.people import no_recognisable_people

    original = camera_original(tmp_path).read_bytes()
    created = upload(client, tokens["contributor"], original, title="Hoa Hakananaiʻa",
                     object_number="EA 1", alt_text="A stone figure")  # fmt: skip
    assert created.status_code == 201, created.json
    asset = created.json["id"]
    rights = {"status": "cleared", "holder": "Trustees of the British Museum",
              "credit_line": BM, "licence_uri": CC_BY, "channels": ["web", "social"]}  # fmt: skip
    cleared = client.put(f"/api/v1/assets/{asset}/rights", json=rights, headers=tokens["rights"])
    assert cleared.status_code == 200, cleared.json
    no_recognisable_people(client.application, asset)
    variant = client.get(f"/api/v1/assets/{asset}/variants/x", headers=tokens["viewer"])
    assert variant.status_code == 200, variant.json
    data = client.get(variant.json["url"].removeprefix("http://localhost"), buffered=True).data
    path = tmp_path / "x.jpg"
    path.write_bytes(data)
    (tags,) = exiftool(path)
    assert tags["IFD0:Copyright"] == BM == tags["XMP-dc:Rights"] == tags["XMP-photoshop:Credit"]
    assert tags["IFD0:ImageDescription"] == "Hoa Hakananaiʻa (EA 1)"
    assert tags["XMP-xmpRights:WebStatement"] == CC_BY
    assert not [key for key in tags if "GPS" in key or "Serial" in key or "IFD1" in key]
