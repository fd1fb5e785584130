"""What a publisher sends for a post: Mastodon's media and status parameters, a Bluesky record.

Mastodon (``mastodon/documentation`` @2026-07-02, via shared/campaigns.md §2): each image goes
to ``POST /api/v2/media`` with ``file``, ``description`` (alt text; 1,500 characters on a default
server) and ``focus`` ("Two floating points (x,y), comma-delimited, ranging from -1.0 to 1.0"),
then ``POST /api/v1/statuses`` takes ``status`` and ``media_ids[]`` in carousel order. Mastodon's
focus has y pointing up (0,0 the centre, -1,1 the top left); Vitrine's focal point is a
fraction from the top left, so y is turned over.

Bluesky (the lexicons of ``@atproto/api`` 0.20.44, as the PDS of ``make test`` enforces them):
an ``app.bsky.feed.post`` record with ``text`` (≤ 300 graphemes, ≤ 3,000 bytes), ``createdAt``
and an embed: ``app.bsky.embed.images`` for up to 4 images (each ``image`` blob ≤ 2,000,000
bytes, ``alt`` required, ``aspectRatio`` optional and always given here), or
``app.bsky.embed.gallery`` beyond 4 (``items`` of ``app.bsky.embed.gallery#image``, each with
``image``, ``alt`` and ``aspectRatio`` required; the lexicon allows 20 and asks authoring
clients for at most 10). A blob exists only once uploaded (``com.atproto.repo.uploadBlob``), so
the record holds a placeholder where each goes, and ``blobs`` says which bundle file to upload
for it. Hashtags and links become facets, without which Bluesky shows them as plain text.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from typing import Any

# `regex` ships no type information; it is here for Unicode properties (\p{...}) and \X.
import regex  # type: ignore[import-untyped,unused-ignore]

from service.rules import captions
from service.rules.bundle_contents import BundlePost, Rendition

# The platforms' limits, as the platforms table has them with their sources.
MASTODON_DESCRIPTION_LIMIT = captions.PLATFORMS["mastodon"].alt_text_limit or 1_500
MASTODON_MEDIA_LIMIT = captions.media_limit("mastodon")  # a default server's; each may differ
BLUESKY_TEXT_GRAPHEMES = captions.PLATFORMS["bluesky"].caption_limit  # 300
BLUESKY_TEXT_BYTES = captions.PLATFORMS["bluesky"].byte_limit or 3_000
BLUESKY_IMAGES = captions.media_limit("bluesky", "images")  # 4
BLUESKY_GALLERY = captions.media_limit("bluesky", "gallery")  # 10 (the lexicon's 20 later)
BLUESKY_TAG_GRAPHEMES = 64  # app.bsky.richtext.facet#tag maxGraphemes
BLUESKY_POST = "app.bsky.feed.post"
BLUESKY_EMBED = "app.bsky.embed."
BLUESKY_GALLERY_IMAGE = "app.bsky.embed.gallery#image"
BLOB_PLACEHOLDER = "bundle:"  # the placeholder blob's ref names the bundle file to upload

# A hashtag as Bluesky's clients detect one: after a space or the start, letters, marks,
# digits and "_", with at least one letter; a link: an http(s) URL up to the next space, less
# any closing punctuation.
_HASHTAG = regex.compile(r"(?<!\S)#([\p{L}\p{M}\p{Nd}_]*\p{L}[\p{L}\p{M}\p{Nd}_]*)")
_LINK = regex.compile(r"(?<!\S)https?://\S+")
_TRAILING = ".,;:!?)]}'\""


def mastodon_focus(focus: tuple[float, float]) -> str:
    """Mastodon's ``focus`` for a focal point given as fractions from the top left."""
    x, y = (min(1.0, max(0.0, value)) for value in focus)
    return f"{2 * x - 1:.2f},{1 - 2 * y:.2f}".replace("-0.00", "0.00")


def mastodon_payload(post: BundlePost) -> dict[str, Any]:
    """The post's Mastodon calls: one media upload per image in order, then the status."""
    media = []
    for item in post.media:
        rendition = item.renditions["mastodon"]
        media.append(
            {
                "file": rendition.file,
                "url": rendition.url,
                "description": item.alt_text,
                "focus": mastodon_focus(rendition.focus),
            }
        )
    problems = [
        f"image {item.position}: the description has {len(item.alt_text)} characters; "
        f"Mastodon takes {MASTODON_DESCRIPTION_LIMIT}"
        for item in post.media
        if len(item.alt_text) > MASTODON_DESCRIPTION_LIMIT
    ]
    if len(post.media) > MASTODON_MEDIA_LIMIT:
        problems.append(
            f"{len(post.media)} images: a default Mastodon server takes {MASTODON_MEDIA_LIMIT}"
        )
    return {
        "scheduled_at": post.scheduled_at.isoformat(),
        "media_endpoint": "POST /api/v2/media",
        "media": media,
        "status_endpoint": "POST /api/v1/statuses",
        "status": {
            "status": post.captions.get("mastodon", ""),
            # Each is the id the media upload of the same position answers with.
            "media_ids": [f"{{media[{index}].id}}" for index in range(len(media))],
        },
        "problems": problems,
    }


