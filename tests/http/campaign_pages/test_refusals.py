"""The campaign pages' refusals (issue 15): a refused form answers 422 with the message
beside the field and changes nothing; every form wants its CSRF token and a contributor;
viewers read; signed-out visitors are sent to sign in.

Runs on SQLite and PostgreSQL, with the local store (the forms do not touch the blobs).
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.campaign_forms import editor_form, post_values_of, stored_state
from tests.support.web import (
    control,
    errors_beside,
    page,
    signed_in,
)

Tokens = dict[str, dict[str, str]]
pytestmark = pytest.mark.parametrize("blob_settings", ["local"], indirect=True)


# ---------------------------------------------------------------- refusals


def test_a_refused_new_campaign_answers_422_beside_each_field_and_makes_nothing(
    app: Flask, web: FlaskClient
) -> None:
    token = signed_in(web, "contributor")
    refused = web.post(
        "/campaigns",
        data={"csrf_token": token, "name": "MuseumWeek 2026", "hashtag": "Museum Week",
              "cause_tag": "", "timezone": "Mars/Olympus", "first_date": "", "days": "40"},
    )  # fmt: skip
    assert refused.status_code == 422
    document = page(refused)
    assert "is not a hashtag" in errors_beside(document, "hashtag")[0]
    assert "is not a time zone" in errors_beside(document, "timezone")[0]
    assert errors_beside(document, "first_date") == [
        "Enter the campaign's first day, such as 2026-06-08."
    ]
    assert errors_beside(document, "days") == ["Enter a number of days from 1 to 31."]
    assert control(document, "name").attrs["value"] == "MuseumWeek 2026"  # kept as typed
    assert stored_state(app) == ([], 0)
    # A week running past the last date a campaign may have: no campaign, and no day.
    late = web.post("/campaigns", data={"csrf_token": token, "name": "Late", "timezone": "UTC",
                                        "first_date": "2099-12-29", "days": "7"})  # fmt: skip
    assert late.status_code == 422
    assert "is not a campaign date" in errors_beside(page(late), "days")[0]
    assert stored_state(app) == ([], 0)


def test_refused_board_and_editor_forms_answer_422_beside_the_field_and_change_nothing(
    app: Flask, web: FlaskClient, week: dict[str, Any]
) -> None:
    token = signed_in(web, "contributor")
    base = f"/campaigns/{week['campaign']}"
    first, _ = week["days"]
    before = stored_state(app)

    bad_tag = web.post(f"{base}/days/{first}", data={"csrf_token": token, "theme": "Secrets",
                                                     "hashtag": "Secrets MW", "brief": ""})  # fmt: skip
    assert bad_tag.status_code == 422
    column = page(bad_tag).by_id(f"day-{first}")
    assert column is not None
    assert "is not a hashtag" in errors_beside(column, "hashtag")[0]
    assert control(column, "hashtag").attrs["value"] == "Secrets MW"
    assert column.find("details", cls="day-edit").attrs.get("open") == ""  # type: ignore[union-attr]

    no_platform = web.post(
        f"{base}/days/{first}/posts", data={"csrf_token": token, "time": "10:00"}
    )
    assert no_platform.status_code == 422
    column = page(no_platform).by_id(f"day-{first}")
    assert column is not None
    assert errors_beside(column, "platforms") == ["A post goes to at least one platform."]

    no_day = web.post(f"{base}/posts/{week['post']}/move",
                      data={"csrf_token": token, "day": "2026-07-01"})  # fmt: skip
    assert no_day.status_code == 422
    card = page(no_day).by_id(f"post-{week['post']}")
    assert card is not None and "has no day 2026-07-01" in errors_beside(card, "day")[0]

    nothing = web.post(f"{base}/media", data={"csrf_token": token, "post_id": "",
                                              "q": "basket"})  # fmt: skip
    assert nothing.status_code == 422
    picker = page(nothing).by_id("add-media")
    assert picker is not None
    assert errors_beside(picker, "post_id") == ["Choose the post to add the images to."]

    url = f"{base}/posts/{week['post']}"
    sent = editor_form(page(web.get(url))) | {
        "csrf_token": [token],
        "text-x": ["Typed, and kept when refused"],
        "status": ["published"],
        "remote_url": [""],
    }
    unpublished = web.post(url, data=sent)
    assert unpublished.status_code == 422
    editor = page(unpublished)
    assert errors_beside(editor, "remote_url") == [
        "A published post needs the URL it was published at."
    ]
    summary = editor.by_id("post-errors")
    assert summary is not None and summary.find("a", href="#p-remote-url") is not None
    typed = editor.by_id("caption-text-x")
    assert typed is not None and typed.text == "Typed, and kept when refused"

    late = web.post(url, data=sent | {"status": ["draft"], "time": ["25:99"]})
    assert late.status_code == 422
    assert "is not a time of day" in errors_beside(page(late), "time")[0]
    assert stored_state(app) == before


def test_refused_new_and_deleted_days_answer_422_beside_the_field_and_change_nothing(
    app: Flask, web: FlaskClient, week: dict[str, Any]
) -> None:
    token = signed_in(web, "contributor")
    base = f"/campaigns/{week['campaign']}"
    first, second = week["days"]
    before = stored_state(app)
    for typed, field, message in (
        ({"date": "2026-06-08"}, "date", "The campaign has a day on 2026-06-08 already."),
        ({"date": " "}, "date", "Enter the day's date, such as 2026-06-15."),
        ({"date": "2026-02-30"}, "date", "'2026-02-30' is not a date such as 2026-06-08."),
        ({"date": "2101-01-01"}, "date", "2101-01-01 is not a campaign date: from 2000 to 2099."),
        ({"date": "2026-06-10", "hashtag": "Play MW"}, "hashtag",
         "'#Play MW' is not a hashtag: use letters, digits and _ only, with no spaces."),
    ):  # fmt: skip
        sent = {"theme": "Play", "hashtag": "", **typed}
        refused = web.post(f"{base}/days", data={"csrf_token": token, **sent})
        assert refused.status_code == 422, typed
        form = page(refused).by_id("new-day")
        assert form is not None
        assert errors_beside(form, field) == [message], typed
        assert control(form, field).attrs.get("aria-invalid") == "true"
        assert control(form, "theme").attrs["value"] == "Play"  # kept as typed
    # A day with a post is not deleted, ticked or not; an empty one wants its box ticked.
    for day, sent, message in (
        (first, {"confirm": "yes"},
         "Mon 8 June still has 1 post: move or delete it first. Nothing was deleted."),
        (second, {}, "Tick the box to confirm the deletion; nothing was deleted."),
    ):  # fmt: skip
        refused = web.post(f"{base}/days/{day}/delete", data={"csrf_token": token, **sent})
        assert refused.status_code == 422
        column = page(refused).by_id(f"day-{day}")
        assert column is not None
        assert errors_beside(column, "confirm") == [message]
        assert column.find("details", cls="day-edit").attrs.get("open") == ""  # type: ignore[union-attr]
    assert stored_state(app) == before


def test_a_caption_keeps_its_joiners_and_a_direction_override_is_refused_beside_it(
    app: Flask, web: FlaskClient, week: dict[str, Any]
) -> None:
    token = signed_in(web, "contributor")
    url = f"/campaigns/{week['campaign']}/posts/{week['post']}"
    kept = "Family 👨\u200d👩\u200d👧 می\u200cخواهم #MuseumWeek"
    sent = editor_form(page(web.get(url))) | {"csrf_token": [token], "text-bluesky": [kept]}
    assert web.post(url, data=sent).status_code == 302
    assert post_values_of(app, week)["captions"] == {"bluesky": kept}
    before = stored_state(app)
    refused = web.post(url, data=sent | {"text-x": ["A basket \u202egnikool"]})
    assert refused.status_code == 422
    document = page(refused)
    assert errors_beside(document, "text-x") == [
        "Contains U+202E RIGHT-TO-LEFT OVERRIDE, which can disguise text; remove it."
    ]  # the service names the caption ("x: contains ..."), the page puts it beside it
    assert errors_beside(document, "text-bluesky") == []
    assert stored_state(app) == before


# ---------------------------------------------------------------- CSRF and roles


def _forms(week: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    base = f"/campaigns/{week['campaign']}"
    return [
        ("/campaigns", {"name": "Forged", "first_date": "2026-06-08", "days": "7"}),
        (base, {"name": "Forged", "hashtag": "Forged", "timezone": "UTC"}),
        (f"{base}/days/{week['days'][0]}", {"theme": "Forged"}),
        (f"{base}/days/{week['days'][0]}/posts", {"time": "10:00", "platforms": "x"}),
        (f"{base}/posts/{week['post']}/move", {"day": "2026-06-09"}),
        (f"{base}/media", {"post_id": str(week["post"]), "asset_ids": str(week["assets"][1])}),
        (f"{base}/posts/{week['post']}", {"day": "2026-06-08", "time": "11:00", "status": "ready",
                                          "platforms": "x", "media": [], "media_alt": []}),
        (f"{base}/days", {"date": "2026-06-10", "theme": "Forged"}),
        (f"{base}/days/{week['days'][1]}/delete", {"confirm": "yes"}),
        (f"{base}/posts/{week['post']}/delete", {"confirm": "yes"}),
    ]  # fmt: skip


@pytest.mark.parametrize("sent", [None, "not-the-token"], ids=["missing", "wrong"])
def test_every_campaign_form_wants_this_sessions_csrf_token(
    app: Flask, web: FlaskClient, week: dict[str, Any], sent: str | None
) -> None:
    signed_in(web, "contributor")
    before = stored_state(app)
    for path, form in _forms(week):
        token = {} if sent is None else {"csrf_token": sent}
        response = web.post(path, data={**form, **token})
        assert response.status_code == 400, path
        assert "did not come from this site" in page(response).text, path
    assert stored_state(app) == before


def test_viewers_read_the_pages_without_forms_and_are_refused_every_change(
    app: Flask, web: FlaskClient, week: dict[str, Any]
) -> None:
    token = signed_in(web, "viewer")
    before = stored_state(app)
    base = f"/campaigns/{week['campaign']}"
    for path in ("/campaigns", base, f"{base}?q=basket", f"{base}/posts/{week['post']}"):
        response = web.get(path)
        assert response.status_code == 200, path
        document = page(response)
        posting = [f.attrs["action"] for f in document.find_all("form", method="post")]
        assert posting == ["/logout"], (path, posting)
        assert not document.find_all("textarea") and not document.find_all("select"), path
    editor = page(web.get(f"{base}/posts/{week['post']}"))
    assert "Composed from the template when exported" in editor.text
    assert "X, Bluesky" in editor.text
    for path, form in _forms(week):
        response = web.post(path, data={**form, "csrf_token": token})
        assert response.status_code == 403, path
    assert stored_state(app) == before


def test_signed_out_visitors_are_sent_to_sign_in_and_unknown_posts_are_404(
    app: Flask, web: FlaskClient, week: dict[str, Any]
) -> None:
    base = f"/campaigns/{week['campaign']}"
    for path in ("/campaigns", base, f"{base}/posts/{week['post']}"):
        response = web.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    signed_in(web, "viewer")
    assert web.get("/campaigns/987654").status_code == 404
    assert web.get(f"{base}/posts/987654").status_code == 404
