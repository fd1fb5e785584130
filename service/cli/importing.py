"""``vitrine import``: every image of a folder, with the metadata beside it."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import with_appcontext

from service.cli.common import flask_app
from service.services import importer


@click.command("import")
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--workers", type=click.IntRange(1, 32), default=4, show_default=True)
@click.option("--as", "uploaded_by", default="import", show_default=True, help="Recorded uploader.")
@with_appcontext
def import_command(folder: Path, workers: int, uploaded_by: str) -> None:
    """Import every image of FOLDER (with metadata.csv/json beside them); safe to re-run.

    Only regular files inside FOLDER are read: links and special files are skipped and
    reported (exit 1), never followed or opened.
    """
    started = time.monotonic()
    app = flask_app()

    def show(summary: importer.ImportSummary, total: int) -> None:
        click.echo("\r" + importer.progress_line(summary, total, started), nl=False, err=True)

    summary = importer.import_folder(app, folder, uploaded_by=uploaded_by, workers=workers,
                                     on_progress=show)  # fmt: skip
    click.echo(err=True)
    for line in importer.describe(summary):
        click.echo(line)
    if summary.refused or summary.skipped:  # not everything in the folder was imported
        raise SystemExit(1)
