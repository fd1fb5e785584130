"""Background work: previews rendered ahead after an upload, variants after a rights change.

With ``VITRINE_BROKER_URL`` set, ``enqueue`` sends a Celery task that a ``vitrine worker``
runs. Without it (the embedded default) the same work runs inline in the web process, right
after the request's commit, and its errors are logged, not raised: the upload or the rights
change has already succeeded, and a variant not made ahead is rendered on first request.

Tasks take ids, never objects, and are idempotent: ``variants.get_or_render`` claims a
unique row per variant key, so a task run twice, or on two workers at once, renders once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from service.config import ConfigError
from service.rules.problems import NotFound, Problem, StorageDown
from service.services import (
    assets,
    context,
    iiif_gate,
    iiif_images,
    iiif_pyramids,
    previews,
    variants,
)
from service.storage.blobs import StorageUnavailable, open_store
from service.storage.db import EXTENSION as DATABASE
from service.storage.db import Database, transaction
from service.storage.models import Asset

log = logging.getLogger(__name__)

# Publishable presets rendered ahead: none unless a deployment asks (the library's
# thumbnails and the asset page's image are previews, rendered ahead on their own).
DEFAULT_EAGER_PRESETS = ""
RENDER_TASKS = ("render_variant", "render_preview")
# A storage outage or a render held by another worker passes: retry with growing delays.
RETRY_ON = (StorageUnavailable, StorageDown, variants.RenderBusy)
RETRY_OPTIONS: dict[str, Any] = {
    "autoretry_for": RETRY_ON,
    "retry_backoff": 2,  # 2, 4, 8 ... seconds
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 8,
}


class NoBroker(RuntimeError):
    """A worker was asked for, but ``VITRINE_BROKER_URL`` is not set."""


def init_app(app: Flask) -> None:
    """Check the eager presets and, when a broker is configured, give the app its Celery."""
    app.extensions["vitrine.eager_presets"] = _eager_presets(app)
    app.extensions["vitrine.eager_previews"] = _eager_previews(app)
    url = app.config["BROKER_URL"]
    app.extensions["vitrine.celery"] = _make_celery(app, url) if url else None


def _eager_presets(app: Flask) -> tuple[str, ...]:
    """The publishable presets rendered after each upload (VITRINE_EAGER_PRESETS)."""
    raw = app.config["EAGER_PRESETS"]
    if raw is None:
        raw = DEFAULT_EAGER_PRESETS
    names = tuple(dict.fromkeys(name.strip() for name in raw.split(",") if name.strip()))
    unknown = [name for name in names if name not in context.of(app).presets]
    if unknown:
        raise ConfigError(f"VITRINE_EAGER_PRESETS names unknown preset(s): {', '.join(unknown)}")
    return names


def _eager_previews(app: Flask) -> tuple[str, ...]:
    """The preview sizes rendered after each upload: all of them, except in a TESTING app
    unless a test sets ``EAGER_PREVIEWS``. Like Flask-Mail's sending, eager rendering is off
    in testing apps by default, so that a test sees only the variants it asked for."""
    wanted = app.config["EAGER_PREVIEWS"]
    if wanted is None:
        wanted = not app.testing
    return tuple(previews.SIZES) if wanted else ()


def _make_celery(app: Flask, broker_url: str) -> Any:
    """A Celery app whose tasks run in this Flask app's context (Flask's Celery pattern)."""
    from celery import Celery, Task  # type: ignore[import-untyped]  # only when a broker is set

    class FlaskTask(Task):  # type: ignore[misc]
        def __call__(self, *args: object, **kwargs: object) -> object:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.import_name, broker=broker_url, task_cls=FlaskTask, set_as_current=False)
    celery.conf.update(
        task_ignore_result=True,  # nobody waits for a result: the variant rows are the result
        task_acks_late=True,  # acknowledged when done, so a crashed worker's task is run again
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,  # renders are long: leave queued ones to idle workers
        broker_connection_retry_on_startup=True,
        # A web request that sends a task must not hang on a broker that is down.
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5},
        broker_transport_options={"socket_connect_timeout": 3},
    )
    for name, work in TASKS.items():
        options = RETRY_OPTIONS if name in RENDER_TASKS else {}
        celery.task(name=f"vitrine.{name}", acks_late=True, **options)(_bound(app, work))
    return celery


def _bound(app: Flask, work: Callable[..., None]) -> Callable[..., None]:
    def run(*ids: Any) -> None:
        work(app, *ids)

    run.__name__, run.__doc__ = work.__name__, work.__doc__
    return run


def render_variant(app: Flask, asset_id: int, preset_name: str) -> None:
    """Render a publishable variant of the asset as it is now, unless ready. No gate: the
    variant stays in the store until the gate hands it out."""
    services = context.of(app)
    with _transaction(app) as session:
        try:
            preset = services.preset(session, preset_name)
        except NotFound:
            log.warning("not rendering %s of asset %s: no such preset", preset_name, asset_id)
            return
        asset = _live_asset(session, asset_id, preset_name)
        if asset is None:
            return
        variants.get_or_render(session, services.store, asset, preset, services.rendering)


def render_preview(app: Flask, asset_id: int, size: str) -> None:
    """Render the asset's internal preview at ``size`` as it is now, unless ready."""
    services = context.of(app)
    with _transaction(app) as session:
        asset = _live_asset(session, asset_id, f"the {size} preview")
        if asset is None:
            return
        previews.preview_of(session, services.store, asset, size, services.rendering)


