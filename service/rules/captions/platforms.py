"""The platforms' caption and alt-text limits, how each counts, and where each fact comes from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Platform:
    """A platform's caption and alt-text limits and how it counts.

    counting: "twitter" (X weighted length), "graphemes", "characters" (code points),
    "characters_urls_23" (code points, each http(s) URL counts 23) or "characters_emoji_bytes"
    (code points, but each emoji counts its UTF-8 bytes, as Threads documents).
    """

    name: str
    caption_limit: int
    counting: str
    alt_text_limit: int | None
    source: str
    byte_limit: int | None = None  # Bluesky also caps a post at 3,000 UTF-8 bytes


# Where each limit comes from. "Checked" = when platform-specs.md was researched; [3rd] = secondary.
_SOURCES = {
    "x": "https://developer.x.com/en/docs/counting-characters ; https://github.com/twitter/"
    "twitter-text/blob/master/config/v3.json . Alt 1,000: pub.dev twitter_api_v2 MediaData.altText"
    " and Sprout Social [3rd]; a stale v1.1 doc says 420. Checked 2026-11.",
    "instagram": "https://developers.facebook.com/documentation/ads-commerce/instagram/ads-api/"
    "reference/media-requirements . Alt limit: not found. Checked 2026-11.",
    "facebook": "https://productlondondesign.com/bluesky-character-limit [3rd]; no official page."
    " Alt limit: not found (Sprout Social says 1,000 [3rd]). Checked 2026-11.",
    "linkedin": "https://ayrshare.com/docs/media-guidelines/linkedin [3rd]. Alt limit: not found"
    " (Sprout Social says 256 [3rd]). Checked 2026-11.",
    "bluesky": "https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/feed/post.json"
    " (300 graphemes, 3,000 bytes). Alt 2,000: https://github.com/bluesky-social/social-app/blob/"
    "main/src/lib/constants.ts (MAX_ALT_TEXT). Checked 2026-11.",
    "mastodon": "Server defaults; each server may differ: https://neet.github.io/masto.js/interfaces/"
    "mastodon.v2.InstanceStatusesConfiguration.html ; https://github.com/metabolist/metatext/issues/"
    "270 . Alt 1,500: https://github.com/mastodon/mastodon/blob/main/app/models/media_attachment.rb"
    " . Checked 2026-11.",
    "threads": "https://developers.facebook.com/documentation/threads/posts (updated 2026-04-14:"
    " 500 characters, emoji count their UTF-8 bytes). Alt limit: not found. Checked 2026-11.",
    # 2,200 is the smallest long-form caption limit (Instagram < LinkedIn < Facebook), so a default
    # caption pastes into any of them unchanged; alt 1,000 is the smallest documented alt limit
    # (X), so default alt text works on X, Bluesky and Mastodon alike.
    "default": "Derived: Instagram's caption limit and X's alt-text limit (see x, instagram).",
}
# The one table of limits: key, display name, caption limit, counting, alt limit, byte cap.
_TABLE: tuple[tuple[str, str, int, str, int | None, int | None], ...] = (
    ("x", "X", 280, "twitter", 1_000, None),
    ("instagram", "Instagram", 2_200, "characters", None, None),
    ("facebook", "Facebook", 63_206, "characters", None, None),
    ("linkedin", "LinkedIn", 3_000, "characters", None, None),
    ("bluesky", "Bluesky", 300, "graphemes", 2_000, 3_000),
    ("mastodon", "Mastodon", 500, "characters_urls_23", 1_500, None),
    ("threads", "Threads", 500, "characters_emoji_bytes", None, None),
    ("default", "the default caption", 2_200, "characters", 1_000, None),
)
PLATFORMS: Mapping[str, Platform] = MappingProxyType(
    {k: Platform(n, cap, how, alt, _SOURCES[k], byte) for k, n, cap, how, alt, byte in _TABLE}
)
_ALIASES = {"twitter": "x"}


def _key(name: str) -> str:
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in PLATFORMS:
        raise ValueError(f"Unknown platform {name!r}; choose one of: {', '.join(PLATFORMS)}.")
    return key
