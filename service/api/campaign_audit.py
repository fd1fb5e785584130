"""The campaign audit: every post checked on each platform, image by image, as JSON or CSV."""

from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.wrappers import Response

from service.api import bp
from service.http.context import services
from service.http.database import get_session
from service.http.guards import require
from service.rules.problems import InvalidInput
from service.services import campaign_audit, campaigns

FORMATS = ("json", "csv")


@bp.get("/campaigns/<int:campaign_id>/audit")
@require("viewer")
def audit_campaign(campaign_id: int) -> Response | dict[str, Any]:
    """The campaign's audit; CSV with ``?format=csv`` or ``Accept: text/csv``."""
    chosen = request.args.get("format")
    if chosen is not None and chosen not in FORMATS:
        raise InvalidInput({"format": f"must be one of {', '.join(FORMATS)}"})
    spacing = request.args.get("min_spacing")
    minutes: Any = spacing
    if spacing is not None:
        minutes = int(spacing) if spacing.strip().isdigit() else spacing
    session = get_session()
    campaign = campaigns.get_campaign(session, campaign_id)
    audited = campaign_audit.audit_campaign(
        session,
        services(),
        campaign,
        min_spacing=minutes,
        bluesky_embed=request.args.get("bluesky_embed"),
    )
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    if chosen == "csv" or (chosen is None and best == "text/csv"):
        name = f"vitrine-campaign-{campaign.id}-audit.csv"
        return Response(
            campaign_audit.audit_csv(audited),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return campaign_audit.audit_json(audited)
