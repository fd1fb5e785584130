"""Issue 11: no route yields a publishable variant of an asset whose audit fails, without a
recorded override. Variant blobs are named with a server-side secret, ``/blobs`` serves only
current publishable variants, and a rights change deletes the variants rendered under the old
rights at once, so that a signed URL handed out while the asset passed stops working (an S3
presigned URL cannot be revoked: its blob is deleted)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.http import database as db
from service.media import render
from service.rules import keys
from service.rules.presets import DEFAULT_PRESETS
from service.services import variants
from service.services.rights import rights_of
from service.storage.models import Asset, Variant
from tests.support.api import cleared_asset, fetch_variant, get
from tests.support.web import add_user, browser_like, parse, signed_in

Tokens = dict[str, dict[str, str]]

# How each state the audit refuses is reached from a cleared asset.
FAILING = {
    "unknown": {"status": "unknown"},
    "restricted": {"status": "restricted"},
    "embargoed": {"embargo_until": "2999-01-01"},
    "expired": {"expires_at": "2001-01-01"},
}
PRESETS = ("x", "thumb", "web-large")  # social, and the two web sizes the previews once were


def ours(app: Flask, url: str) -> bool:
    """The app's own URLs and the blob store's; not a licence's page on the web."""
    host = urlsplit(url).netloc
    endpoint = urlsplit(app.config.get("S3_ENDPOINT_URL") or "").netloc
    return host in ("", "localhost") or host == endpoint


def reachable(app: Flask, client: FlaskClient, url: str, **kwargs: Any) -> Iterator[bytes]:
    """Every body a URL leads to, following redirects (to S3 too)."""
    for _ in range(3):
        if not ours(app, url):
            return
        status, body, location = get(app, client, url, **kwargs)
        yield body
        if status not in (301, 302, 303, 307) or not location:
            return
        url = location


def links(html: str) -> list[str]:
    """The images and links of a page that a viewer's browser would fetch or follow."""
    found = []
    for element in parse(html).iter():
        for attribute in ("src", "href"):
            value = element.attrs.get(attribute, "")
            if value.startswith(("/", "http")) and not value.startswith("/logout"):
                found.append(value)
    return found


def urls_in(document: Any) -> list[str]:
    """Every URL-like string in a JSON document."""
    text = json.dumps(document)
    return re.findall(r'"((?:/|https?://)[^"\s]+)"', text)


def computed_keys(app: Flask, asset_id: int) -> list[str]:
    """Blob keys a viewer could compute from what they can read: the asset's hash, each
    preset's spec, the focal point, the rights written in and the rights revision."""
    found = []
    with app.app_context(), db.new_session() as session:
        asset = session.get(Asset, asset_id)
        assert asset is not None
        stamp = variants.stamp_for(session, asset)
        revision = rights_of(session, asset).revision
        for name in PRESETS:
            preset = DEFAULT_PRESETS[name]
            extension = {"jpeg": "jpg", "webp": "webp", "avif": "avif"}[preset.format]
            for rights_revision in range(revision + 1):
                key = variants.variant_key(
                    asset, preset, stamp, render.DEFAULT_CREDIT_FONT,
                    rights_revision=rights_revision,
                )  # fmt: skip
                sha = asset.sha256
                found += [
                    f"variants/{sha[:2]}/{sha}/{name}-{key[:16]}.{extension}",  # the old layout
                    f"variants/{key[:2]}/{key}.{extension}",
                    f"variants/{sha[:2]}/{sha}.{extension}",
                ]
    return found


def unsigned_bucket_url(app: Flask, key: str) -> str:
    config = app.config
    return f"{config['S3_ENDPOINT_URL']}/{config['S3_BUCKET']}/{config['S3_KEY_PREFIX']}{key}"


