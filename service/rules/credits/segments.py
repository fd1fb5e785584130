"""Finding credits in a caption: where each starts and ends, and what it runs on into."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

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
