"""The checks of when a post goes out on a platform: on its campaign day, and spaced from
the post before it there."""

from __future__ import annotations

from datetime import timedelta

from service.rules import captions
from service.rules.audit import Finding
from service.rules.campaign_checks.posts import Timing
from service.rules.campaign_checks.results import Fix, Result


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
