"""Issue 18: embedded metadata read as the Metadata Working Group reconciles it, proven against
ExifTool's ``-use MWG`` reading of the same file.

Each case builds a JPEG with Pillow, has ExifTool write its EXIF, IPTC-IIM and XMP (conflicting
values; IPTC digest matching, stale or missing), checks that the digest is in the state the
case says, then compares Vitrine's summary with ExifTool's MWG tags field by field, and checks
that ``reconciled`` names the case's rule and lists the other blocks' values as conflicts.

How the digest states are made, as tools make them: ExifTool writes the digest of the IIM it
writes with ``-IPTCDigest=new`` (in sync); a later plain IIM write leaves the old digest behind
(stale: what an IIM-only editor does); no digest is ever written (missing).

Title and credit are not MWG tags (ExifTool has no MWG view of them): cases that name them
check the summary against rules.mwg.reconcile on the values the case wrote.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from service.media.metadata import read_metadata
from service.rules import mwg
from tests.support.exiftool import mwg_view

# ExifTool's MWG tag -> Vitrine's summary field.
MWG_TEXT = {
    "Copyright": "copyright_notice",
    "Description": "description",
    "City": "city",
    "State": "province_state",
    "Country": "country",
    "Location": "sublocation",
}
ORIENTATIONS = {
    "Horizontal (normal)": 1, "Mirror horizontal": 2, "Rotate 180": 3, "Mirror vertical": 4,
    "Mirror horizontal and rotate 270 CW": 5, "Rotate 90 CW": 6,
    "Mirror horizontal and rotate 90 CW": 7, "Rotate 270 CW": 8,
}  # fmt: skip
SYNC = "-IPTCDigest=new"  # the digest of the IIM as written: XMP and IIM in sync
UTF8 = "-IPTC:CodedCharacterSet=UTF8"  # IIM 1:90 ESC % G

# A creator longer than IIM By-line's 32 bytes; two-byte characters come before the cut.
LONG_NAME = "Zoë Ångström-Łukasiewicz-Montmorency"
# The same, where a 32-byte cut falls inside "ę" (a tool that cuts bytes, not characters).
SPLIT_NAME = "Zoë Ångström-ŁukasiewiczXęęę-Montmorency"
# The same, where the 32-byte cut ends on a space.
SPACED_NAME = "Zoë Ångström-Łukasiewicz de Montmorency"
LONG_CITY = "Llanfairpwllgwyngyll-gogerychwyrndrobwll"  # IIM City holds 32 bytes

ANN, BOB, CY = "Ann Smith", "Bob Jones", "Cy Twombly"
ANN_RIGHTS, BOB_RIGHTS = "© 2024 Ann Smith", "© 2019 Bob Jones"
BOWL, JUG = "Bowl with a blue glaze", "Earthenware jug"


@dataclass(frozen=True)
class Case:
    """One MWG case: the ExifTool writes that build it, the digest state they leave, and what
    the case's rule must give for the fields it decides."""

    name: str
    rule: str
    writes: tuple[tuple[str, ...], ...]  # ExifTool runs, in order
    digest: str  # "no-iim", "matches", "missing" or "stale"
    expect: dict[str, Any]  # summary field -> its value (text, list, ISO date, int or None)
    conflicts: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> {source: value}
    # Fields outside the MWG (title, credit): {field: {source: values}} as written.
    not_mwg: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    # Fields Vitrine reads by a fallback the MWG does not have: ExifTool's MWG view lacks them.
    beyond_mwg: tuple[str, ...] = ()
    raw_files: dict[str, bytes] = field(default_factory=dict)  # written for "<=" arguments


def iim_then(*args: str) -> tuple[str, ...]:
    """A later IIM-only edit: the old digest stays, now stale."""
    return args


