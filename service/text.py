"""Text as users type it, made safe to store and compare."""

from __future__ import annotations

import unicodedata


def clean_text(value: str) -> str:
    """NFC-normalised text without control characters (newlines and tabs are kept)."""
    value = unicodedata.normalize("NFC", value)
    return "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
