"""The ``vitrine`` command: the Flask CLI plus database, token and storage commands."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup, ScriptInfo, with_appcontext
from sqlalchemy import select

from service import config
from service.ops import jobs, metrics
from service.rules import audit
from service.rules.problems import Problem
from service.services import accounts as auth
from service.services import assets, backups, catalogue, importer, publishing, rights, variants
from service.services import auditing as audits
from service.services.assets import AssetFilters
from service.storage import db
from service.storage.models import Asset

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


class CannotStart(click.ClickException):
    """A setting keeps the app from starting: one message saying what to do, no traceback."""


class VitrineGroup(FlaskGroup):
    """Flask's group, saying why the app cannot start instead of printing a traceback."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        try:
            ctx.ensure_object(ScriptInfo).load_app()
        except CannotStart as error:
            click.secho(f"Error: {error.format_message()}\n", err=True, fg="red")
            return sorted(AppGroup.list_commands(self, ctx))  # the commands that need no app
        return super().list_commands(ctx)


def command_group(create_app: Callable[[], Flask]) -> VitrineGroup:
    """The ``vitrine`` command, loading its app with ``create_app``.

    The factory is passed in by ``service.main`` so that this package never imports the app
    (which registers these commands on itself).
    """

    def load_app() -> Flask:
        try:
            return create_app()
        except config.ConfigError as error:
            raise CannotStart(str(error)) from None

    return VitrineGroup(
        name="vitrine",
        help="Vitrine: rights, credit lines and captioned social variants for museum photographs.",
        create_app=load_app,
    )


def alembic_config(database_url: str) -> AlembicConfig:
    """Alembic pointed at this project's migrations and the given database."""
    alembic = AlembicConfig()
    alembic.set_main_option("script_location", str(MIGRATIONS_DIR))
    alembic.attributes["database_url"] = database_url
    return alembic


