"""openapi.yaml is a valid OpenAPI 3.1 document, and the app answers as it says.

Each exchange below goes through the real app and is checked with openapi-core: the
request against the operation it targets (or, for deliberately bad requests, found
invalid by the spec too), and the response against the status, media type, headers and
schema the spec gives for it. The response schemas forbid undocumented fields, so a
field added to or dropped from a response fails here until the spec says so.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_core.validation.response.exceptions import InvalidData
from openapi_spec_validator import validate as validate_spec
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request, Response

from service.app import create_app
from service.storage.local import sign_blob_url
from tests.support import photos
from tests.support.api import upload
from tests.support.openapi import SPEC_PATH, Api, problem

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


# ---------------------------------------------------------------- the document itself


def test_the_document_is_a_valid_openapi_3_1_description(spec_dict: dict[str, Any]) -> None:
    assert spec_dict["openapi"] == "3.1.0"
    validate_spec(spec_dict)


MACHINE_ENDPOINTS = {"healthz", "readyz", "metrics", "openapi", "signed_blob"}


def test_every_api_and_machine_route_is_described_and_nothing_else(
    spec_dict: dict[str, Any], tmp_path: Path
) -> None:
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'routes.db'}",
            "BLOB_BACKEND": "local",
            "BLOB_DIR": str(tmp_path),
            "SECRET_KEY": "a-test-key-long-enough-to-start-with-0123",
        }
    )
    served = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        # The spec describes the API and the machine routes; the HTML pages are the web UI's.
        if rule.rule.startswith(("/api/", "/iiif/"))
        or (
            rule.endpoint.startswith("web.")
            and rule.endpoint.removeprefix("web.") in MACHINE_ENDPOINTS
        )
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    app.extensions["vitrine.engine"].dispose()
    described = {
        (path, method)
        for path, item in spec_dict["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }
    assert described == served


def test_every_api_operation_needs_a_token_and_every_other_route_is_public(
    spec_dict: dict[str, Any],
) -> None:
    assert spec_dict["security"] == [{"bearerAuth": []}]
    for path, item in spec_dict["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            if path.startswith("/api/v1/"):
                assert "security" not in operation, (method, path)
                assert {"401", "503"} <= set(operation["responses"]), (method, path)
            else:
                assert operation["security"] == [], (method, path)


def test_the_app_serves_this_document(api: Api) -> None:
    response = api.call("GET", "/openapi.yaml")
    assert response.status_code == 200
    assert response.mimetype == "application/yaml"
    assert response.data == SPEC_PATH.read_bytes()
    etag = response.headers["ETag"]
    assert api.call("GET", "/openapi.yaml", headers={"If-None-Match": etag}).status_code == 304


def test_a_response_with_a_field_the_spec_does_not_name_is_refused(openapi: OpenAPI) -> None:
    request = WerkzeugOpenAPIRequest(
        Request(
            EnvironBuilder(path="/api/v1/me", headers={"Authorization": "Bearer x"}).get_environ()
        )
    )
    good = {"name": "ada", "role": "viewer"}
    openapi.validate_response(
        request,
        WerkzeugOpenAPIResponse(Response(json.dumps(good), 200, mimetype="application/json")),
    )
    drifted = Response(
        json.dumps({**good, "email": "ada@example.org"}), 200, mimetype="application/json"
    )
    with pytest.raises(InvalidData):
        openapi.validate_response(request, WerkzeugOpenAPIResponse(drifted))


# ---------------------------------------------------------------- assets


@pytest.fixture
def rights_asset(client: FlaskClient, tokens: dict[str, dict[str, str]]) -> dict[str, Any]:
    response = upload(client, tokens["contributor"], photos.jpeg_with_rights(), "moai.jpg")
    assert response.status_code == 201, response.json
    asset: dict[str, Any] = response.json
    return asset


def test_an_upload_answers_201_with_an_asset_as_described(
    api: Api, tokens: dict[str, dict[str, str]]
) -> None:
    response = api.upload(
        tokens["contributor"],
        photos.jpeg_with_rights(),
        "moai.jpg",
        title="Hoa Hakananai'a",
        object_number="Oc1869,1005.1",
        description="Basalt figure from Rapa Nui",
        alt_text="A tall dark stone figure",
        tags=["MuseumWeek, #moai", "basalt"],
    )
    assert response.status_code == 201
    assert response.headers["Location"] == f"/api/v1/assets/{response.json['id']}"
    assert sorted(response.json["tags"]) == ["MuseumWeek", "basalt", "moai"]
    assert response.json["metadata"]["gps"]["altitude"] is not None


def test_an_upload_of_a_photo_without_metadata_describes_every_field_as_absent(
    api: Api, tokens: dict[str, dict[str, str]]
) -> None:
    response = api.upload(tokens["contributor"], photos.png_with_alpha(64, 48), "plain.png")
    assert response.status_code == 201
    summary = response.json["metadata"]
    assert summary["has_gps"] is False
    assert summary["gps"] is None
    assert summary["creator"] is None


def test_the_same_bytes_again_answer_200_with_the_existing_asset(
    api: Api, tokens: dict[str, dict[str, str]], rights_asset: dict[str, Any]
) -> None:
    response = api.upload(tokens["admin"], photos.jpeg_with_rights(), "again.jpg")
    assert response.status_code == 200
    assert response.json["id"] == rights_asset["id"]
    assert response.headers["Location"] == rights_asset["links"]["self"]


def test_listing_pages_with_a_cursor_and_filters_as_described(
    api: Api, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    for n in range(3):
        upload(client, tokens["contributor"], photos.jpeg_plain(40 + n, 40), tags="museumweek")
    first = api.call("GET", "/api/v1/assets?limit=2", headers=tokens["viewer"])
    assert first.status_code == 200
    assert len(first.json["items"]) == 2
    cursor = first.json["next_cursor"]
    assert cursor
    last = api.call(
        "GET",
        "/api/v1/assets",
        query_string={"limit": 2, "cursor": cursor},
        headers=tokens["viewer"],
    )
    assert len(last.json["items"]) == 1
    assert last.json["next_cursor"] is None
    filtered = api.call(
        "GET",
        "/api/v1/assets",
        query_string={
            "tag": "#MuseumWeek",
            "uploaded_by": "token:contributor-user",
            "created_after": "2020-01-01T00:00:00Z",
            "created_before": "2999-01-01T00:00:00+01:00",
        },
        headers=tokens["viewer"],
    )
    assert len(filtered.json["items"]) == 3


def test_reading_an_asset_and_its_metadata_answers_as_described(
    api: Api, tokens: dict[str, dict[str, str]], rights_asset: dict[str, Any]
) -> None:
    asset = api.call("GET", rights_asset["links"]["self"], headers=tokens["viewer"])
    assert asset.status_code == 200
    assert asset.json == rights_asset
    metadata = api.call("GET", rights_asset["links"]["metadata"], headers=tokens["viewer"])
    assert metadata.status_code == 200
    assert metadata.json["asset_id"] == rights_asset["id"]
    assert metadata.json["summary"] == rights_asset["metadata"]
    assert metadata.json["raw"]["xmp"]["dc:rights"]


def test_patching_an_asset_answers_the_changed_asset(
    api: Api, tokens: dict[str, dict[str, str]], rights_asset: dict[str, Any]
) -> None:
    response = api.call(
        "PATCH",
        rights_asset["links"]["self"],
        json={"title": "Moai", "alt_text": "A stone figure", "tags": ["rapa-nui", "Rapa-Nui"]},
        headers=tokens["contributor"],
    )
    assert response.status_code == 200
    assert (response.json["title"], response.json["tags"]) == ("Moai", ["rapa-nui"])


def test_the_original_downloads_as_a_binary_attachment(
    api: Api, tokens: dict[str, dict[str, str]], rights_asset: dict[str, Any]
) -> None:
    response = api.call("GET", rights_asset["links"]["original"], headers=tokens["contributor"])
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.data == photos.jpeg_with_rights()
    assert response.headers["ETag"] == f'"{rights_asset["sha256"]}"'


def test_deleting_an_asset_answers_204_then_404(
    api: Api, tokens: dict[str, dict[str, str]], rights_asset: dict[str, Any]
) -> None:
    url = rights_asset["links"]["self"]
    deleted = api.call("DELETE", url, headers=tokens["admin"])
    assert deleted.status_code == 204
    assert deleted.data == b""
    problem(api.call("GET", url, headers=tokens["viewer"]), 404, "not-found")
    problem(api.call("DELETE", url, headers=tokens["admin"]), 404, "not-found")
    problem(api.call("GET", f"{url}/original", headers=tokens["admin"]), 404, "not-found")


# ---------------------------------------------------------------- tokens and the caller


def test_tokens_are_created_listed_and_revoked_as_described(
    api: Api, tokens: dict[str, dict[str, str]]
) -> None:
    created = api.call(
        "POST",
        "/api/v1/tokens",
        json={"name": "press office", "role": "viewer"},
        headers=tokens["admin"],
    )
    assert created.status_code == 201
    assert created.json["revoked_at"] is None
    headers = {"Authorization": f"Bearer {created.json['token']}"}
    me = api.call("GET", "/api/v1/me", headers=headers)
    assert me.json == {"name": "press office", "role": "viewer"}

    listed = api.call("GET", "/api/v1/tokens", headers=tokens["admin"])
    assert listed.status_code == 200
    mine = next(item for item in listed.json["items"] if item["id"] == created.json["id"])
    assert mine["last_used_at"] is not None
    assert "token" not in mine

    revoked = api.call("DELETE", f"/api/v1/tokens/{created.json['id']}", headers=tokens["admin"])
    assert revoked.status_code == 200
    assert revoked.json["revoked_at"] is not None
    problem(api.call("GET", "/api/v1/me", headers=headers), 401, "unauthenticated")
    problem(api.call("DELETE", "/api/v1/tokens/9999", headers=tokens["admin"]), 404, "not-found")


# ---------------------------------------------------------------- refusals


def test_a_request_without_a_token_answers_401(api: Api, rights_asset: dict[str, Any]) -> None:
    for method, path in (
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/assets"),
        ("GET", rights_asset["links"]["metadata"]),
        ("DELETE", "/api/v1/tokens/1"),
    ):
        problem(api.call(method, path, request_valid=False), 401, "unauthenticated")
    problem(
        api.call("GET", "/api/v1/me", headers={"Authorization": "Bearer vt_nope_nope"}),
        401,
        "unauthenticated",
    )


def test_a_role_below_the_route_answers_403(
    api: Api, tokens: dict[str, dict[str, str]], rights_asset: dict[str, Any]
) -> None:
    problem(api.upload(tokens["viewer"], photos.jpeg_plain(20, 20)), 403, "forbidden")
    problem(
        api.call("GET", rights_asset["links"]["original"], headers=tokens["viewer"]),
        403,
        "forbidden",
    )
    problem(
        api.call("DELETE", rights_asset["links"]["self"], headers=tokens["rights"]),
        403,
        "forbidden",
    )
    problem(api.call("GET", "/api/v1/tokens", headers=tokens["rights"]), 403, "forbidden")


def test_uploads_over_the_limits_answer_413(
    app_settings: dict[str, Any], openapi: OpenAPI, tokens: dict[str, dict[str, str]]
) -> None:
    small = create_app({**app_settings, "MAX_UPLOAD_BYTES": 50_000, "MAX_PIXELS": 100 * 100})
    try:
        api = Api(small.test_client(), openapi)
        headers = tokens["contributor"]
        problem(
            api.upload(headers, photos.jpeg_plain(1200, 900, quality=95)), 413, "file-too-large"
        )
        problem(api.upload(headers, photos.jpeg_plain(101, 100)), 413, "too-many-pixels")
        problem(
            api.upload(
                headers, photos.jpeg_plain(20, 20), title="t" * 600_000, request_valid=False
            ),
            413,
            "request-entity-too-large",
        )
    finally:
        small.extensions["vitrine.engine"].dispose()


def test_what_is_not_a_multipart_image_upload_answers_415(
    api: Api, tokens: dict[str, dict[str, str]]
) -> None:
    headers = tokens["contributor"]
    json_body = api.call(
        "POST", "/api/v1/assets", json={"file": "x"}, headers=headers, request_valid=False
    )
    problem(json_body, 415, "unsupported-media-type")
    problem(api.upload(headers, b"just notes\n", "notes.jpg"), 415, "unsupported-media-type")


def test_invalid_input_answers_422_naming_the_fields(
    api: Api, tokens: dict[str, dict[str, str]], rights_asset: dict[str, Any]
) -> None:
    empty = problem(api.upload(tokens["contributor"], b"", "empty.jpg"), 422, "invalid-input")
    assert empty["errors"] == {"file": "is empty"}
    problem(api.upload(tokens["contributor"], photos.truncated_jpeg()), 422, "unreadable-image")
    bad_limit = api.call(
        "GET", "/api/v1/assets?limit=0", headers=tokens["viewer"], request_valid=False
    )
    assert "limit" in problem(bad_limit, 422, "invalid-input")["errors"]
    not_a_date = api.call(
        "GET",
        "/api/v1/assets?created_after=yesterday",
        headers=tokens["viewer"],
        request_valid=False,
    )
    assert "created_after" in problem(not_a_date, 422, "invalid-input")["errors"]
    patch = api.call(
        "PATCH",
        rights_asset["links"]["self"],
        json={"sha256": "0" * 64},
        headers=tokens["contributor"],
        request_valid=False,
    )
    assert problem(patch, 422, "invalid-input")["errors"] == {
        "sha256": "is not a descriptive field"
    }
    token = api.call(
        "POST",
        "/api/v1/tokens",
        json={"name": "x", "role": "owner"},
        headers=tokens["admin"],
        request_valid=False,
    )
    assert "role" in problem(token, 422, "invalid-input")["errors"]


def test_a_failing_blob_store_answers_503_and_readyz_says_which(
    app_settings: dict[str, Any],
    openapi: OpenAPI,
    tokens: dict[str, dict[str, str]],
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_bytes(b"")
    broken = create_app(
        {**app_settings, "BLOB_BACKEND": "local", "BLOB_DIR": str(blocker / "blobs")}
    )
    try:
        api = Api(broken.test_client(), openapi)
        problem(
            api.upload(tokens["contributor"], photos.jpeg_plain(30, 30)), 503, "storage-unavailable"
        )
        ready = api.call("GET", "/readyz")
        assert ready.status_code == 503
        assert ready.json["status"] == "unavailable"
        assert ready.json["checks"]["database"] == "ok"
        assert ready.json["checks"]["blob_store"].startswith("unavailable: ")
    finally:
        broken.extensions["vitrine.engine"].dispose()


# ---------------------------------------------------------------- public routes


def test_health_and_readiness_answer_without_a_token(api: Api) -> None:
    assert api.call("GET", "/healthz").json == {"status": "ok"}
    ready = api.call("GET", "/readyz")
    assert ready.status_code == 200
    assert ready.json == {"status": "ok", "checks": {"database": "ok", "blob_store": "ok"}}


def test_blob_links_answer_403_unsigned_and_404_when_there_is_nothing_to_serve(
    api: Api, app: Flask
) -> None:
    unsigned = api.call("GET", "/blobs/nothing?expires=1&signature=x")
    signed = api.call(
        "GET", sign_blob_url(app.config["SECRET_KEY"], "nothing", int(time.time()) + 60)
    )
    if app.config["BLOB_BACKEND"] == "local":
        problem(unsigned, 403, "forbidden")
    else:  # only the local store serves blobs through this route
        problem(unsigned, 404, "not-found")
    problem(signed, 404, "not-found")
