"""One value per field out of EXIF, IPTC-IIM and XMP, as the Metadata Working Group reconciles
them ("Guidelines for Handling Image Metadata" 2.0, as ExifTool's ``-use MWG`` applies them).

The rules, per field (FIELDS names which apply to which):

- **EXIF first**: for Creator, Copyright, Description and the date taken, a non-blank EXIF value
  wins over IIM and XMP (``exif-first``).
- **IIM against XMP**, decided by the IPTC digest: the MD5 of the IIM block that an XMP-aware
  tool stores in the Photoshop resource 0x0425 when it last wrote both.
  No IIM block at all: XMP (``no-iim``). Digest matches: XMP, the two are in sync
  (``digest-matches``). No digest stored: XMP (``no-digest``; ExifTool's reading of the MWG).
  No XMP value: IIM (``no-xmp``). Digest stale (a tool that did not know XMP changed the IIM):
  IIM wins, even when it lacks the field, which then counts as deleted (``digest-stale``) --
  unless the IIM value is the XMP value cut at the dataset's byte limit, when XMP's longer value
  is recovered (``iim-truncated``).
- **XMP only**: fields IIM and EXIF have no place for (web statement, usage terms, alt
  text) come from XMP whatever the digest says (``xmp-only``).
- **Fallbacks** outside the MWG's list (PNG text keywords, XMP exif:DateTimeOriginal, XMP
  tiff:Orientation) are read only when the rules above find nothing (``fallback``), and never
  for a field a stale digest's IIM deleted.

A field's other blocks that say something else are its conflicts, kept so that a rights
manager sees them. Multi-valued EXIF strings (Artist) are lists in the MWG's "; " form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Digest(StrEnum):
    """What the IPTC digest says about the IIM block against the XMP."""

    NO_IIM = "no-iim"  # no IIM block in the file
    MATCHES = "matches"  # stored digest equals the block's MD5: XMP and IIM in sync
    MISSING = "missing"  # IIM present, no digest stored
    STALE = "stale"  # stored digest differs: IIM changed since XMP was written


def digest_state(iim_block_md5: bytes | None, stored_digest: bytes | None) -> Digest:
    """The digest's verdict from the IIM block's MD5 (None: no block) and the stored digest."""
    if iim_block_md5 is None:
        return Digest.NO_IIM
    if not stored_digest:
        return Digest.MISSING
    return Digest.MATCHES if stored_digest == iim_block_md5 else Digest.STALE


@dataclass(frozen=True)
class FieldRule:
    """Where one field lives in each block ("<block>:<key>" sources) and how it is read."""

    exif: str | None = None
    iim: str | None = None
    iim_limit: int = 0  # the IIM dataset's byte limit: a value this long may be cut
    xmp: tuple[str, ...] = ()  # in order of preference
    fallbacks: tuple[str, ...] = ()
    listed: bool = False  # a list of values (creators, keywords)

    @property
    def sources(self) -> tuple[str, ...]:
        """Every source of the field, EXIF's first."""
        return tuple(s for s in (self.exif, self.iim, *self.xmp, *self.fallbacks) if s)


