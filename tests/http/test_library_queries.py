"""Listing the library: every filter and sort the API offers, paged by keyset cursors, on
SQLite and PostgreSQL; statements per page do not grow with the library."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.support import photos
from tests.support.api import upload
from tests.support.database import counting_statements

Tokens = dict[str, dict[str, str]]
CC_BY = "https://creativecommons.org/licenses/by/4.0/"


def _upload(client: FlaskClient, tokens: Tokens, number: int, **fields: Any) -> int:
    made = upload(client, tokens["contributor"], photos.jpeg_plain(30 + number, 30), **fields)
    assert made.status_code == 201, made.json
    return int(made.json["id"])


def _set_rights(client: FlaskClient, tokens: Tokens, asset_id: int, **values: Any) -> None:
    answer = client.put(f"/api/v1/assets/{asset_id}/rights", json=values, headers=tokens["rights"])
    assert answer.status_code == 200, answer.json


def _all_pages(client: FlaskClient, token: dict[str, str], **query: Any) -> list[int]:
    """Every id the listing gives, following cursors two at a time."""
    seen: list[int] = []
    cursor = None
    while True:
        page_query = {**query, "limit": 2, **({"cursor": cursor} if cursor else {})}
        answer = client.get("/api/v1/assets", query_string=page_query, headers=token)
        assert answer.status_code == 200, answer.json
        seen.extend(item["id"] for item in answer.json["items"])
        cursor = answer.json["next_cursor"]
        if cursor is None:
            return seen


def test_each_sort_pages_in_its_order_with_ties_by_id_and_blanks_last(
    client: FlaskClient, tokens: Tokens
) -> None:
    fields = [
        {"title": "vase", "object_number": "1921,0412.3"},
        {"title": "Amphora", "object_number": ""},
        {"title": "", "object_number": "1896,0501.1"},
        {"title": "basket", "object_number": "AF1935,0711.1"},
        {"title": "Amphora", "object_number": "af1935,0711.2"},
        {"title": "", "object_number": ""},
    ]
    ids = [_upload(client, tokens, number, **given) for number, given in enumerate(fields)]
    viewer = tokens["viewer"]

    def by(field: str) -> list[int]:
        def key(pair: tuple[int, dict[str, str]]) -> tuple[bool, str, int]:
            asset_id, given = pair
            return (given[field] == "", given[field].lower(), asset_id)

        return [asset_id for asset_id, _ in sorted(zip(ids, fields, strict=True), key=key)]

    assert _all_pages(client, viewer) == list(reversed(ids))
    assert _all_pages(client, viewer, sort="newest") == list(reversed(ids))
    assert _all_pages(client, viewer, sort="oldest") == ids
    assert _all_pages(client, viewer, sort="title") == by("title")
    assert _all_pages(client, viewer, sort="object_number") == by("object_number")
    assert _all_pages(client, viewer, sort="title", q="amphora") == [ids[1], ids[4]]


def test_a_page_continues_after_its_last_row_while_assets_come_and_go(
    client: FlaskClient, tokens: Tokens
) -> None:
    ids = [_upload(client, tokens, number, title=f"Print {number}") for number in range(4)]
    first = client.get(
        "/api/v1/assets", query_string={"limit": 2, "sort": "title"}, headers=tokens["viewer"]
    ).json
    assert [item["id"] for item in first["items"]] == ids[:2]
    _upload(client, tokens, 9, title="Print 0 bis")  # sorts into the page already seen
    deleted = client.delete(f"/api/v1/assets/{ids[0]}", headers=tokens["admin"])
    assert deleted.status_code == 204
    rest = client.get(
        "/api/v1/assets",
        query_string={"limit": 5, "sort": "title", "cursor": first["next_cursor"]},
        headers=tokens["viewer"],
    ).json
    assert [item["id"] for item in rest["items"]] == ids[2:]


def test_rights_filters_find_by_status_holder_licence_and_channel(
    client: FlaskClient, tokens: Tokens
) -> None:
    vase, basket, coin = (_upload(client, tokens, number) for number in range(3))
    _set_rights(
        client, tokens, vase, holder="Trustees of the British Museum", status="pending",
        licence_uri=CC_BY, channels=["web", "print"],
    )  # fmt: skip
    _set_rights(client, tokens, basket, holder="Estate of A. N. Artist", status="restricted")
    viewer = tokens["viewer"]

    def ids(**query: Any) -> list[int]:
        return _all_pages(client, viewer, **query)

    assert ids(rights_status="pending") == [vase]
    assert ids(rights_status="restricted") == [basket]
    assert ids(rights_status="unknown") == [coin]
    assert ids(holder="british museum") == [vase]
    assert ids(holder="100%") == []
    assert ids(licence=CC_BY) == [vase]
    assert ids(licence="http://creativecommons.org/licenses/by/4.0") == [vase]  # any spelling
    assert ids(licence="https://creativecommons.org/licenses/by-nd/4.0/") == []
    assert ids(channel="print") == [vase]
    assert ids(channel="social") == []
    assert ids(channel="web", rights_status="restricted") == []


def test_only_an_admin_lists_the_deleted_assets(client: FlaskClient, tokens: Tokens) -> None:
    kept, binned = (_upload(client, tokens, number) for number in range(2))
    assert client.delete(f"/api/v1/assets/{binned}", headers=tokens["admin"]).status_code == 204
    assert _all_pages(client, tokens["admin"], deleted="true") == [binned]
    assert _all_pages(client, tokens["admin"], deleted="false") == [kept]
    refused = client.get("/api/v1/assets?deleted=true", headers=tokens["rights"])
    assert refused.status_code == 403
    assert refused.mimetype == "application/problem+json"


def test_a_cursor_belongs_to_its_sort_and_bad_choices_answer_422(
    client: FlaskClient, tokens: Tokens
) -> None:
    for number in range(3):
        _upload(client, tokens, number, title=f"Bowl {number}")
    newest = client.get("/api/v1/assets?limit=1", headers=tokens["viewer"]).json["next_cursor"]
    titled = client.get("/api/v1/assets?limit=1&sort=title", headers=tokens["viewer"]).json[
        "next_cursor"
    ]
    for query in (
        {"sort": "title", "cursor": newest},
        {"sort": "oldest", "cursor": titled},
        {"cursor": "WyJuZXdlc3QiLCJ5ZXN0ZXJkYXkiLDFd"},  # ["newest","yesterday",1]
        {"cursor": "WyJ0aXRsZSIsMSwyLDNd"},  # ["title",1,2,3]
        {"sort": "price"},
        {"rights_status": "maybe"},
        {"channel": "tv"},
        {"deleted": "yes"},
        {"licence": "https://example.org/my-licence"},
    ):
        answer = client.get("/api/v1/assets", query_string=query, headers=tokens["viewer"])
        assert answer.status_code == 422, query
        assert answer.mimetype == "application/problem+json"
        assert set(answer.json["errors"]) <= {*query, "cursor"}, answer.json


def test_a_page_runs_the_same_statements_for_3_or_30_assets(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    counts = []
    for first, more in ((0, 3), (3, 27)):
        for number in range(first, first + more):
            asset_id = _upload(client, tokens, number, title=f"Mask {number}", tags="a,b")
            _set_rights(client, tokens, asset_id, holder="Horniman", channels=["web"])
        query = {"limit": 50, "sort": "title", "holder": "horniman", "tag": "a"}
        client.get("/api/v1/assets", query_string=query, headers=tokens["viewer"])  # warm
        with counting_statements(app) as statements:
            answer = client.get("/api/v1/assets", query_string=query, headers=tokens["viewer"])
        assert len(answer.json["items"]) == first + more
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 6, counts  # the token, the page, its tags, the transaction's end


def test_an_audit_filter_takes_the_listings_filters_over_the_live_assets(
    client: FlaskClient, tokens: Tokens
) -> None:
    vase, _unrestricted = (_upload(client, tokens, number) for number in range(2))
    _set_rights(client, tokens, vase, holder="Horniman Museum", status="restricted")
    body = {
        "filter": {"holder": "horniman", "rights_status": "restricted"},
        "platform": "instagram",
    }
    answer = client.post("/api/v1/audits", json=body, headers=tokens["viewer"])
    assert answer.status_code == 200, answer.json
    assert [report["asset_id"] for report in answer.json["reports"]] == [vase]
    for refused_filter in ({"deleted": "true"}, {"channel": "tv"}, {"holder": 3}):
        body = {"filter": refused_filter, "platform": "instagram"}
        refused = client.post("/api/v1/audits", json=body, headers=tokens["viewer"])
        assert refused.status_code == 422, refused_filter
        assert refused.mimetype == "application/problem+json"
