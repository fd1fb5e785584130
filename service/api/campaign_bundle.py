"""The campaign's export bundle: a ZIP streamed after the request's transaction."""

from __future__ import annotations

from flask import request
from werkzeug.wrappers import Response

from service.api import bp
from service.http.guards import current_caller, require
from service.http.streaming import bundle_download
from service.rules.problems import InvalidInput


@bp.get("/campaigns/<int:campaign_id>/bundle")
@require("contributor")
def get_campaign_bundle(campaign_id: int) -> Response:
    """The bundle as a ZIP; 409 with the failing cells unless the rights role overrides.

    Exporting marks the posts exported, so it takes a contributor. The audit, the renders and
    the marking happen before the first byte, in the request's transaction; the ZIP is
    written as the client reads it, from the blob store, with no session.
    """
    override = request.args.get("override", "false").lower()
    if override not in ("true", "false"):
        raise InvalidInput({"override": "must be true or false"})
    reason = request.args.get("reason", "") if override == "true" else None
    return bundle_download(
        campaign_id,
        caller=current_caller(),
        date_format=request.args.get("date_format", "dmy"),
        override_reason=reason,
    )
