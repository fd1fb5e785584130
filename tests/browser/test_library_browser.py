"""Batch rights in the library, in Debian's Chromium at desktop and phone widths: a rights
manager selects three assets, fills in the policy's credit line, sets the rights, and reads
which were saved and which was refused (and left as it was).

Screenshots of the library go to var/screenshots/library-<width>.png (git-ignored).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import photos
from tests.support.api import upload
from tests.support.browser import Browser, Watched, expect
from tests.support.rights import BM, CC_BY

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}

pytestmark = [
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
    pytest.mark.parametrize("blob_settings", ["local"], indirect=True),
]


def _assets(client: FlaskClient, tokens: dict[str, dict[str, str]]) -> list[int]:
    """Three prints; the first two have a licence (pending), the third none."""
    ids = []
    for number in (1, 2, 3):
        answer = upload(client, tokens["contributor"], photos.jpeg_plain(400 + number, 300),
                        title=f"Print {number}", alt_text=f"Print number {number}.")  # fmt: skip
        assert answer.status_code == 201, answer.json
        ids.append(int(answer.json["id"]))
    for asset_id in ids[:2]:
        body = {"licence_uri": CC_BY, "status": "pending"}
        put = client.put(f"/api/v1/assets/{asset_id}/rights", json=body, headers=tokens["rights"])
        assert put.status_code == 200, put.json
    return ids


@pytest.mark.parametrize("width_name", list(VIEWPORTS))
def test_a_rights_manager_sets_the_rights_of_selected_assets_and_reads_each_result(
    app: Flask,
    server: str,
    browser: Browser,
    people: None,
    tokens: dict[str, dict[str, str]],
    width_name: str,
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    first, second, unlicensed = _assets(app.test_client(), tokens)
    width, height = VIEWPORTS[width_name]
    ravi = Watched(browser.new_context(viewport={"width": width, "height": height}), server)
    try:
        ravi.sign_in("ravi")
        page = ravi.page
        card = page.locator(f'article.asset-card[data-asset-id="{unlicensed}"]')
        expect(card.locator(".badge")).to_have_text(["Rights: to do"])
        for number in (1, 2, 3):
            page.get_by_label(f"Select Print {number}").check()

        page.locator("details.bulk-rights > summary").click()  # closed until wanted
        rights = page.locator("details.bulk-rights")
        rights.get_by_label("Rights holder").fill("Trustees of the British Museum")
        rights.get_by_role("button", name="Fill in the policy's credit line").click()
        expect(rights.get_by_label("Credit line")).to_have_value(BM)
        for number in (1, 2, 3):  # the suggestion kept the selection
            expect(page.get_by_label(f"Select Print {number}")).to_be_checked()
        rights.get_by_label("Web").check()
        rights.get_by_label("Social").check()
        rights.get_by_label("Rights status").select_option("cleared")
        rights.get_by_role("button", name="Set rights").click()

        summary = page.locator("#batch-summary")
        expect(summary).to_contain_text("Rights saved on 2 of 3 asset(s). 1 refused")
        expect(summary).to_be_in_viewport()
        results = page.locator("#batch-results li.result")
        expect(results).to_have_text(  # in the library's order: newest first
            [
                re.compile(r"Refused, unchanged\s+Print 3: Clearing needs a licence\."),
                re.compile(r"Saved\s+Print 2"),
                re.compile(r"Saved\s+Print 1"),
            ]
        )
        for asset_id in (first, second):
            saved = page.locator(f'article.asset-card[data-asset-id="{asset_id}"] .badge')
            expect(saved.first).to_have_text("Rights: cleared")
        expect(card.locator(".badge")).to_have_text(["Rights: to do"])

        # Enter in the tags field adds the tag (not the form's first action, Audit).
        page.locator("#bulk-tag").fill("day2")
        page.locator("#bulk-tag").press("Enter")
        expect(page.locator(".flash")).to_have_text("Added #day2 to 3 asset(s).")

        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the library is {overflow}px wider than a {width}px screen"
        page.screenshot(path=str(SCREENSHOTS / f"library-{width_name}.png"), full_page=True)
        assert ravi.problems == [], ravi.problems
    finally:
        ravi.context.close()
