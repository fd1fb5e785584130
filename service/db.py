"""The database: declarative base, one engine and session factory per app, a session per request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app, g
from sqlalchemy import JSON, DateTime, Engine, MetaData, create_engine, event, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

# Named constraints let Alembic drop and alter them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on SQLite too, which stores them naive."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


JSONDocument = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSONDocument}


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str) -> Engine:
    """An engine tuned per backend: WAL and foreign keys on SQLite, pre-ping on PostgreSQL."""
    if url.startswith("sqlite"):
        database = url.split("///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def init_app(app: Flask) -> None:
    """Give the app its engine and session factory, and close each request's session."""
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["vitrine.engine"] = engine
    app.extensions["vitrine.sessions"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def new_session(app: Flask | None = None) -> Session:
    """A session outside a request (CLI, workers); the caller closes it."""
    factory: sessionmaker[Session] = (app or current_app).extensions["vitrine.sessions"]
    return factory()


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


def ping(app: Flask) -> None:
    """Raise if the database does not answer a trivial query."""
    engine: Engine = app.extensions["vitrine.engine"]
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


# ---------------------------------------------------------------- reads a session remembers

T = TypeVar("T")
# What a session has read once for its whole life (the credit policy, the preset changes), so
# that one request sees one version throughout. A rollback forgets it all: what was read may
# have been written in what was rolled back.
_MEMO = "vitrine.memo"


@event.listens_for(Session, "after_rollback")
def _forget_all(session: Session) -> None:
    session.info.pop(_MEMO, None)


def remembered(session: Session, name: str, read: Callable[[], T]) -> T:
    """``read()`` the first time this session asks for ``name``; the same value after."""
    memo: dict[str, Any] = session.info.setdefault(_MEMO, {})
    if name not in memo:
        memo[name] = read()
    value: T = memo[name]
    return value


def remember(session: Session, name: str, value: Any) -> None:
    """Replace what the session remembers as ``name`` (after writing a new version)."""
    session.info.setdefault(_MEMO, {})[name] = value


def forget(session: Session, name: str) -> None:
    session.info.get(_MEMO, {}).pop(name, None)
