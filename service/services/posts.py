"""Use cases for a campaign's posts: plan one, change it, reorder its media, move it to another
day, set its status; every change in the campaign history. The caller commits.

A post's time is stored in UTC and read in the campaign's time zone (``local_time``). Its
media are assets in carousel order, each with its own alt text (None: the asset's) and, per
platform, the preset it uses where not the platform's default.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.rules import campaigns as rules
from service.rules.licences import CHANNELS
from service.rules.presets import Preset
from service.rules.problems import InvalidInput, NotFound
from service.rules.text import clean_field
from service.services.campaigns import day_on, parse_date, record_events
from service.services.captioning import MAX_CAPTION_CHARACTERS
from service.storage.db import utcnow
from service.storage.models import Asset, Campaign, CampaignDay, Post, PostMedia

POST_FIELDS = ("day", "time", "platforms", "channel", "media", "captions", "status", "remote_url")
MEDIA_FIELDS = ("asset_id", "object_number", "alt_text", "presets")


def zone_of(campaign: Campaign) -> zoneinfo.ZoneInfo:
    """The campaign's time zone."""
    return zoneinfo.ZoneInfo(campaign.timezone)


def local_time(post: Post, campaign: Campaign) -> datetime:
    """When the post goes out, in the campaign's time zone (with its offset)."""
    return post.scheduled_at.astimezone(zone_of(campaign))


def get_post(session: Session, campaign: Campaign, post_id: int) -> Post:
    """The campaign's post; NotFound when it has no such post."""
    post = session.get(Post, post_id)
    if post is None or post.campaign_id != campaign.id:
        raise NotFound(f"Campaign {campaign.id} has no post {post_id}.")
    return post


def posts_of(campaign: Campaign) -> list[Post]:
    """The campaign's posts in time order."""
    return sorted(
        (post for day in campaign.days for post in day.posts),
        key=lambda post: (post.scheduled_at, post.id),
    )


def add_post(
    session: Session,
    campaign: Campaign,
    fields: Mapping[str, Any],
    *,
    actor: str,
    presets: Mapping[str, Preset],
) -> Post:
    """A new post (``time`` and ``platforms`` required), drafted unless a status is given."""
    missing = {name: "is required" for name in ("time", "platforms") if name not in fields}
    if missing:
        raise InvalidInput(missing)
    if sum(len(day.posts) for day in campaign.days) >= rules.MAX_POSTS:
        raise InvalidInput({"time": f"a campaign has at most {rules.MAX_POSTS} posts"})
    post = Post(campaign_id=campaign.id, created_by=actor, captions={}, platforms=[])
    _apply(session, campaign, post, fields, actor=actor, presets=presets, new=True)
    return post


def update_post(
    session: Session,
    campaign: Campaign,
    post: Post,
    fields: Mapping[str, Any],
    *,
    actor: str,
    presets: Mapping[str, Preset],
) -> Post:
    """Change some of a post's fields; ``media`` replaces the list (and so reorders it)."""
    _apply(session, campaign, post, fields, actor=actor, presets=presets, new=False)
    return post


def delete_post(session: Session, campaign: Campaign, post: Post, *, actor: str) -> None:
    """Delete a post; the history stays."""
    record_events(session, campaign.id, actor, post_values(post, campaign), {}, post_id=post.id)
    record_events(session, campaign.id, actor, {}, {"deleted": True}, post_id=post.id)
    post.day.posts.remove(post)
    session.flush()


def mark_exported(
    session: Session, campaign: Campaign, posts: Sequence[Post], *, actor: str, now: datetime
) -> None:
    """Mark posts as exported by ``actor`` at ``now``; the history says so for each."""
    for post in posts:
        before = {"status": post.status}
        if post.status in ("draft", "ready"):
            post.status = "exported"
        post.exported_at, post.exported_by = now, actor
        after = {"status": post.status, "exported": now.isoformat()}
        record_events(session, campaign.id, actor, before, after, post_id=post.id)
    session.flush()


