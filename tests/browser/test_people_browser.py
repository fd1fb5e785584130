"""People in photos in Chromium (issue 16): a rights manager adds a participant to the consent
register and records her consent, tags her on the workshop photograph by drawing a box on the
picture with the mouse (which leaves the focal point alone), then withdraws the consent once
its box is ticked and reads the posts to take down, on her page and on the campaign's board.
A contributor sees on the asset page that a person is depicted and that the consent was
withdrawn, never her name.

Screenshots of the panel, the person's page and the board go to var/screenshots/ (git-ignored).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from service.http.transactions import transaction
from service.rules.presets import DEFAULT_PRESETS
from service.services import campaigns, posts
from tests.support import photos
from tests.support.api import upload
from tests.support.browser import Browser, Watched, expect

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
NAME = "Amina Yusuf"
URL = "https://www.instagram.com/p/C7xYz12AbCd/"
DESKTOP = {"width": 1280, "height": 900}
Tokens = dict[str, dict[str, str]]

pytestmark = [
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
    pytest.mark.parametrize("blob_settings", ["local"], indirect=True),
]


@pytest.fixture
def workshop(app: Flask, people: None, tokens: Tokens) -> dict[str, int]:
    """The workshop photograph, in a post of the week already out on Instagram."""
    client = app.test_client()
    made = upload(client, tokens["contributor"], photos.jpeg_plain(800, 600), title="Workshop",
                  object_number="ITP-2026-001", alt_text="Participants at the workshop.")  # fmt: skip
    assert made.status_code == 201, made.json
    asset_id = int(made.json["id"])
    with transaction(app) as session:
        campaign = campaigns.create_campaign(
            session, {"name": "MuseumWeek 2026", "timezone": "Europe/London"}, actor="lead"
        )
        campaigns.add_day(session, campaign, {"date": "2026-06-08"}, actor="lead")
        post = posts.add_post(
            session,
            campaign,
            {"day": "2026-06-08", "time": "12:00", "platforms": ["instagram"],
             "media": [{"asset_id": asset_id}]},
            actor="lead",
            presets=DEFAULT_PRESETS,
        )  # fmt: skip
        posts.update_post(session, campaign, post, {"status": "published", "remote_url": URL},
                          actor="lead", presets=DEFAULT_PRESETS)  # fmt: skip
        return {"asset": asset_id, "campaign": campaign.id, "post": post.id}


def _person(browser: Browser, server: str, name: str) -> Iterator[Watched]:
    person = Watched(browser.new_context(viewport=DESKTOP), server)  # type: ignore[arg-type]
    try:
        person.sign_in(name)
        yield person
        assert person.problems == [], person.problems
    finally:
        person.context.close()


@pytest.fixture
def ravi(browser: Browser, server: str, people: None) -> Iterator[Watched]:
    yield from _person(browser, server, "ravi")


@pytest.fixture
def cora(browser: Browser, server: str, people: None) -> Iterator[Watched]:
    yield from _person(browser, server, "cora")


def test_a_rights_manager_tags_a_person_records_and_withdraws_her_consent(
    ravi: Watched, cora: Watched, workshop: dict[str, int]
) -> None:
    page = ravi.page
    ravi.goto("/library")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    expect(page).to_have_url(re.compile(r"/people$"))

    # A participant joins the register; her page asks for her consent.
    page.get_by_label("Name", exact=True).fill(NAME)
    page.get_by_label("Role").select_option("participant")
    page.get_by_label("Reference (optional)").fill("MW-PART-0042")
    page.get_by_role("button", name="Add person").click()
    expect(page.locator("#consents-notice")).to_have_text(f"{NAME} added to the register.")
    person_url = page.url.split("#")[0]
    form = page.locator("#new-consent")
    form.get_by_label("Instagram").check()
    form.get_by_label("Language of the form").fill("en")
    form.get_by_label("Release id").fill("MR-2026-0042")
    form.get_by_role("button", name="Record consent").click()
    card = page.locator("article.consent-card")
    expect(card).to_have_attribute("data-state", "active")
    expect(card).to_contain_text("Instagram")

    # On the photograph: the box drawn with the mouse fills the form's four fractions.
    ravi.goto(f"/assets/{workshop['asset']}#people")
    panel = page.locator("#people")
    expect(panel.locator("#people-status")).to_have_text("Not yet said")
    panel.get_by_label("Person", exact=True).select_option(
        label=f"{NAME} (participant, MW-PART-0042)"
    )
    panel.get_by_role("button", name="Draw a box on the picture").click()
    image = page.locator("#preview")
    image.scroll_into_view_if_needed()
    box = image.bounding_box()
    assert box is not None
    start = (box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.2)
    end = (box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.8)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move((start[0] + end[0]) / 2, (start[1] + end[1]) / 2, steps=4)
    page.mouse.move(*end, steps=4)
    page.mouse.up()
    expect(panel.locator("#people-box-now")).to_contain_text("Box: from 0.25, 0.20")
    fractions = [float(page.locator(f"#people-box-{key}").input_value()) for key in "xywh"]
    assert fractions == pytest.approx([0.25, 0.2, 0.3, 0.6], abs=0.01)
    expect(page.locator("#focal-now")).to_have_text("0.50, 0.50")  # the drag set no focal point
    panel.get_by_role("button", name="Tag person").click()
    expect(page.locator("#people-notice")).to_have_text(f"{NAME} tagged with a box.")
    expect(page.locator("#people-status")).to_have_text("People depicted: 1")
    expect(page.locator("#people-depicted")).to_contain_text("Consent active")
    drawn = page.locator("rect.people-box[data-person-id]")
    expect(drawn).to_have_count(1)
    assert float(drawn.get_attribute("width").rstrip("%")) == pytest.approx(30, abs=1)  # type: ignore[union-attr]
    expect(page.locator("#focal-now")).to_have_text("0.50, 0.50")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#people").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "people-asset-panel.png"))

    # Withdrawn, once the box is ticked: the post on Instagram is to be taken down.
    ravi.goto(person_url.removeprefix(ravi.base))
    page.get_by_role("button", name=re.compile("^Withdraw consent")).click()
    expect(page.locator(".withdraw-form .error")).to_contain_text("Tick the box")
    expect(card).to_have_attribute("data-state", "active")
    page.locator(".withdraw-form input[type=checkbox]").check()
    page.get_by_role("button", name=re.compile("^Withdraw consent")).click()
    expect(page.locator("#takedown-notice")).to_contain_text("withdrawn. 1 post to take down.")
    expect(card).to_have_attribute("data-state", "withdrawn")
    row = page.locator("#takedown-list tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("MuseumWeek 2026")
    expect(row).to_contain_text(URL)
    expect(page.get_by_role("link", name="Download as CSV")).to_have_attribute(
        "href", re.compile(r"/takedown\.csv$")
    )

    page.screenshot(path=str(SCREENSHOTS / "people-person.png"), full_page=True)
    ravi.goto(f"/campaigns/{workshop['campaign']}")
    notice = page.locator("#takedown")
    expect(notice.get_by_role("heading")).to_have_text("Takedown: 1 post to remove")
    expect(notice).to_contain_text(URL)
    page.screenshot(path=str(SCREENSHOTS / "people-board.png"))

    # The contributor sees that someone is depicted whose consent was withdrawn, not who.
    cora.goto(f"/assets/{workshop['asset']}#people")
    depicted = cora.page.locator("#people-depicted")
    expect(depicted).to_contain_text("(participant)")
    expect(depicted).to_contain_text("Consent withdrawn")
    assert NAME not in cora.page.content()
    expect(cora.page.locator("#people-tag-form")).to_have_count(0)
