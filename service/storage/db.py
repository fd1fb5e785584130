"""The database: declarative base, one engine and session factory per app, blob locks.

No Flask here: the HTTP edge (``service.http.database``) gives each request its session.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    DateTime,
    Engine,
    MetaData,
    create_engine,
    event,
    exc,
    literal,
    make_url,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import (
    DeclarativeBase,
    QueryableAttribute,
    Session,
    SessionTransaction,
    sessionmaker,
)
from sqlalchemy.pool import ConnectionPoolEntry, NullPool, PoolProxiedConnection
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
        """Refuse a naive datetime: every stored time is UTC."""
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """A naive time read back (SQLite) is UTC."""
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


JSONDocument = JSON().with_variant(JSONB(), "postgresql")


class json_list_contains(ColumnElement[bool]):
    """Whether a JSON list column holds a string: ``@>`` on PostgreSQL's JSONB (a GIN
    index serves it), ``json_each`` on SQLite."""

    inherit_cache = True
    type = Boolean()

    def __init__(self, column: ColumnElement[Any] | QueryableAttribute[Any], item: str) -> None:
        self.column = column
        self.item = literal(item)
        self.as_list = literal(json.dumps([item]))


@compiles(json_list_contains, "postgresql")
def _contains_on_postgresql(element: json_list_contains, compiler: Any, **kw: Any) -> str:
    column, wanted = compiler.process(element.column, **kw), compiler.process(element.as_list, **kw)
    return f"({column} @> CAST({wanted} AS JSONB))"


@compiles(json_list_contains)
def _contains_elsewhere(element: json_list_contains, compiler: Any, **kw: Any) -> str:
    column, item = compiler.process(element.column, **kw), compiler.process(element.item, **kw)
    # Both parts are compiled SQL (a column and a bound parameter), never a value.
    return f"EXISTS (SELECT 1 FROM json_each({column}) WHERE json_each.value = {item})"  # noqa: S608


# An index's ``info`` key naming the one dialect it is made on (with ``ddl_if``), so that
# Alembic's comparison does not expect it elsewhere.
ONLY_ON = "only_on"


def made_on(dialect: str) -> Callable[..., bool]:
    """Alembic's ``include_object`` hook for a database of this dialect."""

    def include(item: Any, _name: Any, kind: str, reflected: bool, _other: Any) -> bool:
        return reflected or kind != "index" or item.info.get(ONLY_ON, dialect) == dialect

    return include