def post_values(post: Post, campaign: Campaign) -> dict[str, Any]:
    """A post's fields as the history keeps them (and as a plan writes them)."""
    return {
        "day": post.day.date.isoformat() if post.day else None,
        "time": local_time(post, campaign).isoformat() if post.scheduled_at else None,
        "platforms": list(post.platforms),
        "channel": post.channel,
        "media": [_media_values(item) for item in post.media],
        "captions": dict(post.captions),
        "status": post.status,
        "remote_url": post.remote_url,
    }


def _media_values(item: PostMedia) -> dict[str, Any]:
    return {"asset_id": item.asset_id, "alt_text": item.alt_text, "presets": dict(item.presets)}


def _apply(
    session: Session,
    campaign: Campaign,
    post: Post,
    fields: Mapping[str, Any],
    *,
    actor: str,
    presets: Mapping[str, Preset],
    new: bool,
) -> None:
    """Check every field given, then change the post; InvalidInput names each bad one."""
    errors: dict[str, str] = {
        name: "is not a post field" for name in fields if name not in POST_FIELDS
    }
    checked: dict[str, Any] = {}
    for name, check in (
        ("platforms", _platforms),
        ("channel", _channel),
        ("captions", _captions),
        ("status", _status),
        ("remote_url", _remote_url),
    ):
        if name in fields:
            try:
                checked[name] = check(fields[name])
            except ValueError as error:
                errors[name] = str(error)
    platforms = checked.get("platforms", post.platforms)
    if "media" in fields:
        try:
            checked["media"] = _media(session, fields["media"], platforms, presets)
        except InvalidInput as invalid:
            errors.update(invalid.extra["errors"])
    elif "platforms" in checked:
        for index, item in enumerate(post.media):
            problem = _presets_problem(item.presets, platforms, presets)
            if problem:
                errors[f"media[{index}].presets"] = problem
    try:
        when = _when(campaign, post, fields)
    except ValueError as error:
        errors["time" if "time" in fields else "day"] = str(error)
        when = None
    except InvalidInput as invalid:
        errors.update(invalid.extra["errors"])
        when = None
    status = checked.get("status", post.status)
    url = checked.get("remote_url", post.remote_url)
    if status == "published" and not url:
        errors["remote_url"] = "a published post needs the URL it was published at"
    if errors:
        raise InvalidInput(errors)
    before = {} if new else post_values(post, campaign)
    if when is not None:
        post.scheduled_at, day = when
        if post.day is not day:
            if post.day is not None:
                post.day.posts.remove(post)
            day.posts.append(post)
    for name in ("platforms", "channel", "status", "remote_url"):
        if name in checked:
            setattr(post, name, checked[name])
    if "captions" in checked:
        post.captions = _merged_captions(post.captions, checked["captions"])
    if "media" in checked:
        post.media = []
        session.flush()  # the old rows go before the new ones take their positions
        post.media = [
            PostMedia(asset_id=asset.id, position=position, alt_text=alt, presets=chosen)
            for position, (asset, alt, chosen) in enumerate(checked["media"])
        ]
    post.updated_at = utcnow()
    session.flush()
    prefix = "post." if not new else ""
    after = post_values(post, campaign)
    if new:
        record_events(session, campaign.id, actor, {}, {"post.created": after}, post_id=post.id)
    else:
        record_events(session, campaign.id, actor, before, after, post_id=post.id, prefix=prefix)


