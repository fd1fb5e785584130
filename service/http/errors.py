"""Errors as answers: one set of handlers for the API (problem+json) and the pages (HTML)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, current_app, render_template, request
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException

from service.rules.problems import DatabaseDown, InvalidInput, NotFound, Problem, StorageDown
from service.storage.blobs import StorageUnavailable

log = logging.getLogger(__name__)


def problem_response(body: Mapping[str, Any]) -> Response:
    """A problem+json response with the body's status."""
    return current_app.response_class(
        current_app.json.dumps(body) + "\n",
        status=int(body["status"]),
        mimetype="application/problem+json",
    )


def wants_html() -> bool:
    """Pages answer errors in HTML; the API and machines get problem+json."""
    machines = ("/api/", "/iiif/", "/blobs/", "/healthz", "/readyz", "/metrics")
    if request.path.startswith(machines):
        return False
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


def register_error_handlers(app: Flask) -> None:
    """The handlers every route shares: problems, HTTP errors, outages, refused values."""

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
