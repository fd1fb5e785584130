"""``vitrine metadata reread``: read the embedded metadata of assets uploaded before the reader
learnt what it knows now (the MWG rules of issue 18), so that their pages show it."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from service.cli.common import live_assets, store
from service.rules.problems import Problem
from service.services import embedded

CHUNK = 100


@click.group("metadata")
def metadata_group() -> None:
    """The metadata embedded in the originals."""


@metadata_group.command("reread")
@click.argument("asset_ids", nargs=-1, type=int)
@with_appcontext
def reread_command(asset_ids: tuple[int, ...]) -> None:
    """Read the embedded metadata of the live assets (all, or ASSET_IDS) again from their
    originals; rights records are left as they are."""
    changed = unchanged = failed = 0
    for session, chunk in live_assets(asset_ids, CHUNK):
        for asset in chunk:
            try:
                if embedded.reread(session, store(), asset):
                    changed += 1
                else:
                    unchanged += 1
            except Problem as problem:
                failed += 1
                click.echo(f"asset {asset.id}: {problem.detail}", err=True)
    click.echo(f"{changed} asset(s) read anew, {unchanged} unchanged")
    if failed:
        raise click.ClickException(f"{failed} asset(s) could not be read")
