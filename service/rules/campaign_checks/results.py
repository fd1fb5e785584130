"""What the campaign checks answer: a result per check, the grid's groups, where each fix is,
and the results read as a grid, a summary, JSON values and CSV rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from service.rules import audit
from service.rules.audit import Finding, Status
from service.rules.campaign_checks.posts import PostOnPlatform

Group = Literal["rights", "people", "caption", "alt_text", "media", "schedule"]
GROUPS: tuple[Group, ...] = get_args(Group)
FixKind = Literal[
    "asset_rights",
    "asset_people",
    "asset",
    "post_caption",
    "post_alt_text",
    "post_media",
    "post_time",
]
FIX_KINDS: tuple[str, ...] = get_args(FixKind)
_WORST = {"pass": 0, "warn": 1, "fail": 2}


@dataclass(frozen=True)
class Fix:
    """Where a result is put right: the kind of field, and the ids that find it.

    asset_rights: the asset's rights record (``field`` names the column); asset_people: who
    the asset shows and their consents; asset: the asset itself (its file's embedded
    metadata); post_caption: the post's caption for ``platform``; post_alt_text: the alt text
    of the image at ``position``; post_media: the post's images (and their presets);
    post_time: when the post goes out.
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


def judged(
    post: PostOnPlatform, position: int | None, group: Group, finding: Finding, fix: Fix | None
) -> Result:
    """The result of ``finding`` on ``post``, with ``fix`` only if it did not pass."""
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
