"""The asset page's forms answer where the user is (issue 14): every platform's caption saved
by one Save, a confirmation inside the section that was saved, a refusal's messages beside
the right textarea and in the section's summary; downloads and "Open" both offered.

Runs over every parametrisation of ``app`` that the forms care about: SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import photos
from tests.support.api import upload
from tests.support.rights import BM, CC_BY
from tests.support.web import (
    Element,
    errors_beside,
    page,
    signed_in,
    web_client,
)

Tokens = dict[str, dict[str, str]]
pytestmark = pytest.mark.parametrize("blob_settings", ["local"], indirect=True)


@pytest.fixture
def web(app: Flask, client: FlaskClient) -> FlaskClient:
    return web_client(app, client, "viewer", "contributor", "rights")


@pytest.fixture
def asset_id(client: FlaskClient, tokens: Tokens) -> int:
    created = upload(client, tokens["contributor"], photos.jpeg_with_rights(), title="Basket",
                     object_number="Af1935,0711.1", alt_text="A woven basket.")  # fmt: skip
    assert created.status_code == 201, created.json
    return int(created.json["id"])


def _raw_text(element: Element) -> str:
    """A textarea's text exactly as the page carries it (``.text`` folds spaces)."""
    return "".join(c if isinstance(c, str) else _raw_text(c) for c in element.children)


def _shown_texts(document: Element) -> dict[str, str]:
    """Every platform's caption as a browser would post it, by its textarea's name (CR LF:
    browsers send a textarea's lines so)."""
    return {
        element.attrs["name"]: _raw_text(element).removeprefix("\n").replace("\n", "\r\n")
        for element in document.iter()
        if element.tag == "textarea" and element.attrs.get("name", "").startswith("text-")
    }


def _caption(client: FlaskClient, tokens: Tokens, asset_id: int, platform: str) -> dict[str, str]:
    answer = client.get(f"/api/v1/assets/{asset_id}/captions/{platform}", headers=tokens["viewer"])
    return {"mode": answer.json["mode"], "text": answer.json["text"]}


def test_one_save_stores_each_changed_caption_and_says_so_in_the_captions_section(
    client: FlaskClient, web: FlaskClient, tokens: Tokens, asset_id: int
) -> None:
    token = signed_in(web, "contributor")
    form = _shown_texts(page(web.get(f"/assets/{asset_id}")))
    assert len(form) == 8, form  # every platform, side by side
    facebook_before = _caption(client, tokens, asset_id, "facebook")
    form |= {"text-x": f"Basket #MuseumWeek {BM}", "text-bluesky": f"A basket. {BM}"}
    response = web.post(f"/assets/{asset_id}/captions", data={"csrf_token": token, **form})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/assets/{asset_id}?saved=captions#captions"
    assert _caption(client, tokens, asset_id, "x") == {
        "mode": "manual", "text": f"Basket #MuseumWeek {BM}"
    }  # fmt: skip
    assert _caption(client, tokens, asset_id, "bluesky")["text"] == f"A basket. {BM}"
    assert _caption(client, tokens, asset_id, "facebook") == facebook_before  # sent unchanged
    document = page(web.get(response.headers["Location"]))
    notice = document.by_id("captions-notice")
    assert notice is not None and notice.text.startswith("Captions saved: X (hand-written)")
    assert "Bluesky (hand-written)" in notice.text and "Facebook" not in notice.text
    section = document.by_id("captions")
    assert section is not None and section.find_all(cls="section-notice") == [notice]
    assert [e for e in document.find_all(cls="flash") if e is not notice] == []  # not at the top
    # Shown once: reloading the page does not confirm again.
    assert page(web.get(response.headers["Location"])).by_id("captions-notice") is None