def _when(
    campaign: Campaign, post: Post, fields: Mapping[str, Any]
) -> tuple[datetime, CampaignDay] | None:
    """The post's new time (UTC) and day, from ``time`` and/or ``day``; None: unchanged.

    A time of day ("09:30") is on the post's day; a date-time without an offset is in the
    campaign's zone; one with an offset is that instant. A new day alone keeps the local time.
    """
    if "time" not in fields and "day" not in fields:
        return None
    zone = zone_of(campaign)
    on: date | None = parse_date(fields["day"]) if "day" in fields else None
    raw = fields.get("time")
    if raw is None:
        if post.scheduled_at is None or on is None:
            raise ValueError("give the post a time, such as 09:30 or 2026-06-08T09:30+01:00")
        clock = local_time(post, campaign).timetz().replace(tzinfo=None)
        instant = datetime.combine(on, clock, zone)
    elif isinstance(raw, str) and len(raw.strip()) <= 8 and ":" in raw and "T" not in raw:
        day_date = on or (post.day.date if post.day is not None else None)
        if day_date is None:
            raise ValueError("a time of day such as 09:30 needs the post's day")
        instant = datetime.combine(day_date, _clock(raw), zone)
    else:
        instant = _instant(raw, zone)
        on = on or instant.astimezone(zone).date()
    target = day_on(campaign, on or instant.astimezone(zone).date())
    return instant.astimezone(UTC), target


def _clock(raw: str) -> time:
    try:
        return time.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError(f"{raw!r} is not a time of day such as 09:30") from None


def _instant(raw: Any, zone: zoneinfo.ZoneInfo) -> datetime:
    if isinstance(raw, datetime):
        instant = raw
    elif isinstance(raw, str):
        try:
            instant = datetime.fromisoformat(raw.strip())
        except ValueError:
            raise ValueError(
                f"{raw!r} is not a time such as 09:30 or 2026-06-08T09:30+01:00"
            ) from None
    else:
        raise ValueError("must be a time such as 09:30 or 2026-06-08T09:30+01:00")
    if not rules.FIRST_DATE <= instant.date() <= rules.LAST_DATE:  # nor overflow in a zone
        first, last = rules.FIRST_DATE.year, rules.LAST_DATE.year
        raise ValueError(f"{raw} is not a campaign time: from {first} to {last}")
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=zone)


