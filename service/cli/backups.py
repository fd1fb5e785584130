"""``vitrine backup`` and ``vitrine restore``: the database as JSON with a blob manifest."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from service.cli.common import engine, store
from service.services import backups


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(directory: Path) -> None:
    """Write the database as JSON and a manifest of every blob with its SHA-256."""
    report = backups.write_backup(directory, engine(), store())
    for key in report.unlisted:
        click.echo(f"MISSING blob (named by a row, not in the store): {key}")
    click.echo(
        f"backed up {report.rows} row(s) and a manifest of {report.blobs} blob(s) to {directory}"
    )
    if report.unlisted:
        raise SystemExit(1)


@click.command("restore")
@click.argument("directory", type=click.Path(file_okay=False, exists=True, path_type=Path))
@with_appcontext
def restore_command(directory: Path) -> None:
    """Load a backup into this (empty, migrated) database and check the blobs it names."""
    try:
        report = backups.restore_backup(directory, engine(), store())
    except backups.BackupError as error:
        raise click.ClickException(str(error)) from None
    for key in report.missing_blobs:
        click.echo(f"MISSING blob: {key}")
    for key in report.changed_blobs:
        click.echo(f"CHANGED blob: {key}")
    click.echo(
        f"restored {report.rows} row(s); {len(report.missing_blobs)} blob(s) missing, "
        f"{len(report.changed_blobs)} changed"
    )
    if report.missing_blobs or report.changed_blobs:
        raise SystemExit(1)
