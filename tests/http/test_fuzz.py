"""Every operation of openapi.yaml, fuzzed by schemathesis against the real app.

Schemathesis generates requests from the spec, valid ones and deliberately invalid ones,
sends them through the app (SQLite and a local blob store, with an admin token and a
cleared asset to find), and checks each answer: never a 5xx, and a status code, media
type, headers and body that the spec documents for that operation.

``make test`` runs a few examples per operation with a fixed seed, so that a run is
repeatable and takes about a minute; ``make fuzz`` sets ``VITRINE_FUZZ_EXAMPLES`` higher.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import update

from service.http import database as db
from service.services import accounts as auth
from service.storage.models import ApiToken
from tests.support import photos
from tests.support.api import clear, upload

SPEC_PATH = Path(__file__).resolve().parents[2] / "openapi.yaml"
EXAMPLES = int(os.environ.get("VITRINE_FUZZ_EXAMPLES", "12"))
# make fuzz may also point it at PostgreSQL: VITRINE_FUZZ_DATABASE=postgresql.
DATABASE = os.environ.get("VITRINE_FUZZ_DATABASE", "sqlite")
SEED = int(os.environ.get("VITRINE_FUZZ_SEED", "20260611"))
# Far from the small ids a fuzzer tries first, so DELETE /tokens/{id} rarely revokes it.
FUZZER_TOKEN_ID = 7_654_321

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


schema = schemathesis.openapi.from_path(SPEC_PATH)


@functools.cache
def basket_jpeg() -> bytes:
    """A photo with its rights embedded, made once: every operation's app gets a copy."""
    return photos.jpeg_with_rights(width=2400, height=1800, orientation=1)


@pytest.fixture
def fuzz_target(app: Flask, tokens: dict[str, dict[str, str]]) -> tuple[Flask, dict[str, str]]:
    """The app with a cleared asset in it (id 1), a campaign planning a post of it, and an
    admin token for the fuzzer."""
    client = app.test_client()
    fields = {"title": "Basket", "alt_text": "A woven basket.", "tags": "MuseumWeek"}
    created = upload(client, tokens["contributor"], basket_jpeg(), **fields)
    assert created.status_code == 201, created.json
    assert clear(client, tokens, created.json["id"]).status_code == 200
    # A campaign (id 1) with a day (id 1) and a post (id 1) of that asset, for the campaign
    # routes to find.
    plan = {
        "name": "MuseumWeek",
        "timezone": "Europe/London",
        "days": [{"date": "2016-03-28", "posts": [
            {"time": "09:30", "platforms": ["x"], "media": [created.json["id"]]}
        ]}],
    }  # fmt: skip
    campaign = client.post("/api/v1/campaigns", json=plan, headers=tokens["contributor"])
    assert campaign.status_code == 201, campaign.json
    with app.app_context(), db.new_session() as session:
        token, plaintext = auth.create_token(
            session, name="fuzzer", role="admin", created_by="test"
        )
        session.flush()
        session.execute(update(ApiToken).where(ApiToken.id == token.id).values(id=FUZZER_TOKEN_ID))
        session.commit()
    return app, {"Authorization": f"Bearer {plaintext}"}


@pytest.mark.parametrize("database_url", [DATABASE], indirect=True)
@pytest.mark.parametrize("blob_settings", ["local"], indirect=True)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@seed(SEED)
def test_the_api_answers_every_generated_request_as_its_spec_says_without_a_5xx(
    case: Any, fuzz_target: tuple[Flask, dict[str, str]]
) -> None:
    app, headers = fuzz_target
    # buffered: werkzeug reads and closes streamed bodies (originals, images) at once.
    case.call_and_validate(app=app, headers=headers, checks=CHECKS, buffered=True)


# What the fuzzer found, pinned down on every database.


@pytest.mark.parametrize("blob_settings", ["local"], indirect=True)
def test_an_id_too_large_for_the_database_answers_404_in_a_path_and_422_in_a_body(
    app: Flask, tokens: dict[str, dict[str, str]]
) -> None:
    client = app.test_client()
    for huge in (2**31, 2**63, 10**30):
        for path in (f"/api/v1/assets/{huge}", f"/api/v1/assets/{huge}/captions/x"):
            response = client.get(path, headers=tokens["viewer"])
            assert response.status_code == 404, (path, response.json)
            assert response.json["code"] == "not-found"
        audit = client.post("/api/v1/audits", json={"asset_ids": [huge]}, headers=tokens["viewer"])
        assert audit.status_code == 422, audit.json
        preview = client.post(
            "/api/v1/captions/preview",
            json={"asset_id": huge, "platform": "x"},
            headers=tokens["viewer"],
        )
        assert preview.status_code in (404, 422), preview.json


@pytest.mark.parametrize("blob_settings", ["local"], indirect=True)
def test_a_nul_character_in_a_search_is_answered_without_a_500(
    app: Flask, tokens: dict[str, dict[str, str]]
) -> None:
    client = app.test_client()
    listing = client.get("/api/v1/assets?q=a%00b", headers=tokens["viewer"])
    audit = client.post(
        "/api/v1/audits", json={"filter": {"tag": "a\x00b"}}, headers=tokens["viewer"]
    )
    for response in (listing, audit):
        # SQLite searches for it (and finds nothing); PostgreSQL text cannot hold it.
        assert response.status_code in (200, 422), response.json
        if response.status_code == 422:
            assert response.json["code"] == "invalid-input"
