"""/readyz answers in about half a second with the default settings, and a dependency slower
than that (PostgreSQL, S3, the broker, each behind a proxy that delays its answers by 3 s)
is reported as not ready, by name, instead of holding the probe."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask

from service import config
from service.ops import probes
from tests.support.faults import TcpProxy, proxy_to, through

DELAY = 3.0  # seconds each answer of the slow dependency is held back
BOUND = 1.5  # seconds /readyz may take (its checks get 0.5 s each, side by side)


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("blob_settings", ["s3"], indirect=True)
@pytest.mark.parametrize("slow", [None, "database", "blob_store", "broker"])
def test_readyz_answers_within_a_second_and_names_a_dependency_slower_than_its_threshold(
    make_app: Callable[..., Flask],
    database_url: str,
    pg_proxy: TcpProxy,
    s3_proxy: TcpProxy,
    broker_url: str,
    slow: str | None,
) -> None:
    redis = urlsplit(broker_url)
    assert redis.hostname is not None and redis.port is not None
    with proxy_to(redis.hostname, redis.port) as broker_proxy:
        client = make_app(
            DATABASE_URL=through(pg_proxy, database_url),
            S3_ENDPOINT_URL=f"http://{s3_proxy.address}",
            BROKER_URL=redis._replace(netloc=broker_proxy.address).geturl(),
        ).test_client()
        # The first probes build their clients and connections; a loaded machine may need
        # a second one before everything answers within the threshold.
        healthy = client.get("/readyz")
        for _ in range(2):
            if healthy.status_code == 200:
                break
            healthy = client.get("/readyz")
        assert healthy.status_code == 200, healthy.json
        proxies = {"database": pg_proxy, "blob_store": s3_proxy, "broker": broker_proxy}

        if slow is not None:
            proxies[slow].delay = DELAY
        response, seconds = timed(lambda: client.get("/readyz"))
        assert seconds < BOUND
        checks = response.json["checks"]
        expected = {name: "ok" for name in proxies}
        if slow is None:
            assert response.status_code == 200
            assert checks == expected
            return
        assert response.status_code == 503
        assert response.json["status"] == "unavailable"
        # The probe's deadline, or the S3 client's own timeout of the same length, says so.
        assert checks[slow].startswith("unavailable: ")
        assert "too slow" in checks[slow]
        assert checks == {**expected, slow: checks[slow]}

        proxies[slow].restore()  # ready again at once, though the slow checks still wait
        again = client.get("/readyz")
        assert again.status_code == 200, again.json


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("blob_settings", ["local"], indirect=True)
def test_a_database_that_hangs_costs_readyz_a_few_threads_not_one_per_probe(
    make_app: Callable[..., Flask], database_url: str, pg_proxy: TcpProxy
) -> None:
    client = make_app(DATABASE_URL=through(pg_proxy, database_url)).test_client()
    pg_proxy.delay = 30.0
    for _ in range(probes.MAX_PENDING + 3):
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json["checks"]["database"].startswith("unavailable: too slow")
        waiting = [thread for thread in threading.enumerate() if thread.name == "probe-database"]
        assert len(waiting) <= probes.MAX_PENDING
    pg_proxy.restore()


@pytest.mark.parametrize("value", ["0", "-1", "61", "soon"])
def test_a_ready_timeout_outside_a_minute_is_refused_at_start(value: str) -> None:
    with pytest.raises(config.ConfigError, match="VITRINE_READY_TIMEOUT_SECONDS"):
        config.load(environ={"VITRINE_READY_TIMEOUT_SECONDS": value})
