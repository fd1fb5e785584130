"""Fixtures of the HTTP tests: a described asset, and one whose audit passes."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.support import photos
from tests.support.api import upload
from tests.support.openapi import Api, clear, uploaded

Tokens = dict[str, dict[str, str]]


@pytest.fixture
def asset(client: FlaskClient, tokens: Tokens) -> dict[str, Any]:
    """A photo whose embedded metadata names the British Museum, described for #MuseumWeek."""
    response = upload(
        client,
        tokens["contributor"],
        photos.jpeg_with_rights(),
        "basket.jpg",
        title="Somali wedding basket",
        object_number="Af1935,0711.1",
        description="Made for a wedding in Somalia. " * 20,
        alt_text="A woven basket with a conical lid, decorated with leather straps.",
        tags="MuseumWeek",
    )
    assert response.status_code == 201, response.json
    created: dict[str, Any] = response.json
    return created


@pytest.fixture
def asset_id(api: Api, tokens: Tokens) -> int:
    """An asset whose audit passes: cleared under CC BY for the web and social media."""
    created = uploaded(api, tokens)
    clear(api, tokens, created)
    return created
