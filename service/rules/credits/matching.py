"""Matching a credit field or caption against the required credit line (:func:`match_credit`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from service.rules.confusables import describe, is_compatibility_form, is_lookalike, skeleton
from service.rules.credits.normalise import _FORMAT, holder_of
from service.rules.credits.segments import (
    _LINES,
    _LONGEST_SLICE,
    _LONGEST_TRAILER,
    _SENTENCE_END,
    _TRIM,
    _Continuation,
    _credit_segments,
    _is_gap,
    _is_mark,
    _run_on,
    _starts_alone,
    _statement_end,
)
from service.rules.credits.spoofing import _as_displayed, _differences, _listed, _plain_letters
from service.rules.text import DIRECTION_CONTROLS, DIRECTION_OVERRIDES


@dataclass(frozen=True)
class CreditMatch:
    """How a text carries a required credit line, with the wording found and a reason."""

    outcome: str  # "exact" | "equivalent" | "missing" | "conflicting"
    required: str
    found: str | None
    reason: str


@dataclass(frozen=True)
class _RanOn:
    """A credit of the holder in ``text[start:end]`` that runs on as ``how`` says."""

    text: str
    start: int
    end: int
    how: _Continuation

    @property
    def found(self) -> str:
        """The credit as found, up to the end of the statement it runs on into."""
        return self.text[self.start : _statement_end(self.text, self.how.start)]

    @property
    def into(self) -> str:
        """The words the credit runs on into, to the statement's end, format characters removed."""
        into = self.text[self.how.start : _statement_end(self.text, self.how.start)]
        return str(_FORMAT.sub("", into))

    @property
    def last(self) -> str:
        """The credit's last character."""
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
