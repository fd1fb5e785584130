"""Campaigns to export and bundles to read back: photos by holder, a planned week, the ZIP."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jsonschema
from flask import Flask
from flask.testing import FlaskClient

from service.http.transactions import transaction
from service.rules.bundle_manifest import SCHEMA_FILE
from service.services import campaigns, posts
from tests.support import photos
from tests.support.api import clear, upload

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "service" / "data" / SCHEMA_FILE
BM = "© Trustees of the British Museum"
# A holder without a rule in the shipped credit policy: its record's credit line is required.
VA_HOLDER = "Victoria and Albert Museum"
VA = "© Victoria and Albert Museum, London"

Tokens = dict[str, dict[str, str]]


def photo(
    client: FlaskClient,
    tokens: Tokens,
    *,
    width: int,
    height: int,
    number: str,
    cleared: bool = True,
    holder: str | None = None,
) -> int:
    """A photo of object ``number`` (each size another asset), described; cleared under CC BY
    for the British Museum, or for ``holder`` (the V&A's credit line) when given."""
    response = upload(
        client,
        tokens["contributor"],
        photos.jpeg_with_rights(width=width, height=height, orientation=1),
        title=f"Object {number}",
        object_number=number,
        alt_text=f"Object {number}, photographed from the front on a grey ground.",
        tags="MuseumWeek",
    )
    assert response.status_code == 201, response.json
    asset_id = int(response.json["id"])
    if cleared:
        extra = {"holder": holder, "credit_line": VA} if holder else {}
        answer = clear(client, tokens, asset_id, **extra)
        assert answer.status_code == 200, answer.json
    return asset_id


def plan(
    app: Flask,
    planned: Sequence[Mapping[str, Any]],
    *,
    name: str = "MuseumWeek 2026",
    days: Sequence[tuple[str, str, str]] = (
        ("2026-06-08", "Secrets", "#secretsMW"),
        ("2026-06-09", "People", "#peopleMW"),
    ),
) -> int:
    """A campaign in London's time zone with ``days`` (date, theme, hashtag) and the posts
    ``planned`` (the fields ``posts.add_post`` takes); its id."""
    with transaction(app) as session:
        campaign = campaigns.create_campaign(
            session,
            {"name": name, "hashtag": "MuseumWeek", "timezone": "Europe/London"},
            actor="ana",
        )
        for date, theme, tag in days:
            fields = {"date": date, "theme": theme, "hashtag": tag}
            campaigns.add_day(session, campaign, fields, actor="ana")
        presets = app.extensions["vitrine.services"].presets_in_force(session)
        for fields in planned:
            posts.add_post(session, campaign, dict(fields), actor="ana", presets=presets)
        return campaign.id


def schema() -> dict[str, Any]:
    """The manifest's JSON Schema, as shipped."""
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


def open_bundle(data: bytes) -> zipfile.ZipFile:
    """The ZIP, tested whole (every entry's CRC), with its manifest valid against the schema."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    jsonschema.Draft202012Validator(schema()).validate(manifest_of(archive))
    return archive


def manifest_of(archive: zipfile.ZipFile) -> dict[str, Any]:
    """The bundle's manifest."""
    document: dict[str, Any] = json.loads(archive.read("manifest.json"))
    return document


def json_file(archive: zipfile.ZipFile, name: str) -> dict[str, Any]:
    """A JSON file of the bundle."""
    document: dict[str, Any] = json.loads(archive.read(name))
    return document
