"""The caption templates page: admins list, preview and save each platform's template; others
get the forbidden page; a template the rules refuse is a 422 page and nothing is saved."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import photos
from tests.support.api import upload
from tests.support.rights import BM
from tests.support.web import (
    errors_beside,
    label_for,
    page,
    signed_in,
    web_client,
)

Tokens = dict[str, dict[str, str]]
NEW = "{title}\nPhotographed {photo_date}\n\n{credit_line}"


@pytest.fixture
def web(app: Flask, client: FlaskClient) -> FlaskClient:
    return web_client(app, client, "contributor", "admin")


@pytest.fixture
def asset_id(web: FlaskClient, tokens: Tokens) -> int:
    response = upload(web, tokens["contributor"], photos.jpeg_with_rights(), title="Basket")
    assert response.status_code == 201, response.json
    return int(response.json["id"])


def templates_via_api(web: FlaskClient, tokens: Tokens) -> dict[str, Any]:
    listed = web.get("/api/v1/caption-templates", headers=tokens["contributor"]).json
    return {item["platform"]: item for item in listed["items"]}


def raw_text(response: Any, tag: str, element_id: str) -> str:
    """The text of an element as written, line breaks kept (page().text folds them)."""
    found = re.search(rf'<{tag} id="{element_id}"[^>]*>(.*?)</{tag}>', response.text, re.S)
    assert found, f"no {tag}#{element_id}"
    return found.group(1)


def post(web: FlaskClient, token: str, platform: str, **form: Any) -> Any:
    return web.post(f"/caption-templates/{platform}", data={"csrf_token": token, **form})


def test_an_admin_sees_every_platforms_template_and_finds_the_page_in_the_navigation(
    web: FlaskClient, tokens: Tokens, asset_id: int
) -> None:
    signed_in(web, "admin")
    response = web.get("/caption-templates?platform=instagram")
    assert response.status_code == 200
    document = page(response)
    nav = document.find("nav")
    assert any(a.attrs.get("href") == "/caption-templates" for a in nav.find_all("a"))
    rows = document.find("table", cls="template-list").find("tbody").find_all("tr")
    assert len(rows) == len(templates_via_api(web, tokens))
    editor = document.find("textarea", id="template")
    assert label_for(document, editor) == "Template for Instagram"
    expected = templates_via_api(web, tokens)["instagram"]["template"]
    assert raw_text(response, "textarea", "template") == expected


def test_an_admin_previews_without_saving_then_saves(
    web: FlaskClient, tokens: Tokens, asset_id: int
) -> None:
    token = signed_in(web, "admin")
    before = templates_via_api(web, tokens)["x"]

    previewed = post(web, token, "x", template=NEW, asset=str(asset_id), action="preview")

    assert previewed.status_code == 200
    shown = html.unescape(raw_text(previewed, "pre", "preview-text"))
    assert shown.startswith("Basket\nPhotographed ") and BM in shown
    assert templates_via_api(web, tokens)["x"] == before  # a preview saves nothing

    saved = post(web, token, "x", template=NEW, asset=str(asset_id), action="save")

    assert saved.status_code == 302
    assert templates_via_api(web, tokens)["x"] == {
        "platform": "x", "template": NEW, "customised": True,
    }  # fmt: skip
    caption = web.get(f"/api/v1/assets/{asset_id}/captions/x", headers=tokens["contributor"])
    assert caption.json["text"].startswith("Basket\nPhotographed ")
    after = web.get(saved.headers["Location"])
    assert "The X template is saved." in page(after).text


def test_the_script_gets_the_preview_as_json(
    web: FlaskClient, tokens: Tokens, asset_id: int
) -> None:
    token = signed_in(web, "admin")
    response = web.post(
        "/caption-templates/x",
        data={"template": NEW, "asset": str(asset_id), "action": "preview"},
        headers={"Accept": "application/json", "X-CSRF-Token": token},
    )
    assert response.status_code == 200
    assert response.json["text"].startswith("Basket\nPhotographed ")
    assert response.json["limit"] == 280
    refused = web.post(
        "/caption-templates/x",
        data={"template": "{title}", "asset": str(asset_id), "action": "preview"},
        headers={"Accept": "application/json", "X-CSRF-Token": token},
    )
    assert refused.status_code == 422
    assert "credit_line" in refused.json["errors"]["template"]


@pytest.mark.parametrize("action", ["save", "preview"])
def test_a_bad_template_is_a_422_page_that_changes_nothing(
    web: FlaskClient, tokens: Tokens, asset_id: int, action: str
) -> None:
    token = signed_in(web, "admin")
    before = templates_via_api(web, tokens)

    response = post(web, token, "instagram", template="{title} {dat}", asset=str(asset_id),
                    action=action)  # fmt: skip

    assert response.status_code == 422
    document = page(response)
    (message,) = errors_beside(document, "template")
    assert "{dat} is not a caption field. Did you mean {date}?" in message
    assert raw_text(response, "textarea", "template") == "{title} {dat}"  # kept
    assert templates_via_api(web, tokens) == before


def test_a_contributor_gets_the_forbidden_page_and_no_link(
    web: FlaskClient, tokens: Tokens, asset_id: int
) -> None:
    token = signed_in(web, "contributor")
    before = templates_via_api(web, tokens)

    shown = web.get("/caption-templates")
    posted = post(web, token, "x", template=NEW, asset=str(asset_id), action="save")

    assert shown.status_code == 403 and posted.status_code == 403
    assert "Caption templates" not in page(web.get("/library")).find("nav").text
    assert templates_via_api(web, tokens) == before


def test_without_a_session_the_page_asks_to_sign_in(web: FlaskClient) -> None:
    response = web.get("/caption-templates")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
