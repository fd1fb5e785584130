"""The campaign audit: every post, on every platform it goes to, image by image.

``audit_campaign`` reads the campaign once (its days, posts, media, their assets with rights
and tags come in a statement per kind of row, whatever the number of posts, and the people
its images show with their consents in one more when any does; the credit policy and the
presets in force once), composes each post's captions (``post_captions``),
and hands the values to the pure checks (``rules/campaign_checks``). The API, the CLI, the
grid page and the bundle's refusal all read its answer.

Withdrawn posts are not audited: they will not go out, and take no room in the schedule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from service.rules import campaign_checks as checks
from service.rules import campaigns as rules
from service.rules import captions, consent
from service.rules.audit import Status
from service.rules.presets import Preset
from service.rules.problems import InvalidInput
from service.services.auditing import subject_of
from service.services.captioning import AssetCaption
from service.services.context import Services
from service.services.people_facts import people_of
from service.services.post_captions import (
    PostCaption,
    Source,
    alt_texts_of,
    caption_of,
    sources_of,
)
from service.services.posts import local_time, posts_of
from service.storage.db import utcnow
from service.storage.models import Campaign, Post

# What a campaign's images are for, as the people's consents name purposes.
PURPOSE = "campaign"
EMBEDS = ("images", "gallery")  # Bluesky's ways of carrying images (captions.PLATFORMS)
MAX_SPACING_MINUTES = 24 * 60


@dataclass(frozen=True)
class PostRow:
    """A row of the grid: one post audited, when it goes out, and its first image."""

    post_id: int
    at: datetime  # in the campaign's time zone
    day: date
    platforms: tuple[str, ...]
    status: str
    first_asset_id: int | None
    title: str  # the first image's title, to tell posts apart


@dataclass(frozen=True)
class CampaignAudit:
    """The audit of a campaign: its posts and every check's result."""

    campaign_id: int
    name: str
    today: date
    min_spacing: timedelta
    bluesky_embed: str | None
    posts: tuple[PostRow, ...]
    results: tuple[checks.Result, ...]
    captions: Mapping[tuple[int, str], PostCaption] = field(repr=False)

    @property
    def outcome(self) -> Status:
        """fail if any check failed, else warn if any warned, else pass."""
        return checks.worst(result.status for result in self.results)

    @property
    def summary(self) -> dict[str, int]:
        """Counts of posts, checks and grid cells, by status."""
        return checks.summary(self.results, len(self.posts))

    @property
    def failing(self) -> list[checks.Result]:
        """The results that fail, in the audit's order: what blocks the bundle."""
        return [result for result in self.results if result.status == "fail"]


def check_options(
    *, min_spacing: Any = None, bluesky_embed: Any = None
) -> tuple[timedelta, str | None]:
    """The audit's options from a caller: ``min_spacing`` as minutes or a timedelta (default
    ``campaigns.MIN_SPACING``), ``bluesky_embed`` one of ``EMBEDS`` or None (the first that
    holds the images); InvalidInput names each bad one."""
    errors: dict[str, str] = {}
    spacing = rules.MIN_SPACING
    if isinstance(min_spacing, timedelta):
        spacing = min_spacing
    elif min_spacing is not None:
        if isinstance(min_spacing, bool) or not isinstance(min_spacing, int):
            errors["min_spacing"] = "must be a whole number of minutes"
        else:
            spacing = timedelta(minutes=min_spacing)
    if not timedelta(0) <= spacing <= timedelta(minutes=MAX_SPACING_MINUTES):
        errors["min_spacing"] = f"must be 0 to {MAX_SPACING_MINUTES} minutes"
    if bluesky_embed is not None and bluesky_embed not in EMBEDS:
        errors["bluesky_embed"] = f"must be one of {', '.join(EMBEDS)}"
    if errors:
        raise InvalidInput(errors)
    return spacing, bluesky_embed


def audit_campaign(
    session: Session,
    services: Services,
    campaign: Campaign,
    *,
    today: date | None = None,
    min_spacing: timedelta | int | None = None,
    bluesky_embed: str | None = None,
) -> CampaignAudit:
    """Every check of every post (but the withdrawn) on every platform it goes to."""
    spacing, embed = check_options(min_spacing=min_spacing, bluesky_embed=bluesky_embed)
    today = today or utcnow().date()
    planned = [post for post in posts_of(campaign) if post.status != "withdrawn"]
    sources = sources_of(session, planned)
    people = people_of(session, [source.asset for source in sources.values()])
    presets = services.presets_in_force(session)
    results: list[checks.Result] = []
    composed: dict[tuple[int, str], PostCaption] = {}
    rows = []
    for post in planned:
        at = local_time(post, campaign)
        first = sources[post.media[0].asset_id] if post.media else None
        rows.append(
            PostRow(post.id, at, post.day.date, tuple(post.platforms), post.status,
                    first.asset.id if first else None, first.asset.title if first else "")
        )  # fmt: skip
        for platform in post.platforms:
            caption = caption_of(post, platform, campaign, sources)
            composed[(post.id, platform)] = caption
            on_platform = _on_platform(
                post, platform, caption, sources, presets, people,
                today=today, post_date=at.date(), embed=embed if platform == "bluesky" else None,
                people_unknown_blocks=services.people_unknown_blocks,
            )  # fmt: skip
            results += checks.check_post(on_platform)
    when = [(row.post_id, row.at, row.day, row.platforms) for row in rows]
    days = [day.date for day in campaign.days]
    results += [
        result
        for timing in checks.timings(when, days, spacing)
        for result in checks.check_schedule(timing)
    ]
    order = {row.post_id: index for index, row in enumerate(rows)}
    # Post by post in time order, platform by platform, the schedule after the rest (stable).
    results.sort(key=lambda result: (order[result.post_id], _PLATFORM_ORDER[result.platform]))
    return CampaignAudit(
        campaign_id=campaign.id,
        name=campaign.name,
        today=today,
        min_spacing=spacing,
        bluesky_embed=embed,
        posts=tuple(rows),
        results=tuple(results),
        captions=composed,
    )


