"""Bulk import of a folder: every image in it, with a CSV or JSON sidecar of descriptions.

Files go through the same ``assets.ingest`` as an upload, several at a time. Re-running
an interrupted import is safe: files already stored come back as duplicates (same hash).

Only regular files inside the folder are read. Symbolic links are never followed, whether
they lead out of the folder or stay in it (a file linked to from inside is imported under its
own name), and special files (FIFOs, sockets, devices) are never opened; each is skipped and
reported. Files are opened one directory at a time from the folder down, refusing a link at
every step, so a file swapped for a link after the listing cannot lead the import outside.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import stat
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from service.rules.problems import Problem
from service.services import assets, rights
from service.services import context as app_services
from service.services.context import Services
from service.storage.db import EXTENSION as DATABASE
from service.storage.db import Database, transaction, utcnow

SIDECAR_NAMES = ("metadata.csv", "metadata.json", "sidecar.csv", "sidecar.json")
RIGHTS = ("holder", "credit_line", "creator", "source")


LINK_OUTSIDE = "link leads outside the folder"
LINK_INSIDE = "link within the folder, not followed"
LINK_BROKEN = "link leads nowhere"
NOT_REGULAR = "not a regular file"
BECAME_LINK = "changed into a link while importing, not followed"


class Skipped(Exception):
    """A name in the folder that is not read; the message says why."""


@dataclass
class ImportSummary:
    """What an import did with each file: added, duplicate, refused, skipped, restored."""

    added: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)  # duplicates whose lost original came back
    done: int = 0  # files of the listing dealt with, whatever became of them


@dataclass(frozen=True)
class Listing:
    """What a folder holds: the regular files to import (paths relative to the folder, with
    ``/``), and what is skipped with the reason."""

    files: list[str]
    skipped: list[tuple[str, str]]


def list_folder(folder: Path) -> Listing:
    """The regular files of the folder tree, sorted, except sidecars and hidden names.

    Links (to files or folders, inside or out) are listed as skipped and never followed, so
    a link cannot lead the listing out of the folder or round in a loop.
    """
    root = folder.resolve()
    files: list[str] = []
    skipped: list[tuple[str, str]] = []
    pending = [""]
    while pending:
        directory = pending.pop()
        try:
            with os.scandir(root / directory if directory else root) as entries:
                listed = sorted(entries, key=lambda entry: entry.name)
        except OSError as error:
            skipped.append((directory, f"unreadable folder: {error.strerror or error}"))
            continue
        for entry in listed:
            name = f"{directory}/{entry.name}" if directory else entry.name
            if entry.name.startswith("."):
                continue
            if entry.is_symlink():
                skipped.append((name, _link_reason(root, Path(entry.path))))
            elif entry.is_dir(follow_symlinks=False):
                pending.append(name)
            elif not entry.is_file(follow_symlinks=False):
                skipped.append((name, NOT_REGULAR))
            elif entry.name not in SIDECAR_NAMES:
                files.append(name)
    return Listing(sorted(files), sorted(skipped))


def _link_reason(root: Path, link: Path) -> str:
    target = Path(os.path.realpath(link))
    if not target.is_relative_to(root):
        return LINK_OUTSIDE
    return LINK_INSIDE if target.exists() else LINK_BROKEN


def open_inside(root: Path, name: str) -> IO[bytes]:
    """Open the regular file ``name`` (relative, ``/``-separated) below ``root`` for reading.

    Each folder on the way and the file itself are opened without following a link, and the
    file is opened without waiting (a FIFO would block forever) and checked to be a regular
    file once open: what is read is what was listed, inside the folder. Raises ``Skipped``.
    """
    *folders, filename = name.split("/")
    directory = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in folders:
            inner = _open_step(part, os.O_RDONLY | os.O_DIRECTORY, directory)
            os.close(directory)
            directory = inner
        descriptor = _open_step(filename, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY, directory)
    finally:
        os.close(directory)
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise Skipped(NOT_REGULAR)
    os.set_blocking(descriptor, True)
    return os.fdopen(descriptor, "rb")


def _open_step(name: str, flags: int, directory: int) -> int:
    try:
        return os.open(name, flags | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=directory)
    except OSError as error:
        # O_NOFOLLOW meets a link with ELOOP, or ENOTDIR where a folder was asked for; a
        # socket answers ENXIO.
        if error.errno not in (errno.ELOOP, errno.ENOTDIR, errno.ENXIO, errno.EISDIR):
            raise
        found = os.stat(name, dir_fd=directory, follow_symlinks=False)
        raise Skipped(BECAME_LINK if stat.S_ISLNK(found.st_mode) else NOT_REGULAR) from None


def read_sidecar(folder: Path) -> tuple[dict[str, dict[str, str]], list[tuple[str, str]]]:
    """Descriptions keyed by filename, from ``metadata.csv`` or ``metadata.json`` if present,
    and the sidecar names skipped (a link or a special file is never read)."""
    root = folder.resolve()
    skipped: list[tuple[str, str]] = []
    for name in SIDECAR_NAMES:
        path = root / name
        if not os.path.lexists(path):
            continue
        try:
            if path.is_symlink():
                raise Skipped(_link_reason(root, path))
            with open_inside(root, name) as raw:
                text = raw.read().decode("utf-8-sig")
        except Skipped as reason:
            skipped.append((name, str(reason)))
            continue
        if path.suffix == ".csv":
            rows = list(csv.DictReader(io.StringIO(text, newline="")))
        else:
            loaded = json.loads(text)
            rows = loaded if isinstance(loaded, list) else [
                {"filename": key, **value} for key, value in loaded.items()
            ]  # fmt: skip
        descriptions = {
            str(row["filename"]).strip(): {k: str(v) for k, v in row.items() if v is not None}
            for row in rows
            if row.get("filename")
        }
        return descriptions, skipped
    return {}, skipped


@dataclass(frozen=True)
class ImportDeps:
    """What an import needs from the app: sessions, its services (the blob store, the upload
    limits, a way to queue the after-upload task), and the context each file is imported in."""

    sessions: Callable[[], Session]
    services: Services
    context: Callable[[], AbstractContextManager[Any]] = nullcontext

    @classmethod
    def of(cls, app: Any) -> ImportDeps:
        """The dependencies an app provides (its database and its services)."""
        database: Database = app.extensions[DATABASE]
        return cls(
            sessions=database.sessions, services=app_services.of(app), context=app.app_context
        )


def import_one(
    deps: ImportDeps, root: Path, name: str, fields: Mapping[str, str], uploaded_by: str
) -> str:
    """Ingest one file of the folder; return "added", "duplicate" or "restored" (a duplicate
    whose missing original was stored again), or raise ``Problem`` or ``Skipped``."""
    # The descriptive fields are those the asset service limits, as in an upload.
    descriptive: dict[str, Any] = {
        name: fields[name] for name in assets.FIELD_LIMITS if fields.get(name)
    }
    if fields.get("tags"):
        descriptive["tags"] = assets.split_tags([fields["tags"]])
    proposed = {name: fields[name] for name in RIGHTS if fields.get(name)}
    # Each file in a transaction of its own: one refused file undoes nothing of another.
    services = deps.services
    with deps.context(), transaction(deps.sessions) as session:
        spool = services.new_spool()
        with spool, open_inside(root, name) as source:
            spool.copy_from(source)
            asset, created, restored = assets.ingest(
                session,
                services.store,
                spool,
                filename=name.rsplit("/", 1)[-1],
                fields=descriptive,
                uploaded_by=uploaded_by,
                max_pixels=services.max_pixels,
                reveal_deleter=True,  # run on the server, by whoever administers it
            )
        if created and proposed:
            rights.propose(session, asset, proposed, actor=uploaded_by, now=utcnow())
    if created:  # after the commit, whose result the task reads
        with deps.context():
            services.enqueue("after_upload", asset.id)
    return "added" if created else "restored" if restored else "duplicate"


def import_folder(
    deps: ImportDeps | Any,
    folder: Path,
    *,
    uploaded_by: str,
    workers: int = 4,
    on_progress: Callable[[ImportSummary, int], None] | None = None,
) -> ImportSummary:
    """Import every file of a folder in parallel; refusals are collected, never fatal.

    ``deps`` may still be the app itself (``ImportDeps.of`` is taken of it).
    """
    if not isinstance(deps, ImportDeps):
        deps = ImportDeps.of(deps)
    root = folder.resolve()
    listing = list_folder(root)
    sidecar, sidecar_skipped = read_sidecar(root)
    summary = ImportSummary(skipped=[*listing.skipped, *sidecar_skipped])
    lock = threading.Lock()

    def run(name: str) -> None:
        fields = sidecar.get(name) or sidecar.get(name.rsplit("/", 1)[-1]) or {}
        try:
            outcome = import_one(deps, root, name, fields, uploaded_by)
        except Skipped as reason:
            with lock:
                summary.skipped.append((name, str(reason)))
        except Problem as problem:
            with lock:
                summary.refused.append((name, f"{problem.code}: {problem.detail}"))
        except OSError as error:
            with lock:
                summary.refused.append((name, f"unreadable: {error.strerror or error}"))
        else:
            with lock:
                (summary.added if outcome == "added" else summary.duplicates).append(name)
                if outcome == "restored":
                    summary.restored.append(name)
        with lock:
            summary.done += 1
            if on_progress:
                on_progress(summary, len(listing.files))

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        list(pool.map(run, listing.files))
    return summary


def progress_line(summary: ImportSummary, total: int, started: float, width: int = 30) -> str:
    """``[#######.......]  37/200  12.3 files/s  ETA 0:13`` for a terminal."""
    done = summary.done
    elapsed = max(time.monotonic() - started, 1e-6)
    rate = done / elapsed
    remaining = (total - done) / rate if rate else 0
    filled = int(width * done / total) if total else width
    eta = f"{int(remaining // 60)}:{int(remaining % 60):02d}"
    return (
        f"[{'#' * filled}{'.' * (width - filled)}] {done:>5}/{total} {rate:6.1f} files/s  ETA {eta}"
    )


def describe(summary: ImportSummary) -> Iterable[str]:
    """The summary as lines for the console: refusals, skips, restores, then counts."""
    for name, reason in sorted(summary.refused):
        yield f"refused: {name}: {reason}"
    for name, reason in sorted(summary.skipped):
        yield f"skipped: {name}: {reason}"
    for name in sorted(summary.restored):
        yield f"restored: {name}: the asset's missing original was stored again from it"
    yield (
        f"{len(summary.added)} added, {len(summary.duplicates)} duplicate(s), "
        f"{len(summary.refused)} refused, {len(summary.skipped)} skipped"
    )
