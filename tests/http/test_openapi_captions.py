"""openapi.yaml describes the caption routes as the app answers them: platforms, a caption
composed, written and reset, previews and templates.

Split from test_openapi_rights.py (same checks: every exchange goes through the real app and
is validated against its operation); the ``asset`` fixture is in tests/http/conftest.py.
"""

from __future__ import annotations

from typing import Any

from service.rules import captions
from tests.support.openapi import Api, problem
from tests.support.rights import BM

Tokens = dict[str, dict[str, str]]


# ---------------------------------------------------------------- captions


def test_platforms_are_listed_with_their_limits(api: Api, tokens: Tokens) -> None:
    response = api.call("GET", "/api/v1/platforms", headers=tokens["viewer"])
    assert response.status_code == 200
    items = response.json["items"]
    assert [item["name"] for item in items][:2] == ["X", "Instagram"]
    bluesky = next(item for item in items if item["name"] == "Bluesky")
    assert (bluesky["caption_limit"], bluesky["byte_limit"]) == (300, 3000)
    embeds = {f["name"]: (f["max_images"], f["max_bytes"]) for f in bluesky["image_formats"]}
    assert embeds == {"images": (4, 2_000_000), "gallery": (10, 2_000_000)}
    instagram = next(item for item in items if item["name"] == "Instagram")
    assert instagram["aspect_ratio_range"] == [0.75, 1.91]


def test_a_caption_is_composed_written_and_reset_as_described(
    api: Api, tokens: Tokens, asset: dict[str, Any]
) -> None:
    url = f"/api/v1/assets/{asset['id']}/captions/x"
    composed = api.call("GET", url, headers=tokens["viewer"])
    assert composed.status_code == 200
    assert (composed.json["mode"], composed.json["counting"]) == ("template", "twitter")
    assert composed.json["shortened"] == ["description"]
    assert composed.json["credit"]["outcome"] == "exact"

    written = api.call(
        "PUT",
        url,
        json={
            "text": "Guess what is inside! (c) The Trustees of the British Museum",
            "alt_text": "",
        },
        headers=tokens["contributor"],
    )
    assert written.status_code == 200
    assert written.json["mode"] == "manual"
    assert written.json["credit"]["outcome"] == "equivalent"
    assert written.json["alt_text"] == ""
    assert written.json["alt_text_warnings"]

    conflicting = api.call("PUT", url, json={"text": "Photo: Jane Doe"}, headers=tokens["admin"])
    assert conflicting.json["credit"]["outcome"] == "conflicting"
    missing = api.call("PUT", url, json={"text": "x" * 300}, headers=tokens["contributor"])
    assert (missing.json["fits"], missing.json["credit"]["found"]) == (False, None)
    assert missing.json["problems"]

    reset = api.call(
        "PUT", url, json={"text": None, "alt_text": None}, headers=tokens["contributor"]
    )
    assert reset.json["mode"] == "template"
    assert reset.json["alt_text"] == asset["alt_text"]
    history = api.call("GET", f"/api/v1/assets/{asset['id']}/history", headers=tokens["viewer"])
    assert "caption.x.text" in {entry["field"] for entry in history.json["items"]}


def test_bad_caption_changes_answer_404_or_422(
    api: Api, tokens: Tokens, asset: dict[str, Any]
) -> None:
    base = f"/api/v1/assets/{asset['id']}/captions"
    headers = tokens["contributor"]
    for platform in ("myspace", "twitter", "X"):
        problem(
            api.call("GET", f"{base}/{platform}", headers=headers, request_valid=False),
            404,
            "not-found",
        )
        problem(
            api.call(
                "PUT",
                f"{base}/{platform}",
                json={"text": "x"},
                headers=headers,
                request_valid=False,
            ),
            404,
            "not-found",
        )
    for body, field in (
        ({"colour": "red"}, "body"),
        ({}, "body"),
        ("text", "body"),
        ({"text": 5}, "text"),
        ({"alt_text": "a" * 70_001}, "alt_text"),
    ):
        refused = api.call("PUT", f"{base}/x", json=body, headers=headers, request_valid=False)
        assert field in problem(refused, 422, "invalid-input")["errors"], body


