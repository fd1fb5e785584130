"""What the campaign pages' tests share: a browser-like client with a user per role, two
photographs of the basket, and MuseumWeek 2026 with a post on its first day."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.http.transactions import transaction
from service.rules.presets import DEFAULT_PRESETS
from service.services import campaigns, posts
from tests.support import photos
from tests.support.api import basket, upload
from tests.support.web import web_client

Tokens = dict[str, dict[str, str]]


@pytest.fixture
def web(app: Flask, client: FlaskClient) -> FlaskClient:
    """A client that asks for HTML, with one user per role (named after the role)."""
    return web_client(app, client, "viewer", "contributor", "rights")


@pytest.fixture
def two_assets(client: FlaskClient, tokens: Tokens) -> list[int]:
    """The basket, and a second photograph of it (another holder's)."""
    first = basket(client, tokens)
    second = upload(client, tokens["contributor"], photos.jpeg_plain(800, 600),
                    title="Basket lid", object_number="Af1935,0711.2",
                    alt_text="The lid, seen from above.")  # fmt: skip
    assert second.status_code == 201, second.json
    return [int(first["id"]), int(second.json["id"])]


@pytest.fixture
def week(app: Flask, two_assets: list[int]) -> dict[str, Any]:
    """MuseumWeek 2026 in London: two days, a post on the first with the basket."""
    with transaction(app) as session:
        campaign = campaigns.create_campaign(
            session,
            {"name": "MuseumWeek 2026", "hashtag": "MuseumWeek", "timezone": "Europe/London"},
            actor="lead",
        )
        days = [
            campaigns.add_day(session, campaign, {"date": on, "theme": theme}, actor="lead")
            for on, theme in ((date(2026, 6, 8), "Secrets"), (date(2026, 6, 9), "People"))
        ]
        post = posts.add_post(
            session,
            campaign,
            {"day": "2026-06-08", "time": "09:30", "platforms": ["x", "bluesky"],
             "media": [{"asset_id": two_assets[0]}]},
            actor="lead",
            presets=DEFAULT_PRESETS,
        )  # fmt: skip
        return {
            "campaign": campaign.id,
            "days": [day.id for day in days],
            "post": post.id,
            "assets": two_assets,
        }
