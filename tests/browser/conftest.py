"""Fixtures of the browser tests: the app served on 127.0.0.1, Chromium, and two people."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from flask import Flask

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, Browser, sync_playwright
from tests.support.live_server import serving
from tests.support.web import add_user


def _unavailable(message: str) -> None:
    """Skip, or fail when ``CI`` is set: there the browser tests must run."""
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set: the browser tests must run)")
    pytest.skip(message)


@pytest.fixture
def server(app: Flask) -> Iterator[str]:
    """The app on a free port of 127.0.0.1, served by werkzeug in a thread."""
    with serving(app) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, launched once per module; skipped (failed under CI) when missing."""
    if sync_playwright is None:
        _unavailable("playwright is not installed: pip install -e '.[dev]'")
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing: run `bash scripts/browser.sh`")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def people(app: Flask) -> None:
    """Cora, a contributor, and Ravi, a rights manager."""
    add_user(app, "cora", "contributor")
    add_user(app, "ravi", "rights")
