"""The people register through the API, as the tests use it: a photograph, a person, her
consent and her depiction, each checked against openapi.yaml by the ``api`` fixture."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import photos
from tests.support.openapi import Api

LOCAL = pytest.mark.parametrize("blob_settings", ["local"], indirect=True)
Tokens = dict[str, dict[str, str]]
NAME = "Amina Yusuf"
REF = "MW-PART-0042"
GUARDIAN = "Halima Yusuf"
PEOPLE = "/api/v1/people"
# Starts like a PDF: what a signed form is told by.
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def asset(api: Api, tokens: Tokens, width: int, number: str = "ITP-2015-014") -> int:
    response = api.upload(
        tokens["contributor"], photos.jpeg_plain(width, 60), f"{number}.jpg",
        object_number=number, alt_text="Participants at the #MuseumWeek workshop.",
    )  # fmt: skip
    assert response.status_code == 201, response.json
    return int(response.json["id"])


def person(api: Api, tokens: Tokens, name: str = NAME, role: str = "participant") -> int:
    body = {"display_name": name, "role": role, "external_ref": REF}
    response = api.call("POST", PEOPLE, json=body, headers=tokens["rights"])
    assert response.status_code == 201, response.json
    assert response.headers["Location"] == f"{PEOPLE}/{response.json['id']}"
    return int(response.json["id"])


def consent(api: Api, tokens: Tokens, person_id: int, **fields: Any) -> dict[str, Any]:
    body = {
        "channels": ["social", "web"],
        "platforms": ["instagram", "bluesky"],
        "purposes": ["campaign"],
        "granted_at": "2026-03-01",
        "language": "en",
        "release_id": "MR-2026-0042",
        **fields,
    }
    response = api.call(
        "POST", f"{PEOPLE}/{person_id}/consents", json=body, headers=tokens["rights"]
    )
    assert response.status_code == 201, response.json
    created: dict[str, Any] = response.json
    return created


def depict_people(api: Api, tokens: Tokens, asset_id: int, *people: int) -> Any:
    body = {
        "status": "depicted",
        "people": [
            {"person_id": person_id, "region": {"x": 0.1, "y": 0.2, "w": 0.3, "h": 0.4}}
            for person_id in people
        ],
    }
    response = api.call(
        "PUT", f"/api/v1/assets/{asset_id}/people", json=body, headers=tokens["rights"]
    )
    assert response.status_code == 200, response.json
    return response.json


def text_of(response: Any) -> str:
    return response.get_data(as_text=True)


def history(api: Api, tokens: Tokens, person_id: int) -> list[dict[str, Any]]:
    response = api.call("GET", f"{PEOPLE}/{person_id}/history", headers=tokens["rights"])
    assert response.status_code == 200, response.json
    items: list[dict[str, Any]] = response.json["items"]
    return items
