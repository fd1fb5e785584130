"""Campaign routes: campaigns, their days, posts and media order, and their history.

Viewers read; contributors plan (create, change, delete). ``POST /campaigns`` takes a whole
plan, as ``vitrine campaign import`` does, through the same ``campaign_plans.import_plan``.
Each route reads its body before it looks anything up, so that a bad body is refused the
same way whatever the ids.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import request, url_for

from service.api import bp
from service.http.context import services
from service.http.database import get_session
from service.http.guards import current_caller, require
from service.rules.campaigns import preset_for
from service.rules.problems import InvalidInput
from service.services import campaign_plans, campaigns, posts
from service.storage.models import Campaign, CampaignDay, CampaignEvent, Post, PostMedia

Answer = tuple[dict[str, Any], int, dict[str, str]]


def campaign_json(campaign: Campaign) -> dict[str, Any]:
    """A campaign as openapi.yaml's Campaign describes it: its days, each with its posts."""
    return {
        **campaign_summary_json(campaign),
        "days": [day_json(day, campaign) for day in campaign.days],
    }


def campaign_summary_json(campaign: Campaign) -> dict[str, Any]:
    """A campaign's own fields, its first and last dates and how many posts it has."""
    days = campaign.days
    return {
        "id": campaign.id,
        "name": campaign.name,
        "hashtag": campaign.hashtag,
        "cause_tag": campaign.cause_tag,
        "timezone": campaign.timezone,
        "starts_on": days[0].date.isoformat() if days else None,
        "ends_on": days[-1].date.isoformat() if days else None,
        "post_count": sum(len(day.posts) for day in days),
        "created_by": campaign.created_by,
        "created_at": campaign.created_at.isoformat(),
        "updated_at": campaign.updated_at.isoformat(),
        "links": {
            "self": url_for("api.get_campaign", campaign_id=campaign.id),
            "history": url_for("api.get_campaign_history", campaign_id=campaign.id),
        },
    }


def day_json(day: CampaignDay, campaign: Campaign) -> dict[str, Any]:
    """A day with its posts in time order."""
    return {
        "id": day.id,
        "date": day.date.isoformat(),
        "theme": day.theme,
        "hashtag": day.hashtag,
        "brief": day.brief,
        "posts": [post_json(post, campaign) for post in day.posts],
    }


def post_json(post: Post, campaign: Campaign) -> dict[str, Any]:
    """A post: its time with the campaign's offset, platforms, status, hand-written captions
    and media in carousel order."""
    return {
        "id": post.id,
        "campaign_id": campaign.id,
        "day_id": post.day_id,
        "day": post.day.date.isoformat(),
        "time": posts.local_time(post, campaign).isoformat(),
        "platforms": list(post.platforms),
        "channel": post.channel,
        "status": post.status,
        "remote_url": post.remote_url,
        "exported_at": _instant(post.exported_at),
        "exported_by": post.exported_by,
        "captions": dict(post.captions),
        "media": [media_json(item, post) for item in post.media],
        "created_by": post.created_by,
        "created_at": post.created_at.isoformat(),
        "updated_at": post.updated_at.isoformat(),
        "links": {
            "self": url_for("api.get_post", campaign_id=campaign.id, post_id=post.id),
            "media": url_for("api.put_post_media", campaign_id=campaign.id, post_id=post.id),
        },
    }


def media_json(item: PostMedia, post: Post) -> dict[str, Any]:
    """A media item: its asset, its own alt text (null: the asset's) and the one in effect,
    and the preset it uses on each of the post's platforms."""
    asset = item.asset
    return {
        "asset_id": item.asset_id,
        "position": item.position,
        "object_number": asset.object_number,
        "title": asset.title,
        "alt_text": item.alt_text,
        "alt_text_effective": item.alt_text if item.alt_text is not None else asset.alt_text,
        "presets": dict(item.presets),
        "presets_effective": {
            platform: preset_for(platform, item.presets) for platform in post.platforms
        },
        "links": {
            "asset": url_for("api.get_asset", asset_id=item.asset_id),
            # The web UI's preview, for a signed-in browser (the board's cards show it).
            "thumbnail": url_for("web.preview", asset_id=item.asset_id, size="thumb"),
        },
    }


def event_json(event: CampaignEvent) -> dict[str, Any]:
    """One change: who changed which field of the campaign, a day or a post, from what to what."""
    return {
        "id": event.id,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "post_id": event.post_id,
        "field": event.field,
        "before": event.before,
        "after": event.after,
    }


