"""`vitrine metadata reread`: assets uploaded before the reader followed the MWG rules are read
again from their originals (in the blob store: local and S3) and their pages then show where
the blocks disagree; rights records stay as people left them."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.http import database as db
from service.storage.models import Asset
from tests.support import photos
from tests.support.api import upload

COMBINATIONS = pytest.mark.parametrize(
    ("database_url", "blob_settings"), [("sqlite", "local"), ("postgresql", "s3")], indirect=True
)
# What the reader kept before issue 18: XMP first, no reconciliation.
OLD_SUMMARY = {"copyright_notice": {"value": "© XMP desk", "source": "xmp:dc:rights"}}


def as_read_long_ago(app: Flask, asset_id: int) -> None:
    with app.app_context(), db.new_session(app) as session:
        asset = session.get(Asset, asset_id)
        assert asset is not None
        asset.metadata_summary = OLD_SUMMARY
        session.commit()


def metadata_of(client: FlaskClient, headers: dict[str, str], asset_id: int) -> dict[str, Any]:
    answer = client.get(f"/api/v1/assets/{asset_id}", headers=headers)
    assert answer.status_code == 200, answer.json
    summary: dict[str, Any] = answer.json["metadata"]
    return summary


@COMBINATIONS
def test_reread_brings_old_summaries_up_to_the_mwg_rules_and_leaves_rights_alone(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    data = photos.jpeg_with_rights(
        exif=photos.make_exif(copyright="© EXIF camera body"),
        xmp=photos.rights_xmp(rights="© XMP desk"),
        with_iptc=False,
    )
    created = upload(client, tokens["contributor"], data)
    assert created.status_code == 201, created.json
    asset_id = created.json["id"]
    rights_before = client.get(f"/api/v1/assets/{asset_id}/rights", headers=tokens["viewer"]).json
    as_read_long_ago(app, asset_id)

    reread = app.test_cli_runner().invoke(args=["metadata", "reread"])

    assert reread.exit_code == 0, reread.output
    assert "1 asset(s) read anew, 0 unchanged" in reread.output
    summary = metadata_of(client, tokens["viewer"], asset_id)
    assert summary["copyright_notice"] == {
        "value": "© EXIF camera body",
        "source": "exif:Copyright",
    }
    assert summary["reconciled"]["copyright_notice"]["conflicts"] == [
        {"source": "xmp:dc:rights", "value": "© XMP desk"}
    ]
    rights_after = client.get(f"/api/v1/assets/{asset_id}/rights", headers=tokens["viewer"]).json
    assert rights_after == rights_before
    again = app.test_cli_runner().invoke(args=["metadata", "reread", str(asset_id)])
    assert "0 asset(s) read anew, 1 unchanged" in again.output


@COMBINATIONS
def test_reread_of_an_asset_whose_original_is_gone_says_so_and_fails(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    from service.services import context

    created = upload(client, tokens["contributor"], photos.jpeg_with_rights())
    assert created.status_code == 201, created.json
    with app.app_context(), db.new_session(app) as session:
        asset = session.get(Asset, created.json["id"])
        assert asset is not None
        context.of(app).store.delete(asset.blob_key)
    as_read_long_ago(app, created.json["id"])

    reread = app.test_cli_runner().invoke(args=["metadata", "reread"])

    assert reread.exit_code != 0
    assert f"asset {created.json['id']}:" in reread.output and "missing" in reread.output
    assert metadata_of(client, tokens["viewer"], created.json["id"]) == OLD_SUMMARY
