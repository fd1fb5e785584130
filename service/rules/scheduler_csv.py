"""The bundle's CSVs for schedulers: Sprout Social's bulk scheduling, and a generic URL-media CSV.

Sprout Social (https://support.sproutsocial.com/hc/en-us/articles/115005864203, via
shared/campaigns.md §2) documents three required, case-sensitive headers: ``date`` (dd/mm/yyyy
or mm/dd/yyyy, as chosen in the import's preferences), ``time_24hr`` and ``message_text``; at
most 350 messages an import; messages at least 10 minutes apart. An import goes to the
profiles chosen in Sprout, and each network has its own caption, so the bundle writes one CSV
per platform. No media column is documented there, so none is written: images are attached in
Sprout from the post folders (or their signed URLs in the manifest).

The generic CSV (``scheduled_at``, ``platform``, ``text``, ``media_urls``, ``alt_texts``) is the
pattern PostFast, Publer and Statusbrew share: ISO 8601 times with their offset, public media
URLs comma-separated (PostFast), alt texts in the same order separated by ``||`` (Publer's
separator for per-photo text). One row per post and platform.

Texts are written as they are, never prefixed against spreadsheet formulas: a scheduler posts
the cell verbatim, so a guard character would be published.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from service.rules.bundle_contents import BundlePost

SPROUT_SOCIAL_HEADERS = ("date", "time_24hr", "message_text")
SPROUT_SOCIAL_MAX_ROWS = 350
SPROUT_SOCIAL_SPACING = timedelta(minutes=10)
# The two date orders Sprout Social's import preferences offer.
DATE_FORMATS = {"dmy": "%d/%m/%Y", "mdy": "%m/%d/%Y"}
DATE_FORMAT_NAMES = {"dmy": "dd/mm/yyyy", "mdy": "mm/dd/yyyy"}

GENERIC_HEADERS = ("scheduled_at", "platform", "text", "media_urls", "alt_texts")
MEDIA_URL_SEPARATOR = ","
ALT_TEXT_SEPARATOR = "||"


@dataclass(frozen=True)
class ScheduledMessage:
    """One post on one platform, as a scheduler imports it."""

    post_id: int
    platform: str
    at: datetime  # in the campaign's zone, with its offset
    text: str
    media_urls: tuple[str, ...]
    alt_texts: tuple[str, ...]


def messages(posts: Iterable[BundlePost], platform: str | None = None) -> list[ScheduledMessage]:
    """Every post on every platform it goes to (or on ``platform`` only), in time order."""
    found = []
    for post in posts:
        for each in post.platforms:
            if platform is not None and each != platform:
                continue
            found.append(
                ScheduledMessage(
                    post_id=post.id,
                    platform=each,
                    at=post.scheduled_at,
                    text=post.captions.get(each, ""),
                    media_urls=tuple(item.renditions[each].url for item in post.media),
                    alt_texts=tuple(item.alt_text for item in post.media),
                )
            )
    return sorted(found, key=lambda message: (message.at, message.post_id))


def check_date_format(name: str) -> str:
    """``name`` if it is a date format Sprout Social takes; ValueError says which are."""
    if name not in DATE_FORMATS:
        raise ValueError(f"must be dmy (dd/mm/yyyy) or mdy (mm/dd/yyyy), not {name!r}")
    return name


def sprout_social_csv(rows: Sequence[ScheduledMessage], date_format: str) -> str:
    """One platform's messages as a Sprout Social bulk-scheduling CSV, in the campaign's local
    times (set the profile's time zone to the campaign's before importing).

    The spacing is the campaign audit's to refuse (the bundle audits with
    ``SPROUT_SOCIAL_SPACING``); the count cannot exceed 350, a campaign's most posts
    (``campaigns.MAX_POSTS``), but a longer list is refused here too.
    """
    pattern = DATE_FORMATS[check_date_format(date_format)]
    if len(rows) > SPROUT_SOCIAL_MAX_ROWS:
        raise ValueError(f"Sprout Social imports at most {SPROUT_SOCIAL_MAX_ROWS} messages at once")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(SPROUT_SOCIAL_HEADERS)
    for row in rows:
        writer.writerow((row.at.strftime(pattern), row.at.strftime("%H:%M"), row.text))
    return out.getvalue()


def generic_csv(rows: Iterable[ScheduledMessage]) -> str:
    """Every post on every platform as the URL-media CSV other schedulers import."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(GENERIC_HEADERS)
    for row in rows:
        writer.writerow(
            (
                row.at.isoformat(),
                row.platform,
                row.text,
                MEDIA_URL_SEPARATOR.join(row.media_urls),
                ALT_TEXT_SEPARATOR.join(row.alt_texts),
            )
        )
    return out.getvalue()
