"""Each request is one unit of work: one COMMIT of its session at most; a read writes nothing.

A request that succeeds commits its session, a read too (``http/transactions``): what is
asserted is which of its commits carried a write. Commits are counted with SQLAlchemy events
on the app's own session factory, for the request's session (``g.db_session``) and for the
other sessions (the render claim and an upload's row commit in short transactions of their
own, by design: see ``variants.get_or_render`` and ``assets.ingest``; a task run after the
commit has its own).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask, g, has_request_context
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from service.http.database import session_factory
from tests.support import photos
from tests.support.people import no_recognisable_people
from tests.support.web import PASSWORD, add_user, browser_like, signed_in

CC_BY = "https://creativecommons.org/licenses/by/4.0/"


@pytest.fixture
def blob_settings(tmp_path: Any) -> dict[str, Any]:
    """The local store only: what is counted is the database's commits."""
    return {"BLOB_BACKEND": "local", "BLOB_DIR": str(tmp_path / "blobs")}


@dataclass
class Commits:
    """The commits of the request's own session (``request_all``, a read's included), those of
    them that carried a write (``request``), and the commits of other sessions (``others``)."""

    request: int = 0
    others: int = 0
    request_all: int = 0


@contextmanager
def counting(app: Flask) -> Iterator[Commits]:
    """Count the commits of sessions made by the app's session factory, noting which wrote:
    a flush of changes or an INSERT, UPDATE or DELETE statement."""
    commits = Commits()
    wrote: set[int] = set()  # the sessions whose open transaction has written

    def after_flush(session: Session, _context: Any) -> None:
        wrote.add(id(session))

    def on_statement(state: ORMExecuteState) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            wrote.add(id(state.session))

    def after_commit(session: Session) -> None:
        if session.in_nested_transaction():
            return  # a savepoint released: no COMMIT
        if not (has_request_context() and g.get("db_session") is session):
            commits.others += 1
            return
        commits.request_all += 1
        if id(session) in wrote:
            commits.request += 1
        wrote.discard(id(session))

    def after_rollback(session: Session) -> None:
        if not session.in_nested_transaction():
            wrote.discard(id(session))

    factory = session_factory(app)
    listeners: list[tuple[str, Callable[..., None]]] = [
        ("after_flush", after_flush),
        ("do_orm_execute", on_statement),
        ("after_commit", after_commit),
        ("after_rollback", after_rollback),
    ]
    for name, listener in listeners:
        event.listen(factory, name, listener)
    try:
        yield commits
    finally:
        for name, listener in listeners:
            event.remove(factory, name, listener)


def _upload(client: FlaskClient, headers: dict[str, str], data: bytes) -> Any:
    form = {"file": (io.BytesIO(data), "photo.jpg"), "title": "Basket", "alt_text": "A basket."}
    return client.post(
        "/api/v1/assets", data=form, headers=headers, content_type="multipart/form-data"
    )


def _rights(client: FlaskClient, tokens: dict[str, dict[str, str]], asset_id: int) -> Any:
    body = {"status": "cleared", "licence_uri": CC_BY, "channels": ["web", "social"]}
    return client.put(f"/api/v1/assets/{asset_id}/rights", json=body, headers=tokens["rights"])


def _plan(c: FlaskClient, t: dict[str, dict[str, str]], asset_id: int, time: str) -> Any:
    """A campaign with a day and a post of the asset: its rows are flushed one by one, and
    written by one commit, or (with a bad time) by none."""
    post = {"time": time, "platforms": ["x"], "media": [asset_id]}
    plan = {"name": "MuseumWeek", "days": [{"date": "2016-03-28", "posts": [post]}]}
    return c.post("/api/v1/campaigns", json=plan, headers=t["contributor"])


Request = Callable[[FlaskClient, dict[str, dict[str, str]], int], Any]

