"""The asset page as a person works in it (issue 14), in Chromium at a desktop's and a phone's
width: the picture and its status stay in view on a desktop, each section is reached by its
URL fragment, a Save's confirmation and a refusal's first error are where the user is (and
the error has focus), captions are copied from one platform to another and saved together,
leaving unsaved changes asks first, and the history wraps long values.

Screenshots of the page at both widths go to var/screenshots/ (git-ignored).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.support import photos
from tests.support.api import upload
from tests.support.browser import Browser, Page, Watched, expect
from tests.support.rights import BM, CC_BY

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
LONG = "A coiled basket with a conical lid, decorated with leather straps and cowrie shells. " * 6

pytestmark = [
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
    pytest.mark.parametrize("blob_settings", ["local"], indirect=True),
]
Tokens = dict[str, dict[str, str]]


@pytest.fixture(params=list(WIDTHS))
def width(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def asset_id(app: Flask, people: None, tokens: Tokens) -> int:
    """A basket with a long description, so that the history has a long value to wrap."""
    client = app.test_client()
    created = upload(client, tokens["contributor"], photos.jpeg_with_rights(), title="Basket",
                     object_number="Af1935,0711.1", alt_text="A woven basket.")  # fmt: skip
    assert created.status_code == 201, created.json
    asset_id = int(created.json["id"])
    changed = client.patch(f"/api/v1/assets/{asset_id}", json={"description": LONG},
                           headers=tokens["contributor"])  # fmt: skip
    assert changed.status_code == 200, changed.json
    return asset_id


def _person(browser: Browser, server: str, width: str, name: str) -> Iterator[Watched]:
    person = Watched(browser.new_context(viewport=WIDTHS[width]), server)  # type: ignore[arg-type]
    try:
        person.sign_in(name)
        yield person
        assert person.problems == [], person.problems
    finally:
        person.context.close()


@pytest.fixture
def ravi(browser: Browser, server: str, width: str, people: None) -> Iterator[Watched]:
    """The rights manager, at the test's width."""
    yield from _person(browser, server, width, "ravi")


@pytest.fixture
def cora(browser: Browser, server: str, width: str, people: None) -> Iterator[Watched]:
    """The contributor, at the test's width."""
    yield from _person(browser, server, width, "cora")


def _fill_rights(page: Page, licence: str, status: str) -> None:
    section = page.locator("#rights")
    section.locator('[name="holder"]').fill("Trustees of the British Museum")
    section.locator('[name="credit_line"]').fill(BM)
    section.locator('select[name="licence_uri"]').select_option(licence)
    for channel in ("web", "social"):
        section.locator(f'input[name="channels"][value="{channel}"]').check()
    section.locator('select[name="status"]').select_option(status)
    section.get_by_role("button", name="Save rights").click()
    page.wait_for_load_state()


def test_a_saved_confirmation_and_a_refusals_first_error_are_where_the_user_is(
    ravi: Watched, asset_id: int, width: str
) -> None:
    page = ravi.page
    ravi.goto(f"/assets/{asset_id}#rights")
    expect(page.locator("#rights-h")).to_be_in_viewport()
    _fill_rights(page, CC_BY, "cleared")
    expect(page).to_have_url(f"{ravi.base}/assets/{asset_id}?saved=rights#rights")
    notice = page.locator("#rights #rights-notice")
    expect(notice).to_have_text("Rights saved.")
    expect(notice).to_be_in_viewport()
    expect(page.locator("#rights")).to_be_focused()  # the keyboard's next Tab is in Rights
    expect(page.locator("#asset-status .badge.rights-cleared")).to_have_text("Rights: cleared")

    # Clearing without a licence is refused: the first invalid field has focus, in view, and
    # the section's summary says what to correct.
    _fill_rights(page, "", "cleared")
    first = page.locator('[aria-invalid="true"]').first
    expect(first).to_be_focused()
    expect(first).to_be_in_viewport()
    expect(page.locator("#rights #rights-errors")).to_contain_text("Not saved.")
    expect(page.locator("#rights-notice")).to_have_count(0)
    page.screenshot(path=str(SCREENSHOTS / f"asset-{width}-refused.png"))