# fmt: off
CASES = [
    # ---------------------------------------------------------------- EXIF against XMP
    Case(
        "EXIF Artist, Copyright, ImageDescription win over XMP's dc:*", "exif-first",
        ((f"-EXIF:Artist={BOB}", f"-EXIF:Copyright={BOB_RIGHTS}",
          "-EXIF:ImageDescription=OLYMPUS DIGITAL CAMERA", f"-XMP-dc:Creator={ANN}",
          f"-XMP-dc:Rights={ANN_RIGHTS}", f"-XMP-dc:Description={BOWL}"),),
        "no-iim",
        {"creator": BOB, "copyright_notice": BOB_RIGHTS, "description": "OLYMPUS DIGITAL CAMERA"},
        {"creator": {"xmp:dc:creator": ANN}, "copyright_notice": {"xmp:dc:rights": ANN_RIGHTS},
         "description": {"xmp:dc:description": BOWL}},
    ),
    Case(
        "blank EXIF (spaces, as cameras leave it) falls through to XMP", "no-iim",
        (("-EXIF:Artist=   ", "-EXIF:Copyright= ", f"-EXIF:ImageDescription={' ' * 32}",
          f"-XMP-dc:Creator={ANN}", f"-XMP-dc:Rights={ANN_RIGHTS}",
          f"-XMP-dc:Description={BOWL}"),),
        "no-iim",
        {"creator": ANN, "copyright_notice": ANN_RIGHTS, "description": BOWL},
    ),
    # ---------------------------------------------------------------- IIM against XMP
    Case(
        "digest matches: XMP wins over the IIM's other values", "digest-matches",
        ((f"-IPTC:By-line={BOB}", f"-IPTC:CopyrightNotice={BOB_RIGHTS}",
          f"-IPTC:Caption-Abstract={JUG}", "-IPTC:ObjectName=Jug", "-IPTC:Credit=Bob",
          f"-XMP-dc:Creator={ANN}", f"-XMP-dc:Rights={ANN_RIGHTS}", f"-XMP-dc:Description={BOWL}",
          "-XMP-dc:Title=Bowl", "-XMP-photoshop:Credit=Ann", SYNC),),
        "matches",
        {"creator": ANN, "copyright_notice": ANN_RIGHTS, "description": BOWL},
        {"creator": {"iptc:2:80 By-line": BOB},
         "copyright_notice": {"iptc:2:116 Copyright Notice": BOB_RIGHTS},
         "description": {"iptc:2:120 Caption/Abstract": JUG}},
        not_mwg={"title": {"iptc:2:05 Object Name": ("Jug",), "xmp:dc:title": ("Bowl",)},
                 "credit_line": {"iptc:2:110 Credit": ("Bob",), "xmp:photoshop:Credit": ("Ann",)}},
    ),
    Case(
        "stale digest: an IIM-only editor changed the IIM after XMP was written; IIM wins",
        "digest-stale",
        ((f"-IPTC:By-line={ANN}", f"-IPTC:CopyrightNotice={ANN_RIGHTS}",
          f"-IPTC:Caption-Abstract={BOWL}", "-IPTC:ObjectName=Bowl", "-IPTC:Credit=Ann",
          f"-XMP-dc:Creator={ANN}", f"-XMP-dc:Rights={ANN_RIGHTS}", f"-XMP-dc:Description={BOWL}",
          "-XMP-dc:Title=Bowl", "-XMP-photoshop:Credit=Ann", SYNC),
         iim_then(f"-IPTC:By-line={BOB}", f"-IPTC:CopyrightNotice={BOB_RIGHTS}",
                  f"-IPTC:Caption-Abstract={JUG}", "-IPTC:ObjectName=Jug", "-IPTC:Credit=Bob")),
        "stale",
        {"creator": BOB, "copyright_notice": BOB_RIGHTS, "description": JUG},
        {"creator": {"xmp:dc:creator": ANN}, "copyright_notice": {"xmp:dc:rights": ANN_RIGHTS},
         "description": {"xmp:dc:description": BOWL}},
        not_mwg={"title": {"iptc:2:05 Object Name": ("Jug",), "xmp:dc:title": ("Bowl",)},
                 "credit_line": {"iptc:2:110 Credit": ("Bob",), "xmp:photoshop:Credit": ("Ann",)}},
    ),
    Case(
        # The issue says IIM wins when the digest is missing; ExifTool's MWG.pm, and so
        # rules.mwg, reads XMP: nothing says the IIM was edited after the XMP.
        "missing digest: XMP, as ExifTool reads the MWG", "no-digest",
        ((f"-IPTC:By-line={BOB}", f"-IPTC:CopyrightNotice={BOB_RIGHTS}", "-IPTC:ObjectName=Jug",
          f"-XMP-dc:Creator={ANN}", f"-XMP-dc:Rights={ANN_RIGHTS}", "-XMP-dc:Title=Bowl"),),
        "missing",
        {"creator": ANN, "copyright_notice": ANN_RIGHTS},
        {"creator": {"iptc:2:80 By-line": BOB},
         "copyright_notice": {"iptc:2:116 Copyright Notice": BOB_RIGHTS}},
        not_mwg={"title": {"iptc:2:05 Object Name": ("Jug",), "xmp:dc:title": ("Bowl",)}},
    ),
    Case(
        "stale digest, the IIM editor deleted the copyright: deleted, XMP's kept as a conflict",
        "digest-stale",
        ((f"-IPTC:By-line={ANN}", f"-IPTC:CopyrightNotice={ANN_RIGHTS}",
          f"-XMP-dc:Creator={ANN}", f"-XMP-dc:Rights={ANN_RIGHTS}", SYNC),
         iim_then("-IPTC:CopyrightNotice=", f"-IPTC:By-line={BOB}")),
        "stale",
        {"copyright_notice": None, "creator": BOB},
        {"copyright_notice": {"xmp:dc:rights": ANN_RIGHTS}, "creator": {"xmp:dc:creator": ANN}},
    ),
    Case(
        # ExifTool itself cuts the By-line at 32 bytes (between characters), the City at 32.
        "IIM By-line and City cut at their byte limits: XMP's whole values recovered",
        "iim-truncated",
        ((UTF8, f"-IPTC:By-line={LONG_NAME}", f"-XMP-dc:Creator={LONG_NAME}",
          f"-IPTC:City={LONG_CITY}", f"-XMP-photoshop:City={LONG_CITY}", SYNC),
         iim_then(f"-IPTC:Caption-Abstract={JUG}")),
        "stale",
        {"creator": LONG_NAME, "city": LONG_CITY},
    ),
    Case(
        "IIM By-line cut at 32 bytes inside a two-byte character: XMP's recovered",
        "iim-truncated",
        ((UTF8, f"-XMP-dc:Creator={SPLIT_NAME}", "-IPTC:By-line<=by-line.bin", SYNC),
         iim_then(f"-IPTC:Caption-Abstract={JUG}")),
        "stale",
        {"creator": SPLIT_NAME},
        raw_files={"by-line.bin": SPLIT_NAME.encode("utf-8")[:32]},
    ),
    Case(
        "IIM By-line cut at 32 bytes just after a space: XMP's recovered", "iim-truncated",
        ((UTF8, f"-IPTC:By-line={SPACED_NAME}", f"-XMP-dc:Creator={SPACED_NAME}", SYNC),
         iim_then(f"-IPTC:Caption-Abstract={JUG}")),
        "stale",
        {"creator": SPACED_NAME},
    ),
    # ---------------------------------------------------------------- several creators
    Case(
        "XMP dc:creator Seq of two, no IIM", "no-iim",
        ((f"-XMP-dc:Creator={ANN}", f"-XMP-dc:Creator={BOB}"),),
        "no-iim",
        {"creator": f"{ANN}; {BOB}"},
    ),
    Case(
        "EXIF Artist 'A; B' with a quoted value holding '; ': XMP's same two creators",
        "exif-first",
        (('-EXIF:Artist="Smith; Jones, Architects"; Ann Smith',
          "-XMP-dc:Creator=Smith; Jones, Architects", f"-XMP-dc:Creator={ANN}"),),
        "no-iim",
        {"creator": f'"Smith; Jones, Architects"; {ANN}'},
    ),
    Case(
        "IIM repeated By-line, stale digest: both IIM creators, XMP's one a conflict",
        "digest-stale",
        ((f"-IPTC:By-line={ANN}", f"-XMP-dc:Creator={ANN}", SYNC),
         iim_then(f"-IPTC:By-line={ANN}", f"-IPTC:By-line={BOB}")),
        "stale",
        {"creator": f"{ANN}; {BOB}"},
        {"creator": {"xmp:dc:creator": ANN}},
    ),
    Case(
        # ExifTool recovers value by value (RecoverTruncatedIPTC): a creator the IIM no
        # longer has stays deleted, and an unchanged copyright comes from the IIM.
        "stale digest, the IIM editor dropped a creator XMP still lists: the IIM's two",
        "digest-stale",
        ((f"-IPTC:By-line={ANN}", f"-IPTC:By-line={BOB}", f"-IPTC:By-line={CY}",
          f"-XMP-dc:Creator={ANN}", f"-XMP-dc:Creator={BOB}", f"-XMP-dc:Creator={CY}",
          f"-IPTC:CopyrightNotice={ANN_RIGHTS}", f"-XMP-dc:Rights={ANN_RIGHTS}", SYNC),
         iim_then(f"-IPTC:By-line-={CY}")),
        "stale",
        {"creator": f"{ANN}; {BOB}", "copyright_notice": ANN_RIGHTS},
        {"creator": {"xmp:dc:creator": f"{ANN}; {BOB}; {CY}"}},
    ),
    # ---------------------------------------------------------------- IIM character sets
    Case(
        "non-ASCII IIM declared UTF-8 (1:90)", "no-xmp",
        ((UTF8, "-IPTC:By-line=Zoë Łukasiewicz", "-IPTC:CopyrightNotice=© Muzeum Kraków",
          "-IPTC:City=Kraków", "-IPTC:Keywords=céramique", "-IPTC:Keywords=Łódź"),),
        "missing",
        {"creator": "Zoë Łukasiewicz", "copyright_notice": "© Muzeum Kraków", "city": "Kraków",
         "keywords": ["céramique", "Łódź"]},
    ),
    Case(
        # Without 1:90 ExifTool writes Windows-1252 (U+2019 0x92, U+0152 0x8C, U+20AC 0x80).
        "non-ASCII IIM without 1:90: Windows-1252 bytes, the same text", "no-xmp",
        (("-IPTC:By-line=Zoë O’Brien", "-IPTC:CopyrightNotice=© Musée d’Orsay – Œuvres",
          "-IPTC:City=Zürich", "-IPTC:Keywords=céramique", "-IPTC:Keywords=€uro"),),
        "missing",
        {"creator": "Zoë O’Brien", "copyright_notice": "© Musée d’Orsay – Œuvres",
         "city": "Zürich", "keywords": ["céramique", "€uro"]},
    ),
    # ---------------------------------------------------------------- date taken
    Case(
        "EXIF DateTimeOriginal with OffsetTimeOriginal; XMP's other date a conflict",
        "exif-first",
        (("-EXIF:DateTimeOriginal=2024:03:27 10:15:00", "-EXIF:OffsetTimeOriginal=+01:00",
          "-XMP-photoshop:DateCreated=2023:01:01 09:00:00+00:00"),),
        "no-iim",
        {"date_taken": "2024-03-27T10:15:00+01:00"},
        {"date_taken": {"xmp:photoshop:DateCreated": "2023-01-01T09:00:00+00:00"}},
    ),
    Case(
        "IPTC Date Created + Time Created with offset, no EXIF", "no-xmp",
        (("-IPTC:DateCreated=2024:03:27", "-IPTC:TimeCreated=10:15:00+01:00"),),
        "missing",
        {"date_taken": "2024-03-27T10:15:00+01:00"},
    ),
    Case(
        "IPTC Date Created without Time Created: a date", "no-xmp",
        (("-IPTC:DateCreated=2024:03:27",),),
        "missing",
        {"date_taken": "2024-03-27"},
    ),
    Case(
        "XMP photoshop:DateCreated with offset", "no-iim",
        (("-XMP-photoshop:DateCreated=2024:03:27 10:15:00+01:00",),),
        "no-iim",
        {"date_taken": "2024-03-27T10:15:00+01:00"},
    ),
    Case(
        "XMP photoshop:DateCreated, a date only", "no-iim",
        (("-XMP-photoshop:DateCreated=2024:03:27",),),
        "no-iim",
        {"date_taken": "2024-03-27"},
    ),
    Case(
        "IPTC date against XMP's, digest matches: XMP's", "digest-matches",
        (("-IPTC:DateCreated=2023:01:01", "-IPTC:TimeCreated=09:00:00+00:00",
          "-XMP-photoshop:DateCreated=2024:03:27 10:15:00+01:00", SYNC),),
        "matches",
        {"date_taken": "2024-03-27T10:15:00+01:00"},
        {"date_taken": {"iptc:2:55 Date Created": "2023-01-01T09:00:00+00:00"}},
    ),
    Case(
        "IPTC date against XMP's, stale digest: the IIM's", "digest-stale",
        (("-IPTC:DateCreated=2023:01:01", "-IPTC:TimeCreated=09:00:00+00:00",
          "-XMP-photoshop:DateCreated=2023:01:01 09:00:00+00:00", SYNC),
         iim_then("-IPTC:DateCreated=2024:03:27", "-IPTC:TimeCreated=10:15:00+01:00")),
        "stale",
        {"date_taken": "2024-03-27T10:15:00+01:00"},
        {"date_taken": {"xmp:photoshop:DateCreated": "2023-01-01T09:00:00+00:00"}},
    ),
    Case(
        "only XMP exif:DateTimeOriginal: Vitrine's fallback, outside the MWG's list", "fallback",
        (("-XMP-exif:DateTimeOriginal=2024:03:27 10:15:00+01:00",),),
        "no-iim",
        {"date_taken": "2024-03-27T10:15:00+01:00"},
        beyond_mwg=("date_taken",),
    ),
    # ---------------------------------------------------------------- keywords
    Case(
        "IIM Keywords against dc:subject, digest matches: XMP's", "digest-matches",
        (("-IPTC:Keywords=bowl", "-IPTC:Keywords=1984", "-XMP-dc:Subject=bowl",
          "-XMP-dc:Subject=ceramic", SYNC),),
        "matches",
        {"keywords": ["bowl", "ceramic"]},
        {"keywords": {"iptc:2:25 Keywords": "bowl; 1984"}},
    ),
    Case(
        "IIM Keywords against dc:subject, stale digest: the IIM's", "digest-stale",
        (("-IPTC:Keywords=bowl", "-IPTC:Keywords=ceramic", "-XMP-dc:Subject=bowl",
          "-XMP-dc:Subject=ceramic", SYNC),
         iim_then("-IPTC:Keywords-=ceramic", "-IPTC:Keywords+=1984")),
        "stale",
        {"keywords": ["bowl", "1984"]},
        {"keywords": {"xmp:dc:subject": "bowl; ceramic"}},
    ),
    # ---------------------------------------------------------------- location
    Case(
        "location, digest matches: LocationShown, then photoshop:*; IIM a conflict",
        "digest-matches",
        (("-IPTC:City=Cowley", "-IPTC:Province-State=Oxon",
          "-IPTC:Country-PrimaryLocationName=UK", "-IPTC:Sub-location=Pitt Rivers",
          "-XMP-photoshop:City=Oxford", "-XMP-photoshop:State=Oxfordshire",
          "-XMP-photoshop:Country=United Kingdom", "-XMP-iptcCore:Location=Pitt Rivers Museum",
          "-XMP-iptcExt:LocationShownCity=Abingdon",
          "-XMP-iptcExt:LocationShownProvinceState=Oxfordshire",
          "-XMP-iptcExt:LocationShownCountryName=England",
          "-XMP-iptcExt:LocationShownSublocation=Abbey Buildings", SYNC),),
        "matches",
        {"city": "Abingdon", "province_state": "Oxfordshire", "country": "England",
         "sublocation": "Abbey Buildings"},
        {"city": {"iptc:2:90 City": "Cowley", "xmp:photoshop:City": "Oxford"},
         "province_state": {"iptc:2:95 Province/State": "Oxon"},
         "country": {"iptc:2:101 Country": "UK", "xmp:photoshop:Country": "United Kingdom"},
         "sublocation": {"iptc:2:92 Sub-location": "Pitt Rivers",
                         "xmp:Iptc4xmpCore:Location": "Pitt Rivers Museum"}},
    ),
    Case(
        "location without LocationShown, digest matches: photoshop:City, iptcCore:Location",
        "digest-matches",
        (("-IPTC:City=Cowley", "-IPTC:Sub-location=Pitt Rivers", "-XMP-photoshop:City=Oxford",
          "-XMP-iptcCore:Location=Pitt Rivers Museum", SYNC),),
        "matches",
        {"city": "Oxford", "sublocation": "Pitt Rivers Museum"},
        {"city": {"iptc:2:90 City": "Cowley"},
         "sublocation": {"iptc:2:92 Sub-location": "Pitt Rivers"}},
    ),
    Case(
        "location, stale digest: the IIM's", "digest-stale",
        (("-IPTC:City=Oxford", "-IPTC:Country-PrimaryLocationName=England",
          "-XMP-photoshop:City=Oxford", "-XMP-iptcExt:LocationShownCity=Oxford",
          "-XMP-iptcExt:LocationShownCountryName=England", SYNC),
         iim_then("-IPTC:City=Cowley", "-IPTC:Country-PrimaryLocationName=UK")),
        "stale",
        {"city": "Cowley", "country": "UK"},
        {"city": {"xmp:Iptc4xmpExt:LocationShown/Iptc4xmpExt:City": "Oxford",
                  "xmp:photoshop:City": "Oxford"},
         "country": {"xmp:Iptc4xmpExt:LocationShown/Iptc4xmpExt:CountryName": "England"}},
    ),
    # ---------------------------------------------------------------- orientation
    Case(
        "EXIF Orientation", "exif-first",
        (("-EXIF:Orientation#=6", "-XMP-tiff:Orientation#=6"),),
        "no-iim",
        {"orientation": 6},
    ),
    Case(
        "only XMP tiff:Orientation: Vitrine's fallback (Pillow turns pictures by it)",
        "fallback",
        (("-XMP-tiff:Orientation#=8",),),
        "no-iim",
        {"orientation": 8},
        beyond_mwg=("orientation",),
    ),
]
# fmt: on


