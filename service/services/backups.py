"""Backups: a portable dump of the database plus a manifest of every blob with its hash.

The dump is JSON (the same file restores into SQLite or PostgreSQL); blobs stay in the
store, whose own replication keeps them, and the manifest proves they are still the same
bytes. ``verify_originals`` re-hashes every original against the hash it is named by.

The dump reads every table in one snapshot, so that it never holds a row without the row it
belongs to; the manifest is listed after it, so that it holds every blob the dump's rows
name unless that blob was already gone (reported, at backup and at restore).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.exc import OperationalError

from service.storage.blobs import BlobNotFound, BlobStore
from service.storage.db import Base, utcnow
from service.storage.models import Asset, Consent, Variant

FORMAT = "vitrine-backup/1"
CHUNK_BYTES = 1024 * 1024


class BackupError(Exception):
    """A backup cannot be written or restored; the message says why."""


def _encode(value: Any) -> Any:
    # JSON has no dates: tag them so that a restore gets the same types back.
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        if "$datetime" in value:
            return datetime.fromisoformat(value["$datetime"])
        if "$date" in value:
            return date.fromisoformat(value["$date"])
    return value


def blob_sha256(store: BlobStore, key: str) -> str:
    """The SHA-256 of a stored blob, read as a stream."""
    digest = hashlib.sha256()
    with store.open(key) as stream:
        while chunk := stream.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection whose reads all see the database as it was at the first one."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ")
        else:  # the SQLite driver starts no transaction for reads: each would see a new state
            connection.exec_driver_sql("BEGIN")
        yield connection


def dump_database(engine: Engine) -> dict[str, Any]:
    """Every table's rows, in foreign-key order and one snapshot, with the schema revision."""
    tables: dict[str, list[dict[str, Any]]] = {}
    with _snapshot(engine) as connection:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        for table in Base.metadata.sorted_tables:
            rows = connection.execute(select(table).order_by(*table.primary_key.columns))
            tables[table.name] = [
                {name: _encode(value) for name, value in row._mapping.items()} for row in rows
            ]
    return {"format": FORMAT, "created_at": utcnow().isoformat(), "revision": revision,
            "tables": tables}  # fmt: skip


def blob_manifest(store: BlobStore) -> Iterator[dict[str, Any]]:
    """Each blob in the store with its size and hash, for the backup's manifest."""
    for entry in store.entries(""):
        yield {"key": entry.key, "size": entry.size, "sha256": blob_sha256(store, entry.key)}


@dataclass(frozen=True)
class BackupReport:
    """What a backup wrote: rows, blobs, and blobs its rows name that were missing."""

    rows: int
    blobs: int
    unlisted: list[str]  # blobs that the dump's rows name and the store did not hold


def write_backup(directory: Path, engine: Engine, store: BlobStore) -> BackupReport:
    """Write ``database.json`` then ``manifest.json``; say what was written and what is missing."""
    directory.mkdir(parents=True, exist_ok=True)
    database = dump_database(engine)
    manifest = list(blob_manifest(store))  # after the dump: it lists the blobs its rows name
    for name, document in (("database.json", database), ("manifest.json", manifest)):
        partial = directory / f".{name}.partial"
        partial.write_text(json.dumps(document, ensure_ascii=False, indent=1))
        partial.replace(directory / name)  # a crash never leaves half a backup under its name
    rows = sum(len(rows) for rows in database["tables"].values())
    listed = {item["key"] for item in manifest}
    unlisted = [key for key, _ in _named_blobs(database) if key not in listed]
    return BackupReport(rows, len(manifest), unlisted)


