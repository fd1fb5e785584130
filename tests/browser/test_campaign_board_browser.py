"""A campaign planned in Chromium (issue 15): a contributor creates a seven-day week, gives a
day its theme and hashtag (a bad one is refused beside the field, which has focus), adds posts,
adds images from the library by ticking them and by dragging one onto a card, moves a post to
another day with its select and another by dragging its card, then in the post editor
reorders the images in place, writes alt text and captions side by side with live counters,
copies one platform's caption into another and saves once; a published post without its URL
is refused beside the URL field. Then a post is deleted from its editor once its box is
ticked, a day is added (a taken date refused beside the field, which has focus) and the
emptied day deleted. A viewer sees the same pages with nothing to edit.

Screenshots of the board and the editor go to var/screenshots/ (git-ignored).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from service.http import database as db
from service.rules.presets import DEFAULT_PRESETS
from service.services import campaigns, posts
from tests.support import photos
from tests.support.api import basket, upload
from tests.support.browser import Browser, Page, Watched, expect
from tests.support.web import add_user

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
DESKTOP = {"width": 1600, "height": 1400}  # the search and the board both in view, for dragging
Tokens = dict[str, dict[str, str]]

pytestmark = [
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
    pytest.mark.parametrize("blob_settings", ["local"], indirect=True),
]


@pytest.fixture
def library(app: Flask, people: None, tokens: Tokens) -> list[int]:
    """Three photographs to plan with: the basket, its lid and its base."""
    client = app.test_client()
    ids = [int(basket(client, tokens)["id"])]
    for width, title, number, alt in (
        (800, "Basket lid", "Af1935,0711.2", "The lid, seen from above."),
        (700, "Basket base", "Af1935,0711.3", "The coiled base of the basket."),
    ):
        made = upload(client, tokens["contributor"], photos.jpeg_plain(width, 600), title=title,
                      object_number=number, alt_text=alt)  # fmt: skip
        assert made.status_code == 201, made.json
        ids.append(int(made.json["id"]))
    add_user(app, "vera", "viewer")
    return ids


def _person(browser: Browser, server: str, name: str) -> Iterator[Watched]:
    person = Watched(browser.new_context(viewport=DESKTOP), server)  # type: ignore[arg-type]
    try:
        person.sign_in(name)
        yield person
        assert person.problems == [], person.problems
    finally:
        person.context.close()


@pytest.fixture
def cora(browser: Browser, server: str, library: list[int]) -> Iterator[Watched]:
    yield from _person(browser, server, "cora")


def _stored(app: Flask, campaign_id: int) -> list[dict[str, Any]]:
    """The campaign's posts as the service keeps them, in time order."""
    with app.app_context(), db.new_session() as session:
        campaign = campaigns.get_campaign(session, campaign_id)
        return [posts.post_values(post, campaign) for post in posts.posts_of(campaign)]


def _column(page: Page, index: int) -> Any:
    return page.locator("section.day-column").nth(index)


def _add_post(page: Page, column: int, time: str, untick: tuple[str, ...] = ()) -> str:
    """Add a post to a column's day through its "Add post" form; answers the card's id."""
    day = _column(page, column)
    day.locator("details.add-post > summary").click()
    day.get_by_label("Time").fill(time)
    for name in untick:
        day.locator(".add-post").get_by_label(name, exact=True).uncheck()
    day.locator(".add-post").get_by_role("button", name=re.compile("^Add post")).click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"#post-\d+$"))
    card_id = page.url.rsplit("#", 1)[1]
    expect(page.locator(f"#{card_id}-notice")).to_have_text(f"Post added at {time}.")
    return card_id


