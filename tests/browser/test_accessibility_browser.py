"""axe-core over every page of the web UI, at desktop and phone widths, in Chromium.

Each page is opened signed in with the role that uses it, in a context that bypasses the
CSP (axe is injected as a script: tests/support/axe.py), and must show no violation of
impact serious or critical. A new page is one line in ``PAGES`` (or ``STATES`` when it
needs something done in the page first, such as a refused form).

As in test_web_browser.py, only SQLite with the local store runs: the pages are the same
whatever the database, and each page costs a browser round.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from flask import Flask

from service.http.transactions import transaction
from service.rules.presets import DEFAULT_PRESETS
from service.services import campaigns, consents, people, posts
from service.storage.db import utcnow
from service.storage.models import Asset
from tests.support import axe, photos
from tests.support.api import cleared_asset, upload
from tests.support.browser import Browser, Page, Watched, expect
from tests.support.web import add_user

pytestmark = [
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
    pytest.mark.parametrize("blob_settings", ["local"], indirect=True),
]

VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}
# One person per role, each signed in with the role a page needs; None: not signed in.
PEOPLE = {"viewer": "vera", "contributor": "cora", "rights": "ravi", "admin": "ada"}

# (name, path, role). "{asset}" is an asset with rights, captions and history entries;
# "{campaign}" a campaign of two days, "{post}" its post with two images; "{person}" someone
# of the consent register depicted in the asset, whose consent was withdrawn after the post
# was published (so the board shows its takedown notice).
PAGES: list[tuple[str, str, str | None]] = [
    ("sign-in", "/login", None),
    ("library", "/library", "contributor"),
    ("library, filtered", "/library?q=basket", "contributor"),
    ("library, refused filter", "/library?status=lost", "contributor"),
    ("upload", "/upload", "contributor"),
    ("asset", "/assets/{asset}", "rights"),
    ("asset, as a viewer", "/assets/{asset}", "viewer"),
    ("audits", "/audits?ids={asset}", "contributor"),
    ("audits, for x", "/audits?ids={asset}&platform=x&channel=social", "contributor"),
    ("audits, by tag", "/audits?tag=MuseumWeek", "viewer"),
    ("audits, refused", "/audits?ids={asset}&platform=myspace", "viewer"),
    ("not found", "/assets/987654", "viewer"),
    ("forbidden", "/upload", "viewer"),
    ("caption templates", "/caption-templates", "admin"),
    ("caption templates, a preview", "/caption-templates?platform=x&asset={asset}", "admin"),
    ("campaign audit, blocked", "/campaigns/{campaign}/audit", "viewer"),
    ("campaigns", "/campaigns", "contributor"),
    ("campaigns, as a viewer", "/campaigns", "viewer"),
    ("campaign board", "/campaigns/{campaign}?q=basket&post={post}", "contributor"),
    ("campaign board, as a viewer", "/campaigns/{campaign}", "viewer"),
    ("post editor", "/campaigns/{campaign}/posts/{post}?q=", "contributor"),
    ("post editor, as a viewer", "/campaigns/{campaign}/posts/{post}", "viewer"),
    ("people register", "/people", "rights"),
    ("people register, withdrawn", "/people?filter=withdrawn", "admin"),
    ("person", "/people/{person}", "rights"),
    ("asset, people panel as a contributor", "/assets/{asset}#people", "contributor"),
    ("asset, not public on IIIF", "/assets/{uncleared}#iiif", "viewer"),
    ("asset, metadata blocks disagree", "/assets/{uncleared}#metadata-conflicts", "viewer"),
]


def _refused_rights_form(page: Page) -> None:
    """Ask to clear rights without a holder or credit line: the page answers with errors."""
    with page.expect_navigation():
        page.evaluate(
            """() => {
            const form = [...document.forms].find((f) => /\\/rights$/.test(f.action));
            for (const name of ["holder", "credit_line"]) form.elements[name].value = "";
            form.elements["status"].value = "cleared";
            form.noValidate = true;  // the server, not the browser, must refuse it
            form.requestSubmit();
        }"""
        )
    assert page.locator(".error").count() > 0, "the refused form shows no error"


def _refused_description(page: Page) -> None:
    """Save a title longer than allowed: the page answers with the error beside it."""
    with page.expect_navigation():
        page.evaluate(
            """() => {
            const form = [...document.forms].find((f) => /\\/describe$/.test(f.action));
            form.elements["title"].removeAttribute("maxlength");
            form.elements["title"].value = "t".repeat(5000);
            form.noValidate = true;  // the server, not the browser, must refuse it
            form.requestSubmit();
        }"""
        )
    assert page.locator(".error").count() > 0, "the refused form shows no error"


def _refused_day(page: Page) -> None:
    """A day's hashtag with a space: the board answers with the error beside it."""
    day = page.locator("section.day-column").first
    day.locator("details.day-edit > summary").click()
    day.get_by_label("Hashtag").fill("Secrets MW")
    with page.expect_navigation():
        day.get_by_role("button", name=re.compile("^Save day")).click()
    assert page.locator(".error").count() > 0, "the refused form shows no error"


