"""The platforms' caption, alt-text and image limits, how each counts, and where each fact
comes from."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal


@dataclass(frozen=True)
class ImageFormat:
    """One way a post carries images on a platform, and what each image must have.

    Most platforms have one; Bluesky has two embeds with different limits (``images``, 4;
    ``gallery``, 10). ``name`` is the platform's own word for it (Bluesky's embed type is
    ``app.bsky.embed.<name>``). None means no limit was found.
    """

    name: str
    max_images: int
    max_bytes: int | None = None  # per image
    max_edge: int | None = None  # per image, in pixels, the longer edge
    alt_required: bool = False  # the platform refuses an image without alt text
    aspect_ratio_required: bool = False  # the post must state each image's width and height


@dataclass(frozen=True)
class Platform:
    """A platform's caption, alt-text and image limits and how it counts.

    counting: "twitter" (X weighted length), "graphemes", "characters" (code points),
    "characters_urls_23" (code points, each http(s) URL counts 23) or "characters_emoji_bytes"
    (code points, but each emoji counts its UTF-8 bytes, as Threads documents).
    image_formats: how a post carries images, the usual one first. aspect_ratio_range: the
    narrowest and widest width/height a post's image may have, None where no limit is
    documented; carousel_ratio_from_first: the first image of a carousel sets the ratio of all.
    """

    name: str
    caption_limit: int
    counting: str
    alt_text_limit: int | None
    source: str
    byte_limit: int | None = None  # Bluesky also caps a post at 3,000 UTF-8 bytes
    image_formats: tuple[ImageFormat, ...] = ()
    aspect_ratio_range: tuple[float, float] | None = None
    carousel_ratio_from_first: bool = False
    media_source: str = ""  # where the image limits come from, and when they were checked


# Where each limit comes from. "Checked" = when platform-specs.md was researched; [3rd] = secondary.
_SOURCES = {
    "x": "https://developer.x.com/en/docs/counting-characters ; https://github.com/twitter/"
    "twitter-text/blob/master/config/v3.json . Alt 1,000: pub.dev twitter_api_v2 MediaData.altText"
    " and Sprout Social [3rd]; a stale v1.1 doc (media/metadata/create) says 420, and"
    " shared/campaigns.md advises 420 to be safe: the two conflict, 1,000 is kept because X's own"
    " app and v2 clients take it. Checked 2026-11.",
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
_LATER = (
    "https://help.later.com/hc/en-us/articles/360042773934-Schedule-a-Multi-Photo-Carousel-Post"
)
# Where each image limit comes from (shared/campaigns.md §1, §2, §7 and platform-specs.md §1).
_MEDIA_SOURCES = {
    "x": f"4 images: {_LATER} [3rd] ; https://docs.x.com/x-api/media (5 MB). Aspect ratio: not"
    " limited (no source). Checked 2026-12.",
    "instagram": "10 through the Graph API (20 in the app since Aug 2024), the first slide sets"
    " the ratio of all: https://docs.getlate.dev/resources/media-guidelines/instagram [3rd] ;"
    " https://green-api.com/en/instagram/docs/api/posts/SendAlbumPostByUrl [3rd] (Meta's own"
    ' number not found). Feed 3:4 to 1.91:1 since 2025 ("between 1.91:1 and 3:4", citing'
    " Instagram's help centre): https://recurpost.com/blog/instagram-post-size-guide [3rd] ;"
    " https://ratio-aspect-calculator.com/instagram-aspect-ratio [3rd]; before, 4:5 to 1.91:1:"
    " https://developers.facebook.com/documentation/ads-commerce/instagram/ads-api/reference/"
    "media-requirements . 3:4 is taken, or the 3:4 grid preset would fail. 8 MB:"
    " https://www.ayrshare.com/docs/media-guidelines/instagram.md [3rd]. Checked 2026-12.",
    "facebook": f"10 photos: {_LATER} [3rd] (a scheduler's limit; Facebook's own not found)."
    " Feed photo size and aspect ratio: not found (8 MB is the Open Graph image's). Checked"
    " 2026-12.",
    "linkedin": "MultiImage 2-20: https://learn.microsoft.com/en-us/linkedin/marketing/"
    "community-management/shares/multiimage-post-api . 5 MB: https://ayrshare.com/docs/"
    "media-guidelines/linkedin [3rd] (another says 8 MB; the smaller is kept). Aspect ratio: not"
    " limited (no source). Checked 2026-12.",
    "bluesky": "app.bsky.embed.images (4) and app.bsky.embed.gallery (lexicon 20, authoring"
    " clients 10), each image <= 2,000,000 B, alt required in both, aspectRatio required in a"
    " gallery: https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/embed/"
    "images.json and gallery.json, atproto PR 4827, bsky-docs PR 417 (2 MB), social-app PR 10073"
    " (4000 px); verified on a real PDS (@atproto/api 0.20.44) 2026-12-07, which refuses"
    " 2,100,000 B. The published images.json once said 1,000,000 B: the old limit. Aspect ratio:"
    " not limited. Checked 2026-12.",
    "mastodon": "4 by default, per instance (configuration.statuses.max_media_attachments);"
    " 16,777,216 B is mastodon.social's image_size_limit: https://github.com/mastodon/"
    "documentation/blob/main/content/en/user/posting.md and content/en/entities/Instance.md"
    " (HEAD 2026-07-02). Aspect ratio: not limited (no source). Checked 2026-12.",
    "threads": "2-20 children per carousel: https://developers.facebook.com/documentation/threads/"
    "overview and a mirror of Meta's carousel doc. 8 MB: https://ayrshare.com/docs/"
    "media-guidelines/threads [3rd]. Aspect ratio: one source [3rd] says up to 10:1, not adopted"
    " (which way is unclear). Checked 2026-12.",
    # Like the caption: the smallest image count (X, Mastodon, Bluesky's images embed), so a
    # default post fits every platform; sizes are left to each platform's preset.
    "default": "Derived: the smallest images-per-post limit (X, Mastodon, Bluesky's images)."
    " Checked 2026-12.",
}
_BLUESKY_IMAGE = 2_000_000
_BLUESKY_EDGE = 4000
_INSTAGRAM_FEED = (3 / 4, 1.91)  # 1080x1440 to 1080x566
# The one table of limits: key and Platform; the sources above, by key.
_TABLE: tuple[tuple[str, Platform], ...] = (
    ("x", Platform(
        "X", 280, "twitter", 1_000, _SOURCES["x"],
        image_formats=(ImageFormat("media", 4, max_bytes=5_000_000),),
    )),
    ("instagram", Platform(
        "Instagram", 2_200, "characters", None, _SOURCES["instagram"],
        image_formats=(ImageFormat("carousel", 10, max_bytes=8_000_000),),
        aspect_ratio_range=_INSTAGRAM_FEED, carousel_ratio_from_first=True,
    )),
    ("facebook", Platform(
        "Facebook", 63_206, "characters", None, _SOURCES["facebook"],
        image_formats=(ImageFormat("photos", 10),),
    )),
    ("linkedin", Platform(
        "LinkedIn", 3_000, "characters", None, _SOURCES["linkedin"],
        image_formats=(ImageFormat("multi_image", 20, max_bytes=5_000_000),),
    )),
    ("bluesky", Platform(
        "Bluesky", 300, "graphemes", 2_000, _SOURCES["bluesky"], 3_000,
        image_formats=(
            ImageFormat("images", 4, _BLUESKY_IMAGE, _BLUESKY_EDGE, alt_required=True),
            ImageFormat(
                "gallery", 10, _BLUESKY_IMAGE, _BLUESKY_EDGE, alt_required=True,
                aspect_ratio_required=True,
            ),
        ),
    )),
    ("mastodon", Platform(
        "Mastodon", 500, "characters_urls_23", 1_500, _SOURCES["mastodon"],
        image_formats=(ImageFormat("media_attachments", 4, max_bytes=16_777_216),),
    )),
    ("threads", Platform(
        "Threads", 500, "characters_emoji_bytes", None, _SOURCES["threads"],
        image_formats=(ImageFormat("carousel", 20, max_bytes=8_000_000),),
    )),
    ("default", Platform(
        "the default caption", 2_200, "characters", 1_000, _SOURCES["default"],
        image_formats=(ImageFormat("images", 4),),
    )),
)  # fmt: skip
PLATFORMS: Mapping[str, Platform] = MappingProxyType(
    {key: dataclasses.replace(p, media_source=_MEDIA_SOURCES[key]) for key, p in _TABLE}
)
_ALIASES = {"twitter": "x"}


def _key(name: str) -> str:
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in PLATFORMS:
        raise ValueError(f"Unknown platform {name!r}; choose one of: {', '.join(PLATFORMS)}.")
    return key


_EMBED_PREFIX = "app.bsky.embed."


def image_format(platform: str, name: str | None = None) -> ImageFormat:
    """The platform's way of carrying images called `name` (its usual one when None).

    Bluesky's embeds may be named in full (``app.bsky.embed.gallery``). ValueError names the
    formats there are.
    """
    formats = PLATFORMS[_key(platform)].image_formats
    if name is None:
        return formats[0]
    wanted = name.strip().lower().removeprefix(_EMBED_PREFIX)
    for candidate in formats:
        if candidate.name == wanted:
            return candidate
    known = ", ".join(f.name for f in formats)
    raise ValueError(f"{platform} has no image format {name!r}; choose one of: {known}.")


def media_limit(platform: str, embed: str | None = None) -> int:
    """How many images one post may carry on the platform (in that embed, on Bluesky)."""
    return image_format(platform, embed).max_images


def max_image_bytes(platform: str, embed: str | None = None) -> int | None:
    """The largest image file the platform takes, in bytes; None where none is documented."""
    return image_format(platform, embed).max_bytes


def alt_required(platform: str, embed: str | None = None) -> bool:
    """Whether the platform refuses an image without alt text (Vitrine asks for it anyway)."""
    return image_format(platform, embed).alt_required


def aspect_ratio_range(platform: str) -> tuple[float, float] | None:
    """The narrowest and widest width/height the platform takes; None where not limited."""
    return PLATFORMS[_key(platform)].aspect_ratio_range


def image_format_for(platform: str, count: int) -> ImageFormat | None:
    """The first of the platform's image formats that holds `count` images, else None."""
    formats = PLATFORMS[_key(platform)].image_formats
    return next((f for f in formats if count <= f.max_images), None)


