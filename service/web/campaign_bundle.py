"""The campaign's export bundle from the web UI: the audit grid's "Download bundle".

GET downloads it when the audit passes (a 409 page says what blocks it otherwise). A rights
manager overrides a failing audit with a reason through POST, a form with its CSRF token, so
that no other site can have a signed-in browser record an override.
"""

from __future__ import annotations

from flask import g, request
from werkzeug.wrappers import Response

from service.http.context import services
from service.http.database import get_session
from service.rules.filenames import content_disposition
from service.services import campaign_bundle, campaigns
from service.web import bp
from service.web.session import login_required


def _bundle(campaign_id: int, *, date_format: str, override_reason: str | None) -> Response:
    session = get_session()
    campaign = campaigns.get_campaign(session, campaign_id)
    bundle = campaign_bundle.build_bundle(
        session,
        services(),
        campaign,
        caller=g.caller,
        date_format=date_format,
        override_reason=override_reason,
        url_base=request.host_url,
    )
    return Response(
        campaign_bundle.stream(bundle, services().store),
        mimetype="application/zip",
        headers={"Content-Disposition": content_disposition(bundle.download_name)},
    )


@bp.get("/campaigns/<int:campaign_id>/bundle")
@login_required("contributor")
def campaign_bundle_download(campaign_id: int) -> Response:
    """The bundle, when the campaign audit passes; marks the posts exported."""
    return _bundle(
        campaign_id, date_format=request.args.get("date_format", "dmy"), override_reason=None
    )


@bp.post("/campaigns/<int:campaign_id>/bundle")
@login_required("contributor")
def campaign_bundle_override(campaign_id: int) -> Response:
    """The bundle despite a failing audit, with the rights manager's reason (kept in history)."""
    return _bundle(
        campaign_id,
        date_format=request.form.get("date_format", "dmy"),
        override_reason=request.form.get("override_reason", ""),
    )
