"""Opaque page cursors: the key of the last row of a page, named for what it pages through.

A cursor is URL-safe base64 of a JSON array ``[kind, *values]``; it is opaque to clients
(they pass it back as given) and checked on the way in, never trusted.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Any


def encode(kind: str, values: Sequence[Any]) -> str:
    """The cursor of the page after the row with these key values (JSON-able)."""
    document = json.dumps([kind, *values], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(document.encode()).decode().rstrip("=")


def decode(cursor: str, kind: str) -> list[Any]:
    """The key values of a cursor made by ``encode`` for ``kind``; ValueError if it is not
    one (the caller still checks the values' types)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        document = json.loads(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ValueError("not a cursor") from None
    if not isinstance(document, list) or not document:
        raise ValueError("not a cursor")
    made_for, *values = document
    if made_for != kind:
        raise ValueError("a cursor for another order")
    return values


def is_id(value: Any) -> bool:
    """Whether a decoded value can be a row id."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63
