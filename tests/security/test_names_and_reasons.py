"""The names the history and logs show for people and tokens, and override reasons, cannot
carry text that displays as something else."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.http import database as db
from service.rules.problems import InvalidInput
from service.services import accounts as auth
from tests.support import photos
from tests.support.api import upload

Tokens = dict[str, dict[str, str]]


@pytest.mark.parametrize(
    "name",
    ["ci\u202ebot", "bot\u2066x\u2069", "line\nbreak", "tab\tname", "bell\x07"],
    ids=["override", "isolate", "newline", "tab", "control"],
)
def test_a_username_with_invisible_or_control_characters_is_refused(app: Flask, name: str) -> None:
    with app.app_context(), db.new_session() as session:
        with pytest.raises(InvalidInput) as refused:
            auth.create_user(
                session, username=name, password="a long enough passphrase", role="viewer"
            )
        assert "username" in refused.value.extra["errors"]


def test_a_token_name_with_a_direction_control_is_refused_naming_it(
    client: FlaskClient, tokens: Tokens
) -> None:
    body = {"name": "deploy\u202ebot", "role": "viewer"}
    refused = client.post("/api/v1/tokens", json=body, headers=tokens["admin"])
    assert refused.status_code == 422
    assert refused.mimetype == "application/problem+json"
    assert "U+202E" in refused.json["errors"]["name"]
    listed = client.get("/api/v1/tokens", headers=tokens["admin"]).json["items"]
    assert all("\u202e" not in token["name"] for token in listed)


def test_an_override_reason_with_a_direction_control_is_refused_and_nothing_is_recorded(
    client: FlaskClient, tokens: Tokens
) -> None:
    asset_id = upload(client, tokens["contributor"], photos.jpeg_with_rights()).json["id"]
    reason = quote("Director \u202eapproved")
    base = f"/api/v1/assets/{asset_id}/variants/bluesky"
    refused = client.get(f"{base}?override=true&reason={reason}", headers=tokens["rights"])
    assert refused.status_code == 422
    assert "U+202E" in refused.json["errors"]["reason"]
    history = client.get(f"/api/v1/assets/{asset_id}/history", headers=tokens["viewer"]).json
    assert not [h for h in history["items"] if h["field"].startswith("publish.override")]
