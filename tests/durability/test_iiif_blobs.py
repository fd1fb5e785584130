"""IIIF blobs over SQLite and PostgreSQL, the local store and S3: a pyramid is complete or
unused, built once however many requests want it at once, owned while its asset lives, purged
with it, and the answers kept of a person's images go when their consent does."""

from __future__ import annotations

import dataclasses
import io
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, BinaryIO

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.http import database as db
from service.ops import jobs
from service.rules.problems import StorageDown
from service.services import assets, context, iiif_gate, iiif_images, iiif_pyramids
from service.storage.blobs import BlobStore, StorageUnavailable
from service.storage.db import utcnow
from tests.support import photos
from tests.support.api import upload
from tests.support.iiif_images import asked, asset_id_of, cleared_image, serve, sha_of
from tests.support.people import depict

Tokens = dict[str, dict[str, str]]
TILES = [asked((x, y, 512, 512), (512, 512)) for x in (0, 512, 1024) for y in (0, 512)]


class Faulty:
    """The test's store, failing every put of an IIIF blob after the first ``allowed`` ones,
    and counting the puts of each key."""

    def __init__(self, store: BlobStore, allowed: int | None = None) -> None:
        self.store, self.allowed = store, allowed
        self.puts: dict[str, int] = {}
        self._guard = threading.Lock()

    def put(self, key: str, stream: BinaryIO, content_type: str) -> None:
        with self._guard:
            self.puts[key] = self.puts.get(key, 0) + 1
            done = sum(self.puts.values())
        if key.startswith("iiif/") and self.allowed is not None and done > self.allowed:
            raise StorageUnavailable("the test's store stopped answering")
        self.store.put(key, stream, content_type)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def serve_through(app: Flask, store: Any, public_id: str, request: Any) -> iiif_images.Served:
    """``serve``, with the app's services around another store."""
    with app.app_context(), db.new_session(app) as session:
        services = dataclasses.replace(context.of(app), store=store)
        cleared = iiif_gate.cleared_for_web(session, services, public_id)
        return iiif_images.image(session, services, cleared, request)


@pytest.fixture
def photo(client: FlaskClient, tokens: Tokens) -> Iterator[str]:
    """A 1500x1000 JPEG cleared for the web; this process forgets its pyramid afterwards."""
    data = photos.jpeg_with_rights(width=1500, height=1000, orientation=1)
    public_id = cleared_image(client, tokens, data, "basket.jpg")
    sha = sha_of(client.application, public_id)
    yield public_id
    iiif_pyramids.forget(sha)


def test_a_build_that_fails_halfway_leaves_no_index_and_the_next_request_builds_it_whole(
    app: Flask, photo: str
) -> None:
    store = context.of(app).store
    sha = sha_of(app, photo)
    with pytest.raises(StorageDown):
        serve_through(app, Faulty(store, allowed=3), photo, TILES[0])
    kept = set(store.keys(iiif_pyramids.spec_prefix(sha)))
    assert len(kept) == 3 and iiif_pyramids.index_key(sha) not in kept
    assert serve(app, photo, TILES[3]).media_type == "image/jpeg"
    assert iiif_pyramids.index_key(sha) in set(store.keys(iiif_pyramids.spec_prefix(sha)))
    # 3 x 2 tiles at factor 1, 2 x 1 at 2, 1 at 4: all of them, and the index.
    assert len(list(store.keys(iiif_pyramids.spec_prefix(sha)))) == 6 + 2 + 1 + 1


def test_requests_that_want_a_missing_pyramid_at_once_build_it_once(app: Flask, photo: str) -> None:
    counting = Faulty(context.of(app).store)
    served: list[iiif_images.Served] = []
    barrier = threading.Barrier(len(TILES))

    def ask(request: Any) -> None:
        barrier.wait()
        served.append(serve_through(app, counting, photo, request))

    threads = [threading.Thread(target=ask, args=(request,)) for request in TILES]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(served) == len(TILES) and len({answer.data for answer in served}) == len(TILES)
    index = iiif_pyramids.index_key(sha_of(app, photo))
    assert counting.puts[index] == 1
    assert {key: n for key, n in counting.puts.items() if n != 1} == {}


