"""Issue 11, abuse: on every route that reads JSON (the API's and the focal-point page's), a
body over VITRINE_MAX_JSON_BYTES answers 413 before it is read, and deeply nested JSON 400;
never 500, and nothing changes."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from tests.support import photos
from tests.support.api import upload
from tests.support.openapi import SPEC_PATH
from tests.support.web import add_user, browser_like, signed_in

pytestmark = pytest.mark.parametrize("blob_settings", ["local"], indirect=True)

LIMIT = 1_048_576  # the default of VITRINE_MAX_JSON_BYTES


def json_operations() -> list[tuple[str, str]]:
    """Every API operation openapi.yaml says takes a JSON body."""
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return [
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if method != "parameters"
        and "application/json" in operation.get("requestBody", {}).get("content", {})
    ]


def concrete(path: str, asset_id: int) -> str:
    return (
        path.replace("{asset_id}", str(asset_id))
        .replace("{platform}", "x")
        .replace("{preset_name}", "web-large")
        # None of these exist: the body is refused before anything is looked up.
        .replace("{campaign_id}", "1")
        .replace("{day_id}", "1")
        .replace("{post_id}", "1")
        .replace("{person_id}", "1")
        .replace("{consent_id}", "1")
    )


def oversized() -> bytes:
    """Valid JSON one byte over the limit."""
    head, tail = b'{"title": "', b'"}'
    return head + b"a" * (LIMIT + 1 - len(head) - len(tail)) + tail


BODIES: dict[str, tuple[bytes, int, str]] = {
    "over-the-limit": (oversized(), 413, "json-too-large"),
    "100k-brackets": (b"[" * 100_000, 400, "json-too-deep"),
    "100k-objects": (b'{"a":' * 100_000, 400, "json-too-deep"),
    "33-levels": (json.dumps(json.loads("[" * 33 + "]" * 33)).encode(), 400, "json-too-deep"),
}


def send(client: FlaskClient, method: str, path: str, body: bytes, **kwargs: Any) -> Any:
    return client.open(
        path,
        method=method,
        input_stream=io.BytesIO(body),
        content_length=len(body),
        content_type="application/json",
        **kwargs,
    )


@pytest.mark.parametrize("kind", BODIES)
def test_every_api_route_that_reads_json_bounds_its_size_and_depth(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]], kind: str
) -> None:
    asset = upload(client, tokens["contributor"], photos.jpeg_plain(40, 40)).json
    operations = json_operations()
    assert len(operations) >= 10
    body, status, code = BODIES[kind]
    for method, template in operations:
        path = concrete(template, asset["id"])
        response = send(client, method, path, body, headers=tokens["admin"])
        assert response.status_code == status, (method, path, response.status_code)
        assert response.mimetype == "application/problem+json"
        assert response.json["code"] == code
    assert client.get(f"/api/v1/assets/{asset['id']}", headers=tokens["viewer"]).json == asset


def test_a_json_body_without_a_length_stops_being_read_at_the_limit(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    # As gunicorn passes a chunked body: no Content-Length, a stream that ends by itself.
    response = client.open(
        "/api/v1/audits",
        method="POST",
        input_stream=io.BytesIO(oversized()),
        content_type="application/json",
        headers=tokens["viewer"],
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413
    assert response.json["code"] == "json-too-large"


def test_a_body_at_the_limit_and_32_levels_deep_is_read(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    asset = upload(client, tokens["contributor"], photos.jpeg_plain(41, 40)).json
    path = f"/api/v1/assets/{asset['id']}"
    head, tail = b'{"title": "', b'"}'
    at_limit = head + b"a" * (LIMIT - len(head) - len(tail)) + tail
    # Read, and refused for what it says (a title is at most 500 characters), not its size.
    assert send(client, "PATCH", path, at_limit, headers=tokens["admin"]).status_code == 422
    nested = json.dumps({"title": "t", "tags": json.loads("[" * 31 + "]" * 31)}).encode()
    assert send(client, "PATCH", path, nested, headers=tokens["admin"]).status_code == 422


def test_the_limit_is_the_setting(make_app: Any, tokens: dict[str, dict[str, str]]) -> None:
    small = make_app(MAX_JSON_BYTES=100).test_client()
    body = json.dumps({"asset_ids": [1], "platform": "x" * 100}).encode()
    response = send(small, "POST", "/api/v1/audits", body, headers=tokens["viewer"])
    assert response.status_code == 413
    assert "at most 100 bytes" in response.json["detail"]


@pytest.mark.parametrize("kind", BODIES)
def test_the_focal_point_page_bounds_its_json_too(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]], kind: str
) -> None:
    asset = upload(client, tokens["contributor"], photos.jpeg_plain(42, 40)).json
    add_user(app, "registrar", "contributor")
    token = signed_in(browser_like(client), "registrar")
    body, status, code = BODIES[kind]
    response = send(
        client,
        "POST",
        f"/assets/{asset['id']}/focal-point",
        body,
        headers={"X-CSRF-Token": token, "Accept": "application/json"},
    )
    assert response.status_code == status
    assert response.json["code"] == code
