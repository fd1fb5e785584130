"""openapi.yaml describes the variant routes as the app answers them (the preset and
focal-point routes are in test_openapi_presets.py; the ``asset_id`` fixture in conftest.py).

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
from tests.support.openapi import PROBLEM, Api, history, problem, uploaded
from tests.support.rights import BM, CC_BY

Tokens = dict[str, dict[str, str]]
ALL_CHECKS = [check.__name__ for check in (*audit.CHECKS, *audit.IMAGE_CHECKS)]


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
        assert "Content-Disposition" not in image.headers  # to be looked at
        saved = fetch_local(api, body["url"] + "&download=Af1935%2C0711.1_x.html")
        assert saved.headers["Content-Disposition"] == 'attachment; filename="Af1935-0711-1_x.jpg"'

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
