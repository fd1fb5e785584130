"""axe-core (npm, pinned by package-lock.json) run on a page in Chromium through Playwright.

The pages send a strict CSP (no inline or injected scripts), so the page is opened in a
context made with ``bypass_csp=True`` (``context_options``); axe.min.js is then added from
node_modules as a script tag, and ``axe.run()`` reports what it finds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.browser import Page
from tests.support.npm import NODE_MODULES, require_node_file

AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
# The impacts a page may not have: axe's top two of minor, moderate, serious, critical.
BLOCKING = ("serious", "critical")


def context_options(width: int, height: int) -> dict[str, Any]:
    """Options of a browser context axe can run in: the viewport, and the CSP bypassed."""
    return {"viewport": {"width": width, "height": height}, "bypass_csp": True}


def require_axe() -> Path:
    """The path of axe.min.js; skipped (failed when ``CI`` is set) when it is missing."""
    return require_node_file(AXE_JS, "the accessibility tests")


def violations(page: Page) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now (WCAG 2.x A/AA and best practices)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(require_axe()))
    found = page.evaluate("async () => (await axe.run(document)).violations")
    return list(found)


def blocking(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The violations whose impact is serious or critical."""
    return [violation for violation in found if violation.get("impact") in BLOCKING]


def describe(found: list[dict[str, Any]], nodes: int = 3) -> str:
    """One line per violation (rule id, impact, help), then its first nodes' targets."""
    lines = []
    for violation in found:
        lines.append(f"{violation['id']} ({violation.get('impact')}): {violation['help']}")
        for node in violation.get("nodes", [])[:nodes]:
            lines.append(f"    {' > '.join(map(str, node.get('target', [])))}")
        more = len(violation.get("nodes", [])) - nodes
        if more > 0:
            lines.append(f"    ... and {more} more")
    return "\n".join(lines)