def _platforms(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError("must be a list of platforms")
    chosen = list(dict.fromkeys(item.strip().lower() for item in value))
    chosen = ["x" if item == "twitter" else item for item in chosen]
    unknown = [item for item in chosen if item not in rules.POST_PLATFORMS]
    if unknown:
        listed = ", ".join(rules.POST_PLATFORMS)
        raise ValueError(f"{unknown[0]!r} is not a platform a post can go to; use {listed}")
    if not chosen:
        raise ValueError("a post goes to at least one platform")
    return chosen


def _channel(value: Any) -> str:
    if value not in CHANNELS:
        raise ValueError(f"must be one of {', '.join(CHANNELS)}")
    return str(value)


def _captions(value: Any) -> dict[str, str | None]:
    if not isinstance(value, dict):
        raise ValueError("must be an object of platform: caption (null: compose it)")
    cleaned: dict[str, str | None] = {}
    for platform, text in value.items():
        key = "x" if platform == "twitter" else platform
        if key not in rules.POST_PLATFORMS:
            raise ValueError(f"{platform!r} is not a platform a post can go to")
        if text is None:
            cleaned[key] = None
            continue
        if not isinstance(text, str):
            raise ValueError(f"{platform}: must be a string or null")
        text = clean_field(text, multiline=True)
        if len(text) > MAX_CAPTION_CHARACTERS:
            raise ValueError(f"{platform}: must be at most {MAX_CAPTION_CHARACTERS} characters")
        cleaned[key] = text or None
    return cleaned


def _merged_captions(stored: Mapping[str, Any], given: Mapping[str, str | None]) -> dict[str, Any]:
    merged = {**stored, **given}
    return {platform: text for platform, text in merged.items() if text is not None}


def _status(value: Any) -> str:
    if value not in rules.HAND_STATUSES:
        raise ValueError(
            f"must be one of {', '.join(rules.HAND_STATUSES)} (exporting sets exported)"
        )
    return str(value)


def _remote_url(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    url = value.strip()
    if url and not url.startswith(("https://", "http://")):
        raise ValueError("must be the post's http(s) URL")
    if len(url) > rules.URL_LIMIT or any(char.isspace() for char in url):
        raise ValueError(f"must be one URL of at most {rules.URL_LIMIT} characters")
    return url


def _media(
    session: Session, value: Any, platforms: Sequence[str], presets: Mapping[str, Preset]
) -> list[tuple[Asset, str | None, dict[str, str]]]:
    """Each media item's asset, alt text and presets, in order; InvalidInput names bad ones."""
    if not isinstance(value, list):
        raise InvalidInput({"media": "must be a list of {asset_id or object_number, ...}"})
    if len(value) > rules.MAX_MEDIA:
        raise InvalidInput({"media": f"a post has at most {rules.MAX_MEDIA} images"})
    errors: dict[str, str] = {}
    items = []
    for index, raw in enumerate(value):
        where = f"media[{index}]"
        if isinstance(raw, int) and not isinstance(raw, bool):
            raw = {"asset_id": raw}
        if not isinstance(raw, dict):
            errors[where] = "must be an object with asset_id or object_number"
            continue
        unknown = [name for name in raw if name not in MEDIA_FIELDS]
        if unknown:
            errors[f"{where}.{unknown[0]}"] = "is not a media field"
            continue
        try:
            asset = _asset(session, raw)
            alt = _alt_text(raw.get("alt_text"))
            chosen = _chosen_presets(raw.get("presets") or {})
        except ValueError as error:
            errors[where] = str(error)
            continue
        problem = _presets_problem(chosen, platforms, presets)
        if problem:
            errors[f"{where}.presets"] = problem
            continue
        items.append((asset, alt, chosen))
    if errors:
        raise InvalidInput(errors)
    return items


def _asset(session: Session, raw: Mapping[str, Any]) -> Asset:
    """The live asset a media item names by id or by object number (which must be unique)."""
    if "asset_id" in raw:
        asset_id = raw["asset_id"]
        if not isinstance(asset_id, int) or isinstance(asset_id, bool):
            raise ValueError("asset_id must be an integer")
        asset = session.get(Asset, asset_id)
        if asset is None or asset.deleted_at is not None:
            raise ValueError(f"there is no asset {asset_id}")
        return asset
    number = raw.get("object_number")
    if not isinstance(number, str) or not number.strip():
        raise ValueError("name the asset by asset_id or object_number")
    found = list(
        session.scalars(
            select(Asset)
            .where(Asset.object_number == number.strip(), Asset.deleted_at.is_(None))
            .order_by(Asset.id)
            .limit(6)
        )
    )
    if not found:
        raise ValueError(f"no asset has the object number {number!r}")
    if len(found) > 1:
        ids = ", ".join(str(asset.id) for asset in found[:5])
        raise ValueError(f"several assets have the object number {number!r} ({ids}); use asset_id")
    return found[0]


def _alt_text(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("alt_text must be a string or null (the asset's own)")
    text = clean_field(value, multiline=True)
    if len(text) > rules.ALT_TEXT_LIMIT:
        raise ValueError(f"alt_text must be at most {rules.ALT_TEXT_LIMIT} characters")
    return text or None


def _chosen_presets(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValueError("presets must be an object of platform: preset name")
    return {("x" if k == "twitter" else k): v for k, v in value.items()}


def _presets_problem(
    chosen: Mapping[str, str], platforms: Sequence[str], presets: Mapping[str, Preset]
) -> str | None:
    """Why a media item's presets do not fit the post's platforms, or None."""
    for platform, name in chosen.items():
        if platform not in rules.POST_PLATFORMS:
            return f"{platform!r} is not a platform a post can go to"
        preset = presets.get(name)
        if preset is None:
            return f"there is no preset {name!r}"
        prefix = name.split("-", 1)[0]
        if prefix != platform:
            return f"the preset {name!r} is not for {platform}"
    for platform in platforms:
        name = rules.preset_for(platform, chosen)
        if name not in presets:
            return f"the default preset {name!r} for {platform} is not configured; choose one"
    return None
