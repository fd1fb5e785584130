"""``vitrine audit``: the pre-publication audit of some assets, as a table, JSON or CSV."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from service.cli.common import problems_as_errors
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
    with transaction() as session, problems_as_errors():
        selected = audits.select_assets(
            session, asset_ids=asset_ids, filters=AssetFilters(tag=tag) if tag else None
        )
        reports = audits.audit_assets(
            session, selected, platform=platform, channel=channel, today=db.utcnow().date()
        )
    if output == "csv":
        click.echo(audit.to_csv(reports), nl=False)
    elif output == "json":
        document = {
            "summary": audit.summarise(reports),
            "reports": [audit.report_dict(report) for report in reports],
        }
        click.echo(json.dumps(document, indent=2))
    else:
        for report in reports:
            click.echo(f"{report.outcome.upper():5} asset {report.asset_id}  {report.title}")
            for finding in report.findings:
                if finding.status != "pass":
                    click.echo(f"      {finding.status}: {finding.check}: {finding.reason}")
        summary = audit.summarise(reports)
        click.echo(
            f"{summary['assets']} asset(s): {summary['passed']} passed, "
            f"{summary['warned']} warned, {summary['failed']} failed"
        )
    if any(report.outcome == "fail" for report in reports):
        raise SystemExit(1)
