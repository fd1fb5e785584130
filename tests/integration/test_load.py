"""Many clients at once against PostgreSQL and S3, through a real HTTP server.

8 clients upload 40 files between them, 16 of them duplicates of the other 24 and sent
from different clients at the same moment, while 8 other clients ask for 12 variants
(3 cleared assets x 4 presets), each variant asked for by several clients at once. The
app is served by werkzeug's threaded server on 127.0.0.1 and reaches S3 through a proxy
that logs every PUT, so "rendered once" is counted on the wire, not inferred.
``bench/load.py`` runs the same with larger counts and reports latencies.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select

from service.http import database as db
from service.storage.models import Asset, Variant
from tests.support import photos
from tests.support.api import clear, upload
from tests.support.faults import TcpProxy, proxy_to
from tests.support.live_server import serving

UPLOADERS = 8
VARIANT_CLIENTS = 8
DISTINCT_FILES = 24
DUPLICATES = 16
PRESETS = ("x", "instagram-square", "facebook", "linkedin")
CLEARED_ASSETS = 3
REQUESTS_PER_VARIANT_CLIENT = 6

pytestmark = [
    pytest.mark.parametrize("database_url", ["postgresql"], indirect=True),
    pytest.mark.parametrize("blob_settings", ["s3"], indirect=True),
]


@pytest.fixture
def s3_puts(blob_settings: dict[str, Any]) -> Iterator[tuple[TcpProxy, list[str]]]:
    """A proxy in front of S3 and the path of every PUT that went through it."""
    endpoint = urlsplit(blob_settings["S3_ENDPOINT_URL"])
    assert endpoint.hostname is not None and endpoint.port is not None
    puts: list[str] = []
    with proxy_to(endpoint.hostname, endpoint.port) as proxy:
        proxy.on_request(rb"^PUT (\S+) HTTP/", lambda match: puts.append(match[1].decode()))
        yield proxy, puts


@pytest.fixture
def served(make_app: Any, s3_puts: tuple[TcpProxy, list[str]]) -> Iterator[tuple[Flask, str]]:
    """The app behind werkzeug's threaded HTTP server on 127.0.0.1, talking to S3 via the proxy."""
    proxy, _ = s3_puts
    app = make_app(S3_ENDPOINT_URL=f"http://{proxy.address}")
    with serving(app) as base_url:
        yield app, base_url


def cleared_assets(app: Flask, tokens: dict[str, dict[str, str]]) -> list[int]:
    client = app.test_client()
    ids = []
    for n in range(CLEARED_ASSETS):
        response = upload(
            client,
            tokens["contributor"],
            photos.jpeg_with_rights(width=2400 - 16 * n, height=1800, orientation=1),
            title=f"Basket {n}",
            alt_text="A woven basket with a conical lid.",
        )
        assert response.status_code == 201, response.json
        ids.append(response.json["id"])
        assert clear(client, tokens, ids[-1]).status_code == 200
    return ids


def test_concurrent_uploads_and_variant_requests_store_each_file_once_and_render_each_variant_once(
    app: Flask,
    served: tuple[Flask, str],
    tokens: dict[str, dict[str, str]],
    s3_puts: tuple[TcpProxy, list[str]],
) -> None:
    served_app, base = served
    asset_ids = cleared_assets(served_app, tokens)
    distinct = [photos.jpeg_plain(200 + 8 * n, 150) for n in range(DISTINCT_FILES)]
    sends = distinct + distinct[:DUPLICATES]
    random.Random(6).shuffle(sends)
    wanted = [(asset_id, preset) for asset_id in asset_ids for preset in PRESETS]

    statuses: Counter[str] = Counter()
    failures: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(UPLOADERS + VARIANT_CLIENTS)

    def note(kind: str, response: requests.Response) -> None:
        with lock:
            statuses[f"{kind} {response.status_code}"] += 1
            if response.status_code >= 500 or response.status_code not in (200, 201):
                failures.append(f"{kind} {response.status_code} {response.text[:200]}")

    def uploader(number: int) -> None:
        with requests.Session() as http:
            start.wait(30)
            for data in sends[number::UPLOADERS]:
                response = http.post(
                    f"{base}/api/v1/assets",
                    files={"file": ("load.jpg", data, "image/jpeg")},
                    headers=tokens["contributor"],
                    timeout=120,
                )
                note("upload", response)

    def variant_client(number: int) -> None:
        with requests.Session() as http:
            start.wait(30)
            for step in range(REQUESTS_PER_VARIANT_CLIENT):
                asset_id, preset = wanted[(number * 3 + step) % len(wanted)]
                response = http.get(
                    f"{base}/api/v1/assets/{asset_id}/variants/{preset}",
                    headers=tokens["viewer"],
                    timeout=120,
                )
                note("variant", response)

    threads = [threading.Thread(target=uploader, args=(n,)) for n in range(UPLOADERS)]
    threads += [threading.Thread(target=variant_client, args=(n,)) for n in range(VARIANT_CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert not any(thread.is_alive() for thread in threads)

    assert failures == [], statuses
    assert statuses["upload 201"] + statuses["upload 200"] == len(sends)
    assert statuses["upload 201"] == DISTINCT_FILES  # each duplicate found its first copy
    assert statuses["variant 200"] == VARIANT_CLIENTS * REQUESTS_PER_VARIANT_CLIENT

    store = app.extensions["vitrine.store"]
    with app.app_context(), db.new_session() as session:
        per_sha = session.execute(select(Asset.sha256, func.count()).group_by(Asset.sha256)).all()
        assert len(per_sha) == DISTINCT_FILES + CLEARED_ASSETS
        assert {count for _, count in per_sha} == {1}
        owned = set(session.scalars(select(Asset.blob_key)))
        rows = list(session.scalars(select(Variant)))
    assert set(store.keys("originals/")) == owned

    assert len(rows) == len(wanted)
    assert Counter(row.key for row in rows).most_common(1)[0][1] == 1
    assert {(row.asset_id, row.preset) for row in rows} == set(wanted)
    assert {row.status for row in rows} == {"ready"}
    assert set(store.keys("variants/")) == {row.blob_key for row in rows}
    _, puts = s3_puts
    rendered = Counter(
        row.blob_key for row in rows for path in puts if path.endswith("/" + row.blob_key)
    )
    assert rendered == Counter({row.blob_key: 1 for row in rows})  # one PUT per variant
