"""Faults of real components: storage down or slow, the database gone mid-request, a crashed
renderer. Each puts a TCP proxy (tests/support/faults.py) between the app and the real S3 or
PostgreSQL, breaks it while the app runs, and checks what callers see (503 with a problem,
never a 500 or a hang), what is left stored (no row without its original, no orphan blob
after ``vitrine storage check --fix``), and that the same app works again once the service
is back, without a restart.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import make_url, select

from service.http import database as db
from service.services import variants
from service.storage.db import IDLE_PING_SECONDS, utcnow
from service.storage.models import Asset, Variant
from tests.support import photos
from tests.support.api import cleared_asset, upload
from tests.support.database import stored_state
from tests.support.faults import TcpProxy, proxy_to, through

Tokens = dict[str, dict[str, str]]

on_sqlite_and_s3 = [
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
    pytest.mark.parametrize("blob_settings", ["s3"], indirect=True),
]
on_postgresql_and_s3 = [
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
    pytest.mark.parametrize("blob_settings", ["s3"], indirect=True),
]


def marked(marks: list[pytest.MarkDecorator]) -> Callable[[Any], Any]:
    def apply(test: Any) -> Any:
        for mark in marks:
            test = mark(test)
        return test

    return apply


@pytest.fixture
def pg_proxy(database_url: str) -> Iterator[TcpProxy]:
    url = make_url(database_url)
    with proxy_to(url.host or "127.0.0.1", url.port or 5432) as proxy:
        yield proxy


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def assert_problem(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.data[:300]
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == code


def owned_keys(app: Flask) -> list[str]:
    with app.app_context(), db.new_session() as session:
        return sorted(session.scalars(select(Asset.blob_key)))


@marked(on_sqlite_and_s3)
def test_storage_that_goes_away_answers_503_keeps_no_row_and_works_again_when_it_returns(
    app: Flask, make_app: Callable[..., Flask], tokens: Tokens, s3_proxy: TcpProxy
) -> None:
    faulty = make_app(
        S3_ENDPOINT_URL=f"http://{s3_proxy.address}", S3_CONNECT_TIMEOUT=1, S3_READ_TIMEOUT=2
    )
    client = faulty.test_client()
    asset_id = cleared_asset(client, tokens)
    rendered = client.get(f"/api/v1/assets/{asset_id}/variants/x", headers=tokens["viewer"])
    assert rendered.status_code == 200

    s3_proxy.cut()
    refused, seconds = timed(
        lambda: upload(client, tokens["contributor"], photos.jpeg_plain(300, 200))
    )
    assert_problem(refused, 503, "storage-unavailable")
    assert seconds < 10
    original = client.get(f"/api/v1/assets/{asset_id}/original", headers=tokens["contributor"])
    assert_problem(original, 503, "storage-unavailable")
    unrendered = client.get(f"/api/v1/assets/{asset_id}/variants/og", headers=tokens["viewer"])
    assert_problem(unrendered, 503, "storage-unavailable")
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["checks"]["database"] == "ok"
    assert ready.json["checks"]["blob_store"].startswith("unavailable")
    # What needs no blob still answers.
    assert client.get(f"/api/v1/assets/{asset_id}", headers=tokens["viewer"]).status_code == 200

    s3_proxy.restore()
    assert client.get("/readyz").status_code == 200
    again = upload(client, tokens["contributor"], photos.jpeg_plain(300, 200))
    assert again.status_code == 201, again.json
    fetched = client.get(
        f"/api/v1/assets/{asset_id}/original", headers=tokens["contributor"], buffered=True
    )
    assert fetched.status_code == 200
    assert (
        len(fetched.data)
        == client.get(f"/api/v1/assets/{asset_id}", headers=tokens["viewer"]).json["byte_size"]
    )
    og = client.get(f"/api/v1/assets/{asset_id}/variants/og", headers=tokens["viewer"])
    assert og.status_code == 200
    rows, keys = stored_state(app)
    assert rows == 2
    assert keys == owned_keys(app)  # the refused upload left neither a row nor a blob


@marked(on_sqlite_and_s3)
def test_storage_slower_than_the_read_timeout_answers_503_in_bounded_time(
    app: Flask, make_app: Callable[..., Flask], tokens: Tokens, s3_proxy: TcpProxy
) -> None:
    read_timeout = 0.5
    faulty = make_app(
        S3_ENDPOINT_URL=f"http://{s3_proxy.address}",
        S3_CONNECT_TIMEOUT=1,
        S3_READ_TIMEOUT=read_timeout,
    )
    client = faulty.test_client()
    asset_id = cleared_asset(client, tokens)
    # Two attempts of one read timeout each, plus the retry's back-off (at most 1 s).
    bound = 2 * read_timeout + 1 + 2

    s3_proxy.delay = 5.0
    slow_upload, seconds = timed(
        lambda: upload(client, tokens["contributor"], photos.jpeg_plain(320, 200))
    )
    assert_problem(slow_upload, 503, "storage-unavailable")
    assert seconds < bound
    slow_read, seconds = timed(
        lambda: client.get(f"/api/v1/assets/{asset_id}/original", headers=tokens["contributor"])
    )
    assert_problem(slow_read, 503, "storage-unavailable")
    assert seconds < bound
    ready, seconds = timed(lambda: client.get("/readyz"))
    assert ready.status_code == 503
    assert "too slow" in ready.json["checks"]["blob_store"]
    assert seconds < bound

    s3_proxy.restore()
    again = client.get("/readyz")
    assert again.status_code == 200, again.json
    fetched = client.get(
        f"/api/v1/assets/{asset_id}/original", headers=tokens["contributor"], buffered=True
    )
    assert fetched.status_code == 200
    rows, keys = stored_state(app)
    assert rows == 1
    # S3 may have stored the slow PUT after we gave up on it: an unowned blob, never a row
    # without its blob, and `storage check --fix` removes it once past the grace period.
    unowned = sorted(set(keys) - set(owned_keys(app)))
    assert len(unowned) <= 1
    result = faulty.test_cli_runner().invoke(
        args=["storage", "check", "--fix", "--grace-minutes", "0"]
    )
    assert result.exit_code == 0, result.output
    assert stored_state(app) == (1, owned_keys(app))


@marked(on_postgresql_and_s3)
def test_a_database_lost_mid_upload_answers_503_and_storage_check_removes_the_orphan_blob(
    app: Flask,
    make_app: Callable[..., Flask],
    tokens: Tokens,
    database_url: str,
    pg_proxy: TcpProxy,
    s3_proxy: TcpProxy,
) -> None:
    faulty = make_app(
        DATABASE_URL=through(pg_proxy, database_url),
        S3_ENDPOINT_URL=f"http://{s3_proxy.address}",
    )
    client = faulty.test_client()
    assert client.get("/api/v1/assets", headers=tokens["viewer"]).status_code == 200
    # The database goes the moment the original reaches S3, before the row is committed;
    # and the clean-up DELETE is lost too, as when the process dies there.
    s3_proxy.on_request(rb"^PUT /\S*/originals/", lambda _: pg_proxy.cut())
    s3_proxy.on_request(rb"^DELETE /\S*/originals/", drop=True)

    lost = upload(client, tokens["contributor"], photos.jpeg_plain(400, 300))
    assert_problem(lost, 503, "database-unavailable")
    listing = client.get("/api/v1/assets", headers=tokens["viewer"])
    assert_problem(listing, 503, "database-unavailable")
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["checks"]["database"].startswith("unavailable")
    assert ready.json["checks"]["blob_store"] == "ok"

    pg_proxy.restore()
    s3_proxy.restore()
    rows, keys = stored_state(app)
    assert rows == 0
    assert len(keys) == 1  # the orphan: its row never committed, its DELETE never arrived
    # The same app, without a restart: the pool replaces its dead connections.
    assert client.get("/readyz").status_code == 200
    assert client.get("/api/v1/assets", headers=tokens["viewer"]).status_code == 200
    report = faulty.test_cli_runner().invoke(args=["storage", "check"])
    assert f"recent unowned blob (left alone): {keys[0]}" in report.output  # within the grace
    fixed = faulty.test_cli_runner().invoke(
        args=["storage", "check", "--fix", "--grace-minutes", "0"]
    )
    assert fixed.exit_code == 0, fixed.output
    assert "removed 1 orphan blob(s)" in fixed.output
    assert stored_state(app) == (0, [])
    again = upload(client, tokens["contributor"], photos.jpeg_plain(400, 300))
    assert again.status_code == 201, again.json
    assert stored_state(app) == (1, owned_keys(app))


@marked(on_postgresql_and_s3)
def test_a_database_gone_under_a_busy_app_costs_one_answer_then_the_pool_reconnects(
    make_app: Callable[..., Flask], tokens: Tokens, database_url: str, pg_proxy: TcpProxy
) -> None:
    faulty = make_app(DATABASE_URL=through(pg_proxy, database_url))
    client = faulty.test_client()
    for _ in range(3):  # fill the pool with connections that will die
        assert client.get("/api/v1/assets", headers=tokens["viewer"]).status_code == 200
    pg_proxy.cut()
    assert_problem(
        client.get("/api/v1/assets", headers=tokens["viewer"]), 503, "database-unavailable"
    )
    pg_proxy.restore()
    for _ in range(3):
        assert client.get("/api/v1/assets", headers=tokens["viewer"]).status_code == 200
    assert client.get("/readyz").status_code == 200


@marked(on_postgresql_and_s3)
def test_connections_lost_while_the_app_was_idle_are_replaced_before_a_request_uses_them(
    make_app: Callable[..., Flask], tokens: Tokens, database_url: str, pg_proxy: TcpProxy
) -> None:
    """A restart of the database (or a firewall that drops idle connections) while nobody
    asks: the first request after it is answered, on a new connection."""
    faulty = make_app(DATABASE_URL=through(pg_proxy, database_url))
    client = faulty.test_client()
    assert client.get("/api/v1/assets", headers=tokens["viewer"]).status_code == 200
    pg_proxy.cut()  # the pooled connection is reset...
    pg_proxy.restore()  # ...and the database is back before anybody asks
    time.sleep(IDLE_PING_SECONDS + 0.5)
    for _ in range(3):
        assert client.get("/api/v1/assets", headers=tokens["viewer"]).status_code == 200
    assert client.get("/readyz").status_code == 200


CRASHING_RENDERER = """
import json, os, sys
from service.services import variants
from service.http import database as db
from service.app import create_app
from service.storage.models import Asset

