"""Asset ids as people type them: whole numbers, alone or in a list separated by commas."""

from __future__ import annotations


def is_id(text: str) -> bool:
    """Whether ``text`` is an id as typed: ASCII digits only.

    ``int`` alone would also take a sign, spaces, underscores and other scripts' digits.
    """
    return text.isascii() and text.isdigit()


def parse_id_list(text: str) -> list[int] | None:
    """The ids of a list such as "1, 2,3", in order; None when it names none or any part
    is not an id (empty parts, as in "1,,2" or a trailing comma, are skipped)."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts or not all(is_id(part) for part in parts):
        return None
    return [int(part) for part in parts]
