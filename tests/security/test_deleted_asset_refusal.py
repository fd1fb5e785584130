"""Issue 11: uploading the bytes of a deleted asset is refused without naming, to anyone but
an admin, the person who deleted it."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import photos
from tests.support.api import upload
from tests.support.web import add_user, browser_like, signed_in

Tokens = dict[str, dict[str, str]]
DELETER = "admin-user"  # the admin token's name, which the history records


@pytest.fixture
def deleted(client: FlaskClient, tokens: Tokens) -> bytes:
    data = photos.jpeg_plain(90, 60)
    asset_id = upload(client, tokens["contributor"], data).json["id"]
    assert client.delete(f"/api/v1/assets/{asset_id}", headers=tokens["admin"]).status_code == 204
    return data


@pytest.mark.parametrize(("role", "named"), [("contributor", False), ("rights", False),
                                             ("admin", True)])  # fmt: skip
def test_the_api_refusal_names_who_deleted_it_only_to_an_admin(
    client: FlaskClient, tokens: Tokens, deleted: bytes, role: str, named: bool
) -> None:
    refused = upload(client, tokens[role], deleted)
    assert (refused.status_code, refused.json["code"]) == (409, "asset-deleted")
    assert "an admin can restore it" in refused.json["detail"]
    assert (DELETER in refused.json["detail"]) is named
    assert (DELETER in refused.get_data(as_text=True)) is named


@pytest.mark.parametrize(("role", "named"), [("contributor", False), ("admin", True)])
def test_the_upload_page_names_who_deleted_it_only_to_an_admin(
    app: Flask, deleted: bytes, role: str, named: bool
) -> None:
    add_user(app, f"{role}-person", role)
    web = browser_like(app.test_client())
    token = signed_in(web, f"{role}-person")

    def send(**headers: Any) -> Any:
        return web.post(
            "/upload",
            data={"csrf_token": token, "files": (io.BytesIO(deleted), "again.jpg")},
            content_type="multipart/form-data",
            headers=headers,
        )

    as_json = send(Accept="application/json")
    assert as_json.json["status"] == "refused"
    assert "deleted on" in as_json.json["message"]
    assert (DELETER in as_json.json["message"]) is named
    assert (DELETER in send().get_data(as_text=True)) is named
