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

"Exact" is what a reader sees: the required wording standing as its own phrase. Not exact,
and named in the reason: a credit that runs on into more words after any space (thin,
ideographic, zero-width...), a dash, an apostrophe-s or a connector, or with a combining mark
on its last letter ("conflicting": it names someone else); one imitated with look-alike
letters (Cyrillic "Ve" for "B": "conflicting"; fullwidth or mathematical letters, another
form of the same letter: "equivalent"); one disguised by a bidi override ("conflicting") or
wrapped in an embedding or isolate ("equivalent").
"""

from __future__ import annotations

import json
import pathlib
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# `regex` ships no type information; it is here for \p{Cf}, which `re` lacks.
import regex  # type: ignore[import-untyped,unused-ignore]

from service.rules.confusables import (
    describe,
    is_compatibility_form,
    is_lookalike,
    script_of,
    skeleton,
)
from service.rules.text import (
    DIRECTION_CONTROLS,
    DIRECTION_OVERRIDES,
    clean_text,
    direction_control_problem,
)

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


def _text_field(raw: Mapping[str, Any], name: str, *, stored: bool) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name}: must be a non-empty string")
    value = value.strip()  # kept as written (not NFC): matching normalises
    if len(value) > MAX_FIELD_CHARS:
        raise ValueError(f"{name}: must be at most {MAX_FIELD_CHARS} characters")
    if any(unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") for ch in value) or (
        clean_text(value) != value
    ):
        raise ValueError(f"{name}: must be a single line without control characters")
    problem = None if stored else direction_control_problem(value)
    if problem:
        raise ValueError(f"{name}: {problem}")
    return value


def validate_rule(raw: Mapping[str, Any], *, stored: bool = False) -> CreditRule:
    """Build a rule from untrusted input (admin API, seed file); ValueError names the bad field.

    ``stored`` reads a rule saved before direction controls were refused, rather than
    refusing the whole policy; matching still reports such a credit line as not exact.
    """
    # Keys starting with "_" are comments in the seed file; any other unknown key is a typo
    # ("burnin") that would otherwise be dropped silently.
    unknown = sorted(k for k in raw if not k.startswith("_") and k not in _RULE_FIELDS)
    if unknown:
        raise ValueError(f"{unknown[0]}: unknown field (expected one of {', '.join(_RULE_FIELDS)})")
    holder = _text_field(raw, "holder", stored=stored)
    credit_line = _text_field(raw, "credit_line", stored=stored)
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


def changed_holders(before: Sequence[CreditRule], after: Sequence[CreditRule]) -> set[str]:
    """The holders (comparison keys) whose rule a policy change added, removed or altered."""

    def requirements(rules: Sequence[CreditRule]) -> dict[str, tuple[str, bool, str]]:
        return {holder_of(r.holder): (r.credit_line, r.burn_in, r.placement) for r in rules}

    old, new = requirements(before), requirements(after)
    return {holder for holder in old.keys() | new.keys() if old.get(holder) != new.get(holder)}


# ---- normalisation ------------------------------------------------------------------------

# Format characters (zero-width spaces and joiners, direction marks, soft hyphens): invisible,
# so not part of how a credit reads.
_FORMAT = regex.compile(r"\p{Cf}+")
_SYMBOL = r"(?:©|ⓒ|\(c\)|copyright\b|copr\.?(?![\w]))"
_SYMBOLS = re.compile(rf"{_SYMBOL}(?:\s*{_SYMBOL})*")
_YEARS = r"\d{4}(?:\s*[-\u2013\u2014/]\s*\d{2,4})?"  # hyphen, en or em dash, slash
_YEAR_AFTER_SYMBOL = re.compile(rf"© {_YEARS}\b,?\s*")
_TRAILING = re.compile(rf"(?:[.,;]?\s*all rights reserved|,\s*{_YEARS})\W*$")
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
    key = _FORMAT.sub("", unicodedata.normalize("NFC", text)).casefold()
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


def _credit_segments(line: str) -> Iterator[tuple[int, str]]:
    """Yield each credit-like statement in one line, with where it starts, up to where it stops."""
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
        yield start, (segment[: end.start()] if end else segment).rstrip()


_NEXT_CREDIT = re.compile(
    r"(?:photo(?:graph)?|image|picture|credits?|copyright|courtesy|all rights reserved)\b",
    re.IGNORECASE,
)

# ---- what may follow a credit -------------------------------------------------------------

_DASHES = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d")
_APOSTROPHES = frozenset("'`\u00b4\u02bc\u2018\u2019\uff07")
_JOINERS = frozenset("&+\uff06\uff0b")  # "& CSMVS Mumbai" adds a holder
_CONNECTORS = frozenset("./\\_@\u00b7\u2024\uff0e\uff0f")  # "Museum.org", "Museum/CSMVS"
# Letters and symbols that draw as a blank (Braille blank, Hangul fillers).
_BLANKS = frozenset("\u2800\u3164\uffa0\u115f\u1160")
_URL_START = re.compile(r"https?://|www\.", re.IGNORECASE)
_KEYCAP = re.compile(r"[0-9#*]\ufe0f?\u20e3")
_LINES = re.compile(r"[\r\n]+")
_LONGEST_SLICE = 600  # a credit with its symbol, year and label is far shorter
_LONGEST_TRAILER = 64  # what may follow a holder's name in a credit: ", 2024. All rights..."


def _is_gap(char: str) -> bool:
    """Spaces of any width, zero-width and other format characters, blanks: what parts or
    invisibly joins words on screen without being a letter."""
    return char not in "\r\n" and (
        char.isspace() or unicodedata.category(char) == "Cf" or char in _BLANKS
    )


def _is_mark(char: str) -> bool:
    return unicodedata.category(char).startswith("M")


@dataclass(frozen=True)
class _Continuation:
    """What a credit runs on into, from ``text[start]``, joined by ``via`` (a character worth
    naming) or by a plain space; ``on_last_letter`` when ``via`` is a combining mark on it."""

    start: int
    via: str | None
    on_last_letter: bool = False


def _statement_end(text: str, start: int) -> int:
    """Where the words from ``text[start]`` stop: line end, hashtag, link, separator, full stop
    (looking no further than a credit could run)."""
    line = _LINES.split(text[start : start + _LONGEST_SLICE], maxsplit=1)[0]
    end = _SEGMENT_END.search(line, 1)
    line = line[: end.start()] if end else line
    stop = _SENTENCE_END.search(line)
    line = line[: stop.start()] if stop else line
    line = line.rstrip(_TRIM)
    while line and _is_gap(line[-1]):
        line = line[:-1]
    return start + max(len(line), 1)


def _run_on(text: str, end: int) -> _Continuation | None:
    """How a credit ending at ``text[end]`` runs on into more words, or None if it stands alone.

    A credit stands alone before the end, a line break, punctuation, a hashtag or mention, a
    link, an emoji, a "|" or another credit ("Photo: ..."), after spaces of any width. It runs
    on into a word after any space (thin, ideographic, zero-width...), a dash or hyphen, an
    apostrophe ("Museum's"), "&", a connector ("Museum.org"), and with a combining mark on
    its last letter.
    """
    i = end
    while i < len(text) and _is_gap(text[i]):
        i += 1
    if i == len(text) or text[i] in "\r\n":
        return None
    unusual = next((char for char in text[end:i] if char not in " \t"), None)
    char, after = text[i], text[i + 1 : i + 2]

    def into(via: str | None) -> _Continuation:
        return _Continuation(i, via, _is_mark(char) and i == end)

    if _is_mark(char):
        return into(char)
    if char in _DASHES:
        j = i
        while j < len(text) and text[j] in _DASHES:
            j += 1
        return into(char) if _run_on(text, j) is not None else None
    if char in _APOSTROPHES:
        return into(char) if after.isalpha() else None
    if char in _JOINERS:
        return into(unusual)
    if char in _CONNECTORS:
        return into(char) if after.isalnum() else None
    if not char.isalnum():
        return None
    if _NEXT_CREDIT.match(text, i) or _URL_START.match(text, i) or _KEYCAP.match(text, i):
        return None
    return into(unusual)


def _starts_alone(text: str, start: int) -> bool:
    """Whether a credit starting at ``text[start]`` is not the end of a longer word."""
    while start > 0 and unicodedata.category(text[start - 1]) == "Cf":
        start -= 1
    return start == 0 or not (text[start - 1].isalnum() or _is_mark(text[start - 1]))


@dataclass(frozen=True)
class _RanOn:
    """A credit of the holder in ``text[start:end]`` that runs on as ``how`` says."""

    text: str
    start: int
    end: int
    how: _Continuation

    @property
    def found(self) -> str:
        return self.text[self.start : _statement_end(self.text, self.how.start)]

    @property
    def into(self) -> str:
        into = self.text[self.how.start : _statement_end(self.text, self.how.start)]
        return str(_FORMAT.sub("", into))

    @property
    def last(self) -> str:  # the credit's last character
        return self.text[self.end - 1 : self.end]


def _verbatim(required: str, text: str) -> tuple[bool, _RanOn | None]:
    """Whether the required wording stands whole in the text; if not, where it runs on."""
    ran: _RanOn | None = None
    for found in re.finditer(re.escape(required), text):
        if not _starts_alone(text, found.start()):
            continue
        how = _run_on(text, found.end())
        if how is None:
            return True, None
        ran = ran or _RanOn(text, found.start(), found.end(), how)
    return False, ran


def _word_ends(segment: str) -> Iterator[int]:
    """Where a word of the segment may end: before a space, punctuation or the end."""
    for k in range(1, len(segment) + 1):
        at_end = k == len(segment) or not (segment[k].isalnum() or _is_mark(segment[k]))
        if at_end and not _is_gap(segment[k - 1]):
            yield k


def _slice_naming(
    line: str, start: int, segment: str, holder: str
) -> tuple[str | None, _RanOn | None]:
    """The longest start of a segment that is a whole credit of the holder, verbatim; or how
    a credit of the holder there runs on into more words."""
    best, ran = None, None
    # A cheap sieve before holder_of: a credit of the holder ends with the holder's last
    # word, give or take a trailer such as ", 1998-2024. All rights reserved."
    last_word, key, done = holder.rsplit(" ", 1)[-1], "", 0
    for k in _word_ends(segment):
        piece = segment[:k]
        if k > _LONGEST_SLICE and len(" ".join(piece.split())) > _LONGEST_SLICE:
            break
        key += _FORMAT.sub("", segment[done:k]).casefold()
        done = k
        if key.find(last_word, max(0, len(key) - len(last_word) - _LONGEST_TRAILER)) < 0:
            continue
        for candidate in dict.fromkeys((piece, piece.rstrip(_TRIM))):
            if not candidate or holder_of(candidate) != holder:
                continue
            end = start + len(candidate)
            how = None if candidate.endswith((".", ";", "!")) else _run_on(line, end)
            if how is None:
                best = candidate
                break
            ran = ran or _RanOn(line, start, end, how)
    return best, (None if best else ran)


def _match_written(required: str, text: str) -> CreditMatch:
    """The match of the text as written (NFC, no direction controls) against the wording."""
    exact, ran = _verbatim(required, text)
    if exact:
        reason = f'Credit line present with the required wording "{required}".'
        return CreditMatch("exact", required, required, reason)
    wanted = holder_of(required)
    conflict: str | None = None
    for line in _LINES.split(text):
        line = line.strip()
        # A line that is nothing but the holder, marked or not, is that credit.
        if wanted and holder_of(line) == wanted:
            return _equivalent(required, line)
        for start, segment in _credit_segments(line):
            found, ran_here = (
                _slice_naming(line, start, segment, wanted) if wanted else (None, None)
            )
            if found:
                return _equivalent(required, found)
            ran = ran or ran_here
            if conflict is None and holder_of(segment):
                stop = _SENTENCE_END.search(segment)
                conflict = (segment[: stop.start()] if stop else segment).rstrip(_TRIM)
    if ran is not None:
        return _running_on(required, ran)
    if conflict is not None:
        reason = f'Credit names a different holder: found "{conflict}", required "{required}".'
        return CreditMatch("conflicting", required, conflict, reason)
    return CreditMatch("missing", required, None, f'No credit line found; required "{required}".')


def _running_on(required: str, ran: _RanOn) -> CreditMatch:
    how = ran.how
    if how.on_last_letter and how.via:
        what = f'has {describe(how.via)} on its last letter "{ran.last}"'
    else:
        after = f" after {describe(how.via)}" if how.via else ""
        what = f'runs on into "{ran.into}"{after}, so it names someone else'
    reason = f'Credit line {what}: found "{ran.found}", required "{required}".'
    return CreditMatch("conflicting", required, ran.found, reason)


def _equivalent(required: str, found: str) -> CreditMatch:
    differs = "Credit line differs from the required wording"
    reason = f'{differs}: found "{found}", required "{required}".'
    notes = _differences(found, required)
    if notes:
        reason += f" It {_listed(notes)}."
    return CreditMatch("equivalent", required, found, reason)


# ---- look-alikes, added marks and direction controls ----------------------------------------


def _differences(found: str, required: str) -> list[str]:
    """What in ``found`` a reader cannot see or would take for the required letters."""
    notes: list[str] = []
    decomposed = unicodedata.normalize("NFD", required)
    for char in dict.fromkeys(found):
        if char in required:
            continue
        if is_lookalike(char):
            plain = skeleton(char)
            notes.append(
                f'uses {script_of(char)} "{char}" (U+{ord(char):04X}) where the required wording'
                f' has {script_of(plain)} "{plain}"'
            )
        elif _is_gap(char) and char not in " \t":
            notes.append(f"has {describe(char)}")
    base = ""
    for char in unicodedata.normalize("NFD", found):
        if _is_mark(char) and char not in decomposed:
            notes.append(f'puts {describe(char)} on "{base}"')
        elif not _is_mark(char):
            base = char
    return list(dict.fromkeys(notes))


def _listed(notes: list[str]) -> str:
    shown = notes[:3] + ([f"{len(notes) - 3} more"] if len(notes) > 3 else [])
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _plain_letters(text: str, required: str) -> tuple[str, list[int]] | None:
    """The text with look-alike letters replaced and combining marks the required wording
    does not have removed, and for each of its characters the index it came from; None
    when there is nothing to replace."""
    allowed = {char for char in unicodedata.normalize("NFD", required) if _is_mark(char)}

    def plain(char: str) -> str:
        kept = "".join(
            part
            for part in unicodedata.normalize("NFD", char)
            if not _is_mark(part) or part in allowed
        )
        return skeleton(unicodedata.normalize("NFC", kept))

    pieces = {char: plain(char) for char in set(text)}
    if all(piece == char for char, piece in pieces.items()):
        return None
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        piece = pieces[char]
        out.append(piece)
        origin.extend([index] * len(piece))
    return "".join(out), origin


def _disguised(required: str, text: str) -> CreditMatch | None:
    """The required credit made to look right with look-alike letters or added marks."""
    replaced = _plain_letters(text, required)
    if replaced is None:
        return None
    plain, origin = replaced
    seen = _match_written(skeleton(required), plain)
    if seen.outcome not in ("exact", "equivalent") or not seen.found:
        return None
    at = plain.find(seen.found)
    if at < 0:
        return None
    found = text[origin[at] : origin[at + len(seen.found) - 1] + 1]
    notes = _differences(found, required)
    if not notes:
        return None
    forms = [char for char in found if char not in required and is_lookalike(char)]
    marks = any(note.startswith("puts ") for note in notes)
    if forms and all(is_compatibility_form(char) for char in forms) and not marks:
        return _equivalent(required, found)
    reason = (
        f"Credit line looks like the required wording but {_listed(notes)}:"
        f' found "{found}", required "{required}".'
    )
    return CreditMatch("conflicting", required, found, reason)


def _as_displayed(text: str) -> str:
    """Roughly what a reader sees: each right-to-left override's run reversed."""
    shown: list[str] = []
    for line in re.split(r"(\r\n|[\r\n])", text):
        out: list[str] = []
        run: list[str] = []
        reversing = False
        for char in line:
            if char == "\u202e":
                reversing = True
            elif char in ("\u202c", "\u202d") and reversing:
                out.extend(reversed(run))
                run, reversing = [], char == "\u202e"
            elif char in DIRECTION_CONTROLS:
                continue
            elif reversing:
                run.append(char)
            else:
                out.append(char)
        out.extend(reversed(run))
        shown.append("".join(out))
    return "".join(shown)


