"""What a campaign's export bundle holds, and where each thing goes in the ZIP.

The bundle is built from these values: a campaign, its posts in time order, each post's media in
carousel order, and each media item rendered once per platform. The manifest, the CSVs and the
payloads are all written from them (``bundle_manifest``, ``scheduler_csv``, ``post_payloads``),
so that every file in the bundle says the same thing. Pure: values in, values out.

Layout (a post's folder is named by its local time, its day's hashtag and its id, so that the
folders sort in posting order):

    manifest.json  posts.csv  sprout-social-<platform>.csv
    2026-06-08_0930_secretsMW_post-12/
        01_Af1935-0711-1_bluesky.jpg     the first image as rendered for Bluesky
        caption-bluesky.txt  alt-text.txt  credits.txt
        mastodon.json  bluesky.json      what a publisher sends to each API
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from service.rules import geometry
from service.rules.filenames import EXTENSIONS, safe_stem
from service.rules.presets import Preset

MANIFEST_FILE = "manifest.json"
POSTS_CSV_FILE = "posts.csv"
ALT_TEXT_FILE = "alt-text.txt"
CREDITS_FILE = "credits.txt"
# The platforms whose APIs the bundle writes a payload for, and that payload's file name.
PAYLOAD_FILES: Mapping[str, str] = {"mastodon": "mastodon.json", "bluesky": "bluesky.json"}


@dataclass(frozen=True)
class Rendition:
    """One media item rendered for one platform: its file in the bundle and its signed URL."""

    platform: str
    preset: str
    file: str  # the path inside the bundle
    url: str  # signed: works without credentials until ``url_expires_at``
    url_expires_at: datetime
    width: int
    height: int
    byte_size: int
    media_type: str
    # The asset's focal point as it falls in this image (a crop moves it), as fractions of
    # the width and height from the top left.
    focus: tuple[float, float]
    overridden: bool  # handed out by a rights manager's override of a failing audit


@dataclass(frozen=True)
class BundleMedia:
    """One image of a post, in carousel order (``position`` from 1)."""

    position: int
    asset_id: int
    object_number: str
    title: str
    alt_text: str
    focus: tuple[float, float]  # the asset's focal point, fractions from the top left
    width: int  # the original's displayed size
    height: int
    credit_line: str  # as the credit policy requires it
    holder: str
    licence_uri: str | None
    renditions: Mapping[str, Rendition]  # by platform


@dataclass(frozen=True)
class BundlePost:
    """One post: when (in the campaign's zone, with its offset), where, what it says and shows."""

    id: int
    scheduled_at: datetime
    day: date
    theme: str
    day_hashtag: str
    platforms: tuple[str, ...]
    channel: str
    status: str  # before the export marks it
    captions: Mapping[str, str]  # by platform
    credits: tuple[str, ...]  # every required credit line, once each, in media order
    media: tuple[BundleMedia, ...]

    @property
    def folder(self) -> str:
        """The post's folder in the bundle, without the trailing slash."""
        return folder_name(self.id, self.scheduled_at, self.day_hashtag)


@dataclass(frozen=True)
class Override:
    """A rights manager's decision to export despite failing cells, kept in the history."""

    reason: str
    by: str
    cells: tuple[Mapping[str, object], ...]


@dataclass(frozen=True)
class BundleCampaign:
    """The campaign as exported: its fields, posts in time order, who exported it and when."""

    id: int
    name: str
    hashtag: str
    cause_tag: str
    timezone: str
    posts: tuple[BundlePost, ...]
    exported_at: datetime
    exported_by: str
    date_format: str  # the Sprout Social CSVs' date format: "dmy" or "mdy"
    override: Override | None = None

    @property
    def platforms(self) -> tuple[str, ...]:
        """The platforms any post goes to, in the order they first appear."""
        return tuple(dict.fromkeys(p for post in self.posts for p in post.platforms))


def folder_name(post_id: int, scheduled_at: datetime, day_hashtag: str) -> str:
    """``2026-06-08_0930_secretsMW_post-12``: local date and time, the day's tag, the post."""
    tag = safe_stem(day_hashtag.lstrip("#"), ascii_only=True)
    when = scheduled_at.strftime("%Y-%m-%d_%H%M")
    return f"{when}_{tag}_post-{post_id}" if tag else f"{when}_post-{post_id}"


def rendition_file(
    folder: str, position: int, object_number: str, asset_id: int, preset: str, media_type: str
) -> str:
    """``<folder>/01_Af1935-0711-1_bluesky.jpg``: carousel position, object, preset."""
    stem = safe_stem(object_number, ascii_only=True) or f"asset-{asset_id}"
    extension = EXTENSIONS.get(media_type, "bin")
    return f"{folder}/{position:02d}_{stem}_{preset}.{extension}"


def caption_file(folder: str, platform: str) -> str:
    """The file holding the post's caption for ``platform``."""
    return f"{folder}/caption-{platform}.txt"


def sprout_social_file(platform: str) -> str:
    """The Sprout Social CSV of one platform's posts (one import per profile)."""
    return f"sprout-social-{platform}.csv"


def payload_file(folder: str, platform: str) -> str:
    """The file holding the post's API payload for ``platform`` (Mastodon, Bluesky)."""
    return f"{folder}/{PAYLOAD_FILES[platform]}"


def focus_in_image(
    source_size: tuple[int, int], preset: Preset, focal: tuple[float, float]
) -> tuple[float, float]:
    """Where the focal point ``focal`` of a source of ``source_size`` falls in the image
    ``preset`` makes of it, as fractions from the top left: a cover crop moves it, a padded
    ``contain`` shrinks it towards the centre; clamped to the image."""
    plan = geometry.plan(source_size, preset, focal)
    left, top, right, bottom = plan.crop
    fractions = []
    for axis, (start, end) in enumerate(((left, right), (top, bottom))):
        in_crop = (focal[axis] * source_size[axis] - start) / (end - start)
        on_canvas = (plan.offset[axis] + in_crop * plan.size[axis]) / plan.canvas[axis]
        fractions.append(min(1.0, max(0.0, on_canvas)))
    return fractions[0], fractions[1]


def alt_text_document(post: BundlePost) -> str:
    """The post's alt text, an entry per image in carousel order."""
    entries = [
        f"{item.position}. {item.title or item.object_number or f'asset {item.asset_id}'}\n"
        f"{item.alt_text}\n"
        for item in post.media
    ]
    return "\n".join(entries)


def credits_document(post: BundlePost) -> str:
    """The post's credit lines, one a line, in media order."""
    return "".join(f"{line}\n" for line in post.credits)