def test_a_preview_composes_without_saving_as_described(
    api: Api, tokens: Tokens, asset: dict[str, Any]
) -> None:
    body = {"asset_id": asset["id"], "platform": "mastodon", "template": "{title} — {credit_line}"}
    preview = api.call("POST", "/api/v1/captions/preview", json=body, headers=tokens["viewer"])
    assert preview.status_code == 200
    assert preview.json == {
        "platform": "mastodon",
        "text": f"Somali wedding basket — {BM}",
        "length": len(f"Somali wedding basket — {BM}"),
        "limit": 500,
        "fits": True,
        "shortened": [],
        "problems": [],
    }
    platform_own = api.call(
        "POST",
        "/api/v1/captions/preview",
        json={"asset_id": asset["id"], "platform": "bluesky"},
        headers=tokens["viewer"],
    )
    assert platform_own.json["shortened"] == ["description"]

    invalid_template = {**body, "template": "{title} {secret.__class__}"}
    refused = api.call(
        "POST", "/api/v1/captions/preview", json=invalid_template, headers=tokens["viewer"]
    )
    assert "template" in problem(refused, 422, "invalid-input")["errors"]
    no_asset = {**body, "asset_id": 999_999}
    problem(
        api.call("POST", "/api/v1/captions/preview", json=no_asset, headers=tokens["viewer"]),
        404,
        "not-found",
    )
    for bad, field in (
        ({**body, "platform": "myspace"}, "platform"),
        ({**body, "asset_id": "1"}, "asset_id"),
        ({**body, "template": 5}, "template"),
        ({"platform": "x"}, "asset_id"),
        ({**body, "colour": "red"}, "body"),
    ):
        refused = api.call(
            "POST",
            "/api/v1/captions/preview",
            json=bad,
            headers=tokens["viewer"],
            request_valid=False,
        )
        assert field in problem(refused, 422, "invalid-input")["errors"], bad
    history = api.call("GET", f"/api/v1/assets/{asset['id']}/history", headers=tokens["viewer"])
    assert history.json == {"items": []}


def test_caption_templates_are_listed_and_replaced_as_described(
    api: Api, tokens: Tokens, asset: dict[str, Any]
) -> None:
    listed = api.call("GET", "/api/v1/caption-templates", headers=tokens["viewer"])
    assert listed.status_code == 200
    assert [item["platform"] for item in listed.json["items"]] == list(captions.DEFAULT_TEMPLATES)
    assert not any(item["customised"] for item in listed.json["items"])
    template = {"template": "{title}\n{credit_line}\n{hashtags}"}
    saved = api.call(
        "PUT", "/api/v1/caption-templates/threads", json=template, headers=tokens["admin"]
    )
    assert saved.status_code == 200
    assert saved.json == {"platform": "threads", **template, "customised": True}
    caption = api.call(
        "GET", f"/api/v1/assets/{asset['id']}/captions/threads", headers=tokens["viewer"]
    )
    assert caption.json["text"] == f"Somali wedding basket\n{BM}\n#MuseumWeek"

    no_credit = api.call(
        "PUT",
        "/api/v1/caption-templates/threads",
        json={"template": "{title}"},
        headers=tokens["admin"],
    )
    assert "template" in problem(no_credit, 422, "invalid-input")["errors"]
    for body, field in (({"template": 5}, "template"), ({"text": "{credit_line}"}, "body")):
        refused = api.call(
            "PUT",
            "/api/v1/caption-templates/threads",
            json=body,
            headers=tokens["admin"],
            request_valid=False,
        )
        assert field in problem(refused, 422, "invalid-input")["errors"], body
    unknown = api.call(
        "PUT",
        "/api/v1/caption-templates/myspace",
        json=template,
        headers=tokens["admin"],
        request_valid=False,
    )
    problem(unknown, 404, "not-found")
