"""Credit policy rules and tolerant matching of credit lines.

A rule says which exact credit line a rights holder requires. :func:`match_credit` looks
for that line in a bare credit field or in a whole caption and says whether it is there
verbatim ("exact"), in another spelling of the same credit ("equivalent"), replaced by a
credit naming someone else ("conflicting"), or absent ("missing"), with a sentence the
audit can show as it is.

Spellings treated as the same credit: "©", "(c)", "Ⓒ", "Copyright", "Copr." and their
combinations ("Copyright ©"); any run of whitespace, NBSP included; case; a leading "The"
on the holder; a trailing full stop; "All rights reserved" at the end; a year or year
range ("© 2024", "1998-2024") after the symbol or after a comma at the end, because a year
dates the notice but does not change who must be credited; "Courtesy of" and labels such
as "Photo:", which name the same holder in a different form. A line that is nothing but
the holder's name counts too. The required wording anywhere wins over other credits in the
same text; otherwise a spelling of it wins over a credit naming someone else. NFC throughout.
"""

from __future__ import annotations

import json
import pathlib
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

PLACEMENTS = frozenset({"bottom-left", "bottom-right", "band"})
MAX_FIELD_CHARS = 300


@dataclass(frozen=True)
class CreditRule:
    """The credit line one rights holder requires, and whether and where it is burned in."""

    holder: str
    credit_line: str
    burn_in: bool = False
    placement: str = "bottom-right"


@dataclass(frozen=True)
class CreditMatch:
    """How a text carries a required credit line, with the wording found and a reason."""

    outcome: str  # "exact" | "equivalent" | "missing" | "conflicting"
    required: str
    found: str | None
    reason: str


# ---- policy -------------------------------------------------------------------------------

_RULE_FIELDS = ("holder", "credit_line", "burn_in", "placement")


def _text_field(raw: Mapping[str, Any], name: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name}: must be a non-empty string")
    value = unicodedata.normalize("NFC", value).strip()
    if len(value) > MAX_FIELD_CHARS:
        raise ValueError(f"{name}: must be at most {MAX_FIELD_CHARS} characters")
    if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in value):
        raise ValueError(f"{name}: must be a single line without control characters")
    return value


def validate_rule(raw: Mapping[str, Any]) -> CreditRule:
    """Build a rule from untrusted input (admin API, seed file); ValueError names the bad field."""
    # Keys starting with "_" are comments in the seed file; any other unknown key is a typo
    # ("burnin") that would otherwise be dropped silently.
    unknown = sorted(k for k in raw if not k.startswith("_") and k not in _RULE_FIELDS)
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown field (expected one of {', '.join(_RULE_FIELDS)})")
    holder = _text_field(raw, "holder")
    credit_line = _text_field(raw, "credit_line")
    burn_in = raw.get("burn_in", False)
    if not isinstance(burn_in, bool):  # 0/1 or "false" would be ambiguous
        raise ValueError("burn_in: must be true or false")
    placement = raw.get("placement", "bottom-right")
    if not isinstance(placement, str) or placement not in PLACEMENTS:
        raise ValueError(f"placement: must be one of {', '.join(sorted(PLACEMENTS))}")
    return CreditRule(holder, credit_line, burn_in, placement)


def load_policy(path: pathlib.Path) -> list[CreditRule]:
    """Read and validate a credit policy file: {"description": ..., "rules": [rule, ...]}."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise ValueError(f'{path}: expected an object with a "rules" list')
    rules: list[CreditRule] = []
    seen: dict[str, str] = {}
    for index, raw in enumerate(data["rules"], start=1):
        if not isinstance(raw, dict):
            raise ValueError(f"{path}: rule {index}: must be an object")
        try:
            rule = validate_rule(raw)
        except ValueError as exc:
            raise ValueError(f"{path}: rule {index}: {exc}") from exc
        key = holder_of(rule.holder)
        if key in seen:  # find_rule would never reach the second one
            raise ValueError(f"{path}: rule {index}: holder {rule.holder!r} repeats {seen[key]!r}")
        seen[key] = rule.holder
        rules.append(rule)
    return rules


def rule_json(rule: CreditRule) -> dict[str, Any]:
    """A rule as stored and shown: the four fields, nothing else."""
    return {
        "holder": rule.holder,
        "credit_line": rule.credit_line,
        "burn_in": rule.burn_in,
        "placement": rule.placement,
    }


def display_holder(credit: str) -> str:
    """The holder a credit names, in its own spelling: "© 2024 The Trustees." -> "Trustees".

    Used to propose a holder from an embedded copyright notice; ``holder_of`` gives the
    comparison key instead.
    """
    text = " ".join(unicodedata.normalize("NFC", credit).split())
    previous = None
    while text != previous:
        previous = text
        text = re.sub(rf"^(?:{_SYMBOL}\s*)+", "", text, flags=re.IGNORECASE)
        text = re.sub(rf"^{_YEARS}\b,?\s*", "", text)
        text = re.sub(r"(?:[.,;]?\s*all rights reserved)\W*$", "", text, flags=re.IGNORECASE)
    text = re.sub(r"^the\s+", "", text, flags=re.IGNORECASE)
    return text.strip(" .,;:")


def normalise_holder(holder: str) -> str:
    """The key under which two spellings of a holder's name are the same holder."""
    return holder_of(holder)


