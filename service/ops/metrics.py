"""Prometheus metrics, served at ``/metrics``.

Each app has a registry of its own (tests build many apps in one process), made in
``init_app``; nothing is registered at import time. The use cases report through
``observe_upload``, ``observe_render`` and ``count_variant_lookup``, which do nothing
outside an app (a script, a worker without metrics).

Under gunicorn each worker counts on its own, and a scrape reaches one of them. Set
``PROMETHEUS_MULTIPROC_DIR`` to an empty directory (wiped at each start) before gunicorn
starts, and ``/metrics`` answers the sum over all workers, past and present.

- ``vitrine_http_requests_total{method,route,status}``: requests answered; ``route`` is the
  URL rule (``/api/v1/assets/<int:asset_id>``), ``unmatched`` when none matched (404, 405);
  ``method`` is one of the standard methods, else ``other``. No label takes a value the
  caller chose, so nobody can grow the set of series by sending odd requests.
- ``vitrine_http_request_duration_seconds{method,route}``: time to build each response.
- ``vitrine_upload_bytes_total``: bytes of uploaded files received for ingest.
- ``vitrine_render_seconds{preset,kind}``: time to render, check and store one variant;
  ``kind`` is ``variant`` (publishable) or ``preview`` (internal: thumbnails, asset page).
- ``vitrine_variant_cache_total{preset,kind,result}``: variant lookups, ``hit`` (already
  rendered) or ``miss`` (rendered for this request).
- ``vitrine_queue_depth{queue}``: tasks waiting in the broker's queue, read at scrape time
  (Redis ``LLEN``; 0 without ``BROKER_URL``; absent when the broker does not answer).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import redis
from flask import Flask, Response, current_app, has_app_context, request
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from service.ops.logs import request_seconds
from service.services import meters

log = logging.getLogger(__name__)

EXTENSION = "vitrine.metrics"
# Celery's default queue; with Redis, priorities 3, 6 and 9 wait in lists of their own.
QUEUES = ("celery",)
PRIORITY_SEPARATOR = "\x06\x16"
PRIORITY_STEPS = (3, 6, 9)
BROKER_TIMEOUT_SECONDS = 1.0

# Methods counted under their own name; any other (WebDAV's PROPFIND, garbage) is "other".
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)
RENDER_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120)


@dataclass(frozen=True)
class Metrics:
    """The app's registry and the metrics that the app and its use cases count into."""

    registry: CollectorRegistry
    requests: Counter
    latency: Histogram
    upload_bytes: Counter
    render_seconds: Histogram
    variant_cache: Counter
    queue_depth: QueueDepth


def init_app(app: Flask) -> Metrics:
    """Make the app's registry and metrics, and count every request it answers."""
    disable_created_metrics()  # type: ignore[no-untyped-call]  # *_created: noise
    registry = CollectorRegistry(auto_describe=True)
    metrics = Metrics(
        registry=registry,
        requests=Counter(
            "vitrine_http_requests",
            "HTTP requests answered, by route (URL rule) and status.",
            ["method", "route", "status"],
            registry=registry,
        ),
        latency=Histogram(
            "vitrine_http_request_duration_seconds",
            "Seconds to build each response, by route (URL rule).",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        ),
        upload_bytes=Counter(
            "vitrine_upload_bytes",
            "Bytes of uploaded files received for ingest.",
            registry=registry,
        ),
        render_seconds=Histogram(
            "vitrine_render_seconds",
            "Seconds to render, check and store one variant, by preset and kind.",
            ["preset", "kind"],
            buckets=RENDER_BUCKETS,
            registry=registry,
        ),
        variant_cache=Counter(
            "vitrine_variant_cache",
            "Variant lookups: hit (already rendered) or miss (rendered for this request).",
            ["preset", "kind", "result"],
            registry=registry,
        ),
        queue_depth=QueueDepth(app),
    )
    registry.register(metrics.queue_depth)
    ProcessCollector(registry=registry)
    app.extensions[EXTENSION] = metrics
    app.after_request(_count_request)
    meters.use_meter(AppMeter())  # the use cases count into the current app's metrics
    return metrics


def _current() -> Metrics | None:
    if not has_app_context():
        return None
    metrics: Metrics | None = current_app.extensions.get(EXTENSION)
    return metrics


def _count_request(response: Response) -> Response:
    metrics: Metrics = current_app.extensions[EXTENSION]
    route = request.url_rule.rule if request.url_rule is not None else "unmatched"
    method = request.method if request.method in KNOWN_METHODS else "other"
    metrics.requests.labels(method, route, str(response.status_code)).inc()
    seconds = request_seconds()
    if seconds is not None:
        metrics.latency.labels(method, route).observe(seconds)
    return response