def upgrade_database(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")


database = AppGroup("db", help="Database migrations.")


@database.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration not yet applied."""
    upgrade_database(current_app.config["DATABASE_URL"])
    click.echo("database is up to date")


tokens = AppGroup("tokens", help="API tokens.")


def _lifetime(_ctx: click.Context, _param: click.Parameter, value: str | None) -> timedelta | None:
    if value is None:
        return None
    try:
        return auth.parse_duration(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@tokens.command("create")
@click.option("--name", required=True, help="Who or what will use the token.")
@click.option("--role", type=click.Choice(auth.ROLES), required=True)
@click.option(
    "--expires-in",
    "expires_in",
    callback=_lifetime,
    help="Stop working after this long: 90d, 12h, 30m, 2w [default: never].",
)
def tokens_create(name: str, role: str, expires_in: timedelta | None) -> None:
    """Create a token and print it once; only its hash is kept."""
    with db.new_session() as session:
        token, plaintext = auth.create_token(
            session, name=name, role=role, created_by="cli", expires_in=expires_in
        )
        session.commit()
        until = f", expires {token.expires_at:%Y-%m-%d %H:%M} UTC" if token.expires_at else ""
        click.echo(
            f"token {token.id} for {token.name} ({token.role}{until}); shown once, keep it safe:"
        )
        click.echo(plaintext)


@tokens.command("list")
def tokens_list() -> None:
    """List tokens (never their secrets): id, name, role, state, created, expires."""
    now = db.utcnow()
    with db.new_session() as session:
        for token in auth.list_tokens(session):
            expires = f"{token.expires_at:%Y-%m-%d %H:%M}" if token.expires_at else "never"
            click.echo(
                f"{token.id}\t{token.name}\t{token.role}\t{auth.token_state(token, now)}"
                f"\t{token.created_at:%Y-%m-%d}\t{expires}"
            )


@tokens.command("revoke")
@click.argument("token_id", type=int)
def tokens_revoke(token_id: int) -> None:
    """Revoke a token by id."""
    with db.new_session() as session:
        token = auth.revoke_token(session, token_id)
        session.commit()
        click.echo(f"token {token.id} ({token.name}) revoked")


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
    store = current_app.extensions["vitrine.store"]
    with db.new_session() as session:
        report = assets.check_storage(
            session, store, now=db.utcnow(), grace=timedelta(minutes=grace_minutes)
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
            removal = assets.remove_orphans(session, store, report.orphan_keys)
            for key, reason in removal.kept:
                click.echo(f"kept {key}: {reason}")
            click.echo(f"removed {len(removal.removed)} orphan blob(s)")
            unsure = len(removal.unsure)
        missing = len(report.missing) + len(report.missing_variants)
        problems = missing + unsure + (0 if fix else len(report.orphan_keys))
        click.echo(f"{len(report.orphan_keys)} orphan blob(s), {missing} missing blob(s)")
    if problems:
        raise SystemExit(1)


users = AppGroup("users", help="People who sign in to the web UI.")


@users.command("create")
@click.option("--username", required=True)
@click.option("--role", type=click.Choice(auth.ROLES), required=True)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (scripts)."
)
def users_create(username: str, role: str, password_stdin: bool) -> None:
    """Create a user; the password is asked for (twice) unless given on standard input."""
    password = _read_password(password_stdin)
    with db.new_session() as session:
        try:
            user = auth.create_user(session, username=username, password=password, role=role)
        except Problem as problem:
            raise click.ClickException(problem.detail) from None
        session.commit()
        click.echo(f"user {user.username} ({user.role}) created")


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@users.command("list")
def users_list() -> None:
    """List users: id, username, role, state, created."""
    with db.new_session() as session:
        for user in auth.list_users(session):
            state = "disabled" if user.disabled else "active"
            click.echo(
                f"{user.id}\t{user.username}\t{user.role}\t{state}\t{user.created_at:%Y-%m-%d}"
            )


@users.command("passwd")
@click.argument("username")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (scripts)."
)
def users_passwd(username: str, password_stdin: bool) -> None:
    """Set a user's password; every session they have open ends."""
    with db.new_session() as session:
        try:
            auth.find_user(session, username)
            user = auth.set_password(session, username, _read_password(password_stdin))
        except Problem as problem:
            raise click.ClickException(problem.detail) from None
        session.commit()
        click.echo(f"password of {user.username} changed; their sessions have ended")


@users.command("role")
@click.argument("username")
@click.argument("role", type=click.Choice(auth.ROLES))
def users_role(username: str, role: str) -> None:
    """Give a user another role; their sessions end, so it applies at once."""
    with db.new_session() as session:
        try:
            user = auth.set_role(session, username, role)
        except Problem as problem:
            raise click.ClickException(problem.detail) from None
        session.commit()
        click.echo(f"{user.username} is now {user.role}; their sessions have ended")


@users.command("disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Stop a user signing in; every session they have open ends at once."""
    with db.new_session() as session:
        try:
            user = auth.set_disabled(session, username, True)
        except Problem as problem:
            raise click.ClickException(problem.detail) from None
        session.commit()
        click.echo(f"{user.username} is disabled; their sessions have ended")


@users.command("enable")
@click.argument("username")
def users_enable(username: str) -> None:
    """Let a disabled user sign in again."""
    with db.new_session() as session:
        try:
            user = auth.set_disabled(session, username, False)
        except Problem as problem:
            raise click.ClickException(problem.detail) from None
        session.commit()
        click.echo(f"{user.username} may sign in again")


rights_group = AppGroup("rights", help="Rights records.")


@rights_group.command("expiring")
@click.option("--within-days", type=click.IntRange(0, 3650), default=14, show_default=True)
def rights_expiring(within_days: int) -> None:
    """Licences that expire and embargoes that lift soon, soonest first."""
    today = db.utcnow().date()
    with db.new_session() as session:
        deadlines = rights.expiring(session, today=today, within_days=within_days)
        for deadline in deadlines:
            what = "licence expires" if deadline.event == "licence_expires" else "embargo lifts"
            days = (deadline.on - today).days
            click.echo(
                f"{deadline.on.isoformat()}\t{what}\tin {days} day(s)\tasset {deadline.asset.id}"
                f"\t{deadline.asset.object_number}\t{deadline.asset.title}"
            )
        click.echo(f"{len(deadlines)} deadline(s) within {within_days} day(s)")


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
    try:
        asset_ids = [int(part) for part in ids.split(",")] if ids is not None else None
    except ValueError:
        raise click.BadParameter(
            "ids are whole numbers separated by commas", param_hint="--ids"
        ) from None
    with db.new_session() as session:
        try:
            selected = audits.select_assets(
                session, asset_ids=asset_ids, filters=AssetFilters(tag=tag) if tag else None
            )
            reports = audits.audit_assets(
                session, selected, platform=platform, channel=channel, today=db.utcnow().date()
            )
        except Problem as problem:
            raise click.ClickException(problem.detail) from None
        session.commit()
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


@click.command("render")
@click.argument("asset_id", type=int)
@click.argument("preset_names", nargs=-1, required=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option(
    "--channel", default=None, help="Audit for this one of the preset's channels (default: all)."
)
@click.option(
    "--override", "override_reason", help="Publish despite a failing audit; the reason is kept."
)
@with_appcontext
def render_command(
    asset_id: int, preset_names: tuple[str, ...], out_dir: Path, channel: str | None,
    override_reason: str | None,
) -> None:  # fmt: skip
    """Write an asset's variants for the given presets into a folder, behind the same audit."""
    store = current_app.extensions["vitrine.store"]
    refused = 0
    with db.new_session() as session:
        known = catalogue.presets_in_force(session, current_app.extensions["vitrine.presets"])
        unknown = [name for name in preset_names if name not in known]
        if unknown:
            raise click.BadParameter(
                f"unknown preset(s): {', '.join(unknown)}", param_hint="PRESET"
            )
        out_dir.mkdir(parents=True, exist_ok=True)
        caller = auth.Caller(name="cli", role="admin")
        for name in preset_names:
            preset = known[name]
            try:
                asset = assets.get_asset(session, asset_id)
                published = publishing.publish(
                    session, store, asset, preset,
                    platform=None, channel=channel,
                    today=db.utcnow().date(), caller=caller, override_reason=override_reason,
                    rendering=variants.RenderSettings.of(current_app.config),
                )  # fmt: skip
            except Problem as problem:
                if problem.status != 409:
                    raise click.ClickException(problem.detail) from None
                click.echo(f"{name}: refused: {problem.detail}", err=True)
                refused += 1
                continue
            variant = published.variant
            extension = variant.blob_key.rsplit(".", 1)[1]
            target = out_dir / f"asset-{asset_id}-{name}.{extension}"
            with store.open(variant.blob_key) as stream, target.open("wb") as out:
                shutil.copyfileobj(stream, out)
            (target.with_suffix(".txt")).write_text(published.caption.caption.text + "\n")
            click.echo(
                f"{name}: {target} ({variant.width}x{variant.height}, {variant.byte_size:,} bytes)"
            )
    if refused:
        raise SystemExit(1)


@storage.command("verify")
def storage_verify() -> None:
    """Re-hash every original; exit 1 if any changed or is missing."""
    engine = current_app.extensions["vitrine.engine"]
    report = backups.verify_originals(engine, current_app.extensions["vitrine.store"])
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


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(directory: Path) -> None:
    """Write the database as JSON and a manifest of every blob with its SHA-256."""
    engine = current_app.extensions["vitrine.engine"]
    report = backups.write_backup(directory, engine, current_app.extensions["vitrine.store"])
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
    engine = current_app.extensions["vitrine.engine"]
    try:
        report = backups.restore_backup(directory, engine, current_app.extensions["vitrine.store"])
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
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def show(summary: importer.ImportSummary, total: int) -> None:
        click.echo("\r" + importer.progress_line(summary, total, started), nl=False, err=True)

    summary = importer.import_folder(app, folder, uploaded_by=uploaded_by, workers=workers,
                                     on_progress=show)  # fmt: skip
    click.echo(err=True)
    for line in importer.describe(summary):
        click.echo(line)
    if summary.refused or summary.skipped:  # not everything in the folder was imported
        raise SystemExit(1)


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="List what would be purged, remove nothing.")
@with_appcontext
def purge_command(dry_run: bool) -> None:
    """Remove assets deleted longer ago than VITRINE_DELETED_RETENTION_DAYS, with their blobs."""
    before = db.utcnow() - timedelta(days=current_app.config["DELETED_RETENTION_DAYS"])
    store = current_app.extensions["vitrine.store"]
    with db.new_session() as session:
        if dry_run:
            query = select(Asset.id).where(Asset.deleted_at.is_not(None), Asset.deleted_at < before)
            ids = list(session.scalars(query))
            click.echo(f"would purge {len(ids)} asset(s): {', '.join(map(str, ids)) or '-'}")
            return
        try:
            purged = assets.purge_deleted(session, store, before=before)
        except Problem as problem:
            raise click.ClickException(problem.detail) from None
    click.echo(f"purged {len(purged)} asset(s): {', '.join(map(str, purged)) or '-'}")


@click.command("worker")
@click.option(
    "--concurrency", type=click.IntRange(1, 64), help="Tasks at once [default: one per CPU]."
)
@click.option(
    "--pool",
    type=click.Choice(["prefork", "threads", "solo"]),
    default="prefork",
    show_default=True,
    help="Processes, threads, or one task at a time in this process.",
)
@click.option(
    "--loglevel",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="info",
    show_default=True,
)
@click.option(
    "--metrics-port",
    type=click.IntRange(1, 65535),
    envvar="VITRINE_WORKER_METRICS_PORT",
    help="Serve Prometheus metrics (renders, queue depth) on this port.",
)
@click.option(
    "--metrics-host",
    default="127.0.0.1",
    show_default=True,
    envvar="VITRINE_WORKER_METRICS_HOST",
    help="Address the metrics port listens on (0.0.0.0 in a container).",
)
@with_appcontext
def worker_command(
    concurrency: int | None, pool: str, loglevel: str, metrics_port: int | None, metrics_host: str
) -> None:
    """Run a task worker: renders variants ahead for the web tier, via VITRINE_BROKER_URL."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if metrics_port is not None:
        if pool == "prefork" and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            raise click.ClickException(
                "--metrics-port with the prefork pool needs PROMETHEUS_MULTIPROC_DIR (an empty "
                "directory) so that the processes' counts add up; or use --pool threads."
            )
        metrics.serve(app, metrics_host, metrics_port)
    # Mingle and gossip sync state between workers at start; the tasks need neither.
    argv = [f"--pool={pool}", f"--loglevel={loglevel}", "--hostname=vitrine@%h"]
    argv += ["--without-mingle", "--without-gossip"]
    if concurrency:
        argv.append(f"--concurrency={concurrency}")
    try:
        jobs.run_worker(app, argv)
    except jobs.NoBroker as error:
        raise click.ClickException(str(error)) from None


def register_commands(app: Flask) -> None:
    commands: list[click.Command] = [database, tokens, users, storage, rights_group]
    commands += [audit_command, render_command, purge_command, backup_command, restore_command]
    commands += [import_command, worker_command]
    for command_or_group in commands:
        app.cli.add_command(command_or_group)
