"""A whole #MuseumWeek in Chromium (issue 15), from plan to bundle: a rights manager plans a
seven-day week with seven posts on the board, one a four-image carousel from two holders;
the audit grid finds what is wrong (an uncleared photograph, a hand-written caption without
the second holder's credit); its red cells open the fields that fix them; once nothing
fails, "Download bundle" downloads a ZIP whose manifest, captions and images are read back.
axe-core finds no serious or critical violation on the board, the editor or the grid.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator

import pytest
from flask import Flask
from PIL import Image

from tests.support import axe, photos
from tests.support.api import clear, upload
from tests.support.browser import Browser, Page, Watched, expect
from tests.support.people import no_recognisable_people
from tests.support.rights import CC_BY
from tests.support.web import add_user

Tokens = dict[str, dict[str, str]]
BM = "© Trustees of the British Museum"
CAIRO = "Courtesy of the Egyptian Museum, Cairo"
VIEWPORT = {"width": 1600, "height": 1400}

pytestmark = [
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
    pytest.mark.parametrize("blob_settings", ["local"], indirect=True),
]


@pytest.fixture
def library(app: Flask, tokens: Tokens) -> dict[str, int]:
    """Eight photographs titled "MW …": five of the British Museum's, two of the Egyptian
    Museum's (all cleared), and one whose rights nobody has cleared yet."""
    client = app.test_client()
    made: dict[str, int] = {}
    for index, title in enumerate(["MW basket", "MW lid", "MW plate", "MW mask", "MW bowl"]):
        response = upload(
            client, tokens["contributor"],
            photos.jpeg_with_rights(width=2400 + index, height=1800, orientation=1),
            title=title, object_number=f"Af1935,0711.{index + 1}", alt_text=f"The {title[3:]}.",
        )  # fmt: skip
        assert response.status_code == 201, response.json
        made[title] = int(response.json["id"])
        assert clear(client, tokens, made[title]).status_code == 200
    for index, title in enumerate(["MW scarab", "MW papyrus"]):
        response = upload(client, tokens["contributor"], photos.jpeg_plain(2400 + index, 1800),
                          title=title, object_number=f"JE {index + 1}",
                          alt_text=f"The {title[3:]}.")  # fmt: skip
        assert response.status_code == 201, response.json
        made[title] = int(response.json["id"])
        cleared = clear(client, tokens, made[title], holder="The Egyptian Museum, Cairo",
                        credit_line=CAIRO)  # fmt: skip
        assert cleared.status_code == 200, cleared.json
    response = upload(client, tokens["contributor"], photos.jpeg_with_rights(width=2410),
                      title="MW figure", object_number="Af1935,0711.9",
                      alt_text="A carved figure.")  # fmt: skip
    assert response.status_code == 201, response.json
    made["MW figure"] = int(response.json["id"])
    # Looked at for people already (none recognisable): only its rights are to do.
    no_recognisable_people(app, made["MW figure"])
    return made


@pytest.fixture
def rita(app: Flask, browser: Browser, server: str, library: dict[str, int]) -> Iterator[Watched]:
    """A rights manager, who may plan (as a contributor) and clear rights."""
    add_user(app, "rita", "rights")
    person = Watched(browser.new_context(**axe.context_options(**VIEWPORT)), server)  # type: ignore[arg-type]
    try:
        person.sign_in("rita")
        yield person
        assert person.problems == [], person.problems
    finally:
        person.context.close()


def _no_blocking_violations(page: Page) -> None:
    found = axe.blocking(axe.violations(page))
    assert not found, f"{page.url}\n{axe.describe(found)}"


def _add_post(page: Page, column: int, untick: tuple[str, ...] = ()) -> str:
    day = page.locator("section.day-column").nth(column)
    day.locator("details.add-post > summary").click()
    day.get_by_label("Time").fill("09:30")
    for name in untick:
        day.locator(".add-post").get_by_label(name, exact=True).uncheck()
    day.locator(".add-post").get_by_role("button", name=re.compile("^Add post")).click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"#post-\d+$"))
    return page.url.rsplit("#", 1)[1].removeprefix("post-")


def _add_images(page: Page, post_id: str, titles: list[str]) -> None:
    page.get_by_label("Search the library").fill("MW")
    page.get_by_role("button", name="Search", exact=True).click()
    picker = page.locator("#add-media-form")
    for title in titles:
        picker.get_by_label(title).check()  # labelled by its title and object number
    picker.get_by_label("Add to the post").select_option(post_id)
    picker.get_by_role("button", name="Add selected images").click()
    page.wait_for_load_state()
    expect(page.locator(f"#post-{post_id} .thumbs img")).to_have_count(len(titles))


