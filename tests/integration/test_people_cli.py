"""``vitrine people``: a subject access export as JSON (to standard output or a file) and an
erasure that asks first, blanks the personal data, deletes the signed form and keeps the
consents withdrawn; ``vitrine rights expiring`` lists the consents ending soon."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import photos
from tests.support.api import upload

# The signed form's way to the blob store and back is tested on S3 in tests/http.
pytestmark = pytest.mark.parametrize("blob_settings", ["local"], indirect=True)

Tokens = dict[str, dict[str, str]]
NAME = "Amina Yusuf"
GUARDIAN = "Halima Yusuf"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _registered(client: FlaskClient, tokens: Tokens) -> tuple[int, int, int]:
    """A minor tagged in a photograph, with a consent ending in 3 days and its signed form:
    (person, consent, asset)."""
    rights = tokens["rights"]
    asset = upload(client, tokens["contributor"], photos.jpeg_plain(90, 60), title="Workshop")
    assert asset.status_code == 201, asset.json
    person = client.post(
        "/api/v1/people", json={"display_name": NAME, "role": "minor", "external_ref": "P-7"},
        headers=rights,
    )  # fmt: skip
    person_id = person.json["id"]
    ends = (datetime.now(UTC).date() + timedelta(days=3)).isoformat()
    consent = client.post(
        f"/api/v1/people/{person_id}/consents", headers=rights,
        json={"channels": ["social"], "granted_at": "2026-01-10", "expires_at": ends,
              "guardian": GUARDIAN},
    )  # fmt: skip
    assert consent.status_code == 201, consent.json
    consent_id = consent.json["id"]
    form = client.put(
        f"/api/v1/people/{person_id}/consents/{consent_id}/evidence", headers=rights,
        data={"file": (io.BytesIO(PDF), "form.pdf")}, content_type="multipart/form-data",
    )  # fmt: skip
    assert form.status_code == 200, form.json
    depicted = client.put(
        f"/api/v1/assets/{asset.json['id']}/people", headers=rights,
        json={"status": "depicted", "people": [{"person_id": person_id}]},
    )  # fmt: skip
    assert depicted.status_code == 200, depicted.json
    return person_id, consent_id, asset.json["id"]


def test_the_export_is_json_on_standard_output_or_in_a_file(
    client: FlaskClient, runner: Any, tokens: Tokens, tmp_path: Path
) -> None:
    person_id, consent_id, asset_id = _registered(client, tokens)
    printed = runner.invoke(args=["people", "export", str(person_id)])
    assert printed.exit_code == 0, printed.output
    exported = json.loads(printed.stdout)
    assert exported["person"]["display_name"] == NAME
    assert [c["id"] for c in exported["consents"]] == [consent_id]
    assert exported["consents"][0]["guardian"] == GUARDIAN
    assert [a["asset_id"] for a in exported["depicted_in"]] == [asset_id]
    assert exported["posts"] == []
    assert [e["field"] for e in exported["history"]][:3] == [
        "created", "consent.created", "consent.evidence",
    ]  # fmt: skip

    out = tmp_path / "subject-access.json"
    written = runner.invoke(args=["people", "export", str(person_id), "--out", str(out)])
    assert written.exit_code == 0, written.output
    assert json.loads(out.read_text(encoding="utf-8"))["person"] == exported["person"]

    missing = runner.invoke(args=["people", "export", "999"])
    assert missing.exit_code == 1
    assert "There is no person 999." in missing.output


def test_erasure_asks_first_then_keeps_an_anonymised_trail(
    app: Flask, client: FlaskClient, runner: Any, tokens: Tokens
) -> None:
    store = app.extensions["vitrine.store"]
    person_id, consent_id, asset_id = _registered(client, tokens)
    assert len(list(store.keys("evidence/"))) == 1

    # The signed form is owned by its consent; a form no consent names is an orphan.
    checked = runner.invoke(args=["storage", "check", "--grace-minutes", "0"])
    assert checked.exit_code == 0, checked.output
    stray = f"evidence/{'0' * 64}"
    store.put(stray, io.BytesIO(PDF), "application/pdf")
    fixed = runner.invoke(args=["storage", "check", "--grace-minutes", "0", "--fix"])
    assert f"orphan blob: {stray}" in fixed.output
    assert len(list(store.keys("evidence/"))) == 1

    declined = runner.invoke(args=["people", "erase", str(person_id)], input="n\n")
    assert declined.exit_code == 1
    still = json.loads(runner.invoke(args=["people", "export", str(person_id)]).stdout)
    assert still["person"]["display_name"] == NAME

    erased = runner.invoke(args=["people", "erase", str(person_id), "--yes"])
    assert erased.exit_code == 0, erased.output
    assert f"Erased person {person_id}" in erased.output
    assert len(list(store.keys("evidence/"))) == 0

    after = runner.invoke(args=["people", "export", str(person_id)])
    for personal in (NAME, "Amina", GUARDIAN, "P-7", "form.pdf"):
        assert personal not in after.stdout
    exported = json.loads(after.stdout)
    assert exported["person"]["erased_at"] is not None
    [consent] = exported["consents"]
    assert consent["id"] == consent_id and consent["state"] == "withdrawn"
    assert consent["withdrawn_by"] == "cli" and consent["channels"] == ["social"]
    assert [a["asset_id"] for a in exported["depicted_in"]] == [asset_id]
    fields = [event["field"] for event in exported["history"]]
    assert fields[-2:] == ["consent.withdrawn", "erased"]

    again = runner.invoke(args=["people", "erase", str(person_id), "--yes"])
    assert again.exit_code == 1
    assert "was erased" in again.output


def test_rights_expiring_lists_the_consents_ending_in_the_window(
    client: FlaskClient, runner: Any, tokens: Tokens
) -> None:
    person_id, consent_id, _ = _registered(client, tokens)
    printed = runner.invoke(args=["rights", "expiring", "--within-days", "7"])
    assert printed.exit_code == 0, printed.output
    lines = printed.output.splitlines()
    assert lines[0].split("\t")[1:5] == [
        "consent expires", "in 3 day(s)", f"person {person_id} (minor)", f"consent {consent_id}",
    ]  # fmt: skip
    assert lines[-1] == "1 deadline(s) within 7 day(s)"
    narrower = runner.invoke(args=["rights", "expiring", "--within-days", "2"])
    assert narrower.output.splitlines() == ["0 deadline(s) within 2 day(s)"]


def test_a_backup_names_a_missing_signed_form(
    app: Flask, client: FlaskClient, runner: Any, tokens: Tokens, tmp_path: Path
) -> None:
    store = app.extensions["vitrine.store"]
    _registered(client, tokens)
    [key] = store.keys("evidence/")
    assert runner.invoke(args=["backup", str(tmp_path / "whole")]).exit_code == 0
    store.delete(key)
    lost = runner.invoke(args=["backup", str(tmp_path / "lost")])
    assert lost.exit_code == 1
    assert f"MISSING blob (named by a row, not in the store): {key}" in lost.output
