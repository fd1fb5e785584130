"""Issue 11, secret key: outside tests and debug the app will not start without a real key;
`make run` keeps one of its own in a 0600 file; signed blob URLs use a key derived for them."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import config
from service.app import create_app
from service.cli import register_commands
from service.rules import keys
from service.storage.local import sign_blob_url
from tests.support.api import cleared_asset

VITRINE = Path(sys.executable).parent / "vitrine"
GOOD_KEY = "k" * 32


@pytest.fixture
def bare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Settings of an app outside tests, on a SQLite file and a local directory."""
    for name in ("VITRINE_SECRET_KEY", "VITRINE_SECRET_KEY_FILE", "FLASK_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'v.db'}",
        "BLOB_DIR": str(tmp_path / "blobs"),
        "SPOOL_DIR": str(tmp_path / "spool"),
    }


def dispose(app: Flask) -> None:
    app.extensions["vitrine.engine"].dispose()


@pytest.mark.parametrize(
    ("key", "why"),
    [
        (None, "is not set"),
        ("", "is not set"),
        ("dev-only-not-secret", "public development key"),
        ("k" * 31, "shorter than 32 bytes"),
        ("é" * 15, "shorter than 32 bytes"),  # 15 characters, 30 bytes
    ],
)
def test_outside_tests_and_debug_the_app_refuses_to_start_without_a_real_key(
    bare: dict[str, Any], key: str | None, why: str
) -> None:
    with pytest.raises(config.ConfigError) as refused:
        create_app({**bare, "SECRET_KEY": key})
    message = str(refused.value)
    assert why in message
    assert "python -c 'import secrets; print(secrets.token_urlsafe(48))'" in message


def test_a_key_of_32_bytes_starts_and_tests_and_debug_start_without_one(
    bare: dict[str, Any],
) -> None:
    dispose(create_app({**bare, "SECRET_KEY": GOOD_KEY}))
    for lenient in ({"TESTING": True}, {"DEBUG": True}):
        app = create_app({**bare, **lenient})
        try:  # a random key of its own, good for the life of the process
            assert len(app.config["SECRET_KEY"]) >= 32
            assert app.config["SECRET_KEY"] != create_app({**bare, **lenient}).config["SECRET_KEY"]
        finally:
            dispose(app)


def test_the_key_file_is_made_once_readable_by_its_owner_alone_and_reused(
    bare: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "var" / "secret-key"
    previous = os.umask(0)  # the most permissive umask: the file must still never be 0644
    try:
        first = create_app({**bare, "SECRET_KEY_FILE": str(path)})
    finally:
        os.umask(previous)
    second = create_app({**bare, "SECRET_KEY_FILE": str(path)})
    try:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == path.read_text().strip()
        assert len(first.config["SECRET_KEY"]) >= 48
        assert sorted(p.name for p in path.parent.iterdir()) == ["secret-key"]  # nothing aside
    finally:
        dispose(first)
        dispose(second)
    # The variable wins over the file.
    chosen = create_app({**bare, "SECRET_KEY": GOOD_KEY, "SECRET_KEY_FILE": str(path)})
    assert chosen.config["SECRET_KEY"] == GOOD_KEY
    dispose(chosen)


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o620, 0o604])
def test_a_key_file_others_may_read_or_write_is_refused(
    bare: dict[str, Any], tmp_path: Path, mode: int
) -> None:
    path = tmp_path / "secret-key"
    path.write_text(GOOD_KEY + "\n")
    path.chmod(mode)
    with pytest.raises(config.ConfigError, match=r"chmod 600"):
        create_app({**bare, "SECRET_KEY_FILE": str(path)})