def build(tmp_path: Path, case: Case) -> Path:
    """The case's JPEG: Pillow's pixels, then ExifTool's writes, one run each."""
    path = tmp_path / "photo.jpg"
    Image.linear_gradient("L").resize((32, 24)).convert("RGB").save(path, quality=90)
    for name, data in case.raw_files.items():
        (tmp_path / name).write_bytes(data)
    for args in case.writes:
        subprocess.run(
            ["exiftool", "-q", "-q", "-overwrite_original", *args, path.name],
            cwd=tmp_path,
            check=True,
            capture_output=True,
        )
    return path


def digest_state(path: Path) -> str:
    """The IPTC digest's state as ExifTool sees it (CurrentIPTCDigest: the IIM's MD5)."""
    done = subprocess.run(
        ["exiftool", "-j", "-IPTCDigest", "-CurrentIPTCDigest", str(path)],
        capture_output=True,
        check=True,
        text=True,
    )
    tags = json.loads(done.stdout)[0]
    if "CurrentIPTCDigest" not in tags:
        return "no-iim"
    if "IPTCDigest" not in tags:
        return "missing"
    return "matches" if tags["IPTCDigest"] == tags["CurrentIPTCDigest"] else "stale"


def iso(exiftool_date: str) -> str:
    """ExifTool's "2024:03:27 10:15:00+01:00" (or "2024:03:27") as ISO 8601."""
    day, _, time = exiftool_date.partition(" ")
    text = day.replace(":", "-") + (f"T{time}" if time else "")
    return datetime.fromisoformat(text).isoformat() if time else text


