"""The object's own date is a descriptive field (issue 14): set through the API and the
asset page, kept in the history, and written by the long caption templates as ``{date}``,
where the photograph's capture date used to appear."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import photos
from tests.support.api import clear, upload
from tests.support.web import add_user, browser_like, page, signed_in

Tokens = dict[str, dict[str, str]]
pytestmark = pytest.mark.parametrize("blob_settings", ["local"], indirect=True)


def _basket(client: FlaskClient, tokens: Tokens) -> int:
    created = upload(client, tokens["contributor"], photos.jpeg_with_rights(), title="Basket",
                     object_number="Af1935,0711.1", alt_text="A woven basket.")  # fmt: skip
    assert created.status_code == 201, created.json
    assert created.json["object_date"] == ""  # not the photograph's date
    return int(created.json["id"])


def test_the_api_sets_the_objects_date_and_the_long_captions_write_it(
    client: FlaskClient, tokens: Tokens
) -> None:
    asset_id = _basket(client, tokens)
    changed = client.patch(f"/api/v1/assets/{asset_id}", json={"object_date": "c. 1935"},
                           headers=tokens["contributor"])  # fmt: skip
    assert changed.status_code == 200, changed.json
    assert changed.json["object_date"] == "c. 1935"
    caption = client.get(f"/api/v1/assets/{asset_id}/captions/instagram",
                         headers=tokens["viewer"]).json  # fmt: skip
    assert ", c. 1935" in caption["text"]
    history = client.get(f"/api/v1/assets/{asset_id}/history", headers=tokens["viewer"]).json
    assert any(entry["field"] == "object_date" and entry["after"] == "c. 1935"
               for entry in history["items"])  # fmt: skip
    too_long = client.patch(f"/api/v1/assets/{asset_id}", json={"object_date": "9" * 101},
                            headers=tokens["contributor"])  # fmt: skip
    assert too_long.status_code == 422
    assert "object_date" in too_long.json["errors"]
    assert clear(client, tokens, asset_id).status_code == 200
    variant = client.get(f"/api/v1/assets/{asset_id}/variants/instagram-square",
                         headers=tokens["viewer"])  # fmt: skip
    assert variant.status_code == 200, variant.json
    assert ", c. 1935" in variant.json["caption"]


def test_the_asset_page_saves_the_objects_date(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    asset_id = _basket(client, tokens)
    add_user(app, "cora", "contributor")
    web = browser_like(app.test_client())
    token = signed_in(web, "cora")
    form = page(web.get(f"/assets/{asset_id}"))
    field = form.by_id("d-object-date")
    assert field is not None and field.attrs.get("name") == "object_date"
    saved = web.post(
        f"/assets/{asset_id}/describe",
        data={"csrf_token": token, "title": "Basket", "object_number": "Af1935,0711.1",
              "object_date": "1930s", "description": "", "alt_text": "A woven basket."},
    )  # fmt: skip
    assert saved.status_code == 302, saved.status_code
    asset = client.get(f"/api/v1/assets/{asset_id}", headers=tokens["viewer"]).json
    assert asset["object_date"] == "1930s"


def test_an_upload_may_give_the_objects_date(client: FlaskClient, tokens: Tokens) -> None:
    created = upload(client, tokens["contributor"], photos.jpeg_plain(300, 200), title="Bowl",
                     object_date="Song dynasty, 12th century")  # fmt: skip
    assert created.status_code == 201, created.json
    assert created.json["object_date"] == "Song dynasty, 12th century"
