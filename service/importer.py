"""Bulk import of a folder: every image in it, with a CSV or JSON sidecar of descriptions.

Files go through the same ``assets.ingest`` as an upload, several at a time. Re-running
an interrupted import is safe: files already stored come back as duplicates (same hash).
"""

from __future__ import annotations

import csv
import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask

from . import assets, jobs, rights
from .db import new_session, utcnow
from .problems import Problem
from .spool import Spool

SIDECAR_NAMES = ("metadata.csv", "metadata.json", "sidecar.csv", "sidecar.json")
DESCRIPTIVE = ("title", "object_number", "description", "alt_text")
RIGHTS = ("holder", "credit_line", "creator", "source")


@dataclass
class ImportSummary:
    added: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)

    @property
    def done(self) -> int:
        return len(self.added) + len(self.duplicates) + len(self.refused)


def read_sidecar(folder: Path) -> dict[str, dict[str, str]]:
    """Descriptions keyed by filename, from ``metadata.csv`` or ``metadata.json`` if present."""
    for name in SIDECAR_NAMES:
        path = folder / name
        if not path.is_file():
            continue
        if path.suffix == ".csv":
            with path.open(newline="", encoding="utf-8-sig") as handle:
                rows = list(csv.DictReader(handle))
        else:
            loaded = json.loads(path.read_text(encoding="utf-8"))
            rows = loaded if isinstance(loaded, list) else [
                {"filename": key, **value} for key, value in loaded.items()
            ]  # fmt: skip
        return {
            str(row["filename"]).strip(): {k: str(v) for k, v in row.items() if v is not None}
            for row in rows
            if row.get("filename")
        }
    return {}


def image_files(folder: Path) -> list[Path]:
    """Every regular file in the folder tree except sidecars and hidden files, sorted."""
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file()
        and path.name not in SIDECAR_NAMES
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def import_one(app: Flask, path: Path, fields: Mapping[str, str], uploaded_by: str) -> str:
    """Ingest one file; return "added" or "duplicate", or raise ``Problem``."""
    descriptive: dict[str, Any] = {name: fields[name] for name in DESCRIPTIVE if fields.get(name)}
    if fields.get("tags"):
        descriptive["tags"] = assets.split_tags([fields["tags"]])
    proposed = {name: fields[name] for name in RIGHTS if fields.get(name)}
    with app.app_context(), new_session(app) as session:
        spool = Spool(app.config["SPOOL_DIR"], app.config["MAX_UPLOAD_BYTES"])
        with spool, path.open("rb") as source:
            spool.copy_from(source)
            asset, created = assets.ingest(
                session,
                app.extensions["vitrine.store"],
                spool,
                filename=path.name,
                fields=descriptive,
                uploaded_by=uploaded_by,
                max_pixels=app.config["MAX_PIXELS"],
                reveal_deleter=True,  # run on the server, by whoever administers it
            )
        if created and proposed:
            rights.propose(session, asset, proposed, actor=uploaded_by, now=utcnow())
            session.commit()
        if created:
            jobs.enqueue(app, "after_upload", asset.id)
    return "added" if created else "duplicate"


def import_folder(
    app: Flask,
    folder: Path,
    *,
    uploaded_by: str,
    workers: int = 4,
    on_progress: Callable[[ImportSummary, int], None] | None = None,
) -> ImportSummary:
    """Import every file of a folder in parallel; refusals are collected, never fatal."""
    files = image_files(folder)
    sidecar = read_sidecar(folder)
    summary = ImportSummary()
    lock = threading.Lock()

    def run(path: Path) -> None:
        name = str(path.relative_to(folder))
        fields = sidecar.get(name) or sidecar.get(path.name) or {}
        try:
            outcome = import_one(app, path, fields, uploaded_by)
        except Problem as problem:
            with lock:
                summary.refused.append((name, f"{problem.code}: {problem.detail}"))
        except OSError as error:
            with lock:
                summary.refused.append((name, f"unreadable: {error.strerror or error}"))
        else:
            with lock:
                (summary.added if outcome == "added" else summary.duplicates).append(name)
        if on_progress:
            with lock:
                on_progress(summary, len(files))

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        list(pool.map(run, files))
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
    for name, reason in sorted(summary.refused):
        yield f"refused: {name}: {reason}"
    yield (
        f"{len(summary.added)} added, {len(summary.duplicates)} duplicate(s), "
        f"{len(summary.refused)} refused"
    )
