"""README as a new user meets it: every ``vitrine`` command listed, the first user made (with
the password rule) before signing in."""

from __future__ import annotations

import re
from pathlib import Path

import click
from flask import Flask

from service.cli import register_commands
from service.services import accounts as auth

README = Path(__file__).resolve().parents[2] / "README.md"


def _commands(group: click.Group, prefix: str) -> list[str]:
    names = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            names += _commands(command, f"{prefix} {name}")
        else:
            names.append(f"{prefix} {name}")
    return names


def test_the_readme_lists_every_command_on_a_line_of_its_own() -> None:
    section = README.read_text().split("## Command line\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    listed = [line.split("#")[0].strip() for line in block.splitlines()]
    probe = Flask("probe")
    register_commands(probe)
    flasks = ["vitrine run", "vitrine routes", "vitrine shell"]  # Flask's own
    missing = [
        name
        for name in [*_commands(probe.cli, "vitrine"), *flasks]
        if not any(re.match(rf"{re.escape(name)}( |$)", line) for line in listed)
    ]
    assert missing == [], f"commands the README does not list: {missing}"
    doubled = [line for line in listed if line.count("vitrine ") > 1]
    assert doubled == [], f"lines with more than one command: {doubled}"


def test_the_readme_states_the_password_rule_where_the_first_user_is_made() -> None:
    steps = README.read_text().split("## First steps\n", 1)[1].split("\n## ", 1)[0]
    text = " ".join(steps.split())
    assert "users create" in text
    assert f"at least {auth.MIN_PASSWORD_LENGTH} characters" in text
    assert "--password-stdin" in text
    assert text.index("users create") < text.index("Sign in")