_PLATFORM_ORDER = {platform: index for index, platform in enumerate(rules.POST_PLATFORMS)}


def _on_platform(
    post: Post,
    platform: str,
    caption: PostCaption,
    sources: Mapping[int, Source],
    presets: Mapping[str, Preset],
    people: Mapping[int, consent.PeopleFacts],
    *,
    today: date,
    post_date: date,
    embed: str | None,
    people_unknown_blocks: frozenset[str],
) -> checks.PostOnPlatform:
    """What the checks need to know of the post on one platform: each image's consents are
    judged for the purpose "campaign"."""
    media = []
    for item, alt in zip(post.media, alt_texts_of(post), strict=True):
        source = sources[item.asset_id]
        asset = source.asset
        name = rules.preset_for(platform, item.presets)
        captioned = AssetCaption(
            platform=platform,
            mode=caption.mode,
            caption=caption.caption,
            alt_text=alt.text,
            filename=asset.original_filename,
            credit_line=source.credit_line,
        )
        subject = subject_of(
            asset, source.record, source.rule, captioned,
            platform=platform, channel=post.channel, today=today, people=people[asset.id],
            people_unknown_blocks=people_unknown_blocks, purpose=PURPOSE,
        )  # fmt: skip
        media.append(
            checks.Medium(
                position=item.position,
                asset_id=asset.id,
                live=asset.deleted_at is None,
                preset_name=name,
                preset=presets.get(name),
                source_size=(asset.width, asset.height),
                focal=(asset.focal_x, asset.focal_y),
                alt_text=alt.text,
                alt_from_post=alt.from_post,
                subject=subject,
            )
        )
    facts = checks.PostCaptionFacts(
        text=caption.text,
        mode=caption.mode,
        length=caption.length,
        limit=caption.limit,
        fits=caption.fits,
        shortened=caption.shortened,
    )
    return checks.PostOnPlatform(post.id, platform, facts, tuple(media), embed, post_date)


# --- answers ---------------------------------------------------------------------------------


def refusal(audit: CampaignAudit, *, shown: int = 3) -> dict[str, Any] | None:
    """What blocks the bundle, or None when nothing fails: the number of failing grid cells,
    the first reasons for people, and every failing result (JSON-ready)."""
    failing = audit.failing
    if not failing:
        return None
    return {
        "cells_failed": audit.summary["cells_failed"],
        "reasons": [_said(result) for result in failing[:shown]],
        "failing": [checks.result_dict(result) for result in failing],
    }


def _said(result: checks.Result) -> str:
    where = f"Post {result.post_id} on {captions.PLATFORMS[result.platform].name}"
    if result.position is not None:
        where += f", image {result.position + 1}"
    return f"{where}: {result.reason}"


def audit_json(audit: CampaignAudit) -> dict[str, Any]:
    """The audit as JSON-ready values, the shape the API and the CLI print."""
    return {
        "campaign": {"id": audit.campaign_id, "name": audit.name},
        "today": audit.today.isoformat(),
        "min_spacing_minutes": int(audit.min_spacing.total_seconds() // 60),
        "bluesky_embed": audit.bluesky_embed,
        "outcome": audit.outcome,
        "posts": [_row_json(row) for row in audit.posts],
        "cells": [
            {"post_id": post_id, "platform": platform, "group": group, "status": status}
            for (post_id, platform, group), status in checks.cells(audit.results).items()
        ],
        "results": [checks.result_dict(result) for result in audit.results],
        "summary": audit.summary,
    }


def _row_json(row: PostRow) -> dict[str, Any]:
    return {
        "id": row.post_id,
        "time": row.at.isoformat(),
        "day": row.day.isoformat(),
        "platforms": list(row.platforms),
        "status": row.status,
        "first_asset_id": row.first_asset_id,
        "title": row.title,
    }


def audit_csv(audit: CampaignAudit) -> str:
    """The audit's results as CSV, one row per result, with the post's time."""
    times = {row.post_id: row.at.isoformat() for row in audit.posts}
    return checks.csv_rows(audit.results, times)