def test_a_week_is_planned_audited_fixed_through_its_links_and_exported(
    app: Flask, rita: Watched, library: dict[str, int]
) -> None:
    page = rita.page
    rita.goto("/campaigns")
    form = page.locator("#new-campaign")
    form.get_by_label("Name").fill("MuseumWeek 2027")
    form.get_by_label("Hashtag").fill("MuseumWeek")
    form.get_by_label("Time zone").fill("Europe/London")
    form.get_by_label("First day").fill("2027-06-07")
    form.get_by_label("Number of days").fill("7")
    form.get_by_role("button", name="Create campaign").click()
    expect(page.locator("section.day-column")).to_have_count(7)
    campaign_id = int(re.findall(r"/campaigns/(\d+)", page.url)[0])

    # Seven posts, one a day, to X and Bluesky; Monday's a carousel of four from two holders.
    untick = ("Mastodon", "Instagram", "Facebook", "LinkedIn")
    post_ids = [_add_post(page, 0, untick)] + [_add_post(page, day) for day in range(1, 7)]
    carousel = post_ids[0]
    _add_images(page, carousel, ["MW basket", "MW scarab", "MW lid", "MW papyrus"])
    singles = ["MW plate", "MW mask", "MW bowl", "MW figure", "MW basket", "MW lid"]
    for post_id, title in zip(post_ids[1:], singles, strict=True):
        _add_images(page, post_id, [title])
    figure_post = post_ids[4]
    _no_blocking_violations(page)

    # Monday's X caption, written by hand, credits only the British Museum.
    page.locator(f"#post-{carousel} h3 a").click()
    expect(page.locator("#media-strip .media-item")).to_have_count(4)
    page.locator("#caption-text-x").fill(f"Secrets of a basket and a scarab. {BM} #MuseumWeek")
    page.get_by_role("button", name="Save post").click()
    expect(page.locator("#saved-notice")).to_have_text("Post saved.")
    _no_blocking_violations(page)

    # The audit finds both problems; the bundle is blocked and says why.
    rita.goto(f"/campaigns/{campaign_id}/audit")
    expect(page.locator("#download-bundle")).to_have_attribute("aria-disabled", "true")
    expect(page.locator("#bundle-blocked")).to_contain_text("blocked by")
    _no_blocking_violations(page)
    caption_cell = page.locator(
        f'tr[data-post-id="{carousel}"] td[data-platform="x"] li[data-group="caption"]'
    )
    expect(caption_cell).to_have_attribute("data-status", "fail")
    rights_cell = page.locator(
        f'tr[data-post-id="{figure_post}"] td[data-platform="x"] li[data-group="rights"]'
    )
    expect(rights_cell).to_have_attribute("data-status", "fail")

    # The red rights cell opens the asset's rights, cleared there.
    rights_cell.locator("a").click()
    expect(page).to_have_url(re.compile(rf"/assets/{library['MW figure']}#rights$"))
    rights = page.locator("#rights")
    rights.locator('select[name="licence_uri"]').select_option(CC_BY)
    for channel in ("web", "social"):
        rights.locator(f'input[name="channels"][value="{channel}"]').check()
    rights.locator('select[name="status"]').select_option("cleared")
    rights.get_by_role("button", name="Save rights").click()
    page.wait_for_load_state()
    expect(page.locator("#asset-status .badge.rights-cleared")).to_have_text("Rights: cleared")

    # The red caption cell opens the editor at X's caption; emptied, it is composed with
    # every credit.
    rita.goto(f"/campaigns/{campaign_id}/audit")
    caption_cell.locator("a").click()
    expect(page).to_have_url(re.compile(rf"/posts/{carousel}#caption-x$"))
    page.locator("#caption-text-x").fill("")
    page.get_by_role("button", name="Save post").click()
    expect(page.locator("#saved-notice")).to_have_text("Post saved.")

    rita.goto(f"/campaigns/{campaign_id}/audit")
    expect(page.locator("#bundle-blocked")).to_have_count(0)
    with page.expect_download() as downloading:
        page.locator("#download-bundle").click()
    archive = zipfile.ZipFile(io.BytesIO(downloading.value.path().read_bytes()))

    manifest = json.loads(archive.read("manifest.json"))
    assert len(manifest["posts"]) == 7
    monday = next(post for post in manifest["posts"] if str(post["id"]) == carousel)
    # Ticked images join in the order the search lists them, the newest first.
    assert [item["asset_id"] for item in monday["media"]] == [
        library["MW papyrus"],
        library["MW scarab"],
        library["MW lid"],
        library["MW basket"],
    ]
    assert monday["scheduled_at"] == "2027-06-07T09:30:00+01:00"
    for platform in ("x", "bluesky"):
        caption = monday["captions"][platform]
        text = caption["text"] if isinstance(caption, dict) else caption
        # Every holder's credit, once each, in the order of the images.
        assert text.count(BM) == 1 and text.count(CAIRO) == 1
        assert text.index(CAIRO) < text.index(BM)
        assert "#MuseumWeek" in text
    names = archive.namelist()
    images = [name for name in names if name.endswith((".jpg", ".jpeg", ".webp"))]
    # Four images on two platforms for Monday, one on two for each other day.
    assert len(images) == 4 * 2 + 6 * 2
    for name in images:
        Image.open(io.BytesIO(archive.read(name))).verify()
    assert any(name.startswith("sprout-social") for name in names)
    assert "posts.csv" in names
