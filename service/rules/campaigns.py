"""What a campaign plan may hold: post statuses, the platforms a post goes to and their
default presets, hashtags and the limits of a plan. Pure: values in, values out.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from types import MappingProxyType

# `regex` ships no type information; it is here for Unicode properties (\p{...}).
import regex  # type: ignore[import-untyped,unused-ignore]

POST_STATUSES = ("draft", "ready", "exported", "published", "withdrawn")
# The statuses a person sets by hand; "exported" is set by exporting the bundle.
HAND_STATUSES = ("draft", "ready", "published", "withdrawn")

# The platforms a post can go to, each with the preset its images use unless a media item
# names another. Threads has no preset: no source gives its image sizes (campaigns.md).
DEFAULT_PRESET_FOR: Mapping[str, str] = MappingProxyType(
    {
        "x": "x",
        "bluesky": "bluesky",
        "mastodon": "mastodon",
        "instagram": "instagram-portrait",
        "facebook": "facebook",
        "linkedin": "linkedin",
    }
)
POST_PLATFORMS = tuple(DEFAULT_PRESET_FOR)

# Sprout Social asks for posts at least ten minutes apart; the audit's default spacing.
MIN_SPACING = timedelta(minutes=10)
MAX_MEDIA = 20  # the most any platform takes in one post (Instagram app, Threads, LinkedIn)
MAX_DAYS = 31
MAX_POSTS = 350  # Sprout Social's bulk-import cap; a plan beyond it cannot be scheduled at once

# The dates a campaign day may have. Social media began within them; and from 1972 on every
# time zone's offset is whole minutes, which ISO 8601 times (RFC 3339) need.
FIRST_DATE = date(2000, 1, 1)
LAST_DATE = date(2099, 12, 31)

NAME_LIMIT = 200
HASHTAG_LIMIT = 100
THEME_LIMIT = 200
BRIEF_LIMIT = 5_000
ALT_TEXT_LIMIT = 5_000  # beyond every platform's; the audit says which platform it is over
URL_LIMIT = 1_000

# What platforms keep inside a hashtag: letters, combining marks, digits, "_" and the joiners.
_HASHTAG = regex.compile(r"#[\p{L}\p{M}\p{Nd}_\u200c\u200d]+")
_LETTER = regex.compile(r"\p{L}")


def hashtag(value: str) -> str:
    """``value`` as a hashtag ("MuseumWeek" -> "#MuseumWeek"); "" stays "".

    ValueError says why a value cannot be one: spaces, punctuation, no letter.
    """
    text = value.strip()
    if not text:
        return ""
    text = text if text.startswith("#") else "#" + text
    if not _HASHTAG.fullmatch(text):
        raise ValueError(
            f"{text!r} is not a hashtag: use letters, digits and _ only, with no spaces"
        )
    if not _LETTER.search(text):
        raise ValueError(f"{text!r} is not a hashtag: platforms do not link one without a letter")
    if len(text) > HASHTAG_LIMIT:
        raise ValueError(f"must be at most {HASHTAG_LIMIT} characters")
    return text


def preset_for(platform: str, chosen: Mapping[str, str]) -> str:
    """The preset a media item uses on ``platform``: its own choice, else the default."""
    return chosen.get(platform) or DEFAULT_PRESET_FOR[platform]
