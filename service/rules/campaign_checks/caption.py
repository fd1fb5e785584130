"""The checks of a post's caption for a platform: written, within the platform's count, and
what composing it cut (each image's credit in it is checked with the rights, in ``rights``)."""

from __future__ import annotations

from service.rules import captions
from service.rules.audit import Finding
from service.rules.campaign_checks.posts import PostOnPlatform
from service.rules.campaign_checks.results import Fix, Result, judged


def caption_written(post: PostOnPlatform) -> Result:
    """The post has a caption for the platform."""
    fix = Fix("post_caption", post.post_id, None, post.platform, None, "caption")
    if post.caption.text.strip():
        how = "hand-written" if post.caption.mode == "manual" else "composed from the template"
        finding = Finding("caption_written", "pass", post.caption.mode, f"The caption is {how}.")
        return judged(post, None, "caption", finding, None)
    reason = f"The caption for {captions.PLATFORMS[post.platform].name} is empty."
    return judged(post, None, "caption", Finding("caption_written", "fail", "empty", reason), fix)


def caption_within_limit(post: PostOnPlatform) -> Result:
    """The caption fits the platform, counted as it counts (and within Bluesky's byte cap).

    A composed caption has already lost what may be cut (the description, then the objects'
    hashtags); the theme, title, credits and the campaign's hashtags are never cut, so a
    caption still too long must be shortened by hand or lose an image."""
    name = "caption_within_limit"
    caption, platform = post.caption, captions.PLATFORMS[post.platform]
    fix = Fix("post_caption", post.post_id, None, post.platform, None, "caption")
    size = len(caption.text.encode())
    over_bytes = platform.byte_limit is not None and size > platform.byte_limit
    if caption.fits and not over_bytes:
        reason = f"{caption.length:,} of {caption.limit:,} as {platform.name} counts."
        return judged(post, None, "caption", Finding(name, "pass", "fits", reason), None)
    parts = []
    if caption.length > caption.limit:
        parts.append(
            f"{caption.length:,} of {caption.limit:,} as {platform.name} counts:"
            f" over by {caption.length - caption.limit:,}."
        )
    if over_bytes:
        parts.append(f"{size:,} bytes of UTF-8, over {platform.name}'s {platform.byte_limit:,}.")
    if caption.mode == "template":
        parts.append(
            "The credits, theme, title and campaign hashtags are never cut: write the caption"
            " by hand, or move an image to another post."
        )
    else:
        parts.append("Shorten it; every credit must stay, word for word.")
    return judged(post, None, "caption", Finding(name, "fail", "too_long", " ".join(parts)), fix)


def caption_not_cut(post: PostOnPlatform) -> Result:
    """What composing the caption cut to fit: a warning, so that someone reads what is left
    (the credits are never among it)."""
    name = "caption_not_cut"
    cut = post.caption.shortened
    if not cut:
        finding = Finding(name, "pass", "whole", "Nothing was cut to fit.")
        return judged(post, None, "caption", finding, None)
    what = " and ".join(
        {"description": "the description", "hashtags": "some of the objects' hashtags"}.get(
            item, item
        )
        for item in cut
    )
    reason = (
        f"To fit {captions.PLATFORMS[post.platform].name}, {what} was cut; the credits were"
        " kept whole. Read it, or write the caption by hand."
    )
    fix = Fix("post_caption", post.post_id, None, post.platform, None, "caption")
    return judged(post, None, "caption", Finding(name, "warn", "shortened", reason), fix)
