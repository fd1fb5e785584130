"""Checking exchanges with the app against openapi.yaml (openapi-core), for the spec tests."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from openapi_core import Config, OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from werkzeug.test import EnvironBuilder, TestResponse
from werkzeug.wrappers import Request

from tests.support import photos
from tests.support.people import no_recognisable_people
from tests.support.rights import CC_BY

SPEC_PATH = Path(__file__).resolve().parents[2] / "openapi.yaml"
PROBLEM = "application/problem+json"


def json_body(value: bytes, **_parameters: str) -> Any:
    return json.loads(value)


def text_body(value: bytes, **parameters: str) -> str:
    return value.decode(parameters.get("charset", "utf-8"))


def spec_config() -> Config:
    """openapi-core's settings for this document.

    It has no deserializer of its own for problem+json or IIIF's ld+json (which are JSON) or
    for CSV (text).
    """
    return Config(
        extra_media_type_deserializers={
            PROBLEM: json_body,
            "application/ld+json": json_body,
            "text/csv": text_body,
        }
    )


class Api:
    """Sends requests to the app and checks each request and response against the spec."""

    def __init__(self, client: FlaskClient, openapi: OpenAPI) -> None:
        self.client = client
        self.openapi = openapi

    def call(
        self, method: str, path: str, *, request_valid: bool = True, **kwargs: Any
    ) -> TestResponse:
        builder = EnvironBuilder(path=path, method=method, **kwargs)
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        # The app consumes the body, so both it and the validator get their own copy.
        with environ["wsgi.input"] as stream:
            body = stream.read()
        response = self.client.open({**environ, "wsgi.input": io.BytesIO(body)}, buffered=True)
        request = WerkzeugOpenAPIRequest(Request({**environ, "wsgi.input": io.BytesIO(body)}))
        if request_valid:
            self.openapi.validate_request(request)
        else:
            assert list(self.openapi.iter_request_errors(request)), (
                f"the spec accepts {method} {path}, which the app refuses"
            )
        self.openapi.validate_response(request, WerkzeugOpenAPIResponse(response))
        return response

    def upload(
        self,
        headers: dict[str, str],
        data: bytes,
        filename: str = "photo.jpg",
        *,
        request_valid: bool = True,
        **fields: Any,
    ) -> TestResponse:
        form = {"file": (io.BytesIO(data), filename), **fields}
        return self.call(
            "POST", "/api/v1/assets", data=form, headers=headers, request_valid=request_valid
        )


def problem(response: TestResponse, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body: dict[str, Any] = response.json
    assert body["code"] == code
    return body


def clear(api: Api, tokens: dict[str, dict[str, str]], asset_id: int, **extra: Any) -> Any:
    """Clear an asset's rights under CC BY through ``api``, checked against the spec, and say
    that the photograph shows no recognisable people (``api.clear``)."""
    body = {"status": "cleared", "licence_uri": CC_BY, "channels": ["web", "social"], **extra}
    response = api.call(
        "PUT", f"/api/v1/assets/{asset_id}/rights", json=body, headers=tokens["rights"]
    )
    assert response.status_code == 200, response.json
    no_recognisable_people(api.client.application, asset_id)
    return response.json


def uploaded(api: Api, tokens: dict[str, dict[str, str]]) -> int:
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


def history(api: Api, tokens: dict[str, dict[str, str]], asset_id: int) -> dict[str, Any]:
    """An asset's history, the latest entry per field."""
    response = api.call("GET", f"/api/v1/assets/{asset_id}/history", headers=tokens["viewer"])
    assert response.status_code == 200
    return {entry["field"]: entry for entry in response.json["items"]}