# name: (request, status, commits of the request's session that wrote, of other sessions)
ROUTES: dict[str, tuple[Request, int, int, int]] = {
    "upload": (
        lambda c, t, _: _upload(c, t["contributor"], photos.jpeg_plain(300, 200)),
        201,
        0,
        1,
    ),
    "rights PUT": (_rights, 200, 1, 1),
    "audit": (lambda c, t, a: c.get(f"/api/v1/assets/{a}/audit", headers=t["viewer"]), 200, 0, 0),
    "audits POST": (
        lambda c, t, a: c.post("/api/v1/audits", json={"asset_ids": [a]}, headers=t["viewer"]),
        200,
        0,
        0,
    ),
    "publish (variant)": (
        lambda c, t, a: c.get(f"/api/v1/assets/{a}/variants/x", headers=t["viewer"]),
        200,
        0,
        2,
    ),
    "caption PUT": (
        lambda c, t, a: c.put(
            f"/api/v1/assets/{a}/captions/x", json={"text": "A basket."}, headers=t["contributor"]
        ),
        200,
        1,
        0,
    ),
    "token create": (
        lambda c, t, _: c.post(
            "/api/v1/tokens", json={"name": "desk", "role": "viewer"}, headers=t["admin"]
        ),
        201,
        1,
        0,
    ),
    "preset PUT": (
        lambda c, t, _: c.put(
            "/api/v1/presets/banner",
            json={"width": 1200, "height": 800, "fit": "cover"},
            headers=t["admin"],
        ),
        201,
        1,
        0,
    ),
    "GET asset": (lambda c, t, a: c.get(f"/api/v1/assets/{a}", headers=t["viewer"]), 200, 0, 0),
    "GET rights": (
        lambda c, t, a: c.get(f"/api/v1/assets/{a}/rights", headers=t["viewer"]),
        200,
        0,
        0,
    ),
    "campaign plan POST": (lambda c, t, a: _plan(c, t, a, "09:30"), 201, 1, 0),
    "refused campaign plan": (lambda c, t, a: _plan(c, t, a, "25:00"), 422, 0, 0),
    "GET campaigns": (lambda c, t, _: c.get("/api/v1/campaigns", headers=t["viewer"]), 200, 0, 0),
    "refused PUT": (
        lambda c, t, a: c.put(
            f"/api/v1/assets/{a}/rights", json={"status": "nonsense"}, headers=t["rights"]
        ),
        422,
        0,
        0,
    ),
}


@pytest.mark.parametrize("route", ROUTES)
def test_a_request_commits_its_session_at_most_once_and_a_read_never(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]], route: str
) -> None:
    asset = _upload(client, tokens["contributor"], photos.jpeg_with_rights(800, 600, 1))
    assert asset.status_code == 201, asset.json
    asset_id = int(asset.json["id"])
    assert _rights(client, tokens, asset_id).status_code == 200
    no_recognisable_people(app, asset_id)  # the publish routes pass the gate
    for headers in tokens.values():  # a token's last use is stamped at most once a minute
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    send, status, own, others = ROUTES[route]

    with counting(app) as commits:
        response = send(client, tokens, asset_id)

    assert response.status_code == status, response.get_data(as_text=True)
    assert commits.request == own, commits
    assert commits.request_all == (1 if status < 400 else 0), commits
    # Beyond the request's own: an upload's row committed with its blob (assets.ingest), the
    # render claim and the variant made ready (variants.get_or_render), and the task that a
    # rights change runs once it is committed (jobs.after_rights_change).
    assert commits.others == others, commits
    if route == "publish (variant)":  # asked again: ready, nothing written at all
        with counting(app) as again:
            assert send(client, tokens, asset_id).status_code == 200
        assert (again.request, again.others) == (0, 0)


# ---------------------------------------------------------------- the pages

Page = Callable[[FlaskClient, str, int], Any]


def _form(path: str, **fields: Any) -> Page:
    """POST a page's form (with the session's CSRF token) to ``path`` ({a}: the asset id)."""

    def send(c: FlaskClient, token: str, a: int) -> Any:
        data = {name: str(value).format(a=a) for name, value in fields.items()}
        return c.post(path.format(a=a), data={"csrf_token": token, **data})

    return send


