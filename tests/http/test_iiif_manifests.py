"""IIIF Presentation 3.0 through HTTP: a manifest per image and collections per campaign and
per tag, only for images cleared for the web, credited as the policy says, and read by the
IIIF community's own tools (iiif-prezi3's models and the IIIF presentation validator)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import photos
from tests.support.api import clear, upload
from tests.support.database import counting_statements
from tests.support.iiif_presentation import assert_read_as_written, assert_valid
from tests.support.openapi import Api, problem

Tokens = dict[str, dict[str, str]]
# Manifests read no blob: the local store is enough (both databases run).
pytestmark = pytest.mark.parametrize("blob_settings", ["local"], indirect=True)

BM = "© Trustees of the British Museum"  # the credit policy's line for the basket's holder
RECORD = "https://www.britishmuseum.org/collection/object/E_Af1935-0711-1"
MUSEUM = "The British Museum"
MUSEUM_URL = "https://www.britishmuseum.org/"
MEDIA_TYPE = 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"'


@pytest.fixture
def app_settings(app_settings: dict[str, Any]) -> dict[str, Any]:
    """The suite's settings, with the museum named as the documents' provider."""
    return {**app_settings, "IIIF_PROVIDER_NAME": MUSEUM, "IIIF_PROVIDER_URL": MUSEUM_URL}


def public_id(client: FlaskClient, tokens: Tokens, asset_id: int) -> str:
    answer = client.get(f"/api/v1/assets/{asset_id}", headers=tokens["viewer"])
    return str(answer.json["public_id"])


def cleared(client: FlaskClient, tokens: Tokens, width: int = 2400, **fields: Any) -> int:
    """A ``width`` x 1800 photograph of the basket (another width: another asset), described
    (``fields`` change the description) and cleared under CC BY for the web: it passes."""
    values = {
        "title": "Somali wedding basket",
        "object_number": "Af1935,0711.1",
        "alt_text": "A woven basket with a conical lid.",
        "tags": "MuseumWeek",
        **fields,
    }
    photo = photos.jpeg_with_rights(width=width, height=1800, orientation=1)
    made = upload(client, tokens["contributor"], photo, **values)
    assert made.status_code == 201, made.json
    asset_id = int(made.json["id"])
    assert clear(client, tokens, asset_id).status_code == 200
    return asset_id


def uncleared(client: FlaskClient, tokens: Tokens, width: int = 1200, **fields: Any) -> int:
    """A described photograph of the basket, tagged MuseumWeek, whose rights are not cleared."""
    values = {"title": "Basket lid", "alt_text": "A conical lid.", "tags": "MuseumWeek", **fields}
    photo = photos.jpeg_with_rights(width, 900, orientation=1)
    made = upload(client, tokens["contributor"], photo, **values)
    assert made.status_code == 201, made.json
    return int(made.json["id"])


def campaign(client: FlaskClient, tokens: Tokens, *posts: tuple[str, list[int]]) -> int:
    """A campaign of one day whose posts go out at the given times with the given images."""
    plan = {
        "name": "MuseumWeek 2026",
        "timezone": "Europe/London",
        "days": [{"date": "2026-06-08", "posts": [
            {"time": at, "platforms": ["x"], "media": media} for at, media in posts
        ]}],
    }  # fmt: skip
    made = client.post("/api/v1/campaigns", json=plan, headers=tokens["contributor"])
    assert made.status_code == 201, made.json
    return int(made.json["id"])


def listed(answer: Any) -> list[str]:
    """The public ids of the manifests a collection lists, in its order."""
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return [item["id"].split("/")[-2] for item in answer.json["items"]]


# --- the manifest ---------------------------------------------------------------------------


def test_a_cleared_images_manifest_credits_the_policys_line_names_its_licence_and_record(
    api: Api, client: FlaskClient, tokens: Tokens
) -> None:
    asset_id = cleared(client, tokens, record_url=RECORD, object_date="c. 1930",
                             description="Made for a wedding in Somalia.")  # fmt: skip
    # The record's own credit is not the policy's: the manifest carries the policy's.
    changed = clear(client, tokens, asset_id, credit_line="British Museum",
                    licence_uri="https://creativecommons.org/licenses/by-nc/4.0")  # fmt: skip
    assert changed.status_code == 200, changed.json
    image = public_id(client, tokens, asset_id)

    answer = api.call("GET", f"/iiif/3/{image}/manifest")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.headers["Content-Type"] == MEDIA_TYPE
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.headers["Cache-Control"] == "public, max-age=3600"
    manifest = answer.json
    base = "http://localhost/iiif/3"
    assert manifest["id"] == f"{base}/{image}/manifest"
    assert manifest["label"] == {"none": ["Somali wedding basket"]}
    assert manifest["summary"] == {"none": ["Made for a wedding in Somalia."]}
    assert manifest["requiredStatement"] == {
        "label": {"en": ["Attribution"]},
        "value": {"none": [BM]},
    }
    assert manifest["rights"] == "http://creativecommons.org/licenses/by-nc/4.0/"
    assert manifest["homepage"] == [{"id": RECORD, "type": "Text", "format": "text/html",
                                     "label": {"none": ["Somali wedding basket"]}}]  # fmt: skip
    metadata = {pair["label"]["en"][0]: pair["value"]["none"][0] for pair in manifest["metadata"]}
    assert metadata == {
        "Object number": "Af1935,0711.1",
        "Creator": "Jane Photographer",  # from the photograph's embedded rights
        "Date": "c. 1930",
        "Holder": "Trustees of the British Museum",
    }
    [agent] = manifest["provider"]
    assert (agent["id"], agent["label"]) == (MUSEUM_URL, {"none": [MUSEUM]})
    [thumbnail] = manifest["thumbnail"]
    assert thumbnail["id"] == f"{base}/{image}/full/!400,400/0/default.jpg"
    assert (thumbnail["width"], thumbnail["height"]) == (400, 300)
    [canvas] = manifest["items"]
    assert (canvas["width"], canvas["height"]) == (2400, 1800)
    body = canvas["items"][0]["items"][0]["body"]
    assert body["id"] == f"{base}/{image}/full/max/0/default.jpg"
    assert (body["width"], body["height"]) == (2400, 1800)  # within the service's 4096
    assert body["service"] == [{"id": f"{base}/{image}", "type": "ImageService3",
                                "profile": "level2"}]  # fmt: skip


def test_the_painted_image_is_as_large_as_the_image_services_max_gives(
    make_app: Any, tokens: Tokens
) -> None:
    app = make_app(IIIF_MAX_EDGE=2000, PUBLIC_URL="https://images.museum.org/")
    client = app.test_client()
    image = public_id(client, tokens, cleared(client, tokens))
    manifest = client.get(f"/iiif/3/{image}/manifest").json
    body = manifest["items"][0]["items"][0]["items"][0]["body"]
    assert (body["width"], body["height"]) == (2000, 1500)
    assert body["id"] == f"https://images.museum.org/iiif/3/{image}/full/max/0/default.jpg"


def test_a_licence_iiif_does_not_take_leaves_rights_out_and_keeps_the_attribution(
    client: FlaskClient, tokens: Tokens
) -> None:
    asset_id = cleared(client, tokens)
    changed = clear(client, tokens, asset_id, licence_uri="vitrine:all-rights-reserved",
                    notes="Permission granted for the museum's website.")  # fmt: skip
    assert changed.status_code == 200, changed.json
    answer = client.get(f"/iiif/3/{public_id(client, tokens, asset_id)}/manifest")
    assert answer.status_code == 200, answer.get_data(as_text=True)  # web is among its channels
    assert "rights" not in answer.json
    assert answer.json["requiredStatement"]["value"] == {"none": [BM]}


# --- the gate -------------------------------------------------------------------------------


def test_an_uncleared_image_answers_403_with_its_failing_checks_and_no_collection_lists_it(
    api: Api, client: FlaskClient, tokens: Tokens
) -> None:
    first = cleared(client, tokens, width=2400, tags="MuseumWeek, AC/DC")
    held = uncleared(client, tokens, tags="MuseumWeek, AC/DC")
    second = cleared(client, tokens, width=2401)
    ids = {name: public_id(client, tokens, asset) for name, asset in
           (("first", first), ("held", held), ("second", second))}  # fmt: skip

    refused = problem(api.call("GET", f"/iiif/3/{ids['held']}/manifest"), 403,
                      "not-cleared-for-web")  # fmt: skip
    failing = {check["check"] for check in refused["checks"]}
    assert "rights_status_cleared" in failing
    assert all(check["status"] == "fail" for check in refused["checks"])
    assert "rights_status_cleared" in refused["detail"]

    # Posts go out in time order, whatever order they were planned in; each image once.
    plan = campaign(client, tokens, ("12:00", [first, held]), ("09:00", [second, first]))
    collection = api.call("GET", f"/iiif/3/collections/campaigns/{plan}")
    assert listed(collection) == [ids["second"], ids["first"]]
    assert collection.json["label"] == {"none": ["MuseumWeek 2026"]}
    assert collection.headers["Content-Type"] == MEDIA_TYPE

    # Tags in any case, with or without '#', oldest first; a tag may hold a slash.
    for spelling in ("MuseumWeek", "museumweek"):
        tagged = api.call("GET", f"/iiif/3/collections/tags/{spelling}")
        assert listed(tagged) == [ids["first"], ids["second"]], spelling
    # (The spec-checking client rebuilds the URL from its decoded path, where '#' would
    # start a fragment: the plain client sends this one.)
    hashed = client.get("/iiif/3/collections/tags/%23MUSEUMWEEK")
    assert listed(hashed) == [ids["first"], ids["second"]]
    slashed = client.get("/iiif/3/collections/tags/AC%2FDC")
    assert listed(slashed) == [ids["first"]]
    assert slashed.json["id"] == "http://localhost/iiif/3/collections/tags/AC%2FDC"

    # Cleared, it is listed where it belongs.
    assert clear(client, tokens, held).status_code == 200
    assert api.call("GET", f"/iiif/3/{ids['held']}/manifest").status_code == 200
    collection = api.call("GET", f"/iiif/3/collections/campaigns/{plan}")
    assert listed(collection) == [ids["second"], ids["first"], ids["held"]]
    tagged = api.call("GET", "/iiif/3/collections/tags/museumweek")
    assert listed(tagged) == [ids["first"], ids["held"], ids["second"]]


def test_a_tag_nobody_has_is_an_empty_collection_and_what_cannot_be_a_tag_is_404(
    api: Api, client: FlaskClient, tokens: Tokens
) -> None:
    uncleared(client, tokens, tags="HeldBack")
    for tag in ("NoSuchTag", "HeldBack"):  # unknown, and all held back: the same answer
        empty = api.call("GET", f"/iiif/3/collections/tags/{tag}")
        assert empty.status_code == 200 and empty.json["items"] == []
        assert empty.json["label"] == {"none": [f"#{tag}"]}
    for impossible in ("%23", "%20", "a%00b", "x" * 65):
        problem(client.get(f"/iiif/3/collections/tags/{impossible}"), 404, "not-found")


def test_deleted_and_unknown_images_and_campaigns_answer_404(
    api: Api, client: FlaskClient, tokens: Tokens
) -> None:
    gone, kept = cleared(client, tokens, width=2400), cleared(client, tokens, width=2401)
    gone_id, kept_id = public_id(client, tokens, gone), public_id(client, tokens, kept)
    plan = campaign(client, tokens, ("09:00", [gone, kept]))
    deleted = client.delete(f"/api/v1/assets/{gone}", headers=tokens["admin"])
    assert deleted.status_code == 204
    problem(api.call("GET", f"/iiif/3/{gone_id}/manifest"), 404, "not-found")
    assert listed(api.call("GET", f"/iiif/3/collections/campaigns/{plan}")) == [kept_id]
    assert listed(api.call("GET", "/iiif/3/collections/tags/MuseumWeek")) == [kept_id]
    for unknown in (str(uuid.uuid4()), "not-a-uuid", str(gone), kept_id + "0"):
        problem(api.call("GET", f"/iiif/3/{unknown}/manifest"), 404, "not-found")
    problem(api.call("GET", f"/iiif/3/collections/campaigns/{plan + 1}"), 404, "not-found")
    problem(client.get("/iiif/3/collections/campaigns/4294967296"), 404, "not-found")


# --- caching --------------------------------------------------------------------------------


def test_a_rights_change_changes_the_etag_and_a_current_copy_answers_304(
    api: Api, client: FlaskClient, tokens: Tokens
) -> None:
    asset_id = cleared(client, tokens)
    image = public_id(client, tokens, asset_id)
    url, collection_url = f"/iiif/3/{image}/manifest", "/iiif/3/collections/tags/MuseumWeek"
    first = api.call("GET", url)
    etag = first.headers["ETag"]
    again = api.call("GET", url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == "public, max-age=3600"
    assert api.call("GET", url).headers["ETag"] == etag  # the same document, the same ETag
    listed_before = api.call("GET", collection_url).headers["ETag"]

    changed = clear(
        client, tokens, asset_id, licence_uri="http://creativecommons.org/licenses/by-sa/4.0/"
    )
    assert changed.status_code == 200, changed.json
    after = api.call("GET", url, headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["ETag"] != etag
    assert after.json["rights"] == "http://creativecommons.org/licenses/by-sa/4.0/"
    # A collection lists manifests, not rights: its document and ETag stay as they were.
    assert api.call("GET", collection_url).headers["ETag"] == listed_before


def test_no_cache_keeps_a_document_past_the_end_of_the_rights_of_an_image_in_it(
    make_app: Any, tokens: Tokens
) -> None:
    app = make_app(IIIF_MAX_AGE=30 * 86400)
    client = app.test_client()
    lasting = cleared(client, tokens, width=2400)
    ending = cleared(client, tokens, width=2401)
    ends = datetime.now(UTC).date() + timedelta(days=2)
    changed = clear(client, tokens, ending, expires_at=ends.isoformat())
    assert changed.status_code == 200, changed.json
    plan = campaign(client, tokens, ("09:00", [lasting, ending]))
    # Good through its end date: until the midnight (UTC) after it.
    until = datetime.combine(ends + timedelta(days=1), time(), UTC)

    def max_age(url: str) -> int:
        answer = client.get(url)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return int(answer.headers["Cache-Control"].removeprefix("public, max-age="))

    expected = (until - datetime.now(UTC)).total_seconds()
    assert abs(max_age(f"/iiif/3/{public_id(client, tokens, ending)}/manifest") - expected) < 5
    assert abs(max_age(f"/iiif/3/collections/campaigns/{plan}") - expected) < 5
    assert max_age(f"/iiif/3/{public_id(client, tokens, lasting)}/manifest") == 30 * 86400


def test_a_collection_is_read_in_the_same_number_of_statements_however_many_images_it_lists(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    def statements(tag: str, count: int) -> int:
        for n in range(count):
            cleared(client, tokens, width=3000 + 10 * len(tag) + n, tags=tag)
        uncleared(client, tokens, width=1300 + len(tag), tags=tag)
        with counting_statements(app) as seen:
            answer = client.get(f"/iiif/3/collections/tags/{tag}")
        assert len(answer.json["items"]) == count
        return len(seen)

    assert statements("few", 2) == statements("several", 5)


# --- checked by the IIIF community's tools ----------------------------------------------------


@pytest.fixture
def documents(client: FlaskClient, tokens: Tokens) -> list[tuple[dict[str, Any], str]]:
    """One of each document: a manifest saying everything, a plain one, a campaign's and a
    tag's collections and an empty one, each with the URL it is served at."""
    full = cleared(client, tokens, width=2400, record_url=RECORD, object_date="c. 1930",
                         description="Made for a wedding in Somalia.")  # fmt: skip
    plain = cleared(client, tokens, width=2401, title="", object_number="")
    plan = campaign(client, tokens, ("09:00", [full, plain]))
    urls = [
        f"/iiif/3/{public_id(client, tokens, full)}/manifest",
        f"/iiif/3/{public_id(client, tokens, plain)}/manifest",
        f"/iiif/3/collections/campaigns/{plan}",
        "/iiif/3/collections/tags/MuseumWeek",
        "/iiif/3/collections/tags/NoSuchTag",
    ]
    served = []
    for url in urls:
        answer = client.get(url)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        served.append((answer.json, f"http://localhost{url}"))
    assert "rights" in served[0][0] and "homepage" in served[0][0]
    assert served[1][0]["label"] == {"en": ["Untitled"]}
    return served


def test_iiif_prezi3_reads_every_document_as_it_is_written(
    documents: list[tuple[dict[str, Any], str]],
) -> None:
    assert_read_as_written(documents)


def test_the_iiif_presentation_validator_passes_every_document(
    documents: list[tuple[dict[str, Any], str]],
) -> None:
    assert_valid(documents)