@pytest.mark.parametrize("state", FAILING)
def test_no_route_yields_publishable_bytes_of_an_asset_whose_audit_fails(
    app: Flask, client: FlaskClient, tokens: Tokens, state: str
) -> None:
    asset_id = cleared_asset(client, tokens)
    add_user(app, "vera", "viewer")
    web = browser_like(app.test_client())
    signed_in(web, "vera")

    # While the asset passes, a viewer is handed signed URLs every way there is.
    handed_out: list[str] = []
    for name in PRESETS:
        url, _ = fetch_variant(app, client, asset_id, name, tokens["viewer"])
        handed_out.append(url)
        image = client.get(
            f"/api/v1/assets/{asset_id}/variants/{name}/image", headers=tokens["viewer"]
        )
        assert image.status_code == 302
        handed_out.append(image.headers["Location"])
        download = web.get(f"/assets/{asset_id}/variants/{name}/download")
        assert download.status_code == 302
        handed_out.append(download.headers["Location"])
    old_blobs = [row.blob_key for row in rows(app)]

    # The rights change so that the audit fails.
    changed = client.put(
        f"/api/v1/assets/{asset_id}/rights", json=FAILING[state], headers=tokens["rights"]
    )
    assert changed.status_code == 200, changed.json
    store = app.extensions["vitrine.store"]
    assert not any(store.exists(key) for key in old_blobs)

    # What the gate would hand out for this state, but only with a recorded override.
    forbidden = set()
    override = {"override": "true", "reason": "Checked by the director"}
    for name in PRESETS:
        _, body = fetch_variant(app, client, asset_id, name, tokens["rights"], **override)
        forbidden.add(body)
    assert len(forbidden) == len(PRESETS)

    seen: list[tuple[str, bytes]] = []

    def visit(url: str, client_: FlaskClient, **kwargs: Any) -> None:
        seen.extend((url, body) for body in reachable(app, client_, url, **kwargs))

    viewer = tokens["viewer"]
    for name in PRESETS:
        for suffix in ("", "/image"):
            url = f"/api/v1/assets/{asset_id}/variants/{name}{suffix}"
            refused = client.get(url, headers=viewer)
            assert refused.status_code == 409, refused.json
            assert "url" not in refused.json
            visit(url, client, headers=viewer)
        visit(f"/assets/{asset_id}/variants/{name}/download", web)
    for path in ("", "/metadata", "/rights", "/history", "/captions/x"):
        document = client.get(f"/api/v1/assets/{asset_id}{path}", headers=viewer).json
        for url in urls_in(document):
            visit(url, client, headers=viewer)
    for path in (f"/assets/{asset_id}", "/library", f"/audits?ids={asset_id}"):
        html = web.get(path).get_data(as_text=True)
        for url in links(html):
            visit(url, web)
    for size in ("thumb", "page"):
        visit(f"/assets/{asset_id}/preview/{size}", web)
    for url in handed_out:
        visit(url, client)
    signature = urlsplit(handed_out[0]).query
    for key in computed_keys(app, asset_id) + [row.blob_key for row in rows(app)]:
        visit(f"/blobs/{key}", client)
        visit(f"/blobs/{key}?{signature}", client)  # a signature for another key, bent
        if app.config["BLOB_BACKEND"] == "s3":
            visit(unsigned_bucket_url(app, key), client)

    leaks = [url for url, body in seen if body in forbidden]
    assert leaks == []
    assert [url for url in handed_out if get(app, client, url)[0] == 200] == []


def rows(app: Flask) -> list[Variant]:
    with app.app_context(), db.new_session() as session:
        return list(session.query(Variant).order_by(Variant.id))


