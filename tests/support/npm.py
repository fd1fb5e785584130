"""Files the tests take from node_modules (npm ci, pinned by package-lock.json)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"


def require_node_file(path: Path, tests: str) -> Path:
    """``path``, or skip (fail when ``CI`` is set: ``tests`` must run there) when npm has not
    installed it."""
    if not path.exists():
        message = f"{path} is missing: run `bash scripts/browser.sh` (npm ci)"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI is set: {tests} must run)")
        pytest.skip(message)
    return path
