"""What the campaign checks read: a post as one platform gets it (its caption, its images),
and when it goes out there.

Plain values, read by ``services/campaign_audit`` from the posts, their assets and the presets.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from service.rules import audit, geometry
from service.rules.presets import Preset


@dataclass(frozen=True)
class Medium:
    """One image of a post as one platform will get it."""

    position: int  # from 0, in carousel order
    asset_id: int
    live: bool  # False: the asset was deleted after it was planned
    preset_name: str
    preset: Preset | None  # None: no preset of that name is in force
    source_size: tuple[int, int]  # the asset's, upright
    focal: tuple[float, float]
    alt_text: str
    alt_from_post: bool  # the post's own alt text, not the asset's
    subject: audit.AuditInput  # the rights checks' input: post caption, this alt text

    @property
    def rendered_size(self) -> tuple[int, int] | None:
        """The size the preset renders this image at (None without a preset): a cover or
        contain preset's box, a within preset's scaled source."""
        if self.preset is None:
            return None
        return geometry.plan(self.source_size, self.preset, self.focal).canvas


@dataclass(frozen=True)
class PostCaptionFacts:
    """The post's caption for the platform, as composed or written, and its count."""

    text: str
    mode: Literal["manual", "template"]
    length: int
    limit: int
    fits: bool
    shortened: tuple[str, ...]  # what composing cut: "description", "hashtags"


@dataclass(frozen=True)
class PostOnPlatform:
    """A post as one platform gets it: its caption, its images in order."""

    post_id: int
    platform: str
    caption: PostCaptionFacts
    media: tuple[Medium, ...]
    # Bluesky: the embed the post must use ("images", "gallery"); None: the first that holds
    # the images. Other platforms have one way of carrying images.
    embed: str | None = None
    # The day the post goes out: the licence must still run then.
    post_date: date | None = None


@dataclass(frozen=True)
class Timing:
    """When a post goes out on a platform, and the post before it there."""

    post_id: int
    platform: str
    at: datetime  # in the campaign's time zone
    day: date  # the day the post is planned under
    campaign_days: tuple[date, ...]
    previous: tuple[int, datetime] | None  # the previous post on this platform: id, time
    min_spacing: timedelta


def timings(
    posts: Iterable[tuple[int, datetime, date, Sequence[str]]],
    campaign_days: Sequence[date],
    min_spacing: timedelta,
) -> list[Timing]:
    """Each post's timing on each of its platforms, with the post before it there; ``posts``
    are (id, local time, day, platforms), in any order."""
    last: dict[str, tuple[int, datetime]] = {}
    found = []
    days = tuple(campaign_days)
    for post_id, at, day, platforms in sorted(posts, key=lambda post: (post[1], post[0])):
        for platform in platforms:
            found.append(Timing(post_id, platform, at, day, days, last.get(platform), min_spacing))
            last[platform] = (post_id, at)
    return found
