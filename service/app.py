"""The application factory: config, database, blob store, routes, errors and CLI."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app
from werkzeug.middleware.proxy_fix import ProxyFix

from service import config
from service.http import database, errors, transactions
from service.http.requests import VitrineRequest
from service.media import render
from service.ops import jobs, logs, metrics
from service.ops.throttle import SharedThrottle, SignInLimiter, Throttle
from service.rules import presets
from service.services import context
from service.storage.blobs import open_store

log = logging.getLogger(__name__)


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure an instance of Vitrine."""
    app = Flask(__name__)
    app.request_class = VitrineRequest
    app.config.update(config.load(overrides=overrides))
    logs.init_app(app)  # request ids, and one JSON line per request with VITRINE_LOG_FORMAT=json

    lenient = app.testing or app.debug
    app.config["SECRET_KEY"] = config.resolve_secret_key(app.config, lenient=lenient)

    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=app.config["SECURE_COOKIES"],
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
    )
    database.init_app(app)
    app.extensions["vitrine.sign_in_throttle"] = _sign_in_throttle(app)
    store = open_store(app.config)
    configured_presets = _load_presets(app.config["PRESETS"])
    _check_credit_font(app.config.get("CREDIT_FONT"))
    # Built once: bad render settings stop the start, not a render. Background work goes
    # through jobs.enqueue: to the broker jobs.init_app connects, or inline without one.
    context.install(
        app,
        context.Services.of_config(
            app.config,
            store=store,
            presets=configured_presets,
            enqueue=functools.partial(jobs.enqueue, app),
        ),
    )

    from service import api, iiif, web

    app.register_blueprint(api.bp)
    app.register_blueprint(iiif.bp)
    app.register_blueprint(web.bp)
    errors.register_error_handlers(app)
    transactions.install(app)  # each request one unit of work: commit on success, else rollback
    jobs.init_app(app)  # Celery when VITRINE_BROKER_URL is set; background work inline otherwise

    from service.cli import register_commands

    register_commands(app)
    app.after_request(_security_headers)
    metrics.init_app(app)  # a registry of this app's own, served at /metrics
    _trust_proxies(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Believe X-Forwarded-For/-Proto/-Host from VITRINE_TRUSTED_PROXIES hops, no more: each
    trusted proxy appends one entry, so the client's own are never read."""
    hops = app.config["TRUSTED_PROXIES"]
    if not 0 <= hops <= 10:
        raise config.ConfigError("VITRINE_TRUSTED_PROXIES must be a number of proxies, 0 to 10")
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )


HSTS = "max-age=31536000; includeSubDomains"


def _security_headers(response: Response) -> Response:
    """No inline script, no framing, no sniffing; images may come from the S3 endpoint."""
    # blob: for the upload queue's thumbnails, object URLs of the files the user chose.
    images = "'self' data: blob:"
    endpoint = current_app.config.get("S3_ENDPOINT_URL")
    if current_app.config["BLOB_BACKEND"] == "s3":
        images += f" {endpoint}" if endpoint else " https://*.amazonaws.com"
    response.headers.setdefault(
        "Content-Security-Policy",
        f"default-src 'self'; img-src {images}; script-src 'self'; style-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config["SECURE_COOKIES"]:  # served over TLS: browsers should never not be
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def _load_presets(raw: str | Mapping[str, Any] | None) -> dict[str, presets.Preset]:
    """Built-in presets with the configured overrides (a JSON object, or a mapping in tests)."""
    try:
        overrides = json.loads(raw) if isinstance(raw, str) else raw
        if overrides is not None and not isinstance(overrides, dict):
            raise ValueError("must be a JSON object keyed by preset name")
        return presets.load_presets(overrides)
    except ValueError as error:  # JSONDecodeError and PresetError are ValueErrors
        raise config.ConfigError(f"VITRINE_PRESETS: {error}") from None


def _check_credit_font(path: str | None) -> None:
    """Refuse to start with a credit font that cannot be read, not at the first burn-in."""
    if path:
        try:
            render.load_font(Path(path), 12)
        except ValueError as error:
            raise config.ConfigError(f"VITRINE_CREDIT_FONT: {error}") from None


def _sign_in_throttle(app: Flask) -> SignInLimiter:
    """Failed sign-ins counted in Redis when the broker is Redis (exact across workers and
    hosts), else in this process."""
    limit, window = app.config["SIGN_IN_ATTEMPTS"], app.config["SIGN_IN_WINDOW_SECONDS"]
    address_limit = app.config["SIGN_IN_ADDRESS_ATTEMPTS"]
    if limit < 1 or window <= 0 or address_limit < 1:
        raise config.ConfigError(
            "VITRINE_SIGN_IN_ATTEMPTS, VITRINE_SIGN_IN_ADDRESS_ATTEMPTS and "
            "VITRINE_SIGN_IN_WINDOW_SECONDS must be at least 1"
        )
    url = metrics.broker_url(app)
    if url and metrics.is_redis(url):
        return SharedThrottle(metrics.redis_client(url), limit, window, address_limit)
    return Throttle(limit, window, address_limit)