def test_a_contributor_plans_a_week_on_the_board_and_edits_a_post(
    app: Flask, cora: Watched, library: list[int]
) -> None:
    page = cora.page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    form = page.locator("#new-campaign")
    form.get_by_label("Name").fill("MuseumWeek 2026")
    form.get_by_label("Hashtag").fill("MuseumWeek")
    form.get_by_label("Time zone").fill("Europe/London")
    form.get_by_label("First day").fill("2026-06-08")
    form.get_by_label("Number of days").fill("7")
    form.get_by_role("button", name="Create campaign").click()
    expect(page).to_have_url(re.compile(r"/campaigns/\d+#board$"))
    campaign_id = int(re.findall(r"/campaigns/(\d+)", page.url)[0])
    expect(page.locator("#board-notice")).to_contain_text("created with 7 days")
    expect(page.locator("section.day-column")).to_have_count(7)
    expect(page.locator("section.day-column h2").first).to_have_text("Mon 8 June")

    # A day's hashtag with a space is refused beside the field, which has focus.
    monday = _column(page, 0)
    monday.locator("details.day-edit > summary").click()
    monday.get_by_label("Theme").fill("Secrets")
    monday.get_by_label("Hashtag").fill("Secrets MW")
    monday.get_by_role("button", name=re.compile("^Save day")).click()
    page.wait_for_load_state()
    field = _column(page, 0).get_by_label("Hashtag")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    expect(_column(page, 0).locator(".error")).to_contain_text("is not a hashtag")
    field.fill("SecretsMW")
    _column(page, 0).get_by_role("button", name=re.compile("^Save day")).click()
    page.wait_for_load_state()
    expect(_column(page, 0).locator(".day-hashtag")).to_have_text("#SecretsMW")
    expect(_column(page, 0).locator(".section-notice")).to_have_text("Mon 8 June saved.")

    # Posts on Monday and Tuesday.
    monday_post = _add_post(page, 0, "09:30", untick=("Facebook", "LinkedIn"))
    tuesday_post = _add_post(page, 1, "12:00")
    expect(page.locator(f"#{tuesday_post} .card-platforms")).to_have_text(
        "X, Bluesky, Mastodon, Instagram"  # a new post goes where the last one went
    )

    # Two images ticked in the library's search and added to Monday's post.
    page.get_by_label("Search the library").fill("basket")
    page.get_by_role("button", name="Search", exact=True).click()
    picker = page.locator("#add-media-form")
    expect(picker.locator(".picker-item")).to_have_count(3)
    picker.get_by_label("Somali wedding basket").check()
    picker.get_by_label("Basket lid").check()
    picker.get_by_label("Add to the post").select_option(monday_post.removeprefix("post-"))
    picker.get_by_role("button", name="Add selected images").click()
    page.wait_for_load_state()
    expect(page.locator(f"#{monday_post}-notice")).to_have_text("2 images added; the post has 2.")
    expect(page.locator(f"#{monday_post} .thumbs img")).to_have_count(2)
    # The third, dragged from the search onto Tuesday's card (both in view: a drag that had
    # to scroll would start wherever the pointer then is).
    source = page.locator(f'#add-media-form .picker-item[data-asset-id="{library[2]}"]')
    source.evaluate("item => item.scrollIntoView({block: 'start'})")
    expect(source).to_be_in_viewport()
    expect(page.locator(f"#{tuesday_post}")).to_be_in_viewport()
    with page.expect_navigation():
        source.drag_to(page.locator(f"#{tuesday_post}"))
    expect(page.locator(f"#{tuesday_post} .thumbs img")).to_have_count(1)
    expect(page.locator(f"#{tuesday_post} .thumbs img")).to_have_attribute(
        "alt", "The coiled base of the basket."
    )

    # Tuesday's post moves to Wednesday with its select; Monday's is dragged to Thursday.
    page.locator(f"#{tuesday_post}").get_by_label("Move to").select_option(label="Wed 10 June")
    page.locator(f"#{tuesday_post}").get_by_role("button", name=re.compile("^Move")).click()
    page.wait_for_load_state()
    expect(_column(page, 2).locator(f"#{tuesday_post}")).to_have_count(1)
    expect(page.locator(f"#{tuesday_post}-notice")).to_have_text("Post moved to Wed 10 June.")
    page.locator(f"#{monday_post}").evaluate("card => card.scrollIntoView({block: 'start'})")
    expect(page.locator(f"#{monday_post}")).to_be_in_viewport()
    expect(_column(page, 3)).to_be_in_viewport()
    with page.expect_navigation():
        page.locator(f"#{monday_post}").drag_to(_column(page, 3))
    expect(_column(page, 3).locator(f"#{monday_post}")).to_have_count(1)
    expect(_column(page, 0).locator(".post-card")).to_have_count(0)
    planned = _stored(app, campaign_id)
    assert [(post["time"], len(post["media"])) for post in planned] == [
        ("2026-06-10T12:00:00+01:00", 1),
        ("2026-06-11T09:30:00+01:00", 2),
    ]
    page.screenshot(path=str(SCREENSHOTS / "campaign-board.png"), full_page=True)

    # The editor: images reordered in place, alt text, captions side by side, one Save.
    page.locator(f"#{monday_post} h3 a").click()
    expect(page.locator("h1")).to_have_text("Post on Thu 11 June at 09:30")
    # The images in the order they were ticked: the search lists the newest (the lid) first.
    strip = page.locator("#media-strip .media-item")
    expect(strip).to_have_count(2)
    expect(strip.nth(0)).to_have_attribute("data-asset-id", str(library[1]))
    expect(strip.nth(0).locator("textarea")).to_have_attribute(
        "placeholder", "The lid, seen from above."
    )
    strip.nth(0).get_by_role("button", name=re.compile("^Move right")).click()
    expect(page.locator("#media-status")).to_contain_text("Image 1 moved to position 2.")
    expect(strip.nth(0)).to_have_attribute("data-asset-id", str(library[0]))
    expect(strip.nth(1).locator(".media-position")).to_have_text("Image 2 of 2")
    expect(strip.nth(0).get_by_role("button", name=re.compile("^Move left"))).to_be_disabled()
    strip.nth(0).locator("textarea").fill("A woven basket, its lid closed.")
    expect(page.locator("#caption-bluesky")).to_be_visible()
    expect(page.locator("#caption-facebook")).to_be_hidden()
    # Nothing written yet: each box shows greyed the caption the export composes, counted.
    composed = page.locator("#caption-text-x").get_attribute("placeholder") or ""
    assert composed.startswith("Basket lid") and composed.endswith("#MuseumWeek")  # as saved
    expect(page.locator("#caption-counter-x")).to_contain_text("· composed")
    x_text = "Our secret: a basket 博物館 #MuseumWeek #SecretsMW https://example.org/basket"
    page.locator("#caption-text-x").fill(x_text)
    # X counts the CJK characters 2 each and the link 23.
    x_length = len(x_text) - len("https://example.org/basket") + 23 + 3
    expect(page.locator("#caption-counter-x")).to_have_text(f"{x_length} / 280")
    page.locator("#copy-from-bluesky").select_option(label="X")
    page.get_by_role("button", name="Copy into Bluesky").click()
    expect(page.locator("#caption-text-bluesky")).to_have_value(x_text)
    expect(page.locator("#caption-counter-bluesky")).to_have_text(f"{len(x_text)} / 300")
    page.locator("#p-platform-facebook").check()  # the platform's caption shows up
    expect(page.locator("#caption-facebook")).to_be_visible()
    page.locator("#p-status").select_option("ready")
    page.screenshot(path=str(SCREENSHOTS / "campaign-post-editor.png"), full_page=True)
    page.get_by_role("button", name="Save post").click()
    page.wait_for_load_state()
    expect(page.locator("#saved-notice")).to_have_text("Post saved.")
    expect(page.locator("#saved-notice")).to_be_in_viewport()
    saved = _stored(app, campaign_id)[1]
    assert [item["asset_id"] for item in saved["media"]] == [library[0], library[1]]
    assert [item["alt_text"] for item in saved["media"]] == [
        "A woven basket, its lid closed.",
        None,
    ]
    assert saved["captions"] == {"x": x_text, "bluesky": x_text}
    assert saved["platforms"] == ["x", "bluesky", "mastodon", "instagram", "facebook"]
    assert saved["status"] == "ready"

    # Published without the URL it went out at: refused beside the URL field, which has focus.
    page.locator("#p-status").select_option("published")
    page.get_by_role("button", name="Save post").click()
    page.wait_for_load_state()
    url_field = page.get_by_label("Published at")
    expect(url_field).to_have_attribute("aria-invalid", "true")
    expect(url_field).to_be_focused()
    expect(page.locator("#p-remote-url-error")).to_have_text(
        "A published post needs the URL it was published at."
    )
    expect(page.locator("#post-errors")).to_contain_text("Not saved.")
    assert _stored(app, campaign_id)[1]["status"] == "ready"


