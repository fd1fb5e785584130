"""The bundle's ``manifest.json``: the whole campaign as one neutral document.

Its JSON Schema ships as ``service/data/campaign-bundle-manifest.schema.json`` (draft 2020-12)
and is versioned by ``MANIFEST_VERSION``. Times are ISO 8601 with their offset (posts in the
campaign's zone, the export in UTC); each post lists its media in carousel order with, per
platform, the file in the bundle and its signed URL; focus points are fractions from the top
left (Mastodon's, turned over, are in ``mastodon.json``).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from typing import Any

from service.rules import bundle_contents as contents
from service.rules.bundle_contents import BundleCampaign, BundleMedia, BundlePost, Rendition
from service.rules.scheduler_csv import (
    ALT_TEXT_SEPARATOR,
    DATE_FORMAT_NAMES,
    GENERIC_HEADERS,
    MEDIA_URL_SEPARATOR,
    SPROUT_SOCIAL_HEADERS,
)

MANIFEST_FORMAT = "vitrine-campaign-bundle"
MANIFEST_VERSION = 1
SCHEMA_FILE = "campaign-bundle-manifest.schema.json"  # in service/data


def manifest(campaign: BundleCampaign) -> dict[str, Any]:
    """The manifest of ``campaign``'s bundle."""
    return {**_head(campaign), "posts": [_post(post) for post in campaign.posts]}


def manifest_json(campaign: BundleCampaign) -> Iterator[str]:
    """``manifest`` as indented JSON, a post at a time: a long campaign's manifest is never
    held whole, as a document or as text."""
    head = json.dumps({**_head(campaign), "posts": []}, ensure_ascii=False, indent=2)
    before, after = head.rsplit('"posts": []', 1)  # the last key: the posts go in its place
    yield before + '"posts": ['
    for index, post in enumerate(campaign.posts):
        text = json.dumps(_post(post), ensure_ascii=False, indent=2)
        yield ("," if index else "") + "\n" + textwrap.indent(text, "    ")
    yield ("\n  ]" if campaign.posts else "]") + after + "\n"


def _head(campaign: BundleCampaign) -> dict[str, Any]:
    """Everything of the manifest but its posts."""
    platforms = campaign.platforms
    return {
        "format": MANIFEST_FORMAT,
        "version": MANIFEST_VERSION,
        "campaign": {
            "id": campaign.id,
            "name": campaign.name,
            "hashtag": campaign.hashtag,
            "cause_tag": campaign.cause_tag,
            "timezone": campaign.timezone,
        },
        "exported_at": campaign.exported_at.isoformat(),
        "exported_by": campaign.exported_by,
        "override": _override(campaign),
        "files": {
            "posts_csv": {
                "file": contents.POSTS_CSV_FILE,
                "headers": list(GENERIC_HEADERS),
                "media_url_separator": MEDIA_URL_SEPARATOR,
                "alt_text_separator": ALT_TEXT_SEPARATOR,
            },
            "sprout_social": {
                "headers": list(SPROUT_SOCIAL_HEADERS),
                "date_format": DATE_FORMAT_NAMES[campaign.date_format],
                "timezone": campaign.timezone,
                "files": {p: contents.sprout_social_file(p) for p in platforms},
            },
        },
    }


def _override(campaign: BundleCampaign) -> dict[str, Any] | None:
    if campaign.override is None:
        return None
    return {
        "reason": campaign.override.reason,
        "by": campaign.override.by,
        "cells": [dict(cell) for cell in campaign.override.cells],
    }


def _post(post: BundlePost) -> dict[str, Any]:
    folder = post.folder
    return {
        "id": post.id,
        "folder": folder + "/",
        "scheduled_at": post.scheduled_at.isoformat(),
        "day": {
            "date": post.day.isoformat(),
            "theme": post.theme,
            "hashtag": post.day_hashtag,
        },
        "platforms": list(post.platforms),
        "channel": post.channel,
        "status": post.status,
        "captions": {
            platform: {
                "text": post.captions.get(platform, ""),
                "file": contents.caption_file(folder, platform),
            }
            for platform in post.platforms
        },
        "credits": list(post.credits),
        "credits_file": f"{folder}/{contents.CREDITS_FILE}",
        "alt_text_file": f"{folder}/{contents.ALT_TEXT_FILE}",
        "media": [_media(item) for item in post.media],
        "payloads": {
            platform: contents.payload_file(folder, platform)
            for platform in post.platforms
            if platform in contents.PAYLOAD_FILES
        },
    }


def _media(item: BundleMedia) -> dict[str, Any]:
    return {
        "position": item.position,
        "asset_id": item.asset_id,
        "object_number": item.object_number,
        "title": item.title,
        "alt_text": item.alt_text,
        "focus": {"x": item.focus[0], "y": item.focus[1]},
        "aspect_ratio": {"width": item.width, "height": item.height},
        "credit_line": item.credit_line,
        "holder": item.holder,
        "licence_uri": item.licence_uri,
        "renditions": {
            platform: _rendition(rendition) for platform, rendition in item.renditions.items()
        },
    }


def _rendition(rendition: Rendition) -> dict[str, Any]:
    return {
        "preset": rendition.preset,
        "file": rendition.file,
        "url": rendition.url,
        "url_expires_at": rendition.url_expires_at.isoformat(),
        "media_type": rendition.media_type,
        "width": rendition.width,
        "height": rendition.height,
        "aspect_ratio": {"width": rendition.width, "height": rendition.height},
        "bytes": rendition.byte_size,
        "focus": {"x": rendition.focus[0], "y": rendition.focus[1]},
        "overridden": rendition.overridden,
    }