class AppMeter:
    """The services' ``Meter``: counts into the metrics of the app in whose context they run."""

    def observe_upload(self, size: int) -> None:
        """Count an upload's bytes."""
        observe_upload(size)

    def observe_render(self, preset: str, seconds: float, *, kind: str) -> None:
        """Time a render."""
        observe_render(preset, seconds, kind=kind)

    def count_variant_lookup(self, preset: str, *, kind: str, hit: bool) -> None:
        """Count a variant lookup, hit or miss."""
        count_variant_lookup(preset, kind=kind, hit=hit)


def observe_upload(size: int) -> None:
    """Count an upload's bytes, in the current app's metrics if there is one."""
    if (metrics := _current()) is not None:
        metrics.upload_bytes.inc(size)


def observe_render(preset: str, seconds: float, *, kind: str) -> None:
    """Time a render, in the current app's metrics if there is one."""
    if (metrics := _current()) is not None:
        metrics.render_seconds.labels(preset, kind).observe(seconds)


def count_variant_lookup(preset: str, *, kind: str, hit: bool) -> None:
    """Count a variant lookup, hit or miss, in the current app's metrics if any."""
    if (metrics := _current()) is not None:
        metrics.variant_cache.labels(preset, kind, "hit" if hit else "miss").inc()


def _registry(app: Flask) -> CollectorRegistry:
    """This process's registry, or every process's counts when they are kept in files."""
    metrics: Metrics = app.extensions[EXTENSION]
    directory = app.config.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return metrics.registry
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    registry.register(metrics.queue_depth)
    return registry


def exposition(app: Flask, accept: str | None) -> tuple[bytes, str]:
    """The metrics in the format the scraper asked for, and its media type."""
    encoder, media_type = choose_encoder(accept or "")
    return encoder(_registry(app)), media_type


def serve(app: Flask, host: str, port: int) -> None:
    """Serve the metrics over HTTP from a thread of this process: for task workers, which
    answer no web requests. With prefork workers, PROMETHEUS_MULTIPROC_DIR must be set."""
    start_http_server(port, addr=host, registry=_registry(app))
    log.info("metrics on http://%s:%d/metrics", host, port)


# ---------------------------------------------------------------- the broker


def broker_url(app: Flask) -> str | None:
    """The task broker's URL, or None when tasks run inline."""
    url = app.config.get("BROKER_URL")
    return str(url) if url else None


def redis_client(url: str) -> redis.Redis:
    """A client that gives up after a second: probes and scrapes must not hang."""
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=BROKER_TIMEOUT_SECONDS,
        socket_timeout=BROKER_TIMEOUT_SECONDS,
        retry_on_timeout=False,
    )


def is_redis(url: str) -> bool:
    """Whether the broker is Redis, whose queue lengths can be read."""
    return urlsplit(url).scheme in ("redis", "rediss")


class QueueDepth(Collector):
    """``vitrine_queue_depth``, read from the broker when scraped."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def describe(self) -> Iterator[Metric]:
        """The metric this collector yields, without asking the broker."""
        yield GaugeMetricFamily("vitrine_queue_depth", "Tasks waiting.", labels=["queue"])

    def collect(self) -> Iterator[Metric]:
        """The queue depths read now; nothing when the broker does not answer."""
        family = GaugeMetricFamily(
            "vitrine_queue_depth",
            "Tasks waiting in the broker's queue, read when scraped.",
            labels=["queue"],
        )
        depths = self._depths()
        if depths is None:
            return
        for queue, depth in depths.items():
            family.add_metric([queue], depth)
        yield family

    def _depths(self) -> dict[str, int] | None:
        url = broker_url(self.app)
        if url is None:
            return dict.fromkeys(QUEUES, 0)
        if not is_redis(url):
            return None  # RabbitMQ: its own exporter reports queue depths
        client = redis_client(url)
        try:
            pipeline = client.pipeline(transaction=False)
            for queue in QUEUES:
                pipeline.llen(queue)
                for step in PRIORITY_STEPS:
                    pipeline.llen(f"{queue}{PRIORITY_SEPARATOR}{step}")
            lengths: list[Any] = pipeline.execute()
        except redis.RedisError as error:
            log.warning("queue depth unknown: the broker did not answer: %s", error)
            return None
        finally:
            client.close()
        per_queue = 1 + len(PRIORITY_STEPS)
        return {
            queue: sum(int(n) for n in lengths[i * per_queue : (i + 1) * per_queue])
            for i, queue in enumerate(QUEUES)
        }
