"""What the commands share: the app's blob store, presets and render settings, the publish
call, and service problems shown as command errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import Flask, current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from service.rules.presets import Preset
from service.rules.problems import Problem
from service.services import accounts as auth
from service.services import catalogue, publishing, variants
from service.storage import db
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
    blob_store: BlobStore = current_app.extensions["vitrine.store"]
    return blob_store


def engine() -> Engine:
    """The app's database engine (backups and restores read and write tables directly)."""
    app_engine: Engine = current_app.extensions["vitrine.engine"]
    return app_engine


def presets_in_force(session: Session) -> dict[str, Preset]:
    """The presets in force: the configured ones with the admins' API changes."""
    return catalogue.presets_in_force(session, current_app.extensions["vitrine.presets"])


def render_settings() -> variants.RenderSettings:
    """How variants are rendered, from the app's configuration."""
    return variants.RenderSettings.of(current_app.config)


def publish(
    session: Session, asset: Asset, preset: Preset, *, channel: str | None,
    override_reason: str | None,
) -> publishing.Publication:  # fmt: skip
    """Publish ``asset`` for ``preset`` behind the audit, as the console operator."""
    return publishing.publish(
        session, store(), asset, preset,
        platform=None, channel=channel,
        today=db.utcnow().date(), caller=CLI_CALLER, override_reason=override_reason,
        rendering=render_settings(),
    )  # fmt: skip


@contextmanager
def problems_as_errors() -> Iterator[None]:
    """Show a service's refusal as the command's error message (exit 1), not a traceback."""
    try:
        yield
    except Problem as problem:
        raise click.ClickException(problem.detail) from None
