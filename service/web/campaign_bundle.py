"""The campaign's export bundle from the web UI: the audit grid's "Download bundle".

GET downloads it when the audit passes (a 409 page says what blocks it otherwise). A rights
manager overrides a failing audit with a reason through POST, a form with its CSRF token, so
that no other site can have a signed-in browser record an override.
"""

from __future__ import annotations

from flask import g, request
from werkzeug.wrappers import Response

from service.http.streaming import bundle_download
from service.web import bp
from service.web.session import login_required


@bp.get("/campaigns/<int:campaign_id>/bundle")
@login_required("contributor")
def campaign_bundle_download(campaign_id: int) -> Response:
    """The bundle, when the campaign audit passes; marks the posts exported."""
    return bundle_download(
        campaign_id,
        caller=g.caller,
        date_format=request.args.get("date_format", "dmy"),
        override_reason=None,
    )


@bp.post("/campaigns/<int:campaign_id>/bundle")
@login_required("contributor")
def campaign_bundle_override(campaign_id: int) -> Response:
    """The bundle despite a failing audit, with the rights manager's reason (kept in history)."""
    return bundle_download(
        campaign_id,
        caller=g.caller,
        date_format=request.form.get("date_format", "dmy"),
        override_reason=request.form.get("override_reason", ""),
    )