def _transaction(app: Flask) -> AbstractContextManager[Session]:
    """The task's one transaction: committed when it ends, rolled back when it raises."""
    database: Database = app.extensions[DATABASE]
    return transaction(database.sessions)


def _live_asset(session: Session, asset_id: int, what: str) -> Asset | None:
    try:
        return assets.get_asset(session, asset_id)
    except NotFound:
        log.info("not rendering %s of asset %s: the asset is gone", what, asset_id)
        return None


def after_upload(app: Flask, asset_id: int) -> None:
    """Render the previews (so the library has thumbnails) and any eager presets of a new
    asset, one task each."""
    for size in app.extensions["vitrine.eager_previews"]:
        enqueue(app, "render_preview", asset_id, size)
    for name in app.extensions["vitrine.eager_presets"]:
        enqueue(app, "render_variant", asset_id, name)


def after_rights_change(app: Flask, asset_id: int) -> None:
    """Delete the asset's variants that carry the old rights, then render those presets again.

    Called in the request that committed the change, never queued: a signed URL handed out
    under the old rights must stop working at once, and an S3 presigned URL cannot be
    revoked, only its blob deleted. Only the renders are queued. Previews carry no rights
    and are left alone.
    """
    with _transaction(app) as session:
        names = variants.drop_outdated_rights(session, context.of(app).store, asset_id)
        asset = session.get(Asset, asset_id)
        digest = asset.sha256 if asset is not None else None
    if digest is not None:
        _drop_iiif_answers(app, digest)
    for name in names:
        enqueue(app, "render_variant", asset_id, name)
    # With workers, the pyramid is built ahead of the first viewer; inline, the request that
    # changed the rights would wait a second or two for it, so the first viewer does instead.
    if asset is not None and app.extensions["vitrine.celery"] is not None:
        enqueue(app, "prepare_iiif", asset_id)


def _drop_iiif_answers(app: Flask, sha256: str) -> None:
    """Delete the IIIF answers kept under the old rights: no request names them any more
    (their names digest the rights), and they carry the old rights in their metadata."""
    try:
        iiif_pyramids.drop_answers(context.of(app).store, sha256)
    except StorageUnavailable as error:  # unreachable all the same; the purge takes them
        log.warning("IIIF answers of %s not dropped: %s", sha256[:12], error)


def prepare_iiif(app: Flask, asset_id: int) -> None:
    """Build the IIIF pyramid of an asset cleared for the web, before its first viewer asks."""
    with _transaction(app) as session:
        asset = _live_asset(session, asset_id, "the IIIF pyramid")
        if asset is None:
            return
        try:
            iiif_gate.cleared_for_web(session, context.of(app), asset.public_id)
        except iiif_gate.NotClearedForWeb:
            return
        iiif_images.prepare(context.of(app), asset)


TASKS: dict[str, Callable[..., None]] = {
    "render_variant": render_variant,
    "render_preview": render_preview,
    "after_upload": after_upload,
    # Run in the request (see its docstring); a task still, for messages already queued.
    "after_rights_change": after_rights_change,
    "prepare_iiif": prepare_iiif,
}


def enqueue(app: Flask, name: str, *ids: int | str) -> None:
    """Have a task run for these ids: sent to the workers, or run inline without a broker.

    Call it after the commit whose result the task reads. It never raises for the work
    itself: a failure is logged, and what was not rendered ahead is rendered on request.
    """
    if name not in TASKS:
        raise ValueError(f"no task named {name!r}; known: {', '.join(TASKS)}")
    celery = app.extensions["vitrine.celery"]
    if celery is None:
        _run_inline(app, name, ids)
        return
    from kombu.exceptions import OperationalError

    try:
        celery.send_task(f"vitrine.{name}", args=ids)
    except OperationalError as error:
        log.error(
            "could not send %s%r to the broker (%s); variants render on request", name, ids, error
        )


def _run_inline(app: Flask, name: str, ids: Sequence[int | str]) -> None:
    try:
        with app.app_context():
            TASKS[name](app, *ids)
    except Problem as problem:
        log.warning("%s%r did not finish: %s", name, tuple(ids), problem.detail)
    except Exception:
        log.exception("%s%r failed", name, tuple(ids))


def run_worker(app: Flask, argv: Sequence[str]) -> None:
    """Run a Celery worker for this app in this process (``celery -A ... worker argv``)."""
    celery = app.extensions["vitrine.celery"]
    if celery is None:
        raise NoBroker("Set VITRINE_BROKER_URL (e.g. redis://127.0.0.1:6379/0) to run a worker.")
    from celery.signals import worker_process_init  # type: ignore[import-untyped]

    def reconnect(**_: object) -> None:
        """A forked worker process opens connections of its own, never its parent's."""
        app.extensions["vitrine.engine"].dispose(close=False)
        context.install(app, context.of(app).with_store(open_store(app.config)))

    worker_process_init.connect(reconnect, weak=False)
    celery.worker_main(["worker", *argv])