def _match_spelling(required: str, text: str) -> CreditMatch:
    result = _match_written(required, text)
    if result.outcome in ("exact", "equivalent"):
        return result
    return _disguised(required, text) or result


def match_credit(required: str, text: str | None) -> CreditMatch:
    """Say whether a credit field or caption carries the required credit line, and how.

    "Exact" means the required wording stands as its own phrase, as readers will see it:
    not run on into more words (after any kind of space, a dash, an apostrophe or a mark),
    not imitated with look-alike letters, not behind direction controls.
    """
    required = unicodedata.normalize("NFC", required).strip()
    required = "".join(char for char in required if char not in DIRECTION_CONTROLS)
    if not required:
        return CreditMatch("missing", "", None, "No credit line is known, so none can be checked.")
    if text is None or not text.strip():
        return CreditMatch("missing", required, None, f'No credit text; required "{required}".')
    text = unicodedata.normalize("NFC", text)
    controls = [char for char in text if char in DIRECTION_CONTROLS]
    written = "".join(char for char in text if char not in DIRECTION_CONTROLS)
    result = _match_spelling(required, written)
    if not controls:
        return result
    first = next((char for char in controls if char in DIRECTION_OVERRIDES), controls[0])
    control = describe(first)
    readable = ("exact", "equivalent")
    if first in DIRECTION_OVERRIDES:
        if result.outcome in readable:
            reason = (
                f"Credit line is disguised by {control}, which shows letters in another order"
                f' than they are written: found "{result.found}", required "{required}".'
                " Remove it."
            )
            return CreditMatch("conflicting", required, result.found, reason)
        shown = _match_spelling(required, _as_displayed(text))
        if shown.outcome in readable:
            reason = (
                f'Credit line shows as "{shown.found}" only because of {control}: the text'
                f' itself does not carry it; required "{required}". Remove the override.'
            )
            return CreditMatch("conflicting", required, shown.found, reason)
    elif result.outcome in readable:
        reason = (
            f"Credit line has the required holder but the text contains {control}, which can"
            f' disguise text: found "{result.found}", required "{required}". Remove it.'
        )
        return CreditMatch("equivalent", required, result.found, reason)
    reason = f"{result.reason} The text also contains {control}, which can disguise text."
    return CreditMatch(result.outcome, result.required, result.found, reason)
