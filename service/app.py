"""The application factory: config, database, blob store, routes, errors and CLI."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

from flask import Flask, Response, current_app, render_template, request
from flask.wrappers import Request
from PIL import Image
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from service import config
from service.media import render
from service.ops import logs, metrics
from service.ops.throttle import SharedThrottle, SignInLimiter, Throttle
from service.rules import presets
from service.rules.problems import (
    DatabaseDown,
    InvalidInput,
    JsonTooDeep,
    JsonTooLarge,
    NotFound,
    Problem,
    StorageDown,
)
from service.storage import db
from service.storage.blobs import StorageUnavailable, open_store
from service.storage.spool import Spool

log = logging.getLogger(__name__)


# Deeper than any body the API takes (a few levels); far below what exhausts the stack.
MAX_JSON_DEPTH = 32


class VitrineRequest(Request):
    """A request whose uploaded files stream into hashing spools instead of memory, and whose
    JSON body, on every route that reads one, is bounded in size and depth: one place, so no
    route can forget it."""

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        """The JSON body, or 413 ``json-too-large`` past ``MAX_JSON_BYTES`` (before reading
        it) and 400 ``json-too-deep`` past ``MAX_JSON_DEPTH`` levels, silent or not."""
        if force or self.is_json:
            limit: int = current_app.config["MAX_JSON_BYTES"]
            too_large = JsonTooLarge(f"A JSON body may have at most {limit:,} bytes.")
            if self.content_length is not None and self.content_length > limit:
                raise too_large
            # A body without a length (chunked) stops being read past the limit.
            ceiling = self.max_content_length
            self.max_content_length = limit if ceiling is None else min(ceiling, limit)
            too_deep = JsonTooDeep(f"JSON may be nested at most {MAX_JSON_DEPTH} levels deep.")
            try:
                value = super().get_json(force=force, silent=silent, cache=cache)
            except RequestEntityTooLarge:
                raise too_large from None
            except RecursionError:  # the parser ran out of stack: deeper than any limit
                raise too_deep from None
            if _nested_deeper_than(value, MAX_JSON_DEPTH):
                raise too_deep
            return value
        return super().get_json(force=force, silent=silent, cache=cache)

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        spool = Spool(current_app.config["SPOOL_DIR"], current_app.config["MAX_UPLOAD_BYTES"])
        return spool  # type: ignore[return-value]


def _nested_deeper_than(value: Any, limit: int) -> bool:
    """True when arrays and objects nest more than ``limit`` levels (without recursing)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure an instance of Vitrine."""
    app = Flask(__name__)
    app.request_class = VitrineRequest
    app.config.update(config.load(overrides=overrides))
    logs.init_app(app)  # request ids, and one JSON line per request with VITRINE_LOG_FORMAT=json
    # Pillow's own bomb guard must not fire before ours; ours is checked from the header.
    Image.MAX_IMAGE_PIXELS = max(Image.MAX_IMAGE_PIXELS or 0, app.config["MAX_PIXELS"])

    lenient = app.testing or app.debug
    app.config["SECRET_KEY"] = config.resolve_secret_key(app.config, lenient=lenient)

    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=app.config["SECURE_COOKIES"],
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
    )
    db.init_app(app)
    app.extensions["vitrine.sign_in_throttle"] = _sign_in_throttle(app)
    app.extensions["vitrine.store"] = open_store(app.config)
    app.extensions["vitrine.presets"] = _load_presets(app.config["PRESETS"])
    _check_credit_font(app.config.get("CREDIT_FONT"))

    from service import api, web
    from service.ops import jobs
    from service.services import variants

    variants.RenderSettings.of(app.config)  # bad render settings stop the start, not a render
    app.register_blueprint(api.bp)
    app.register_blueprint(web.bp)
    _register_error_handlers(app)
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
    images = "'self' data:"
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


def problem_response(body: Mapping[str, Any]) -> Response:
    return current_app.response_class(
        current_app.json.dumps(body) + "\n",
        status=int(body["status"]),
        mimetype="application/problem+json",
    )


def wants_html() -> bool:
    """Pages answer errors in HTML; the API and machines get problem+json."""
    if request.path.startswith(("/api/", "/blobs/", "/healthz", "/readyz", "/metrics")):
        return False
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


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


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(Problem)
    def handle_problem(error: Problem) -> Response:
        response = problem_response(error.to_dict())
        response.headers.update(error.headers)
        return response

    @app.errorhandler(HTTPException)
    def handle_http(error: HTTPException) -> Response:
        status = error.code or 500
        if wants_html():
            page = render_template("error.html", status=status, error=error)
            return current_app.response_class(page, status=status, mimetype="text/html")
        code = (error.name or "error").lower().replace(" ", "-")
        body = {
            "type": f"urn:vitrine:problem:{code}",
            "title": error.name,
            "status": status,
            "detail": error.description or error.name,
            "code": code,
        }
        response = problem_response(body)
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(StorageUnavailable)
    def handle_storage(error: StorageUnavailable) -> Response:
        return problem_response(StorageDown(str(error)).to_dict())

    @app.errorhandler(OperationalError)
    def handle_database(error: OperationalError) -> Response:
        log.warning("database error on %s %s: %s", request.method, request.path, error)
        return problem_response(DatabaseDown("The database did not answer.").to_dict())

    @app.errorhandler(OverflowError)
    @app.errorhandler(DataError)
    def handle_refused_value(error: Exception) -> Response:
        """A value the database driver will not bind, which the API's validation let through.

        An integer beyond what the database stores (the spec sets no maximum) names nothing:
        404 when it is an id in the path, 422 when it came in a body or query. A NUL
        character in a text (PostgreSQL cannot hold one): 422.
        """
        if _integer_out_of_range(error):
            if _path_holds_an_integer_out_of_range():
                return problem_response(NotFound("Nothing has an id that large.").to_dict())
            field = {"body": "holds a number larger than any id or count this service stores"}
            return problem_response(InvalidInput(field).to_dict())
        if "NUL (0x00)" in str(error):  # PostgreSQL text cannot hold it; SQLite can
            field = {"text": "must not contain NUL (U+0000) characters"}
            return problem_response(InvalidInput(field).to_dict())
        return handle_unexpected(error)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        body = {
            "type": "urn:vitrine:problem:internal-error",
            "title": "Internal error",
            "status": 500,
            "detail": "Something went wrong on our side; it has been logged.",
            "code": "internal-error",
        }
        return problem_response(body)


# Row ids are 32-bit on PostgreSQL (SERIAL) and 64-bit on SQLite.
MAX_ROW_ID = 2**31 - 1


def _path_holds_an_integer_out_of_range() -> bool:
    values = (request.view_args or {}).values()
    return any(isinstance(v, int) and not isinstance(v, bool) and v > MAX_ROW_ID for v in values)


def _integer_out_of_range(error: Exception) -> bool:
    """True if the driver refused an integer too large for its column (SQLite or PostgreSQL)."""
    if isinstance(error, OverflowError):
        return "too large to convert to SQLite INTEGER" in str(error)
    return getattr(getattr(error, "orig", None), "sqlstate", None) == "22003"