def test_a_contributor_deletes_a_post_adds_a_day_and_deletes_the_emptied_one(
    app: Flask, cora: Watched, library: list[int]
) -> None:
    with app.app_context(), db.new_session() as session:
        campaign = campaigns.create_campaign(
            session, {"name": "MuseumWeek 2026", "timezone": "Europe/London"}, actor="cora"
        )
        for on in ("2026-06-08", "2026-06-09"):
            campaigns.add_day(session, campaign, {"date": on}, actor="cora")
        post = posts.add_post(
            session, campaign,
            {"day": "2026-06-08", "time": "09:30", "platforms": ["x"],
             "media": [{"asset_id": library[0]}]},
            actor="cora", presets=DEFAULT_PRESETS,
        )  # fmt: skip
        session.commit()
        campaign_id, post_id, monday = campaign.id, post.id, campaign.days[0].id
    page = cora.page
    cora.goto(f"/campaigns/{campaign_id}/posts/{post_id}")
    # Unticked: nothing deleted, the box has focus with the message beside it.
    page.get_by_role("button", name="Delete post").click()
    page.wait_for_load_state()
    box = page.get_by_label("Yes, delete this post")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_be_focused()
    expect(page.locator("#confirm-delete-error")).to_have_text(
        "Tick the box to confirm the deletion; nothing was deleted."
    )
    box.check()
    page.get_by_role("button", name="Delete post").click()
    expect(page).to_have_url(re.compile(rf"/campaigns/{campaign_id}#day-{monday}$"))
    expect(page.locator(f"#day-{monday}-notice")).to_have_text(
        "The 09:30 post on Mon 8 June was deleted."
    )
    expect(page.locator(".post-card")).to_have_count(0)
    assert _stored(app, campaign_id) == []

    # A day added at the end: the date offered is the day after the last; a taken one is
    # refused beside the field, which has focus.
    new_day = page.locator("#new-day")
    expect(new_day.get_by_label("Date")).to_have_value("2026-06-10")
    new_day.get_by_label("Date").fill("2026-06-08")
    new_day.get_by_label("Theme (optional)").fill("Play")
    new_day.get_by_role("button", name="Add day").click()
    page.wait_for_load_state()
    date_field = page.locator("#new-day").get_by_label("Date")
    expect(date_field).to_have_attribute("aria-invalid", "true")
    expect(date_field).to_be_focused()
    expect(page.locator("#new-day-date-error")).to_have_text(
        "The campaign has a day on 2026-06-08 already."
    )
    date_field.fill("2026-06-10")
    page.locator("#new-day").get_by_label("Hashtag (optional)").fill("PlayMW")
    page.locator("#new-day").get_by_role("button", name="Add day").click()
    page.wait_for_load_state()
    expect(page.locator("section.day-column")).to_have_count(3)
    added = _column(page, 2)
    expect(added.locator("h2")).to_have_text("Wed 10 June")
    expect(added.locator(".day-hashtag")).to_have_text("#PlayMW")
    expect(added.locator(".section-notice")).to_have_text("Wed 10 June added.")

    # Monday, emptied, is deleted from its "Edit day".
    first = _column(page, 0)
    first.locator("details.day-edit > summary").click()
    first.get_by_label("Yes, delete Mon 8 June").check()
    first.get_by_role("button", name=re.compile("^Delete day")).click()
    page.wait_for_load_state()
    expect(page.locator("#board-notice")).to_have_text("Mon 8 June deleted.")
    expect(page.locator("section.day-column h2")).to_have_text(["Tue 9 June", "Wed 10 June"])


