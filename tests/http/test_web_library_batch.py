"""Batch work in the library: rights set asset by asset (refused ones left unchanged and
listed with why), tags added and removed, an audit for a chosen platform and channel (never
"default"), and "Rights: to do" on a new asset instead of a red audit verdict.

Runs over every parametrisation of the ``app`` fixture (SQLite and PostgreSQL).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.rules.captions import PLATFORMS
from tests.support import photos
from tests.support.api import upload
from tests.support.rights import BM, CC_BY
from tests.support.web import (
    Element,
    control,
    errors_beside,
    page,
    signed_in,
    snapshot,
    web_client,
)

Tokens = dict[str, dict[str, str]]
BM_HOLDER = "Trustees of the British Museum"
REAL_PLATFORMS = [key for key in PLATFORMS if key != "default"]


@pytest.fixture
def web(app: Flask, client: FlaskClient) -> FlaskClient:
    """A test client that asks for HTML, with one user per role (named after the role)."""
    return web_client(app, client, "viewer", "contributor", "rights", "admin")


def an_asset(client: FlaskClient, tokens: Tokens, width: int, **fields: Any) -> int:
    """A photograph with no embedded rights (its width makes it another asset)."""
    fields = {"title": f"Print {width}", "alt_text": "A print.", **fields}
    response = upload(client, tokens["contributor"], photos.jpeg_plain(width, 200), **fields)
    assert response.status_code == 201, response.json
    return int(response.json["id"])


def licensed(client: FlaskClient, tokens: Tokens, asset_id: int) -> None:
    body = {"licence_uri": CC_BY, "status": "pending"}
    answer = client.put(f"/api/v1/assets/{asset_id}/rights", json=body, headers=tokens["rights"])
    assert answer.status_code == 200, answer.json


def rights_of(client: FlaskClient, tokens: Tokens, asset_id: int) -> dict[str, Any]:
    answer = client.get(f"/api/v1/assets/{asset_id}/rights", headers=tokens["viewer"])
    assert answer.status_code == 200
    return dict(answer.json)


def tags_of(client: FlaskClient, tokens: Tokens, asset_id: int) -> list[str]:
    answer = client.get(f"/api/v1/assets/{asset_id}", headers=tokens["viewer"])
    assert answer.status_code == 200
    return list(answer.json["tags"])


def bulk(web: FlaskClient, token: str, ids: list[int], **fields: Any) -> Any:
    data = {"csrf_token": token, "next": "/library", "asset_ids": [str(i) for i in ids], **fields}
    return web.post("/library/bulk", data=data)


def card_badges(document: Element, asset_id: int) -> list[str]:
    card = document.find("article", cls="asset-card", data_asset_id=str(asset_id))
    assert card is not None, f"no card for asset {asset_id}"
    return [badge.text for badge in card.find_all("span", cls="badge")]


def option_values(document: Element, name: str) -> list[str]:
    return [option.attrs["value"] for option in control(document, name).find_all("option")]


# ---------------------------------------------------------------- rights


def test_batch_rights_save_each_asset_that_accepts_them_and_leave_a_refused_one_unchanged(
    web: FlaskClient, tokens: Tokens
) -> None:
    first, second, unlicensed = (an_asset(web, tokens, width) for width in (301, 302, 303))
    for asset_id in (first, second):
        licensed(web, tokens, asset_id)
    before = snapshot(web, tokens["viewer"], unlicensed)
    token = signed_in(web, "rights")

    # The holder is one the credit policy knows and the credit line is left empty: the
    # policy's line is used. Clearing needs a licence, which the third asset lacks.
    response = bulk(web, token, [first, second, unlicensed], action="rights",
                    rights_holder=BM_HOLDER.lower(), rights_credit_line="",
                    rights_channels=["web", "social"], rights_status="cleared")  # fmt: skip

    assert response.status_code == 200
    document = page(response)
    summary = document.by_id("batch-summary")
    assert summary is not None
    assert "Rights saved on 2 of 3 asset(s). 1 refused and left unchanged." in summary.text
    assert BM in summary.text
    results = {
        int(row.attrs["data-asset-id"]): row for row in document.find_all("li", cls="result")
    }
    assert list(results) == [first, second, unlicensed]
    for asset_id in (first, second):
        assert "result-saved" in results[asset_id].classes
        assert "Saved" in results[asset_id].text
        saved = rights_of(web, tokens, asset_id)
        assert (saved["status"], saved["holder"], saved["credit_line"]) == (
            "cleared", BM_HOLDER.lower(), BM
        )  # fmt: skip
        assert (saved["licence_uri"], saved["channels"]) == (CC_BY, ["web", "social"])
    assert "result-refused" in results[unlicensed].classes
    assert "Refused, unchanged" in results[unlicensed].text
    assert "Clearing needs a licence." in results[unlicensed].text
    assert snapshot(web, tokens["viewer"], unlicensed) == before
    # The page keeps the selection, so the refused asset can be fixed and tried again.
    for asset_id in (first, second, unlicensed):
        assert "checked" in document.by_id(f"select-{asset_id}").attrs  # type: ignore[union-attr]


def test_batch_rights_keep_what_is_left_empty_and_answer_422_when_every_asset_refuses(
    web: FlaskClient, tokens: Tokens
) -> None:
    asset_id = an_asset(web, tokens, 311)
    licensed(web, tokens, asset_id)
    token = signed_in(web, "rights")
    response = bulk(web, token, [asset_id], action="rights", rights_status="restricted")
    assert response.status_code == 200
    kept = rights_of(web, tokens, asset_id)
    assert (kept["status"], kept["licence_uri"], kept["holder"]) == ("restricted", CC_BY, "")

    before = snapshot(web, tokens["viewer"], asset_id)
    refused = bulk(web, token, [asset_id], action="rights", rights_status="cleared")
    assert refused.status_code == 422
    assert "Clearing needs a rights holder." in page(refused).text
    assert snapshot(web, tokens["viewer"], asset_id) == before


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"rights_status": "approved"}, "rights_status", "Must be one of"),
        ({"rights_licence_uri": "https://example.org/mine"}, "rights_licence_uri", "known licence"),
        ({"rights_channels": ["tiktok"]}, "rights_channels", "Must be a list drawn from"),
    ],
    ids=["status", "licence", "channel"],
)
def test_a_wrong_batch_rights_field_is_shown_beside_it_and_changes_no_asset(
    web: FlaskClient, tokens: Tokens, fields: dict[str, Any], field: str, message: str
) -> None:
    ids = [an_asset(web, tokens, width) for width in (321, 322)]
    before = [snapshot(web, tokens["viewer"], asset_id) for asset_id in ids]
    token = signed_in(web, "rights")
    response = bulk(web, token, ids, action="rights", rights_holder=BM_HOLDER, **fields)
    assert response.status_code == 422
    assert any(message in text for text in errors_beside(page(response), field))
    assert [snapshot(web, tokens["viewer"], asset_id) for asset_id in ids] == before


def test_batch_rights_with_nothing_to_set_or_by_a_contributor_change_nothing(
    web: FlaskClient, tokens: Tokens
) -> None:
    asset_id = an_asset(web, tokens, 331)
    before = snapshot(web, tokens["viewer"], asset_id)
    token = signed_in(web, "rights")
    empty = bulk(web, token, [asset_id], action="rights")
    assert empty.status_code == 422
    assert "Choose at least one thing to set." in page(empty).text
    token = signed_in(web, "contributor")
    library = page(web.get("/library"))
    assert control(library, "tag") is not None  # a contributor tags, but sets no rights
    assert library.by_id("bulk-status") is None
    forbidden = bulk(web, token, [asset_id], action="rights", rights_status="pending")
    assert forbidden.status_code == 403
    assert bulk(web, token, [], action="suggest_credit", rights_holder="x").status_code == 403
    assert snapshot(web, tokens["viewer"], asset_id) == before


def test_the_policys_credit_line_is_filled_in_for_a_holder_it_knows(
    web: FlaskClient, tokens: Tokens
) -> None:
    asset_id = an_asset(web, tokens, 341)
    token = signed_in(web, "rights")
    library = page(web.get("/library"))
    holders = library.by_id("policy-holders")
    assert holders is not None
    assert BM_HOLDER in [option.attrs["value"] for option in holders.find_all("option")]

    suggested = bulk(web, token, [asset_id], action="suggest_credit",
                     rights_holder="the trustees of the British Museum")  # fmt: skip
    assert suggested.status_code == 200
    document = page(suggested)
    assert control(document, "rights_credit_line").attrs["value"] == BM
    assert control(document, "rights_holder").attrs["value"] == "the trustees of the British Museum"
    assert "checked" in document.by_id(f"select-{asset_id}").attrs  # type: ignore[union-attr]

    unknown = bulk(web, token, [asset_id], action="suggest_credit", rights_holder="Nobody Ltd")
    assert unknown.status_code == 422
    assert any("no rule" in text for text in errors_beside(page(unknown), "rights_credit_line"))
    assert rights_of(web, tokens, asset_id)["holder"] == ""  # a suggestion saves nothing


# ---------------------------------------------------------------- tags


def test_tags_are_added_to_and_removed_from_every_selected_asset(
    web: FlaskClient, tokens: Tokens
) -> None:
    first = an_asset(web, tokens, 351, tags="MuseumWeek")
    second = an_asset(web, tokens, 352)
    token = signed_in(web, "contributor")

    added = bulk(web, token, [first, second], action="tag", tag="day2, #Baskets")
    assert added.status_code == 302
    assert tags_of(web, tokens, first) == ["MuseumWeek", "day2", "Baskets"]
    assert tags_of(web, tokens, second) == ["day2", "Baskets"]
    assert "Added #day2, #Baskets to 2 asset(s)." in page(web.get(added.headers["Location"])).text

    removed = bulk(web, token, [first, second], action="untag", tag="museumweek, DAY2")
    assert removed.status_code == 302
    assert tags_of(web, tokens, first) == ["Baskets"]
    assert tags_of(web, tokens, second) == ["Baskets"]
    shown = page(web.get(removed.headers["Location"])).text
    assert "Removed #museumweek, #DAY2 from 2 asset(s)." in shown

    refused = bulk(web, token, [first], action="untag", tag=" , ")
    assert refused.status_code == 422
    assert tags_of(web, tokens, first) == ["Baskets"]


# ---------------------------------------------------------------- audit


def test_the_library_audits_for_the_chosen_platform_and_channel_and_never_offers_default(
    web: FlaskClient, tokens: Tokens
) -> None:
    first, second = an_asset(web, tokens, 361), an_asset(web, tokens, 362)
    token = signed_in(web, "viewer")
    library = page(web.get("/library"))
    assert option_values(library, "audit_platform") == REAL_PLATFORMS
    assert option_values(library, "audit_channel") == ["web", "social", "print", "press"]

    response = bulk(web, token, [first, second], action="audit",
                    audit_platform="instagram", audit_channel="web")  # fmt: skip
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/audits"
    assert parse_qs(location.query) == {
        "ids": [f"{first},{second}"], "platform": ["instagram"], "channel": ["web"]
    }  # fmt: skip
    report = page(web.get(response.headers["Location"]))
    captions = [caption.text for caption in report.find_all("caption")]
    assert captions == [f"Asset {i} for instagram on the web channel" for i in (first, second)]

    refused = bulk(web, token, [first], action="audit", audit_platform="default",
                   audit_channel="social")  # fmt: skip
    assert refused.status_code == 422
    assert any(
        "Choose one of X, Instagram" in t for t in errors_beside(page(refused), "audit_platform")
    )


def test_the_audits_page_offers_real_platforms_only_while_the_api_still_takes_default(
    web: FlaskClient, tokens: Tokens
) -> None:
    asset_id = an_asset(web, tokens, 371)
    signed_in(web, "viewer")
    document = page(web.get(f"/audits?ids={asset_id}"))
    assert option_values(document, "platform") == REAL_PLATFORMS
    assert control(document, "platform").find("option", selected="") is not None
    refused = web.get(f"/audits?ids={asset_id}&platform=default&channel=social")
    assert refused.status_code == 422
    assert errors_beside(page(refused), "platform")
    api = web.post("/api/v1/audits", json={"asset_ids": [asset_id], "platform": "default",
                   "channel": "social"}, headers=tokens["viewer"])  # fmt: skip
    assert api.status_code == 200, api.json


# ---------------------------------------------------------------- badges


def test_a_new_asset_says_rights_to_do_until_its_rights_are_looked_at(
    web: FlaskClient, tokens: Tokens
) -> None:
    asset_id = an_asset(web, tokens, 381)
    signed_in(web, "viewer")
    assert card_badges(page(web.get("/library")), asset_id) == ["Rights: to do"]
    asset_page = page(web.get(f"/assets/{asset_id}"))
    status = asset_page.by_id("asset-status")  # beside the picture, always in view
    assert status is not None
    assert [badge.text for badge in status.find_all("span", cls="badge")] == ["Rights: to do"]

    licensed(web, tokens, asset_id)  # status pending: now there is something to audit
    assert card_badges(page(web.get("/library")), asset_id) == ["Rights: pending", "Audit: fail"]