def bluesky_payload(post: BundlePost) -> dict[str, Any]:
    """The post's Bluesky record, the blobs to upload into it, and what a PDS would refuse."""
    text = post.captions.get("bluesky", "")
    embed = _bluesky_embed(len(post.media))
    gallery = embed == "gallery"
    items, blobs = [], []
    for index, item in enumerate(post.media):
        rendition = item.renditions["bluesky"]
        entry: dict[str, Any] = {"$type": BLUESKY_GALLERY_IMAGE} if gallery else {}
        entry |= {
            "image": _placeholder(rendition),
            "alt": item.alt_text,
            "aspectRatio": {"width": rendition.width, "height": rendition.height},
        }
        items.append(entry)
        where = "items" if gallery else "images"
        blobs.append(
            {
                "file": rendition.file,
                "mimeType": rendition.media_type,
                "size": rendition.byte_size,
                "pointer": f"/embed/{where}/{index}/image",
            }
        )
    record: dict[str, Any] = {
        "$type": BLUESKY_POST,
        "text": text,
        "createdAt": post.scheduled_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
    }
    facets = bluesky_facets(text)
    if facets:
        record["facets"] = facets
    if items:
        record["embed"] = {"$type": BLUESKY_EMBED + embed, "items" if gallery else "images": items}
    return {
        "collection": BLUESKY_POST,
        "record": record,
        "blobs": blobs,
        "problems": bluesky_problems(text, post),
    }


def _bluesky_embed(count: int) -> str:
    """The embed that carries ``count`` images: ``images`` up to 4, ``gallery`` beyond."""
    fits = captions.image_format_for("bluesky", count)
    return fits.name if fits is not None else "gallery"


def _placeholder(rendition: Rendition) -> dict[str, Any]:
    """A blob of the right type and size whose ref names the file that replaces it."""
    return {
        "$type": "blob",
        "ref": {"$link": BLOB_PLACEHOLDER + rendition.file},
        "mimeType": rendition.media_type,
        "size": rendition.byte_size,
    }


def bluesky_problems(text: str, post: BundlePost) -> list[str]:
    """What a PDS (or Bluesky's clients) would refuse in the post's record."""
    problems = []
    embed = _bluesky_embed(len(post.media))
    most_bytes = captions.max_image_bytes("bluesky", embed)
    graphemes = captions.count_length("bluesky", text)
    if graphemes > BLUESKY_TEXT_GRAPHEMES:
        problems.append(f"the text has {graphemes} graphemes; Bluesky takes 300")
    if len(text.encode()) > BLUESKY_TEXT_BYTES:
        problems.append(f"the text has {len(text.encode())} bytes; Bluesky takes 3,000")
    if len(post.media) > BLUESKY_GALLERY:
        problems.append(f"{len(post.media)} images: Bluesky posts at most {BLUESKY_GALLERY}")
    for item in post.media:
        size = item.renditions["bluesky"].byte_size
        if most_bytes is not None and size > most_bytes:
            problems.append(
                f"image {item.position} has {size:,} bytes; Bluesky takes {most_bytes:,}"
            )
        if not item.alt_text.strip():
            problems.append(f"image {item.position} has no alt text, which Bluesky requires")
    return problems


def bluesky_facets(text: str) -> list[dict[str, Any]]:
    """Facets for the text's hashtags and links, by UTF-8 byte offsets as Bluesky counts."""
    facets = []
    for match in _HASHTAG.finditer(text):
        tag = match.group(1)
        if len(regex.findall(r"\X", tag)) > BLUESKY_TAG_GRAPHEMES:
            continue
        facets.append(_facet(text, match.start(), match.end(), {"tag": tag}, "tag"))
    for match in _LINK.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        end = match.start() + len(url)
        facets.append(_facet(text, match.start(), end, {"uri": url}, "link"))
    return sorted(facets, key=lambda facet: facet["index"]["byteStart"])


def _facet(
    text: str, start: int, end: int, feature: Mapping[str, str], kind: str
) -> dict[str, Any]:
    byte_start = len(text[:start].encode())
    byte_end = byte_start + len(text[start:end].encode())
    return {
        "index": {"byteStart": byte_start, "byteEnd": byte_end},
        "features": [{"$type": f"app.bsky.richtext.facet#{kind}", **feature}],
    }