class Base(DeclarativeBase):
    """The models' base: constraint names by convention, UTC datetimes, JSON documents."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSONDocument}


def utcnow() -> datetime:
    """Now, timezone-aware, in UTC."""
    return datetime.now(UTC)


# A PostgreSQL that does not accept a connection within this many seconds is down: requests
# answer 503 instead of waiting for the operating system to give up (minutes). A URL's own
# ``connect_timeout`` wins.
CONNECT_TIMEOUT_SECONDS = 10
# The readiness probe's connection gives up sooner, and notices a dead peer: its thread is
# abandoned by /readyz after VITRINE_READY_TIMEOUT_SECONDS anyway; these bound how long it lives.
PROBE_CONNECT_ARGS = {"connect_timeout": 2, "tcp_user_timeout": 2000, "keepalives_idle": 5}


# A pooled PostgreSQL connection idle for longer than this is pinged before it is used again.
# One used this recently is taken as alive: pinging at every checkout (``pool_pre_ping``) costs
# a round trip per request under load (bench/throughput.py), and a restart of the database
# takes longer than this, so a connection that outlived one has been idle longer.
IDLE_PING_SECONDS = 1.0
_RETURNED_AT = "vitrine.returned_at"


def make_engine(url: str) -> Engine:
    """An engine tuned per backend: WAL and foreign keys on SQLite; on PostgreSQL, a connection
    idle for a while is pinged before use, and replaced when it does not answer."""
    if url.startswith("sqlite"):
        database = url.split("///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    connect_args = {} if "connect_timeout" in make_url(url).query else {
        "connect_timeout": CONNECT_TIMEOUT_SECONDS
    }  # fmt: skip
    engine = create_engine(url, pool_size=10, max_overflow=10, connect_args=connect_args)
    event.listen(engine, "checkin", _note_return)
    event.listen(engine, "checkout", _ping_if_idle(engine))
    return engine


def _note_return(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info[_RETURNED_AT] = time.monotonic()


def _ping_if_idle(
    engine: Engine,
) -> Callable[[Any, ConnectionPoolEntry, PoolProxiedConnection], None]:
    """The pool's checkout hook: ping a connection idle for IDLE_PING_SECONDS; one that does
    not answer is discarded, and the pool connects afresh (SQLAlchemy's DisconnectionError)."""
    dialect = engine.dialect

    def ping(dbapi_connection: Any, record: ConnectionPoolEntry, _: PoolProxiedConnection) -> None:
        returned = record.info.get(_RETURNED_AT)
        if returned is None or time.monotonic() - returned < IDLE_PING_SECONDS:
            return  # new, or just used
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError(str(error)) from error

    return ping


def _make_probe_engine(url: str) -> Engine:
    """The readiness probe's engine: a new connection per probe, closed after it, so that a
    probe stuck on a dead database never holds a connection the requests need, and a probe
    after a restart never meets a stale one."""
    return create_engine(url, poolclass=NullPool, connect_args=PROBE_CONNECT_ARGS)


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class Database:
    """One app's engine, its session factory, and the readiness probe's own engine."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.sessions: sessionmaker[Session] = sessionmaker(self.engine, expire_on_commit=False)
        # Each session knows its factory, so that a use case that needs a short transaction of
        # its own (``own_transaction``) opens it on the same database with the same settings.
        self.sessions.configure(info={_FACTORY: self.sessions})
        self._probe_engine: Engine | None = None  # made on the first probe
        self._probe_lock = threading.Lock()
        # On this app's own factory, never on SQLAlchemy's Session class: a rollback forgets
        # what the session remembered (see ``remembered``).
        event.listen(self.sessions, "after_rollback", _forget_all)

    def ping(self) -> None:
        """Raise if the database does not answer a trivial query.

        PostgreSQL is asked on the probe's own connection, which gives up on a server that
        does not answer within seconds; callers that need an answer sooner run this in a
        thread they can abandon (``probes.run``).
        """
        engine = self.engine
        if engine.dialect.name == "postgresql":
            with self._probe_lock:
                if self._probe_engine is None:
                    url = engine.url.render_as_string(hide_password=False)
                    self._probe_engine = _make_probe_engine(url)
                engine = self._probe_engine
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))


# ---------------------------------------------------------------- transactions

_FACTORY = "vitrine.factory"


@contextmanager
def transaction(sessions: Callable[[], Session]) -> Iterator[Session]:
    """A new session whose work is committed when the block ends and rolled back when it
    raises: the one owner of a task's or a command's transaction."""
    with sessions() as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        session.commit()


def savepoint(session: Session) -> SessionTransaction:
    """``session.begin_nested()``, safe on SQLite too: use it for every savepoint.

    pysqlite sends BEGIN only before a write, not before a SAVEPOINT; SQLite then takes the
    SAVEPOINT as the start of a transaction, and its RELEASE commits there and then, outside
    the unit of work that a later refusal should undo. So the outer transaction is begun first.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not raw.in_transaction:
            connection.exec_driver_sql("BEGIN")
    return session.begin_nested()


def factory_of(session: Session) -> Callable[[], Session]:
    """The factory ``session`` was made by, to open another session on the same database."""
    factory: Callable[[], Session] | None = session.info.get(_FACTORY)
    if factory is None:  # a session made by hand (tests): same database, same settings
        return sessionmaker(session.get_bind(), expire_on_commit=False)
    return factory


def own_transaction(session: Session) -> AbstractContextManager[Session]:
    """A short transaction of its own, beside the caller's, committed at the end of the block.

    Only for work that other transactions must see before the caller's ends: a render claim
    (concurrent requests must see it to wait instead of rendering twice), and a row that owns
    a blob (the blob and the row's commit are ordered, see ``assets.ingest``).
    """
    return transaction(factory_of(session))


# Where an app keeps its Database (``service.http.database.init_app``).
EXTENSION = "vitrine.database"


def ping(app: Any) -> None:
    """Raise if the app's database does not answer (``Database.ping``)."""
    database: Database = app.extensions[EXTENSION]
    database.ping()


# ---------------------------------------------------------------- blobs and the rows that own them

# How long a clean-up waits for a transaction that may still be writing the row of a blob (a
# COMMIT in flight on a connection that was lost) before it gives up and keeps the blob.
BLOB_LOCK_WAIT_SECONDS = 5.0


def lock_blob(session: Session, key: str, *, wait_seconds: float | None = None) -> None:
    """Hold, until the session's transaction ends, a lock named by a blob key.

    Whoever writes a blob together with the row that owns it, and whoever deletes a blob after
    finding that no row owns it, holds this lock: so "no row owns it" cannot be read while a
    row for it is on its way (a transaction still committing, perhaps on a connection the app
    has lost), and a blob cannot be deleted between its upload and its row's commit. On
    PostgreSQL it is an advisory lock; SQLite has none, and its single writer leaves only the
    narrow race of two processes at once. With ``wait_seconds``, waiting longer raises
    ``OperationalError`` (the caller then cannot know, and keeps the blob).
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    if wait_seconds is not None:
        session.execute(
            text("SELECT set_config('lock_timeout', :wait, true)"),
            {"wait": f"{int(wait_seconds * 1000)}ms"},
        )
    session.execute(text("SELECT pg_advisory_xact_lock(:name)"), {"name": _lock_name(key)})


def _lock_name(key: str) -> int:
    digest = hashlib.sha256(b"vitrine-blob\n" + key.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


# ---------------------------------------------------------------- reads a session remembers

T = TypeVar("T")
# What a session has read once for its whole life (the credit policy, the preset changes), so
# that one request sees one version throughout. A rollback forgets it all: what was read may
# have been written in what was rolled back.
_MEMO = "vitrine.memo"


def _forget_all(session: Session, *_: Any) -> None:
    """Listener on each app's session factory (``Database``): a rollback forgets the memo."""
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
    """Drop what the session remembers as ``name``, so that the next read asks again."""
    session.info.get(_MEMO, {}).pop(name, None)
