"""openapi.yaml describes the preset and focal-point routes as the app answers them.

Split from test_openapi_variants.py (same checks: every exchange goes through the real app
and is validated against its operation); the ``asset_id`` fixture is in tests/http/conftest.py.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from openapi_core import OpenAPI

from service.rules import presets
from tests.support.database import variant_rows
from tests.support.openapi import Api, history, problem

Tokens = dict[str, dict[str, str]]


# ---------------------------------------------------------------- presets


def test_presets_are_listed_as_described(api: Api, tokens: Tokens) -> None:
    listed = api.call("GET", "/api/v1/presets", headers=tokens["viewer"])
    assert listed.status_code == 200
    items = listed.json["items"]
    assert [item["name"] for item in items] == list(presets.DEFAULT_PRESETS)
    x = items[0]
    assert (x["spec"], x["media_type"]) == (presets.DEFAULT_PRESETS["x"].spec(), "image/jpeg")
    mastodon = next(item for item in items if item["name"] == "mastodon")
    assert (mastodon["fit"], mastodon["max_pixels"]) == ("within", 8_294_400)
    thumb = next(item for item in items if item["name"] == "thumb")
    assert (thumb["format"], thumb["max_bytes"], thumb["checked"]) == ("webp", None, "")


def test_configured_presets_are_listed_after_the_built_ins(
    make_app: Callable[..., Flask], openapi: OpenAPI, tokens: Tokens
) -> None:
    configured = {
        "bluesky": {"width": 2000, "height": 2000, "max_bytes": 976_560},
        "poster": {
            "width": 1000,
            "height": 1400,
            "fit": "contain",
            "format": "avif",
            "burn_in_credit": True,
            "padding": "#1A2B3C",
            "checked": "2026-11-02",
        },
    }
    api = Api(make_app(PRESETS=configured).test_client(), openapi)
    items = api.call("GET", "/api/v1/presets", headers=tokens["viewer"]).json["items"]
    assert [item["name"] for item in items] == [*presets.DEFAULT_PRESETS, "poster"]
    bluesky = next(item for item in items if item["name"] == "bluesky")
    assert (bluesky["width"], bluesky["max_bytes"]) == (2000, 976_560)
    assert items[-1]["spec"] == "contain-1000x1400|avif-q85-min60|credit|pad-1a2b3c"
    assert items[-1]["media_type"] == "image/avif"


def test_an_admin_changes_a_preset_through_the_api_and_variants_follow_without_a_restart(
    app: Flask, make_app: Callable[..., Flask], openapi: OpenAPI, tokens: Tokens, asset_id: int
) -> None:
    api = Api(app.test_client(), openapi)
    url = f"/api/v1/assets/{asset_id}/variants/bluesky"
    before = api.call("GET", url, headers=tokens["viewer"])
    assert before.status_code == 200
    # Bluesky's 4000 px box holds the whole 2400x1800 source, which is never enlarged.
    assert (before.json["width"], before.json["height"]) == (2400, 1800)
    # The pre-2026 limits, as an admin would set them while the museum's accounts lack the new.
    change = {"width": 2000, "height": 2000, "max_bytes": 976_560, "checked": "2026-11"}
    changed = api.call("PUT", "/api/v1/presets/bluesky", json=change, headers=tokens["admin"])
    assert changed.status_code == 200
    assert (changed.json["width"], changed.json["max_bytes"], changed.json["origin"]) == (
        2000,
        976_560,
        "api",
    )
    assert changed.json["fit"] == "within"  # the fields not sent stay as configured
    # Another web process (or worker) started before the change sees it on its next request.
    other = Api(make_app().test_client(), openapi)
    listed = other.call("GET", "/api/v1/presets", headers=tokens["viewer"]).json["items"]
    bluesky = next(item for item in listed if item["name"] == "bluesky")
    assert (bluesky["max_bytes"], bluesky["origin"]) == (976_560, "api")
    after = other.call("GET", url, headers=tokens["viewer"])
    assert after.status_code == 200  # a new variant, scaled into the 2000 px box
    assert (after.json["width"], after.json["height"]) == (2000, 1500)
    [variant] = [row for row in variant_rows(app) if row.preset == "bluesky"]
    assert variant.width == 2000
    # Undone, the configured preset is in force again.
    reverted = api.call("DELETE", "/api/v1/presets/bluesky", headers=tokens["admin"])
    assert reverted.status_code == 204
    again = api.call("GET", "/api/v1/presets", headers=tokens["viewer"]).json["items"]
    bluesky = next(item for item in again if item["name"] == "bluesky")
    assert (bluesky["width"], bluesky["max_bytes"], bluesky["origin"]) == (
        4000,
        2_000_000,
        "built-in",
    )
    problem(
        api.call("DELETE", "/api/v1/presets/bluesky", headers=tokens["admin"]), 404, "not-found"
    )


def test_an_admin_adds_a_preset_that_variants_can_be_made_with_then_removes_it(
    api: Api, tokens: Tokens, asset_id: int
) -> None:
    banner = {"width": 1500, "height": 500, "fit": "cover", "format": "webp", "source": "Our site"}
    added = api.call("PUT", "/api/v1/presets/museum-banner", json=banner, headers=tokens["admin"])
    assert added.status_code == 201
    assert (added.json["spec"], added.json["origin"]) == (
        "cover-1500x500|webp-q85-min60|pad-ffffff",
        "api",
    )
    names = [
        p["name"]
        for p in api.call("GET", "/api/v1/presets", headers=tokens["viewer"]).json["items"]
    ]
    assert names == [*presets.DEFAULT_PRESETS, "museum-banner"]
    url = f"/api/v1/assets/{asset_id}/variants/museum-banner"
    made = api.call("GET", url, headers=tokens["viewer"])
    assert made.status_code == 200, made.json
    assert (made.json["width"], made.json["height"], made.json["media_type"]) == (
        1500,
        500,
        "image/webp",
    )
    assert (
        api.call("DELETE", "/api/v1/presets/museum-banner", headers=tokens["admin"]).status_code
        == 204
    )
    problem(api.call("GET", url, headers=tokens["viewer"]), 404, "not-found")


def test_preset_changes_need_an_admin_and_valid_fields_and_change_nothing_otherwise(
    api: Api, tokens: Tokens
) -> None:
    url = "/api/v1/presets/x"
    before = api.call("GET", "/api/v1/presets", headers=tokens["viewer"]).json
    for role in ("viewer", "contributor", "rights"):
        problem(api.call("PUT", url, json={"quality": 90}, headers=tokens[role]), 403, "forbidden")
        problem(api.call("DELETE", url, headers=tokens[role]), 403, "forbidden")
    bad_bodies = [
        ({"quality": 101}, "quality", True),
        ({"width": 0}, "width", True),
        ({"fits": "cover"}, "fits", True),
        ({"format": "gif"}, "format", True),
        ({"name": "y"}, "name", False),  # the spec allows a name; the app wants the URL's
        ({"min_quality": 90, "quality": 80}, "min_quality", False),
        ({"max_pixels": 10}, "max_pixels", False),  # below the cover box
    ]
    for body, field, spec_refuses in bad_bodies:
        response = api.call(
            "PUT", url, json=body, headers=tokens["admin"], request_valid=not spec_refuses
        )
        assert field in problem(response, 422, "invalid-input")["errors"], body
    new = api.call("PUT", "/api/v1/presets/poster", json={"width": 1000}, headers=tokens["admin"])
    assert "height" in problem(new, 422, "invalid-input")["errors"]  # a new preset is whole
    not_json = api.call("PUT", url, data="quality=90", headers=tokens["admin"], request_valid=False)
    problem(not_json, 422, "invalid-input")
    assert api.call("GET", "/api/v1/presets", headers=tokens["viewer"]).json == before


# ---------------------------------------------------------------- the focal point


def test_the_focal_point_is_moved_and_kept_in_history_as_described(
    api: Api, tokens: Tokens, asset_id: int
) -> None:
    url = f"/api/v1/assets/{asset_id}/focal-point"
    moved = api.call("PUT", url, json={"x": 0.25, "y": 1}, headers=tokens["contributor"])
    assert moved.status_code == 200
    assert moved.json == {"asset_id": asset_id, "x": 0.25, "y": 1.0}
    entry = history(api, tokens, asset_id)["focal_point"]
    assert (entry["before"], entry["after"]) == ([0.5, 0.5], [0.25, 1.0])
    assert entry["actor"] == "token:contributor-user"


def test_bad_focal_points_answer_403_404_or_422(api: Api, tokens: Tokens, asset_id: int) -> None:
    url = f"/api/v1/assets/{asset_id}/focal-point"
    body = {"x": 0.5, "y": 0.5}
    problem(api.call("PUT", url, json=body, headers=tokens["viewer"]), 403, "forbidden")
    missing = api.call(
        "PUT", "/api/v1/assets/999999/focal-point", json=body, headers=tokens["contributor"]
    )
    problem(missing, 404, "not-found")
    for bad, field in (
        ({"x": 2, "y": 0.5}, "focal_point"),
        ({"x": 0.5, "y": -0.1}, "focal_point"),
        ({"x": "left", "y": 0.5}, "focal_point"),
        ({"x": True, "y": 0.5}, "focal_point"),
        ({"x": 0.5}, "body"),
        ({"x": 0.5, "y": 0.5, "z": 0}, "body"),
        ([0.5, 0.5], "body"),
    ):
        refused = api.call("PUT", url, json=bad, headers=tokens["contributor"], request_valid=False)
        assert field in problem(refused, 422, "invalid-input")["errors"], bad
    assert "focal_point" not in history(api, tokens, asset_id)
