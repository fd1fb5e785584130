"""Every Bluesky record of an exported bundle is one a real PDS accepts.

The bundle's ``bluesky.json`` holds the ``app.bsky.feed.post`` record with a placeholder where
each image blob goes and, in ``blobs``, the bundle file to upload for it and where its blob
goes. A publisher uploads each file, puts the blob it gets back in its place and creates the
record: this test does exactly that against the throwaway PDS of ``make test``, which checks
each record against the lexicons it ships (graphemes, blob sizes, alt text, aspect ratios,
facets). Posts of two, four (``app.bsky.embed.images``) and six images
(``app.bsky.embed.gallery``) are posted.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import bundles
from tests.support.bundles import BM, VA, VA_HOLDER
from tests.support.pds import Session, create_record, get_record, upload_blob

Tokens = dict[str, dict[str, str]]


def _put(record: dict[str, Any], pointer: str, value: Any) -> None:
    """Set the value at a JSON pointer (``/embed/images/0/image``) of ``record``."""
    *path, last = [int(p) if p.isdigit() else p for p in pointer.strip("/").split("/")]
    target: Any = record
    for part in path:
        target = target[part]
    target[last] = value


@pytest.mark.parametrize("blob_settings", ["local"], indirect=True)
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_every_bluesky_record_of_a_bundle_is_accepted_by_a_real_pds(
    app: Flask, client: FlaskClient, tokens: Tokens, pds_session: Session
) -> None:
    bm = [bundles.photo(client, tokens, width=1500 + n, height=1000 + 150 * (n % 3),
                        number=f"Af{n}") for n in range(6)]  # fmt: skip
    va = bundles.photo(client, tokens, width=1400, height=1400, number="VA1", holder=VA_HOLDER)
    caption = f"Secrets of the stores #MuseumWeek #secretsMW https://example.org/week {BM} {VA}"
    campaign_id = bundles.plan(
        app,
        [
            {"day": "2026-06-08", "time": "09:30", "platforms": ["bluesky"],
             "media": [{"asset_id": bm[0]}, {"asset_id": va}],
             "captions": {"bluesky": caption}},
            {"day": "2026-06-08", "time": "12:00", "platforms": ["bluesky"],
             "media": [{"asset_id": asset_id} for asset_id in bm[:4]]},
            {"day": "2026-06-09", "time": "09:30", "platforms": ["bluesky"],
             "media": [{"asset_id": asset_id, "alt_text": f"Detail {n + 1} of the basket's weave."}
                       for n, asset_id in enumerate(bm)],
             "captions": {"bluesky": f"Six details #peopleMW {BM}"}},
        ],
    )  # fmt: skip
    response = client.get(f"/api/v1/campaigns/{campaign_id}/bundle", headers=tokens["contributor"])
    assert response.status_code == 200, response.get_data(as_text=True)[:1000]
    archive = bundles.open_bundle(response.data)
    manifest = bundles.manifest_of(archive)

    posted = []
    for post in manifest["posts"]:
        payload = bundles.json_file(archive, post["payloads"]["bluesky"])
        assert payload["problems"] == []
        record = copy.deepcopy(payload["record"])
        for blob in payload["blobs"]:
            data = archive.read(blob["file"])
            assert len(data) == blob["size"] <= 2_000_000
            uploaded = upload_blob(pds_session, data, blob["mimeType"])
            assert uploaded["size"] == blob["size"]
            _put(record, blob["pointer"], uploaded)
        reply = create_record(pds_session, record)
        assert reply.status == 200, reply.message
        stored = get_record(pds_session, reply.json["uri"])
        assert stored.status == 200
        posted.append(stored.json["value"])

    assert [p["embed"]["$type"] for p in posted] == [
        "app.bsky.embed.images", "app.bsky.embed.images", "app.bsky.embed.gallery"
    ]  # fmt: skip
    first, carousel, gallery = posted
    assert first["text"] == caption
    assert [image["alt"] for image in first["embed"]["images"]][1].startswith("Object VA1")
    tags = [f["features"][0].get("tag") for f in first["facets"]]
    assert tags[:2] == ["MuseumWeek", "secretsMW"]
    assert first["facets"][-1]["features"][0]["uri"] == "https://example.org/week"
    assert len(carousel["embed"]["images"]) == 4
    assert [item["alt"] for item in gallery["embed"]["items"]] == [
        f"Detail {n} of the basket's weave." for n in range(1, 7)
    ]
    for item in gallery["embed"]["items"]:
        assert item["aspectRatio"]["width"] >= 1 and item["aspectRatio"]["height"] >= 1
