"""Issue 11, "previews are not variants": the library's thumbnails and the asset page's image
are internal previews with keys and blobs of their own, small, served only to a signed-in
session, and counted and logged as previews."""

from __future__ import annotations

import io
import logging
from typing import Any

import exifread
import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from prometheus_client.parser import text_string_to_metric_families

from service.http import database as db
from service.ops import jobs, metrics
from service.services import variants
from service.storage.models import Asset, Variant
from tests.support import photos
from tests.support.api import cleared_asset, fetch, upload
from tests.support.web import add_user, browser_like, page, signed_in

Tokens = dict[str, dict[str, str]]


def rows(app: Flask) -> list[Variant]:
    with app.app_context(), db.new_session() as session:
        return list(session.query(Variant).order_by(Variant.id))


@pytest.fixture
def viewer(app: Flask) -> FlaskClient:
    """A browser signed in as a viewer."""
    add_user(app, "vera", "viewer")
    client = browser_like(app.test_client())
    signed_in(client, "vera")
    return client


def restricted_asset(client: FlaskClient, tokens: Tokens) -> int:
    """An asset nobody may publish: uploaded with GPS, serial-free rights, never cleared."""
    response = upload(client, tokens["contributor"], photos.jpeg_with_rights(2400, 1800, 1))
    assert response.status_code == 201, response.json
    return int(response.json["id"])


def test_the_library_links_thumbnails_to_the_preview_route_and_renders_nothing(
    app: Flask, client: FlaskClient, tokens: Tokens, viewer: FlaskClient
) -> None:
    asset_id = restricted_asset(client, tokens)
    library = viewer.get("/library")
    assert library.status_code == 200
    sources = [img.attrs["src"] for img in page(library).find_all("img")]
    assert f"/assets/{asset_id}/preview/thumb" in sources
    assert all(src.startswith(("/assets/", "/static/")) for src in sources), sources
    assert rows(app) == []  # the page itself renders nothing


def test_the_asset_page_shows_its_preview_through_the_session_route(
    app: Flask, client: FlaskClient, tokens: Tokens, viewer: FlaskClient
) -> None:
    asset_id = restricted_asset(client, tokens)
    document = page(viewer.get(f"/assets/{asset_id}"))
    preview = document.by_id("preview")
    assert preview is not None
    assert preview.attrs["src"] == f"/assets/{asset_id}/preview/page"
    html = viewer.get(f"/assets/{asset_id}").get_data(as_text=True)
    assert "/blobs/" not in html and "X-Amz-Signature" not in html
    assert {row.kind for row in rows(app)} == {"preview"}


@pytest.mark.parametrize(("size", "longest"), [("thumb", 400), ("page", 1024)])
def test_a_preview_is_small_private_and_stripped_of_private_metadata(
    app: Flask, client: FlaskClient, tokens: Tokens, viewer: FlaskClient, size: str, longest: int
) -> None:
    asset_id = restricted_asset(client, tokens)
    response = viewer.get(f"/assets/{asset_id}/preview/{size}", buffered=True)
    assert response.status_code == 200
    assert response.mimetype == "image/webp"
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Cookie" in response.headers["Vary"]
    etag = response.headers["ETag"]
    with Image.open(io.BytesIO(response.data)) as image:
        assert max(image.size) == longest
    tags = exifread.process_file(io.BytesIO(response.data), details=False)
    assert not [name for name in tags if "GPS" in name or "Serial" in name or "Artist" in name]
    again = viewer.get(
        f"/assets/{asset_id}/preview/{size}", headers={"If-None-Match": etag}, buffered=True
    )
    assert again.status_code == 304 and again.data == b""


def test_a_preview_needs_a_signed_in_session_and_has_no_signed_url(
    app: Flask, client: FlaskClient, tokens: Tokens, viewer: FlaskClient
) -> None:
    asset_id = restricted_asset(client, tokens)
    assert viewer.get(f"/assets/{asset_id}/preview/thumb", buffered=True).status_code == 200
    anonymous = app.test_client()
    for size in ("thumb", "page"):
        response = anonymous.get(f"/assets/{asset_id}/preview/{size}")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
        assert not response.data.startswith(b"RIFF")
        # An API token is not a session either.
        with_token = anonymous.get(f"/assets/{asset_id}/preview/{size}", headers=tokens["admin"])
        assert with_token.status_code == 302
    [preview] = [row for row in rows(app) if row.preset == "preview-thumb"]
    with app.app_context(), pytest.raises(ValueError, match="never handed out"):
        variants.signed_url(app.extensions["vitrine.store"], preview, 60)
    if app.config["BLOB_BACKEND"] == "local":
        # Even a valid signature does not make /blobs serve a preview.
        signed = app.extensions["vitrine.store"].signed_url(preview.blob_key, 60)
        assert anonymous.get(signed, buffered=True).status_code == 404