def test_variant_blob_names_are_keyed_with_the_servers_secret(
    app: Flask, make_app: Any, client: FlaskClient, tokens: Tokens
) -> None:
    asset_id = cleared_asset(client, tokens)
    fetch_variant(app, client, asset_id, "x", tokens["viewer"])
    [row] = rows(app)
    sha = client.get(f"/api/v1/assets/{asset_id}", headers=tokens["viewer"]).json["sha256"]
    name = row.blob_key.rsplit("/", 1)[1].removesuffix(".jpg")
    assert sha not in row.blob_key and row.key not in row.blob_key
    secret = keys.derived_key(app.config["SECRET_KEY"], keys.VARIANT_NAME)
    assert name == hmac.new(secret, row.key.encode(), hashlib.sha256).hexdigest()
    assert row.blob_key == f"variants/{name[:2]}/{name}.jpg"
    other = make_app(SECRET_KEY="another-secret-of-this-deployment")
    settings = variants.RenderSettings.of(other.config)
    elsewhere = variants.variant_blob_key(DEFAULT_PRESETS["x"], row.key, settings.naming_key)
    assert elsewhere != row.blob_key


@pytest.mark.parametrize("blob_settings", ["local"], indirect=True)  # /blobs is the local store's
def test_signed_blob_urls_serve_only_current_publishable_variants(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    store = app.extensions["vitrine.store"]
    asset_id = cleared_asset(client, tokens)
    url, _ = fetch_variant(app, client, asset_id, "x", tokens["viewer"])
    assert get(app, client, url)[0] == 200
    add_user(app, "vera", "viewer")
    web = browser_like(app.test_client())
    signed_in(web, "vera")
    assert web.get(f"/assets/{asset_id}/preview/thumb", buffered=True).status_code == 200
    by_kind = {row.kind: row.blob_key for row in rows(app)}
    with app.app_context(), db.new_session() as session:
        asset = session.get(Asset, asset_id)
        assert asset is not None
        original = asset.blob_key
    for key in (original, by_kind["preview"], "variants/00/nothing.jpg", "previews"):
        assert get(app, client, store.signed_url(key, 60))[0] == 404, key
    # A deleted asset's variant stops being served at once, signed URL or not.
    assert client.delete(f"/api/v1/assets/{asset_id}", headers=tokens["admin"]).status_code == 204
    assert get(app, client, url)[0] == 404


def test_a_rights_change_that_keeps_the_audit_passing_replaces_the_variants_too(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    asset_id = cleared_asset(client, tokens)
    old_url, _ = fetch_variant(app, client, asset_id, "x", tokens["viewer"])
    [old] = rows(app)
    changed = client.put(
        f"/api/v1/assets/{asset_id}/rights", json={"notes": "Re-checked"},
        headers=tokens["rights"],
    )  # fmt: skip
    assert changed.status_code == 200
    assert not app.extensions["vitrine.store"].exists(old.blob_key)
    assert get(app, client, old_url)[0] != 200
    new_url, _ = fetch_variant(app, client, asset_id, "x", tokens["viewer"])
    [new] = rows(app)
    assert new.key != old.key and new.rights_revision == old.rights_revision + 1
    assert get(app, client, new_url)[0] == 200


def test_a_variant_rendered_while_the_rights_change_is_never_handed_out(
    app: Flask, client: FlaskClient, tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    asset_id = cleared_asset(client, tokens)
    real = render.render_decoded  # every render, from an original or its working copy

    def restricted_meanwhile(*args: Any, **kwargs: Any) -> Any:
        rendered = real(*args, **kwargs)
        changed = app.test_client().put(
            f"/api/v1/assets/{asset_id}/rights", json={"status": "restricted"},
            headers=tokens["rights"],
        )  # fmt: skip
        assert changed.status_code == 200, changed.json
        return rendered

    monkeypatch.setattr(render, "render_decoded", restricted_meanwhile)
    response = client.get(f"/api/v1/assets/{asset_id}/variants/x", headers=tokens["viewer"])
    assert (response.status_code, response.json["code"]) == (503, "render-busy")
    assert "url" not in response.json
    assert rows(app) == []
    assert list(app.extensions["vitrine.store"].keys("variants/")) == []
    monkeypatch.setattr(render, "render_decoded", real)
    again = client.get(f"/api/v1/assets/{asset_id}/variants/x", headers=tokens["viewer"])
    assert (again.status_code, again.json["code"]) == (409, "audit-failed")
