"""The people pages' forms through Flask's test client (issue 16): the asset page's People
panel (a person of the register tagged with a box, a tag removed, "no recognisable people",
the names a file proposes confirmed into the register), the consent register (a person added,
searched, filtered to expiring and withdrawn), a person's page (a consent recorded, its signed
form kept and downloaded, withdrawn once its box is ticked, the takedown report and its CSV),
and the campaign board's takedown notice. Viewers and contributors see that people are
depicted and their consent state, never a name, and never the register; refusals answer 422
beside the field and change nothing; every form wants its CSRF token.

Runs on SQLite and PostgreSQL, with the local store.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.http import database as db
from service.http.transactions import transaction
from service.rules.presets import DEFAULT_PRESETS
from service.services import campaigns, people, posts
from service.storage.db import utcnow
from service.storage.models import Asset, PeopleEvent
from tests.support import people_xmp, photos
from tests.support.api import upload
from tests.support.web import browser_like, errors_beside, page, signed_in, web_client

Tokens = dict[str, dict[str, str]]
pytestmark = pytest.mark.parametrize("blob_settings", ["local"], indirect=True)

NAME = "Amina Yusuf"
REF = "MW-PART-0042"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
URL = "https://www.instagram.com/p/C7xYz12AbCd/"


@pytest.fixture
def web(app: Flask, client: FlaskClient) -> FlaskClient:
    """A client that asks for HTML, with one user per role (named after the role)."""
    return web_client(app, client, "viewer", "contributor", "rights", "admin")


@pytest.fixture
def asset_id(client: FlaskClient, tokens: Tokens) -> int:
    created = upload(client, tokens["contributor"], photos.jpeg_plain(400, 300),
                     title="Workshop", object_number="ITP-2026-001",
                     alt_text="Participants at the #MuseumWeek workshop.")  # fmt: skip
    assert created.status_code == 201, created.json
    return int(created.json["id"])


def _add_person(web: FlaskClient, token: str, name: str = NAME, role: str = "participant") -> int:
    added = web.post("/people", data={"csrf_token": token, "display_name": name, "role": role,
                                      "external_ref": REF})  # fmt: skip
    assert added.status_code == 302, added.get_data(as_text=True)
    found = re.fullmatch(r"/people/(\d+)#consents", added.headers["Location"])
    assert found is not None, added.headers["Location"]
    return int(found.group(1))


def _state(app: Flask, asset_id: int) -> tuple[Any, ...]:
    """Who the asset depicts, its people status, and how long the people history is."""
    with app.app_context(), db.new_session() as session:
        asset = session.get(Asset, asset_id)
        assert asset is not None
        tagged = [(d.person_id, d.region) for d in people.depictions_of(session, asset)]
        return tagged, asset.people_status, session.query(PeopleEvent).count()


def _consents(app: Flask, person_id: int) -> list[tuple[Any, ...]]:
    with app.app_context(), db.new_session() as session:
        person = people.get_person(session, person_id)
        return [(c.id, c.channels, c.platforms, c.withdrawn_at, c.evidence_key)
                for c in person.consents]  # fmt: skip


def test_the_rights_desk_tags_a_person_with_a_box_and_others_never_see_who(
    app: Flask, web: FlaskClient, asset_id: int
) -> None:
    token = signed_in(web, "rights")
    person_id = _add_person(web, token)
    before = page(web.get(f"/assets/{asset_id}"))
    section = before.by_id("people")
    assert section is not None
    assert before.by_id("people-status").text == "Not yet said"  # type: ignore[union-attr]
    options = [o.text for o in before.by_id("people-person").find_all("option")]  # type: ignore[union-attr]
    assert f"{NAME} (participant, {REF})" in options

    tagged = web.post(f"/assets/{asset_id}/people/tag", data={
        "csrf_token": token, "person_id": str(person_id),
        "x": "0.1", "y": "0.2", "w": "0.3", "h": "0.4", "people_q": "",
    })  # fmt: skip
    assert tagged.status_code == 302
    assert tagged.headers["Location"] == f"/assets/{asset_id}?saved=people#people"
    shown = page(web.get(tagged.headers["Location"]))
    assert shown.by_id("people-notice").text == f"{NAME} tagged with a box."  # type: ignore[union-attr]
    assert shown.by_id("people-status").text == "People depicted: 1"  # type: ignore[union-attr]
    [person] = shown.find_all("li", cls="depicted-person")
    assert NAME in person.text and "No consent on record" in person.text
    [box] = shown.find_all("rect", cls="people-box", data_person_id=str(person_id))
    assert (box.attrs["x"], box.attrs["y"], box.attrs["width"]) == ("10.0%", "20.0%", "30.0%")
    assert _state(app, asset_id)[:2] == (
        [(person_id, {"x": 0.1, "y": 0.2, "w": 0.3, "h": 0.4})], "depicted",
    )  # fmt: skip
    assert shown.find("a", href="/people") is not None  # the nav link

    for role in ("viewer", "contributor"):
        other = browser_like(app.test_client())
        signed_in(other, role)
        answer = other.get(f"/assets/{asset_id}")
        html = answer.get_data(as_text=True)
        assert answer.status_code == 200
        assert NAME not in html and REF not in html
        document = page(answer)
        assert document.by_id("people-status").text == "People depicted: 1"  # type: ignore[union-attr]
        [listed] = document.find_all("li", cls="depicted-person")
        assert listed.text.startswith(f"Person #{person_id} (participant)")
        assert "No consent on record" in listed.text
        assert document.by_id("people-tag-form") is None
        assert document.find("a", href="/people") is None
        for path in ("/people", f"/people/{person_id}", f"/people/{person_id}/takedown.csv"):
            refused = other.get(path)
            assert refused.status_code == 403, path
            assert NAME not in refused.get_data(as_text=True)
        posted = other.post(
            f"/assets/{asset_id}/people/status",
            data={"csrf_token": signed_in(other, role), "status": "none"},
        )
        assert posted.status_code == 403
    assert _state(app, asset_id)[1] == "depicted"

    removed = web.post(f"/assets/{asset_id}/people/{person_id}/remove", data={"csrf_token": token})
    assert removed.status_code == 302
    after = page(web.get(removed.headers["Location"]))
    assert after.by_id("people-notice").text == f"{NAME} is no longer tagged."  # type: ignore[union-attr]
    assert after.by_id("people-status").text == "People depicted: 0"  # type: ignore[union-attr]
    nobody = web.post(f"/assets/{asset_id}/people/status",
                      data={"csrf_token": token, "status": "none"})  # fmt: skip
    assert nobody.status_code == 302
    said = page(web.get(nobody.headers["Location"]))
    assert said.by_id("people-status").text == "No recognisable people"  # type: ignore[union-attr]
    assert said.by_id("people-notice").text == "Saved: no recognisable people."  # type: ignore[union-attr]
    assert _state(app, asset_id)[:2] == ([], "none")


def test_refused_tags_and_statuses_answer_422_beside_the_field_and_change_nothing(
    app: Flask, web: FlaskClient, asset_id: int
) -> None:
    token = signed_in(web, "rights")
    person_id = _add_person(web, token)
    before = _state(app, asset_id)
    box = {"x": "0.1", "y": "0.2", "w": "0.3", "h": "0.4"}
    cases = [
        ({"person_id": ""} | box, "people-person", "Choose a person of the register."),
        ({"person_id": "987654"} | box, "people-person", "Choose a person of the register."),
        ({"person_id": str(person_id), "x": "0.1", "y": "", "w": "0.3", "h": "0.4"},
         "people-box-x", "Give all four numbers"),
        ({"person_id": str(person_id), "x": "0.9", "y": "0.2", "w": "0.3", "h": "0.4"},
         "people-box-x", "Must be {x, y, w, h}"),
    ]  # fmt: skip
    for data, field, message in cases:
        refused = web.post(f"/assets/{asset_id}/people/tag", data={"csrf_token": token, **data})
        assert refused.status_code == 422, data
        document = page(refused)
        described = document.by_id(field).attrs["aria-describedby"]  # type: ignore[union-attr]
        assert document.by_id(described).text.startswith(message), data  # type: ignore[union-attr]
        assert document.by_id("people-tag-errors") is not None
        assert document.by_id("people-box-x").attrs.get("value") == data["x"]  # type: ignore[union-attr]
        assert _state(app, asset_id) == before
    refused = web.post(f"/assets/{asset_id}/people/status",
                       data={"csrf_token": token, "status": "maybe"})  # fmt: skip
    assert refused.status_code == 422
    assert "Must be one of unknown, none, depicted" in page(refused).by_id(
        "people-status-error").text  # type: ignore[union-attr]  # fmt: skip
    refused = web.post(f"/assets/{asset_id}/people/{person_id}/remove", data={"csrf_token": token})
    assert refused.status_code == 422
    assert "does not depict" in page(refused).by_id("people-remove-error").text  # type: ignore[union-attr]
    # Without the CSRF token: refused before anything is read.
    forged = web.post(f"/assets/{asset_id}/people/status", data={"status": "none"})
    assert forged.status_code == 400
    forged = web.post("/people", data={"display_name": "Forged", "role": "staff"})
    assert forged.status_code == 400
    assert _state(app, asset_id) == before
    listed = page(web.get("/people?q=Forged"))
    assert listed.by_id("people-empty") is not None


def test_the_names_a_file_proposes_are_confirmed_into_the_register(
    app: Flask, web: FlaskClient, client: FlaskClient, tokens: Tokens
) -> None:
    body = people_xmp.persons("Lina Haddad", NAME) + people_xmp.iptc_regions(
        people_xmp.iptc_region((0.5, 0.25, 0.25, 0.5), name="Lina Haddad")
    )
    created = upload(client, tokens["contributor"],
                     photos.jpeg_with_xmp(people_xmp.packet(body), 320, 240),
                     title="Weaving", alt_text="Two weavers at work.")  # fmt: skip
    assert created.status_code == 201, created.json
    asset_id = int(created.json["id"])
    token = signed_in(web, "rights")
    known = _add_person(web, token)  # already in the register: confirmed as her, not anew

    document = page(web.get(f"/assets/{asset_id}"))
    assert "proposed from the file's metadata" in document.by_id("people-status").text  # type: ignore[union-attr]
    names = {li.text.split(" ")[0]: li.attrs["data-name-index"]
             for li in document.by_id("people-confirm-form").find_all("li")}  # type: ignore[union-attr]  # fmt: skip
    assert set(names) == {"Lina", "Amina"}
    viewer = browser_like(app.test_client())
    signed_in(viewer, "viewer")
    assert "Lina Haddad" not in viewer.get(f"/assets/{asset_id}").get_data(as_text=True)

    nothing = web.post(f"/assets/{asset_id}/people/confirm", data={"csrf_token": token})
    assert nothing.status_code == 422
    assert "Tick at least one name" in page(nothing).by_id("people-confirm-error").text  # type: ignore[union-attr]
    lina, amina = names["Lina"], names["Amina"]
    wrong = web.post(f"/assets/{asset_id}/people/confirm", data={
        "csrf_token": token, "confirm": [lina], f"role-{lina}": "queen"})  # fmt: skip
    assert wrong.status_code == 422
    assert "Must be one of staff" in page(wrong).by_id(f"role-{lina}-error").text  # type: ignore[union-attr]
    assert _state(app, asset_id)[0] == []

    confirmed = web.post(f"/assets/{asset_id}/people/confirm", data={
        "csrf_token": token, "confirm": [lina, amina], f"role-{lina}": "staff",
        f"role-{amina}": "participant"})  # fmt: skip
    assert confirmed.status_code == 302
    shown = page(web.get(confirmed.headers["Location"]))
    assert shown.by_id("people-notice").text == f"Confirmed and tagged: Lina Haddad, {NAME}."  # type: ignore[union-attr]
    assert shown.by_id("people-confirm-form") is None  # nothing left to confirm
    tagged, status, _ = _state(app, asset_id)
    assert status == "depicted"
    by_person = dict(tagged)
    assert by_person[known] is None
    [new_id] = [pid for pid in by_person if pid != known]
    assert by_person[new_id] == {"x": 0.5, "y": 0.25, "w": 0.25, "h": 0.5}
    register = page(web.get("/people?q=lina"))
    [row] = register.by_id("people-list").find_all("tr", data_person_id=str(new_id))  # type: ignore[union-attr]
    assert "Lina Haddad" in row.text and "staff" in row.text


def test_a_consent_is_recorded_its_form_kept_then_withdrawn_and_the_posts_listed(
    app: Flask, web: FlaskClient, asset_id: int
) -> None:
    token = signed_in(web, "rights")
    person_id = _add_person(web, token)
    path = f"/people/{person_id}"
    welcome = page(web.get(path))
    assert welcome.by_id("consents-notice").text == f"{NAME} added to the register."  # type: ignore[union-attr]

    fields = {"csrf_token": token, "channels": ["social", "web"],
              "platforms": ["instagram", "bluesky"], "purposes": ["campaign"],
              "granted_at": "2026-03-01", "expires_at": "", "basis": "consent",
              "language": "en", "guardian": "", "release_id": "MR-2026-0042"}  # fmt: skip
    refused = web.post(f"{path}/consents", data={**fields, "channels": [], "granted_at": ""})
    assert refused.status_code == 422
    document = page(refused)
    assert document.by_id("k-channels-error").text == "Must name at least one."  # type: ignore[union-attr]
    assert errors_beside(document, "granted_at") == ["Is required."]
    assert _consents(app, person_id) == []
    recorded = web.post(f"{path}/consents", data=fields)
    assert recorded.status_code == 302
    [(consent_id, channels, platforms, withdrawn, evidence)] = _consents(app, person_id)
    assert recorded.headers["Location"] == f"{path}#consent-{consent_id}"
    assert (channels, platforms, withdrawn, evidence) == (
        ["social", "web"], ["instagram", "bluesky"], None, None,
    )  # fmt: skip

    not_pdf = web.post(f"{path}/consents/{consent_id}/evidence",
                       data={"csrf_token": token, "file": (io.BytesIO(b"hello"), "form.pdf")},
                       content_type="multipart/form-data")  # fmt: skip
    assert not_pdf.status_code == 422
    assert "Must be a PDF, JPEG or PNG" in page(not_pdf).by_id(
        f"evidence-{consent_id}-error").text  # type: ignore[union-attr]  # fmt: skip
    kept = web.post(f"{path}/consents/{consent_id}/evidence",
                    data={"csrf_token": token, "file": (io.BytesIO(PDF), "signed-form.pdf")},
                    content_type="multipart/form-data")  # fmt: skip
    assert kept.status_code == 302
    document = page(web.get(path))
    link = document.find("a", href=f"{path}/consents/{consent_id}/evidence")
    assert link is not None and link.text == "signed-form.pdf"
    download = web.get(f"{path}/consents/{consent_id}/evidence")
    try:
        assert download.status_code == 200 and download.data == PDF
        assert download.headers["Cache-Control"] == "private, no-store"
    finally:
        download.close()

    # The workshop photo shows her, in a published and an exported post of the week.
    tagged = web.post(f"/assets/{asset_id}/people/tag",
                      data={"csrf_token": token, "person_id": str(person_id)})  # fmt: skip
    assert tagged.status_code == 302
    with transaction(app) as session:
        campaign = campaigns.create_campaign(
            session, {"name": "MuseumWeek 2026", "timezone": "Europe/London"}, actor="lead"
        )
        campaigns.add_day(session, campaign, {"date": date(2026, 6, 8)}, actor="lead")
        made = [
            posts.add_post(
                session,
                campaign,
                {
                    "day": "2026-06-08",
                    "time": time,
                    "platforms": ["instagram", "bluesky"],
                    "media": [{"asset_id": asset_id}],
                },
                actor="lead",
                presets=DEFAULT_PRESETS,
            )
            for time in ("09:30", "12:00", "18:00")
        ]
        posts.mark_exported(session, campaign, made[:1], actor="lead", now=utcnow())
        posts.update_post(session, campaign, made[1], {"status": "published", "remote_url": URL},
                          actor="lead", presets=DEFAULT_PRESETS)  # fmt: skip
        campaign_id, post_ids = campaign.id, [post.id for post in made]
    board = f"/campaigns/{campaign_id}"
    assert page(web.get(board)).by_id("takedown") is None  # her consent still runs

    unticked = web.post(f"{path}/consents/{consent_id}/withdraw", data={"csrf_token": token})
    assert unticked.status_code == 422
    assert errors_beside(page(unticked), "confirm")[0].startswith("Tick the box")
    assert _consents(app, person_id)[0][3] is None
    withdrawn = web.post(f"{path}/consents/{consent_id}/withdraw",
                         data={"csrf_token": token, "confirm": "yes"})  # fmt: skip
    assert withdrawn.status_code == 302 and withdrawn.headers["Location"] == f"{path}#takedown"
    document = page(web.get(path))
    assert document.by_id("takedown-notice").text == (  # type: ignore[union-attr]
        f"Consent #{consent_id} withdrawn. 2 posts to take down."
    )
    assert document.by_id(f"consent-{consent_id}").attrs["data-state"] == "withdrawn"  # type: ignore[union-attr]
    rows = document.by_id("takedown-list").find_all("tr", cls=None)[1:]  # type: ignore[union-attr]
    assert [row.attrs["data-post-id"] for row in rows] == [str(post_ids[1]), str(post_ids[0])]
    assert URL in rows[0].text and "Instagram, Bluesky" in rows[0].text
    csv = web.get(f"{path}/takedown.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).split("\r\n")
    assert lines[0].startswith("campaign_id,campaign,post_id") and URL in lines[1]

    # The register's filters: withdrawn lists her, expiring does not.
    assert page(web.get("/people?filter=withdrawn")).by_id("people-list") is not None
    assert page(web.get("/people?filter=expiring")).by_id("people-empty") is not None
    assert web.get("/people?filter=lost").status_code == 422

    # The board tells everyone which posts to take down, naming nobody.
    viewer = browser_like(app.test_client())
    signed_in(viewer, "viewer")
    answer = viewer.get(board)
    assert NAME not in answer.get_data(as_text=True)
    notice = page(answer).by_id("takedown")
    assert notice is not None and notice.by_id("takedown-h").text == "Takedown: 2 posts to remove"  # type: ignore[union-attr]
    listed = notice.find_all("li")
    assert [li.attrs["data-post-id"] for li in listed] == [str(post_ids[0]), str(post_ids[1])]
    assert f"person #{person_id} (participant)" in listed[1].text and URL in listed[1].text
    assert "Instagram, Bluesky" in listed[1].text
    viewer_page = page(viewer.get(f"/assets/{asset_id}"))
    assert "Consent withdrawn" in viewer_page.by_id("people-depicted").text  # type: ignore[union-attr]

    # A new consent for Instagram alone: the board still lists the posts, on Bluesky only;
    # once Bluesky is covered again, there is nothing to take down.
    for platforms in (["instagram"], ["instagram", "bluesky"]):
        again = web.post(f"{path}/consents", data={**fields, "platforms": platforms})
        assert again.status_code == 302
        notice = page(viewer.get(board)).by_id("takedown")
        if platforms == ["instagram"]:
            assert notice is not None
            listed = notice.find_all("li")
            assert [li.attrs["data-platforms"] for li in listed] == ["bluesky", "bluesky"]
        else:
            assert notice is None


def test_a_consent_expiring_within_30_days_is_in_the_expiring_filter(
    app: Flask, web: FlaskClient
) -> None:
    token = signed_in(web, "admin")  # admins read the register too
    person_id = _add_person(web, token, "Jonas Berg", "staff")
    soon = (utcnow().date() + timedelta(days=10)).isoformat()
    recorded = web.post(f"/people/{person_id}/consents", data={
        "csrf_token": token, "channels": ["social"], "granted_at": "2026-01-01",
        "expires_at": soon, "basis": "contract"})  # fmt: skip
    assert recorded.status_code == 302
    listed = page(web.get("/people?filter=expiring"))
    [row] = listed.by_id("people-list").find_all("tr", data_person_id=str(person_id))  # type: ignore[union-attr]
    assert "Consent active" in row.text
    assert page(web.get("/people?filter=withdrawn")).by_id("people-empty") is not None
    refused = web.post("/people", data={"csrf_token": token, "display_name": " ", "role": "king"})
    assert refused.status_code == 422
    document = page(refused)
    assert errors_beside(document, "display_name") == ["Must not be blank."]
    assert errors_beside(document, "role")[0].startswith("Must be one of staff")
