"""The upload form's batch fields reach files already in the library, and the result says so.

The rule: the batch's tags are added to the asset's own (never replacing them); its rights
holder and credit line are proposed only where the asset's record has none yet and the rights
desk has not decided (cleared or restricted) the record: rights someone set are never
overwritten. The per-file result names what was added, proposed and left. The API's upload
of a duplicate stays as openapi.yaml says: the existing asset, unchanged.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import photos
from tests.support.api import upload
from tests.support.rights import BM
from tests.support.web import page, signed_in, web_client

Tokens = dict[str, dict[str, str]]


@pytest.fixture
def web(app: Flask, client: FlaskClient) -> FlaskClient:
    return web_client(app, client, "contributor", "rights")


def send(web: FlaskClient, token: str, data: bytes, **shared: str) -> Any:
    """Post one file through the upload form as the page's script does (one file, JSON)."""
    return web.post(
        "/upload",
        data={"csrf_token": token, "files": (io.BytesIO(data), "basket.jpg"), **shared},
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )


def asset_of(web: FlaskClient, tokens: Tokens, asset_id: int) -> tuple[Any, Any]:
    asset = web.get(f"/api/v1/assets/{asset_id}", headers=tokens["contributor"]).json
    rights = web.get(f"/api/v1/assets/{asset_id}/rights", headers=tokens["contributor"]).json
    return asset, rights


def test_a_duplicate_gets_the_batch_tags_added_and_the_result_says_so(
    web: FlaskClient, tokens: Tokens
) -> None:
    token = signed_in(web, "contributor")
    bytes_ = photos.jpeg_plain()
    first = send(web, token, bytes_, tags="day1, basketry")
    assert first.status_code == 201, first.json

    again = send(web, token, bytes_, tags="day2, Basketry")

    assert (again.status_code, again.json["status"]) == (200, "duplicate")
    assert again.json["asset_id"] == first.json["asset_id"]
    message = again.json["message"]
    assert message.startswith("Already in the library — tag day2 added"), message
    assert "tag Basketry already there" in message
    asset, _ = asset_of(web, tokens, first.json["asset_id"])
    assert asset["tags"] == ["day1", "basketry", "day2"]  # added, none replaced


def test_a_duplicate_gets_rights_only_where_it_has_none(web: FlaskClient, tokens: Tokens) -> None:
    token = signed_in(web, "contributor")
    bytes_ = photos.jpeg_plain()
    asset_id = send(web, token, bytes_).json["asset_id"]
    # The rights desk names the holder; the credit line is still to be found.
    desk = {"holder": "Trustees of the British Museum", "status": "pending"}
    put = web.put(f"/api/v1/assets/{asset_id}/rights", json=desk, headers=tokens["rights"])
    assert put.status_code == 200, put.json

    again = send(web, token, bytes_, holder="Someone Else", credit_line=BM, tags="day2")

    message = again.json["message"]
    assert "credit line proposed" in message, message
    assert "rights holder left as it was (it already has one)" in message
    _, rights = asset_of(web, tokens, asset_id)
    assert rights["holder"] == "Trustees of the British Museum"  # never overwritten
    assert rights["credit_line"] == BM
    assert rights["status"] == "pending"  # a proposal decides nothing


def test_a_duplicate_whose_rights_were_decided_is_left_alone(
    web: FlaskClient, tokens: Tokens
) -> None:
    token = signed_in(web, "contributor")
    bytes_ = photos.jpeg_plain()
    asset_id = send(web, token, bytes_).json["asset_id"]
    desk = {"holder": "A private lender", "status": "restricted"}
    put = web.put(f"/api/v1/assets/{asset_id}/rights", json=desk, headers=tokens["rights"])
    assert put.status_code == 200, put.json
    _, before = asset_of(web, tokens, asset_id)

    again = send(web, token, bytes_, credit_line=BM)

    message = again.json["message"]
    assert "credit line left as it was (the rights desk has decided its rights)" in message
    _, after = asset_of(web, tokens, asset_id)
    assert after == before


def test_rights_read_from_the_file_are_kept_and_the_page_lists_what_happened(
    web: FlaskClient, tokens: Tokens
) -> None:
    token = signed_in(web, "contributor")
    bytes_ = photos.jpeg_with_rights()  # its embedded rights propose holder and credit line
    asset_id = send(web, token, bytes_).json["asset_id"]
    _, before = asset_of(web, tokens, asset_id)
    assert before["credit_line"]

    response = web.post(  # without JavaScript: the results page
        "/upload",
        data={"csrf_token": token, "files": (io.BytesIO(bytes_), "again.jpg"),
              "credit_line": "Photo: someone", "tags": "day2"},
        content_type="multipart/form-data",
    )  # fmt: skip

    result = page(response).find("li", cls="upload-result")
    assert result.attrs.get("data-status") == "duplicate"
    text = " ".join(result.text.split())
    assert "Already in the library — tag day2 added" in text
    assert "credit line left as it was (it already has one)" in text
    _, after = asset_of(web, tokens, asset_id)
    assert after["credit_line"] == before["credit_line"]


def test_the_api_answers_a_duplicate_unchanged_as_documented(
    web: FlaskClient, tokens: Tokens
) -> None:
    bytes_ = photos.jpeg_plain()
    created = upload(web, tokens["contributor"], bytes_, tags="day1")
    assert created.status_code == 201
    again = upload(web, tokens["contributor"], bytes_, tags="day2", title="Another title")
    assert again.status_code == 200
    assert again.json["tags"] == ["day1"] and again.json["title"] == ""
