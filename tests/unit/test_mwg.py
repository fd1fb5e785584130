"""rules/mwg: the Metadata Working Group's reconciliation, one row per rule and edge.

Each row names the rule it expects; where the MWG leaves a choice, the row follows ExifTool's
MWG.pm (12.57), the reader tests/fidelity/test_mwg_reading.py compares Vitrine with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from hashlib import md5

import pytest

from service.rules import mwg
from service.rules.mwg import FIELDS, Digest, join_list, reconcile, split_list

ARTIST, BYLINE, DC_CREATOR, PNG_AUTHOR = (
    "exif:Artist",
    "iptc:2:80 By-line",
    "xmp:dc:creator",
    "png:Author",
)
EXIF_COPYRIGHT, IIM_COPYRIGHT, DC_RIGHTS = (
    "exif:Copyright",
    "iptc:2:116 Copyright Notice",
    "xmp:dc:rights",
)
EXIF_DATE, IIM_DATE, PS_DATE, XMP_EXIF_DATE = (
    "exif:DateTimeOriginal",
    "iptc:2:55 Date Created",
    "xmp:photoshop:DateCreated",
    "xmp:exif:DateTimeOriginal",
)
IIM_CITY, SHOWN_CITY, PS_CITY = (
    "iptc:2:90 City",
    "xmp:Iptc4xmpExt:LocationShown/Iptc4xmpExt:City",
    "xmp:photoshop:City",
)
IIM_KEYWORDS, DC_SUBJECT = "iptc:2:25 Keywords", "xmp:dc:subject"
IIM_CAPTION, DC_DESCRIPTION = "iptc:2:120 Caption/Abstract", "xmp:dc:description"

# A By-line longer than IIM's 32 bytes, with two-byte characters before the cut; the cut at
# exactly 32 bytes falls between characters.
LONG_NAME = "Zoë Ångström-Łukasiewicz-Montmorency"
CUT_NAME = LONG_NAME.encode("utf-8")[:32].decode("utf-8")
assert CUT_NAME == "Zoë Ångström-Łukasiewicz-Mon"
ONE_SHORT = LONG_NAME.encode("utf-8")[:31].decode("utf-8")


@dataclass(frozen=True)
class Row:
    """One field reconciled: what the blocks hold, the digest, and what the rules must say."""

    name: str
    field: str
    found: Mapping[str, tuple[str, ...]]
    digest: Digest
    values: tuple[str, ...]
    source: str | None
    rule: str
    conflicts: dict[str, tuple[str, ...]] = field(default_factory=dict)


ROWS = [
    # --- EXIF first ---
    Row(
        "EXIF Artist wins over IIM and XMP, both kept as conflicts",
        "creator",
        {ARTIST: ("Ann Smith",), BYLINE: ("Bob Jones",), DC_CREATOR: ("Cy Twombly",)},
        Digest.MATCHES,
        ("Ann Smith",),
        ARTIST,
        "exif-first",
        {BYLINE: ("Bob Jones",), DC_CREATOR: ("Cy Twombly",)},
    ),
    Row(
        "EXIF Artist 'A; B' is the MWG list of two creators, the same as XMP's Seq",
        "creator",
        {ARTIST: ("Ann Smith; Bob Jones",), DC_CREATOR: ("Ann Smith", "Bob Jones")},
        Digest.NO_IIM,
        ("Ann Smith", "Bob Jones"),
        ARTIST,
        "exif-first",
    ),
    Row(
        "EXIF Artist with a quoted value holding '; '",
        "creator",
        {ARTIST: ('"Smith; Jones"; Ann Smith',)},
        Digest.NO_IIM,
        ("Smith; Jones", "Ann Smith"),
        ARTIST,
        "exif-first",
    ),
    Row(
        "EXIF Artist with doubled quotes inside a quoted value",
        "creator",
        {ARTIST: ('"""Quoted"" Studio; Partners"; Ann Smith',)},
        Digest.NO_IIM,
        ('"Quoted" Studio; Partners', "Ann Smith"),
        ARTIST,
        "exif-first",
    ),
    Row(
        "EXIF Artist of separators only holds no creator: falls through, no empty conflict",
        "creator",
        {ARTIST: ("; ",), DC_CREATOR: ("Ann Smith",)},
        Digest.NO_IIM,
        ("Ann Smith",),
        DC_CREATOR,
        "no-iim",
    ),
    Row(
        "blank EXIF Copyright (no value found) falls through to XMP",
        "copyright_notice",
        {EXIF_COPYRIGHT: (), DC_RIGHTS: ("© 2024 Ann Smith",)},
        Digest.NO_IIM,
        ("© 2024 Ann Smith",),
        DC_RIGHTS,
        "no-iim",
    ),
    Row(
        "EXIF wins even over a stale digest's IIM",
        "copyright_notice",
        {EXIF_COPYRIGHT: ("© Body",), IIM_COPYRIGHT: ("© IIM",), DC_RIGHTS: ("© XMP",)},
        Digest.STALE,
        ("© Body",),
        EXIF_COPYRIGHT,
        "exif-first",
        {IIM_COPYRIGHT: ("© IIM",), DC_RIGHTS: ("© XMP",)},
    ),
    Row(
        "EXIF date taken first; a different XMP date is a conflict",
        "date_taken",
        {EXIF_DATE: ("2024-03-27T10:15:00+01:00",), PS_DATE: ("2023-01-01",)},
        Digest.NO_IIM,
        ("2024-03-27T10:15:00+01:00",),
        EXIF_DATE,
        "exif-first",
        {PS_DATE: ("2023-01-01",)},
    ),
    # --- no IIM block ---
    Row(
        "no IIM: XMP's Seq of two creators",
        "creator",
        {DC_CREATOR: ("Ann Smith", "Bob Jones")},
        Digest.NO_IIM,
        ("Ann Smith", "Bob Jones"),
        DC_CREATOR,
        "no-iim",
    ),
    # --- digest matches ---
    Row(
        "digest matches: XMP wins, the IIM's other name is a conflict",
        "creator",
        {BYLINE: ("Old Name",), DC_CREATOR: ("New Name",)},
        Digest.MATCHES,
        ("New Name",),
        DC_CREATOR,
        "digest-matches",
        {BYLINE: ("Old Name",)},
    ),
    Row(
        "no conflict when values differ only in case and spacing",
        "creator",
        {BYLINE: ("ann  smith",), DC_CREATOR: ("Ann Smith",)},
        Digest.MATCHES,
        ("Ann Smith",),
        DC_CREATOR,
        "digest-matches",
    ),
    Row(
        "location: LocationShown before photoshop:City, both others conflicts",
        "city",
        {IIM_CITY: ("Cowley",), SHOWN_CITY: ("Abingdon",), PS_CITY: ("Oxford",)},
        Digest.MATCHES,
        ("Abingdon",),
        SHOWN_CITY,
        "digest-matches",
        {IIM_CITY: ("Cowley",), PS_CITY: ("Oxford",)},
    ),
    Row(
        "location: the legacy photoshop:City when LocationShown has none",
        "city",
        {IIM_CITY: ("Oxford",), PS_CITY: ("Oxford",)},
        Digest.MATCHES,
        ("Oxford",),
        PS_CITY,
        "digest-matches",
    ),
    # --- digest missing ---
    Row(
        "no digest: XMP, as ExifTool reads the MWG (the IIM is a conflict)",
        "creator",
        {BYLINE: ("Bob Jones",), DC_CREATOR: ("Ann Smith",)},
        Digest.MISSING,
        ("Ann Smith",),
        DC_CREATOR,
        "no-digest",
        {BYLINE: ("Bob Jones",)},
    ),
    # --- no XMP value ---
    Row(
        "no XMP value, no digest: IIM",
        "creator",
        {BYLINE: ("Bob Jones",)},
        Digest.MISSING,
        ("Bob Jones",),
        BYLINE,
        "no-xmp",
    ),
    Row(
        "no XMP value, stale digest: IIM",
        "keywords",
        {IIM_KEYWORDS: ("bowl", "1984")},
        Digest.STALE,
        ("bowl", "1984"),
        IIM_KEYWORDS,
        "no-xmp",
    ),
    Row(
        "no XMP value, digest matches: IIM repeated By-line",
        "creator",
        {BYLINE: ("Ann Smith", "Bob Jones, Ltd")},
        Digest.MATCHES,
        ("Ann Smith", "Bob Jones, Ltd"),
        BYLINE,
        "no-xmp",
    ),
    # --- digest stale ---
    Row(
        "stale digest: IIM wins, XMP's name a conflict",
        "creator",
        {BYLINE: ("Bob Jones",), DC_CREATOR: ("Ann Smith",)},
        Digest.STALE,
        ("Bob Jones",),
        BYLINE,
        "digest-stale",
        {DC_CREATOR: ("Ann Smith",)},
    ),
    Row(
        "stale digest, keywords: IIM's list",
        "keywords",
        {IIM_KEYWORDS: ("bowl", "1984"), DC_SUBJECT: ("bowl", "ceramic")},
        Digest.STALE,
        ("bowl", "1984"),
        IIM_KEYWORDS,
        "digest-stale",
        {DC_SUBJECT: ("bowl", "ceramic")},
    ),
    Row(
        "stale digest, IIM lacks the field: deleted, XMP kept as a conflict",
        "copyright_notice",
        {DC_RIGHTS: ("© 2024 Ann Smith",)},
        Digest.STALE,
        (),
        None,
        "digest-stale",
        {DC_RIGHTS: ("© 2024 Ann Smith",)},
    ),
    Row(
        "stale digest, IIM lacks the date: deleted, no fallback (as ExifTool's MWG has none)",
        "date_taken",
        {PS_DATE: ("2024-03-27",), XMP_EXIF_DATE: ("2024-03-27T10:15:00",)},
        Digest.STALE,
        (),
        None,
        "digest-stale",
        {PS_DATE: ("2024-03-27",), XMP_EXIF_DATE: ("2024-03-27T10:15:00",)},
    ),
    Row(
        # ExifTool's RecoverTruncatedIPTC returns the IIM value unless it is cut at the limit.
        "stale digest, IIM equal to XMP: the IIM's, nothing was recovered",
        "copyright_notice",
        {IIM_COPYRIGHT: ("© 2024 Ann Smith",), DC_RIGHTS: ("© 2024 Ann Smith",)},
        Digest.STALE,
        ("© 2024 Ann Smith",),
        IIM_COPYRIGHT,
        "digest-stale",
    ),
    Row(
        # ExifTool recovers value by value; a creator the IIM no longer has stays deleted.
        "stale digest, the IIM dropped a creator XMP still lists: IIM's two",
        "creator",
        {BYLINE: ("Ann Smith", "Bob Jones"), DC_CREATOR: ("Ann Smith", "Bob Jones", "Cy")},
        Digest.STALE,
        ("Ann Smith", "Bob Jones"),
        BYLINE,
        "digest-stale",
        {DC_CREATOR: ("Ann Smith", "Bob Jones", "Cy")},
    ),
    Row(
        "stale digest, IIM at the limit but not XMP's start: IIM",
        "creator",
        {BYLINE: ("X" * 32,), DC_CREATOR: (LONG_NAME,)},
        Digest.STALE,
        ("X" * 32,),
        BYLINE,
        "digest-stale",
        {DC_CREATOR: (LONG_NAME,)},
    ),
    Row(
        "stale digest, IIM one byte short of the limit: not a cut, IIM",
        "creator",
        {BYLINE: (ONE_SHORT,), DC_CREATOR: (LONG_NAME,)},
        Digest.STALE,
        (ONE_SHORT,),
        BYLINE,
        "digest-stale",
        {DC_CREATOR: (LONG_NAME,)},
    ),
    # --- IIM truncated ---
    Row(
        "IIM By-line cut at exactly 32 UTF-8 bytes: XMP's whole name, no conflict",
        "creator",
        {BYLINE: (CUT_NAME,), DC_CREATOR: (LONG_NAME,)},
        Digest.STALE,
        (LONG_NAME,),
        DC_CREATOR,
        "iim-truncated",
    ),
    Row(
        "IIM list with one value cut: XMP's list",
        "creator",
        {BYLINE: ("Ann Smith", CUT_NAME), DC_CREATOR: ("Ann Smith", LONG_NAME)},
        Digest.STALE,
        ("Ann Smith", LONG_NAME),
        DC_CREATOR,
        "iim-truncated",
    ),
    Row(
        # ExifTool: a single IIM value against an XMP list recovers the list's first value.
        "one cut IIM value against two XMP creators: the first, recovered",
        "creator",
        {BYLINE: (CUT_NAME,), DC_CREATOR: (LONG_NAME, "Bob Jones")},
        Digest.STALE,
        (LONG_NAME,),
        DC_CREATOR,
        "iim-truncated",
        {DC_CREATOR: (LONG_NAME, "Bob Jones")},
    ),
    Row(
        "IIM keyword cut at 64 bytes",
        "keywords",
        {IIM_KEYWORDS: ("é" * 32,), DC_SUBJECT: ("é" * 40,)},
        Digest.STALE,
        ("é" * 40,),
        DC_SUBJECT,
        "iim-truncated",
    ),
    Row(
        "IIM caption cut at 2000 bytes",
        "description",
        {IIM_CAPTION: ("a" * 2000,), DC_DESCRIPTION: ("a" * 2500,)},
        Digest.STALE,
        ("a" * 2500,),
        DC_DESCRIPTION,
        "iim-truncated",
    ),
    # --- XMP only ---
    Row(
        "a field only XMP has a place for: XMP's, whatever the digest",
        "web_statement",
        {"xmp:xmpRights:WebStatement": ("https://example.org/rights",)},
        Digest.STALE,
        ("https://example.org/rights",),
        "xmp:xmpRights:WebStatement",
        "xmp-only",
    ),
    # --- fallbacks ---
    Row(
        "nothing in the MWG's blocks: the PNG Author",
        "creator",
        {PNG_AUTHOR: ("Ann Smith",)},
        Digest.NO_IIM,
        ("Ann Smith",),
        PNG_AUTHOR,
        "fallback",
    ),
    Row(
        "a fallback is not read when a rule found a value (and differs: conflict)",
        "creator",
        {DC_CREATOR: ("Ann Smith",), PNG_AUTHOR: ("Someone Else",)},
        Digest.NO_IIM,
        ("Ann Smith",),
        DC_CREATOR,
        "no-iim",
        {PNG_AUTHOR: ("Someone Else",)},
    ),
    Row(
        "orientation only in XMP: Vitrine's fallback (the MWG reads EXIF only)",
        "orientation",
        {"xmp:tiff:Orientation": ("6",)},
        Digest.NO_IIM,
        ("6",),
        "xmp:tiff:Orientation",
        "fallback",
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_reconcile(row: Row) -> None:
    got = reconcile(FIELDS[row.field], row.found, row.digest)
    assert got is not None
    assert (got.values, got.source, got.rule) == (row.values, row.source, row.rule)
    assert {c.source: c.values for c in got.conflicts} == row.conflicts
    assert got.text == join_list(row.values)


def test_every_rule_has_a_row() -> None:
    rules = {"exif-first", "no-iim", "digest-matches", "no-digest", "no-xmp", "digest-stale"}
    assert {row.rule for row in ROWS} >= rules | {"iim-truncated", "xmp-only", "fallback"}


@pytest.mark.parametrize("found", [{}, {BYLINE: ()}, {ARTIST: (), DC_CREATOR: ()}])
def test_nothing_held_is_none(found: Mapping[str, tuple[str, ...]]) -> None:
    assert reconcile(FIELDS["creator"], found, Digest.MATCHES) is None


def test_digest_state() -> None:
    block = md5(b"\x1c\x02\x50\x00\x03Ann").digest()
    assert mwg.digest_state(None, block) is Digest.NO_IIM
    assert mwg.digest_state(block, None) is Digest.MISSING
    assert mwg.digest_state(block, b"") is Digest.MISSING
    assert mwg.digest_state(block, block) is Digest.MATCHES
    assert mwg.digest_state(block, bytes(16)) is Digest.STALE


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("Ann Smith", ["Ann Smith"]),
        ("Ann Smith; Bob Jones", ["Ann Smith", "Bob Jones"]),
        ("Smith;Jones", ["Smith;Jones"]),  # the separator is "; ", a bare ";" is text
        ('"Smith; Jones"; Ann', ["Smith; Jones", "Ann"]),
        ('"""Q"" S; P"; Ann', ['"Q" S; P', "Ann"]),
        ('"Quoted at the start', ["Quoted at the start"]),  # unclosed: ExifTool warns, keeps
        ("", []),
        ("; ", []),
    ],
)
def test_split_list(text: str, values: list[str]) -> None:
    assert split_list(text) == values


@pytest.mark.parametrize(
    "values",
    [["Ann Smith"], ["Smith; Jones", "Ann"], ['"Q" S; P', "Ann"], ['"Lone', "x"], ["a;b", "c"]],
)
def test_join_list_is_split_lists_inverse(values: list[str]) -> None:
    assert split_list(join_list(values)) == values


def test_fields_sources_name_their_block() -> None:
    for name, rule in FIELDS.items():
        sources = [rule.exif, rule.iim, *rule.xmp, *rule.fallbacks]
        blocks = {source.partition(":")[0] for source in sources if source}
        assert blocks <= {"exif", "iptc", "xmp", "png"}, name
        assert bool(rule.iim) == bool(rule.iim_limit) or name == "date_taken", name
