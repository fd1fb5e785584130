"""Statements per request do not grow with the number of rows a report lists (issue 13)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import photos
from tests.support.api import upload
from tests.support.database import counting_statements


def _expiring_soon(
    client: FlaskClient, tokens: dict[str, dict[str, str]], first: int, n: int
) -> None:
    soon = (datetime.now(UTC).date() + timedelta(days=5)).isoformat()
    for number in range(first, first + n):
        made = upload(
            client, tokens["contributor"], photos.jpeg_plain(40 + number, 30), tags="a,b,c"
        )
        asset_id = made.json["id"]
        answer = client.put(
            f"/api/v1/assets/{asset_id}/rights", json={"expires_at": soon}, headers=tokens["rights"]
        )
        assert answer.status_code == 200, answer.json


def test_the_expiring_report_runs_the_same_statements_for_3_or_15_deadlines(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    counts = []
    client.get("/api/v1/rights/expiring?within_days=14", headers=tokens["viewer"])  # warm
    for first, n in ((0, 3), (3, 12)):
        _expiring_soon(client, tokens, first, n)
        with counting_statements(app) as statements:
            answer = client.get("/api/v1/rights/expiring?within_days=14", headers=tokens["viewer"])
        assert answer.status_code == 200
        assert len(answer.json["items"]) == first + n
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 6, counts  # the caller's token, the report, the transaction's end


def test_an_audit_over_the_cap_is_refused_by_counting_before_any_asset_row_is_loaded(
    app: Flask,
    client: FlaskClient,
    tokens: dict[str, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(app.config, "MAX_AUDIT_ASSETS", 3)
    for number in range(4):
        upload(client, tokens["contributor"], photos.jpeg_plain(60 + number, 30), tags="campaign")
    body = {"filter": {"tag": "campaign"}, "platform": "instagram", "channel": "social"}
    with counting_statements(app) as statements:
        refused = client.post("/api/v1/audits", json=body, headers=tokens["viewer"])
    assert refused.status_code == 422
    assert "more than 3" in str(refused.json)
    loaded = [s for s in statements if "assets.original_filename" in s]
    assert loaded == [], "the refusal loaded asset rows"
    monkeypatch.setitem(app.config, "MAX_AUDIT_ASSETS", 4)
    allowed = client.post("/api/v1/audits", json=body, headers=tokens["viewer"])
    assert allowed.status_code == 200, allowed.json
    assert len(allowed.json["reports"]) == 4
