"""The campaign audit's checks: every post, on every platform it goes to, image by image.

Pure: values in (what ``services/campaign_audit`` read of the posts, their assets and the
presets: ``posts``), results out (``results``). Each result says pass, warn or fail with a
reason for people, which group of the grid it belongs to (rights, people, caption, alt text,
media, schedule), and where the fix is (``Fix``: the asset's rights or people, the post's
caption for a platform, an image's alt text, the post's media or its time), so that a page
can link to the field.

The checks, one module per group of them: ``rights`` (the asset audit's own,
``rules/audit.CHECKS``, run on each image with the post's caption and the image's alt text,
its ``people_consent`` in the group "people", and each image's credit in the caption),
``caption`` (written, its length, what composing cut), ``alt_text`` (its limit), ``media``
(image counts, presets, shapes) and ``schedule``. This package runs them all, and re-exports
what callers use, so that ``checks.check_post(...)`` reads as it did when it was one module.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from service.rules.campaign_checks.alt_text import alt_text_within_limit
from service.rules.campaign_checks.caption import (
    caption_not_cut,
    caption_within_limit,
    caption_written,
)
from service.rules.campaign_checks.media import (
    aspect_ratio_results,
    asset_live,
    media_count_within_limit,
    preset_fits_platform,
)
from service.rules.campaign_checks.posts import (
    Medium,
    PostCaptionFacts,
    PostOnPlatform,
    Timing,
    timings,
)
from service.rules.campaign_checks.results import (
    CSV_COLUMNS,
    FIX_KINDS,
    GROUPS,
    Fix,
    FixKind,
    Group,
    Result,
    cells,
    csv_rows,
    fix_dict,
    result_dict,
    summary,
    worst,
)
from service.rules.campaign_checks.rights import credit_in_caption, rights_checks
from service.rules.campaign_checks.schedule import spaced_from_previous, time_in_campaign

__all__ = [
    "CSV_COLUMNS",
    "FIX_KINDS",
    "GROUPS",
    "MEDIUM_CHECKS",
    "POST_CHECKS",
    "SCHEDULE_CHECKS",
    "Fix",
    "FixKind",
    "Group",
    "Medium",
    "PostCaptionFacts",
    "PostOnPlatform",
    "Result",
    "Timing",
    "alt_text_within_limit",
    "aspect_ratio_results",
    "asset_live",
    "caption_not_cut",
    "caption_within_limit",
    "caption_written",
    "cells",
    "check_post",
    "check_schedule",
    "credit_in_caption",
    "csv_rows",
    "fix_dict",
    "media_count_within_limit",
    "preset_fits_platform",
    "result_dict",
    "rights_checks",
    "spaced_from_previous",
    "summary",
    "time_in_campaign",
    "timings",
    "worst",
]

MEDIUM_CHECKS: Sequence[Callable[[PostOnPlatform, Medium], Result]] = (
    credit_in_caption,
    asset_live,
    preset_fits_platform,
    alt_text_within_limit,
)
POST_CHECKS: Sequence[Callable[[PostOnPlatform], Result]] = (
    caption_written,
    caption_within_limit,
    caption_not_cut,
    media_count_within_limit,
)
SCHEDULE_CHECKS: Sequence[Callable[[Timing], Result]] = (time_in_campaign, spaced_from_previous)


def check_post(post: PostOnPlatform) -> list[Result]:
    """Every check of one post on one platform: the post's own, then image by image."""
    results = [check(post) for check in POST_CHECKS]
    for medium in post.media:
        results += rights_checks(post, medium)
        results += [check(post, medium) for check in MEDIUM_CHECKS]
    results += aspect_ratio_results(post)
    return results


def check_schedule(timing: Timing) -> list[Result]:
    """The schedule's checks of one post on one platform."""
    return [check(timing) for check in SCHEDULE_CHECKS]
