"""A campaign plan: a whole campaign as one document (its fields, its days, their posts), as
a YAML or JSON file holds it and as ``POST /api/v1/campaigns`` takes it.

``import_plan`` creates the campaign from a plan, all or nothing: every bad value anywhere is
named in one InvalidInput by where it is (``days[2].posts[0].media[1]``), and nothing stays
written (a savepoint undoes what was flushed; the caller commits or rolls back the rest).
``plan_of`` writes a campaign back as a plan, leaving out what is a default, so that
importing ``plan_of(c)`` under another name gives a campaign whose plan is the same.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from service.rules.presets import Preset
from service.rules.problems import InvalidInput
from service.services import campaigns, posts
from service.storage.db import savepoint
from service.storage.models import Asset, Campaign, CampaignDay, Post, PostMedia

PLAN_FIELDS = (*campaigns.CAMPAIGN_FIELDS, "days")
PLAN_DAY_FIELDS = (*campaigns.DAY_FIELDS, "posts")
# A post of a plan is on the day it is listed under.
PLAN_POST_FIELDS = tuple(name for name in posts.POST_FIELDS if name != "day")


def import_plan(
    session: Session, plan: Any, *, actor: str, presets: Mapping[str, Preset]
) -> Campaign:
    """A new campaign with the plan's days and posts; InvalidInput locates every bad value."""
    if not isinstance(plan, Mapping):
        raise InvalidInput({"plan": "must be an object: the campaign's fields and its days"})
    errors: dict[str, str] = {
        str(name): "is not a plan field (name, hashtag, cause_tag, timezone, days)"
        for name in plan
        if name not in PLAN_FIELDS
    }
    with savepoint(session):  # undone when anything is refused, flushed rows and all
        campaign, zone_known = _campaign(session, plan, actor, errors)
        days = plan.get("days", [])
        if not isinstance(days, list):
            errors["days"] = "must be a list of days, each with a date"
            days = []
        for index, day_plan in enumerate(days):
            where = f"days[{index}]"
            try:
                _import_day(
                    session, campaign, day_plan, actor=actor, presets=presets,
                    where=where, with_posts=zone_known,
                )  # fmt: skip
            except InvalidInput as refused:
                errors.update(refused.extra["errors"])
        if errors:
            raise InvalidInput(errors)
    return campaign


def import_day(
    session: Session,
    campaign: Campaign,
    day_plan: Any,
    *,
    actor: str,
    presets: Mapping[str, Preset],
) -> CampaignDay:
    """A new day of ``campaign`` with the posts listed under it, as a plan gives them: all
    or nothing, like ``import_plan``."""
    with savepoint(session):
        return _import_day(session, campaign, day_plan, actor=actor, presets=presets)


def _import_day(
    session: Session,
    campaign: Campaign,
    day_plan: Any,
    *,
    actor: str,
    presets: Mapping[str, Preset],
    where: str = "",
    with_posts: bool = True,
) -> CampaignDay:
    """The day and its posts; InvalidInput names each bad value, prefixed by ``where``
    (``days[2]``), and the caller's savepoint undoes what was written."""
    prefix = f"{where}." if where else ""
    if not isinstance(day_plan, Mapping):
        raise InvalidInput({where or "body": "must be an object with the day's date"})
    errors = {
        f"{prefix}{name}": "is not a day field (date, theme, hashtag, brief, posts)"
        for name in day_plan
        if name not in PLAN_DAY_FIELDS
    }
    fields = {name: day_plan[name] for name in campaigns.DAY_FIELDS if name in day_plan}
    try:
        day = campaigns.add_day(session, campaign, fields, actor=actor)
    except InvalidInput as refused:
        # Without its day, the posts under it cannot be placed: they are checked once it is.
        errors.update(_located(prefix, refused))
        raise InvalidInput(errors) from None
    listed = day_plan.get("posts", [])
    if not isinstance(listed, list):
        errors[f"{prefix}posts"] = "must be a list of posts"
        listed = []
    for index, post_plan in enumerate(listed if with_posts else []):
        at = f"{prefix}posts[{index}]"
        if not isinstance(post_plan, Mapping):
            errors[at] = "must be an object with the post's time and platforms"
            continue
        unknown = [name for name in post_plan if name not in PLAN_POST_FIELDS]
        for name in unknown:
            errors[f"{at}.{name}"] = (
                "is not a post field of a plan (a post is on the day it is listed under)"
                if name == "day"
                else "is not a post field"
            )
        if unknown:
            continue
        fields = {**post_plan, "day": day.date}
        try:
            posts.add_post(session, campaign, fields, actor=actor, presets=presets)
        except InvalidInput as refused:
            errors.update(_located(f"{at}.", refused))
    if errors:
        raise InvalidInput(errors)
    return day


