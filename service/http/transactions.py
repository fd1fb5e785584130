"""One owner per transaction: each request is a unit of work.

Every view runs inside ``unit_of_work``: when it returns a response below 400, the request's
session is committed (once; a read too, see ``_end``), then the work registered with
``after_commit`` runs; when it raises, or answers with an error status, the session is rolled
back. Routes and services never commit the
request's session themselves. ``transaction(app)`` is the same for work outside a request
(a CLI command).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, Response, current_app, g
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from service.http.database import session_factory
from service.storage import db

_AFTER_COMMIT = "vitrine_after_commit"


def install(app: Flask) -> None:
    """Run each of the app's views in a unit of work (call once its routes are registered)."""
    for endpoint, view in list(app.view_functions.items()):
        app.view_functions[endpoint] = unit_of_work(view)


def unit_of_work(view: Callable[..., Any]) -> Callable[..., Response]:
    """Commit the request's session when ``view`` succeeds, roll it back otherwise."""

    @functools.wraps(view)
    def run(*args: Any, **kwargs: Any) -> Response:
        try:
            response = current_app.make_response(view(*args, **kwargs))
        except BaseException:
            with contextlib.suppress(SQLAlchemyError):  # the view's error is the one to tell
                _end(commit=False)
            raise
        _end(commit=response.status_code < 400)
        return response

    return run


def after_commit(work: Callable[[], object]) -> None:
    """Run ``work`` once this request's transaction is committed (not at all if it is not):
    tasks that read what the request wrote, clean-ups that must follow it."""
    g.setdefault(_AFTER_COMMIT, []).append(work)


def _end(*, commit: bool) -> None:
    session: Session | None = g.get("db_session")
    pending: list[Callable[[], object]] = g.pop(_AFTER_COMMIT, [])
    if session is not None:
        # A read ends with COMMIT too: it costs the round trip a ROLLBACK would, and psycopg
        # forgets the connection's prepared statements on ROLLBACK, so that every read would
        # have PostgreSQL parse and plan its statements afresh (bench/throughput.py).
        if commit:
            try:
                session.commit()
            except BaseException:
                with contextlib.suppress(SQLAlchemyError):
                    session.rollback()
                raise
        else:
            session.rollback()
    if commit:
        for work in pending:
            work()


@contextmanager
def transaction(app: Flask | None = None) -> Iterator[Session]:
    """A session whose work is committed when the block ends and rolled back when it raises:
    the one transaction of a CLI command (the current app's by default)."""
    with db.transaction(session_factory(app)) as session:
        yield session
