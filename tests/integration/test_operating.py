"""Operating: Prometheus metrics at /metrics, request ids in JSON logs, /readyz and the broker.

The broker checks use the Redis on ``VITRINE_TEST_REDIS_URL`` (``redis://127.0.0.1:6379/0``
by default); without one they are skipped, or fail when ``CI`` is set.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_core import OpenAPI
from prometheus_client.parser import text_string_to_metric_families
from werkzeug.test import TestResponse

from service.app import create_app
from service.ops import logs, metrics
from tests.support import photos
from tests.support.api import cleared_asset, upload
from tests.support.openapi import SPEC_PATH, Api, spec_config, text_body
from tests.support.services import redis_test_url, require_or_skip

ROOT = Path(__file__).resolve().parents[2]
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
MakeApp = Callable[..., Flask]


# ---------------------------------------------------------------- helpers


def scrape(client: FlaskClient, **headers: str) -> Samples:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/plain"
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def body(response: TestResponse) -> dict[str, Any]:
    parsed: dict[str, Any] = response.get_json()
    return parsed


def dead_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def bare_app(tmp_path: Path) -> Iterator[MakeApp]:
    """Apps on SQLite and a local directory, for routes that need no tables."""
    made: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        settings = {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'bare.db'}",
            "BLOB_BACKEND": "local",
            "BLOB_DIR": str(tmp_path / "blobs"),
            "SPOOL_DIR": str(tmp_path / "spool"),
            "TESTING": True,
        }
        application = create_app({**settings, **overrides})
        made.append(application)
        return application

    yield make
    for application in made:
        application.extensions["vitrine.engine"].dispose()


@pytest.fixture
def openapi() -> OpenAPI:
    """The spec, reading OpenMetrics as text too (openapi-core has no deserializer for it)."""
    config = spec_config()
    extra = {
        **(config.extra_media_type_deserializers or {}),
        "application/openmetrics-text": text_body,
    }
    return OpenAPI.from_file_path(
        str(SPEC_PATH), config=dataclasses.replace(config, extra_media_type_deserializers=extra)
    )


# ---------------------------------------------------------------- metrics


def test_metrics_count_requests_by_url_rule_and_status(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/assets/123456", headers=tokens["viewer"]).status_code == 404
    assert client.get("/api/v1/assets/123457", headers=tokens["viewer"]).status_code == 404
    assert client.get("/api/v1/assets/1").status_code == 401
    assert client.get("/no/such/page").status_code == 404

    samples = scrape(client)
    requests = "vitrine_http_requests_total"
    assert value(samples, requests, method="GET", route="/healthz", status="200") == 3
    asset_route = "/api/v1/assets/<int:asset_id>"
    assert value(samples, requests, method="GET", route=asset_route, status="404") == 2
    assert value(samples, requests, method="GET", route=asset_route, status="401") == 1
    assert value(samples, requests, method="GET", route="unmatched", status="404") == 1
    # Raw paths never become labels: one series per rule, however many ids are asked for.
    assert not any("123456" in dict(labels).get("route", "") for _, labels in samples)
    latency = "vitrine_http_request_duration_seconds_count"
    assert value(samples, latency, method="GET", route="/healthz") == 3


def test_upload_bytes_grow_by_the_size_of_each_uploaded_file(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    before = value(scrape(client), "vitrine_upload_bytes_total")
    first, second = photos.jpeg_plain(64, 48), photos.jpeg_plain(80, 60)
    assert upload(client, tokens["contributor"], first).status_code == 201
    assert upload(client, tokens["contributor"], second).status_code == 201
    after = value(scrape(client), "vitrine_upload_bytes_total")
    assert after - before == len(first) + len(second)


def test_a_variant_is_timed_per_preset_and_the_second_request_is_a_cache_hit(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    asset_id = cleared_asset(client, tokens)
    url = f"/api/v1/assets/{asset_id}/variants/x"

    assert client.get(url, headers=tokens["viewer"]).status_code == 200
    samples = scrape(client)
    assert value(samples, "vitrine_render_seconds_count", preset="x", kind="variant") == 1
    assert value(samples, "vitrine_render_seconds_sum", preset="x", kind="variant") > 0
    assert (
        value(samples, "vitrine_render_seconds_bucket", preset="x", kind="variant", le="+Inf") == 1
    )
    assert (
        value(samples, "vitrine_variant_cache_total", preset="x", kind="variant", result="miss")
        == 1
    )
    assert (
        value(samples, "vitrine_variant_cache_total", preset="x", kind="variant", result="hit") == 0
    )

    assert client.get(url, headers=tokens["viewer"]).status_code == 200
    assert client.get(url, headers=tokens["viewer"]).status_code == 200
    samples = scrape(client)
    assert value(samples, "vitrine_render_seconds_count", preset="x", kind="variant") == 1
    assert (
        value(samples, "vitrine_variant_cache_total", preset="x", kind="variant", result="miss")
        == 1
    )
    assert (
        value(samples, "vitrine_variant_cache_total", preset="x", kind="variant", result="hit") == 2
    )
    assert value(samples, "vitrine_render_seconds_count", preset="facebook", kind="variant") == 0


def test_each_app_has_its_own_registry(bare_app: MakeApp) -> None:
    one, two = bare_app().test_client(), bare_app().test_client()
    one.get("/healthz")
    one.get("/healthz")
    requests = "vitrine_http_requests_total"
    assert value(scrape(one), requests, method="GET", route="/healthz", status="200") == 2
    assert value(scrape(two), requests, method="GET", route="/healthz", status="200") == 0


def test_metrics_are_in_the_spec_and_openmetrics_when_asked(
    bare_app: MakeApp, openapi: OpenAPI
) -> None:
    api = Api(bare_app().test_client(), openapi)
    plain = api.call("GET", "/metrics")
    assert plain.status_code == 200
    assert "# TYPE vitrine_http_requests_total counter" in plain.get_data(as_text=True)
    assert "vitrine_upload_bytes_total 0.0" in plain.get_data(as_text=True)
    assert plain.headers["Cache-Control"] == "no-store"
    accept = {"Accept": "application/openmetrics-text; version=1.0.0"}
    rich = api.call("GET", "/metrics", headers=accept)
    assert rich.mimetype == "application/openmetrics-text"
    assert rich.get_data(as_text=True).endswith("# EOF\n")


def test_metrics_need_the_bearer_token_when_one_is_set(bare_app: MakeApp, openapi: OpenAPI) -> None:
    api = Api(bare_app(METRICS_TOKEN="scrape-me").test_client(), openapi)
    refused = api.call("GET", "/metrics")
    assert refused.status_code == 401
    assert body(refused)["code"] == "unauthenticated"
    wrong = api.call("GET", "/metrics", headers={"Authorization": "Bearer scrape-you"})
    assert wrong.status_code == 401
    good = api.call("GET", "/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert good.status_code == 200


def test_queue_depth_is_0_without_a_broker(bare_app: MakeApp) -> None:
    samples = scrape(bare_app().test_client())
    assert samples[("vitrine_queue_depth", frozenset({("queue", "celery")}))] == 0


def test_queue_depth_is_read_from_redis_when_scraped(
    bare_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = require_or_skip("Redis (VITRINE_TEST_REDIS_URL)", redis_test_url())
    queue = f"vitrine-test-{uuid.uuid4().hex[:8]}"  # never a queue a real worker reads
    monkeypatch.setattr(metrics, "QUEUES", (queue,))
    client = bare_app(BROKER_URL=url).test_client()
    broker = metrics.redis_client(url)
    try:
        assert value(scrape(client), "vitrine_queue_depth", queue=queue) == 0
        broker.lpush(queue, "a", "b", "c")
        broker.lpush(f"{queue}\x06\x169", "low priority")
        assert value(scrape(client), "vitrine_queue_depth", queue=queue) == 4
    finally:
        broker.delete(queue, f"{queue}\x06\x169")
        broker.close()


def test_a_dead_broker_leaves_out_the_queue_depth_but_not_the_rest(bare_app: MakeApp) -> None:
    client = bare_app(BROKER_URL=f"redis://127.0.0.1:{dead_port()}/0").test_client()
    samples = scrape(client)
    assert not any(name == "vitrine_queue_depth" for name, _ in samples)
    assert "vitrine_upload_bytes_total" in {name for name, _ in samples}


def test_gunicorn_workers_are_summed_with_a_multiprocess_directory(tmp_path: Path) -> None:
    """Two processes (as two workers) count in files; either one's /metrics sums both."""
    script = (
        "import sys\n"
        "from service.app import create_app\n"
        f"app = create_app({{'DATABASE_URL': 'sqlite:///{tmp_path}/m.db', "
        f"'BLOB_DIR': '{tmp_path}/blobs', 'TESTING': True}})\n"
        "client = app.test_client()\n"
        "for _ in range(int(sys.argv[1])):\n"
        "    assert client.get('/healthz').status_code == 200\n"
        "print(client.get('/metrics').get_data(as_text=True))\n"
    )
    directory = tmp_path / "prometheus"
    directory.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    for count in ("3", "2"):
        done = subprocess.run(
            [sys.executable, "-c", script, count],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
    line = 'vitrine_http_requests_total{method="GET",route="/healthz",status="200"} 5.0'
    assert line in done.stdout


# ---------------------------------------------------------------- request ids and logs


@pytest.fixture
def json_logs() -> Iterator[None]:
    """The JSON handler on the root logger for this test only."""
    root = logging.getLogger()
    level = root.level
    yield
    for handler in list(root.handlers):
        if isinstance(handler, logs.StderrHandler):
            root.removeHandler(handler)
    root.setLevel(level)


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_a_sane_request_id_is_echoed_and_an_insane_one_replaced(bare_app: MakeApp) -> None:
    client = bare_app().test_client()
    sent = "req-42.abc_DEF"
    assert client.get("/healthz", headers={"X-Request-ID": sent}).headers["X-Request-ID"] == sent
    longest = "a" * 64
    echoed = client.get("/healthz", headers={"X-Request-ID": longest}).headers["X-Request-ID"]
    assert echoed == longest
    for insane in ("a" * 65, "two words", "semi;colon", "é", ""):
        answered = client.get("/healthz", headers={"X-Request-ID": insane}).headers["X-Request-ID"]
        assert answered != insane
        assert len(answered) == 32 and answered.isalnum()
    # Errors and refusals carry one too.
    assert client.get("/no/such/page").headers["X-Request-ID"]
    first = client.get("/healthz").headers["X-Request-ID"]
    assert client.get("/healthz").headers["X-Request-ID"] != first


def test_json_logs_have_one_line_per_request_with_its_id(
    bare_app: MakeApp, json_logs: None, capsys: pytest.CaptureFixture[str]
) -> None:
    client = bare_app(LOG_FORMAT="json").test_client()
    capsys.readouterr()
    response = client.get("/healthz", headers={"X-Request-ID": "trace-me-1"})
    missing = client.get("/no/such/page")
    entries = json_lines(capsys.readouterr().err)

    [mine] = [e for e in entries if e.get("request_id") == "trace-me-1"]
    assert response.headers["X-Request-ID"] == "trace-me-1"
    assert mine["logger"] == "vitrine.request"
    assert mine["level"] == "INFO"
    assert mine["method"] == "GET"
    assert mine["path"] == "/healthz"
    assert mine["status"] == 200
    assert isinstance(mine["duration_ms"], float) and mine["duration_ms"] >= 0
    assert mine["message"] == "GET /healthz 200"
    assert mine["time"].endswith("+00:00")
    [other] = [e for e in entries if e.get("path") == "/no/such/page"]
    assert other["status"] == 404
    assert other["request_id"] == missing.headers["X-Request-ID"]


def test_a_line_logged_while_serving_carries_the_request_id(
    bare_app: MakeApp, json_logs: None, capsys: pytest.CaptureFixture[str]
) -> None:
    app = bare_app(LOG_FORMAT="json")

    @app.get("/test-only/warn")
    def warn() -> str:
        logging.getLogger("service.example").warning("careful: %s", "this")
        return "ok"

    capsys.readouterr()
    app.test_client().get("/test-only/warn", headers={"X-Request-ID": "warned"})
    [line] = [e for e in json_lines(capsys.readouterr().err) if e["logger"] == "service.example"]
    assert line["message"] == "careful: this"
    assert line["level"] == "WARNING"
    assert line["request_id"] == "warned"
    assert line["path"] == "/test-only/warn"
    assert "status" not in line


def test_text_logs_are_the_default_and_a_wrong_format_is_refused(
    bare_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VITRINE_LOG_FORMAT", raising=False)
    bare_app()
    # Text lines, their control characters escaped (tests/security/test_logs.py).
    [handler] = [h for h in logging.getLogger().handlers if isinstance(h, logs.StderrHandler)]
    assert isinstance(handler.formatter, logs.TextFormatter)
    with pytest.raises(ValueError, match="VITRINE_LOG_FORMAT"):
        bare_app(LOG_FORMAT="xml")


# ---------------------------------------------------------------- readiness


def test_readyz_checks_the_broker_when_one_is_set(bare_app: MakeApp, openapi: OpenAPI) -> None:
    url = require_or_skip("Redis (VITRINE_TEST_REDIS_URL)", redis_test_url())
    ready = Api(bare_app(BROKER_URL=url).test_client(), openapi).call("GET", "/readyz")
    assert ready.status_code == 200
    assert body(ready) == {
        "status": "ok",
        "checks": {"database": "ok", "blob_store": "ok", "broker": "ok"},
    }


def test_readyz_is_503_when_the_broker_does_not_answer(bare_app: MakeApp, openapi: OpenAPI) -> None:
    for broker in (f"redis://127.0.0.1:{dead_port()}/0", f"amqp://127.0.0.1:{dead_port()}//"):
        ready = Api(bare_app(BROKER_URL=broker).test_client(), openapi).call("GET", "/readyz")
        assert ready.status_code == 503
        assert body(ready)["status"] == "unavailable"
        assert body(ready)["checks"]["database"] == "ok"
        assert body(ready)["checks"]["broker"].startswith("unavailable: ")


def test_readyz_leaves_the_broker_out_without_one(bare_app: MakeApp) -> None:
    ready = bare_app().test_client().get("/readyz")
    assert body(ready)["checks"] == {"database": "ok", "blob_store": "ok"}
