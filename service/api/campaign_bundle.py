"""The campaign's export bundle: a ZIP streamed after the request's transaction."""

from __future__ import annotations

from flask import request
from werkzeug.wrappers import Response

from service.api import bp
from service.http.context import services
from service.http.database import get_session
from service.http.guards import current_caller, require
from service.rules.filenames import content_disposition
from service.rules.problems import InvalidInput
from service.services import campaign_bundle, campaigns


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
    session = get_session()
    campaign = campaigns.get_campaign(session, campaign_id)
    bundle = campaign_bundle.build_bundle(
        session,
        services(),
        campaign,
        caller=current_caller(),
        date_format=request.args.get("date_format", "dmy"),
        override_reason=reason,
        url_base=request.host_url,
    )
    return Response(
        campaign_bundle.stream(bundle, services().store),
        mimetype="application/zip",
        headers={"Content-Disposition": content_disposition(bundle.download_name)},
    )
