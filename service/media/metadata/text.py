"""Embedded text as it may be stored and shown (cleaned, clipped), and how readers warn."""

from __future__ import annotations

import re
from collections.abc import Callable

MAX_RAW_CHARS = 2000  # longer raw values are cut, so one odd tag cannot bloat a record
# What a reader calls with each problem it finds: problems are collected, never raised.
Warn = Callable[[str], None]


# Control characters but tab and newline (PostgreSQL cannot store NUL in JSON), lone
# surrogates, the byte-order mark, and the bidi embeddings, overrides and isolates that can
# make text display as something else. Joiners (ZWJ, ZWNJ) stay: scripts and emoji need them.
_UNSHOWABLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\u202a-\u202e\u2066-\u2069]"
)


def joined(values: dict[str, list[str]]) -> dict[str, str]:
    """A block's values as its raw tags are kept: each key's values joined by "; ", cut."""
    return {key: _clip("; ".join(v for v in texts if v)) for key, texts in values.items()}


def _clip(text: str, limit: int = MAX_RAW_CHARS) -> str:
    """Embedded text as it may be stored and shown: without the characters above, at most
    ``limit`` long."""
    text = _UNSHOWABLE.sub("", text[: 4 * limit])
    return text if len(text) <= limit else text[: limit - 1] + "…"
