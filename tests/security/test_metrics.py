"""Issue 11: metrics labels are bounded (odd methods and unknown paths count under one label
each), and /metrics needs its token, or a caller on loopback, outside debug."""

from __future__ import annotations

import random
import string
from collections.abc import Callable

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families

KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

pytestmark = pytest.mark.parametrize(
    ("database_url", "blob_settings"), [("sqlite", "local")], indirect=True
)


def series(app: Flask, name: str) -> list[dict[str, str]]:
    text = app.test_client().get("/metrics").get_data(as_text=True)
    return [
        sample.labels
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    ]


def test_random_methods_and_paths_cannot_grow_the_label_set(app: Flask) -> None:
    client = app.test_client()
    rng = random.Random(11)
    for _ in range(40):
        method = "".join(rng.choices(string.ascii_uppercase, k=rng.randint(3, 12)))
        path = "/" + "/".join(
            "".join(rng.choices(string.ascii_lowercase + string.digits, k=8))
            for _ in range(rng.randint(1, 3))
        )
        client.open(path, method=method)
        client.open("/library", method=method)
        client.get(path)
        client.post(f"/api/v1{path}")
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    for name in ("vitrine_http_requests_total", "vitrine_http_request_duration_seconds_count"):
        labels = series(app, name)
        assert labels, name
        assert {entry["method"] for entry in labels} <= KNOWN_METHODS | {"other"}
        assert {entry["route"] for entry in labels} <= rules | {"unmatched"}
    counted = series(app, "vitrine_http_requests_total")
    others = [entry for entry in counted if entry["method"] == "other"]
    assert {entry["route"] for entry in others} == {"unmatched"}  # 405 and 404 alike
    assert len(counted) < 20  # four kinds of request, a few statuses: not 160 series


@pytest.mark.parametrize(
    ("address", "allowed"),
    [("127.0.0.1", True), ("127.8.9.10", True), ("::1", True), ("10.0.0.5", False),
     ("192.0.2.1", False), ("2001:db8::1", False)],
)  # fmt: skip
def test_without_a_token_metrics_answer_only_on_loopback(
    app: Flask, address: str, allowed: bool
) -> None:
    response = app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": address})
    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert response.mimetype == "application/problem+json"
        assert "VITRINE_METRICS_TOKEN" in response.json["detail"]


def test_with_a_token_metrics_need_it_from_everywhere(make_app: Callable[..., Flask]) -> None:
    client = make_app(METRICS_TOKEN="scrape-me").test_client()
    for address in ("127.0.0.1", "10.0.0.5"):
        environ = {"REMOTE_ADDR": address}
        assert client.get("/metrics", environ_base=environ).status_code == 401
        sent = {"Authorization": "Bearer scrape-me"}
        assert client.get("/metrics", environ_base=environ, headers=sent).status_code == 200


def test_in_debug_metrics_answer_anyone(make_app: Callable[..., Flask]) -> None:
    client = make_app(DEBUG=True).test_client()
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.0.0.5"}).status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_address_decides(
    make_app: Callable[..., Flask],
) -> None:
    # The proxy on this host connects from loopback: with its hop trusted, the visitor's own
    # address is the one that counts, and a visitor is not local.
    client = make_app(TRUSTED_PROXIES=1).test_client()
    loopback = {"REMOTE_ADDR": "127.0.0.1"}
    visitor = {"X-Forwarded-For": "203.0.113.7"}
    assert client.get("/metrics", environ_base=loopback, headers=visitor).status_code == 403
    local = {"X-Forwarded-For": "127.0.0.1"}
    assert client.get("/metrics", environ_base=loopback, headers=local).status_code == 200
