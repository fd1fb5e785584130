"""The asset page's IIIF section (issue 17): the manifest and image service URLs, absolute,
in readonly fields with copy buttons, and whether the web gate lets them out right now,
naming the failing checks when it does not.

Runs on SQLite and PostgreSQL with the local store: the page is the same whatever the store.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import photos
from tests.support.api import clear, cleared_asset, upload
from tests.support.web import Element, add_user, browser_like, label_for, page, signed_in

Tokens = dict[str, dict[str, str]]
pytestmark = pytest.mark.parametrize("blob_settings", ["local"], indirect=True)


def _section(client: FlaskClient, asset_id: int) -> Element:
    response = client.get(f"/assets/{asset_id}")
    assert response.status_code == 200
    section = page(response).by_id("iiif")
    assert section is not None, "the asset page has no IIIF section"
    return section


def _urls(section: Element) -> dict[str, str]:
    """The addresses the section shows, by what their labels call them."""
    return {
        (label_for(section, field) or "").split(" URL")[0]: field.attrs["value"]
        for field in section.find_all("input", cls="copy-source")
    }


def _public_id(client: FlaskClient, tokens: Tokens, asset_id: int) -> str:
    answer = client.get(f"/api/v1/assets/{asset_id}", headers=tokens["viewer"])
    return str(answer.json["public_id"])


def test_a_cleared_asset_shows_its_manifest_and_image_urls_and_says_it_is_public(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    asset_id = cleared_asset(client, tokens)
    public_id = _public_id(client, tokens, asset_id)
    add_user(app, "vera", "viewer")  # the role that only reads: it sees the section too
    web = browser_like(app.test_client())
    signed_in(web, "vera")
    section = _section(web, asset_id)
    base = f"http://localhost/iiif/3/{public_id}"
    assert _urls(section) == {"Manifest": f"{base}/manifest", "Image service": f"{base}/info.json"}
    status = section.by_id("iiif-status")
    assert status is not None and "audit-pass" in status.classes
    assert status.text == "Public: cleared for the web now"
    for field in section.find_all("input", cls="copy-source"):
        assert "readonly" in field.attrs  # selectable and copyable without script
        button = section.find("button", data_copy=field.attrs["id"])
        assert button is not None and "js-only" in button.classes
        assert button.attrs["type"] == "button"
        live = section.by_id(button.attrs["data-status"])
        assert live is not None and live.attrs["aria-live"] == "polite"
    toc = page(web.get(f"/assets/{asset_id}")).by_id("asset-toc")
    assert toc is not None and toc.find("a", href="#iiif") is not None


def test_the_manifest_at_the_url_shown_names_itself_and_its_image_service_so(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    """What a person copies from the page is what the documents call themselves."""
    asset_id = cleared_asset(client, tokens)
    add_user(app, "vera", "viewer")
    web = browser_like(app.test_client())
    signed_in(web, "vera")
    urls = _urls(_section(web, asset_id))
    answer = client.get(urls["Manifest"].removeprefix("http://localhost"))
    assert answer.status_code == 200, answer.data[:300]
    document = answer.get_json(force=True)
    assert document["id"] == urls["Manifest"]
    [canvas] = document["items"]
    [painting] = canvas["items"][0]["items"]
    [service] = painting["body"]["service"]
    assert service["id"] + "/info.json" == urls["Image service"]


def test_the_urls_start_with_the_configured_public_address(
    make_app: Callable[..., Flask], client: FlaskClient, tokens: Tokens
) -> None:
    asset_id = cleared_asset(client, tokens)
    public_id = _public_id(client, tokens, asset_id)
    behind_proxy = make_app(PUBLIC_URL="https://images.example.org/")
    add_user(behind_proxy, "vera", "viewer")
    web = browser_like(behind_proxy.test_client())
    signed_in(web, "vera")
    urls = _urls(_section(web, asset_id))
    base = f"https://images.example.org/iiif/3/{public_id}"  # one slash, whatever was set
    assert urls == {"Manifest": f"{base}/manifest", "Image service": f"{base}/info.json"}
    document = behind_proxy.test_client().get(f"/iiif/3/{public_id}/manifest").get_json(force=True)
    assert document["id"] == urls["Manifest"]  # the documents are written with it too


def test_an_asset_not_cleared_for_the_web_names_its_failing_checks(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    asset_id = cleared_asset(client, tokens)
    # Cleared for social media only: the web channel is not among those allowed.
    assert clear(client, tokens, asset_id, channels=["social"]).status_code == 200
    add_user(app, "ravi", "rights")
    web = browser_like(app.test_client())
    signed_in(web, "ravi")
    section = _section(web, asset_id)
    status = section.by_id("iiif-status")
    assert status is not None and "audit-pass" not in status.classes
    assert status.text.startswith("Not public: licence allows channel.")
    failing = [item.attrs["data-check"] for item in status.find_all("li")]
    assert failing == ["licence_allows_channel"]
    assert "The web channel is not among the allowed channels (social)." in status.text
    link = status.find("a")
    assert link is not None and link.attrs["href"] == f"/assets/{asset_id}?audit_channel=web#audit"
    assert len(_urls(section)) == 2  # the addresses are shown anyway: they are stable

    # Put back on the web: the page says so on the next request, nothing cached.
    assert clear(client, tokens, asset_id).status_code == 200
    status = _section(web, asset_id).by_id("iiif-status")
    assert status is not None and status.text == "Public: cleared for the web now"


def test_an_uncleared_upload_lists_every_failing_check(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    created = upload(client, tokens["contributor"], photos.jpeg_plain(300, 200))
    assert created.status_code == 201, created.json
    add_user(app, "cora", "contributor")
    web = browser_like(app.test_client())
    signed_in(web, "cora")
    status = _section(web, created.json["id"]).by_id("iiif-status")
    assert status is not None
    failing = [item.attrs["data-check"] for item in status.find_all("li")]
    assert "rights_status_cleared" in failing and "alt_text_present" in failing
    names = ", ".join(check.replace("_", " ") for check in failing)
    assert status.text.startswith(f"Not public: {names}.")
