"""Issue 18 on the asset page: where a file's EXIF, IPTC-IIM and XMP disagree, a rights
manager sees the value read, the Metadata Working Group rule that chose it in words, and what
the other blocks say; a file whose blocks agree shows no such table."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import photos
from tests.support.api import upload
from tests.support.web import page, signed_in, web_client

Tokens = dict[str, dict[str, str]]
pytestmark = pytest.mark.parametrize("blob_settings", ["local"], indirect=True)


@pytest.fixture
def web(app: Flask, client: FlaskClient) -> FlaskClient:
    return web_client(app, client, "viewer")


def test_the_asset_page_shows_where_the_blocks_disagree_and_why(
    client: FlaskClient, web: FlaskClient, tokens: Tokens
) -> None:
    data = photos.jpeg_with_rights(
        exif=photos.make_exif(copyright="© Camera body default"),
        xmp=photos.rights_xmp(rights="© Trustees of the British Museum", credit="BM Photo"),
        iptc=photos.iptc_iim(credit="Photo desk"),
    )
    created = upload(client, tokens["contributor"], data)
    assert created.status_code == 201, created.json
    signed_in(web, "viewer")

    document = page(web.get(f"/assets/{created.json['id']}"))

    table = document.by_id("metadata-conflicts")
    assert table is not None
    rows = {row.find("th").text: row for row in table.find_all("tr")[1:]}  # type: ignore[union-attr]
    copyright_row = rows["Copyright notice"].text
    assert "© Camera body default (from exif:Copyright)" in copyright_row
    assert "EXIF is read before IPTC and XMP" in copyright_row
    assert "© Trustees of the British Museum (xmp:dc:rights)" in copyright_row
    credit_row = rows["Credit line"].text
    assert "BM Photo (from xmp:photoshop:Credit)" in credit_row
    assert "no IPTC digest" in credit_row and "Photo desk (iptc:2:110 Credit)" in credit_row
    digest = document.by_id("iptc-digest")
    assert digest is not None and "carries no digest" in digest.text


def test_a_file_whose_blocks_agree_shows_no_disagreement(
    client: FlaskClient, web: FlaskClient, tokens: Tokens
) -> None:
    created = upload(client, tokens["contributor"], photos.jpeg_with_rights())
    assert created.status_code == 201, created.json
    signed_in(web, "viewer")

    document = page(web.get(f"/assets/{created.json['id']}"))

    assert document.by_id("metadata-conflicts") is None
    summary = document.by_id("metadata-summary")
    assert summary is not None and "Copyright notice" in summary.text
