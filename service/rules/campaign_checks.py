"""The campaign audit's checks: every post, on every platform it goes to, image by image.

Pure: values in (what ``services/campaign_audit`` read of the posts, their assets and the
presets), results out. Each result says pass, warn or fail with a reason for people, which
group of the grid it belongs to (rights, caption, alt text, media, schedule), and where the
fix is (``Fix``: the asset's rights, the post's caption for a platform, an image's alt text,
the post's media or its time), so that a page can link to the field.

The rights checks are the asset audit's own (``rules/audit.CHECKS``), run on each image with
the post's caption and the image's alt text; the caption's length, the credits of every
image, alt-text limits, image counts, shapes and the schedule are checked here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Literal, get_args

from service.rules import audit, captions, credits, geometry
from service.rules.audit import Finding, Status
from service.rules.presets import Preset

Group = Literal["rights", "caption", "alt_text", "media", "schedule"]
GROUPS: tuple[Group, ...] = get_args(Group)
FixKind = Literal[
    "asset_rights", "asset", "post_caption", "post_alt_text", "post_media", "post_time"
]
FIX_KINDS: tuple[str, ...] = get_args(FixKind)
_WORST = {"pass": 0, "warn": 1, "fail": 2}


@dataclass(frozen=True)
class Fix:
    """Where a result is put right: the kind of field, and the ids that find it.

    asset_rights: the asset's rights record (``field`` names the column); asset: the asset
    itself (its file's embedded metadata); post_caption: the post's caption for ``platform``;
    post_alt_text: the alt text of the image at ``position``; post_media: the post's images
    (and their presets); post_time: when the post goes out.
    """

    kind: FixKind
    post_id: int | None = None
    asset_id: int | None = None
    platform: str | None = None
    position: int | None = None
    field: str | None = None


@dataclass(frozen=True)
class Result:
    """One check of one post on one platform, for one image (``position``, from 0) or the
    post as a whole (None)."""

    post_id: int
    platform: str
    position: int | None
    group: Group
    check: str
    status: Status
    code: str
    reason: str
    fix: Fix | None  # None when it passed: nothing to put right


@dataclass(frozen=True)
class Medium:
    """One image of a post as one platform will get it."""

    position: int  # from 0, in carousel order
    asset_id: int
    live: bool  # False: the asset was deleted after it was planned
    preset_name: str
    preset: Preset | None  # None: no preset of that name is in force
    source_size: tuple[int, int]  # the asset's, upright
    focal: tuple[float, float]
    alt_text: str
    alt_from_post: bool  # the post's own alt text, not the asset's
    subject: audit.AuditInput  # the rights checks' input: post caption, this alt text

    @property
    def rendered_size(self) -> tuple[int, int] | None:
        """The size the preset renders this image at (None without a preset): a cover or
        contain preset's box, a within preset's scaled source."""
        if self.preset is None:
            return None
        return geometry.plan(self.source_size, self.preset, self.focal).canvas


@dataclass(frozen=True)
class PostCaptionFacts:
    """The post's caption for the platform, as composed or written, and its count."""

    text: str
    mode: Literal["manual", "template"]
    length: int
    limit: int
    fits: bool
    shortened: tuple[str, ...]  # what composing cut: "description", "hashtags"


@dataclass(frozen=True)
class PostOnPlatform:
    """A post as one platform gets it: its caption, its images in order."""

    post_id: int
    platform: str
    caption: PostCaptionFacts
    media: tuple[Medium, ...]
    # Bluesky: the embed the post must use ("images", "gallery"); None: the first that holds
    # the images. Other platforms have one way of carrying images.
    embed: str | None = None
    # The day the post goes out: the licence must still run then.
    post_date: date | None = None


@dataclass(frozen=True)
class Timing:
    """When a post goes out on a platform, and the post before it there."""

    post_id: int
    platform: str
    at: datetime  # in the campaign's time zone
    day: date  # the day the post is planned under
    campaign_days: tuple[date, ...]
    previous: tuple[int, datetime] | None  # the previous post on this platform: id, time
    min_spacing: timedelta


# --- the rights checks, image by image -------------------------------------------------------

# The asset audit's checks, the group of the grid each belongs to, and the field that fixes a
# failure. The caption's length is judged once for the post (``caption_within_limit``), and
# each image's credit by ``credit_in_caption``, which knows the post's other credits.
_OWN_CHECKS: Mapping[str, tuple[Group, FixKind, str]] = {
    "rights_status_cleared": ("rights", "asset_rights", "status"),
    "licence_allows_channel": ("rights", "asset_rights", "channels"),
    "not_embargoed": ("rights", "asset_rights", "embargo_until"),
    "not_expired": ("rights", "asset_rights", "expires_at"),
    "holder_known_to_policy": ("rights", "asset_rights", "holder"),
    "credit_line_in_embedded_metadata": ("rights", "asset", "metadata"),
    "alt_text_present": ("alt_text", "post_alt_text", "alt_text"),
}


def rights_checks(post: PostOnPlatform, medium: Medium) -> list[Result]:
    """The asset audit's checks on one image, as this post carries it on this platform."""
    subject = medium.subject
    results = []
    for check in audit.CHECKS:
        placed = _OWN_CHECKS.get(check.__name__)
        if placed is None:
            continue
        if check is audit.not_expired and post.post_date and post.post_date > subject.today:
            # The licence must run until the post goes out, not only until today.
            finding = _by_post_date(replace(subject, today=post.post_date), post.post_date)
        else:
            finding = check(subject)
        group, kind, field = placed
        fix = _own_fix(post, medium, kind, field, finding)
        results.append(_result(post, medium.position, group, finding, fix))
    return results


def _by_post_date(subject: audit.AuditInput, on: date) -> Finding:
    """``not_expired`` on the day the post goes out, saying so."""
    finding = audit.not_expired(subject)
    if finding.status == "fail":
        reason = f"{finding.reason[:-1]}, before the post goes out on {on.isoformat()}."
        return replace(finding, reason=reason)
    return finding


def _own_fix(
    post: PostOnPlatform, medium: Medium, kind: FixKind, field: str, finding: Finding
) -> Fix:
    if finding.code == "no_licence":
        field = "licence_uri"
    elif finding.code == "no_credit_line":  # the record lacks it, not the file
        kind, field = "asset_rights", "credit_line"
    if kind == "post_alt_text":
        return Fix(kind, post.post_id, medium.asset_id, None, medium.position, field)
    return Fix(kind, asset_id=medium.asset_id, field=field)


def credit_in_caption(post: PostOnPlatform, medium: Medium) -> Result:
    """The post's caption carries this image's required credit line word for word (as the
    asset audit's ``credit_line_in_caption`` judges it). Another image's credit found in its
    place is not a "conflicting" credit: this one is simply missing."""
    name = "credit_line_in_caption"
    required = audit.required_credit(medium.subject)
    image = f"image {medium.position + 1}"
    if not required:
        reason = f"No credit line is known for {image}: give its rights a credit line."
        finding = Finding(name, "fail", "no_credit_line", reason)
        fix = Fix("asset_rights", asset_id=medium.asset_id, field="credit_line")
        return _result(post, medium.position, "caption", finding, fix)
    match = credits.match_credit(required, post.caption.text)
    fix = Fix("post_caption", post.post_id, medium.asset_id, post.platform, medium.position,
              "caption")  # fmt: skip
    if match.outcome == "exact":
        finding = Finding(name, "pass", "exact", f"The caption credits {image}: {required}")
        return _result(post, medium.position, "caption", finding, None)
    others = {
        credits.holder_of(audit.required_credit(other.subject))
        for other in post.media
        if other.position != medium.position
    } - {credits.holder_of(required)}
    if match.found is None or credits.holder_of(match.found) in others:
        reason = f'The caption lacks "{required}", the credit line of {image}.'
        finding = Finding(name, "fail", "missing", reason)
    else:
        finding = Finding(name, "fail", match.outcome, f"{match.reason} (The credit of {image}.)")
    return _result(post, medium.position, "caption", finding, fix)


# --- alt text --------------------------------------------------------------------------------


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
    return _result(post, medium.position, "alt_text", finding, fix)


# --- the images ------------------------------------------------------------------------------


def asset_live(post: PostOnPlatform, medium: Medium) -> Result:
    """The image's asset still exists (it may have been deleted since it was planned)."""
    if medium.live:
        finding = Finding("asset_live", "pass", "live", "The asset is in the library.")
    else:
        reason = f"Image {medium.position + 1}'s asset {medium.asset_id} was deleted: replace it."
        finding = Finding("asset_live", "fail", "deleted", reason)
    fix = Fix("post_media", post.post_id, medium.asset_id, None, medium.position, "media")
    return _result(post, medium.position, "media", finding, fix)


def preset_fits_platform(post: PostOnPlatform, medium: Medium) -> Result:
    """The image's preset is in force, and its size and byte budget are within what the
    platform takes (an admin may have changed a preset)."""
    name = "preset_fits_platform"
    shown = captions.PLATFORMS[post.platform].name
    fix = Fix("post_media", post.post_id, medium.asset_id, post.platform, medium.position,
              "presets")  # fmt: skip
    preset = medium.preset
    if preset is None:
        reason = f"There is no preset {medium.preset_name!r} for image {medium.position + 1}."
        return _result(post, medium.position, "media", Finding(name, "fail", "no_preset", reason),
                       fix)  # fmt: skip
    form = _image_format(post)
    problems = []
    cap = form.max_bytes if form is not None else None
    if cap is not None and (preset.max_bytes is None or preset.max_bytes > cap):
        budget = "no byte budget" if preset.max_bytes is None else f"{preset.max_bytes:,} B"
        problems.append(f"its budget ({budget}) is over {shown}'s {cap:,} B")
    if form is not None and form.max_edge is not None:
        edge = max(medium.rendered_size or (preset.width, preset.height))
        if edge > form.max_edge:
            problems.append(f"its {edge:,} px edge is over {shown}'s {form.max_edge:,} px")
    if problems:
        reason = f"The preset {preset.name!r}: " + "; ".join(problems) + ": choose another."
        return _result(post, medium.position, "media", Finding(name, "fail", "over_limit", reason),
                       fix)  # fmt: skip
    reason = f"{preset.name} is within what {shown} takes."
    return _result(post, medium.position, "media", Finding(name, "pass", "within", reason), None)


def media_count_within_limit(post: PostOnPlatform) -> Result:
    """The post carries no more images than the platform takes in one post (on Bluesky, in
    the embed it uses: 4 in ``app.bsky.embed.images``, 10 in ``app.bsky.embed.gallery``)."""
    name = "media_count_within_limit"
    count = len(post.media)
    platform = captions.PLATFORMS[post.platform]
    fix = Fix("post_media", post.post_id, None, post.platform, None, "media")
    if count == 0:
        reason = f"The post has no images; a {platform.name} post of the campaign shows one."
        return _result(post, None, "media", Finding(name, "warn", "no_media", reason), fix)
    formats = platform.image_formats
    if not formats:
        reason = f"{count} image(s); no limit is known for {platform.name}."
        return _result(post, None, "media", Finding(name, "pass", "no_limit", reason), None)
    most = max(form.max_images for form in formats)
    chosen = (
        captions.image_format(post.platform, post.embed)
        if post.embed is not None
        else captions.image_format_for(post.platform, count)
    )
    if chosen is None or count > chosen.max_images:
        held_by = captions.image_format_for(post.platform, count)
        if chosen is not None and held_by is not None:
            reason = (
                f"{count} images: {_format_name(post.platform, chosen)} takes at most"
                f" {chosen.max_images}. Use {_format_name(post.platform, held_by)} (up to"
                f" {held_by.max_images}), or split the post."
            )
        else:
            reason = (
                f"{count} images: {platform.name} takes at most {most} in one post; split the post."
            )
        return _result(post, None, "media", Finding(name, "fail", "too_many", reason), fix)
    reason = f"{count} of {chosen.max_images} images"
    if len(formats) > 1:
        reason += f" in {_format_name(post.platform, chosen)}"
    return _result(post, None, "media", Finding(name, "pass", "within", reason + "."), None)


def aspect_ratio_results(post: PostOnPlatform) -> list[Result]:
    """Each image's shape as rendered: within the platform's range, and in a carousel whose
    first image sets the shape of all (Instagram), the first one's shape."""
    sized = [(medium, medium.rendered_size) for medium in post.media]
    known = [(medium, size) for medium, size in sized if size is not None]
    problems = {
        problem.position: problem
        for problem in captions.aspect_ratio_problems(post.platform, [s for _, s in known])
    }
    results = []
    for index, (medium, size) in enumerate(known, 1):
        fix = Fix("post_media", post.post_id, medium.asset_id, post.platform, medium.position,
                  "presets")  # fmt: skip
        problem = problems.get(index)
        if problem is None:
            width, height = size
            shape = f"{width}x{height} ({width / height:.2f}:1)"
            reason = f"{shape} as {medium.preset_name} renders it."
            finding = Finding("aspect_ratio_accepted", "pass", "accepted", reason)
            results.append(_result(post, medium.position, "media", finding, None))
            continue
        code = "out_of_range" if problem.status == "fail" else "unlike_first"
        # The rules number the images they were given; say which image of the post it is.
        reason = problem.reason.replace(f"Image {index} ", f"Image {medium.position + 1} ", 1)
        finding = Finding("aspect_ratio_accepted", problem.status, code, reason)
        results.append(_result(post, medium.position, "media", finding, fix))
    return results


def _image_format(post: PostOnPlatform) -> captions.ImageFormat | None:
    if post.embed is not None:
        return captions.image_format(post.platform, post.embed)
    return captions.image_format_for(post.platform, max(1, len(post.media)))


def _format_name(platform: str, form: captions.ImageFormat) -> str:
    if platform == "bluesky":
        return f"app.bsky.embed.{form.name}"
    return f"{captions.PLATFORMS[platform].name}'s {form.name.replace('_', ' ')}"


# --- the caption -----------------------------------------------------------------------------


def caption_written(post: PostOnPlatform) -> Result:
    """The post has a caption for the platform."""
    fix = Fix("post_caption", post.post_id, None, post.platform, None, "caption")
    if post.caption.text.strip():
        how = "hand-written" if post.caption.mode == "manual" else "composed from the template"
        finding = Finding("caption_written", "pass", post.caption.mode, f"The caption is {how}.")
        return _result(post, None, "caption", finding, None)
    reason = f"The caption for {captions.PLATFORMS[post.platform].name} is empty."
    return _result(post, None, "caption", Finding("caption_written", "fail", "empty", reason), fix)


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
        return _result(post, None, "caption", Finding(name, "pass", "fits", reason), None)
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
    return _result(post, None, "caption", Finding(name, "fail", "too_long", " ".join(parts)), fix)


def caption_not_cut(post: PostOnPlatform) -> Result:
    """What composing the caption cut to fit: a warning, so that someone reads what is left
    (the credits are never among it)."""
    name = "caption_not_cut"
    cut = post.caption.shortened
    if not cut:
        finding = Finding(name, "pass", "whole", "Nothing was cut to fit.")
        return _result(post, None, "caption", finding, None)
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
    return _result(post, None, "caption", Finding(name, "warn", "shortened", reason), fix)


# --- the schedule ----------------------------------------------------------------------------


def time_in_campaign(timing: Timing) -> Result:
    """The post's local date is one of the campaign's days, and the day it is planned under."""
    name = "time_in_campaign"
    on = timing.at.date()
    fix = Fix("post_time", timing.post_id, None, None, None, "time")
    when = timing.at.isoformat(timespec="minutes")
    if on not in timing.campaign_days:
        days = sorted(timing.campaign_days)
        span = f"{days[0].isoformat()} to {days[-1].isoformat()}" if days else "no days"
        reason = f"The post goes out at {when}, outside the campaign's days ({span})."
        return _schedule(timing, Finding(name, "fail", "outside", reason), fix)
    if on != timing.day:
        reason = (
            f"The post goes out at {when}, but is planned under {timing.day.isoformat()}:"
            " move it to its day or change its time."
        )
        return _schedule(timing, Finding(name, "fail", "other_day", reason), fix)
    return _schedule(timing, Finding(name, "pass", "inside", f"On {on.isoformat()}."), None)


def spaced_from_previous(timing: Timing) -> Result:
    """The post goes out at least ``min_spacing`` after the previous post on the platform."""
    name = "spaced_from_previous"
    shown = captions.PLATFORMS[timing.platform].name
    minimum = _minutes(timing.min_spacing)
    if timing.previous is None:
        reason = f"The first post of the campaign on {shown}."
        return _schedule(timing, Finding(name, "pass", "first", reason), None)
    previous_id, previous_at = timing.previous
    gap = timing.at - previous_at
    clock = previous_at.strftime("%H:%M")
    if gap < timing.min_spacing:
        reason = (
            f"{_minutes(gap)} after post {previous_id} on {shown} (at {clock});"
            f" posts on one platform must be at least {minimum} apart."
        )
        fix = Fix("post_time", timing.post_id, None, None, None, "time")
        return _schedule(timing, Finding(name, "fail", "too_close", reason), fix)
    reason = f"{_minutes(gap)} after post {previous_id} on {shown} (at least {minimum})."
    return _schedule(timing, Finding(name, "pass", "spaced", reason), None)


def _minutes(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds % 60:
        return f"{seconds} second{'s' * (seconds != 1)}"
    minutes = seconds // 60
    if minutes >= 120 and minutes % 60 == 0:
        return f"{minutes // 60} hours"
    return f"{minutes} minute{'s' * (minutes != 1)}"


def _schedule(timing: Timing, finding: Finding, fix: Fix | None) -> Result:
    return Result(timing.post_id, timing.platform, None, "schedule", finding.check,
                  finding.status, finding.code, finding.reason, fix)  # fmt: skip


# --- all of them -----------------------------------------------------------------------------

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


def timings(
    posts: Iterable[tuple[int, datetime, date, Sequence[str]]],
    campaign_days: Sequence[date],
    min_spacing: timedelta,
) -> list[Timing]:
    """Each post's timing on each of its platforms, with the post before it there; ``posts``
    are (id, local time, day, platforms), in any order."""
    last: dict[str, tuple[int, datetime]] = {}
    found = []
    days = tuple(campaign_days)
    for post_id, at, day, platforms in sorted(posts, key=lambda post: (post[1], post[0])):
        for platform in platforms:
            found.append(Timing(post_id, platform, at, day, days, last.get(platform), min_spacing))
            last[platform] = (post_id, at)
    return found


def _result(
    post: PostOnPlatform, position: int | None, group: Group, finding: Finding, fix: Fix | None
) -> Result:
    return Result(
        post.post_id,
        post.platform,
        position,
        group,
        finding.check,
        finding.status,
        finding.code,
        finding.reason,
        fix if finding.status != "pass" else None,
    )


# --- reading the results ---------------------------------------------------------------------


def worst(statuses: Iterable[Status]) -> Status:
    """fail if any failed, else warn if any warned, else pass (pass for none)."""
    found: Status = "pass"
    for status in statuses:
        if _WORST[status] > _WORST[found]:
            found = status
    return found


def cells(results: Iterable[Result]) -> dict[tuple[int, str, Group], Status]:
    """The grid: the worst status per post, platform and group."""
    grid: dict[tuple[int, str, Group], Status] = {}
    for result in results:
        key = (result.post_id, result.platform, result.group)
        grid[key] = worst((grid.get(key, "pass"), result.status))
    return grid


def summary(results: Sequence[Result], posts: int) -> dict[str, int]:
    """How many posts, checks and grid cells were judged, and how many passed, warned, failed."""
    grid = cells(results)
    return {
        "posts": posts,
        "checks": len(results),
        "passed": sum(result.status == "pass" for result in results),
        "warned": sum(result.status == "warn" for result in results),
        "failed": sum(result.status == "fail" for result in results),
        "cells": len(grid),
        "cells_failed": sum(status == "fail" for status in grid.values()),
    }


def fix_dict(fix: Fix | None) -> dict[str, Any] | None:
    """A fix as JSON-ready values."""
    return None if fix is None else dict(vars(fix))


def result_dict(result: Result) -> dict[str, Any]:
    """A result as JSON-ready values, the shape the API, the CLI and the bundle's refusal print."""
    return {**vars(result), "fix": fix_dict(result.fix)}


CSV_COLUMNS = ("post_id", "time", "platform", "position", "group", "check", "status", "code",
               "reason", "fix_kind", "fix_asset_id", "fix_field")  # fmt: skip


def csv_rows(results: Iterable[Result], times: Mapping[int, str]) -> str:
    """One row per result, so a spreadsheet can filter by post, platform, group or status;
    ``times`` gives each post's time as the campaign writes it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for result in results:
        fix = result.fix
        writer.writerow(
            (result.post_id, times.get(result.post_id, ""), result.platform,
             "" if result.position is None else result.position, result.group, result.check,
             result.status, result.code,
             audit.csv_safe(result.reason), fix.kind if fix else "",
             fix.asset_id if fix and fix.asset_id is not None else "",
             fix.field if fix and fix.field else "")
        )  # fmt: skip
    return out.getvalue()
