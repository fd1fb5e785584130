"""The campaign audit grid: posts by platforms, a cell per check group; each red cell links to
the field that fixes it; and the "Download bundle" button, which says what blocks it."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app, g, render_template, url_for
from werkzeug.wrappers import Response

from service.http.context import services
from service.http.database import get_session
from service.rules import campaign_checks as checks
from service.rules import captions
from service.rules.audit import Status
from service.rules.campaigns import POST_PLATFORMS
from service.services import campaign_audit, campaigns
from service.web import bp
from service.web.session import login_required

GROUP_NAMES = {"rights": "Rights", "people": "People", "caption": "Caption",
               "alt_text": "Alt text", "media": "Media", "schedule": "Schedule"}  # fmt: skip
SHOWN_BLOCKERS = 3  # reasons the bundle button lists; the grid has the rest


def fix_url(campaign_id: int, fix: checks.Fix) -> str:
    """The page and field where ``fix`` is made: the asset page's rights, people or metadata,
    or the post editor's caption for a platform, an image's alt text, the media or the time."""
    asset_sections = {"asset_rights": "rights", "asset_people": "people", "asset": "metadata"}
    if fix.kind in asset_sections:
        section = asset_sections[fix.kind]
        return url_for("web.asset_page", asset_id=fix.asset_id) + f"#{section}"
    fragment = {
        "post_caption": f"caption-{fix.platform}",
        "post_alt_text": f"alt-{fix.position}",
        "post_media": "media",
        "post_time": "time",
    }[fix.kind]
    return f"/campaigns/{campaign_id}/posts/{fix.post_id}#{fragment}"


@dataclass(frozen=True)
class Problem:
    """A result that did not pass, as the page shows it: its reason and where to fix it."""

    status: Status
    reason: str
    where: str  # "Image 2", or "" for the post as a whole
    url: str


@dataclass(frozen=True)
class GroupCell:
    """One check group of one post on one platform: its worst status, and what to fix."""

    group: str
    name: str
    status: Status
    url: str | None  # the first problem's fix
    problems: tuple[Problem, ...]


def _problem(campaign_id: int, result: checks.Result) -> Problem:
    where = "" if result.position is None else f"Image {result.position + 1}"
    url = fix_url(campaign_id, result.fix) if result.fix else ""
    return Problem(result.status, result.reason, where, url)


def grid(
    audited: campaign_audit.CampaignAudit,
) -> dict[tuple[int, str], list[GroupCell]]:
    """The cells of each post on each of its platforms, a group at a time; fails first
    among a group's problems."""
    found: dict[tuple[int, str, str], list[checks.Result]] = {}
    for result in audited.results:
        found.setdefault((result.post_id, result.platform, result.group), []).append(result)
    cells: dict[tuple[int, str], list[GroupCell]] = {}
    for row in audited.posts:
        for platform in row.platforms:
            shown = []
            for group in checks.GROUPS:
                results = found.get((row.post_id, platform, group), [])
                unpassed = sorted(
                    (result for result in results if result.status != "pass"),
                    key=lambda result: result.status != "fail",
                )
                problems = tuple(_problem(audited.campaign_id, result) for result in unpassed)
                shown.append(
                    GroupCell(group, GROUP_NAMES[group],
                              checks.worst(result.status for result in results),
                              problems[0].url if problems else None, problems)
                )  # fmt: skip
            cells[(row.post_id, platform)] = shown
    return cells


def blockers(audited: campaign_audit.CampaignAudit) -> Sequence[Problem]:
    """The first failing results, for the bundle button to name, each saying which post,
    platform and image it is about."""
    times = {row.post_id: row.at.strftime("%a %d %b, %H:%M") for row in audited.posts}
    shown = []
    for result in audited.failing[:SHOWN_BLOCKERS]:
        problem = _problem(audited.campaign_id, result)
        where = f"{times[result.post_id]} on {captions.PLATFORMS[result.platform].name}"
        where += f", {problem.where.lower()}" if problem.where else ""
        shown.append(dataclasses.replace(problem, where=where))
    return shown


@bp.get("/campaigns/<int:campaign_id>/audit")
@login_required("viewer")
def campaign_audit_page(campaign_id: int) -> Response:
    """The audit grid of a campaign."""
    session = get_session()
    campaign = campaigns.get_campaign(session, campaign_id)
    audited = campaign_audit.audit_campaign(session, services(), campaign)
    used = {platform for row in audited.posts for platform in row.platforms}
    page = render_template(
        "campaign_audit.html",
        campaign=campaign,
        audited=audited,
        summary=audited.summary,
        platforms=[platform for platform in POST_PLATFORMS if platform in used],
        platform_names={key: captions.PLATFORMS[key].name for key in POST_PLATFORMS},
        cells=grid(audited),
        blockers=blockers(audited),
        bundle_url=url_for("web.campaign_bundle_download", campaign_id=campaign.id),
        can_override=g.caller.can("rights"),
        board_url=f"/campaigns/{campaign.id}",
        post_url=lambda post_id: f"/campaigns/{campaign.id}/posts/{post_id}",
        csv_url=url_for("web.campaign_audit_csv", campaign_id=campaign.id),
    )
    return current_app.response_class(page)


@bp.get("/campaigns/<int:campaign_id>/audit.csv")
@login_required("viewer")
def campaign_audit_csv(campaign_id: int) -> Response:
    """The campaign's audit as a CSV download, as the API answers it."""
    session = get_session()
    campaign = campaigns.get_campaign(session, campaign_id)
    audited = campaign_audit.audit_campaign(session, services(), campaign)
    name = f"vitrine-campaign-{campaign.id}-audit.csv"
    return Response(
        campaign_audit.audit_csv(audited),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
