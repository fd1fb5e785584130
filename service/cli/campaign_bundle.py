"""``vitrine campaign export NAME --out FILE``: the campaign's bundle written to a ZIP file."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import click
from flask.cli import with_appcontext

from service.cli.common import CLI_CALLER, problems_as_errors, store
from service.http.context import services
from service.http.transactions import transaction
from service.rules.scheduler_csv import DATE_FORMATS
from service.services import campaign_bundle, campaigns


@click.command("export")
@click.argument("name")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The ZIP file to write.",
)
@click.option(
    "--date-format",
    type=click.Choice(list(DATE_FORMATS)),
    default="dmy",
    show_default=True,
    help="Sprout Social's date order: dmy (dd/mm/yyyy) or mdy (mm/dd/yyyy).",
)
@click.option(
    "--override-reason",
    default=None,
    help="Export despite a failing audit; the reason is kept in each asset's history.",
)
@click.option(
    "--url-base",
    default="",
    help="Where this Vitrine is served (https://vitrine.example), put before the local "
    "store's /blobs URLs in the manifest and CSVs.",
)
@with_appcontext
def export_command(
    name: str, out: Path, date_format: str, override_reason: str | None, url_base: str
) -> None:
    """Write the campaign's bundle; exit 1 with the failing cells when its audit fails.

    The posts are marked exported only once the whole file is written: the ZIP is written
    to a temporary file in the command's transaction, which commits before the file takes
    its name.
    """
    partial = out.with_name(f".{out.name}.partial")
    try:
        with transaction() as session, problems_as_errors():
            campaign = campaigns.find_campaign(session, name)
            try:
                bundle = campaign_bundle.build_bundle(
                    session, services(), campaign, caller=CLI_CALLER, date_format=date_format,
                    override_reason=override_reason, url_base=url_base,
                )  # fmt: skip
            except campaign_bundle.BundleRefused as refused:
                _echo_refusal(refused)
                raise SystemExit(1) from None
            with partial.open("wb") as file:
                for piece in campaign_bundle.stream(bundle, store()):
                    file.write(piece)
        os.replace(partial, out)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    posts = len(bundle.campaign.posts)
    click.echo(f"Wrote {out} ({out.stat().st_size:,} bytes): {posts} post(s) marked exported.")


def _echo_refusal(refused: campaign_bundle.BundleRefused) -> None:
    failing = refused.extra["failing"]
    said = f"The campaign audit fails in {len(failing)} cell(s); nothing was written:"
    click.echo(said, err=True)
    for cell in failing:
        where = f"post {cell['post_id']} on {cell['platform']}"
        if cell.get("position") is not None:
            where += f", image {cell['position'] + 1}"
        click.echo(f"  {where}: {cell['check']}: {cell['reason']}", err=True)