def test_the_picture_and_status_stay_in_view_and_fragments_land_on_their_section(
    cora: Watched, asset_id: int, width: str
) -> None:
    page = cora.page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    cora.goto(f"/assets/{asset_id}")
    expect(page.locator("#preview")).to_have_js_property("complete", True)
    page.screenshot(path=str(SCREENSHOTS / f"asset-{width}.png"))
    page.screenshot(path=str(SCREENSHOTS / f"asset-{width}-full.png"), full_page=True)
    for section in ("description", "rights", "captions", "variants", "metadata", "history"):
        cora.goto(f"/assets/{asset_id}#{section}")
        expect(page.locator(f"#{section}-h")).to_be_in_viewport()
        expect(page.locator(f'#asset-toc a[href="#{section}"]')).to_have_attribute(
            "aria-current", "location"
        )
    # At History, the foot of the page: on a desktop the picture and its status are still
    # there; on a phone they are in the page's flow, above.
    if width == "desktop":
        expect(page.locator("#preview")).to_be_in_viewport()
        expect(page.locator("#asset-status")).to_be_in_viewport()
    else:
        expect(page.locator("#preview")).not_to_be_in_viewport()
    # The history wraps its long values, with the whole of them a click away, and its box is
    # reached by keyboard.
    for table in page.locator("#metadata .table-wrap:visible").all():
        sideways = table.evaluate("box => box.scrollWidth - box.clientWidth")
        assert sideways <= 1, f"a metadata table scrolls sideways by {sideways} px"
    region = page.locator("#history .history-wrap")
    expect(region).to_have_attribute("tabindex", "0")
    expect(region).to_have_attribute("role", "region")
    overflow = region.evaluate("box => box.scrollWidth - box.clientWidth")
    assert overflow <= 1, f"the history scrolls sideways by {overflow} px"
    show_all = page.locator("#history details summary").first
    show_all.click()
    expect(page.locator("#history details[open]").first).to_contain_text(LONG.strip())


def test_captions_are_copied_from_another_platform_and_saved_together(
    app: Flask, cora: Watched, asset_id: int, tokens: Tokens
) -> None:
    page = cora.page
    cora.goto(f"/assets/{asset_id}#captions")
    expect(page.locator("#captions-h")).to_be_in_viewport()
    x_text = f"博物館の籠 #MuseumWeek {BM}"
    page.locator("#caption-text-x").fill(x_text)
    expect(page.locator("#caption-counter-x")).to_have_text(f"{len(x_text) + 5} / 280")
    page.locator("#copy-from-bluesky").select_option(label="X")
    page.get_by_role("button", name="Copy into Bluesky").click()
    expect(page.locator("#caption-text-bluesky")).to_have_value(x_text)
    expect(page.locator("#caption-counter-bluesky")).to_have_text(f"{len(x_text)} / 300")
    page.locator("#captions-form").get_by_role("button", name="Save captions").click()
    page.wait_for_load_state()
    notice = page.locator("#captions #captions-notice")
    expect(notice).to_contain_text("X (hand-written)")
    expect(notice).to_contain_text("Bluesky (hand-written)")
    expect(notice).to_be_in_viewport()
    client = app.test_client()
    for platform in ("x", "bluesky"):
        saved = client.get(f"/api/v1/assets/{asset_id}/captions/{platform}",
                           headers=tokens["viewer"]).json  # fmt: skip
        assert (saved["mode"], saved["text"]) == ("manual", x_text), platform
    facebook = client.get(f"/api/v1/assets/{asset_id}/captions/facebook", headers=tokens["viewer"])
    assert facebook.json["mode"] == "template"  # untouched: still from its template


def test_leaving_unsaved_changes_asks_first_and_saving_does_not(
    cora: Watched, asset_id: int, width: str
) -> None:
    page = cora.page
    asked: list[str] = []

    def answer(dialog: object) -> None:
        asked.append(dialog.type)  # type: ignore[attr-defined]
        dialog.accept()  # type: ignore[attr-defined]

    page.on("dialog", answer)
    cora.goto(f"/assets/{asset_id}#description")
    page.locator("#d-title").fill("Basket, coiled")
    cora.goto("/library")
    assert asked == ["beforeunload"]

    cora.goto(f"/assets/{asset_id}#description")
    page.locator("#d-title").fill("Basket, coiled")
    page.get_by_role("button", name="Save description").click()
    page.wait_for_load_state()
    expect(page.locator("#description-notice")).to_have_text("Description saved.")
    cora.goto("/library")
    assert asked == ["beforeunload"], "asked again after saving"
