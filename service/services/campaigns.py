"""Use cases for campaigns and their days: create, read, change, delete, with history.

A campaign's fields and a day's are checked here, each bad one named in one InvalidInput;
every change is recorded in the campaign history (``record_events``). The caller commits.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.rules import campaigns as rules
from service.rules.problems import InvalidInput, NotFound
from service.rules.text import clean_field
from service.storage.db import savepoint
from service.storage.models import Campaign, CampaignDay, CampaignEvent

CAMPAIGN_FIELDS = ("name", "hashtag", "cause_tag", "timezone")
DAY_FIELDS = ("date", "theme", "hashtag", "brief")


def record_events(
    session: Session,
    campaign_id: int,
    actor: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    *,
    post_id: int | None = None,
    prefix: str = "",
) -> None:
    """Add one history entry per field whose value differs between ``before`` and ``after``."""
    session.add_all(
        CampaignEvent(
            campaign_id=campaign_id,
            post_id=post_id,
            actor=actor,
            field=prefix + field,
            before=before.get(field),
            after=value,
        )
        for field, value in after.items()
        if before.get(field) != value
    )


def history(session: Session, campaign_id: int) -> list[CampaignEvent]:
    """Every change to the campaign, its days and posts, oldest first."""
    query = select(CampaignEvent).where(CampaignEvent.campaign_id == campaign_id)
    return list(session.scalars(query.order_by(CampaignEvent.id)))


def get_campaign(session: Session, campaign_id: int) -> Campaign:
    """The campaign; NotFound when there is none."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(f"There is no campaign {campaign_id}.")
    return campaign


def find_campaign(session: Session, name_or_id: str) -> Campaign:
    """A campaign by its exact name, or by id when given digits; NotFound otherwise."""
    found = session.scalars(select(Campaign).where(Campaign.name == name_or_id)).first()
    if found is None and name_or_id.isdigit():
        found = session.get(Campaign, int(name_or_id))
    if found is None:
        raise NotFound(f"There is no campaign named {name_or_id!r}.")
    return found


def list_campaigns(session: Session) -> list[Campaign]:
    """Every campaign, the newest first."""
    return list(session.scalars(select(Campaign).order_by(Campaign.id.desc())))


def create_campaign(session: Session, fields: Mapping[str, Any], *, actor: str) -> Campaign:
    """A new campaign from its fields (``name`` required); days are added one by one."""
    cleaned = campaign_fields(fields, creating=True)
    _refuse_taken_name(session, cleaned["name"], None)
    campaign = Campaign(created_by=actor, **cleaned)
    _flush_named(session, campaign, cleaned["name"])
    record_events(session, campaign.id, actor, {}, {"created": cleaned})
    return campaign


def update_campaign(
    session: Session, campaign: Campaign, fields: Mapping[str, Any], *, actor: str
) -> Campaign:
    """Change some of a campaign's fields, keeping the history."""
    cleaned = campaign_fields(fields, creating=False)
    if "name" in cleaned:
        _refuse_taken_name(session, cleaned["name"], campaign.id)
    before = {field: getattr(campaign, field) for field in cleaned}
    record_events(session, campaign.id, actor, before, cleaned)
    for field, value in cleaned.items():
        setattr(campaign, field, value)
    _flush_named(session, campaign, campaign.name)
    return campaign


def _flush_named(session: Session, campaign: Campaign, name: str) -> None:
    """Write the campaign; a name another request took meanwhile is refused as taken (422)."""
    try:
        with savepoint(session):
            session.add(campaign)
    except IntegrityError:
        raise InvalidInput({"name": f"a campaign named {name!r} exists already"}) from None


def delete_campaign(session: Session, campaign: Campaign, *, actor: str) -> None:
    """Delete a campaign with its days and posts; its history stays."""
    record_events(session, campaign.id, actor, {"deleted": None}, {"deleted": campaign.name})
    session.delete(campaign)
    session.flush()