@dataclass(frozen=True)
class RatioProblem:
    """An image of a post whose shape the platform refuses ("fail") or changes ("warn")."""

    position: int  # 1-based, in the post's media order
    status: Literal["fail", "warn"]
    reason: str


# A ratio is compared at two decimals, as platforms state them: 1200x628 (1.9108) is 1.91:1.
_RATIO_TOLERANCE = 0.005


def aspect_ratio_problems(platform: str, sizes: Sequence[tuple[int, int]]) -> list[RatioProblem]:
    """The images of a post (width, height, in media order) whose shape the platform refuses
    (outside its range) or changes (a carousel image unlike the first, where the first sets the
    ratio of all); an empty list when every image is accepted as it is."""
    p = PLATFORMS[_key(platform)]
    problems: list[RatioProblem] = []
    ratios = [width / height for width, height in sizes]
    for position, ((width, height), ratio) in enumerate(zip(sizes, ratios, strict=True), 1):
        if p.aspect_ratio_range is not None:
            low, high = p.aspect_ratio_range
            if not low - _RATIO_TOLERANCE <= ratio <= high + _RATIO_TOLERANCE:
                reason = (
                    f"Image {position} is {width}x{height} ({_shown(ratio)}); {p.name} takes"
                    f" {_shown(low)} to {_shown(high)}: choose a preset of that shape."
                )
                problems.append(RatioProblem(position, "fail", reason))
                continue
        unlike_first = position > 1 and abs(ratio - ratios[0]) > _RATIO_TOLERANCE
        if p.carousel_ratio_from_first and unlike_first:
            reason = (
                f"Image {position} is {_shown(ratio)} but image 1 is {_shown(ratios[0])};"
                f" {p.name} crops every image of a carousel to the first one's shape."
            )
            problems.append(RatioProblem(position, "warn", reason))
    return problems


def _shown(ratio: float) -> str:
    return f"{ratio:.2f}:1"
