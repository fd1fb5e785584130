"""The database at the HTTP edge: the app's ``Database``, and one session per request."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session, sessionmaker

from service.storage.db import EXTENSION, Database


def init_app(app: Flask) -> Database:
    """Give the app its database, and close each request's session when the request ends."""
    database = Database(app.config["DATABASE_URL"])
    app.extensions[EXTENSION] = database
    # Kept for callers that want the engine or the session factory itself.
    app.extensions["vitrine.engine"] = database.engine
    app.extensions["vitrine.sessions"] = database.sessions
    app.teardown_appcontext(_close_session)
    return database


def database_of(app: Flask | None = None) -> Database:
    """The app's database (the current app's by default)."""
    database: Database = (app or current_app).extensions[EXTENSION]
    return database


def session_factory(app: Flask | None = None) -> sessionmaker[Session]:
    """The app's session factory (the current app's by default)."""
    return database_of(app).sessions


def new_session(app: Flask | None = None) -> Session:
    """A session outside a request (CLI, workers); the caller closes it."""
    return session_factory(app)()


def get_session() -> Session:
    """This request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = new_session()
    session: Session = g.db_session
    return session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
