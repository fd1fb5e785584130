"""The campaign pages' forms through Flask's test client (issue 15): a week created from a
first date and a number of days, a day's theme and hashtag, a post added to a day, images
added from the library, the editor's one Save (media order, alt text, captions per platform,
status), a post moved to another day, a day added and an empty one deleted, a post deleted
once its box is ticked. Refusals, CSRF and roles are in test_refusals.py.

Runs on SQLite and PostgreSQL, with the local store (the forms do not touch the blobs).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.http.transactions import transaction
from service.rules import captions
from service.rules.presets import DEFAULT_PRESETS
from service.services import campaigns, posts
from tests.support.campaign_forms import editor_form, post_values_of, stored_state
from tests.support.web import (
    control,
    errors_beside,
    page,
    signed_in,
)

Tokens = dict[str, dict[str, str]]
pytestmark = pytest.mark.parametrize("blob_settings", ["local"], indirect=True)


# ---------------------------------------------------------------- planning through the forms


def test_a_contributor_creates_a_week_from_its_first_date_and_number_of_days(
    app: Flask, web: FlaskClient
) -> None:
    token = signed_in(web, "contributor")
    created = web.post(
        "/campaigns",
        data={"csrf_token": token, "name": "MuseumWeek 2026", "hashtag": "MuseumWeek",
              "cause_tag": "", "timezone": "Europe/London", "first_date": "2026-06-08",
              "days": "7"},
    )  # fmt: skip
    assert created.status_code == 302
    location = created.headers["Location"]
    assert location.endswith("#board") and location.startswith("/campaigns/")
    board = page(web.get(location))
    notice = board.by_id("board-notice")
    assert notice is not None and "created with 7 days" in notice.text
    columns = board.find_all("section", cls="day-column")
    assert [column.attrs["data-date"] for column in columns] == [
        f"2026-06-{day:02d}" for day in range(8, 15)
    ]
    assert columns[0].by_id(columns[0].attrs["id"] + "-h").text == "Mon 8 June"
    audit = board.find("a", href=location.split("#")[0] + "/audit")
    assert audit is not None and audit.text == "Audit and bundle"
    listed = page(web.get("/campaigns")).by_id("campaign-list")
    assert listed is not None and "#MuseumWeek" in listed.text and "Europe/London" in listed.text
    assert stored_state(app)[0][0][:3] == ("MuseumWeek 2026", "#MuseumWeek", "Europe/London")


def test_a_campaigns_hashtag_and_time_zone_are_changed_on_its_board(
    app: Flask, web: FlaskClient, week: dict[str, Any]
) -> None:
    token = signed_in(web, "contributor")
    base = f"/campaigns/{week['campaign']}"
    fields = {"name": "MuseumWeek 2026", "hashtag": "#MuseumWeek2026", "cause_tag": "WomenMW",
              "timezone": "Europe/Paris"}  # fmt: skip
    saved = web.post(base, data={"csrf_token": token, **fields})
    assert saved.status_code == 302 and saved.headers["Location"] == f"{base}#board"
    board = page(web.get(saved.headers["Location"]))
    assert board.by_id("board-notice").text == "Campaign saved."  # type: ignore[union-attr]
    assert "#MuseumWeek2026" in board.text and "#WomenMW" in board.text
    assert "Times in Europe/Paris" in board.text
    # The post keeps its instant: 09:30 in London is 10:30 in Paris.
    assert post_values_of(app, week)["time"] == "2026-06-08T10:30:00+02:00"
    before = stored_state(app)
    refused = web.post(base, data={"csrf_token": token, **fields, "timezone": "Paris"})
    assert refused.status_code == 422
    assert "is not a time zone" in errors_beside(page(refused), "timezone")[0]
    assert stored_state(app) == before


def test_a_day_is_given_its_theme_hashtag_and_brief(
    app: Flask, web: FlaskClient, week: dict[str, Any]
) -> None:
    token = signed_in(web, "contributor")
    day = week["days"][1]
    saved = web.post(
        f"/campaigns/{week['campaign']}/days/{day}",
        data={"csrf_token": token, "theme": "People", "hashtag": "peopleMW",
              "brief": "Faces from the collection."},
    )  # fmt: skip
    assert saved.status_code == 302
    assert saved.headers["Location"] == f"/campaigns/{week['campaign']}#day-{day}"
    board = page(web.get(saved.headers["Location"]))
    column = board.by_id(f"day-{day}")
    assert column is not None
    assert "#peopleMW" in column.text and "Faces from the collection." in column.text
    assert column.by_id(f"day-{day}-notice") is not None


def test_posts_are_added_given_images_and_moved_between_days(
    app: Flask, web: FlaskClient, week: dict[str, Any]
) -> None:
    token = signed_in(web, "contributor")
    base = f"/campaigns/{week['campaign']}"
    first, second = week["days"]
    added = web.post(
        f"{base}/days/{second}/posts",
        data={"csrf_token": token, "time": "18:00", "platforms": ["mastodon", "instagram"]},
    )
    assert added.status_code == 302
    new_post = int(added.headers["Location"].rsplit("#post-", 1)[1])
    # Two images from the library's search, added to the new post at once.
    results = page(web.get(f"{base}?q=basket&post={new_post}"))
    offered = [box.attrs["value"] for box in results.find_all("input", name="asset_ids")]
    assert sorted(offered) == sorted(str(asset) for asset in week["assets"])
    assert control(results, "post_id").find("option", value=str(new_post), selected="") is not None
    given = web.post(
        f"{base}/media",
        data={"csrf_token": token, "post_id": str(new_post),
              "asset_ids": [str(asset) for asset in reversed(week["assets"])],
              "next": f"{base}?q=basket"},
    )  # fmt: skip
    assert given.status_code == 302
    assert given.headers["Location"] == f"{base}?q=basket#post-{new_post}"
    card = page(web.get(given.headers["Location"])).by_id(f"post-{new_post}")
    assert card is not None and "18:00" in card.text
    assert [img.attrs["src"] for img in card.find_all("img")] == [
        f"/assets/{asset}/preview/thumb" for asset in reversed(week["assets"])
    ]
    assert "Mastodon, Instagram" in card.text and "Draft" in card.text
    # The first day's post moves to the second day, keeping its local time.
    moved = web.post(
        f"{base}/posts/{week['post']}/move", data={"csrf_token": token, "day": "2026-06-09"}
    )
    assert moved.status_code == 302
    assert post_values_of(app, week)["time"] == "2026-06-09T09:30:00+01:00"
    board = page(web.get(moved.headers["Location"]))
    column = board.by_id(f"day-{second}")
    assert column is not None and column.by_id(f"post-{week['post']}") is not None
    assert board.by_id(f"day-{first}").by_id(f"post-{week['post']}") is None  # type: ignore[union-attr]


def test_the_editors_one_save_keeps_order_alt_text_captions_and_status(
    app: Flask, web: FlaskClient, week: dict[str, Any]
) -> None:
    token = signed_in(web, "contributor")
    url = f"/campaigns/{week['campaign']}/posts/{week['post']}"
    with transaction(app) as session:  # a second image, so that there is an order to change
        campaign = campaigns.get_campaign(session, week["campaign"])
        post = posts.get_post(session, campaign, week["post"])
        media = [{"asset_id": asset} for asset in week["assets"]]
        posts.update_post(session, campaign, post, {"media": media}, actor="lead",
                          presets=DEFAULT_PRESETS)  # fmt: skip
    editor = page(web.get(url))
    alts = editor.find_all("textarea", name="media_alt")
    assert [alt.attrs["placeholder"] for alt in alts] == [
        "A woven basket with a conical lid, decorated with leather straps.",
        "The lid, seen from above.",
    ]  # the assets' own alt text, shown where the post has none of its own
    # No caption written yet: each box shows greyed what the export composes, counted.
    composed = editor.by_id("caption-text-x").attrs["placeholder"]  # type: ignore[union-attr]
    assert composed.startswith("Secrets: Somali wedding basket") and "#MuseumWeek" in composed
    counted = editor.by_id("caption-counter-x")
    assert counted is not None
    assert counted.text == f"{captions.count_length('x', composed)} / 280 · composed"
    sent = editor_form(editor) | {
        "csrf_token": [token],
        "media_alt": ["", "The lid of the basket, from above."],
        "text-x": ["Our secret: a basket #MuseumWeek"],
        "text-bluesky": ["A basket, kept a secret since 1935."],
        "status": ["ready"],
    }
    # "Move left" on the second image: the whole form is saved with the new order.
    saved = web.post(url, data={**sent, "media_op": "left:1"})
    assert saved.status_code == 302, page(saved).text[:2000]
    assert saved.headers["Location"] == f"{url}#media"
    stored = post_values_of(app, week)
    assert [item["asset_id"] for item in stored["media"]] == list(reversed(week["assets"]))
    assert [item["alt_text"] for item in stored["media"]] == [
        "The lid of the basket, from above.",
        None,
    ]
    assert stored["captions"] == {
        "x": "Our secret: a basket #MuseumWeek",
        "bluesky": "A basket, kept a secret since 1935.",
    }
    assert stored["status"] == "ready"
    shown = page(web.get(saved.headers["Location"]))
    notice = shown.by_id("media-notice")
    assert notice is not None and notice.text == "Image 2 moved to position 1; post saved."
    counter = shown.by_id("caption-counter-x")
    assert counter is not None
    assert counter.text == f"{len('Our secret: a basket #MuseumWeek')} / 280"
    # The hand-written caption lacks the basket's credit line: the editor says so beside it.
    notes = shown.by_id("caption-notes-x")
    assert notes is not None and "The caption lacks" in notes.text
    # An emptied caption goes back to being composed; the plain Save confirms beside itself.
    again = editor_form(shown) | {"csrf_token": [token], "text-bluesky": [""]}
    resaved = web.post(url, data=again)
    assert resaved.headers["Location"] == f"{url}#saved"
    assert post_values_of(app, week)["captions"] == {"x": "Our secret: a basket #MuseumWeek"}
    confirmed = page(web.get(resaved.headers["Location"])).by_id("saved-notice")
    assert confirmed is not None and confirmed.text == "Post saved."
    assert page(web.get(url)).by_id("saved-notice") is None  # shown once


def test_without_scripts_the_strips_buttons_remove_and_add_images_saving_what_was_typed(
    app: Flask, web: FlaskClient, week: dict[str, Any]
) -> None:
    token = signed_in(web, "contributor")
    url = f"/campaigns/{week['campaign']}/posts/{week['post']}"
    editor = page(web.get(f"{url}?q="))  # the library's newest, offered to add
    offered = [box.attrs["value"] for box in editor.find_all("input", name="add_asset")]
    assert sorted(offered) == sorted(str(asset) for asset in week["assets"])
    assert all(
        box.attrs["form"] == "post-form" for box in editor.find_all("input", name="add_asset")
    )
    sent = editor_form(editor) | {"csrf_token": [token], "text-x": ["Typed before adding"]}
    assert sent["q"] == [""]

    unticked = web.post(url, data={**sent, "media_op": "add"})
    assert unticked.status_code == 422
    document = page(unticked)
    assert errors_beside(document, "add_asset") == ["Select at least one image to add."]
    assert document.by_id("caption-text-x").text == "Typed before adding"  # type: ignore[union-attr]

    added = web.post(url, data={**sent, "media_op": "add", "add_asset": str(week["assets"][1])})
    assert added.status_code == 302 and added.headers["Location"] == f"{url}#media"
    stored = post_values_of(app, week)
    assert [item["asset_id"] for item in stored["media"]] == week["assets"]
    assert stored["captions"] == {"x": "Typed before adding"}
    notice = page(web.get(added.headers["Location"])).by_id("media-notice")
    assert notice is not None and notice.text == "1 image added; post saved."

    again = editor_form(page(web.get(url))) | {"csrf_token": [token]}
    removed = web.post(url, data={**again, "media_op": "remove:0"})
    assert removed.status_code == 302
    assert [item["asset_id"] for item in post_values_of(app, week)["media"]] == [week["assets"][1]]


def test_a_day_is_added_beside_the_others_and_an_empty_day_deleted(
    app: Flask, web: FlaskClient, week: dict[str, Any]
) -> None:
    token = signed_in(web, "contributor")
    base = f"/campaigns/{week['campaign']}"
    board = page(web.get(base)).by_id("new-day")
    assert board is not None
    assert control(board, "date").attrs["value"] == "2026-06-10"  # the day after the last
    added = web.post(f"{base}/days", data={"csrf_token": token, "date": "2026-06-10",
                                           "theme": "Play", "hashtag": "PlayMW"})  # fmt: skip
    assert added.status_code == 302
    new_day = int(added.headers["Location"].rsplit("#day-", 1)[1])
    shown = page(web.get(added.headers["Location"]))
    column = shown.by_id(f"day-{new_day}")
    assert column is not None and column.attrs["data-date"] == "2026-06-10"
    assert "Play" in column.text and "#PlayMW" in column.text
    assert column.by_id(f"day-{new_day}-notice").text == "Wed 10 June added."  # type: ignore[union-attr]
    assert control(shown.by_id("new-day"), "date").attrs["value"] == "2026-06-11"  # type: ignore[arg-type]
    # A day with posts offers no Delete: it says why instead.
    first = shown.by_id(f"day-{week['days'][0]}")
    assert first is not None and not first.find_all("form", cls="delete-form")
    assert "Only an empty day can be deleted: move or delete its 1 post first." in first.text
    assert column.find("form", cls="delete-form") is not None
    deleted = web.post(f"{base}/days/{new_day}/delete", data={"csrf_token": token,
                                                              "confirm": "yes"})  # fmt: skip
    assert deleted.status_code == 302 and deleted.headers["Location"] == f"{base}#board"
    after = page(web.get(deleted.headers["Location"]))
    assert after.by_id(f"day-{new_day}") is None
    assert after.by_id("board-notice").text == "Wed 10 June deleted."  # type: ignore[union-attr]
    assert [day[0] for day in stored_state(app)[0][0][3]] == [date(2026, 6, 8), date(2026, 6, 9)]


def test_a_post_is_deleted_from_its_editor_once_its_box_is_ticked(
    app: Flask, web: FlaskClient, week: dict[str, Any]
) -> None:
    token = signed_in(web, "contributor")
    base = f"/campaigns/{week['campaign']}"
    url = f"{base}/posts/{week['post']}"
    editor = page(web.get(url))
    form = editor.by_id("delete").find("form")  # type: ignore[union-attr]
    assert form is not None and form.attrs["action"] == f"{url}/delete"
    assert control(form, "confirm").attrs.get("checked") is None
    before = stored_state(app)
    unticked = web.post(f"{url}/delete", data={"csrf_token": token})
    assert unticked.status_code == 422
    document = page(unticked)
    assert errors_beside(document, "confirm") == [
        "Tick the box to confirm the deletion; nothing was deleted."
    ]
    assert control(document, "confirm").attrs.get("aria-invalid") == "true"
    assert document.by_id("post-errors") is None  # the editor's own Save was not refused
    assert stored_state(app) == before
    deleted = web.post(f"{url}/delete", data={"csrf_token": token, "confirm": "yes"})
    assert deleted.status_code == 302
    first = week["days"][0]
    assert deleted.headers["Location"] == f"{base}#day-{first}"
    board = page(web.get(deleted.headers["Location"]))
    column = board.by_id(f"day-{first}")
    assert column is not None and column.by_id(f"post-{week['post']}") is None
    notice = column.by_id(f"day-{first}-notice")
    assert notice is not None and notice.text == "The 09:30 post on Mon 8 June was deleted."
    stored, events = stored_state(app)
    assert stored[0][4] == [] and events > before[1]  # the history keeps what it was
    assert web.get(url).status_code == 404
    assert web.get(f"/assets/{week['assets'][0]}").status_code == 200  # the image stays
