"""The campaign pages' state as stored, and the post editor's form as a browser sends it."""

from __future__ import annotations

from typing import Any

from flask import Flask

from service.http import database as db
from service.services import campaigns, posts
from service.storage.models import CampaignEvent
from tests.support.web import Element


def stored_state(app: Flask) -> tuple[list[Any], int]:
    """Every campaign, day and post as stored, and how many history entries there are."""
    with app.app_context(), db.new_session() as session:
        stored = [
            (
                campaign.name,
                campaign.hashtag,
                campaign.timezone,
                [(day.date, day.theme, day.hashtag, day.brief) for day in campaign.days],
                [posts.post_values(post, campaign) for post in posts.posts_of(campaign)],
            )
            for campaign in campaigns.list_campaigns(session)
        ]
        return stored, session.query(CampaignEvent).count()


def post_values_of(app: Flask, week: dict[str, Any]) -> dict[str, Any]:
    """The week's post as stored."""
    with app.app_context(), db.new_session() as session:
        campaign = campaigns.get_campaign(session, week["campaign"])
        return posts.post_values(posts.get_post(session, campaign, week["post"]), campaign)


def editor_form(document: Element) -> dict[str, Any]:
    """The editor's form as a browser would send it (no button pressed)."""
    form = document.by_id("post-form")
    assert form is not None
    sent: dict[str, Any] = {}
    for element in document.iter():
        owner = element.attrs.get("form")
        inside = owner == "post-form" or (owner is None and form in element.ancestors())
        if not inside or element.tag not in ("input", "textarea", "select"):
            continue
        name, kind = element.attrs.get("name"), element.attrs.get("type")
        if not name or (kind == "checkbox" and "checked" not in element.attrs):
            continue
        if element.tag == "textarea":
            value = "".join(c for c in element.children if isinstance(c, str)).removeprefix("\n")
        elif element.tag == "select":
            chosen = [o for o in element.find_all("option") if "selected" in o.attrs]
            value = (chosen or element.find_all("option"))[0].attrs["value"]
        else:
            value = element.attrs.get("value", "")
        sent.setdefault(name, []).append(value)
    return sent
