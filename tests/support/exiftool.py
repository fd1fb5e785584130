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