def test_iiif_blobs_are_owned_while_their_asset_lives_and_purged_with_it(
    app: Flask, client: FlaskClient, tokens: Tokens, photo: str
) -> None:
    store = context.of(app).store
    sha = sha_of(app, photo)
    serve(app, photo, TILES[0])  # builds the pyramid and keeps the tile
    serve(app, photo, asked((0, 0, 1500, 1000), (375, 250), format="webp"))  # kept too
    older = f"{iiif_pyramids.prefix(sha)}upright-srgb-t512-q95-v0/index.json"
    store.put(older, io.BytesIO(b"{}"), "application/json")  # an older spec's
    blobs = set(iiif_pyramids.keys_of(store, sha))
    assert len(blobs) == 10 + 2 + 1
    later = utcnow() + timedelta(hours=2)  # past the grace every orphan gets
    with app.app_context(), db.new_session(app) as session:
        report = assets.check_storage(session, store, now=later)
    assert [key for key in report.orphan_keys if key.startswith("iiif/")] == [older]
    asset_id = asset_id_of(app, photo)
    deleted = client.delete(f"/api/v1/assets/{asset_id}", headers=tokens["admin"])
    assert deleted.status_code in (200, 204), deleted.json
    with app.app_context(), db.new_session(app) as session:
        purged = assets.purge_deleted(session, store, before=utcnow() + timedelta(days=1))
        assert purged == [asset_id]
        report = assets.check_storage(session, store, now=later)
    assert iiif_pyramids.keys_of(store, sha) == []
    assert not [key for key in report.orphan_keys + report.recent_keys if key.startswith("iiif/")]


def test_withdrawing_a_consent_takes_down_the_answers_kept_of_the_images_showing_the_person(
    app: Flask, client: FlaskClient, tokens: Tokens, photo: str
) -> None:
    asset_id = asset_id_of(app, photo)
    person_id, [consent_id] = depict(app, asset_id, consents=[{"channels": ["web", "social"]}])
    store = context.of(app).store
    sha = sha_of(app, photo)
    serve(app, photo, TILES[0])
    assert len(list(store.keys(iiif_pyramids.answers_prefix(sha)))) == 1
    withdrawn = client.post(f"/api/v1/people/{person_id}/consents/{consent_id}/withdraw",
                            headers=tokens["rights"])  # fmt: skip
    assert withdrawn.status_code == 200, withdrawn.json
    assert list(store.keys(iiif_pyramids.answers_prefix(sha))) == []
    assert iiif_pyramids.index_key(sha) in set(store.keys(iiif_pyramids.spec_prefix(sha)))
    with pytest.raises(iiif_gate.NotClearedForWeb):
        serve(app, photo, TILES[0])


def test_a_rights_change_drops_the_answers_kept_under_the_old_rights(
    app: Flask, client: FlaskClient, tokens: Tokens, photo: str
) -> None:
    asset_id = asset_id_of(app, photo)
    store = context.of(app).store
    sha = sha_of(app, photo)
    before = serve(app, photo, TILES[0])
    assert len(list(store.keys(iiif_pyramids.answers_prefix(sha)))) == 1
    changed = client.put(f"/api/v1/assets/{asset_id}/rights",
                         json={"creator": "A. Photographer"}, headers=tokens["rights"])  # fmt: skip
    assert changed.status_code == 200, changed.json
    assert list(store.keys(iiif_pyramids.answers_prefix(sha))) == []  # the old bytes are gone
    after = serve(app, photo, TILES[0])
    assert after.etag != before.etag and after.data != before.data
    assert iiif_pyramids.index_key(sha) in set(store.keys(iiif_pyramids.spec_prefix(sha)))


def test_the_prepare_task_builds_the_pyramid_of_an_image_cleared_for_the_web_only(
    app: Flask, client: FlaskClient, tokens: Tokens, photo: str
) -> None:
    store = context.of(app).store
    sha = sha_of(app, photo)
    assert iiif_pyramids.keys_of(store, sha) == []  # nobody has asked for it yet
    jobs.prepare_iiif(app, asset_id_of(app, photo))
    assert iiif_pyramids.index_key(sha) in set(store.keys(iiif_pyramids.spec_prefix(sha)))
    held_back = upload(client, tokens["contributor"], photos.jpeg_plain(900, 600))
    assert held_back.status_code == 201, held_back.json
    jobs.prepare_iiif(app, held_back.json["id"])  # its rights are not cleared
    assert iiif_pyramids.keys_of(store, held_back.json["sha256"]) == []


def test_vitrine_iiif_prepare_builds_the_pyramids_of_the_images_cleared_for_the_web(
    app: Flask, client: FlaskClient, tokens: Tokens, photo: str
) -> None:
    store = context.of(app).store
    held_back = upload(client, tokens["contributor"], photos.jpeg_plain(900, 600))
    assert held_back.status_code == 201, held_back.json
    prepared = app.test_cli_runner().invoke(args=["iiif", "prepare"])
    assert prepared.exit_code == 0, prepared.output
    assert "1 pyramid(s) ready, 1 image(s) not cleared for the web" in prepared.output
    sha = sha_of(app, photo)
    assert iiif_pyramids.index_key(sha) in set(store.keys(iiif_pyramids.spec_prefix(sha)))
    assert iiif_pyramids.keys_of(store, held_back.json["sha256"]) == []
