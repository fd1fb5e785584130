"""``vitrine audit``: the pre-publication audit of some assets, as a table, JSON or CSV,
written as it is made."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from service.cli.common import problems_as_errors
from service.http.context import services
from service.http.transactions import transaction
from service.rules import audit
from service.rules.ids import parse_id_list
from service.services import auditing as audits
from service.services.assets import AssetFilters
from service.storage import db


@click.command("audit")
@click.option("--tag", help="Audit the assets with this tag.")
@click.option("--ids", help="Audit these asset ids, comma-separated.")
@click.option("--all", "everything", is_flag=True, help="Audit every asset.")
@click.option("--platform", default="default", show_default=True)
@click.option("--channel", default="social", show_default=True)
@click.option("--format", "output", type=click.Choice(["table", "json", "csv"]), default="table")
@with_appcontext
def audit_command(
    tag: str | None, ids: str | None, everything: bool, platform: str, channel: str, output: str
) -> None:
    """Audit assets before publishing; exit 1 when any check fails."""
    if sum((tag is not None, ids is not None, everything)) != 1:
        raise click.UsageError("give exactly one of --tag, --ids or --all")
    asset_ids = parse_id_list(ids) if ids is not None else None
    if ids is not None and asset_ids is None:
        raise click.BadParameter("ids are whole numbers separated by commas", param_hint="--ids")
    tally = audit.Tally()
    # The command's one transaction, read only: the reports are written as each chunk of
    # assets is audited, and only one chunk is held at a time.
    with transaction() as session:
        with problems_as_errors():
            chosen = audits.selection(
                session,
                asset_ids=asset_ids,
                filters=AssetFilters(tag=tag) if tag else None,
                at_most=current_app.config["MAX_AUDIT_ASSETS"],
            )
            audits.check_scope(platform, channel)
        reports = audits.reports(
            session, chosen, platform=platform, channel=channel, today=db.utcnow().date(),
            people_unknown_blocks=services().people_unknown_blocks,
        )  # fmt: skip
        counted = (tally.add(report) for report in reports)
        if output == "csv":
            for piece in audit.csv_document(counted):
                click.echo(piece, nl=False)
        elif output == "json":
            for piece in audit.json_document(counted, indent=2):
                click.echo(piece, nl=False)
            click.echo()
        else:
            for report in counted:
                _echo_report(report)
            summary = tally.summary()
            click.echo(
                f"{summary['assets']} asset(s): {summary['passed']} passed, "
                f"{summary['warned']} warned, {summary['failed']} failed"
            )
    if tally.failed:
        raise SystemExit(1)


def _echo_report(report: audit.Report) -> None:
    click.echo(f"{report.outcome.upper():5} asset {report.asset_id}  {report.title}")
    for finding in report.findings:
        if finding.status != "pass":
            click.echo(f"      {finding.status}: {finding.check}: {finding.reason}")
