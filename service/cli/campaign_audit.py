"""``vitrine campaign audit NAME``: every post of a campaign checked on every platform, as a
table, JSON or CSV; exit 1 when any check fails."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from service.cli.common import problems_as_errors
from service.http.context import services
from service.http.transactions import transaction
from service.rules import campaign_checks, captions
from service.services import campaign_audit, campaigns


@click.command("audit")
@click.argument("name")
@click.option("--format", "output", type=click.Choice(["table", "json", "csv"]), default="table")
@click.option(
    "--min-spacing",
    type=click.IntRange(0, campaign_audit.MAX_SPACING_MINUTES),
    default=None,
    help="Minutes between two posts on one platform (10 unless given).",
)
@click.option(
    "--bluesky-embed",
    type=click.Choice(campaign_audit.EMBEDS),
    default=None,
    help="The embed Bluesky posts use (default: the first that holds their images).",
)
@with_appcontext
def campaign_audit_command(
    name: str, output: str, min_spacing: int | None, bluesky_embed: str | None
) -> None:
    """Audit the campaign NAME (or its id); exit 1 when any check fails."""
    # The command's one transaction, read only.
    with transaction() as session, problems_as_errors():
        campaign = campaigns.find_campaign(session, name)
        audited = campaign_audit.audit_campaign(
            session, services(), campaign, min_spacing=min_spacing, bluesky_embed=bluesky_embed
        )
        if output == "csv":
            click.echo(campaign_audit.audit_csv(audited), nl=False)
        elif output == "json":
            click.echo(json.dumps(campaign_audit.audit_json(audited), indent=2))
        else:
            _echo_table(audited)
    if audited.failing:
        raise SystemExit(1)


def _echo_table(audited: campaign_audit.CampaignAudit) -> None:
    """A line per post and platform with its worst status per group, then what did not pass."""
    grid = campaign_checks.cells(audited.results)
    groups = campaign_checks.GROUPS
    click.echo(f"{'post':>6}  {'time':16}  {'platform':9}  " + "  ".join(f"{g:9}" for g in groups))
    for row in audited.posts:
        for platform in row.platforms:
            statuses = [grid.get((row.post_id, platform, group), "pass") for group in groups]
            click.echo(
                f"{row.post_id:>6}  {row.at.strftime('%Y-%m-%d %H:%M'):16}  {platform:9}  "
                + "  ".join(f"{status.upper():9}" for status in statuses)
            )
    unpassed = [result for result in audited.results if result.status != "pass"]
    if unpassed:
        click.echo()
    for result in unpassed:
        where = f"post {result.post_id} {captions.PLATFORMS[result.platform].name}"
        if result.position is not None:
            where += f" image {result.position + 1}"
        click.echo(f"{result.status}: {where}: {result.check}: {result.reason}")
    summary = audited.summary
    click.echo(
        f"{summary['posts']} post(s), {summary['checks']} check(s): {summary['passed']} passed,"
        f" {summary['warned']} warned, {summary['failed']} failed"
    )