settings = json.loads(os.environ["VITRINE_FAULT_SETTINGS"])
app = create_app(settings)
with app.app_context(), db.new_session() as session:
    asset = session.get(Asset, int(sys.argv[1]))
    preset = app.extensions["vitrine.presets"][sys.argv[2]]
    settings = variants.RenderSettings.of({**app.config, "RENDER_TIMEOUT_SECONDS": 600})
    variants.get_or_render(session, app.extensions["vitrine.store"], asset, preset, settings)
"""


def variant_rows(app: Flask) -> list[Variant]:
    with app.app_context(), db.new_session() as session:
        return list(session.scalars(select(Variant).order_by(Variant.id)))


@marked(on_postgresql_and_s3)
def test_a_renderer_killed_mid_render_leaves_no_variant_and_the_next_request_renders_it(
    app: Flask,
    make_app: Callable[..., Flask],
    app_settings: dict[str, Any],
    tokens: Tokens,
    s3_proxy: TcpProxy,
) -> None:
    client = app.test_client()
    asset_id = cleared_asset(client, tokens)
    # The renderer is another process whose S3 answers slowly: it claims the variant, then
    # hangs reading the original until it is killed.
    s3_proxy.delay = 60.0
    settings = {**app_settings, "S3_ENDPOINT_URL": f"http://{s3_proxy.address}"}
    settings["S3_READ_TIMEOUT"] = 120.0
    renderer = subprocess.Popen(
        [sys.executable, "-c", CRASHING_RENDERER, str(asset_id), "x"],
        env={**os.environ, "VITRINE_FAULT_SETTINGS": json.dumps(settings)},
    )
    try:
        deadline = time.monotonic() + 30
        while not variant_rows(app) and time.monotonic() < deadline:
            assert renderer.poll() is None, "the renderer ended before it was killed"
            time.sleep(0.05)
        [claim] = variant_rows(app)
        assert claim.status == "rendering"
    finally:
        os.kill(renderer.pid, signal.SIGKILL)
        renderer.wait(10)
    assert renderer.returncode == -signal.SIGKILL
    store = app.extensions["vitrine.store"]
    assert not store.exists(claim.blob_key)

    # The next request takes the dead claim over once it is older than the render timeout.
    impatient = make_app(RENDER_TIMEOUT_SECONDS=1.0).test_client()
    response, seconds = timed(
        lambda: impatient.get(f"/api/v1/assets/{asset_id}/variants/x", headers=tokens["viewer"])
    )
    assert response.status_code == 200, response.json
    assert seconds < 10
    [variant] = variant_rows(app)
    assert (variant.id, variant.key, variant.status) == (claim.id, claim.key, "ready")
    assert store.exists(variant.blob_key)
    assert (response.json["width"], response.json["height"]) == (1600, 900)


def test_a_stale_claim_left_by_a_dead_renderer_is_taken_over_by_the_next_request(
    app: Flask, make_app: Callable[..., Flask], tokens: Tokens
) -> None:
    client = app.test_client()
    asset_id = cleared_asset(client, tokens)
    timeout = 5.0
    with app.app_context(), db.new_session() as session:
        asset = session.get(Asset, asset_id)
        assert asset is not None
        preset = app.extensions["vitrine.presets"]["instagram-square"]
        rendering = variants.RenderSettings.of(app.config)
        sought = variants.wanted(session, asset, preset, rendering)
        key = sought.key
        session.rollback()
        session.add(
            Variant(
                key=key,
                asset_id=asset_id,
                preset=preset.name,
                status="rendering",
                blob_key=variants.variant_blob_key(preset, key, rendering.naming_key),
                rights_revision=sought.rights_revision,
                media_type=preset.media_type,
                claimed_at=utcnow() - timedelta(seconds=timeout + 1),
            )
        )
        session.commit()
    client = make_app(RENDER_TIMEOUT_SECONDS=timeout).test_client()
    url = f"/api/v1/assets/{asset_id}/variants/instagram-square"
    response, seconds = timed(lambda: client.get(url, headers=tokens["viewer"]))
    assert response.status_code == 200, response.json
    assert seconds < timeout  # taken over at once, not waited for
    [variant] = variant_rows(app)
    assert (variant.key, variant.status) == (key, "ready")
    assert app.extensions["vitrine.store"].exists(variant.blob_key)
