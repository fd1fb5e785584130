"""Backups restore into an empty database, originals are verified by their hash."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.support import photos
from tests.support.api import clear, upload
from tests.support.rights import BM


def test_a_backup_restores_into_an_empty_database_with_rights_and_history(
    app: Flask, make_app: Any, client: FlaskClient, tokens: dict[str, dict[str, str]],
    runner: Any, fresh_database_url: str, tmp_path: Path,
) -> None:  # fmt: skip
    first = upload(client, tokens["contributor"], photos.jpeg_with_rights(), title="Basket",
                   alt_text="A basket.").json  # fmt: skip
    clear(client, tokens, first["id"])
    second = upload(client, tokens["contributor"], photos.jpeg_plain(90, 60)).json
    backup = tmp_path / "backup"
    made = runner.invoke(args=["backup", str(backup)])
    assert made.exit_code == 0, made.output
    manifest = json.loads((backup / "manifest.json").read_text())
    assert {item["sha256"] for item in manifest} >= {first["sha256"], second["sha256"]}

    restored_app = make_app(DATABASE_URL=fresh_database_url)
    restoring = restored_app.test_cli_runner().invoke(args=["restore", str(backup)])
    assert restoring.exit_code == 0, restoring.output
    restored = restored_app.test_client()
    viewer = {"Authorization": tokens["viewer"]["Authorization"]}  # tokens came along too
    again = restored.get(f"/api/v1/assets/{first['id']}", headers=viewer).json
    assert (again["sha256"], again["title"]) == (first["sha256"], "Basket")
    rights = restored.get(f"/api/v1/assets/{first['id']}/rights", headers=viewer).json
    assert (rights["status"], rights["credit_line"]) == ("cleared", BM)
    history = restored.get(f"/api/v1/assets/{first['id']}/history", headers=viewer).json
    assert any(item["field"] == "rights.status" for item in history["items"])
    original = restored.get(f"/api/v1/assets/{first['id']}/original", headers=tokens["contributor"],
                            buffered=True)  # fmt: skip
    assert original.data == photos.jpeg_with_rights()
    newer = upload(restored, tokens["contributor"], photos.jpeg_plain(91, 60))
    assert newer.status_code == 201
    assert newer.json["id"] > second["id"]  # sequences moved past the restored ids

    twice = restored_app.test_cli_runner().invoke(args=["restore", str(backup)])
    assert twice.exit_code != 0
    assert "already holds assets" in twice.output


def test_verify_finds_originals_whose_bytes_changed_or_vanished(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]], runner: Any,
    tmp_path: Path,
) -> None:  # fmt: skip
    asset = upload(client, tokens["contributor"], photos.jpeg_plain(80, 80)).json
    assert runner.invoke(args=["storage", "verify"]).exit_code == 0
    key = f"originals/{asset['sha256'][:2]}/{asset['sha256'][2:4]}/{asset['sha256']}"
    app.extensions["vitrine.store"].put(key, io.BytesIO(b"bit rot"), "image/jpeg")
    verified = runner.invoke(args=["storage", "verify"])
    assert verified.exit_code == 1
    assert f"CHANGED: asset {asset['id']}: {key}" in verified.output
    app.extensions["vitrine.store"].delete(key)
    missing = runner.invoke(args=["storage", "verify"])
    assert f"MISSING: asset {asset['id']}: {key}" in missing.output
