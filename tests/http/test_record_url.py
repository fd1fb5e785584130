"""An asset's collection record link and its public identifier (issue 17): the link is a
descriptive field an upload, an edit and the asset page set, refused unless it is a web
address; the identifier is a random UUID of its own, never the row id."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import photos
from tests.support.api import upload
from tests.support.web import add_user, browser_like, page, signed_in

Tokens = dict[str, dict[str, str]]
pytestmark = pytest.mark.parametrize("blob_settings", ["local"], indirect=True)
RECORD = "https://www.britishmuseum.org/collection/object/E_Af1935-0711-1"


def test_an_upload_and_an_edit_set_the_record_link_and_only_a_web_address(
    client: FlaskClient, tokens: Tokens
) -> None:
    created = upload(client, tokens["contributor"], photos.jpeg_plain(300, 200), title="Bowl",
                     record_url=RECORD)  # fmt: skip
    assert created.status_code == 201, created.json
    assert created.json["record_url"] == RECORD
    asset_id = created.json["id"]
    for bad in ("javascript:alert(1)", "www.example.org/object", "https://", "ftp://x.org/a",
                "https://example.org/a b", "http://[::1", 'https://x.org/"><script>'):  # fmt: skip
        refused = client.patch(f"/api/v1/assets/{asset_id}", json={"record_url": bad},
                               headers=tokens["contributor"])  # fmt: skip
        assert refused.status_code == 422, bad
        assert refused.headers["Content-Type"] == "application/problem+json"
        assert "record_url" in refused.json["errors"]
    kept = client.get(f"/api/v1/assets/{asset_id}", headers=tokens["viewer"]).json
    assert kept["record_url"] == RECORD  # nothing changed by a refusal
    cleared = client.patch(f"/api/v1/assets/{asset_id}", json={"record_url": ""},
                           headers=tokens["contributor"])  # fmt: skip
    assert cleared.status_code == 200 and cleared.json["record_url"] == ""


def test_each_asset_has_a_random_public_identifier(client: FlaskClient, tokens: Tokens) -> None:
    ids = set()
    for width in (300, 301, 302):
        created = upload(client, tokens["contributor"], photos.jpeg_plain(width, 200))
        assert created.status_code == 201, created.json
        public_id = created.json["public_id"]
        assert str(uuid.UUID(public_id)) == public_id and public_id != str(created.json["id"])
        ids.add(public_id)
    assert len(ids) == 3


def test_the_asset_page_saves_the_record_link(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    created = upload(client, tokens["contributor"], photos.jpeg_plain(300, 200), title="Bowl")
    asset_id = created.json["id"]
    add_user(app, "cora", "contributor")
    web = browser_like(app.test_client())
    token = signed_in(web, "cora")
    form = page(web.get(f"/assets/{asset_id}"))
    field = form.by_id("d-record-url")
    assert field is not None and field.attrs.get("name") == "record_url"
    fields = {"csrf_token": token, "title": "Bowl", "object_number": "", "object_date": "",
              "description": "", "alt_text": ""}  # fmt: skip
    refused = web.post(f"/assets/{asset_id}/describe", data={**fields, "record_url": "nope"})
    assert refused.status_code == 422
    assert "Must be an http:// or https:// address" in refused.get_data(as_text=True)
    saved = web.post(f"/assets/{asset_id}/describe", data={**fields, "record_url": RECORD})
    assert saved.status_code == 302, saved.status_code
    asset = client.get(f"/api/v1/assets/{asset_id}", headers=tokens["viewer"]).json
    assert asset["record_url"] == RECORD