def find_rule(rules: Sequence[CreditRule], holder: str | None) -> CreditRule | None:
    """Return the rule for a holder, matching names as credits are matched (case, "The", ...)."""
    if holder is None or not holder.strip():
        return None
    key = holder_of(holder)
    return next((rule for rule in rules if holder_of(rule.holder) == key), None)


# ---- normalisation ------------------------------------------------------------------------

_SYMBOL = r"(?:©|ⓒ|\(c\)|copyright\b|copr\.?(?![\w]))"
_SYMBOLS = re.compile(rf"{_SYMBOL}(?:\s*{_SYMBOL})*")
_YEARS = r"\d{4}(?:\s*[-\u2013\u2014/]\s*\d{2,4})?"  # hyphen, en or em dash, slash
_YEAR_AFTER_SYMBOL = re.compile(rf"© {_YEARS}\b,?\s*")
_TRAILING = re.compile(rf"(?:[.,;]?\s*all rights reserved|,\s*{_YEARS})\W*$")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u2060\ufeff"))
# Forms that introduce the holder without being part of its name.
_PREFIX = re.compile(
    r"^(?:©"
    r"|(?:photo(?:graph)?|image|picture)\s*(?:credit|courtesy(?:\s+of)?)?\s*:"
    r"|(?:photo(?:graph)?|image|picture)\s+(?:by|courtesy\s+of)\b"
    r"|credits?\s*:|courtesy(?:\s+of)?\s*:?)\s*"
)


def normalise_credit(text: str) -> str:
    """Return the comparison key of a credit line; spellings of one credit share a key.

    "(C) 2024 the Trustees of the  British Museum." -> "© trustees of the british museum".
    """
    key = unicodedata.normalize("NFC", text).translate(_INVISIBLE).casefold()
    key = " ".join(key.split())
    key = _SYMBOLS.sub("©", key)
    key = re.sub(r"©\s*", "© ", key)
    key = _YEAR_AFTER_SYMBOL.sub("© ", key)
    key = re.sub(r"© the\b\s*", "© ", key)
    previous = None
    while key != previous:  # "…, 2024. All rights reserved." has two trailers
        previous = key
        key = _TRAILING.sub("", key).rstrip(" .")
    return key.strip()


def holder_of(credit: str) -> str:
    """Return the normalised holder a credit names, without symbol, "Courtesy of", year or "The"."""
    key = normalise_credit(credit)
    previous = None
    while key != previous:
        previous = key
        key = _PREFIX.sub("", key)
        key = re.sub(rf"^{_YEARS}\b,?\s*", "", key)
        key = re.sub(r"^the\s+", "", key)
    return key.strip(" .,;:")


# ---- matching -----------------------------------------------------------------------------

_MARKER = re.compile(
    r"(?P<symbol>©|Ⓒ|ⓒ|\(c\))"
    r"|(?P<word>\b(?:copyright|copr\.)(?![\w-]))"
    r"|(?P<courtesy>\bcourtesy(?:\s+of\b|\s*:))"
    r"|(?P<label>\b(?:(?:photo(?:graph)?|image|picture)(?:\s+(?:credit|courtesy))?|credits?)\s*:)",
    re.IGNORECASE,
)
# Where a credit inside a caption stops: a hashtag, a mention, a link, a separator.
_SEGMENT_END = re.compile(r"\s[#@]\w|https?://|\s[-|\u2022\u00b7\u2013\u2014]\s")
_SENTENCE_END = re.compile(r"(?<=[^\W\d_]{3})\.(?=\s+\S)|;")
# Capitalised words that follow "Copyright" in prose rather than in a notice.
_PROSE_AFTER_COPYRIGHT = frozenset(
    {"act", "free", "holder", "holders", "law", "laws", "notice", "office", "status", "week"}
)
_TRIM = " \t,;:)]\"'\u201d\u2019"  # with closing curly quotes


def _looks_like_name(rest: str, marker: str) -> bool:
    """Whether the words after a marker read as a holder's name rather than prose."""
    words = rest.split(maxsplit=2)
    if not words:
        return False
    first = words[0]
    if first[0].isdigit() or first[0] in "©Ⓒⓒ(":
        return True
    if first.casefold() == "the":
        return marker != "word" or (len(words) > 1 and words[1][0].isupper())
    if marker == "word" and first.strip(".,:;").casefold() in _PROSE_AFTER_COPYRIGHT:
        return False
    return first[0].isupper()


