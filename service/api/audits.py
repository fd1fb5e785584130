"""Audit routes: one asset, or a list or filter of assets as JSON or CSV."""

from __future__ import annotations

import functools
from typing import Any

from flask import Flask, Response, current_app, request

from service.api import bp
from service.http import streaming
from service.http.context import services
from service.http.database import get_session
from service.http.guards import require
from service.rules import audit
from service.rules.problems import InvalidInput
from service.services import assets
from service.services import auditing as audits
from service.storage.db import utcnow


@bp.get("/assets/<int:asset_id>/audit")
@require("viewer")
def audit_one(asset_id: int) -> dict[str, Any]:
    """The audit of one asset for a platform and channel."""
    session = get_session()
    asset = assets.get_asset(session, asset_id)
    platform = request.args.get("platform", "default")
    channel = request.args.get("channel", "social")
    [report] = audits.audit_assets(
        session, [asset], platform=platform, channel=channel, today=utcnow().date(),
        people_unknown_blocks=services().people_unknown_blocks,
    )  # fmt: skip
    return audit.report_dict(report)


@bp.post("/audits")
@require("viewer")
def audit_many() -> Response:
    """The audits of listed or filtered assets, with a summary, as JSON or CSV."""
    body = request.get_json(silent=True)
    allowed = {"asset_ids", "filter", "platform", "channel"}
    if not isinstance(body, dict) or set(body) - allowed:
        raise InvalidInput({"body": "must be a JSON object with asset_ids or filter"})
    if ("asset_ids" in body) == ("filter" in body):
        raise InvalidInput({"body": "give either asset_ids or filter"})
    filters = None
    if "filter" in body:
        raw = body["filter"]
        # The listing's filters, over the live assets: a deleted asset is not published.
        names = [name for name in assets.FILTER_NAMES if name != "deleted"]
        if not isinstance(raw, dict) or set(raw) - set(names):
            raise InvalidInput({"filter": f"may hold {', '.join(names)}"})
        if not all(isinstance(value, str) for value in raw.values()):
            raise InvalidInput({"filter": "values must be strings"})
        filters = assets.filters_from(raw)
    asset_ids = body.get("asset_ids")
    if asset_ids is not None and not isinstance(asset_ids, list):
        raise InvalidInput({"asset_ids": "must be a list of asset ids"})
    platform, channel = body.get("platform", "default"), body.get("channel", "social")
    if not isinstance(platform, str) or not isinstance(channel, str):
        raise InvalidInput({"body": "platform and channel must be strings"})
    session = get_session()
    # Everything that can refuse the request is checked here, before the first byte: the
    # scope, the ids (that they are assets) and the cap (on the ids, loading no asset row).
    chosen = audits.selection(
        session,
        asset_ids=asset_ids,
        filters=filters,
        at_most=current_app.config["MAX_AUDIT_ASSETS"],
    )
    audits.check_scope(platform, channel)
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    stream = functools.partial(
        streaming.audit_document,
        app,
        chosen,
        platform=platform,
        channel=channel,
        today=utcnow().date(),
    )
    if request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv":
        return Response(
            stream(audit.csv_document),
            mimetype="text/csv",
            headers={"Content-Disposition": 'attachment; filename="vitrine-audit.csv"'},
        )
    # Compact and with sorted keys, as the app's other JSON answers (the summary sorts last).
    as_json = functools.partial(audit.json_document, sort_keys=True)
    return Response(stream(as_json, end="\n"), mimetype="application/json")