def _named_blobs(database: dict[str, Any]) -> list[tuple[str, str | None]]:
    """The blobs a dump's rows need: each original and signed form (with its SHA-256), each
    ready variant."""
    tables = database["tables"]
    originals = [(row["blob_key"], row["sha256"]) for row in tables.get(Asset.__tablename__, [])]
    variants = [
        (row["blob_key"], None)
        for row in tables.get(Variant.__tablename__, [])
        if row.get("status") == "ready"
    ]
    # A consent's signed form is kept under its SHA-256 (services/consents.evidence_key).
    evidence = [
        (key, key.rsplit("/", 1)[-1])
        for row in tables.get(Consent.__tablename__, [])
        if (key := row.get("evidence_key"))
    ]
    return originals + variants + evidence


@dataclass
class RestoreReport:
    """What a restore loaded, and the blobs it names that are missing or changed."""

    rows: int = 0
    missing_blobs: list[str] = field(default_factory=list)
    changed_blobs: list[str] = field(default_factory=list)


def restore_backup(directory: Path, engine: Engine, store: BlobStore) -> RestoreReport:
    """Load a backup into an empty, migrated database, then check the blobs it names."""
    try:
        database = json.loads((directory / "database.json").read_text())
        manifest = json.loads((directory / "manifest.json").read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{directory} does not hold a readable backup: {error}") from None
    if database.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {database.get('format')!r}")
    report = RestoreReport()
    try:
        report.rows = _load_rows(engine, database)
    except OperationalError as error:
        raise BackupError(
            f"the database did not confirm the restore ({type(error).__name__}): run the "
            "restore again once it answers (it refuses if the rows did arrive)"
        ) from error
    checked: set[str] = set()
    for item in manifest:
        checked.add(item["key"])
        _check_blob(store, item["key"], item["sha256"], report)
    for key, sha256 in _named_blobs(database):  # rows whose blob the manifest does not list
        if key not in checked:
            checked.add(key)
            _check_blob(store, key, sha256, report)
    return report


def _check_blob(store: BlobStore, key: str, sha256: str | None, report: RestoreReport) -> None:
    try:
        if sha256 is None:
            if not store.exists(key):
                report.missing_blobs.append(key)
        elif blob_sha256(store, key) != sha256:
            report.changed_blobs.append(key)
    except BlobNotFound:
        report.missing_blobs.append(key)


def _load_rows(engine: Engine, database: dict[str, Any]) -> int:
    """Insert every table's rows in one transaction; return how many."""
    count = 0
    with engine.begin() as connection:
        revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if revision != database["revision"]:
            raise BackupError(
                f"the backup is of schema {database['revision']}, the database is at {revision}: "
                "migrate to the same revision first"
            )
        if connection.execute(select(func.count()).select_from(Asset.__table__)).scalar():
            raise BackupError("the database already holds assets; restore into an empty one")
        for table in Base.metadata.sorted_tables:
            rows = [
                {name: _decode(value) for name, value in row.items()}
                for row in database["tables"].get(table.name, [])
            ]
            if rows:
                connection.execute(table.delete())
                connection.execute(table.insert(), rows)
                count += len(rows)
            if engine.dialect.name == "postgresql" and "id" in table.columns:
                # Inserting explicit ids does not move the sequence; new rows must not collide.
                # (The table name is our own model's, never user input.)
                next_id = (connection.execute(select(func.max(table.c.id))).scalar() or 0) + 1
                connection.execute(
                    text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :next, false)"),
                    {"table": table.name, "next": next_id},
                )
    return count


@dataclass(frozen=True)
class VerifyReport:
    """How many originals were re-hashed, and which changed or are missing."""

    checked: int
    changed: list[tuple[int, str]]
    missing: list[tuple[int, str]]


def verify_originals(engine: Engine, store: BlobStore) -> VerifyReport:
    """Re-hash every original and compare it with the hash the asset was stored under."""
    changed, missing = [], []
    with engine.connect() as connection:
        rows = connection.execute(select(Asset.id, Asset.sha256, Asset.blob_key)).all()
    for asset_id, sha256, key in rows:
        try:
            if blob_sha256(store, key) != sha256:
                changed.append((asset_id, key))
        except BlobNotFound:
            missing.append((asset_id, key))
    return VerifyReport(checked=len(rows), changed=changed, missing=missing)
