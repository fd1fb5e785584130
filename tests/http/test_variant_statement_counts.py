"""The asset JSON and a cached variant's JSON run a fixed few statements (issue 13): at most 8,
as many for an asset with one tag, no stored caption and no history as for one with many; and
the gate still reads what is current on every request, whichever process changed it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from service.http import database as db
from service.storage.db import utcnow
from service.storage.models import ApiToken
from tests.support.api import cleared_asset
from tests.support.database import counting_statements

Tokens = dict[str, dict[str, str]]
MAX_STATEMENTS = 8

# What is counted is the database's work: the local store is enough.
pytestmark = pytest.mark.parametrize("blob_settings", ["local"], indirect=True)


def _plain_and_rich(client: FlaskClient, tokens: Tokens) -> tuple[int, int]:
    """Two cleared assets: one as uploaded, one with much (``_with_much``)."""
    plain, rich = (
        cleared_asset(client, tokens, width=1800),
        cleared_asset(client, tokens, width=1801),
    )
    _with_much(client, tokens, rich)
    return plain, rich


def _with_much(client: FlaskClient, tokens: Tokens, asset_id: int) -> None:
    """Give the asset 40 tags, stored captions for other platforms and a long history."""
    headers = tokens["contributor"]
    tags = [f"tag{number}" for number in range(40)]
    for title in ("Basket", "A basket", "Somali wedding basket"):
        patched = client.patch(
            f"/api/v1/assets/{asset_id}", json={"title": title, "tags": tags}, headers=headers
        )
        assert patched.status_code == 200, patched.json
    for platform in ("instagram", "facebook", "linkedin"):
        body = {"text": f"A basket for {platform}.", "alt_text": "A basket."}
        put = client.put(f"/api/v1/assets/{asset_id}/captions/{platform}", json=body,
                         headers=headers)  # fmt: skip
        assert put.status_code == 200, put.json


def _counted(app: Flask, client: FlaskClient, url: str, headers: dict[str, str]) -> list[str]:
    """The statements of a second request for ``url`` (the first stamps the token's use and,
    for a variant, renders it)."""
    assert client.get(url, headers=headers).status_code == 200
    with counting_statements(app) as statements:
        answer = client.get(url, headers=headers)
    assert answer.status_code == 200, answer.json
    return statements


def test_the_asset_json_runs_a_fixed_few_statements_whatever_the_asset_holds(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    plain, rich = _plain_and_rich(client, tokens)
    counts = [
        len(_counted(app, client, f"/api/v1/assets/{asset_id}", tokens["viewer"]))
        for asset_id in (plain, rich)
    ]
    assert counts[0] == counts[1] <= MAX_STATEMENTS, counts


def test_a_cached_variant_runs_a_fixed_few_statements_whatever_the_asset_holds(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    plain, rich = _plain_and_rich(client, tokens)
    counted = [
        _counted(app, client, f"/api/v1/assets/{asset_id}/variants/x", tokens["viewer"])
        for asset_id in (plain, rich)
    ]
    counts = [len(statements) for statements in counted]
    assert counts[0] == counts[1] <= MAX_STATEMENTS, "\n".join(counted[1])
    # A cached variant is read, never written: no claim, no render, no token stamp.
    assert not any(s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
                   for s in counted[1])  # fmt: skip


def test_a_hand_written_caption_keeps_the_variant_within_the_same_few_statements(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    asset_id = cleared_asset(client, tokens, width=1800)
    body = {"text": "A Somali wedding basket. © Trustees of the British Museum"}
    put = client.put(f"/api/v1/assets/{asset_id}/captions/x", json=body,
                     headers=tokens["contributor"])  # fmt: skip
    assert put.status_code == 200, put.json
    url = f"/api/v1/assets/{asset_id}/variants/x"
    statements = _counted(app, client, url, tokens["viewer"])
    assert len(statements) <= MAX_STATEMENTS, "\n".join(statements)
    assert client.get(url, headers=tokens["viewer"]).json["caption"] == body["text"]


def test_a_token_used_a_minute_ago_is_stamped_once_and_the_request_reads_its_new_time(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    headers = tokens["admin"]
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    long_ago = utcnow() - timedelta(minutes=5)
    with app.app_context(), db.new_session() as session:
        session.execute(update(ApiToken).values(last_used_at=long_ago))
        session.commit()

    with counting_statements(app) as stamped:
        listed = client.get("/api/v1/tokens", headers=headers)
    assert listed.status_code == 200
    mine = next(item for item in listed.json["items"] if item["name"] == "admin-user")
    assert mine["last_used_at"] > long_ago.isoformat()  # what was written, not what was read
    assert sum(s.lstrip().upper().startswith("UPDATE") for s in stamped) == 1

    with counting_statements(app) as again:
        assert client.get("/api/v1/tokens", headers=headers).status_code == 200
    assert not any(s.lstrip().upper().startswith("UPDATE") for s in again)


def test_what_another_worker_changes_is_in_force_on_this_workers_next_cached_variant(
    app: Flask, client: FlaskClient, tokens: Tokens, make_app: object
) -> None:
    assert callable(make_app)
    other = make_app().test_client()  # another gunicorn worker: same database and store
    asset_id = cleared_asset(client, tokens, width=1800)
    url = f"/api/v1/assets/{asset_id}/variants/x"
    first = client.get(url, headers=tokens["viewer"])
    assert first.status_code == 200, first.json
    assert first.json["credit_line"] == "© Trustees of the British Museum"

    # The shipped policy, never saved, is replaced by the other worker...
    policy = other.get("/api/v1/credit-policies", headers=tokens["viewer"]).json
    rules = [dict(rule) for rule in policy["rules"]]
    for rule in rules:
        if rule["holder"] == "Trustees of the British Museum":
            rule["credit_line"] = "Photo © The Trustees of the British Museum"
    put = other.put("/api/v1/credit-policies", json={"rules": rules}, headers=tokens["admin"])
    assert put.status_code == 200, put.json
    # ...and this worker's next answer carries the new wording.
    renewed = client.get(url, headers=tokens["viewer"])
    assert renewed.status_code == 200, renewed.json
    assert renewed.json["credit_line"] == "Photo © The Trustees of the British Museum"
    assert renewed.json["url"] != first.json["url"]
    assert client.get(url, headers=tokens["viewer"]).json["credit_line"] == (
        "Photo © The Trustees of the British Museum"
    )

    # A preset changed, then one added, by the other worker's admin: in force here at once.
    narrower = {"width": 640, "height": 640, "fit": "cover"}
    changed = other.put("/api/v1/presets/x", json=narrower, headers=tokens["admin"])
    assert changed.status_code == 200, changed.json
    square = client.get(url, headers=tokens["viewer"])
    assert (square.json["width"], square.json["height"]) == (640, 640), square.json
    missing = client.get(f"/api/v1/assets/{asset_id}/variants/banner", headers=tokens["viewer"])
    assert missing.status_code == 404 and "banner" in missing.json["detail"], missing.json
    added = other.put("/api/v1/presets/banner", json={"width": 900, "height": 300, "fit": "cover"},
                      headers=tokens["admin"])  # fmt: skip
    assert added.status_code == 201, added.json
    banner = client.get(f"/api/v1/assets/{asset_id}/variants/banner", headers=tokens["viewer"])
    assert (banner.json["width"], banner.json["height"]) == (900, 300), banner.json
    gone = client.get(f"/api/v1/assets/{asset_id + 99}/variants/banner", headers=tokens["viewer"])
    assert gone.status_code == 404 and "banner" not in gone.json["detail"], gone.json

    # The rights withdrawn by the other worker: this worker refuses at once.
    pending = other.put(f"/api/v1/assets/{asset_id}/rights", json={"status": "pending"},
                        headers=tokens["rights"])  # fmt: skip
    assert pending.status_code == 200, pending.json
    refused = client.get(url, headers=tokens["viewer"])
    assert refused.status_code == 409, refused.json
    assert "url" not in refused.json

    # Deleted by the other worker: gone here too.
    assert other.delete(f"/api/v1/assets/{asset_id}", headers=tokens["admin"]).status_code == 204
    assert client.get(url, headers=tokens["viewer"]).status_code == 404


def test_an_unknown_asset_is_404_before_a_platform_the_preset_refuses(
    client: FlaskClient, tokens: Tokens
) -> None:
    asset_id = cleared_asset(client, tokens, width=1800)
    for url, status in (
        (f"/api/v1/assets/{asset_id + 1}/variants/instagram-square?platform=x", 404),
        (f"/api/v1/assets/{asset_id}/variants/instagram-square?platform=x", 422),
        (f"/api/v1/assets/{asset_id}/variants/x?platform=nowhere", 422),
    ):
        answer = client.get(url, headers=tokens["viewer"])
        assert answer.status_code == status, (url, answer.json)
