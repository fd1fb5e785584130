"""Issue 11, smaller points: API tokens may be created with an expiry (`vitrine tokens create
--expires-in 90d`, and `expires_in` in the API); an expired token answers 401 saying so."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.http.database import new_session
from service.services import accounts as auth
from service.storage import db
from tests.support.openapi import Api, problem

LOCAL_STORE = pytest.mark.parametrize("blob_settings", ["local"], indirect=True)


@pytest.mark.parametrize(
    ("text", "lifetime"),
    [("90d", timedelta(days=90)), ("12h", timedelta(hours=12)), ("30m", timedelta(minutes=30)),
     ("2w", timedelta(weeks=2)), (" 1d ", timedelta(days=1))],
)  # fmt: skip
def test_lifetimes_are_read(text: str, lifetime: timedelta) -> None:
    assert auth.parse_duration(text) == lifetime


@pytest.mark.parametrize("text", ["", "90", "d", "90 days", "1.5d", "0m", "-1d", "999999w", "9y"])
def test_other_lifetimes_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="must be"):
        auth.parse_duration(text)


@LOCAL_STORE
def test_the_cli_creates_an_expiring_token_and_lists_its_expiry(
    app: Flask, runner: Any, client: FlaskClient
) -> None:
    made = runner.invoke(args=["tokens", "create", "--role", "viewer", "--name", "press",
                               "--expires-in", "90d"])  # fmt: skip
    assert made.exit_code == 0, made.output
    assert ", expires 20" in made.output
    secret = made.output.strip().splitlines()[-1]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200
    listed = runner.invoke(args=["tokens", "list"]).output
    [row] = [line.split("\t") for line in listed.splitlines() if "\tpress\t" in line]
    expires = datetime.strptime(row[5], "%Y-%m-%d %H:%M")
    assert abs(expires - (datetime.utcnow() + timedelta(days=90))) < timedelta(minutes=5)
    refused = runner.invoke(args=["tokens", "create", "--role", "viewer", "--name", "x",
                                  "--expires-in", "forever"])  # fmt: skip
    assert refused.exit_code != 0
    assert "such as 90d" in refused.output


@LOCAL_STORE
def test_an_expired_token_answers_401_saying_it_expired(app: Flask, client: FlaskClient) -> None:
    with app.app_context(), new_session() as session:
        long_ago = db.utcnow() - timedelta(days=91)
        _, expired = auth.create_token(session, name="old", role="admin", created_by="test",
                                       expires_in=timedelta(days=90), now=long_ago)  # fmt: skip
        _, alive = auth.create_token(session, name="new", role="admin", created_by="test",
                                     expires_in=timedelta(days=90))  # fmt: skip
        session.commit()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert "expired on" in response.json["detail"]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {alive}"}).status_code == 200
    # A wrong secret for the expired token's id says nothing about its expiry.
    wrong = expired[:-2] + ("AA" if not expired.endswith("AA") else "BB")
    guessed = client.get("/api/v1/me", headers={"Authorization": f"Bearer {wrong}"})
    assert guessed.status_code == 401
    assert "expired" not in guessed.json["detail"]
    states = {t.name: auth.token_state(t, db.utcnow()) for t in _tokens(app)}
    assert states == {"old": "expired", "new": "active"}


def _tokens(app: Flask) -> list[Any]:
    with app.app_context(), new_session() as session:
        return auth.list_tokens(session)


@LOCAL_STORE
def test_the_api_creates_expiring_tokens_as_openapi_says(
    api: Api, tokens: dict[str, dict[str, str]]
) -> None:
    made = api.call("POST", "/api/v1/tokens", headers=tokens["admin"],
                    json={"name": "campaign", "role": "viewer", "expires_in": "2w"})  # fmt: skip
    assert made.status_code == 201
    expires = datetime.fromisoformat(made.json["expires_at"])
    assert abs(expires - (db.utcnow() + timedelta(weeks=2))) < timedelta(minutes=5)
    forever = api.call("POST", "/api/v1/tokens", headers=tokens["admin"],
                       json={"name": "forever", "role": "viewer"})  # fmt: skip
    assert forever.json["expires_at"] is None
    listed = api.call("GET", "/api/v1/tokens", headers=tokens["admin"]).json["items"]
    assert {item["name"]: bool(item["expires_at"]) for item in listed}["campaign"] is True
    for bad, spec_accepts in (("90 days", False), ("0m", True)):  # "0m": the range is the app's
        refused = api.call("POST", "/api/v1/tokens", headers=tokens["admin"],
                           request_valid=spec_accepts,
                           json={"name": "x", "role": "viewer", "expires_in": bad})  # fmt: skip
        assert problem(refused, 422, "invalid-input")["errors"].keys() == {"expires_in"}
