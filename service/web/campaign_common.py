"""What the campaign pages share (the board, ``campaigns``, and the post editor,
``campaign_posts``): how they name platforms, days and statuses, the confirmation shown once
where the user was after a Save, the library search offering images to add, and the post
service's messages placed beside the controls that caused them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import redirect
from flask import session as browser_session
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from service.rules import campaigns as plan_rules
from service.rules import captions
from service.rules.ids import is_id
from service.rules.problems import InvalidInput
from service.services import assets
from service.storage.models import Asset
from service.web.common import as_sentences

SEARCH_SIZE = 12  # library results offered at once to add to a post
STATUS_NAMES = {
    "draft": "Draft",
    "ready": "Ready",
    "exported": "Exported",
    "published": "Published",
    "withdrawn": "Withdrawn",
}

# What a delete form answers when its confirmation box was left unticked.
UNCONFIRMED = "Tick the box to confirm the deletion; nothing was deleted."


def platform_name(key: str) -> str:
    """A platform as people call it ("X", "Bluesky")."""
    return captions.PLATFORMS[key].name if key in captions.PLATFORMS else key


def day_label(on: date) -> str:
    """A campaign day as a heading says it: "Mon 8 June"."""
    return f"{on:%a} {on.day} {on:%B}"


def int_or_none(raw: str) -> int | None:
    return int(raw) if is_id(raw) else None


# --- confirmations, shown once where the user was ------------------------------------------

NOTICE = "campaign_notice"  # the session's key for a Save's confirmation


def saved(url: str, target: str, text: str, level: str = "success") -> Response:
    """Redirect to ``url#target``, where the confirmation is shown (inside ``target``)."""
    browser_session[NOTICE] = {"target": target, "text": text, "level": level}
    return redirect(f"{url}#{target}")


def notice() -> dict[str, Any] | None:
    """The confirmation of the Save that led here, once."""
    shown = browser_session.pop(NOTICE, None)
    return shown if isinstance(shown, dict) else None


# --- the library, and the post service's messages -------------------------------------------


def search(session: Session, query: str | None) -> list[Asset] | None:
    """The library's assets matching ``query`` (None: no search asked for), newest first."""
    if query is None:
        return None
    filters = assets.AssetFilters(text=query.strip() or None)
    found, _ = assets.list_assets(session, filters, limit=SEARCH_SIZE)
    return found


def shown_post_errors(error: InvalidInput) -> dict[str, str]:
    """The post service's messages, keyed by the editor's controls, as sentences:
    ``captions`` ("x: must be ...") goes beside that platform's caption, ``media[2]...``
    beside the third image."""
    shown: dict[str, str] = {}
    for name, message in error.extra["errors"].items():
        text = str(message)
        if name == "captions":
            platform, sep, rest = text.partition(": ")
            if sep and platform in plan_rules.POST_PLATFORMS:
                name, text = f"text-{platform}", rest
        elif name.startswith("media[") and "]" in name:
            index = name[len("media[") : name.index("]")]
            name = f"media-{index}" if index.isdigit() else "media"
        shown[name] = text
    return as_sentences(shown)
