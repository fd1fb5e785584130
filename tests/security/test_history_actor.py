"""Issue 11, smaller points: history names token vs user. A change made through an API token
is recorded as ``token:<name>``; one made by a person signed in to the web UI by their
username; and no username can pass for a token."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.http import database as db
from service.rules.problems import InvalidInput
from service.services import accounts as auth
from tests.support import photos
from tests.support.api import upload
from tests.support.web import add_user, browser_like, page, signed_in

pytestmark = pytest.mark.parametrize("blob_settings", ["local"], indirect=True)


def history(client: FlaskClient, headers: dict[str, str], asset_id: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get(
        f"/api/v1/assets/{asset_id}/history", headers=headers
    ).json["items"]
    return items


def test_history_and_records_say_which_changes_a_token_made(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    asset = upload(client, tokens["contributor"], photos.jpeg_plain(50, 40)).json
    assert asset["uploaded_by"] == "token:contributor-user"
    asset_id = asset["id"]
    client.patch(f"/api/v1/assets/{asset_id}", json={"title": "By the API"},
                 headers=tokens["contributor"])  # fmt: skip
    add_user(app, "registrar", "contributor")
    web = browser_like(app.test_client())
    token = signed_in(web, "registrar")
    described = web.post(f"/assets/{asset_id}/describe",
                         data={"title": "By a person", "csrf_token": token})  # fmt: skip
    assert described.status_code == 302
    actors = [(entry["field"], entry["actor"]) for entry in history(client, tokens["viewer"],
                                                                     asset_id)]  # fmt: skip
    assert actors == [("title", "token:contributor-user"), ("title", "registrar")]
    shown = page(web.get(f"/assets/{asset_id}")).text
    assert "token:contributor-user" in shown and "registrar" in shown
    # An admin's token creating another token is named the same way.
    made = client.post("/api/v1/tokens", json={"name": "n", "role": "viewer"},
                       headers=tokens["admin"])  # fmt: skip
    assert made.json["created_by"] == "token:admin-user"


@pytest.mark.parametrize("username", ["token:contributor-user", "a:b", ":"])
def test_no_username_can_pass_for_a_token(app: Flask, username: str) -> None:
    with app.app_context(), db.new_session() as session, pytest.raises(InvalidInput) as refused:
        auth.create_user(session, username=username, password="x" * 20, role="viewer")
    assert "':'" in refused.value.extra["errors"]["username"]
