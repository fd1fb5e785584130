"""What the commands share: the app's services (blob store, presets), its engine, the publish
call as the console operator, and service problems shown as command errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import Flask, current_app
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from service.http.context import services
from service.http.database import database_of
from service.http.transactions import transaction
from service.rules.presets import Preset
from service.rules.problems import Problem
from service.services import accounts as auth
from service.services import publishing
from service.storage.blobs import BlobStore
from service.storage.models import Asset

# Who the history names for what a command does: the operator at the console, with every right.
CLI_CALLER = auth.Caller(name="cli", role="admin")


def flask_app() -> Flask:
    """The app itself, for work handed to other threads or processes (imports, the worker)."""
    this_app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    return this_app


def store() -> BlobStore:
    """The app's blob store."""
    return services().store


def live_assets(asset_ids: tuple[int, ...], size: int) -> Iterator[tuple[Session, list[Asset]]]:
    """The live assets (all, or those of ``asset_ids``) in id order, ``size`` at a time, each
    chunk in a transaction of its own that commits once the caller is done with it."""
    after = 0
    while True:
        with transaction() as session:
            query = select(Asset).where(Asset.deleted_at.is_(None), Asset.id > after)
            if asset_ids:
                query = query.where(Asset.id.in_(asset_ids))
            chunk = list(session.scalars(query.order_by(Asset.id).limit(size)))
            if not chunk:
                return
            after = chunk[-1].id
            yield session, chunk


def engine() -> Engine:
    """The app's database engine (backups and restores read and write tables directly)."""
    return database_of().engine


def presets_in_force(session: Session) -> dict[str, Preset]:
    """The presets in force: the configured ones with the admins' API changes."""
    return services().presets_in_force(session)


def publish(
    session: Session, asset: Asset, preset: Preset, *, channel: str | None,
    override_reason: str | None,
) -> publishing.Publication:  # fmt: skip
    """Publish ``asset`` for ``preset`` behind the audit, as the console operator."""
    return publishing.publish(
        session, services(), asset, preset,
        caller=CLI_CALLER, channel=channel, override_reason=override_reason,
    )  # fmt: skip


@contextmanager
def problems_as_errors() -> Iterator[None]:
    """Show a service's refusal as the command's error message (exit 1), not a traceback."""
    try:
        yield
    except Problem as problem:
        raise click.ClickException(problem.detail) from None