def test_a_viewer_sees_the_board_and_a_post_with_nothing_to_edit(
    app: Flask, browser: Browser, server: str, library: list[int]
) -> None:
    with app.app_context(), db.new_session() as session:
        campaign = campaigns.create_campaign(
            session, {"name": "MuseumWeek 2026", "timezone": "Europe/London"}, actor="cora"
        )
        campaigns.add_day(session, campaign, {"date": "2026-06-08", "theme": "Secrets"},
                          actor="cora")  # fmt: skip
        post = posts.add_post(
            session, campaign,
            {"day": "2026-06-08", "time": "09:30", "platforms": ["x"],
             "media": [{"asset_id": library[0]}], "captions": {"x": "A basket."}},
            actor="cora", presets=DEFAULT_PRESETS,
        )  # fmt: skip
        session.commit()
        ids = (campaign.id, post.id)
    for vera in _person(browser, server, "vera"):
        page = vera.page
        for path in (f"/campaigns/{ids[0]}", f"/campaigns/{ids[0]}/posts/{ids[1]}", "/campaigns"):
            vera.goto(path)
            expect(page.locator("main form")).to_have_count(0)
            expect(page.locator("main button, main textarea, main select")).to_have_count(0)
            expect(page.locator('[draggable="true"]')).to_have_count(0)
        vera.goto(f"/campaigns/{ids[0]}")
        expect(page.locator(f"#post-{ids[1]} .thumbs img")).to_have_count(1)
        expect(page.locator(f"#post-{ids[1]} .post-status")).to_have_text("Draft")