def test_a_preview_is_never_the_file_of_a_publishable_preset(
    app: Flask, client: FlaskClient, tokens: Tokens, viewer: FlaskClient
) -> None:
    asset_id = cleared_asset(client, tokens)
    shown = {
        size: viewer.get(f"/assets/{asset_id}/preview/{size}", buffered=True).data
        for size in ("thumb", "page")
    }
    published = {}
    for name in ("thumb", "web-large"):
        body = client.get(f"/api/v1/assets/{asset_id}/variants/{name}", headers=tokens["viewer"])
        assert body.status_code == 200, body.json
        published[name] = fetch(app, client, body.json["url"])
    assert not set(shown.values()) & set(published.values())
    kinds = {row.preset: (row.kind, row.blob_key.split("/")[0]) for row in rows(app)}
    assert kinds == {
        "preview-thumb": ("preview", "previews"),
        "preview-page": ("preview", "previews"),
        "thumb": ("variant", "variants"),
        "web-large": ("variant", "variants"),
    }


def test_an_unknown_preview_size_or_asset_is_404(
    client: FlaskClient, tokens: Tokens, viewer: FlaskClient
) -> None:
    asset_id = restricted_asset(client, tokens)
    assert viewer.get(f"/assets/{asset_id}/preview/web-large").status_code == 404
    assert viewer.get(f"/assets/{asset_id}/preview/x").status_code == 404
    assert viewer.get("/assets/999999/preview/thumb").status_code == 404


def test_a_preview_that_cannot_be_made_shows_the_placeholder(
    app: Flask, client: FlaskClient, tokens: Tokens, viewer: FlaskClient
) -> None:
    asset_id = restricted_asset(client, tokens)
    store = app.extensions["vitrine.store"]
    with app.app_context(), db.new_session() as session:
        asset = session.get(Asset, asset_id)
        assert asset is not None
        store.delete(asset.blob_key)  # the original is gone: nothing to render from
    response = viewer.get(f"/assets/{asset_id}/preview/thumb")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/static/placeholder.svg")


def test_previews_are_counted_and_logged_as_internal(
    app: Flask,
    client: FlaskClient,
    tokens: Tokens,
    viewer: FlaskClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    asset_id = restricted_asset(client, tokens)
    with caplog.at_level(logging.INFO, logger="service.services.variants"):
        for _ in range(2):
            shown = viewer.get(f"/assets/{asset_id}/preview/thumb", buffered=True)
            assert shown.status_code == 200
    assert f"rendered preview preview-thumb of asset {asset_id}" in caplog.text
    body, _ = metrics.exposition(app, None)
    families = {family.name: family for family in text_string_to_metric_families(body.decode())}
    renders = [
        sample.labels
        for sample in families["vitrine_render_seconds"].samples
        if sample.name.endswith("_count") and sample.value
    ]
    assert renders == [{"preset": "preview-thumb", "kind": "preview"}]
    lookups = {
        sample.labels["result"]: sample.labels["kind"]
        for sample in families["vitrine_variant_cache"].samples
        if sample.name.endswith("_total") and sample.value
    }
    assert lookups == {"miss": "preview", "hit": "preview"}


def test_an_upload_renders_the_previews_ahead_and_no_publishable_variant(
    make_app: Any, tokens: Tokens
) -> None:
    app = make_app(EAGER_PREVIEWS=True)
    assert app.extensions["vitrine.eager_presets"] == ()
    response = upload(app.test_client(), tokens["contributor"], photos.jpeg_plain(800, 600))
    assert response.status_code == 201
    made = {(row.preset, row.kind, row.status) for row in rows(app)}
    assert made == {("preview-thumb", "preview", "ready"), ("preview-page", "preview", "ready")}
    assert jobs.DEFAULT_EAGER_PRESETS == ""