# Summary field -> its rule. Title and credit are not in the MWG's list; they follow the same
# IIM-against-XMP rule, as ExifTool writes them.
FIELDS: dict[str, FieldRule] = {
    "creator": FieldRule(
        exif="exif:Artist", iim="iptc:2:80 By-line", iim_limit=32, xmp=("xmp:dc:creator",),
        fallbacks=("png:Author",), listed=True,
    ),
    "copyright_notice": FieldRule(
        exif="exif:Copyright", iim="iptc:2:116 Copyright Notice", iim_limit=128,
        xmp=("xmp:dc:rights",), fallbacks=("png:Copyright",),
    ),
    "description": FieldRule(
        exif="exif:ImageDescription", iim="iptc:2:120 Caption/Abstract", iim_limit=2000,
        xmp=("xmp:dc:description",), fallbacks=("png:Description",),
    ),
    "title": FieldRule(
        iim="iptc:2:05 Object Name", iim_limit=64, xmp=("xmp:dc:title",), fallbacks=("png:Title",)
    ),
    "credit_line": FieldRule(iim="iptc:2:110 Credit", iim_limit=32, xmp=("xmp:photoshop:Credit",)),
    "web_statement": FieldRule(xmp=("xmp:xmpRights:WebStatement",)),
    "usage_terms": FieldRule(xmp=("xmp:xmpRights:UsageTerms",)),
    "alt_text": FieldRule(xmp=("xmp:Iptc4xmpCore:AltTextAccessibility",)),
    "keywords": FieldRule(
        iim="iptc:2:25 Keywords", iim_limit=64, xmp=("xmp:dc:subject",), listed=True
    ),
    "city": FieldRule(
        iim="iptc:2:90 City", iim_limit=32,
        xmp=("xmp:Iptc4xmpExt:LocationShown/Iptc4xmpExt:City", "xmp:photoshop:City"),
    ),
    "province_state": FieldRule(
        iim="iptc:2:95 Province/State", iim_limit=32,
        xmp=("xmp:Iptc4xmpExt:LocationShown/Iptc4xmpExt:ProvinceState", "xmp:photoshop:State"),
    ),
    "country": FieldRule(
        iim="iptc:2:101 Country", iim_limit=64,
        xmp=("xmp:Iptc4xmpExt:LocationShown/Iptc4xmpExt:CountryName", "xmp:photoshop:Country"),
    ),
    "sublocation": FieldRule(
        iim="iptc:2:92 Sub-location", iim_limit=32,
        xmp=("xmp:Iptc4xmpExt:LocationShown/Iptc4xmpExt:Sublocation",
             "xmp:Iptc4xmpCore:Location"),
    ),
    # Values are ISO 8601 dates here: the caller turns each block's own form into one.
    "date_taken": FieldRule(
        exif="exif:DateTimeOriginal", iim="iptc:2:55 Date Created",
        xmp=("xmp:photoshop:DateCreated",),
        fallbacks=("xmp:exif:DateTimeOriginal", "png:Creation Time"),
    ),
    # EXIF only in the MWG; Pillow also turns pictures by XMP's, so the summary must too.
    "orientation": FieldRule(exif="exif:Orientation", fallbacks=("xmp:tiff:Orientation",)),
}  # fmt: skip

LOCATION_FIELDS = ("sublocation", "city", "province_state", "country")


@dataclass(frozen=True)
class Conflict:
    """A value another block holds for the field, which the chosen one does not agree with."""

    source: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Reconciled:
    """The field's value (empty: none), the source it came from, the rule that chose it."""

    values: tuple[str, ...]
    source: str | None
    rule: str
    conflicts: tuple[Conflict, ...] = ()
    listed: bool = False

    @property
    def text(self) -> str:
        """The value as one string: a list in the MWG's "; " form."""
        return as_text(self.values, listed=self.listed)


def reconcile(
    rule: FieldRule, found: Mapping[str, Sequence[str]], digest: Digest
) -> Reconciled | None:
    """The field's value by the MWG rules, from ``found`` ({source: its non-blank values});
    None when no block holds anything for it."""
    held = {
        source: kept
        for source, values in found.items()
        if (kept := tuple(value for value in values if value.strip()))
    }
    exif = held.get(rule.exif or "")
    if exif and rule.listed:
        exif = tuple(split_list("; ".join(exif)))
    iim = held.get(rule.iim or "")
    xmp_source = next((source for source in rule.xmp if source in held), None)
    xmp = held.get(xmp_source or "")
    chosen: tuple[tuple[str, ...], str | None, str]
    if exif:
        chosen = (exif, rule.exif, "exif-first")
    elif rule.iim is None:
        chosen = (xmp or (), xmp_source, "xmp-only")
    elif digest is Digest.NO_IIM:
        chosen = (xmp or (), xmp_source, "no-iim")
    elif xmp and digest is not Digest.STALE:
        chosen = (xmp, xmp_source, "digest-matches" if digest is Digest.MATCHES else "no-digest")
    elif not xmp:
        chosen = (iim or (), rule.iim, "no-xmp")
    elif iim and (recovered := _recovered(iim, xmp, rule.iim_limit)) != iim:
        chosen = (recovered, xmp_source, "iim-truncated")
    else:
        chosen = (iim or (), rule.iim, "digest-stale")
    values, source, why = chosen
    if not values and why != "digest-stale":  # a stale digest's IIM deleted the field
        fallback = next((source for source in rule.fallbacks if source in held), None)
        if fallback is not None:
            values, source, why = held[fallback], fallback, "fallback"
        elif not held:
            return None
    # With nothing chosen, the field is still shown: a stale digest deleted what XMP holds.
    conflicts = _conflicts(rule, held, values)
    return Reconciled(values, source if values else None, why, conflicts, rule.listed)


