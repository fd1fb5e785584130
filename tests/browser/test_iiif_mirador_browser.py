"""A cleared asset's manifest opened in Mirador, the IIIF viewer museums and scholars use, in
Chromium (issue 17): Mirador shows the policy's credit line as the attribution, and draws
the image from tiles of the Image API.

Mirador is npm's ``mirador`` (pinned by package-lock.json, installed by scripts/browser.sh),
its UMD bundle served with a page of the test's own by a second server on another port of
127.0.0.1: Mirador reads the manifest, info.json and tiles across origins, as a viewer on a
museum's site does, so the app's CORS headers are exercised too. No CDN, nothing else.

Only SQLite with the local store runs: what is tested is the viewer reading the app.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from PIL import Image

from tests.support.api import cleared_asset
from tests.support.browser import Browser, Page, Watched, expect
from tests.support.live_server import in_thread
from tests.support.npm import NODE_MODULES, require_node_file
from tests.support.rights import BM
from tests.support.web import add_user

pytestmark = [
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
    pytest.mark.parametrize("blob_settings", ["local"], indirect=True),
]
Tokens = dict[str, dict[str, str]]

MIRADOR_JS = NODE_MODULES / "mirador" / "dist" / "mirador.min.js"
VIEWER_HTML = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Mirador, for Vitrine's tests</title></head>
<body style="margin: 0">
  <div id="viewer" style="position: absolute; inset: 0"></div>
  <script src="mirador.min.js"></script>
  <script src="viewer.js"></script>
</body>
</html>
"""
# The manifest is named by the page's query string: ?manifest=<absolute URL>.
VIEWER_JS = """
var manifest = new URLSearchParams(window.location.search).get("manifest");
window.mirador = Mirador.viewer({
  id: "viewer",
  windows: [{ manifestId: manifest }],
  workspaceControlPanel: { enabled: false },
});
"""


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Requests are not logged: pytest shows a failing test's own output."""


@contextmanager
def _viewer_site(root: Path) -> Iterator[str]:
    """The viewer page and Mirador's bundle served from ``root`` on a free port of
    127.0.0.1 (another origin than the app's), until the block ends."""
    (root / "index.html").write_text(VIEWER_HTML, encoding="utf-8")
    (root / "viewer.js").write_text(VIEWER_JS, encoding="utf-8")
    (root / "mirador.min.js").symlink_to(require_node_file(MIRADOR_JS, "the Mirador test"))
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    with in_thread(httpd, "mirador-site") as url:
        yield url


@pytest.fixture
def viewer_site(tmp_path: Path) -> Iterator[str]:
    root = tmp_path / "viewer"
    root.mkdir()
    with _viewer_site(root) as base:
        yield base


def _drawn(page: Page) -> float:
    """How much of OpenSeadragon's canvas differs from its most common colour: about 0 while
    nothing is drawn, most of it once the photograph is."""
    shot = page.locator(".openseadragon-canvas").first.screenshot()
    image = Image.open(io.BytesIO(shot)).convert("RGB").resize((160, 120))
    counts = image.getcolors(160 * 120) or []
    background = max(count for count, _ in counts)
    return 1 - background / (160 * 120)


def _copied_manifest_url(watched: Watched, asset_id: int) -> str:
    """The manifest URL as a person takes it from the asset page: its Copy button, then the
    clipboard."""
    watched.goto(f"/assets/{asset_id}#iiif")
    section = watched.page.locator("#iiif")
    expect(section.locator("#iiif-status")).to_have_text("Public: cleared for the web now")
    section.get_by_role("button", name="Copy the manifest URL").click()
    expect(section.locator("#iiif-manifest-copied")).to_have_text("Copied")
    copied = str(watched.page.evaluate("() => navigator.clipboard.readText()"))
    assert copied == section.get_by_label(re.compile("^Manifest URL")).input_value()
    assert watched.problems == [], watched.problems
    return copied


def test_the_manifest_url_copied_from_the_asset_page_opens_in_mirador_with_its_credit(
    app: Flask, server: str, browser: Browser, viewer_site: str, tokens: Tokens
) -> None:
    asset_id = cleared_asset(app.test_client(), tokens)
    add_user(app, "vera", "viewer")
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, permissions=["clipboard-read", "clipboard-write"]
    )
    try:
        watched = Watched(context, server)
        watched.sign_in("vera")
        manifest = _copied_manifest_url(watched, asset_id)
        public_id = manifest.split("/")[-2]
        assert manifest == f"{server}/iiif/3/{public_id}/manifest"
        tile = re.compile(rf"/iiif/3/{public_id}/[^/]+/[^/]+/[^/]+/default\.jpg$")

        page = context.new_page()  # Mirador logs React's warnings: not the app's problems
        page.set_default_timeout(20_000)
        tiles: list[Any] = []
        page.on("response", lambda r: tiles.append(r) if tile.search(r.url) else None)
        page.goto(f"{viewer_site}/index.html?manifest={quote(manifest, safe='')}")

        # (a) The attribution: Mirador's "Rights" panel shows the requiredStatement.
        page.get_by_role("button", name="Toggle sidebar").click()
        page.get_by_role("tab", name="Rights").click()
        panel = page.locator(".mirador-attribution-panel")
        expect(panel.get_by_text("Attribution", exact=True)).to_be_visible()
        expect(panel.get_by_text(BM, exact=True)).to_be_visible()

        # (b) Tiles of the Image API arrive, across origins, as JPEG.
        for _ in range(100):
            if any(r.status == 200 for r in tiles):
                break
            page.wait_for_timeout(200)
        loaded = [r for r in tiles if r.status == 200]
        assert loaded, f"no tile loaded: {[(r.url, r.status) for r in tiles]}"
        assert loaded[0].headers["content-type"] == "image/jpeg", loaded[0].headers
        assert loaded[0].headers.get("access-control-allow-origin") == "*"

        # ... and are drawn: the canvas holds a photograph, not a blank viewport.
        for _ in range(50):
            if _drawn(page) > 0.5:
                break
            page.wait_for_timeout(200)
        assert _drawn(page) > 0.5, "OpenSeadragon's canvas is still blank"
        assert all(r.status == 200 for r in tiles), [(r.url, r.status) for r in tiles]
    finally:
        context.close()