def campaign_fields(fields: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    """The cleaned campaign fields given; InvalidInput names each bad or unknown one."""
    errors: dict[str, str] = {
        name: "is not a campaign field" for name in fields if name not in CAMPAIGN_FIELDS
    }
    cleaned: dict[str, Any] = {}
    for name in CAMPAIGN_FIELDS:
        if name not in fields:
            continue
        value = fields[name]
        try:
            cleaned[name] = _campaign_field(name, value)
        except ValueError as error:
            errors[name] = str(error)
    if creating and "name" not in fields:
        errors["name"] = "is required"
    if errors:
        raise InvalidInput(errors)
    return cleaned


def _campaign_field(name: str, value: Any) -> str:
    text = _text(value, rules.NAME_LIMIT if name == "name" else rules.HASHTAG_LIMIT)
    if name == "name" and not text:
        raise ValueError("must not be empty")
    if name in ("hashtag", "cause_tag"):
        return rules.hashtag(text)
    if name == "timezone":
        return timezone_name(text)
    return text


def timezone_name(value: str) -> str:
    """An IANA time zone name as given ("Europe/London"); ValueError when there is none."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{value!r} is not a time zone; use an IANA name such as Europe/London"
        ) from None
    return value


def _refuse_taken_name(session: Session, name: str, own_id: int | None) -> None:
    taken = session.scalars(select(Campaign.id).where(Campaign.name == name)).first()
    if taken is not None and taken != own_id:
        raise InvalidInput({"name": f"a campaign named {name!r} exists already ({taken})"})


def get_day(session: Session, campaign: Campaign, day_id: int) -> CampaignDay:
    """The campaign's day; NotFound when it has no such day."""
    day = session.get(CampaignDay, day_id)
    if day is None or day.campaign_id != campaign.id:
        raise NotFound(f"Campaign {campaign.id} has no day {day_id}.")
    return day


def day_on(campaign: Campaign, on: date) -> CampaignDay:
    """The campaign's day on the date ``on``; InvalidInput naming its days when there is none."""
    for day in campaign.days:
        if day.date == on:
            return day
    listed = ", ".join(day.date.isoformat() for day in campaign.days) or "none yet"
    raise InvalidInput({"day": f"the campaign has no day {on.isoformat()} (its days: {listed})"})


def add_day(
    session: Session, campaign: Campaign, fields: Mapping[str, Any], *, actor: str
) -> CampaignDay:
    """A new day of the campaign (``date`` required, one day per date)."""
    cleaned = day_fields(fields, creating=True)
    _refuse_taken_date(campaign, cleaned["date"], None)
    if len(campaign.days) >= rules.MAX_DAYS:
        raise InvalidInput({"date": f"a campaign has at most {rules.MAX_DAYS} days"})
    day = CampaignDay(**cleaned)
    campaign.days.append(day)
    session.flush()
    record_events(session, campaign.id, actor, {}, {f"day.{day.id}": _day_values(day)})
    return day


def update_day(
    session: Session, day: CampaignDay, fields: Mapping[str, Any], *, actor: str
) -> CampaignDay:
    """Change some of a day's fields, keeping the history."""
    cleaned = day_fields(fields, creating=False)
    if "date" in cleaned:
        _refuse_taken_date(day.campaign, cleaned["date"], day.id)
    before = _day_values(day)
    if "date" in cleaned and cleaned["date"] != day.date:
        _move_posts(session, day, cleaned["date"], actor)
    for field, value in cleaned.items():
        setattr(day, field, value)
    session.flush()
    after = _day_values(day)
    record_events(session, day.campaign_id, actor, before, after, prefix=f"day.{day.id}.")
    return day


def _move_posts(session: Session, day: CampaignDay, on: date, actor: str) -> None:
    """A day moved to another date takes its posts along, each at its local time of day."""
    zone = zoneinfo.ZoneInfo(day.campaign.timezone)
    for post in day.posts:
        local = post.scheduled_at.astimezone(zone)
        moved = datetime.combine(on, local.time(), zone)
        post.scheduled_at = moved.astimezone(UTC)
        before, after = {"time": local.isoformat()}, {"time": moved.isoformat()}
        record_events(session, day.campaign_id, actor, before, after, post_id=post.id,
                      prefix="post.")  # fmt: skip


def delete_day(session: Session, day: CampaignDay, *, actor: str) -> None:
    """Delete a day and its posts; the history stays."""
    gone = {f"day.{day.id}": None}
    record_events(session, day.campaign_id, actor, {f"day.{day.id}": _day_values(day)}, gone)
    day.campaign.days.remove(day)
    session.flush()


def day_fields(fields: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    """The cleaned day fields given; InvalidInput names each bad or unknown one."""
    errors: dict[str, str] = {
        name: "is not a day field" for name in fields if name not in (*DAY_FIELDS, "posts")
    }
    cleaned: dict[str, Any] = {}
    for name in DAY_FIELDS:
        if name not in fields:
            continue
        try:
            cleaned[name] = _day_field(name, fields[name])
        except ValueError as error:
            errors[name] = str(error)
    if creating and "date" not in fields:
        errors["date"] = "is required"
    if errors:
        raise InvalidInput(errors)
    return cleaned


def _day_field(name: str, value: Any) -> Any:
    if name == "date":
        return parse_date(value)
    if name == "brief":
        return _text(value, rules.BRIEF_LIMIT, multiline=True)
    if name == "hashtag":
        return rules.hashtag(_text(value, rules.HASHTAG_LIMIT))
    return _text(value, rules.THEME_LIMIT)


def parse_date(value: Any) -> date:
    """An ISO date (2026-06-08) from 2000 to 2099, as text or as YAML reads one; ValueError
    otherwise."""
    if isinstance(value, datetime) or not isinstance(value, date | str):
        raise ValueError("must be a date such as 2026-06-08")
    try:
        on = value if isinstance(value, date) else date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a date such as 2026-06-08") from None
    if not rules.FIRST_DATE <= on <= rules.LAST_DATE:
        first, last = rules.FIRST_DATE.year, rules.LAST_DATE.year
        raise ValueError(f"{on.isoformat()} is not a campaign date: from {first} to {last}")
    return on


def _refuse_taken_date(campaign: Campaign, on: date, own_id: int | None) -> None:
    if any(day.date == on and day.id != own_id for day in campaign.days):
        raise InvalidInput({"date": f"the campaign has a day on {on.isoformat()} already"})


def _day_values(day: CampaignDay) -> dict[str, Any]:
    return {
        "date": day.date.isoformat(),
        "theme": day.theme,
        "hashtag": day.hashtag,
        "brief": day.brief,
    }


def _text(value: Any, limit: int, *, multiline: bool = False) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    text = clean_field(value, multiline=multiline)
    if len(text) > limit:
        raise ValueError(f"must be at most {limit} characters")
    return text