def _upload_form(c: FlaskClient, token: str, _: int) -> Any:
    files = [(io.BytesIO(photos.jpeg_plain(300, 200)), "new.jpg"),
             (io.BytesIO(b"not a photograph" * 8), "notes.jpg")]  # fmt: skip
    form = {"csrf_token": token, "files": files, "holder": "British Museum", "credit_line": "BM"}
    return c.post("/upload", data=form, content_type="multipart/form-data")


def _sign_in(c: FlaskClient, token: str, _: int) -> Any:
    return c.post("/login", data={"username": "editor", "password": PASSWORD, "csrf_token": token})


# name: (request, status, commits of the request's session that wrote, of other sessions)
PAGES: dict[str, tuple[Page, int, int, int]] = {
    "library": (lambda c, _t, _a: c.get("/library"), 200, 0, 0),
    "asset page": (lambda c, _t, a: c.get(f"/assets/{a}"), 200, 0, 0),
    "audit page": (lambda c, _t, a: c.get(f"/audits?ids={a}"), 200, 0, 0),
    "audit page, refused": (lambda c, _t, _a: c.get("/audits?ids=1,x"), 422, 0, 0),
    "audit POST (library)": (
        _form(
            "/library/bulk",
            action="audit",
            asset_ids="{a}",
            audit_platform="instagram",
            audit_channel="social",
        ),
        302,
        0,
        0,
    ),
    "tag POST (library)": (
        _form("/library/bulk", action="tag", asset_ids="{a}", tag="MuseumWeek"),
        302,
        1,
        0,
    ),
    "tag POST, refused": (_form("/library/bulk", action="tag", asset_ids="{a}"), 422, 0, 0),
    "untag POST (library)": (
        _form("/library/bulk", action="untag", asset_ids="{a}", tag="MuseumWeek"),
        302,
        0,
        0,
    ),  # the asset has no such tag: nothing written
    # Batch rights: the changes, then the task each saved asset's change runs once committed.
    "batch rights POST (library)": (
        _form("/library/bulk", action="rights", asset_ids="{a}", rights_status="pending"),
        200,
        1,
        1,
    ),
    "batch rights POST, refused": (
        _form("/library/bulk", action="rights", asset_ids="{a}", rights_status="cleared"),
        422,
        0,
        0,
    ),  # clearing needs a licence the asset lacks: nothing saved
    "describe POST": (_form("/assets/{a}/describe", title="Basket", alt_text="A."), 302, 1, 0),
    "describe POST, refused": (_form("/assets/{a}/describe", title="x" * 1000), 422, 0, 0),
    # The rights change, then the task it runs once committed (jobs.after_rights_change).
    "rights POST": (_form("/assets/{a}/rights", status="pending", notes="Asked"), 302, 1, 1),
    # Two files, one refused: the new row (assets.ingest) and the request with its proposal.
    "upload form POST": (_upload_form, 200, 1, 1),
    "sign-in POST": (_sign_in, 302, 0, 0),
    "sign-out POST": (_form("/logout"), 302, 1, 0),
}


@pytest.mark.parametrize("route", PAGES)
def test_a_page_commits_its_session_at_most_once_and_a_read_never(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]], route: str
) -> None:
    asset = _upload(client, tokens["contributor"], photos.jpeg_with_rights(800, 600, 1))
    asset_id = int(asset.json["id"])
    add_user(app, "editor", "admin")
    browser_like(client)
    token = signed_in(client, "editor")
    assert client.get(f"/assets/{asset_id}").status_code == 200  # its preview made: a read now
    send, status, own, others = PAGES[route]

    with counting(app) as commits:
        response = send(client, token, asset_id)

    assert response.status_code == status, (response.status_code, response.headers.get("Location"))
    assert (commits.request, commits.others) == (own, others), commits
    assert commits.request_all <= (1 if status < 400 else 0), commits
