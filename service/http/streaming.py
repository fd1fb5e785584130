"""Audit documents streamed to the client a chunk of assets at a time (API and pages alike)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

from flask import Flask

from service.http.database import new_session
from service.rules import audit
from service.services import auditing as audits

# Characters of the document gathered into one write: a few dozen reports, so that a large
# audit is not a write per asset, and the first write goes out with the first reports.
WRITE_SIZE = 64 * 1024


def audit_document(
    app: Flask,
    chosen: audits.Selection,
    document: Callable[[Iterator[audit.Report]], Iterator[str]],
    *,
    platform: str,
    channel: str,
    today: date,
    end: str = "",
) -> Iterator[str]:
    """The document, written a chunk of assets at a time while the client reads it.

    The request's session ends with the view, before the first byte is sent (the unit of
    work), so the stream reads through a session of its own, opened when the first byte is
    wanted and closed when the last is sent or the client goes away. It only reads, so it
    owns a transaction it never commits: one owner per transaction, and nothing that the
    request's transaction would have to wait for.
    """
    with new_session(app) as session:
        reports = audits.reports(session, chosen, platform=platform, channel=channel, today=today)
        pending: list[str] = []
        size = 0
        for piece in document(reports):
            pending.append(piece)
            size += len(piece)
            if size >= WRITE_SIZE:
                yield "".join(pending)
                pending, size = [], 0
        yield "".join(pending) + end
