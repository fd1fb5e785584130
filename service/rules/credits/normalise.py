"""Comparison keys: the spellings of one credit line, and of one holder, reduced to one key."""

from __future__ import annotations

import re
import unicodedata

# `regex` ships no type information; it is here for \p{Cf}, which `re` lacks.
import regex  # type: ignore[import-untyped,unused-ignore]

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