def test_a_refused_caption_saves_none_and_is_explained_beside_its_own_textarea(
    client: FlaskClient, web: FlaskClient, tokens: Tokens, asset_id: int
) -> None:
    token = signed_in(web, "contributor")
    form = _shown_texts(page(web.get(f"/assets/{asset_id}")))
    before = {key: _caption(client, tokens, asset_id, key) for key in ("x", "bluesky")}
    typed = "Basket \u202egnidnaw"
    form |= {"text-bluesky": f"A basket. {BM}", "text-x": typed}
    response = web.post(f"/assets/{asset_id}/captions", data={"csrf_token": token, **form})
    assert response.status_code == 422
    document = page(response)
    assert errors_beside(document, "text-x") == [
        "Contains U+202E RIGHT-TO-LEFT OVERRIDE, which can disguise text; remove it."
    ]
    assert errors_beside(document, "text-bluesky") == []
    summary = document.by_id("caption-errors")
    assert summary is not None and "X: Contains U+202E" in summary.text
    assert _shown_texts(document)["text-x"] == typed  # what was typed is kept to fix
    assert _shown_texts(document)["text-bluesky"] == f"A basket. {BM}"
    assert {key: _caption(client, tokens, asset_id, key) for key in ("x", "bluesky")} == before


def test_saved_rights_are_confirmed_inside_the_rights_section(
    web: FlaskClient, asset_id: int
) -> None:
    token = signed_in(web, "rights")
    form = {"csrf_token": token, "holder": "Trustees of the British Museum", "credit_line": BM,
            "licence_uri": CC_BY, "channels": ["web", "social"], "status": "cleared"}  # fmt: skip
    response = web.post(f"/assets/{asset_id}/rights", data=form)
    assert response.headers["Location"] == f"/assets/{asset_id}?saved=rights#rights"
    document = page(web.get(response.headers["Location"]))
    rights = document.by_id("rights")
    assert rights is not None
    assert [e.text for e in rights.find_all(cls="section-notice")] == ["Rights saved."]

    refused = page(web.post(f"/assets/{asset_id}/rights", data={**form, "licence_uri": ""}))
    summary = refused.by_id("rights-errors")
    assert summary is not None and "Licence: Clearing needs a licence." in summary.text
    assert refused.by_id("rights-notice") is None


def test_each_variant_can_be_downloaded_or_opened(web: FlaskClient, asset_id: int) -> None:
    signed_in(web, "viewer")
    document = page(web.get(f"/assets/{asset_id}"))
    variants = document.by_id("variants")
    assert variants is not None
    links = {e.attrs["href"] for e in variants.find_all("a")}
    base = f"/assets/{asset_id}/variants/instagram-portrait"
    assert {f"{base}/download", f"{base}/open"} <= links


def test_a_refused_focal_point_marks_both_fields_and_points_them_at_the_reason(
    web: FlaskClient, asset_id: int
) -> None:
    token = signed_in(web, "contributor")
    refused = web.post(
        f"/assets/{asset_id}/focal-point", data={"x": "2", "y": "0.5", "csrf_token": token}
    )
    assert refused.status_code == 422
    document = page(refused)
    reason = document.by_id("focal-error")
    assert reason is not None and reason.text.strip()
    for field in ("focal-x", "focal-y"):
        shown = document.by_id(field)
        assert shown is not None
        assert shown.attrs.get("aria-invalid") == "true", field
        assert shown.attrs.get("aria-describedby") == "focal-error", field
    now = page(web.get(f"/assets/{asset_id}")).by_id("focal-now")
    assert now is not None and now.text.strip() == "0.50, 0.50"  # unchanged


def test_the_asset_pages_audit_names_a_platform_a_post_goes_to(
    web: FlaskClient, asset_id: int
) -> None:
    signed_in(web, "viewer")
    for query in ("", "?audit_platform=default", "?audit_platform=myspace"):
        document = page(web.get(f"/assets/{asset_id}{query}"))
        choice = document.by_id("audit-platform")
        assert choice is not None
        offered = [option.attrs["value"] for option in choice.find_all("option")]
        assert "default" not in offered and "x" in offered, offered
        chosen = [o.attrs["value"] for o in choice.find_all("option") if "selected" in o.attrs]
        assert chosen == ["x"], (query, chosen)
        assert "Default" not in document.by_id("asset-status").text  # type: ignore[union-attr]
    chosen_page = page(web.get(f"/assets/{asset_id}?audit_platform=instagram&audit_channel=web"))
    status = chosen_page.by_id("asset-status")
    assert status is not None and "for Instagram, web channel" in " ".join(status.text.split())
