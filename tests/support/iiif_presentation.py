"""IIIF Presentation documents checked by iiif-prezi3 and the IIIF presentation validator,
which live in a venv of their own (scripts/iiif-presentation-validator.sh): each check runs
tests/support/iiif_presentation_check.py there, as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
CHECKER = Path(__file__).resolve().parent / "iiif_presentation_check.py"
DEFAULT_PYTHON = REPO / "var" / "iiif-presentation" / "bin" / "python"
# Not on PyPI (2026-12): the script installs it from a checkout when one is provided.
NO_VALIDATOR = (
    "the IIIF presentation validator is not installed: it is on no registry here; put a "
    "checkout of IIIF/presentation-validator in ../shared/iiif/presentation-validator (or "
    "name one with PRESENTATION_VALIDATOR_SRC) and run scripts/iiif-presentation-validator.sh"
)


def checker_python() -> str:
    """The venv's python (VITRINE_TEST_IIIF_PRESENTATION_PYTHON, else var/iiif-presentation/):
    without it the test is skipped, or failed when ``CI`` is set."""
    configured = os.environ.get("VITRINE_TEST_IIIF_PRESENTATION_PYTHON")
    python = Path(configured) if configured else DEFAULT_PYTHON
    if not python.exists():
        message = (
            f"iiif-prezi3 is not installed at {python}: run "
            "`bash scripts/iiif-presentation-validator.sh` (make test does)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return str(python)


def checked(documents: Sequence[tuple[dict[str, Any], str | None]]) -> dict[str, Any]:
    """What iiif-prezi3 and the validator say of each (document, the URL it is served at):
    ``{"validator": installed?, "results": [{"id", "prezi3", "validator"}, ...]}``."""
    items = [{"document": document, "url": url} for document, url in documents]
    run = subprocess.run(
        [checker_python(), str(CHECKER)],
        input=json.dumps(items),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    result: dict[str, Any] = json.loads(run.stdout)
    return result


def assert_read_as_written(documents: Sequence[tuple[dict[str, Any], str | None]]) -> None:
    """iiif-prezi3's models read each document, and write it out again unchanged."""
    for (document, _), verdict in zip(documents, checked(documents)["results"], strict=True):
        assert verdict["prezi3"]["ok"], (document["id"], verdict["prezi3"])


def assert_valid(documents: Sequence[tuple[dict[str, Any], str | None]]) -> None:
    """The IIIF presentation validator passes each document (skipped without it)."""
    result = checked(documents)
    if not result["validator"]:
        pytest.skip(NO_VALIDATOR)
    for (document, _), verdict in zip(documents, result["results"], strict=True):
        report = verdict["validator"]
        errors = json.dumps(report.get("errorList"), indent=1, ensure_ascii=False)
        assert report["okay"] == 1, f"{document['id']}: {report.get('error')}\n{errors}"
