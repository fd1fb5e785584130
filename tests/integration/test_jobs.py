"""The work queue: variants rendered ahead by a real worker process, or inline without a broker.

The worker tests start ``vitrine worker`` as a subprocess on the test's own database (a SQLite
file or PostgreSQL) and blob store (a directory or S3), with a Redis database of the test's
own as the broker. With ``CI`` set, a missing Redis fails them instead of skipping.
"""

from __future__ import annotations

import io
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import exifread
import pytest
from flask import Flask
from PIL import Image
from prometheus_client.parser import text_string_to_metric_families

from service import config
from service.app import create_app
from service.http import database as db
from service.media import render
from service.ops import jobs
from service.rules.problems import StorageDown
from service.services import variants
from service.storage.models import Variant
from tests.support import photos
from tests.support.api import upload

PREVIEWS = ("preview-thumb", "preview-page")  # the rows' preset names
EAGER = ("web-large",)  # a publishable preset a deployment asks to have rendered ahead
VITRINE = Path(sys.executable).with_name("vitrine")
# A worker takes seconds to start: its tests run on the two setups a deployment would use.
SHARED_SETUPS = pytest.mark.parametrize(
    ("database_url", "blob_settings"), [("sqlite", "local"), ("postgresql", "s3")], indirect=True
)


def worker_environment(settings: dict[str, Any]) -> dict[str, str]:
    """The app settings as the ``VITRINE_*`` variables a separate process reads."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(config.ENV_PREFIX)}
    for name, value in settings.items():
        if name in config.DEFAULTS and value is not None:
            text = str(value).lower() if isinstance(value, bool) else str(value)
            env[config.ENV_PREFIX + name] = text
    return env


@pytest.fixture
def worker_metrics_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def worker(
    app_settings: dict[str, Any], broker_url: str, tmp_path: Path, worker_metrics_port: int
) -> Iterator[subprocess.Popen[bytes]]:
    """A real ``vitrine worker`` (two processes) on the test's database, store and broker,
    serving its metrics on ``worker_metrics_port``."""
    env = worker_environment(
        {**app_settings, "BROKER_URL": broker_url, "EAGER_PRESETS": ",".join(EAGER),
         "EAGER_PREVIEWS": True}
    )  # fmt: skip
    env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path / "metrics")
    env["VITRINE_WORKER_METRICS_PORT"] = str(worker_metrics_port)
    (tmp_path / "metrics").mkdir()
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(VITRINE), "worker", "--concurrency", "2", "--loglevel", "info"],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    yield process
    process.terminate()  # a warm shutdown: running tasks finish
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    sys.stderr.write(log_path.read_text(errors="replace")[-4000:])  # shown if the test failed


@pytest.fixture
def queued_app(make_app: Callable[..., Flask], broker_url: str) -> Flask:
    """A web app that sends its background work to the broker instead of doing it."""
    return make_app(BROKER_URL=broker_url, EAGER_PRESETS=",".join(EAGER), EAGER_PREVIEWS=True)


@pytest.fixture
def bare_app(tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Apps on an unmigrated SQLite file and a local store: enough to check settings."""
    made: list[Flask] = []

    def make(**settings: Any) -> Flask:
        base = {"DATABASE_URL": f"sqlite:///{tmp_path / 'v.db'}", "TESTING": True,
                "BLOB_DIR": str(tmp_path / "blobs"), "SPOOL_DIR": str(tmp_path / "spool"),
                "SECRET_KEY": "a-test-key-long-enough-to-start-with-0123"}  # fmt: skip
        made.append(create_app({**base, **settings}))
        return made[-1]

    yield make
    for app in made:
        app.extensions["vitrine.engine"].dispose()


def ready_variants(app: Flask, asset_id: int) -> dict[str, Variant]:
    with db.new_session(app) as session:
        rows = session.query(Variant).filter_by(asset_id=asset_id, status="ready")
        return {row.preset: row for row in rows}


