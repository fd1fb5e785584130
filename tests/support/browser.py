"""Debian's Chromium as the browser tests launch it, and a page that records its problems."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from tests.support.web import PASSWORD

try:
    from playwright.sync_api import (
        Browser,
        BrowserContext,
        ConsoleMessage,
        Page,
        Response,
        expect,
        sync_playwright,
    )
except ImportError:  # pragma: no cover - reported by the browser fixture
    sync_playwright = None

CHROMIUM = Path(os.environ.get("VITRINE_TEST_CHROMIUM", "/usr/bin/chromium"))
# As the machine notes say: without the background-networking flags Chromium keeps trying
# Google's hosts, which this closed network refuses.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
TIMEOUT_MS = 15_000

# The Playwright names the browser tests use come from here, with the same fallback.
__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "TIMEOUT_MS",
    "Browser",
    "Page",
    "Watched",
    "expect",
    "sync_playwright",
]


class Watched:
    """A page plus every console error and uncaught exception it produced (CSP included)."""

    def __init__(self, context: BrowserContext, base: str) -> None:
        self.context = context
        self.base = base
        self.page: Page = context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"pageerror: {error}"))
        self.page.on("response", self._response)

    def _response(self, response: Response) -> None:
        if response.status >= 500 or (response.status >= 400 and "/static/" in response.url):
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def _console(self, message: ConsoleMessage) -> None:
        # A refused upload answers 415 and the browser logs that as "Failed to load
        # resource"; that is the flow working. CSP violations and script errors are not.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console: {message.text}")

    def goto(self, path: str) -> Any:
        return self.page.goto(self.base + path)

    def sign_in(self, username: str) -> None:
        self.goto("/login")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        expect(self.page).to_have_url(re.compile(r"/library"))
