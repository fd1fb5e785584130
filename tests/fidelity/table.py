"""The one table of strings (counting_table.json), read by the Python counting tests, the
saved-caption tests, the round-trip tests and the browser counter test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TABLE_PATH = Path(__file__).with_name("counting_table.json")


def counting_rows() -> list[dict[str, Any]]:
    """The rows of counting_table.json: id, text, note and counts per platform."""
    rows: list[dict[str, Any]] = json.loads(TABLE_PATH.read_text(encoding="utf-8"))["rows"]
    return rows
