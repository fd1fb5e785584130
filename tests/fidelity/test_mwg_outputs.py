"""Issue 18, the written side: what Vitrine writes reads back as the rights record in a reader
that follows the Metadata Working Group's rules. For every preset's output (JPEG, PNG, WebP,
and an AVIF one) and every IIIF answer format, ExifTool's MWG view (``-use MWG -MWG:all``)
gives the record's credit line as Copyright, its creators as Creator and its title and object
number as Description; no IPTC-IIM or Photoshop block is there to contradict them; and
the XMP alone says the same (a reader trusting XMP first reads the record too); and Vitrine's
own reader finds EXIF and XMP in agreement (no conflicts)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from service.media import render
from service.media.metadata import read_metadata
from service.media.render import regions
from service.rules import mwg
from tests.fidelity.test_rights_in_outputs import PRESETS
from tests.fidelity.test_rights_in_outputs import STAMPS as RIGHTS_STAMPS
from tests.support import photos
from tests.support.exiftool import exiftool, mwg_view

STAMPS = {
    "one creator": RIGHTS_STAMPS[0],
    # "; " separates creators in the MWG's list form; a quoted value keeps its "; ".
    "two creators, one quoted": render.RightsStamp(
        credit_line="© متحف اللوفر — Musée du Louvre",
        creator='Ṣāḥib ʿAlī ibn Yūsuf; "Studio; Workshop"',
        title="إبريق",
        object_number="",
        licence_uri=None,
        alt_text="إبريق نحاسي",
    ),
}


def expected_view(stamp: render.RightsStamp) -> dict[str, Any]:
    """The MWG view the stamp's rights should give."""
    described = f"{stamp.title} ({stamp.object_number})" if stamp.object_number else stamp.title
    return {
        "Copyright": stamp.credit_line,
        "Creator": mwg.split_list(stamp.creator),
        "Description": described,
    }


def problems_in(path: Path, stamp: render.RightsStamp) -> list[str]:
    """How the file's MWG view and blocks differ from the stamp; empty when they agree."""
    view = mwg_view(path)
    found = {key: view.get(key) for key in ("Copyright", "Creator", "Description")}
    problems = [
        f"{path.name}: MWG {key} reads {found[key]!r}, not {value!r}"
        for key, value in expected_view(stamp).items()
        if found[key] != value
    ]
    # A reader that trusts XMP over EXIF must read the same: the two blocks are in sync.
    (tags,) = exiftool(path)
    creators = tags.get("XMP-dc:Creator")
    in_xmp = {
        "Copyright": tags.get("XMP-dc:Rights"),
        "Creator": creators if isinstance(creators, list) else [creators],
        "Description": tags.get("XMP-dc:Description"),
    }
    problems += [
        f"{path.name}: XMP {key} reads {in_xmp[key]!r}, not {value!r}"
        for key, value in expected_view(stamp).items()
        if in_xmp[key] != value
    ]
    blocks = subprocess.run(
        ["exiftool", "-j", "-G1", "-IPTC:all", "-Photoshop:all", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    if "IPTC" in blocks or "Photoshop" in blocks:
        problems.append(f"{path.name}: carries IPTC or Photoshop blocks: {blocks}")
    summary = read_metadata(path).summary
    for field in ("creator", "copyright_notice", "description"):
        detail = summary["reconciled"].get(field, {})
        if detail.get("rule") != "exif-first" or detail.get("conflicts"):
            problems.append(f"{path.name}: Vitrine reads {field} as {detail!r}")
    return problems


@pytest.mark.parametrize("stamp", STAMPS.values(), ids=STAMPS.keys())
def test_every_preset_output_reads_as_the_record_under_the_mwg_rules(
    tmp_path: Path, stamp: render.RightsStamp
) -> None:
    source = tmp_path / "source.jpg"
    # The source's own IIM and XMP say something else: none of it may reach an output.
    source.write_bytes(photos.jpeg_with_rights())
    outputs = render.render_variants(
        source, PRESETS, focal=(0.5, 0.5), stamp=stamp, max_pixels=150_000_000
    )
    problems: list[str] = []
    for name, rendered in outputs.items():
        path = tmp_path / f"{name}.{rendered.media_type.split('/')[1]}"
        path.write_bytes(rendered.data)
        problems += problems_in(path, stamp)
    assert len(outputs) == len(PRESETS)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("kind", ["jpg", "png", "webp"])
@pytest.mark.parametrize("quality", ["default", "gray"])
def test_every_iiif_answer_reads_as_the_record_under_the_mwg_rules(
    tmp_path: Path, kind: str, quality: str
) -> None:
    stamp = STAMPS["two creators, one quoted"]
    image = Image.new("RGB", (64, 48), (120, 80, 40))
    if quality == "gray":
        image = image.convert("L")
    output = regions.Output((64, 48), False, 0, quality, kind)
    path = tmp_path / f"answer.{kind}"
    path.write_bytes(regions.encode(image, output, stamp))
    assert not problems_in(path, stamp)
