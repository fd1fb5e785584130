"""openapi.yaml describes the preset, focal-point and variant routes as the app answers them.

The same checks as ``test_openapi``: every exchange goes through the real app, the request
is validated against its operation (or found invalid by the spec too, for requests the
app refuses), and the response against the status, media type, headers and schema the
spec gives for it. The enumerations in the spec are also compared with the code's own.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any, get_args

import pytest
from flask import Flask
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.validation.response.exceptions import InvalidData
from sqlalchemy import select, update
from werkzeug.test import EnvironBuilder, TestResponse
from werkzeug.wrappers import Request, Response

from service.http import database as db
from service.rules import audit, presets
from service.services import catalogue, variants
from service.storage.blobs import StorageUnavailable
from service.storage.db import utcnow
from service.storage.models import Asset, Variant
from tests import photos
from tests.openapi_support import PROBLEM, Api, problem
from tests.test_api_variants import variant_rows
from tests.test_openapi_rights import BM, CC_BY, clear

Tokens = dict[str, dict[str, str]]
ALL_CHECKS = [check.__name__ for check in (*audit.CHECKS, *audit.IMAGE_CHECKS)]


def uploaded(api: Api, tokens: Tokens) -> int:
    """A 2400x1800 photo naming the British Museum, with alt text; its rights not cleared."""
    response = api.upload(
        tokens["contributor"],
        photos.jpeg_with_rights(width=2400, height=1800, orientation=1),
        "basket.jpg",
        title="Somali wedding basket",
        object_number="Af1935,0711.1",
        alt_text="A woven basket with a conical lid.",
        tags="MuseumWeek",
    )
    assert response.status_code == 201, response.json
    return int(response.json["id"])


@pytest.fixture
def asset_id(api: Api, tokens: Tokens) -> int:
    """An asset whose audit passes: cleared under CC BY for the web and social media."""
    created = uploaded(api, tokens)
    clear(api, tokens, created)
    return created


def variant_url(asset_id: int, preset: str, suffix: str = "") -> str:
    return f"/api/v1/assets/{asset_id}/variants/{preset}{suffix}"


def fetch_local(api: Api, url: str) -> TestResponse:
    """Follow a signed URL of the local store through the app's own /blobs route.

    An OpenAPI path template matches one segment and a variant's key has several, so the
    exchange is checked as if for a one-segment key: the route answers the same for any.
    """
    path, _, query = url.removeprefix("http://localhost").partition("?")
    response = api.client.get(f"{path}?{query}", buffered=True)
    assert response.status_code == 200, response.data[:200]
    stand_in = EnvironBuilder(path="/blobs/variant", query_string=query)
    try:
        request = WerkzeugOpenAPIRequest(Request(stand_in.get_environ()))
    finally:
        stand_in.close()
    api.openapi.validate_request(request)
    api.openapi.validate_response(request, WerkzeugOpenAPIResponse(response))
    return response


def history(api: Api, tokens: Tokens, asset_id: int) -> dict[str, Any]:
    response = api.call("GET", f"/api/v1/assets/{asset_id}/history", headers=tokens["viewer"])
    assert response.status_code == 200
    return {entry["field"]: entry for entry in response.json["items"]}


# ---------------------------------------------------------------- the document and the code


def test_the_enumerations_are_the_codes_own(schemas: dict[str, Any]) -> None:
    assert schemas["AuditCheck"]["enum"] == [check.__name__ for check in audit.CHECKS]
    assert schemas["ImageCheck"]["enum"] == [check.__name__ for check in audit.IMAGE_CHECKS]
    assert schemas["PresetFit"]["enum"] == list(presets.FITS)
    assert schemas["PresetFormat"]["enum"] == list(presets.FORMATS)
    assert schemas["VariantMediaType"]["enum"] == [
        dataclasses.replace(presets.DEFAULT_PRESETS["x"], format=f).media_type
        for f in presets.FORMATS
    ]
    fields = [field.name for field in dataclasses.fields(presets.Preset)]
    assert schemas["Preset"]["required"] == [*fields, "spec", "media_type", "origin"]
    assert schemas["Preset"]["properties"]["origin"]["enum"] == list(get_args(catalogue.Origin))
    assert schemas["Preset"]["properties"]["width"]["maximum"] == presets.MAX_EDGE
    assert list(schemas["PresetChange"]["properties"]) == fields
    assert schemas["PresetChange"]["properties"]["width"]["maximum"] == presets.MAX_EDGE
    assert schemas["PresetChange"]["properties"]["source"]["maxLength"] == presets.MAX_TEXT
    for check in audit.IMAGE_CHECKS:
        assert f"`{check.__name__}`" in schemas["VariantFinding"]["description"]


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
        "bluesky": {"width": 4000, "height": 4000, "max_bytes": 2_000_000},
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
    assert (bluesky["width"], bluesky["max_bytes"]) == (4000, 2_000_000)
    assert items[-1]["spec"] == "contain-1000x1400|avif-q85-min60|credit|pad-1a2b3c"
    assert items[-1]["media_type"] == "image/avif"


def test_an_admin_changes_a_preset_through_the_api_and_variants_follow_without_a_restart(
    app: Flask, make_app: Callable[..., Flask], openapi: OpenAPI, tokens: Tokens, asset_id: int
) -> None:
    api = Api(app.test_client(), openapi)
    url = f"/api/v1/assets/{asset_id}/variants/bluesky"
    before = api.call("GET", url, headers=tokens["viewer"])
    assert before.status_code == 200
    assert max(before.json["width"], before.json["height"]) == 2000
    # Bluesky's 2026 limits, as an admin would set them once the rollout reached the museum.
    change = {"width": 4000, "height": 4000, "max_bytes": 2_000_000, "checked": "2026-11"}
    changed = api.call("PUT", "/api/v1/presets/bluesky", json=change, headers=tokens["admin"])
    assert changed.status_code == 200
    assert (changed.json["width"], changed.json["max_bytes"], changed.json["origin"]) == (
        4000,
        2_000_000,
        "api",
    )
    assert changed.json["fit"] == "within"  # the fields not sent stay as configured
    # Another web process (or worker) started before the change sees it on its next request.
    other = Api(make_app().test_client(), openapi)
    listed = other.call("GET", "/api/v1/presets", headers=tokens["viewer"]).json["items"]
    bluesky = next(item for item in listed if item["name"] == "bluesky")
    assert (bluesky["max_bytes"], bluesky["origin"]) == (2_000_000, "api")
    after = other.call("GET", url, headers=tokens["viewer"])
    assert after.status_code == 200  # a new variant: the 2400x1800 source is not enlarged
    assert (after.json["width"], after.json["height"]) == (2400, 1800)
    [variant] = [row for row in variant_rows(app) if row.preset == "bluesky"]
    assert variant.width == 2400
    # Undone, the configured preset is in force again.
    reverted = api.call("DELETE", "/api/v1/presets/bluesky", headers=tokens["admin"])
    assert reverted.status_code == 204
    again = api.call("GET", "/api/v1/presets", headers=tokens["viewer"]).json["items"]
    bluesky = next(item for item in again if item["name"] == "bluesky")
    assert (bluesky["width"], bluesky["max_bytes"], bluesky["origin"]) == (
        2000,
        976_560,
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


# ---------------------------------------------------------------- variants


def test_a_cleared_asset_gets_a_variant_as_described(
    api: Api, app: Flask, tokens: Tokens, asset_id: int
) -> None:
    response = api.call("GET", variant_url(asset_id, "x"), headers=tokens["viewer"])
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["preset"], body["platform"], body["format"]) == ("x", "x", "jpeg")
    assert (body["width"], body["height"], body["media_type"]) == (1600, 900, "image/jpeg")
    assert (body["credit_line"], body["licence"], body["overridden"]) == (BM, CC_BY, False)
    assert BM in body["caption"]
    assert body["caption_limit"] == 280
    assert body["audit"]["outcome"] == "pass"
    assert [finding["check"] for finding in body["audit"]["checks"]] == ALL_CHECKS
    if app.config["BLOB_BACKEND"] == "local":
        image = fetch_local(api, body["url"])
        assert image.mimetype == "image/jpeg"
        assert len(image.data) == body["bytes"]

    assert (body["channels"], body["audit"]["channel"]) == (["social"], "social")
    chosen = api.call(
        "GET",
        variant_url(asset_id, "instagram-story"),
        query_string={"channel": "social", "override": "false", "reason": "ignored"},
        headers=tokens["viewer"],
    )
    assert chosen.status_code == 200, chosen.json
    assert (chosen.json["platform"], chosen.json["audit"]["channel"]) == ("instagram", "social")
    elsewhere = api.call(
        "GET",
        variant_url(asset_id, "og"),
        query_string={"platform": "mastodon"},
        headers=tokens["viewer"],
    )
    assert (elsewhere.json["platform"], elsewhere.json["caption_limit"]) == ("mastodon", 500)
    default = api.call("GET", variant_url(asset_id, "web-large"), headers=tokens["viewer"])
    assert default.json["platform"] == "default"
    assert (default.json["channels"], default.json["audit"]["channel"]) == (["web"], "web")


def test_the_image_route_redirects_to_the_signed_url_as_described(
    api: Api, app: Flask, tokens: Tokens, asset_id: int
) -> None:
    redirected = api.call("GET", variant_url(asset_id, "thumb", "/image"), headers=tokens["viewer"])
    assert redirected.status_code == 302
    location = redirected.headers["Location"]
    if app.config["BLOB_BACKEND"] == "local":
        assert location.startswith("http://localhost/blobs/variants/")
        image = fetch_local(api, location)
        assert image.mimetype == "image/webp"
        assert image.headers["X-Content-Type-Options"] == "nosniff"
    else:
        assert location.startswith(app.config["S3_ENDPOINT_URL"])


def test_a_failing_audit_answers_409_with_the_failing_checks(api: Api, tokens: Tokens) -> None:
    blocked = uploaded(api, tokens)
    for suffix in ("", "/image"):
        refused = problem(
            api.call("GET", variant_url(blocked, "x", suffix), headers=tokens["viewer"]),
            409,
            "audit-failed",
        )
        failing = [finding["check"] for finding in refused["checks"]]
        assert {"rights_status_cleared", "licence_allows_channel"} <= set(failing)
        assert failing == [check for check in ALL_CHECKS if check in failing]
        assert {finding["status"] for finding in refused["checks"]} == {"fail"}
        assert "url" not in refused


def test_a_failing_image_check_answers_409_and_may_be_overridden(
    api: Api, app: Flask, tokens: Tokens, asset_id: int
) -> None:
    url = variant_url(asset_id, "linkedin")
    assert api.call("GET", url, headers=tokens["viewer"]).status_code == 200
    # The cached variant's facts now say its bytes kept a GPS position.
    with app.app_context(), db.new_session() as session:
        session.execute(
            update(Variant).values(
                output_facts={"private_tags": ["GPS GPSLatitude"], "copyright_notice": BM}
            )
        )
        session.commit()
    refused = problem(api.call("GET", url, headers=tokens["viewer"]), 409, "audit-failed")
    assert [finding["check"] for finding in refused["checks"]] == ["no_private_metadata_in_output"]
    overridden = api.call(
        "GET",
        url,
        query_string={"override": "true", "reason": " Checked by hand "},
        headers=tokens["rights"],
    )
    assert overridden.status_code == 200, overridden.json
    assert (overridden.json["overridden"], overridden.json["audit"]["outcome"]) == (True, "fail")
    entry = history(api, tokens, asset_id)["publish.override.linkedin"]
    assert (entry["actor"], entry["before"]) == ("token:rights-user", None)
    assert entry["after"] == {
        "reason": "Checked by hand",
        "platform": "linkedin",
        "channel": "social",
        "channels": ["social"],
        "failing_checks": ["no_private_metadata_in_output"],
    }


def test_a_rights_manager_overrides_a_failing_audit_as_described(api: Api, tokens: Tokens) -> None:
    blocked = uploaded(api, tokens)
    url = variant_url(blocked, "bluesky")
    press = {"override": "true", "reason": "Press release"}
    for suffix in ("", "/image"):
        below = api.call("GET", url + suffix, query_string=press, headers=tokens["contributor"])
        problem(below, 403, "forbidden")
    for reason in ({}, {"reason": "  "}):
        unexplained = api.call(
            "GET", url, query_string={"override": "true", **reason}, headers=tokens["rights"]
        )
        assert problem(unexplained, 422, "invalid-input")["errors"].keys() == {"reason"}
    overridden = api.call("GET", url, query_string=press, headers=tokens["rights"])
    assert overridden.status_code == 200, overridden.json
    assert overridden.json["overridden"] is True
    assert overridden.json["audit"]["outcome"] == "fail"
    assert overridden.json["licence"] is None
    image = api.call("GET", url + "/image", query_string=press, headers=tokens["admin"])
    assert image.status_code == 302
    entry = history(api, tokens, blocked)["publish.override.bluesky"]
    assert entry["after"]["reason"] == "Press release"
    assert "rights_status_cleared" in entry["after"]["failing_checks"]


def test_bad_variant_requests_answer_404_or_422(api: Api, tokens: Tokens, asset_id: int) -> None:
    viewer = tokens["viewer"]
    for suffix in ("", "/image"):
        for url, valid in (
            (variant_url(asset_id, "myspace", suffix), True),
            (variant_url(asset_id, "Instagram_Square", suffix), False),
            (variant_url(999_999, "x", suffix), True),
        ):
            problem(api.call("GET", url, headers=viewer, request_valid=valid), 404, "not-found")
        for query, field in (
            ({"override": "yes"}, "override"),
            ({"channel": "tv"}, "channel"),
            ({"platform": "myspace"}, "platform"),
        ):
            refused = api.call(
                "GET",
                variant_url(asset_id, "x", suffix),
                query_string=query,
                headers=viewer,
                request_valid=False,
            )
            assert field in problem(refused, 422, "invalid-input")["errors"], query


def test_a_missing_original_answers_404(
    api: Api, app: Flask, tokens: Tokens, asset_id: int
) -> None:
    with app.app_context(), db.new_session() as session:
        blob_key = session.scalars(select(Asset.blob_key).where(Asset.id == asset_id)).one()
    app.extensions["vitrine.store"].delete(blob_key)
    problem(api.call("GET", variant_url(asset_id, "x"), headers=tokens["viewer"]), 404, "not-found")


def test_an_original_too_large_to_render_answers_422(
    make_app: Callable[..., Flask], openapi: OpenAPI, tokens: Tokens, asset_id: int
) -> None:
    small = Api(make_app(MAX_PIXELS=1_000_000).test_client(), openapi)
    for suffix in ("", "/image"):
        refused = small.call("GET", variant_url(asset_id, "x", suffix), headers=tokens["viewer"])
        problem(refused, 422, "variant-impossible")


def test_a_failing_blob_store_answers_503(
    api: Api, app: Flask, tokens: Tokens, asset_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable(key: str) -> Any:
        raise StorageUnavailable("the blob store did not answer")

    monkeypatch.setattr(app.extensions["vitrine.store"], "open", unavailable)
    for suffix in ("", "/image"):
        refused = api.call("GET", variant_url(asset_id, "x", suffix), headers=tokens["viewer"])
        problem(refused, 503, "storage-unavailable")


def test_a_variant_another_request_keeps_rendering_answers_503(
    make_app: Callable[..., Flask], openapi: OpenAPI, tokens: Tokens, asset_id: int
) -> None:
    app = make_app(RENDER_TIMEOUT_SECONDS=0.3)
    preset = presets.DEFAULT_PRESETS["x"]
    with app.app_context(), db.new_session() as session:
        asset = session.get(Asset, asset_id)
        assert asset is not None
        rendering = variants.RenderSettings.of(app.config)
        sought = variants.wanted(session, asset, preset, rendering)
        key = sought.key
        session.add(
            Variant(
                key=key,
                asset_id=asset_id,
                preset="x",
                status="rendering",
                blob_key=variants.variant_blob_key(preset, key, rendering.naming_key),
                rights_revision=sought.rights_revision,
                media_type=preset.media_type,
                claimed_at=utcnow() + timedelta(hours=1),  # a renderer still at work
            )
        )
        session.commit()
    api = Api(app.test_client(), openapi)
    for suffix in ("", "/image"):
        busy = api.call("GET", variant_url(asset_id, "x", suffix), headers=tokens["viewer"])
        problem(busy, 503, "render-busy")


# ---------------------------------------------------------------- refusals on every route


def operations(asset_id: int) -> list[tuple[str, str, Any]]:
    assets = f"/api/v1/assets/{asset_id}"
    return [
        ("GET", "/api/v1/presets", None),
        ("PUT", f"{assets}/focal-point", {"x": 0.5, "y": 0.5}),
        ("GET", f"{assets}/variants/x", None),
        ("GET", f"{assets}/variants/x/image", None),
    ]


def test_every_variant_route_answers_401_without_a_valid_token(api: Api, asset_id: int) -> None:
    for method, path, body in operations(asset_id):
        problem(api.call(method, path, json=body, request_valid=False), 401, "unauthenticated")
        revoked = api.call(method, path, json=body, headers={"Authorization": "Bearer vt_x_y"})
        problem(revoked, 401, "unauthenticated")


def test_override_entries_and_refusals_are_held_to_their_shapes(openapi: OpenAPI) -> None:
    def check(path: str, status: int, body: Any, mimetype: str) -> None:
        environ = EnvironBuilder(path=path, headers={"Authorization": "Bearer x"}).get_environ()
        request = WerkzeugOpenAPIRequest(Request(environ))
        response = Response(json.dumps(body), status, mimetype=mimetype)
        openapi.validate_response(request, WerkzeugOpenAPIResponse(response))

    override = {
        "reason": "r",
        "platform": "x",
        "channel": "social",
        "failing_checks": ["not_expired"],
    }
    entry = {"id": 1, "at": "2026-01-01T00:00:00+00:00", "actor": "a", "before": None}
    good = {"items": [{**entry, "field": "publish.override.x", "after": override}]}
    check("/api/v1/assets/1/history", 200, good, "application/json")
    for after in ({**override, "reason": ""}, ["not_expired"], {**override, "preset": "x"}):
        bad = {"items": [{**entry, "field": "publish.override.x", "after": after}]}
        with pytest.raises(InvalidData):
            check("/api/v1/assets/1/history", 200, bad, "application/json")

    finding = {
        "check": "output_within_byte_budget",
        "status": "fail",
        "code": "over",
        "reason": "r",
    }
    refusal = {
        "type": "urn:vitrine:problem:audit-failed",
        "title": "The audit does not allow publishing",
        "status": 409,
        "detail": "The audit failed.",
        "code": "audit-failed",
        "checks": [finding],
    }
    check("/api/v1/assets/1/variants/x", 409, refusal, PROBLEM)
    for bad_refusal in (
        {**refusal, "checks": []},
        {**refusal, "checks": [{**finding, "status": "warn"}]},
        {**refusal, "checks": [{**finding, "check": "made_up"}]},
        {**refusal, "url": "https://example.org/x.jpg"},
    ):
        with pytest.raises(InvalidData):
            check("/api/v1/assets/1/variants/x", 409, bad_refusal, PROBLEM)
    audit_finding = {**finding, "check": "not_expired"}
    report = {"asset_id": 1, "title": "", "platform": "x", "channel": "social", "outcome": "fail"}
    check("/api/v1/assets/1/audit", 200, {**report, "checks": [audit_finding]}, "application/json")
    with pytest.raises(InvalidData):  # the audit routes never answer image checks
        check("/api/v1/assets/1/audit", 200, {**report, "checks": [finding]}, "application/json")
