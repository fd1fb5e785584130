"""What a published variant says of the people it shows, read back with ExifTool: the model
release ids of their running consents, and a person's name only where their consent allows
it (issue 16: names are never written by default)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.http.transactions import transaction
from service.services import people
from service.storage.models import Asset
from tests.support import bundles
from tests.support.api import fetch_variant
from tests.support.exiftool import exiftool
from tests.support.people import depict

Tokens = dict[str, dict[str, str]]
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
SOCIAL_AND_WEB = ["social", "web"]


def test_a_variant_names_only_those_whose_consent_allows_it_and_carries_their_release_ids(
    app: Flask, client: FlaskClient, tokens: Tokens, tmp_path: Path
) -> None:
    asset_id = bundles.photo(client, tokens, width=900, height=600, number="ITP 2026/1")
    named, _ = depict(
        app,
        asset_id,
        name="Amina Yusuf",
        consents=[
            {"channels": SOCIAL_AND_WEB, "release_id": "REL-2026-007", "name_in_metadata": True}
        ],
    )
    unnamed, _ = depict(app, asset_id, name="Hodan Warsame", consents=[
        {"channels": SOCIAL_AND_WEB, "release_id": "REL-2026-008"}])  # fmt: skip
    with transaction(app) as session:  # both are in the photograph
        both = {"status": "depicted", "people": [{"person_id": named}, {"person_id": unnamed}]}
        people.set_people(session, session.get_one(Asset, asset_id), both, actor="rita")

    _, body = fetch_variant(app, client, asset_id, "x", tokens["viewer"])
    path = tmp_path / "variant.jpg"
    path.write_bytes(body)
    [tags] = exiftool(path)
    release_ids = tags.get("XMP-plus:ModelReleaseID")
    assert sorted(release_ids if isinstance(release_ids, list) else [release_ids]) == [
        "REL-2026-007", "REL-2026-008"]  # fmt: skip
    assert tags.get("XMP-iptcExt:PersonInImage") == "Amina Yusuf"
    assert "Hodan" not in path.read_bytes().decode("latin-1")
    assert "Warsame" not in " ".join(str(value) for value in tags.values())
