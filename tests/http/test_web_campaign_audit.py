"""The campaign audit grid page: posts by platforms, a cell per check group in words, red
cells linking to the field that fixes them, and a bundle button that says what blocks it."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.http.transactions import transaction
from service.rules.presets import DEFAULT_PRESETS
from service.services import campaigns, posts
from tests.support import photos
from tests.support.api import cleared_asset, upload
from tests.support.web import add_user, browser_like, page, signed_in

Tokens = dict[str, dict[str, str]]
# The page reads no blob: the local store is enough.
pytestmark = pytest.mark.parametrize("blob_settings", ["local"], indirect=True)


def _campaign(session: Any, name: str) -> Any:
    campaign = campaigns.create_campaign(
        session, {"name": name, "hashtag": "MuseumWeek", "timezone": "Europe/London"}, actor="ana"
    )
    for day, (theme, tag) in enumerate([("Secrets", "#SecretsMW"), ("People", "#PeopleMW")]):
        fields = {"date": f"2026-06-{8 + day:02d}", "theme": theme, "hashtag": tag}
        campaigns.add_day(session, campaign, fields, actor="ana")
    return campaign


def _post(session: Any, campaign: Any, day: str, time: str, media: list[int],
          **fields: Any) -> int:  # fmt: skip
    made = posts.add_post(
        session, campaign,
        {"day": day, "time": time, "platforms": ["x", "bluesky"],
         "media": [{"asset_id": asset_id} for asset_id in media], **fields},
        actor="ana", presets=DEFAULT_PRESETS,
    )  # fmt: skip
    session.flush()
    return int(made.id)


def test_red_cells_link_to_their_fix_and_the_bundle_button_says_what_blocks_it(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    cleared = cleared_asset(client, tokens)
    made = upload(client, tokens["contributor"], photos.jpeg_with_rights(width=2000),
                  title="Pending basket", alt_text="A basket.")  # fmt: skip
    pending = int(made.json["id"])
    with transaction(app) as session:
        campaign = _campaign(session, "MuseumWeek 2026")
        clean = _post(session, campaign, "2026-06-08", "09:00", [cleared])
        blocked = _post(session, campaign, "2026-06-08", "09:05", [pending],
                        captions={"x": "Our secret: a basket."})  # fmt: skip
        campaign_id = campaign.id
    add_user(app, "vera", "viewer")
    signed_in(browser_like(client), "vera")
    answer = client.get(f"/campaigns/{campaign_id}/audit")
    assert answer.status_code == 200
    document = page(answer)

    rows = {row.attrs["data-post-id"]: row for row in document.find_all("tr")
            if "data-post-id" in row.attrs}  # fmt: skip
    assert list(rows) == [str(clean), str(blocked)]
    # Every group of the clean post passes, in words.
    for cell in rows[str(clean)].find_all("li", cls="group"):
        assert cell.attrs["data-status"] == "pass" and cell.text.endswith(": pass")
    x_cell = rows[str(blocked)].find("td", data_platform="x")
    assert x_cell is not None
    groups = {li.attrs["data-group"]: li for li in x_cell.find_all("li", cls="group")}
    # Nobody has said whether the pending photograph shows people: refused on social media.
    assert {name: li.attrs["data-status"] for name, li in groups.items()} == {
        "rights": "fail", "people": "fail", "caption": "fail", "alt_text": "pass",
        "media": "pass", "schedule": "fail"}  # fmt: skip
    rights_link = groups["rights"].find("a")
    assert rights_link is not None and rights_link.text == "Rights: fail"
    assert rights_link.attrs["href"] == f"/assets/{pending}#rights"
    people_link = groups["people"].find("a")
    assert people_link is not None and people_link.text == "People: fail"
    assert people_link.attrs["href"] == f"/assets/{pending}#people"
    caption_link = groups["caption"].find("a")
    assert caption_link is not None
    assert caption_link.attrs["href"] == f"/campaigns/{campaign_id}/posts/{blocked}#caption-x"
    schedule_link = groups["schedule"].find("a")
    assert schedule_link is not None
    assert schedule_link.attrs["href"] == f"/campaigns/{campaign_id}/posts/{blocked}#time"
    assert "5 minutes after post" in x_cell.text

    button = document.by_id("download-bundle")
    assert button is not None
    assert button.attrs.get("aria-disabled") == "true" and "href" not in button.attrs
    blockers = document.by_id("bundle-blocked")
    assert blockers is not None
    # Rights and people on X and Bluesky, the caption on X, the schedule on both: the first
    # three shown.
    assert "blocked by 7 failing cells" in blockers.text
    assert len(blockers.find_all("li")) == 3
    assert blockers.find("a") is not None

    # Only the rights role is offered the override, a form posting a reason with its token.
    assert document.by_id("bundle-override") is None
    add_user(app, "rita", "rights")
    signed_in(browser_like(client), "rita")
    form = page(client.get(f"/campaigns/{campaign_id}/audit")).by_id("bundle-override")
    assert form is not None and form.attrs["method"] == "post"
    assert form.attrs["action"] == f"/campaigns/{campaign_id}/bundle"
    assert form.find("textarea", name="override_reason") is not None
    assert form.find("input", name="csrf_token") is not None

    exported = client.get(f"/campaigns/{campaign_id}/audit.csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows_read = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert {row["post_id"] for row in rows_read if row["status"] == "fail"} == {str(blocked)}


def test_with_nothing_failing_the_bundle_button_downloads(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    cleared = cleared_asset(client, tokens)
    with transaction(app) as session:
        campaign = _campaign(session, "Clean week")
        _post(session, campaign, "2026-06-08", "09:00", [cleared])
        campaign_id = campaign.id
    add_user(app, "vera", "viewer")
    signed_in(browser_like(client), "vera")
    document = page(client.get(f"/campaigns/{campaign_id}/audit"))
    button = document.by_id("download-bundle")
    assert button is not None and button.attrs["href"] == f"/campaigns/{campaign_id}/bundle"
    assert document.by_id("bundle-blocked") is None
    assert client.get("/campaigns/9999/audit").status_code == 404
