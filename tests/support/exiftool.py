"""ExifTool, the independent reader the tests check written metadata with."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest


def exiftool(*paths: Path) -> list[dict[str, Any]]:
    """Every tag ExifTool finds, keyed "Group:Tag" (family 1 groups), as it prints them."""
    if shutil.which("exiftool") is None:
        pytest.fail("exiftool is missing: run `bash scripts/tools.sh` (make test does)")
    done = subprocess.run(
        ["exiftool", "-json", "-G1", "-a", "-u", "-charset", "utf8", *map(str, paths)],
        capture_output=True,
        check=True,
        text=True,
        encoding="utf-8",
    )
    found: list[dict[str, Any]] = json.loads(done.stdout)
    return found


# MWG tags whose value is a list; ExifTool prints a one-value list as a plain string.
MWG_LISTS = ("Creator", "Keywords")


def mwg_view(path: Path) -> dict[str, Any]:
    """What ExifTool reads as the Metadata Working Group reconciles it (``-use MWG``): the
    MWG tags keyed by name ("Creator", "Copyright", "DateTimeOriginal", ...), as it prints
    them (numbers too, as text); Creator and Keywords always lists."""
    if shutil.which("exiftool") is None:
        pytest.fail("exiftool is missing: run `bash scripts/tools.sh` (make test does)")
    done = subprocess.run(
        ["exiftool", "-j", "-charset", "utf8", "-use", "MWG", "-MWG:all", str(path)],
        capture_output=True,
        check=True,
        text=True,
        encoding="utf-8",
    )
    # -j prints a number-like value ("1984", "1.50") bare: keep it as the text it was.
    found: list[dict[str, Any]] = json.loads(done.stdout, parse_int=str, parse_float=str)
    view = found[0]
    for tag in MWG_LISTS:
        if tag in view and not isinstance(view[tag], list):
            view[tag] = [view[tag]]
    return view
