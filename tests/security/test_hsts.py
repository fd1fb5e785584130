"""Issue 11, smaller points: with VITRINE_SECURE_COOKIES on (Vitrine served over TLS), every
answer carries HSTS; off, none does (a plain-HTTP laptop must not be pinned to HTTPS)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

pytestmark = pytest.mark.parametrize(
    ("database_url", "blob_settings"), [("sqlite", "local")], indirect=True
)

PATHS = ("/login", "/library", "/healthz", "/api/v1/me", "/no/such/page", "/metrics")


def test_hsts_is_sent_on_every_answer_behind_tls(make_app: Callable[..., Flask]) -> None:
    client = make_app(SECURE_COOKIES=True).test_client()
    for path in PATHS:
        response = client.get(path)
        assert response.headers.get("Strict-Transport-Security") == (
            "max-age=31536000; includeSubDomains"
        ), path


def test_no_hsts_without_secure_cookies(app: Flask) -> None:
    client = app.test_client()
    for path in PATHS:
        assert "Strict-Transport-Security" not in client.get(path).headers, path
