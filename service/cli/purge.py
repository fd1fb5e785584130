"""``vitrine purge``: assets deleted longer ago than the retention, removed with their blobs."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from service.cli.common import problems_as_errors, store
from service.http.context import services
from service.http.transactions import transaction
from service.services import assets
from service.storage import db


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="List what would be purged, remove nothing.")
@with_appcontext
def purge_command(dry_run: bool) -> None:
    """Remove assets deleted longer ago than VITRINE_DELETED_RETENTION_DAYS, with their blobs."""
    before = db.utcnow() - services().deleted_retention
    with transaction() as session:
        if dry_run:
            ids = assets.purgeable(session, before=before)
            click.echo(f"would purge {len(ids)} asset(s): {', '.join(map(str, ids)) or '-'}")
            return
        with problems_as_errors():
            purged = assets.purge_deleted(session, store(), before=before)
    click.echo(f"purged {len(purged)} asset(s): {', '.join(map(str, purged)) or '-'}")
