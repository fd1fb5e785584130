"""Characters that look like others: how to see through them and how to name them.

A "skeleton" maps each character to the Latin letter it is drawn like (Cyrillic "Ve" to
"B", fullwidth "T" to "T", mathematical bold "B" to "B"), one character for one, so that
positions in a text and in its skeleton agree. It follows the idea of Unicode's
confusables data (UTS #39) for the letters that pass for Latin in a credit line; it is not
the whole table.
"""

from __future__ import annotations

import unicodedata

# Cyrillic, Greek, Armenian and Latin letters drawn like a plain Latin letter in common fonts,
# by Unicode name (the letters themselves would be indistinguishable here).
_LOOKALIKE_NAMES = {
    "A": ("CYRILLIC CAPITAL LETTER A", "GREEK CAPITAL LETTER ALPHA"),
    "a": ("CYRILLIC SMALL LETTER A", "GREEK SMALL LETTER ALPHA"),
    "B": ("CYRILLIC CAPITAL LETTER VE", "GREEK CAPITAL LETTER BETA"),
    "C": ("CYRILLIC CAPITAL LETTER ES", "GREEK CAPITAL LUNATE SIGMA SYMBOL"),
    "c": ("CYRILLIC SMALL LETTER ES", "GREEK LUNATE SIGMA SYMBOL"),
    "D": ("CYRILLIC CAPITAL LETTER KOMI DE",),
    "d": ("CYRILLIC SMALL LETTER KOMI DE",),
    "E": ("CYRILLIC CAPITAL LETTER IE", "GREEK CAPITAL LETTER EPSILON"),
    "e": ("CYRILLIC SMALL LETTER IE",),
    "g": ("LATIN SMALL LETTER SCRIPT G", "ARMENIAN SMALL LETTER CO"),
    "H": ("CYRILLIC CAPITAL LETTER EN", "GREEK CAPITAL LETTER ETA"),
    "h": ("CYRILLIC SMALL LETTER SHHA", "ARMENIAN SMALL LETTER HO"),
    "I": (
        "CYRILLIC CAPITAL LETTER BYELORUSSIAN-UKRAINIAN I",
        "CYRILLIC LETTER PALOCHKA",
        "GREEK CAPITAL LETTER IOTA",
    ),
    "i": (
        "CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I",
        "LATIN SMALL LETTER DOTLESS I",
        "GREEK SMALL LETTER IOTA",
    ),
    "J": ("CYRILLIC CAPITAL LETTER JE", "GREEK CAPITAL LETTER YOT"),
    "j": ("CYRILLIC SMALL LETTER JE", "GREEK LETTER YOT"),
    "K": ("CYRILLIC CAPITAL LETTER KA", "GREEK CAPITAL LETTER KAPPA"),
    "k": ("GREEK SMALL LETTER KAPPA",),
    "l": ("CYRILLIC SMALL LETTER PALOCHKA",),
    "M": ("CYRILLIC CAPITAL LETTER EM", "GREEK CAPITAL LETTER MU"),
    "N": ("GREEK CAPITAL LETTER NU",),
    "n": ("ARMENIAN SMALL LETTER VO",),
    "O": ("CYRILLIC CAPITAL LETTER O", "GREEK CAPITAL LETTER OMICRON"),
    "o": ("CYRILLIC SMALL LETTER O", "GREEK SMALL LETTER OMICRON", "ARMENIAN SMALL LETTER OH"),
    "P": ("CYRILLIC CAPITAL LETTER ER", "GREEK CAPITAL LETTER RHO"),
    "p": ("CYRILLIC SMALL LETTER ER", "GREEK SMALL LETTER RHO"),
    "Q": ("CYRILLIC CAPITAL LETTER QA",),
    "q": ("CYRILLIC SMALL LETTER QA", "ARMENIAN SMALL LETTER ZA"),
    "S": ("CYRILLIC CAPITAL LETTER DZE",),
    "s": ("CYRILLIC SMALL LETTER DZE",),
    "T": ("CYRILLIC CAPITAL LETTER TE", "GREEK CAPITAL LETTER TAU"),
    "u": ("GREEK SMALL LETTER UPSILON", "ARMENIAN SMALL LETTER SEH"),
    "v": ("GREEK SMALL LETTER NU",),
    "W": ("CYRILLIC CAPITAL LETTER WE",),
    "w": ("CYRILLIC SMALL LETTER WE",),
    "X": ("CYRILLIC CAPITAL LETTER HA", "GREEK CAPITAL LETTER CHI"),
    "x": ("CYRILLIC SMALL LETTER HA",),
    "Y": (
        "CYRILLIC CAPITAL LETTER U",
        "CYRILLIC CAPITAL LETTER STRAIGHT U",
        "GREEK CAPITAL LETTER UPSILON",
    ),
    "y": ("CYRILLIC SMALL LETTER U", "CYRILLIC SMALL LETTER STRAIGHT U"),
    "Z": ("GREEK CAPITAL LETTER ZETA",),
}
_LOOKALIKES = {
    unicodedata.lookup(name): plain for plain, names in _LOOKALIKE_NAMES.items() for name in names
}


def _skeleton_char(char: str) -> str:
    # Compatibility forms of letters and digits (fullwidth, mathematical, superscript) fold
    # to their plain letter; symbols do not ("Ⓒ" must stay a copyright sign, not a "C").
    if unicodedata.category(char)[0] in "LN":
        folded = unicodedata.normalize("NFKC", char)
        if len(folded) == 1:
            char = folded
    return _LOOKALIKES.get(char, char)


def skeleton(text: str) -> str:
    """The text with each look-alike letter replaced by the letter it passes for; same length."""
    return "".join(_skeleton_char(char) for char in text)


def is_lookalike(char: str) -> bool:
    """Whether a character is drawn like another, plainer one."""
    return _skeleton_char(char) != char


def is_compatibility_form(char: str) -> bool:
    """Whether a look-alike is only another form of the same letter (fullwidth "T" for "T")."""
    return unicodedata.normalize("NFKC", char) == _skeleton_char(char) != char


# First words of character names that say a form, not a script.
_FORMS = frozenset({"CIRCLED", "FULLWIDTH", "HALFWIDTH", "MATHEMATICAL", "PARENTHESIZED",
                    "SUBSCRIPT", "SUPERSCRIPT"})  # fmt: skip


def script_of(char: str) -> str:
    """The first word of a character's name, as a reader would say it: "Cyrillic", "fullwidth"."""
    first = unicodedata.name(char, "unnamed").split(" ", 1)[0]
    return first.lower() if first in _FORMS or first == "unnamed" else first.capitalize()


def describe(char: str) -> str:
    """ "a thin space (U+2009)", "an en dash (U+2013)": a character named for a sentence."""
    name = unicodedata.name(char, "").lower() or "character"
    article = "an" if name[0] in "aeiou" else "a"
    return f"{article} {name} (U+{ord(char):04X})"
