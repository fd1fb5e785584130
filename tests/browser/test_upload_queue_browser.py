"""The upload queue in Chromium: a thumbnail per chosen file (from an object URL, revoked once
drawn), and "Try again" only where trying again can help (a network failure), never for a
permanent refusal (a file that is not an image).

One parametrisation of the app (SQLite + local store), as in test_web_browser.py.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.support import photos
from tests.support.browser import Browser, Watched, expect

pytestmark = [
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
    pytest.mark.parametrize("blob_settings", ["local"], indirect=True),
]

NOT_A_PHOTO = b"Notes, not a photo.\n" * 8


def test_the_queue_shows_a_thumbnail_per_file_and_no_retry_for_a_non_image(
    server: str, browser: Browser, people: None
) -> None:
    person = Watched(browser.new_context(viewport={"width": 1280, "height": 900}), server)
    try:
        page = person.page
        person.sign_in("cora")
        person.goto("/upload")
        page.get_by_label("Photos", exact=True).set_input_files(
            [
                {"name": "basket.jpg", "mimeType": "image/jpeg",
                 "buffer": photos.jpeg_plain(width=640, height=480)},
                {"name": "lid.jpg", "mimeType": "image/jpeg",
                 "buffer": photos.jpeg_plain(width=480, height=640)},
                {"name": "notes.txt", "mimeType": "text/plain", "buffer": NOT_A_PHOTO},
            ]
        )  # fmt: skip
        rows = {name: page.locator(f'li.upload-item[data-filename="{name}"]')
                for name in ("basket.jpg", "lid.jpg", "notes.txt")}  # fmt: skip
        for name in ("basket.jpg", "lid.jpg"):
            thumb = rows[name].get_by_role("img", name=name, exact=True)
            expect(thumb).to_be_visible()
            src = thumb.get_attribute("src") or ""
            assert src.startswith("blob:"), src
            expect(thumb).to_have_js_property("complete", True)
            assert thumb.evaluate("image => image.naturalWidth") > 0  # drawn, not broken
            # Revoked once drawn: another image can no longer load the file by that URL.
            revoked = page.evaluate(
                """url => new Promise((answer) => {
                    const probe = new Image();
                    probe.onload = () => answer(false);
                    probe.onerror = () => answer(true);
                    probe.src = url;
                })""",
                src,
            )
            assert revoked, f"{src} was not revoked"
        expect(rows["notes.txt"].locator(".no-thumb")).to_have_text("No preview")

        page.get_by_role("button", name="Upload", exact=True).click()

        for row in rows.values():
            expect(row).to_have_attribute("data-status", re.compile(r"^(created|refused)$"))
        expect(rows["basket.jpg"]).to_have_attribute("data-status", "created")
        expect(rows["lid.jpg"]).to_have_attribute("data-status", "created")
        refused = rows["notes.txt"]
        expect(refused).to_have_attribute("data-status", "refused")
        expect(refused.locator(".upload-message")).to_contain_text("decided from its bytes")
        expect(refused.get_by_role("button", name=re.compile("^Try again"))).to_have_count(0)
        assert person.problems == [], person.problems
    finally:
        person.context.close()


def test_a_network_failure_offers_try_again_and_it_works(
    app: Flask, server: str, browser: Browser, people: None
) -> None:
    person = Watched(browser.new_context(viewport={"width": 1280, "height": 900}), server)
    try:
        page = person.page
        person.sign_in("cora")
        person.goto("/upload")
        # The connection drops while the file is sent: nothing reaches the server.
        page.route("**/upload", lambda route: route.abort("connectionreset"))
        page.get_by_label("Photos", exact=True).set_input_files(
            [{"name": "basket.jpg", "mimeType": "image/jpeg", "buffer": photos.jpeg_plain()}]
        )
        row = page.locator('li.upload-item[data-filename="basket.jpg"]')
        page.get_by_role("button", name="Upload", exact=True).click()

        expect(row).to_have_attribute("data-status", "refused")
        expect(row.locator(".upload-message")).to_contain_text("could not be reached")
        retry = row.get_by_role("button", name="Try again basket.jpg")
        expect(retry).to_be_visible()

        page.unroute("**/upload")
        retry.click()

        expect(row).to_have_attribute("data-status", "created")
        expect(row.locator(".upload-message")).to_contain_text("Uploaded")
    finally:
        person.context.close()
