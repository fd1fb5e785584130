"""The ``vitrine`` console script (service.main) and how the CLI reads what it is given."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask

from service.cli import register_commands
from service.main import cli

GOOD_KEY = "k" * 48


@pytest.fixture
def bare_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No VITRINE_ or FLASK_ settings from the test run, in an empty folder."""
    for name in list(os.environ):
        if name.startswith(("VITRINE_", "FLASK_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_console_script_lists_every_command_the_app_registers(
    bare_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VITRINE_SECRET_KEY", GOOD_KEY)
    monkeypatch.setenv("VITRINE_DATABASE_URL", f"sqlite:///{bare_env / 'v.db'}")
    listed = CliRunner().invoke(cli, ["--help"])
    assert listed.exit_code == 0, listed.output
    probe = Flask("probe")
    register_commands(probe)
    for name in probe.cli.commands:
        assert f"  {name} " in listed.output, name


def test_the_console_script_says_why_the_app_cannot_start_without_a_traceback(
    bare_env: Path,
) -> None:
    refused = CliRunner().invoke(cli, ["tokens", "list"])
    assert refused.exit_code == 1
    assert "VITRINE_SECRET_KEY is not set" in refused.output
    assert "Traceback" not in refused.output


@pytest.mark.parametrize("ids", ["1,x", "+1", "1_0", " ", "١"])
def test_vitrine_audit_refuses_ids_that_are_not_whole_numbers(runner: Any, ids: str) -> None:
    done = runner.invoke(args=["audit", "--ids", ids])
    assert done.exit_code == 2
    assert "ids are whole numbers separated by commas" in done.output


def test_vitrine_audit_reads_an_id_list_as_the_audit_page_does(runner: Any) -> None:
    """Spaces and empty parts are let pass; the ids must still exist."""
    done = runner.invoke(args=["audit", "--ids", " 404 ,, 405,"])
    assert done.exit_code == 1
    assert "no such asset: 404, 405" in done.output
