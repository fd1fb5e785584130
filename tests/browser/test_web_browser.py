"""The web UI in a real browser: Debian's Chromium driven by Playwright (sync API).

The app is served on 127.0.0.1 by werkzeug in a thread; Chromium is /usr/bin/chromium
(scripts/browser.sh installs it with apt-get; Playwright never downloads a browser here).
Without Chromium or Playwright the test is skipped, or fails when ``CI`` is set. The
fixtures (server, browser, people) are in tests/browser/conftest.py.

Only ONE parametrisation of the ``app`` fixture runs (SQLite + local store): the pages
call the same services whatever the database and store, which tests/http/test_web_forms.py
and the API tests cover on all four, and a browser run costs seconds. The fixture params
are overridden with indirect parametrisation, so the other three are not even collected.

Screenshots of the library and the asset page go to var/test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image

from service.http import database as db
from service.rules.captions import count_length
from service.storage.models import Asset
from tests.support import photos
from tests.support.api import upload
from tests.support.browser import Browser, Page, Watched, expect
from tests.support.people import no_recognisable_people
from tests.support.rights import BM, CC_BY

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"

pytestmark = [
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
    pytest.mark.parametrize("blob_settings", ["local"], indirect=True),
]


def test_a_contributor_and_a_rights_manager_take_a_photo_from_upload_to_download(
    app: Flask, server: str, browser: Browser, people: None
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    contributor = Watched(browser.new_context(viewport={"width": 1280, "height": 900}), server)
    rights = Watched(browser.new_context(viewport={"width": 1280, "height": 900}), server)
    try:
        asset_id = _upload_three_files(contributor)
        # No recognisable people (said through the service the people panel calls): an
        # unknown people status would be refused on social media whatever the rights.
        no_recognisable_people(app, asset_id)
        _audit_fails_then_rights_are_set(contributor, rights, asset_id)
        _caption_counter_counts_as_x_does(contributor, asset_id)
        _a_click_on_the_preview_sets_the_focal_point(app, contributor, asset_id)
        _audit_passes_and_a_variant_downloads(contributor, asset_id)
        _library_shows_the_asset(contributor, asset_id)
        for person in (contributor, rights):
            _sign_out(person)
        assert contributor.problems == [], contributor.problems
        assert rights.problems == [], rights.problems
    finally:
        contributor.context.close()
        rights.context.close()


def test_every_page_fits_a_phone_screen_without_scrolling_sideways(
    app: Flask, server: str, browser: Browser, people: None, tokens: dict[str, dict[str, str]]
) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    response = upload(
        app.test_client(),
        tokens["contributor"],
        photos.jpeg_with_rights(orientation=1),
        title="Somali wedding basket",
        alt_text="A woven basket with a conical lid.",
    )
    assert response.status_code == 201, response.json
    asset_id = int(response.json["id"])
    phone = Watched(browser.new_context(viewport={"width": 390, "height": 844}), server)
    try:
        phone.sign_in("cora")
        too_wide = {}
        for path in ("/library", "/upload", f"/assets/{asset_id}", f"/audits?ids={asset_id}"):
            phone.goto(path)
            overflow = phone.page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                too_wide[path] = (overflow, _elements_past_the_right_edge(phone.page))
        phone.goto(f"/assets/{asset_id}")
        phone.page.screenshot(path=str(ARTIFACTS / "asset-phone.png"), full_page=True)
        assert too_wide == {}, f"pages wider than a 390px phone (px, culprits): {too_wide}"
        assert phone.problems == [], phone.problems
    finally:
        phone.context.close()


def _elements_past_the_right_edge(page: Page) -> list[str]:
    """What widens the page: elements past the right edge that no scroll box contains
    (an absolutely positioned child escapes a scroll box that is not itself positioned)."""
    return list(
        page.evaluate(
            """() => {
                const clipped = (e) => {
                    const fixed = ["absolute", "fixed"].includes(getComputedStyle(e).position);
                    for (let a = e.parentElement; a && !fixed; a = a.parentElement) {
                        if (getComputedStyle(a).overflowX !== "visible") return true;
                    }
                    return false;
                };
                return [...document.querySelectorAll("body *")]
                    .filter((e) => e.getBoundingClientRect().right > innerWidth + 1)
                    .filter((e) => !clipped(e))
                    .slice(-3)
                    .map((e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
                         + (e.className ? "." + e.className : ""));
            }"""
        )
    )


# ---------------------------------------------------------------- the steps


def _upload_three_files(person: Watched) -> int:
    """Three files by the file input: a good JPEG, the same bytes again, and text named .jpg."""
    page = person.page
    person.sign_in("cora")
    person.goto("/upload")
    # Large enough for every preset, so that the source-resolution check passes.
    good = photos.jpeg_with_rights(width=2400, height=1800, orientation=1)
    page.get_by_label("Photos", exact=True).set_input_files(
        [
            {"name": "basket.jpg", "mimeType": "image/jpeg", "buffer": good},
            {"name": "basket-copy.jpg", "mimeType": "image/jpeg", "buffer": good},
            {"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"Notes, not a photo.\n" * 8},
        ]
    )
    rows = {name: page.locator(f'li.upload-item[data-filename="{name}"]') for name in
            ("basket.jpg", "basket-copy.jpg", "notes.jpg")}  # fmt: skip
    for row in rows.values():
        expect(row).to_have_count(1)
        expect(row.locator("progress")).to_have_count(1)
    # Files go up several at a time, so either copy may be the one that makes the asset:
    # both get the same per-file fields.
    for copy in ("basket.jpg", "basket-copy.jpg"):
        rows[copy].get_by_label("Title", exact=True).fill("Somali wedding basket")
        rows[copy].get_by_label("Object number", exact=True).fill("Af1935,0711.1")
        rows[copy].get_by_label("Alt text", exact=True).fill("A woven basket with a conical lid.")
    page.get_by_role("button", name="Upload").click()

    for row in rows.values():
        expect(row).to_have_attribute("data-status", re.compile(r"^(created|duplicate|refused)$"))
    statuses = {name: row.get_attribute("data-status") for name, row in rows.items()}
    # The two copies may be sent at the same time: either may be the one that made the asset.
    assert sorted([statuses["basket.jpg"], statuses["basket-copy.jpg"]]) == ["created", "duplicate"]
    assert statuses["notes.jpg"] == "refused"
    created = next(rows[n] for n in ("basket.jpg", "basket-copy.jpg") if statuses[n] == "created")
    duplicate = next(rows[n] for n in ("basket.jpg", "basket-copy.jpg") if statuses[n] != "created")
    expect(created.locator(".upload-message")).to_contain_text("Uploaded")
    expect(duplicate.locator(".upload-message")).to_contain_text("Already in the library")
    expect(rows["notes.jpg"].locator(".upload-message")).to_contain_text(
        "its type is decided from its bytes, not its name"
    )  # the server's problem detail, as the API words it
    link = duplicate.locator("a.asset-link")
    href = link.get_attribute("href") or ""
    match = re.fullmatch(r"/assets/(\d+)", href)
    assert match, href
    asset_id = int(match.group(1))
    created_href = created.get_by_role("link").first.get_attribute("href") or ""
    assert created_href.endswith(f"/assets/{asset_id}")
    for row in (created, duplicate):
        assert row.locator("progress").evaluate("bar => bar.value === bar.max && bar.max > 0")

    link.click()  # open the asset
    expect(page).to_have_url(re.compile(rf"/assets/{asset_id}$"))
    return asset_id


def _audit(page: Page) -> dict[str, str]:
    """Each audit check's status, by check name, as the #audit table shows it."""
    checks = page.locator("#audit tr.check")
    statuses = {
        checks.nth(i).get_attribute("data-check") or "": checks.nth(i).get_attribute("data-status")
        or ""
        for i in range(checks.count())
    }
    return statuses


def _audit_fails_then_rights_are_set(contributor: Watched, rights: Watched, asset_id: int) -> None:
    page = contributor.page
    expect(page.locator("#audit-outcome")).to_have_text("Audit: fail")
    checks = _audit(page)
    assert checks["rights_status_cleared"] == "fail"
    assert checks["licence_allows_channel"] == "fail"
    assert checks["alt_text_present"] == "pass"
    expect(page.locator('#audit tr.check[data-check="rights_status_cleared"]')).to_contain_text(
        "Fail"
    )

    rights.sign_in("ravi")
    rights.goto(f"/assets/{asset_id}")
    section = rights.page.locator("#rights")
    section.locator('[name="holder"]').fill("Trustees of the British Museum")
    section.locator('[name="credit_line"]').fill(BM)
    section.locator('select[name="licence_uri"]').select_option(CC_BY)
    for channel in ("web", "social"):
        section.locator(f'input[name="channels"][value="{channel}"]').check()
    section.locator('select[name="status"]').select_option("cleared")
    section.locator('button[type="submit"], input[type="submit"]').first.click()
    rights.page.wait_for_load_state()
    expect(rights.page.locator("#audit-outcome")).to_have_text("Audit: pass")
    expect(rights.page.locator("#history")).to_contain_text("ravi")


def _caption_counter_counts_as_x_does(person: Watched, asset_id: int) -> None:
    page = person.page
    person.goto(f"/assets/{asset_id}#captions")
    text = page.locator("#caption-text-x")
    counter = page.locator("#caption-counter-x")
    expect(counter).to_have_text(re.compile(r"^\d+ / 280$"))

    text.fill("")
    expect(counter).to_have_text("0 / 280")
    text.press_sequentially("博物館")  # CJK: each counts 2 on X
    expect(counter).to_have_text("6 / 280")
    text.press_sequentially(" Mumbai")
    expect(counter).to_have_text("13 / 280")
    text.fill("博" * 141)
    expect(counter).to_contain_text("over by 2")
    expect(counter).to_have_class(re.compile(r"\bover\b"))
    text.fill("博" * 140)
    expect(counter).to_have_text("280 / 280")
    expect(counter).not_to_have_class(re.compile(r"\bover\b"))

    caption = f"博物館の籠 #MuseumWeek https://www.britishmuseum.org/collection {BM}"
    text.fill(caption)
    expected = count_length("x", caption)  # the server's own count: URL 23, CJK 2 each
    expect(counter).to_have_text(f"{expected} / 280")
    caption_form = text.locator("xpath=ancestor::form")  # the form that saves the caption
    caption_form.locator('button[type="submit"], input[type="submit"]').first.click()
    page.wait_for_load_state()
    expect(page.locator("#caption-text-x")).to_have_value(caption)
    expect(page.locator("#caption-counter-x")).to_have_text(f"{expected} / 280")


def _a_click_on_the_preview_sets_the_focal_point(
    app: Flask, person: Watched, asset_id: int
) -> None:
    """The picker's fetch() carries the X-CSRF-Token header and is allowed by the CSP."""
    page = person.page
    person.goto(f"/assets/{asset_id}")
    preview = page.locator("#preview")
    expect(preview).to_have_js_property("complete", True)
    box = preview.bounding_box()
    assert box is not None
    with page.expect_response(lambda response: "/focal-point" in response.url) as answer:
        preview.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.75})
    assert answer.value.status == 200, answer.value.text()
    with app.app_context(), db.new_session() as session:
        asset = session.get(Asset, asset_id)
        assert asset is not None
        assert asset.focal_x == pytest.approx(0.25, abs=0.02)
        assert asset.focal_y == pytest.approx(0.75, abs=0.02)


