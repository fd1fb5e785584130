"""Text as users type it, kept as written and made safe to store.

Text is stored as written, not NFC-normalised: NFC leaves joiners and variation selectors
alone, but it rewrites some realistic spellings (Devanagari "क़" U+0958 becomes "क" + nukta,
CJK compatibility ideographs become unified ones, Greek oxia becomes tonos), so a title
would not come back byte for byte. Comparisons (credit lines, lengths) normalise instead.

Kept: zero-width joiners and non-joiners (emoji sequences, Persian, Indic conjuncts),
variation selectors, emoji tag sequences (the Scotland flag), direction marks (LRM, RLM,
ALM), private-use and not-yet-known characters (emoji newer than this Python's Unicode).
Removed: what is never legitimate in a field, that is C0 and C1 controls (newline and tab
stay in multi-line fields), lone surrogates and noncharacters. Refused: bidi embeddings,
overrides and isolates, which can make text display as something other than it says.
"""

from __future__ import annotations

import re
import unicodedata

# Embeddings, overrides (U+202A-U+202E) and isolates (U+2066-U+2069). The marks LRM, RLM
# and ALM are not here: they change no order of letters and are needed in mixed text.
DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Characters that reorder letters, so that a text may read as something else entirely.
DIRECTION_OVERRIDES = frozenset("\u202d\u202e")

# C0 and C1 controls except tab and newline; carriage returns are handled before.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Lone surrogates cannot be stored as UTF-8; noncharacters are for a program's own use.
_UNSTORABLE = re.compile(
    "[\ud800-\udfff\ufdd0-\ufdef"
    + "".join(
        f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
    )
    + "]"
)
# What ends a line: on a single-line field, any run of these (with tabs) becomes one space.
_LINE_BREAKS = re.compile(r"[\t\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")


def clean_text(value: str, *, multiline: bool = True) -> str:
    """The text as written, without characters that are never legitimate in a field.

    Line ends become "\\n"; a single-line field has its line breaks and tabs folded into
    one space. Direction controls are kept here: callers refuse them (``clean_field``) or
    say that they removed them.
    """
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        value = _LINE_BREAKS.sub(" ", value)
    return _UNSTORABLE.sub("", _CONTROLS.sub("", value))


def character_name(char: str) -> str:
    """ "U+202E RIGHT-TO-LEFT OVERRIDE": how a message names a character."""
    return f"U+{ord(char):04X} {unicodedata.name(char, 'UNNAMED CHARACTER')}"


def direction_control_problem(value: str) -> str | None:
    """Why a text with a bidi embedding, override or isolate is refused, or None."""
    found = next((char for char in value if char in DIRECTION_CONTROLS), None)
    if found is None:
        return None
    return f"contains {character_name(found)}, which can disguise text; remove it"


def clean_field(value: str, *, multiline: bool) -> str:
    """A user's text cleaned for storing; ValueError (the message for the field) refuses it."""
    problem = direction_control_problem(value)
    if problem:
        raise ValueError(problem)
    return clean_text(value, multiline=multiline).strip()


def without_direction_controls(value: str) -> tuple[str, list[str]]:
    """Text that is not the user's own (embedded metadata) without direction controls,
    and the names of those removed, so that the caller can say so."""
    removed = list(dict.fromkeys(character_name(c) for c in value if c in DIRECTION_CONTROLS))
    return "".join(c for c in value if c not in DIRECTION_CONTROLS), removed
