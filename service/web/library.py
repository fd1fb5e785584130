"""The library page: the assets as cards, searched and filtered, with bulk audit and tagging.

Forms answer invalid input by re-rendering with messages beside the fields (HTTP 422) and
success with a redirect and a flashed message. Its images are internal previews (served by
``web.preview`` to the signed-in session), never publishable variants.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import current_app, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from service.http.database import get_session
from service.rules.ids import is_id
from service.rules.problems import InvalidInput
from service.services import assets, rights
from service.services import auditing as audits
from service.storage.db import utcnow
from service.storage.models import Asset
from service.web import bp
from service.web.common import (
    DEFAULT_CHANNEL,
    DEFAULT_PLATFORM,
    actor,
    field_errors,
    image_alt,
)
from service.web.session import login_required, safe_next, signed_in_user

PAGE_SIZE = 24
SORT_LABELS = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "title": "Title, A to Z",
    "object_number": "Object number",
}


@bp.get("/")
def index() -> Response:
    """Send visitors to the library when signed in, else to the sign-in page."""
    return redirect(url_for("web.library" if signed_in_user() else "web.login"))


@dataclass(frozen=True)
class Card:
    """One asset as the library shows it: image, rights status and audit outcome."""

    asset: Asset
    alt: str
    rights_status: str
    audit_outcome: str


def _render_library(errors: Mapping[str, str] | None = None, status: int = 200) -> Response:
    errors = dict(errors or {})
    names = ("q", "status", "holder", "tag", "sort")
    args = {name: request.args.get(name, "").strip() for name in names}
    if args["status"] and args["status"] not in rights.STATUSES:
        errors["status"] = f"Choose one of {', '.join(rights.STATUSES)}."
        args["status"] = ""
    if args["sort"] and args["sort"] not in SORT_LABELS:
        errors["sort"] = f"Choose one of {', '.join(SORT_LABELS.values())}."
        args["sort"] = ""
    session = get_session()
    filters = assets.AssetFilters(
        text=args["q"] or None,
        tag=args["tag"] or None,
        rights_status=args["status"] or None,
        holder=args["holder"] or None,
    )
    page: list[Asset] = []
    next_cursor = None
    try:
        page, next_cursor = assets.list_assets(
            session,
            filters,
            limit=PAGE_SIZE,
            cursor=request.args.get("cursor") or None,
            sort=args["sort"] or "newest",
        )
    except InvalidInput as error:
        errors.update(field_errors(error))
    today = utcnow().date()
    reports = audits.audit_assets(
        session, page, platform=DEFAULT_PLATFORM, channel=DEFAULT_CHANNEL, today=today
    )
    cards = [
        Card(
            asset=asset,
            alt=image_alt(asset),
            rights_status=asset.rights.status if asset.rights else "unknown",
            audit_outcome=report.outcome,
        )
        for asset, report in zip(page, reports, strict=True)
    ]
    next_url = None
    if next_cursor:
        kept = {name: value for name, value in args.items() if value}
        next_url = url_for("web.library") + "?" + urlencode({**kept, "cursor": next_cursor})
    page_html = render_template(
        "library.html",
        cards=cards,
        args=args,
        errors=errors,
        statuses=rights.STATUSES,
        sorts=SORT_LABELS,
        next_url=next_url,
        here=safe_next(
            request.form.get("next") if request.method == "POST" else request.full_path
        ).rstrip("?"),
        bulk_tag=request.form.get("tag", "") if request.method == "POST" else "",
    )
    return current_app.response_class(page_html, status=422 if errors else status)


@bp.get("/library")
@login_required("viewer")
def library() -> Response:
    """The library: assets as cards, searched and filtered by the query string."""
    return _render_library()


@bp.post("/library/bulk")
@login_required("viewer")
def library_bulk() -> Response:
    """Audit the selected assets (a redirect to the report) or add a tag to all of them."""
    action = request.form.get("action", "")
    raw_ids = request.form.getlist("asset_ids")
    if not raw_ids:
        return _render_library({"asset_ids": "Select at least one asset."})
    if not all(is_id(raw) for raw in raw_ids):
        return _render_library({"asset_ids": "The selection holds something that is not an id."})
    ids = list(dict.fromkeys(int(raw) for raw in raw_ids))
    if action == "audit":
        query = urlencode({"ids": _join(ids)}, safe=",")
        return redirect(url_for("web.audit_report") + "?" + query)
    if action != "tag":
        return _render_library({"action": "Choose Audit or Add tag."})
    if not g.caller.can("contributor"):
        page = render_template("forbidden.html", needed="contributor")
        return current_app.response_class(page, status=403)
    new_tags = assets.split_tags([request.form.get("tag", "")])
    if not new_tags:
        return _render_library({"tag": "Enter a tag to add."})
    session = get_session()
    try:
        # One savepoint for the whole selection: when one asset refuses the tag, the assets
        # tagged before it are undone too, before the page (422) lists them again.
        with session.begin_nested():
            selected = audits.select_assets(
                session,
                asset_ids=ids,
                filters=None,
                at_most=current_app.config["MAX_AUDIT_ASSETS"],
            )
            for asset in selected:
                changes = {"tags": [*asset.tags, *new_tags]}
                assets.update_asset(session, asset, changes, actor=actor())
    except InvalidInput as error:
        found = field_errors(error)
        if "asset_ids" in found:
            return _render_library({"asset_ids": found["asset_ids"]})
        return _render_library({"tag": " ".join(found.values())})
    shown = ", ".join(f"#{tag}" for tag in new_tags)
    flash(f"Added {shown} to {len(selected)} asset(s).", "success")
    return redirect(safe_next(request.form.get("next")))


def _join(ids: Sequence[int]) -> str:
    return ",".join(str(asset_id) for asset_id in ids)