def test_a_short_key_in_the_key_file_is_refused(bare: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "secret-key"
    path.write_text("short\n")
    path.chmod(0o600)
    with pytest.raises(config.ConfigError, match=r"key file .* is shorter than 32 bytes"):
        create_app({**bare, "SECRET_KEY_FILE": str(path)})


def test_the_makefile_runs_with_a_key_file_under_var() -> None:
    makefile = (Path(__file__).parents[2] / "Makefile").read_text()
    assert "KEY_FILE ?= var/secret-key" in makefile
    assert "run: export VITRINE_SECRET_KEY_FILE ?= $(KEY_FILE)" in makefile


# ---------------------------------------------------------------- every command starts


def vitrine(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VITRINE), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_every_command_starts_with_a_key_file_and_says_how_to_make_a_key_without_one(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VITRINE_", "FLASK_"))}
    bare = dict(env)
    env["VITRINE_SECRET_KEY_FILE"] = "var/secret-key"  # as `make run` and its hint say

    refused = vitrine(["tokens", "list"], bare, tmp_path)
    assert refused.returncode == 1
    assert "VITRINE_SECRET_KEY is not set" in refused.stderr
    assert "secrets.token_urlsafe(48)" in refused.stderr
    assert "Traceback" not in refused.stderr

    assert vitrine(["db", "upgrade"], env, tmp_path).returncode == 0
    listed = vitrine(["--help"], env, tmp_path)
    assert listed.returncode == 0, listed.stderr
    probe = Flask("probe")
    register_commands(probe)
    for name in probe.cli.commands:  # every command the app registers is there, app loaded
        assert f"  {name} " in listed.stdout, name
    for args in (["users", "list"], ["tokens", "list"], ["storage", "check"], ["purge"]):
        done = vitrine(args, env, tmp_path)
        assert done.returncode == 0, (args, done.stderr)
    worker = vitrine(["worker"], env, tmp_path)  # builds the app, then wants a broker
    assert worker.returncode == 1
    assert "Set VITRINE_BROKER_URL" in worker.stderr


def test_gunicorn_loads_the_app_with_a_key_and_refuses_without(tmp_path: Path) -> None:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    conf = Path(__file__).parents[2] / "service" / "gunicorn_conf.py"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VITRINE_", "FLASK_"))}
    env["VITRINE_DATABASE_URL"] = f"sqlite:///{tmp_path / 'v.db'}"
    args = [str(gunicorn), "--check-config", "-c", str(conf)]
    refused = subprocess.run(args, env=env, cwd=tmp_path, capture_output=True, text=True)
    assert refused.returncode != 0
    assert "VITRINE_SECRET_KEY is not set" in refused.stdout + refused.stderr
    env["VITRINE_SECRET_KEY"] = GOOD_KEY
    loaded = subprocess.run(args, env=env, cwd=tmp_path, capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr


# ---------------------------------------------------------------- signed blob URLs


@pytest.mark.parametrize(
    ("database_url", "blob_settings"), [("sqlite", "local")], indirect=True
)  # signed /blobs URLs are the local store's
def test_signed_blob_urls_use_the_key_derived_for_them_not_the_session_key(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    secret = app.config["SECRET_KEY"]
    asset_id = cleared_asset(client, tokens)
    published = client.get(f"/api/v1/assets/{asset_id}/variants/x", headers=tokens["viewer"])
    assert published.status_code == 200, published.json
    url = urlsplit(published.json["url"])
    key = url.path.removeprefix("/blobs/")
    expires = int(parse_qs(url.query)["expires"][0])
    message = f"{key}\n{expires}".encode()

    def signature(signing_key: bytes) -> str:
        return hmac.new(signing_key, message, hashlib.sha256).hexdigest()

    assert url.query.endswith(signature(keys.derived_key(secret, keys.BLOB_URL)))
    assert sign_blob_url(secret, key, expires).endswith(url.query)
    served = client.get(f"{url.path}?{url.query}", buffered=True)
    assert served.status_code == 200
    assert served.data.startswith(b"\xff\xd8")
    with_session_key = f"/blobs/{key}?expires={expires}&signature={signature(secret.encode())}"
    assert client.get(with_session_key).status_code == 403
