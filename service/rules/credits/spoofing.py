"""What a reader cannot see or would take for other letters: look-alikes, added marks and
direction overrides, described for the audit and undone for matching.
"""

from __future__ import annotations

import re
import unicodedata

from service.rules.confusables import describe, is_lookalike, script_of, skeleton
from service.rules.credits.segments import _is_gap, _is_mark
from service.rules.text import DIRECTION_CONTROLS


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
