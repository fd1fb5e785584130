"""An upload never loses its original: not when the answer to its COMMIT is lost, and a
re-upload of the same bytes brings back an original the blob store has lost.

The fault tests put a proxy that speaks the PostgreSQL protocol between the app and the
database: it lets the upload's COMMIT through (or not), resets the connection before the
server's answer reaches the app, and may take the database away at that moment.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from service.api.assets import ORIGINAL_RESTORED
from service.http import database as db
from service.storage.blobs import original_key
from service.storage.models import Asset
from tests.support import photos
from tests.support.api import upload
from tests.support.database import asset_keys, stored_state
from tests.support.faults import TcpProxy, through
from tests.support.openapi import Api
from tests.support.web import add_user, browser_like, page, signed_in

Tokens = dict[str, dict[str, str]]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize(
    ("commit_arrives", "database_answers", "status", "saved", "detail"),
    [
        # The COMMIT landed and the database is gone: nobody can say; keep everything.
        (True, False, 503, True, "the outcome is unknown"),
        # The COMMIT landed and the database answers: the row is there, the upload worked.
        (True, True, 201, True, None),
        # The COMMIT never arrived and the database is gone: keep the blob (an orphan).
        (False, False, 503, False, "the outcome is unknown"),
        # The COMMIT never arrived and the database confirms no row: the blob goes.
        (False, True, 503, False, "nothing was kept"),
    ],
)
def test_an_upload_whose_commit_answer_is_lost_never_loses_its_original(
    app: Flask,
    make_app: Callable[..., Flask],
    tokens: Tokens,
    database_url: str,
    pg_proxy: TcpProxy,
    commit_arrives: bool,
    database_answers: bool,
    status: int,
    saved: bool,
    detail: str | None,
) -> None:
    client = make_app(DATABASE_URL=through(pg_proxy, database_url)).test_client()
    photo = photos.jpeg_plain(400, 300)
    lost = pg_proxy.lose_commit(
        after=rb"INSERT INTO assets",
        deliver=commit_arrives,
        then=None if database_answers else pg_proxy.cut,
    )

    response = upload(client, tokens["contributor"], photo)
    assert lost.is_set(), "the upload's COMMIT never passed the proxy"
    assert response.status_code == status, response.json

    pg_proxy.restore()
    rows, blobs = stored_state(app)  # asked directly, not through the proxy
    assert rows == (1 if saved else 0)
    if saved:
        assert blobs == asset_keys(app)  # the row's original is there
    else:
        assert len(blobs) == (0 if database_answers else 1)  # an orphan only when unsure
    saved_ids = asset_ids(app)
    if detail is not None:  # and what the caller was told is true
        assert response.json["code"] == "database-unavailable"
        assert detail in response.json["detail"]

    retry = upload(client, tokens["contributor"], photo)
    assert retry.status_code == (200 if saved else 201), retry.json
    asset_id = retry.json["id"]
    if saved:
        assert saved_ids == [asset_id]  # the same asset, found by its bytes
    if status == 201:
        assert response.json["id"] == asset_id
    original = client.get(
        f"/api/v1/assets/{asset_id}/original", headers=tokens["contributor"], buffered=True
    )
    assert original.status_code == 200
    assert original.data == photo
    fixing = make_app().test_cli_runner()
    fixed = fixing.invoke(args=["storage", "check", "--fix", "--grace-minutes", "0"])
    assert fixed.exit_code == 0, fixed.output
    assert stored_state(app) == (1, asset_keys(app))


def asset_ids(app: Flask) -> list[int]:
    with app.app_context(), db.new_session() as session:
        return sorted(session.scalars(select(Asset.id)))


def lose_original(app: Flask, sha256: str) -> None:
    store = app.extensions["vitrine.store"]
    store.delete(original_key(sha256))
    assert not store.exists(original_key(sha256))


def test_uploading_the_bytes_of_an_asset_whose_original_is_missing_restores_it(
    app: Flask, api: Api, client: FlaskClient, tokens: Tokens
) -> None:
    photo = photos.jpeg_with_rights(width=320, height=240)
    first = upload(client, tokens["contributor"], photo, title="Basket").json
    lose_original(app, first["sha256"])
    url = f"/api/v1/assets/{first['id']}/original"
    assert client.get(url, headers=tokens["contributor"]).status_code == 404

    form = {"file": (io.BytesIO(photo), "basket-again.jpg")}
    again = api.call(
        "POST", "/api/v1/assets", data=form, headers=tokens["contributor"],
        content_type="multipart/form-data",
    )  # fmt: skip
    assert again.status_code == 200, again.json
    assert again.json["id"] == first["id"]
    assert again.headers[ORIGINAL_RESTORED] == "true"
    assert again.json["title"] == "Basket"  # otherwise unchanged
    original = client.get(url, headers=tokens["contributor"], buffered=True)
    assert original.status_code == 200
    assert original.data == photo
    history = client.get(f"/api/v1/assets/{first['id']}/history", headers=tokens["viewer"]).json
    [entry] = [item for item in history["items"] if item["field"] == "original"]
    assert (entry["before"], entry["after"]) == ("missing", "restored")

    third = upload(client, tokens["contributor"], photo)  # nothing missing now: a plain duplicate
    assert third.status_code == 200
    assert ORIGINAL_RESTORED not in third.headers
    assert stored_state(app) == (1, asset_keys(app))


def test_the_upload_page_and_the_import_say_when_they_restored_a_missing_original(
    app: Flask, client: FlaskClient, runner: Any, tokens: Tokens, tmp_path: Path
) -> None:
    photo = photos.jpeg_plain(330, 220)
    asset = upload(client, tokens["contributor"], photo).json
    lose_original(app, asset["sha256"])
    add_user(app, "contributor", "contributor")
    web = browser_like(app.test_client())
    token = signed_in(web, "contributor")
    response = web.post(
        "/upload",
        data={"csrf_token": token, "files": [(io.BytesIO(photo), "again.jpg")]},
        content_type="multipart/form-data",
    )
    [result] = page(response).find_all("li", cls="upload-result")
    assert result.attrs.get("data-status") == "duplicate"
    assert "its missing original was restored" in result.text
    assert app.extensions["vitrine.store"].exists(original_key(asset["sha256"]))

    lose_original(app, asset["sha256"])
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "again.jpg").write_bytes(photo)
    imported = runner.invoke(args=["import", str(folder)])
    assert imported.exit_code == 0, imported.output
    assert "restored: again.jpg: the asset's missing original was stored again" in imported.output
    assert "0 added, 1 duplicate(s), 0 refused, 0 skipped" in imported.output
    fetched = client.get(
        f"/api/v1/assets/{asset['id']}/original", headers=tokens["contributor"], buffered=True
    )
    assert fetched.data == photo
