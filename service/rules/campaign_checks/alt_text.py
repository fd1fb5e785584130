"""The alt-text check of each image: within the platform's limit (its presence is the asset
audit's, in ``rights``)."""

from __future__ import annotations

from service.rules import captions
from service.rules.audit import Finding
from service.rules.campaign_checks.posts import Medium, PostOnPlatform
from service.rules.campaign_checks.results import Fix, Result, judged


def alt_text_within_limit(post: PostOnPlatform, medium: Medium) -> Result:
    """The image's alt text fits the platform's limit (counted in code points, which are
    never fewer than the graphemes some platforms count)."""
    limit = captions.PLATFORMS[post.platform].alt_text_limit
    length = len(medium.alt_text)
    name = captions.PLATFORMS[post.platform].name
    if limit is None:
        reason = f"{name} documents no alt-text limit ({length:,} characters)."
        finding = Finding("alt_text_within_limit", "pass", "no_limit", reason)
    elif length <= limit:
        reason = f"{length:,} of {limit:,} characters."
        finding = Finding("alt_text_within_limit", "pass", "within", reason)
    else:
        whose = "the post's" if medium.alt_from_post else "the asset's"
        reason = (
            f"Image {medium.position + 1}'s alt text ({whose}) is {length:,} characters,"
            f" over {name}'s limit of {limit:,} by {length - limit:,}."
        )
        finding = Finding("alt_text_within_limit", "fail", "too_long", reason)
    fix = Fix("post_alt_text", post.post_id, medium.asset_id, None, medium.position, "alt_text")
    return judged(post, medium.position, "alt_text", finding, fix)
