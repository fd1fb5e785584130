"""The Image API's routes as a viewer meets them (issue 17): public behind the web gate, with
CORS, the profile and licence links, and ETags that change with the rights; every exchange
checked against openapi.yaml. (The pixels themselves: tests/fidelity/test_iiif_*; the IIIF
consortium's validator: test_iiif_validator.py.)"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image

from service.storage.db import utcnow
from tests.support.openapi import PROBLEM, Api, clear, problem, uploaded
from tests.support.rights import CC_BY

Tokens = dict[str, dict[str, str]]
LEVEL2 = "http://iiif.io/api/image/3/level2.json"
TILE = "0,0,512,512/512,/0/default.jpg"


def _public_id(api: Api, tokens: Tokens, asset_id: int) -> str:
    response = api.call("GET", f"/api/v1/assets/{asset_id}", headers=tokens["viewer"])
    return str(response.json["public_id"])


@pytest.fixture
def public_id(api: Api, tokens: Tokens) -> tuple[int, str]:
    """A 2400x1800 photograph cleared for the web and social media, and its public id."""
    asset_id = uploaded(api, tokens)
    clear(api, tokens, asset_id)
    return asset_id, _public_id(api, tokens, asset_id)


def test_a_cleared_image_has_an_info_json_any_site_may_read(
    api: Api, public_id: tuple[int, str]
) -> None:
    _, image_id = public_id
    info = api.call("GET", f"/iiif/3/{image_id}/info.json")
    assert info.status_code == 200, info.get_data(as_text=True)
    assert info.mimetype == "application/ld+json"  # when not asked otherwise (§5.1)
    assert 'profile="http://iiif.io/api/image/3/context.json"' in info.headers["Content-Type"]
    assert info.headers["Access-Control-Allow-Origin"] == "*"
    assert f'<{LEVEL2}>;rel="profile"' in info.headers["Link"]
    assert f'<{CC_BY}>;rel="license"' in info.headers["Link"]
    assert info.headers["Cache-Control"].startswith("public, max-age=")
    document = info.json
    assert document["id"] == f"http://localhost/iiif/3/{image_id}"
    assert (document["width"], document["height"], document["profile"]) == (2400, 1800, "level2")
    assert document["rights"] == CC_BY
    assert "Set-Cookie" not in info.headers
    plain = api.call("GET", f"/iiif/3/{image_id}/info.json", headers={"Accept": "application/json"})
    assert plain.mimetype == "application/json" and plain.json == document
    base = api.call("GET", f"/iiif/3/{image_id}")
    assert base.status_code == 303
    assert base.headers["Location"].endswith(f"/iiif/3/{image_id}/info.json")


def test_a_tile_is_served_with_its_canonical_link_and_a_304_for_a_current_copy(
    api: Api, public_id: tuple[int, str]
) -> None:
    _, image_id = public_id
    tile = api.call("GET", f"/iiif/3/{image_id}/{TILE}")
    assert tile.status_code == 200, tile.get_data(as_text=True)
    assert tile.mimetype == "image/jpeg"
    assert tile.headers["Access-Control-Allow-Origin"] == "*"
    assert (
        f'/iiif/3/{image_id}/0,0,512,512/max/0/default.jpg>;rel="canonical"'
        in (tile.headers["Link"])
    )
    with Image.open(io.BytesIO(tile.data)) as image:
        assert image.size == (512, 512)
    etag = tile.headers["ETag"]
    again = api.call("GET", f"/iiif/3/{image_id}/{TILE}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    canonical = api.call("GET", f"/iiif/3/{image_id}/full/max/0/default.png")
    assert canonical.status_code == 200 and canonical.mimetype == "image/png"
    assert (
        f'/iiif/3/{image_id}/full/max/0/default.png>;rel="canonical"' in (canonical.headers["Link"])
    )


def test_a_rights_change_changes_every_etag(
    api: Api, tokens: Tokens, public_id: tuple[int, str]
) -> None:
    asset_id, image_id = public_id
    urls = [f"/iiif/3/{image_id}/info.json", f"/iiif/3/{image_id}/{TILE}"]
    before = [api.call("GET", url).headers["ETag"] for url in urls]
    changed = api.call(
        "PUT",
        f"/api/v1/assets/{asset_id}/rights",
        json={"creator": "A. Photographer"},
        headers=tokens["rights"],
    )
    assert changed.status_code == 200, changed.json
    after = [api.call("GET", url) for url in urls]
    assert all(response.status_code == 200 for response in after)
    assert all(b != a.headers["ETag"] for b, a in zip(before, after, strict=True))
    stale = api.call("GET", urls[1], headers={"If-None-Match": before[1]})
    assert stale.status_code == 200  # the old ETag is not current: the new bytes come back


def test_an_image_not_cleared_for_the_web_is_refused_with_its_failing_checks(
    api: Api, tokens: Tokens
) -> None:
    asset_id = uploaded(api, tokens)
    image_id = _public_id(api, tokens, asset_id)
    for url in (f"/iiif/3/{image_id}/info.json", f"/iiif/3/{image_id}/{TILE}"):
        body = problem(api.call("GET", url), 403, "not-cleared-for-web")
        assert "rights_status_cleared" in {check["check"] for check in body["checks"]}
    clear(api, tokens, asset_id, channels=["social"])  # cleared, but not for the web
    refused = api.call("GET", f"/iiif/3/{image_id}/{TILE}")
    body = problem(refused, 403, "not-cleared-for-web")
    assert [check["check"] for check in body["checks"]] == ["licence_allows_channel"]
    assert refused.headers["Access-Control-Allow-Origin"] == "*"  # a viewer can say why


def test_unknown_row_and_deleted_ids_are_not_found(
    api: Api, tokens: Tokens, public_id: tuple[int, str]
) -> None:
    asset_id, image_id = public_id
    for unknown in (str(asset_id), "00000000-0000-4000-8000-000000000000", image_id.upper()):
        problem(api.call("GET", f"/iiif/3/{unknown}/info.json"), 404, "not-found")
    deleted = api.call("DELETE", f"/api/v1/assets/{asset_id}", headers=tokens["admin"])
    assert deleted.status_code == 204
    for url in (f"/iiif/3/{image_id}/info.json", f"/iiif/3/{image_id}/{TILE}"):
        problem(api.call("GET", url), 404, "not-found")


@pytest.mark.parametrize(
    "path",
    [
        "0,0,0,10/max/0/default.jpg",  # a region of no width
        "5000,5000,10,10/max/0/default.jpg",  # outside the image
        "full/0,/0/default.jpg",
        "full/max/0/default.gif2",
        "full/max/0/fancy.jpg",
        "full/max/x/default.jpg",
        "full/4800,/0/default.jpg",  # larger than the region, without ^
    ],
)
def test_a_bad_request_is_a_400_problem(api: Api, public_id: tuple[int, str], path: str) -> None:
    _, image_id = public_id
    response = api.call("GET", f"/iiif/3/{image_id}/{path}")
    assert response.status_code == 400, (path, response.status_code)
    assert response.mimetype == PROBLEM


def test_the_cache_lifetime_never_outlives_the_licence(api: Api, tokens: Tokens) -> None:
    asset_id = uploaded(api, tokens)
    ends = (utcnow() + timedelta(days=1)).date()  # good through tomorrow, UTC
    clear(api, tokens, asset_id, expires_at=ends.isoformat())
    image_id = _public_id(api, tokens, asset_id)
    api.client.application.config["IIIF_MAX_AGE"] = 365 * 86400  # a year, were it not for it
    for url in (f"/iiif/3/{image_id}/info.json", f"/iiif/3/{image_id}/{TILE}"):
        answer = api.call("GET", url)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        seconds = int(answer.headers["Cache-Control"].rsplit("=", 1)[1])
        assert 86400 <= seconds <= 2 * 86400, seconds
