"""``vitrine users create`` as a new user meets it: asked for the password at a real terminal
(a pseudo-terminal), told to use --password-stdin without one, and the person created can
sign in with the password given.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from service.services import accounts as auth
from tests.support.web import browser_like, sign_in

ROOT = Path(__file__).resolve().parents[2]
VITRINE = [sys.executable, "-c", "from service.main import main; main()"]

pytestmark = [
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
    pytest.mark.parametrize("blob_settings", ["local"], indirect=True),
]


def _environment(app_settings: dict[str, Any]) -> dict[str, str]:
    """The command's environment: the test's database and store, nothing of the test run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VITRINE_", "FLASK_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        VITRINE_DATABASE_URL=app_settings["DATABASE_URL"],
        VITRINE_SECRET_KEY=app_settings["SECRET_KEY"],
        VITRINE_BLOB_DIR=app_settings["BLOB_DIR"],
    )
    return env


class Terminal:
    """A command run on a pseudo-terminal of its own, read and typed into like a person."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.master, slave = os.openpty()
        # A new session with no controlling terminal: getpass then reads the pty on stdin,
        # never the terminal the tests were started from.
        self.process = subprocess.Popen(
            args, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd,
            start_new_session=True,
        )  # fmt: skip
        os.close(slave)
        self.seen = ""

    def expect(self, text: str, timeout: float = 30.0) -> None:
        """Read until ``text`` has been shown (what a person waits for before typing)."""
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                self._fail(f"never shown: {text!r}; the terminal shows:\n{self.seen}")
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:  # the command ended and closed the terminal
                    chunk = b""
                if not chunk:
                    self._fail(f"ended before showing {text!r}:\n{self.seen}")
                self.seen += chunk.decode(errors="replace")
        self.seen = self.seen[self.seen.index(text) + len(text) :]

    def _fail(self, message: str) -> None:
        """Stop the command (it may be waiting for input that will never come), then fail."""
        self.process.kill()
        self.process.wait(timeout=60)
        os.close(self.master)
        pytest.fail(message)

    def type(self, line: str) -> None:
        os.write(self.master, line.encode() + b"\r")

    def finish(self) -> tuple[int, str]:
        """The exit status and whatever else was shown."""
        status = self.process.wait(timeout=60)
        while select.select([self.master], [], [], 0.2)[0]:
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                break
            if not chunk:
                break
            self.seen += chunk.decode(errors="replace")
        os.close(self.master)
        return status, self.seen


def test_at_a_terminal_the_password_is_asked_twice_hidden_and_its_rules_stated(
    app: Flask, app_settings: dict[str, Any], tmp_path: Path
) -> None:
    password = "a woven basket with a lid"
    terminal = Terminal(
        [*VITRINE, "users", "create", "--role", "admin", "--username", "ada"],
        _environment(app_settings),
        tmp_path,
    )
    terminal.expect(f"Password (at least {auth.MIN_PASSWORD_LENGTH} characters): ")
    terminal.type("too short")  # refused at once, and asked again
    terminal.expect(f"at least {auth.MIN_PASSWORD_LENGTH} characters")
    terminal.expect("Password (at least")
    terminal.type(password)
    terminal.expect("Same password again: ")
    terminal.type(password)
    status, shown = terminal.finish()
    assert status == 0, shown
    assert "user ada (admin) created" in shown
    assert password not in shown  # never echoed
    client = browser_like(app.test_client())
    assert sign_in(client, "ada", password).status_code == 302


def test_at_a_terminal_two_different_passwords_are_asked_again(
    app: Flask, app_settings: dict[str, Any], tmp_path: Path
) -> None:
    terminal = Terminal(
        [*VITRINE, "users", "create", "--role", "viewer", "--username", "vera"],
        _environment(app_settings),
        tmp_path,
    )
    terminal.expect("Password (at least")
    terminal.type("the first long password")
    terminal.expect("Same password again: ")
    terminal.type("another long password")
    terminal.expect("do not match")
    terminal.expect("Password (at least")
    terminal.type("the first long password")
    terminal.expect("Same password again: ")
    terminal.type("the first long password")
    status, shown = terminal.finish()
    assert status == 0, shown
    client = browser_like(app.test_client())
    assert sign_in(client, "vera", "the first long password").status_code == 302


def test_without_a_terminal_it_says_to_use_password_stdin_and_creates_nobody(
    app: Flask, app_settings: dict[str, Any], tmp_path: Path
) -> None:
    done = subprocess.run(
        [*VITRINE, "users", "create", "--role", "admin", "--username", "ada"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=_environment(app_settings),
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 2, done
    assert "standard input is not a terminal" in done.stderr
    assert "--password-stdin" in done.stderr
    assert "Aborted" not in done.stderr
    listed = app.test_cli_runner().invoke(args=["users", "list"])
    assert listed.output == ""


def test_with_password_stdin_a_script_gives_the_password_on_one_line(
    app: Flask, app_settings: dict[str, Any], tmp_path: Path
) -> None:
    args = [*VITRINE, "users", "create", "--role", "rights", "--username", "ravi"]
    short = subprocess.run(
        [*args, "--password-stdin"],
        input="short\n",
        capture_output=True,
        text=True,
        env=_environment(app_settings),
        cwd=tmp_path,
        timeout=60,
    )
    assert short.returncode != 0, short
    assert f"at least {auth.MIN_PASSWORD_LENGTH} characters" in short.stdout + short.stderr
    done = subprocess.run(
        [*args, "--password-stdin"],
        input="rights desk password\n",
        capture_output=True,
        text=True,
        env=_environment(app_settings),
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 0, done
    assert "user ravi (rights) created" in done.stdout
    client = browser_like(app.test_client())
    assert sign_in(client, "ravi", "rights desk password").status_code == 302