def plan_of(campaign: Campaign) -> dict[str, Any]:
    """The campaign as a plan: what ``import_plan`` takes, defaults left out.

    Media name their asset by object number when no other live asset has it, else by id.
    An exported post is written as ready: a campaign made from the plan is not exported.
    """
    unique = _unique_object_numbers(campaign)
    plan: dict[str, Any] = {"name": campaign.name}
    _put(plan, "hashtag", campaign.hashtag)
    _put(plan, "cause_tag", campaign.cause_tag)
    plan["timezone"] = campaign.timezone
    plan["days"] = [_day_plan(day, campaign, unique) for day in campaign.days]
    return plan


def _campaign(
    session: Session, plan: Mapping[str, Any], actor: str, errors: dict[str, str]
) -> tuple[Campaign, bool]:
    """The plan's campaign, and whether its time zone is known.

    When a campaign field is bad, the campaign is made without it (under a name of its own
    when the name is the bad one) so that the days and posts are checked too; the savepoint
    undoes it.
    """
    fields = {name: plan[name] for name in campaigns.CAMPAIGN_FIELDS if name in plan}
    try:
        return campaigns.create_campaign(session, fields, actor=actor), True
    except InvalidInput as refused:
        bad = refused.extra["errors"]
        errors.update(bad)
    kept = {name: value for name, value in fields.items() if name not in bad}
    kept.setdefault("name", f"plan being checked {uuid.uuid4().hex}")
    return campaigns.create_campaign(session, kept, actor=actor), "timezone" not in bad


def _located(prefix: str, refused: InvalidInput) -> dict[str, str]:
    errors: dict[str, str] = refused.extra["errors"]
    return {f"{prefix}{field}": message for field, message in errors.items()}


def _put(plan: dict[str, Any], name: str, value: Any) -> None:
    """Write a field that is not its default (empty)."""
    if value:
        plan[name] = value


def _day_plan(day: CampaignDay, campaign: Campaign, unique: set[str]) -> dict[str, Any]:
    plan: dict[str, Any] = {"date": day.date.isoformat()}
    _put(plan, "theme", day.theme)
    _put(plan, "hashtag", day.hashtag)
    _put(plan, "brief", day.brief)
    _put(plan, "posts", [_post_plan(post, day, campaign, unique) for post in day.posts])
    return plan


def _post_plan(
    post: Post, day: CampaignDay, campaign: Campaign, unique: set[str]
) -> dict[str, Any]:
    plan: dict[str, Any] = {
        "time": _time_on(posts.local_time(post, campaign), day),
        "platforms": list(post.platforms),
    }
    if post.channel != "social":
        plan["channel"] = post.channel
    plan["media"] = [_media_plan(item, unique) for item in post.media]
    _put(plan, "captions", dict(post.captions))
    status = "ready" if post.status == "exported" else post.status
    if status != "draft":
        plan["status"] = status
    _put(plan, "remote_url", post.remote_url)
    return plan


def _time_on(local: datetime, day: CampaignDay) -> str:
    """The time of day ("09:30") when the post is on its day's date, else the whole time."""
    if local.date() != day.date:
        return local.isoformat()
    clock = local.time()
    return clock.isoformat("minutes" if not (clock.second or clock.microsecond) else "auto")


def _media_plan(item: PostMedia, unique: set[str]) -> dict[str, Any]:
    number = item.asset.object_number
    plan: dict[str, Any] = (
        {"object_number": number} if number in unique else {"asset_id": item.asset_id}
    )
    if item.alt_text is not None:
        plan["alt_text"] = item.alt_text
    _put(plan, "presets", dict(item.presets))
    return plan


def _unique_object_numbers(campaign: Campaign) -> set[str]:
    """The campaign's media object numbers that name one live asset each."""
    numbers = {
        item.asset.object_number
        for day in campaign.days
        for post in day.posts
        for item in post.media
        if item.asset.object_number and item.asset.deleted_at is None
    }
    session = object_session(campaign)
    if not numbers or session is None:
        return set()
    counted = session.execute(
        select(Asset.object_number)
        .where(Asset.object_number.in_(numbers), Asset.deleted_at.is_(None))
        .group_by(Asset.object_number)
        .having(func.count() == 1)
    )
    return set(counted.scalars())