def _conflicts(
    rule: FieldRule, held: Mapping[str, tuple[str, ...]], chosen: tuple[str, ...]
) -> tuple[Conflict, ...]:
    """The other sources of the field whose values differ from the chosen ones."""
    sources = [rule.exif, rule.iim, *rule.xmp, *rule.fallbacks]
    conflicts = []
    for source in sources:
        if source is None or source not in held:
            continue
        values = held[source]
        if source == rule.exif and rule.listed:
            values = tuple(split_list("; ".join(values)))
        if values and not _same(values, chosen, rule.iim_limit if source == rule.iim else 0):
            conflicts.append(Conflict(source, values))
    return tuple(conflicts)


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def _same(values: Sequence[str], chosen: Sequence[str], limit: int) -> bool:
    """Whether two lists say the same (spacing and case aside, an IIM value cut at its limit
    being the same as the whole)."""
    if len(values) != len(chosen):
        return False
    return all(
        _normal(value) == _normal(other) or _cut_of(value, other, limit)
        for value, other in zip(values, chosen, strict=True)
    )


def _recovered(iim: Sequence[str], xmp: Sequence[str], limit: int) -> tuple[str, ...]:
    """The IIM values, each one that is the XMP value in its place cut at the dataset's byte
    limit replaced by that XMP value (ExifTool's RecoverTruncatedIPTC, value by value)."""
    return tuple(
        xmp[at] if at < len(xmp) and _cut_of(short, xmp[at], limit) else short
        for at, short in enumerate(iim)
    )


def _cut_of(short: str, whole: str, limit: int) -> bool:
    """Whether ``short`` is ``whole`` cut at ``limit`` UTF-8 bytes, as read back: a character
    split by the cut decodes as U+FFFD, and the reader strips a space the cut left at the end."""
    whole_bytes = whole.encode("utf-8")
    if not limit or len(whole_bytes) <= limit:
        return False
    return whole_bytes[:limit].decode("utf-8", "replace").strip() == short


def split_list(text: str) -> list[str]:
    """An MWG string list ("A; B", values holding "; " or a leading quote quoted, quotes
    doubled) as its values; EXIF Artist holds several creators this way."""
    values: list[str] = []
    quoted = False
    for part in text.split("; "):
        was_quoted = quoted
        if not quoted and part.startswith('"'):
            quoted, part = True, part[1:]
        if quoted:
            stripped = part.rstrip('"')
            # An odd number of closing quotes ends the quoted value.
            if (len(part) - len(stripped)) % 2 == 1:
                quoted, part = False, part[:-1]
            part = part.replace('""', '"')
        if was_quoted:
            values[-1] += "; " + part
        else:
            values.append(part)
    return [value.strip() for value in values if value.strip()]


def as_text(values: Sequence[str], *, listed: bool) -> str:
    """A field's values as one string: a list field in the MWG's "; " form, others as read."""
    return join_list(values) if listed else "; ".join(values)


def join_list(values: Sequence[str]) -> str:
    """Values as one MWG string list, the inverse of split_list."""
    quoted = [
        '"' + value.replace('"', '""') + '"' if value.startswith('"') or "; " in value else value
        for value in values
    ]
    return "; ".join(quoted)
