"""The preview route: an internal preview's bytes, to a signed-in session and nobody else.

The library's cards and the asset page point their ``<img>`` here. There is no signed URL
for a preview: without the session cookie this route only redirects to the sign-in page.
"""

from __future__ import annotations

import logging

from flask import current_app, redirect, request, send_file, url_for
from werkzeug.wrappers import Response

from service.http.database import get_session
from service.rules.problems import Problem
from service.services import assets, previews
from service.web import bp
from service.web.common import render_settings, store
from service.web.session import login_required

log = logging.getLogger(__name__)


@bp.get("/assets/<int:asset_id>/preview/<size>")
@login_required("viewer")
def preview(asset_id: int, size: str) -> Response:
    """The asset's preview at ``size`` (thumb, page); the placeholder if none can be made."""
    session = get_session()
    asset = assets.get_asset(session, asset_id)
    try:
        made = previews.preview_of(session, store(), asset, size, render_settings())
        etag = made.key[:32]
        if etag in request.if_none_match:
            return _private(current_app.response_class(status=304), etag)
        stream = previews.open_preview(store(), made)
    except Problem as error:
        if error.status == 404 and size not in previews.SIZES:
            raise
        # Nothing to undo: the request's session only read (renders write in their own).
        log.info("no %s preview of asset %s: %s", size, asset_id, error.detail)
        return redirect(url_for("static", filename="placeholder.svg"))
    return _private(send_file(stream, mimetype=made.media_type, conditional=False), etag)


def _private(response: Response, etag: str) -> Response:
    """For this session only: a shared cache must not keep it, and the browser asks again
    (a 304 while unchanged), so that a new focal point shows at once."""
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.vary.add("Cookie")
    return response