def _refused_post(page: Page) -> None:
    """A post marked published without its URL: the editor answers with the error beside it."""
    page.locator("#p-status").select_option("published")
    with page.expect_navigation():
        page.get_by_role("button", name="Save post").click()
    assert page.locator(".error").count() > 0, "the refused form shows no error"


def _refused_new_day(page: Page) -> None:
    """A day added on a date the campaign has: the board answers with the error beside it."""
    page.locator("#new-day").get_by_label("Date").fill("2026-06-08")
    with page.expect_navigation():
        page.locator("#new-day").get_by_role("button", name="Add day").click()
    assert page.locator(".error").count() > 0, "the refused form shows no error"


def _unconfirmed_delete(page: Page) -> None:
    """Delete post without its box ticked: the editor answers with the error beside the box."""
    with page.expect_navigation():
        page.get_by_role("button", name="Delete post").click()
    assert page.locator(".error").count() > 0, "the refused form shows no error"


def _refused_tag(page: Page) -> None:
    """Tag nobody with half a box: the People panel answers with errors beside the fields."""
    with page.expect_navigation():
        page.evaluate(
            """() => {
            const form = document.getElementById("people-tag-form");
            form.elements["person_id"].value = "";
            form.elements["x"].value = "0.2";
            form.requestSubmit();
        }"""
        )
    assert page.locator("#people .error").count() > 0, "the refused tag shows no error"


def _refused_consent(page: Page) -> None:
    """A consent for no channel: the person's page answers with the error beside the boxes."""
    form = page.locator("#new-consent")
    if form.get_attribute("open") is None:
        form.locator("summary").click()
    for box in form.locator('input[name="channels"]').all():
        box.uncheck()
    with page.expect_navigation():
        form.get_by_role("button", name="Record consent").click()
    assert page.locator(".error").count() > 0, "the refused consent shows no error"


def _refused_sign_in(page: Page) -> None:
    """A wrong password: the sign-in page answers with its message."""
    page.get_by_label("Username").fill("vera")
    page.get_by_label("Password").fill("not the password at all")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.locator(".error, [role=alert]").count() > 0, "the refused sign-in says nothing"


def _copied_manifest(page: Page) -> None:
    """Copy the manifest URL from the IIIF section: its status says so beside the button."""
    page.locator("#iiif").get_by_role("button", name="Copy the manifest URL").click()
    expect(page.locator("#iiif-manifest-copied")).not_to_be_empty()