def _instant(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _body(what: str) -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput({"body": f"must be a JSON object of {what}"})
    return body


def _campaign(campaign_id: int) -> Campaign:
    return campaigns.get_campaign(get_session(), campaign_id)


@bp.get("/campaigns")
@require("viewer")
def list_campaigns() -> dict[str, Any]:
    """Every campaign, the newest first, without its days."""
    return {"items": [campaign_summary_json(c) for c in campaigns.list_campaigns(get_session())]}


@bp.post("/campaigns")
@require("contributor")
def create_campaign() -> Answer:
    """A new campaign from a plan: its fields, and optionally its days with their posts."""
    plan = _body("campaign fields, with optional days and their posts")
    session = get_session()
    campaign = campaign_plans.import_plan(
        session,
        plan,
        actor=current_caller().actor,
        presets=services().presets_in_force(session),
    )
    location = url_for("api.get_campaign", campaign_id=campaign.id)
    return campaign_json(campaign), 201, {"Location": location}


@bp.get("/campaigns/<int:campaign_id>")
@require("viewer")
def get_campaign(campaign_id: int) -> dict[str, Any]:
    """The campaign with its days and posts."""
    return campaign_json(_campaign(campaign_id))


@bp.patch("/campaigns/<int:campaign_id>")
@require("contributor")
def update_campaign(campaign_id: int) -> dict[str, Any]:
    """Change some of the campaign's fields."""
    fields = _body("the campaign fields to change")
    campaign = campaigns.update_campaign(
        get_session(), _campaign(campaign_id), fields, actor=current_caller().actor
    )
    return campaign_json(campaign)


@bp.delete("/campaigns/<int:campaign_id>")
@require("contributor")
def delete_campaign(campaign_id: int) -> tuple[str, int]:
    """Delete the campaign with its days and posts; its history stays."""
    campaigns.delete_campaign(get_session(), _campaign(campaign_id), actor=current_caller().actor)
    return "", 204


@bp.post("/campaigns/<int:campaign_id>/days")
@require("contributor")
def add_day(campaign_id: int) -> tuple[dict[str, Any], int]:
    """A new day, optionally with its posts (a day of a plan)."""
    fields = _body("day fields, with optional posts")
    session = get_session()
    campaign = _campaign(campaign_id)
    day = campaign_plans.import_day(
        session,
        campaign,
        fields,
        actor=current_caller().actor,
        presets=services().presets_in_force(session),
    )
    return day_json(day, campaign), 201


@bp.patch("/campaigns/<int:campaign_id>/days/<int:day_id>")
@require("contributor")
def update_day(campaign_id: int, day_id: int) -> dict[str, Any]:
    """Change a day; a new date takes its posts along at their local times."""
    fields = _body("the day fields to change")
    if "posts" in fields:
        raise InvalidInput({"posts": "is changed post by post (POST or PATCH a post)"})
    session = get_session()
    campaign = _campaign(campaign_id)
    day = campaigns.get_day(session, campaign, day_id)
    return day_json(campaigns.update_day(session, day, fields, actor=current_caller().actor),
                    campaign)  # fmt: skip


@bp.delete("/campaigns/<int:campaign_id>/days/<int:day_id>")
@require("contributor")
def delete_day(campaign_id: int, day_id: int) -> tuple[str, int]:
    """Delete a day and its posts."""
    session = get_session()
    day = campaigns.get_day(session, _campaign(campaign_id), day_id)
    campaigns.delete_day(session, day, actor=current_caller().actor)
    return "", 204


@bp.post("/campaigns/<int:campaign_id>/posts")
@require("contributor")
def add_post(campaign_id: int) -> Answer:
    """A new post on one of the campaign's days."""
    fields = _body("post fields")
    session = get_session()
    campaign = _campaign(campaign_id)
    post = posts.add_post(
        session,
        campaign,
        fields,
        actor=current_caller().actor,
        presets=services().presets_in_force(session),
    )
    location = url_for("api.get_post", campaign_id=campaign.id, post_id=post.id)
    return post_json(post, campaign), 201, {"Location": location}


@bp.get("/campaigns/<int:campaign_id>/posts/<int:post_id>")
@require("viewer")
def get_post(campaign_id: int, post_id: int) -> dict[str, Any]:
    """One post of the campaign."""
    campaign = _campaign(campaign_id)
    return post_json(posts.get_post(get_session(), campaign, post_id), campaign)


@bp.patch("/campaigns/<int:campaign_id>/posts/<int:post_id>")
@require("contributor")
def update_post(campaign_id: int, post_id: int) -> dict[str, Any]:
    """Change some of a post's fields: another day keeps its local time; ``media`` replaces
    the list; ``status`` published needs ``remote_url``."""
    fields = _body("the post fields to change")
    return _changed_post(campaign_id, post_id, fields)


@bp.put("/campaigns/<int:campaign_id>/posts/<int:post_id>/media")
@require("contributor")
def put_post_media(campaign_id: int, post_id: int) -> dict[str, Any]:
    """Replace the post's media with this list, in this order (reorder, add, remove)."""
    media = request.get_json(silent=True)
    if not isinstance(media, list):
        raise InvalidInput({"body": "must be a JSON array of media: {asset_id or object_number}"})
    return _changed_post(campaign_id, post_id, {"media": media})


def _changed_post(campaign_id: int, post_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    session = get_session()
    campaign = _campaign(campaign_id)
    post = posts.update_post(
        session,
        campaign,
        posts.get_post(session, campaign, post_id),
        fields,
        actor=current_caller().actor,
        presets=services().presets_in_force(session),
    )
    return post_json(post, campaign)


@bp.delete("/campaigns/<int:campaign_id>/posts/<int:post_id>")
@require("contributor")
def delete_post(campaign_id: int, post_id: int) -> tuple[str, int]:
    """Delete a post; its history stays."""
    session = get_session()
    campaign = _campaign(campaign_id)
    posts.delete_post(
        session, campaign, posts.get_post(session, campaign, post_id), actor=current_caller().actor
    )
    return "", 204


@bp.get("/campaigns/<int:campaign_id>/history")
@require("viewer")
def get_campaign_history(campaign_id: int) -> dict[str, Any]:
    """Every change to the campaign, its days and posts, oldest first (also once deleted)."""
    events = campaigns.history(get_session(), campaign_id)
    if not events:  # a deleted campaign's history stays readable; one never made is not found
        _campaign(campaign_id)
    return {"items": [event_json(event) for event in events]}