def wait_for(
    found: Callable[[], dict[str, Variant] | None],
    what: str,
    worker: subprocess.Popen[bytes],
    timeout: float = 90,
) -> dict[str, Variant]:
    """Poll until ``found`` answers something, failing early if the worker has died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = found()
        if result:
            return result
        assert worker.poll() is None, f"the worker exited with {worker.returncode}"
        time.sleep(0.2)
    pytest.fail(f"no {what} within {timeout:.0f} s")


def eager_variants_of(app: Flask, asset_id: int) -> Callable[[], dict[str, Variant] | None]:
    def found() -> dict[str, Variant] | None:
        ready = ready_variants(app, asset_id)
        return ready if set(ready) == {*PREVIEWS, *EAGER} else None

    return found


@pytest.fixture
def no_rendering_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rendering in the test (web) process fails the test: only the worker may render."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the web process rendered a variant")

    monkeypatch.setattr(render, "render_variants", refuse)


@SHARED_SETUPS
@pytest.mark.usefixtures("no_rendering_here")
def test_an_upload_has_the_worker_render_the_previews_and_eager_presets_unasked(
    queued_app: Flask,
    worker: subprocess.Popen[bytes],
    worker_metrics_port: int,
    tokens: dict[str, dict[str, str]],
) -> None:
    response = upload(queued_app.test_client(), tokens["contributor"], photos.jpeg_plain(1200, 800))
    assert response.status_code == 201, response.json
    asset_id = int(response.json["id"])
    jobs.enqueue(queued_app, "after_upload", asset_id)  # twice: still one render per variant

    ready = wait_for(eager_variants_of(queued_app, asset_id), "eager variants", worker)

    store = queued_app.extensions["vitrine.store"]
    time.sleep(1)  # let the duplicate tasks finish too
    assert set(ready_variants(queued_app, asset_id)) == {*PREVIEWS, *EAGER}
    assert {row.kind for name, row in ready.items()} == {"preview", "variant"}
    assert sorted(store.keys("previews/")) == sorted(ready[name].blob_key for name in PREVIEWS)
    assert list(store.keys("variants/")) == [ready["web-large"].blob_key]
    with store.open(ready["preview-thumb"].blob_key) as stream, Image.open(stream) as thumb:
        assert (thumb.format, thumb.size) == ("WEBP", (400, 400))
    with store.open(ready["preview-page"].blob_key) as stream, Image.open(stream) as page:
        assert (page.format, page.size) == ("WEBP", (1024, 683))
    with store.open(ready["web-large"].blob_key) as stream, Image.open(stream) as large:
        assert (large.format, large.size) == ("JPEG", (1200, 800))
    # The worker's renders are counted where Prometheus can scrape them.
    url = f"http://127.0.0.1:{worker_metrics_port}/metrics"
    with urllib.request.urlopen(url, timeout=5) as response:
        families = {f.name: f for f in text_string_to_metric_families(response.read().decode())}
    renders = {
        (sample.labels["preset"], sample.labels["kind"]): sample.value
        for sample in families["vitrine_render_seconds"].samples
        if sample.name == "vitrine_render_seconds_count"
    }
    assert renders == {
        ("preview-thumb", "preview"): 1.0,
        ("preview-page", "preview"): 1.0,
        ("web-large", "variant"): 1.0,
    }


@SHARED_SETUPS
@pytest.mark.usefixtures("no_rendering_here")
def test_a_rights_change_has_the_worker_render_variants_that_carry_the_new_rights(
    queued_app: Flask, worker: subprocess.Popen[bytes], tokens: dict[str, dict[str, str]]
) -> None:
    client = queued_app.test_client()
    asset_id = int(upload(client, tokens["contributor"], photos.jpeg_plain(900, 600)).json["id"])
    before = wait_for(eager_variants_of(queued_app, asset_id), "eager variants", worker)

    changed = client.put(f"/api/v1/assets/{asset_id}/rights", json={"creator": "Sahara Dahir"},
                         headers=tokens["rights"])  # fmt: skip
    assert changed.status_code == 200, changed.json

    # The variant carrying the old rights is gone before the answer, whatever the worker does.
    store = queued_app.extensions["vitrine.store"]
    assert not store.exists(before["web-large"].blob_key)
    old_key = before["web-large"].key

    def rerendered() -> dict[str, Variant] | None:
        ready = ready_variants(queued_app, asset_id)
        fresh = "web-large" in ready and ready["web-large"].key != old_key
        return ready if fresh else None

    after = wait_for(rerendered, "re-rendered variants", worker)
    # Previews carry no rights: they are left as they were.
    assert {name: after[name].key for name in PREVIEWS} == {
        name: before[name].key for name in PREVIEWS
    }
    with store.open(after["web-large"].blob_key) as stream:
        tags = exifread.process_file(io.BytesIO(stream.read()), details=False)
    assert str(tags["Image Artist"]) == "Sahara Dahir"


def test_without_a_broker_an_upload_renders_the_previews_and_eager_presets_inline(
    make_app: Callable[..., Flask], tokens: dict[str, dict[str, str]]
) -> None:
    app = make_app(EAGER_PRESETS=",".join(EAGER), EAGER_PREVIEWS=True)
    response = upload(app.test_client(), tokens["contributor"], photos.jpeg_plain(800, 600))
    assert response.status_code == 201
    ready = ready_variants(app, int(response.json["id"]))
    assert set(ready) == {*PREVIEWS, *EAGER}
    store = app.extensions["vitrine.store"]
    assert all(store.exists(row.blob_key) for row in ready.values())


def test_without_a_broker_a_failed_render_is_logged_and_the_upload_still_succeeds(
    make_app: Callable[..., Flask],
    tokens: dict[str, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def storage_down(*args: Any, **kwargs: Any) -> Any:
        raise StorageDown("The blob store did not answer.")

    monkeypatch.setattr(variants, "get_or_render", storage_down)
    app = make_app(EAGER_PRESETS="thumb")
    with caplog.at_level(logging.WARNING, logger="service.ops.jobs"):
        response = upload(app.test_client(), tokens["contributor"], photos.jpeg_plain(320, 240))
    assert response.status_code == 201
    assert "The blob store did not answer." in caplog.text


def test_an_upload_succeeds_when_the_broker_is_down(
    make_app: Callable[..., Flask],
    tokens: dict[str, dict[str, str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = make_app(BROKER_URL="redis://127.0.0.1:1/0", EAGER_PRESETS="thumb")
    with caplog.at_level(logging.ERROR, logger="service.ops.jobs"):
        response = upload(app.test_client(), tokens["contributor"], photos.jpeg_plain(320, 240))
    assert response.status_code == 201
    assert "could not send after_upload" in caplog.text
    assert ready_variants(app, int(response.json["id"])) == {}


@pytest.mark.parametrize(
    ("settings", "previews", "eager"),
    [
        # The default: previews only (the library's thumbnails, the asset page's image).
        ({"TESTING": False}, ("thumb", "page"), ()),
        ({"TESTING": True}, (), ()),  # tests see only the variants they ask for
        ({"TESTING": True, "EAGER_PREVIEWS": True}, ("thumb", "page"), ()),
        ({"TESTING": False, "EAGER_PREVIEWS": False}, (), ()),
        ({"EAGER_PRESETS": " web-large, og,web-large"}, (), ("web-large", "og")),
    ],
)
def test_the_previews_and_eager_presets_follow_the_settings(
    settings: dict[str, Any],
    previews: tuple[str, ...],
    eager: tuple[str, ...],
    bare_app: Callable[..., Flask],
) -> None:
    app = bare_app(**settings)
    assert app.extensions["vitrine.eager_previews"] == previews
    assert app.extensions["vitrine.eager_presets"] == eager


def test_an_unknown_eager_preset_is_refused_at_start(bare_app: Callable[..., Flask]) -> None:
    with pytest.raises(config.ConfigError, match=r"unknown preset.*myspace"):
        bare_app(EAGER_PRESETS="myspace")


def test_enqueue_refuses_a_task_that_does_not_exist(bare_app: Callable[..., Flask]) -> None:
    with pytest.raises(ValueError, match="no task named 'render_everything'"):
        jobs.enqueue(bare_app(), "render_everything", 1)


def test_the_worker_command_says_how_to_configure_a_broker(
    bare_app: Callable[..., Flask],
) -> None:
    result = bare_app().test_cli_runner().invoke(args=["worker"])
    assert result.exit_code == 1
    assert "Set VITRINE_BROKER_URL" in result.output


def test_worker_metrics_with_prefork_processes_need_a_directory_to_add_up_in(
    bare_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    runner = bare_app(BROKER_URL="redis://127.0.0.1:1/0").test_cli_runner()
    result = runner.invoke(args=["worker", "--metrics-port", "9999"])
    assert result.exit_code == 1
    assert "needs PROMETHEUS_MULTIPROC_DIR" in result.output
