"""Captioned variants behind the publish gate: rendered once, cached, signed, or refused."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import exifread
import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from service.config import ConfigError
from service.media import render
from tests.support import photos
from tests.support.api import clear, cleared_asset, fetch, upload
from tests.support.database import counting_statements, variant_rows
from tests.support.rights import BM


def test_a_variant_is_refused_with_409_and_the_failing_checks_until_the_audit_passes(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    asset_id = upload(client, tokens["contributor"], photos.jpeg_with_rights()).json["id"]
    refused = client.get(f"/api/v1/assets/{asset_id}/variants/x", headers=tokens["viewer"])
    assert refused.status_code == 409
    assert refused.mimetype == "application/problem+json"
    problem = refused.json
    assert problem["code"] == "audit-failed"
    assert "url" not in problem
    failing = {check["check"] for check in problem["checks"]}
    assert {"rights_status_cleared", "licence_allows_channel", "alt_text_present"} <= failing
    assert variant_rows(app) == []  # nothing was rendered for a refused asset


def test_a_cleared_asset_gets_a_captioned_variant_with_its_rights_written_in(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    asset_id = cleared_asset(client, tokens)
    response = client.get(f"/api/v1/assets/{asset_id}/variants/x", headers=tokens["viewer"])
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["width"], body["height"], body["media_type"]) == (1600, 900, "image/jpeg")
    assert BM in body["caption"]
    assert body["credit_line"] == BM
    assert body["alt_text"] == "A woven basket with a conical lid."
    assert body["licence"] == "http://creativecommons.org/licenses/by/4.0/"
    assert body["audit"]["outcome"] == "pass"
    checks = {c["check"]: c["status"] for c in body["audit"]["checks"]}
    assert checks["no_private_metadata_in_output"] == "pass"
    assert checks["credit_line_in_output_metadata"] == "pass"
    data = fetch(app, client, body["url"])
    assert len(data) == body["bytes"]
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (1600, 900)
    tags = exifread.process_file(io.BytesIO(data), details=False)
    assert not [name for name in tags if name.startswith("GPS")]
    assert "Image Copyright" in tags


def test_the_same_variant_is_rendered_once_and_a_focal_point_change_makes_a_new_one(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    asset_id = cleared_asset(client, tokens)
    url = f"/api/v1/assets/{asset_id}/variants/instagram-square"
    first = client.get(url, headers=tokens["viewer"]).json
    second = client.get(url, headers=tokens["viewer"]).json
    [row] = variant_rows(app)
    assert row.status == "ready"
    assert first["bytes"] == second["bytes"]
    moved = client.put(f"/api/v1/assets/{asset_id}/focal-point", json={"x": 0.1, "y": 0.9},
                       headers=tokens["contributor"])  # fmt: skip
    assert moved.status_code == 200
    client.get(url, headers=tokens["viewer"])
    [newer] = variant_rows(app)
    assert newer.key != row.key
    store = app.extensions["vitrine.store"]
    assert not store.exists(row.blob_key)
    assert store.exists(newer.blob_key)
    for bad in ({"x": 2, "y": 0.5}, {"x": "left", "y": 0.5}, {"x": 0.5}):
        assert client.put(f"/api/v1/assets/{asset_id}/focal-point", json=bad,
                          headers=tokens["contributor"]).status_code == 422  # fmt: skip


def test_a_cached_variant_is_answered_with_a_handful_of_queries_reading_the_policy_once(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    asset_id = cleared_asset(client, tokens)
    url = f"/api/v1/assets/{asset_id}/variants/instagram-square"
    assert client.get(url, headers=tokens["viewer"]).status_code == 200  # rendered
    with counting_statements(app) as computed:
        first = client.get(url, headers=tokens["viewer"])
    with counting_statements(app) as remembered:
        again = client.get(url, headers=tokens["viewer"])
    assert first.status_code == again.status_code == 200
    unsigned = {"url": "", "expires_at": ""}
    assert {**first.json, **unsigned} == {**again.json, **unsigned}
    # The token; then the asset with its tags, rights, caption and variant, the admin's
    # change to the preset and template, and the policy, in one (publishing.gather).
    gathered = [
        s for s in computed if "FROM credit_policy_versions" in s and "encode(sha256(" not in s
    ]
    assert len(gathered) == 1 and "preset_changes" in gathered[0], "\n".join(computed)
    if app.extensions["vitrine.engine"].dialect.name == "sqlite":
        assert len(computed) == len(remembered) == 2, "\n".join(computed)
    else:
        # And the digest of all that, before and after (answer_cache): the next request
        # reads the token and the digest, and is answered from what was computed.
        assert len(computed) == 4, "\n".join(computed)
        assert len(remembered) == 2 and "encode(sha256(" in remembered[1], "\n".join(remembered)


def test_concurrent_first_requests_render_a_variant_once(
    app: Flask, tokens: dict[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    asset_id = cleared_asset(app.test_client(), tokens)
    calls: list[str] = []
    real = render.decode

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append("render")
        return real(*args, **kwargs)

    monkeypatch.setattr(render, "decode", counting)
    results: list[int] = []

    def ask() -> None:
        response = app.test_client().get(
            f"/api/v1/assets/{asset_id}/variants/linkedin", headers=tokens["viewer"]
        )
        results.append(response.status_code)

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert results == [200] * 6
    assert calls == ["render"]
    assert len(variant_rows(app)) == 1


def test_a_rights_manager_may_override_a_failing_audit_with_a_reason_kept_in_history(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    asset_id = upload(client, tokens["contributor"], photos.jpeg_with_rights()).json["id"]
    base = f"/api/v1/assets/{asset_id}/variants/bluesky"
    assert (
        client.get(base + "?override=true&reason=press", headers=tokens["contributor"]).status_code
        == 403
    )
    assert client.get(base + "?override=true", headers=tokens["rights"]).status_code == 422
    overridden = client.get(
        base + "?override=true&reason=Director+approved", headers=tokens["rights"]
    )
    assert overridden.status_code == 200, overridden.json
    assert overridden.json["overridden"] is True
    assert overridden.json["audit"]["outcome"] == "fail"
    history = client.get(f"/api/v1/assets/{asset_id}/history", headers=tokens["viewer"]).json[
        "items"
    ]
    [entry] = [h for h in history if h["field"] == "publish.override.bluesky"]
    assert entry["actor"] == "token:rights-user"
    assert entry["after"]["reason"] == "Director approved"
    assert "rights_status_cleared" in entry["after"]["failing_checks"]


def test_the_image_route_redirects_to_a_signed_url_that_cannot_be_bent_to_an_original(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    asset_id = cleared_asset(client, tokens)
    redirected = client.get(
        f"/api/v1/assets/{asset_id}/variants/thumb/image", headers=tokens["viewer"]
    )
    assert redirected.status_code == 302
    location = redirected.headers["Location"]
    data = fetch(app, client, location)
    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.size) == ("WEBP", (400, 400))
    if app.config["BLOB_BACKEND"] == "local":
        path, _, query = location.removeprefix("http://localhost").partition("?")
        sha = client.get(f"/api/v1/assets/{asset_id}", headers=tokens["viewer"]).json["sha256"]
        original = f"/blobs/originals/{sha[:2]}/{sha[2:4]}/{sha}?{query}"
        assert client.get(original, buffered=True).status_code == 404
        name = path.rsplit("/", 1)[1]
        other = path.replace(name, "0" * 8 + name[8:]) + "?" + query
        assert client.get(other, buffered=True).status_code in (403, 404)


def test_presets_are_listed_and_an_unknown_preset_is_404(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    listed = client.get("/api/v1/presets", headers=tokens["viewer"]).json["items"]
    names = {preset["name"] for preset in listed}
    assert {"x", "instagram-square", "instagram-portrait", "instagram-story", "instagram-grid",
            "facebook", "og", "linkedin", "bluesky", "bluesky-2000", "mastodon", "thumb",
            "web-large"} <= names  # fmt: skip
    bluesky = next(p for p in listed if p["name"] == "bluesky")
    assert bluesky["max_bytes"] == 2_000_000
    older = next(p for p in listed if p["name"] == "bluesky-2000")
    assert older["max_bytes"] == 976_560
    asset_id = cleared_asset(client, tokens)
    missing = client.get(f"/api/v1/assets/{asset_id}/variants/myspace", headers=tokens["viewer"])
    assert missing.status_code == 404


def test_configured_presets_override_the_built_ins(
    make_app: Any, tokens: dict[str, dict[str, str]]
) -> None:
    app = make_app(PRESETS='{"bluesky": {"width": 2000, "height": 2000, "max_bytes": 976560}}')
    listed = app.test_client().get("/api/v1/presets", headers=tokens["viewer"]).json["items"]
    bluesky = next(p for p in listed if p["name"] == "bluesky")
    assert (bluesky["width"], bluesky["max_bytes"]) == (2000, 976_560)


def test_a_policy_that_asks_for_burn_in_gets_the_credit_in_the_pixels(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    policy = client.get("/api/v1/credit-policies", headers=tokens["viewer"]).json
    rules = [{**rule, "burn_in": True, "placement": "band"} for rule in policy["rules"]]
    assert (
        client.put(
            "/api/v1/credit-policies", json={"rules": rules}, headers=tokens["admin"]
        ).status_code
        == 200
    )
    asset_id = cleared_asset(client, tokens)
    body = client.get(f"/api/v1/assets/{asset_id}/variants/x", headers=tokens["viewer"]).json
    checks = {c["check"]: c for c in body["audit"]["checks"]}
    assert checks["credit_line_in_pixels"]["status"] == "pass"
    assert checks["credit_line_in_pixels"]["code"] == "burned_in"


def burn_in_everything(client: FlaskClient, tokens: dict[str, dict[str, str]], *extra: Any) -> None:
    policy = client.get("/api/v1/credit-policies", headers=tokens["viewer"]).json
    rules = [{**rule, "burn_in": True} for rule in policy["rules"]] + list(extra)
    put = client.put("/api/v1/credit-policies", json={"rules": rules}, headers=tokens["admin"])
    assert put.status_code == 200, put.json


def test_a_credit_the_font_cannot_draw_is_a_422_with_the_reason_and_leaves_nothing_behind(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    tokyo = {"holder": "Tokyo National Museum", "credit_line": "© 東京国立博物館", "burn_in": True}
    burn_in_everything(client, tokens, tokyo)
    asset_id = upload(client, tokens["contributor"], photos.jpeg_plain(1600, 1200),
                      alt_text="A lacquered box.").json["id"]  # fmt: skip
    cleared = clear(client, tokens, asset_id, holder=tokyo["holder"],
                    credit_line=tokyo["credit_line"])  # fmt: skip
    assert cleared.status_code == 200, cleared.json
    store = app.extensions["vitrine.store"]
    variant_blobs = sorted(store.keys("variants/"))
    response = client.get(f"/api/v1/assets/{asset_id}/variants/x", headers=tokens["viewer"])
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == "variant-impossible"
    assert "東京国立博物館" in response.json["detail"]
    assert "VITRINE_CREDIT_FONT" in response.json["detail"]
    assert variant_rows(app) == []  # the claim was given back
    assert sorted(store.keys("variants/")) == variant_blobs  # and no blob was written


def test_a_new_credit_font_makes_new_burned_in_variants_and_a_bad_one_stops_the_app_starting(
    app: Flask,
    make_app: Callable[..., Flask],
    client: FlaskClient,
    tokens: dict[str, dict[str, str]],
    tmp_path: Path,
) -> None:
    burn_in_everything(client, tokens)
    asset_id = cleared_asset(client, tokens)
    url = f"/api/v1/assets/{asset_id}/variants/facebook"
    assert client.get(url, headers=tokens["viewer"]).status_code == 200
    [before] = variant_rows(app)
    other_font = tmp_path / "other.ttf"
    other_font.write_bytes(render.DEFAULT_CREDIT_FONT.read_bytes() + b"\0")
    relettered = make_app(CREDIT_FONT=str(other_font))
    assert relettered.test_client().get(url, headers=tokens["viewer"]).status_code == 200
    [after] = variant_rows(app)
    assert after.key != before.key and after.burned_in
    not_a_font = tmp_path / "notes.txt"
    not_a_font.write_text("not a font")
    with pytest.raises(ConfigError, match="VITRINE_CREDIT_FONT"):
        make_app(CREDIT_FONT=str(not_a_font))


def test_the_render_command_writes_cleared_variants_and_their_captions_to_a_folder(
    client: FlaskClient, runner: Any, tokens: dict[str, dict[str, str]], tmp_path: Any
) -> None:
    asset_id = cleared_asset(client, tokens)
    out = tmp_path / "out"
    result = runner.invoke(args=["render", str(asset_id), "x", "thumb", "--out", str(out)])
    assert result.exit_code == 0, result.output
    images = sorted(p for p in out.iterdir() if p.suffix in (".jpg", ".webp"))
    assert [p.suffix for p in images] == [".webp", ".jpg"] or [p.suffix for p in images] == [
        ".jpg",
        ".webp",
    ]
    for image_path in images:
        with Image.open(image_path) as image:
            assert image.size in ((1600, 900), (400, 400))
        assert BM in image_path.with_suffix(".txt").read_text()
    blocked = upload(client, tokens["contributor"], photos.jpeg_plain(300, 300)).json["id"]
    refused = runner.invoke(args=["render", str(blocked), "x", "--out", str(out)])
    assert refused.exit_code == 1
    assert "refused" in refused.output
    assert runner.invoke(args=["render", str(asset_id), "myspace"]).exit_code == 2


def test_a_rights_change_invalidates_the_variant_and_the_new_one_carries_it(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    asset_id = cleared_asset(client, tokens)
    url = f"/api/v1/assets/{asset_id}/variants/facebook"
    client.get(url, headers=tokens["viewer"])
    [before] = variant_rows(app)
    changed = client.put(f"/api/v1/assets/{asset_id}/rights", json={"creator": "Sahara Dahir"},
                         headers=tokens["rights"])  # fmt: skip
    assert changed.status_code == 200
    body = client.get(url, headers=tokens["viewer"]).json
    [after] = variant_rows(app)
    assert after.key != before.key
    tags = exifread.process_file(io.BytesIO(fetch(app, client, body["url"])), details=False)
    assert str(tags["Image Artist"]) == "Sahara Dahir"