def _credit_segments(line: str) -> Iterator[str]:
    """Yield each credit-like statement in one line, from its marker to where it stops."""
    accepted: list[int] = []
    end_of_last = 0
    for match in _MARKER.finditer(line):
        start, kind = match.start(), match.lastgroup or ""
        # "Copyright ©" or "Photo: ©" is one marker, not two credits.
        if accepted and not line[end_of_last:start].strip():
            end_of_last = match.end()
            continue
        if line[start - 1 : start] in ("#", "@"):  # a hashtag or handle, not a notice
            continue
        before = line[:start].rstrip()
        at_start = not before or not (before[-1].isalnum() or before[-1] == ",")
        rest = line[match.end() :].lstrip()
        if kind == "symbol" and match[0].casefold() == "(c)":  # also a list item: "(a), (c) are"
            ok = at_start or _looks_like_name(rest, kind)
        elif kind in ("symbol", "label"):  # "©" and "Photo:" are never prose
            ok = True
        else:
            ok = (at_start or rest[:1].isdigit()) and _looks_like_name(rest, kind)
        if ok:
            accepted.append(start)
            end_of_last = match.end()
    for i, start in enumerate(accepted):
        stop = accepted[i + 1] if i + 1 < len(accepted) else len(line)
        segment = line[start:stop]
        end = _SEGMENT_END.search(segment)
        yield (segment[: end.start()] if end else segment).rstrip()


_NEXT_CREDIT = re.compile(
    r"(?:photo(?:graph)?|image|picture|credits?|copyright|courtesy|all rights reserved)\b",
    re.IGNORECASE,
)


def _ends_credit(rest: str) -> bool:
    """Whether a credit may stop where ``rest`` begins, rather than run on into a longer name.

    "#MuseumWeek", ".", "Photo: Jane Doe" may follow a credit; "of Natural History" may not.
    """
    rest = rest.lstrip(" \t\u00a0\u202f")
    if not rest or rest[0] in "\r\n":
        return True
    if rest[0] in "&+":
        return False
    return not rest[0].isalnum() or _NEXT_CREDIT.match(rest) is not None


def _slice_naming(segment: str, holder: str) -> str | None:
    """Return the longest start of a segment that is a whole credit of the holder, verbatim."""
    best = None
    for word in re.finditer(r"\S+", segment):
        piece = segment[: word.end()]
        for candidate in (piece, piece.rstrip(_TRIM)):
            ends = candidate.endswith((".", ";", "!")) or _ends_credit(segment[len(candidate) :])
            if ends and holder_of(candidate) == holder:
                best = candidate
                break
    return best


def _verbatim(required: str, text: str) -> bool:
    """Whether the required wording appears whole: not inside a longer word or name."""
    for found in re.finditer(re.escape(required), text):
        before = text[found.start() - 1 : found.start()]
        if not before.isalnum() and _ends_credit(text[found.end() :]):
            return True
    return False


def match_credit(required: str, text: str | None) -> CreditMatch:
    """Say whether a credit field or caption carries the required credit line, and how."""
    required = unicodedata.normalize("NFC", required).strip()
    if not required:
        return CreditMatch("missing", "", None, "No credit line is known, so none can be checked.")
    if text is None or not text.strip():
        return CreditMatch("missing", required, None, f'No credit text; required "{required}".')
    text = unicodedata.normalize("NFC", text)
    if _verbatim(required, text):
        reason = f'Credit line present with the required wording "{required}".'
        return CreditMatch("exact", required, required, reason)
    wanted = holder_of(required)
    conflict: str | None = None
    for line in text.splitlines():
        line = line.strip()
        # A line that is nothing but the holder, marked or not, is that credit.
        if wanted and holder_of(line) == wanted:
            return _equivalent(required, line)
        for segment in _credit_segments(line):
            found = _slice_naming(segment, wanted) if wanted else None
            if found:
                return _equivalent(required, found)
            if conflict is None and holder_of(segment):
                stop = _SENTENCE_END.search(segment)
                conflict = (segment[: stop.start()] if stop else segment).rstrip(_TRIM)
    if conflict is not None:
        reason = f'Credit names a different holder: found "{conflict}", required "{required}".'
        return CreditMatch("conflicting", required, conflict, reason)
    return CreditMatch("missing", required, None, f'No credit line found; required "{required}".')


def _equivalent(required: str, found: str) -> CreditMatch:
    differs = "Credit line differs from the required wording"
    reason = f'{differs}: found "{found}", required "{required}".'
    return CreditMatch("equivalent", required, found, reason)
