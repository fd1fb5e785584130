"""``vitrine storage``: the blob store checked against the rows that own its blobs."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from service.cli.common import engine, store
from service.http.transactions import transaction
from service.services import assets, backups
from service.storage import db

storage = AppGroup("storage", help="Blob store consistency.")


@storage.command("check")
@click.option("--fix", is_flag=True, help="Delete the orphan blobs found.")
@click.option(
    "--grace-minutes",
    type=click.IntRange(min=0),
    default=int(assets.ORPHAN_GRACE.total_seconds() // 60),
    show_default=True,
    help="Unowned blobs younger than this may belong to an upload in flight: left alone.",
)
def storage_check(fix: bool, grace_minutes: int) -> None:
    """List blobs no row owns (originals and variants) and rows whose blob is missing; exit 1
    if any. With --fix, each orphan is deleted once the database confirms no row owns it."""
    blob_store = store()
    with transaction() as session:
        report = assets.check_storage(
            session, blob_store, now=db.utcnow(), grace=timedelta(minutes=grace_minutes)
        )
        for key in report.recent_keys:
            click.echo(f"recent unowned blob (left alone): {key}")
        for key in report.orphan_keys:
            click.echo(f"orphan blob: {key}")
        for asset_id, key in report.missing:
            click.echo(f"missing blob: asset {asset_id} expects {key}")
        for variant_id, asset_id, key in report.missing_variants:
            click.echo(f"missing blob: variant {variant_id} of asset {asset_id} expects {key}")
        unsure = 0
        if fix and report.orphan_keys:
            removal = assets.remove_orphans(session, blob_store, report.orphan_keys)
            for key, reason in removal.kept:
                click.echo(f"kept {key}: {reason}")
            click.echo(f"removed {len(removal.removed)} orphan blob(s)")
            unsure = len(removal.unsure)
        missing = len(report.missing) + len(report.missing_variants)
        problems = missing + unsure + (0 if fix else len(report.orphan_keys))
        click.echo(f"{len(report.orphan_keys)} orphan blob(s), {missing} missing blob(s)")
    if problems:
        raise SystemExit(1)


@storage.command("verify")
def storage_verify() -> None:
    """Re-hash every original; exit 1 if any changed or is missing."""
    report = backups.verify_originals(engine(), store())
    for asset_id, key in report.changed:
        click.echo(f"CHANGED: asset {asset_id}: {key} no longer matches its hash")
    for asset_id, key in report.missing:
        click.echo(f"MISSING: asset {asset_id}: {key}")
    click.echo(
        f"{report.checked} original(s) checked: {len(report.changed)} changed, "
        f"{len(report.missing)} missing"
    )
    if report.changed or report.missing:
        raise SystemExit(1)