def _uploaded_and_refused(page: Page) -> None:
    """Upload a new photograph and a text file named .jpg: the queue shows both results."""
    page.get_by_label("Photos", exact=True).set_input_files(
        [
            {"name": "lid.jpg", "mimeType": "image/jpeg", "buffer": photos.jpeg_plain(320, 240)},
            {"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"Notes, not a photo.\n"},
        ]
    )
    page.get_by_role("button", name="Upload").click()
    for name, status in (("lid.jpg", "created"), ("notes.jpg", "refused")):
        item = page.locator(f'li.upload-item[data-filename="{name}"]')
        expect(item).to_have_attribute("data-status", status)


# (name, path, role, what to do on the page before axe runs).
STATES: list[tuple[str, str, str | None, Callable[[Page], None]]] = [
    ("sign-in, refused", "/login", None, _refused_sign_in),
    ("upload, with results", "/upload", "contributor", _uploaded_and_refused),
    ("asset, rights refused", "/assets/{asset}", "rights", _refused_rights_form),
    ("asset, description refused", "/assets/{asset}", "contributor", _refused_description),
    ("campaign board, day refused", "/campaigns/{campaign}", "contributor", _refused_day),
    ("asset, tag refused", "/assets/{asset}", "rights", _refused_tag),
    ("asset, IIIF manifest copied", "/assets/{asset}#iiif", "viewer", _copied_manifest),
    ("person, consent refused", "/people/{person}", "rights", _refused_consent),
    ("post editor, refused", "/campaigns/{campaign}/posts/{post}", "contributor", _refused_post),
    ("campaign board, new day refused", "/campaigns/{campaign}", "contributor", _refused_new_day),
    (
        "post editor, delete unconfirmed",
        "/campaigns/{campaign}/posts/{post}",
        "contributor",
        _unconfirmed_delete,
    ),
]


@dataclass
class Catalogue:
    server: str
    asset: int
    campaign: int
    post: int
    person: int
    uncleared: int  # an asset whose rights nobody has looked at: not public on IIIF

    def path(self, template: str) -> str:
        return template.format(
            asset=self.asset,
            campaign=self.campaign,
            post=self.post,
            person=self.person,
            uncleared=self.uncleared,
        )


@pytest.fixture
def catalogue(app: Flask, server: str, tokens: dict[str, dict[str, str]]) -> Catalogue:
    """A user per role and an asset whose page has rights, captions and history."""
    axe.require_axe()
    for role, username in PEOPLE.items():
        add_user(app, username, role)
    client = app.test_client()
    asset_id = cleared_asset(client, tokens, description="Woven palm fibre, leather straps.")
    # A second asset, its rights not looked at, so the library shows both kinds of badge; its
    # file's EXIF and XMP disagree, so its page lists where (issue 18).
    disagreeing = photos.jpeg_with_rights(exif=photos.make_exif(copyright="© Camera body"))
    second = upload(client, tokens["contributor"], disagreeing, title="Lidded basket, back")
    assert second.status_code == 201, second.json
    caption = client.put(
        f"/api/v1/assets/{asset_id}/captions/x",
        json={"text": "Somali wedding basket #MuseumWeek © Trustees of the British Museum"},
        headers=tokens["contributor"],
    )
    assert caption.status_code == 200, caption.json
    retitled = client.patch(
        f"/api/v1/assets/{asset_id}",
        json={"title": "Somali wedding basket (Af1935,0711.1)"},
        headers=tokens["contributor"],
    )
    assert retitled.status_code == 200, retitled.json
    # A campaign whose two posts are five minutes apart: its audit grid has red cells.
    with transaction(app) as session:
        campaign = campaigns.create_campaign(
            session, {"name": "MuseumWeek", "hashtag": "MuseumWeek"}, actor="ana"
        )
        campaigns.add_day(session, campaign, {"date": "2026-06-08", "theme": "Secrets"},
                          actor="ana")  # fmt: skip
        made = []
        for time in ("09:00", "09:05"):
            fields = {"day": "2026-06-08", "time": time, "platforms": ["x", "instagram"],
                      "media": [{"asset_id": asset_id}]}  # fmt: skip
            made.append(
                posts.add_post(session, campaign, fields, actor="ana", presets=DEFAULT_PRESETS)
            )
        campaign_id, post_id = campaign.id, made[0].id
        # Someone shown in the basket's photograph, whose consent was withdrawn after the
        # second post went out; a second consent of hers still runs.
        posts.update_post(session, campaign, made[1], {"status": "published",
                          "remote_url": "https://bsky.app/profile/museum/post/3k"},
                          actor="ana", presets=DEFAULT_PRESETS)  # fmt: skip
        person = people.create_person(
            session, {"display_name": "Amina Yusuf", "role": "participant"}, actor="ana"
        )
        given = {"channels": ["social"], "granted_at": "2026-01-01"}
        first = consents.create_consent(session, person, given, actor="ana")
        consents.create_consent(session, person, {**given, "channels": ["web"]}, actor="ana")
        consents.withdraw(session, person, first, actor="ana", now=utcnow())
        depicted = {"status": "depicted", "people": [{"person_id": person.id,
                    "region": {"x": 0.1, "y": 0.1, "w": 0.3, "h": 0.5}}]}  # fmt: skip
        asset = session.get(Asset, asset_id)
        assert asset is not None
        people.set_people(session, asset, depicted, actor="ana")
        person_id = person.id
    return Catalogue(server, asset_id, campaign_id, post_id, person_id, second.json["id"])


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> tuple[int, int]:
    return VIEWPORTS[request.param]


@pytest.fixture
def person_at(
    browser: Browser, catalogue: Catalogue, viewport: tuple[int, int]
) -> Iterator[Callable[[str | None], Watched]]:
    """A browser context per role at the viewport, signed in on first use."""
    opened: dict[str | None, Watched] = {}

    def person(role: str | None) -> Watched:
        if role not in opened:
            context = browser.new_context(**axe.context_options(*viewport))
            opened[role] = Watched(context, catalogue.server)
            if role is not None:
                opened[role].sign_in(PEOPLE[role])
        return opened[role]

    yield person
    for watched in opened.values():
        watched.context.close()


def _check(watched: Watched, name: str) -> str | None:
    found = axe.blocking(axe.violations(watched.page))
    return f"{name} ({watched.page.url}):\n{axe.describe(found)}" if found else None


def test_no_page_has_a_serious_or_critical_axe_violation(
    catalogue: Catalogue, person_at: Callable[[str | None], Watched]
) -> None:
    failures = []
    for name, path, role in PAGES:
        watched = person_at(role)
        watched.goto(catalogue.path(path))
        watched.page.wait_for_load_state("load")
        failures.append(_check(watched, name))
    for name, path, role, act in STATES:
        watched = person_at(role)
        watched.goto(catalogue.path(path))
        act(watched.page)
        failures.append(_check(watched, name))
    reported = [failure for failure in failures if failure]
    assert not reported, "serious or critical axe violations:\n" + "\n".join(reported)


def test_the_empty_library_has_no_serious_or_critical_axe_violation(
    app: Flask, server: str, browser: Browser, viewport: tuple[int, int]
) -> None:
    axe.require_axe()
    add_user(app, "cora", "contributor")
    watched = Watched(browser.new_context(**axe.context_options(*viewport)), server)
    try:
        watched.sign_in("cora")
        watched.goto("/library")
        found = axe.blocking(axe.violations(watched.page))
        assert not found, axe.describe(found)
    finally:
        watched.context.close()