def exiftool_fields(view: dict[str, Any]) -> dict[str, Any]:
    """ExifTool's MWG tags as Vitrine's summary fields."""
    fields: dict[str, Any] = {MWG_TEXT[tag]: view[tag] for tag in MWG_TEXT if tag in view}
    if "Creator" in view:
        fields["creator"] = view["Creator"]
    if "Keywords" in view:
        fields["keywords"] = view["Keywords"]
    if "DateTimeOriginal" in view:
        fields["date_taken"] = iso(view["DateTimeOriginal"])
    if "Orientation" in view:
        fields["orientation"] = ORIENTATIONS[view["Orientation"]]
    return fields


def vitrine_fields(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary's MWG fields, in the form exiftool_fields gives (creators as a list)."""
    fields: dict[str, Any] = {
        name: summary[name]["value"] for name in MWG_TEXT.values() if summary[name]
    }
    if summary["creator"]:
        fields["creator"] = mwg.split_list(summary["creator"]["value"])
    if summary["keywords"]:
        fields["keywords"] = summary["keywords"]["value"]
    for name in ("date_taken", "orientation"):
        if summary[name] is not None:
            fields[name] = summary[name]
    return fields


def shown(summary: dict[str, Any], name: str) -> Any:
    """A field as the case's ``expect`` says it: the value alone."""
    value = summary[name]
    return value["value"] if isinstance(value, dict) else value


@pytest.mark.parametrize("case", CASES, ids=[f"{case.rule}: {case.name}" for case in CASES])
def test_vitrine_reads_as_exiftool_reads_the_mwg(tmp_path: Path, case: Case) -> None:
    path = build(tmp_path, case)
    assert digest_state(path) == case.digest, "the fixture is not in the case's digest state"
    result = read_metadata(path)
    assert result.warnings == []
    summary = result.summary
    assert summary["iptc_digest"] == case.digest

    theirs = exiftool_fields(mwg_view(path))
    ours = vitrine_fields(summary)
    for name in case.beyond_mwg:
        assert name not in theirs, f"ExifTool's MWG now reads {name}: drop beyond_mwg"
        ours.pop(name, None)
    assert ours == theirs

    for name, value in case.expect.items():
        assert shown(summary, name) == value, name
        reconciled = summary["reconciled"][name]
        assert reconciled["rule"] == case.rule, name
        conflicts = {c["source"]: c["value"] for c in reconciled["conflicts"]}
        assert conflicts == case.conflicts.get(name, {}), name
    for name, found in case.not_mwg.items():
        rule = mwg.reconcile(mwg.FIELDS[name], found, mwg.Digest(case.digest))
        assert rule is not None and rule.rule == case.rule, name
        assert summary[name] == {"value": rule.text, "source": rule.source}, name
        assert summary["reconciled"][name]["rule"] == case.rule, name


def test_every_rule_has_a_case() -> None:
    rules = {"exif-first", "no-iim", "digest-matches", "no-digest", "no-xmp", "digest-stale"}
    assert {case.rule for case in CASES} >= rules | {"iim-truncated", "fallback"}


def test_the_character_set_cases_hold_the_bytes_they_say(tmp_path: Path) -> None:
    latin = next(case for case in CASES if "without 1:90" in case.name)
    utf8 = next(case for case in CASES if "declared UTF-8" in case.name)
    (tmp_path / "latin").mkdir()
    (tmp_path / "utf8").mkdir()
    data = build(tmp_path / "latin", latin).read_bytes()
    assert b"Zo\xeb O\x92Brien" in data  # Windows-1252
    assert b"\x1c\x01\x5a" not in data  # no 1:90
    data = build(tmp_path / "utf8", utf8).read_bytes()
    assert "Zoë Łukasiewicz".encode() in data
    assert b"\x1c\x01\x5a\x00\x03\x1b%G" in data  # 1:90 is ESC % G
