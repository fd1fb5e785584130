"""Everywhere a blob and the row that owns it are written or removed together, a failure or a
race leaves at most an orphan blob (which ``vitrine storage check --fix`` finds and removes),
never a row pointing at nothing: variants, purge, orphan removal, backups and restore."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from service.storage.blobs import original_key
from tests.support import photos
from tests.support.api import cleared_asset, upload
from tests.support.database import ready_variant_keys, stored_state
from tests.support.faults import TcpProxy, through

Tokens = dict[str, dict[str, str]]
on_postgresql = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)


def variant_blobs(app: Flask) -> list[str]:
    return sorted(app.extensions["vitrine.store"].keys("variants/"))


def check_and_fix(app: Flask) -> str:
    """Run `storage check --fix` with no grace period; answer its output."""
    result = app.test_cli_runner().invoke(
        args=["storage", "check", "--fix", "--grace-minutes", "0"]
    )
    assert result.exit_code == 0, result.output
    return str(result.output)


# ---------------------------------------------------------------- variants


@on_postgresql
@pytest.mark.parametrize("commit_arrives", [False, True])
def test_a_lost_commit_while_a_variant_replaces_another_leaves_every_ready_variant_its_blob(
    app: Flask,
    make_app: Callable[..., Flask],
    tokens: Tokens,
    database_url: str,
    pg_proxy: TcpProxy,
    commit_arrives: bool,
) -> None:
    client = make_app(DATABASE_URL=through(pg_proxy, database_url)).test_client()
    asset_id = cleared_asset(client, tokens)
    url = f"/api/v1/assets/{asset_id}/variants/x"
    assert client.get(url, headers=tokens["viewer"]).status_code == 200
    [(_, first_key)] = ready_variant_keys(app)
    moved = client.put(f"/api/v1/assets/{asset_id}/focal-point", json={"x": 0.2, "y": 0.3},
                       headers=tokens["contributor"])  # fmt: skip
    assert moved.status_code == 200

    # The commit that marks the new variant ready and drops the old one is lost.
    lost = pg_proxy.lose_commit(
        after=rb"DELETE FROM variants", deliver=commit_arrives, then=pg_proxy.cut
    )
    failed = client.get(url, headers=tokens["viewer"])
    assert lost.is_set()
    assert failed.status_code == 503
    assert failed.json["code"] == "database-unavailable"
    pg_proxy.restore()

    store = app.extensions["vitrine.store"]
    ready = ready_variant_keys(app)
    assert ready, "no ready variant is left"
    assert all(store.exists(key) for _, key in ready), "a ready variant lost its blob"
    if commit_arrives:  # the old row went; its blob, kept while unsure, is now an orphan
        assert [key for _, key in ready] != [first_key]
        assert f"orphan blob: {first_key}" in check_and_fix(make_app())
    again = make_app(RENDER_TIMEOUT_SECONDS=1.0).test_client().get(url, headers=tokens["viewer"])
    assert again.status_code == 200, again.json
    check_and_fix(make_app())
    assert variant_blobs(app) == sorted(key for _, key in ready_variant_keys(app))


@pytest.mark.parametrize("blob_settings", ["s3"], indirect=True)
def test_a_variant_stored_after_its_render_gave_up_is_an_orphan_that_storage_check_removes(
    app: Flask, make_app: Callable[..., Flask], tokens: Tokens, s3_proxy: TcpProxy
) -> None:
    slow = make_app(
        S3_ENDPOINT_URL=f"http://{s3_proxy.address}", S3_CONNECT_TIMEOUT=1, S3_READ_TIMEOUT=0.5
    )
    client = slow.test_client()
    asset_id = cleared_asset(client, tokens)
    # The variant's PUT reaches S3 and is stored; only its answer comes too late.
    s3_proxy.on_request(rb"^PUT /\S*/variants/", lambda _: setattr(s3_proxy, "delay", 3.0))
    failed = client.get(f"/api/v1/assets/{asset_id}/variants/x", headers=tokens["viewer"])
    assert failed.status_code == 503
    assert failed.json["code"] == "storage-unavailable"
    s3_proxy.restore()

    assert ready_variant_keys(app) == []
    [orphan] = variant_blobs(app)
    checked = app.test_cli_runner().invoke(args=["storage", "check", "--grace-minutes", "0"])
    assert checked.exit_code == 1
    assert f"orphan blob: {orphan}" in checked.output
    assert "removed 1 orphan blob(s)" in check_and_fix(app)
    assert variant_blobs(app) == []


# ---------------------------------------------------------------- purge


def deleted_asset_with_a_variant(client: FlaskClient, tokens: Tokens) -> int:
    asset_id = cleared_asset(client, tokens)
    rendered = client.get(f"/api/v1/assets/{asset_id}/variants/x", headers=tokens["viewer"])
    assert rendered.status_code == 200
    assert client.delete(f"/api/v1/assets/{asset_id}", headers=tokens["admin"]).status_code == 204
    return asset_id


@contextmanager
def before_statement(
    engine: Engine, action: Callable[[], object], *, starts: str = "", holds: str = ""
) -> Iterator[list[bool]]:
    """Run ``action`` once, just before the engine sends the first statement that starts with
    ``starts`` and holds ``holds``: another request lands at that moment."""
    fired: list[bool] = []

    def listener(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        text = " ".join(statement.split()).upper()
        if not fired and text.startswith(starts.upper()) and holds.upper() in text:
            fired.append(True)
            action()

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield fired
    finally:
        event.remove(engine, "before_cursor_execute", listener)


@contextmanager
def after_first_commit(
    sessions: sessionmaker[Session], action: Callable[[], object]
) -> Iterator[list[bool]]:
    """Run ``action`` once, just after the first commit of a session the factory made."""
    fired: list[bool] = []

    def listener(_session: Session) -> None:
        if not fired:
            fired.append(True)
            action()

    event.listen(sessions, "after_commit", listener)
    try:
        yield fired
    finally:
        event.remove(sessions, "after_commit", listener)


def test_an_asset_restored_while_the_purge_runs_keeps_its_row_and_its_blobs(
    app: Flask, make_app: Callable[..., Flask], client: FlaskClient, tokens: Tokens
) -> None:
    asset_id = deleted_asset_with_a_variant(client, tokens)
    blobs = stored_state(app)[1] + variant_blobs(app)
    purging = make_app(DELETED_RETENTION_DAYS=0)

    def restore() -> None:
        restored = client.post(f"/api/v1/assets/{asset_id}/restore", headers=tokens["admin"])
        assert restored.status_code == 200

    engine = purging.extensions["vitrine.engine"]
    with before_statement(engine, restore, starts="DELETE FROM assets") as fired:
        result = purging.test_cli_runner().invoke(args=["purge"])
    assert fired
    assert result.exit_code == 0, result.output
    assert "purged 0 asset(s)" in result.output
    assert client.get(f"/api/v1/assets/{asset_id}", headers=tokens["viewer"]).status_code == 200
    assert stored_state(app)[1] + variant_blobs(app) == blobs


def test_bytes_uploaded_again_while_the_purge_runs_keep_their_original(
    app: Flask, make_app: Callable[..., Flask], client: FlaskClient, tokens: Tokens
) -> None:
    photo = photos.jpeg_plain(350, 250)
    first = upload(client, tokens["contributor"], photo).json
    assert client.delete(f"/api/v1/assets/{first['id']}", headers=tokens["admin"]).status_code
    purging = make_app(DELETED_RETENTION_DAYS=0)
    again: list[Any] = []

    sessions = purging.extensions["vitrine.sessions"]
    with after_first_commit(sessions, lambda: again.append(upload(client, tokens["contributor"],
                                                                photo))) as fired:  # fmt: skip
        result = purging.test_cli_runner().invoke(args=["purge"])
    assert fired
    assert result.exit_code == 0, result.output
    assert f"purged 1 asset(s): {first['id']}" in result.output
    [response] = again
    assert response.status_code == 201, response.json
    original = client.get(
        f"/api/v1/assets/{response.json['id']}/original",
        headers=tokens["contributor"],
        buffered=True,
    )
    assert original.status_code == 200
    assert original.data == photo
    assert stored_state(app) == (1, [original_key(first["sha256"])])


@on_postgresql
def test_a_purge_whose_commit_answer_is_lost_keeps_the_blobs_says_so_and_check_removes_them(
    app: Flask,
    make_app: Callable[..., Flask],
    client: FlaskClient,
    tokens: Tokens,
    database_url: str,
    pg_proxy: TcpProxy,
) -> None:
    asset_id = deleted_asset_with_a_variant(client, tokens)
    blobs = stored_state(app)[1] + variant_blobs(app)
    assert len(blobs) == 2
    purging = make_app(DATABASE_URL=through(pg_proxy, database_url), DELETED_RETENTION_DAYS=0)
    lost = pg_proxy.lose_commit(after=rb"DELETE FROM assets", then=pg_proxy.cut)

    result = purging.test_cli_runner().invoke(args=["purge"])
    assert lost.is_set()
    assert result.exit_code == 1
    assert f"did not confirm the purge of asset {asset_id}; its blobs were kept" in result.output
    pg_proxy.restore()
    assert stored_state(app)[0] == 0  # the purge did land
    store = app.extensions["vitrine.store"]
    assert all(store.exists(key) for key in blobs)
    output = check_and_fix(make_app())
    assert all(f"orphan blob: {key}" in output for key in blobs), output
    assert stored_state(app) == (0, [])
    assert variant_blobs(app) == []


# ---------------------------------------------------------------- orphan removal


@on_postgresql
def test_storage_check_keeps_an_orphan_the_database_cannot_confirm_is_one(
    app: Flask, make_app: Callable[..., Flask], database_url: str, pg_proxy: TcpProxy
) -> None:
    store = app.extensions["vitrine.store"]
    orphan = "originals/00/00/" + "0" * 64
    store.put(orphan, io.BytesIO(b"left behind"), "image/jpeg")
    checking = make_app(DATABASE_URL=through(pg_proxy, database_url))
    # The database goes as the orphan is checked again, before it can answer.
    pg_proxy.on_request(rb"WHERE assets\.blob_key = ", lambda _: pg_proxy.cut(), drop=True)

    result = checking.test_cli_runner().invoke(
        args=["storage", "check", "--fix", "--grace-minutes", "0"]
    )
    assert result.exit_code == 1
    assert f"kept {orphan}: the database did not answer" in result.output
    assert store.exists(orphan)
    pg_proxy.restore()
    assert "removed 1 orphan blob(s)" in check_and_fix(make_app())
    assert not store.exists(orphan)


# ---------------------------------------------------------------- backups and restore


def test_a_backup_taken_while_an_upload_lands_restores_whole(
    app: Flask,
    make_app: Callable[..., Flask],
    client: FlaskClient,
    tokens: Tokens,
    runner: Any,
    fresh_database_url: str,
    tmp_path: Path,
) -> None:
    upload(client, tokens["contributor"], photos.jpeg_with_rights(), tags="MuseumWeek")
    other = make_app().test_client()

    def land() -> None:
        photo = photos.jpeg_with_rights(width=500, height=400)
        assert upload(other, tokens["contributor"], photo, tags="casts").status_code == 201

    # The upload commits after the dump has read the assets, before it reads their tags.
    engine = app.extensions["vitrine.engine"]
    with before_statement(engine, land, starts="SELECT", holds="FROM users") as fired:
        made = runner.invoke(args=["backup", str(tmp_path / "backup")])
    assert fired
    assert made.exit_code == 0, made.output
    restoring = make_app(DATABASE_URL=fresh_database_url).test_cli_runner()
    restored = restoring.invoke(args=["restore", str(tmp_path / "backup")])
    assert restored.exit_code == 0, restored.output


def test_a_backup_and_its_restore_name_the_rows_whose_blob_is_missing(
    app: Flask,
    make_app: Callable[..., Flask],
    client: FlaskClient,
    tokens: Tokens,
    runner: Any,
    fresh_database_url: str,
    tmp_path: Path,
) -> None:
    upload(client, tokens["contributor"], photos.jpeg_plain(80, 60))
    lost = upload(client, tokens["contributor"], photos.jpeg_plain(81, 60)).json
    key = original_key(lost["sha256"])
    app.extensions["vitrine.store"].delete(key)

    made = runner.invoke(args=["backup", str(tmp_path / "backup")])
    assert made.exit_code == 1
    assert f"MISSING blob (named by a row, not in the store): {key}" in made.output
    restoring = make_app(DATABASE_URL=fresh_database_url).test_cli_runner()
    restored = restoring.invoke(args=["restore", str(tmp_path / "backup")])
    assert restored.exit_code == 1
    assert f"MISSING blob: {key}" in restored.output
    assert "1 blob(s) missing" in restored.output