def _audit_passes_and_a_variant_downloads(person: Watched, asset_id: int) -> None:
    page = person.page
    person.goto(f"/assets/{asset_id}")
    expect(page.locator("#audit-outcome")).to_have_text("Audit: pass")
    checks = _audit(page)
    assert checks["rights_status_cleared"] == "pass", checks
    assert set(checks.values()) <= {"pass", "warn"}, checks
    expect(page.locator("#preview")).to_have_js_property("complete", True)
    # The internal preview, through the session: no larger than 1024 px on its long edge.
    expect(page.locator("#preview")).to_have_attribute("src", f"/assets/{asset_id}/preview/page")
    size = page.locator("#preview").evaluate("image => [image.naturalWidth, image.naturalHeight]")
    assert 0 < max(size) <= 1024, size
    page.screenshot(path=str(ARTIFACTS / "asset.png"), full_page=True)

    link = page.locator(f'#variants a[href="/assets/{asset_id}/variants/x/download"]')
    expect(link).to_have_text(re.compile("Download"))
    response = person.context.request.get(person.base + (link.get_attribute("href") or ""))
    assert response.status == 200, response.status
    assert response.headers["content-type"].startswith("image/"), response.headers
    with Image.open(io.BytesIO(response.body())) as image:
        assert image.size == (1600, 900)


def _library_shows_the_asset(person: Watched, asset_id: int) -> None:
    page = person.page
    person.goto("/library")
    card = page.locator(f'article.asset-card[data-asset-id="{asset_id}"]')
    expect(card).to_have_count(1)
    expect(card.locator(".badge.rights-cleared")).to_have_text("Rights: cleared")
    expect(card.locator(".badge.audit-pass")).to_have_text("Audit: pass")
    thumbnail = card.locator("img")
    expect(thumbnail).to_have_attribute("alt", "A woven basket with a conical lid.")
    expect(thumbnail).to_have_attribute("src", f"/assets/{asset_id}/preview/thumb")
    thumbnail.scroll_into_view_if_needed()
    expect(thumbnail).to_have_js_property("complete", True)
    assert thumbnail.evaluate("image => image.naturalWidth") == 400
    page.screenshot(path=str(ARTIFACTS / "library.png"), full_page=True)


def _sign_out(person: Watched) -> None:
    page = person.page
    person.goto("/library")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    person.goto("/library")
    expect(page).to_have_url(re.compile(r"/login"))
