"""``vitrine iiif prepare``: build the IIIF pyramids of the images cleared for the web ahead
of their first viewers (after a bulk import, or where no worker builds them as rights clear)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from service.cli.common import live_assets
from service.http.context import services
from service.rules.problems import Problem
from service.services import iiif_gate, iiif_images

CHUNK = 200


@click.group("iiif")
def iiif_group() -> None:
    """The IIIF image service."""


@iiif_group.command("prepare")
@click.argument("asset_ids", nargs=-1, type=int)
@with_appcontext
def prepare_command(asset_ids: tuple[int, ...]) -> None:
    """Build the pyramids of the live images (all, or ASSET_IDS) whose audit for the web
    channel passes; those already built are left as they are."""
    built = held_back = failed = 0
    for session, chunk in live_assets(asset_ids, CHUNK):
        cleared = iiif_gate.cleared_among(session, services(), chunk)
        held_back += len(chunk) - len(cleared)
        for each in cleared:
            try:
                iiif_images.prepare(services(), each.asset)
                built += 1
            except Problem as problem:
                failed += 1
                click.echo(f"asset {each.asset.id}: {problem.detail}", err=True)
    click.echo(f"{built} pyramid(s) ready, {held_back} image(s) not cleared for the web")
    if failed:
        raise click.ClickException(f"{failed} image(s) could not be prepared")
