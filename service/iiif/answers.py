"""How IIIF answers go out: ETag, cache lifetime and Link header, or a 304.

Answers are public and may be kept by caches for VITRINE_IIIF_MAX_AGE seconds, never past the
end of the rights they were cleared under: a cache cannot be told to forget, so the time it
may keep an image is also how long a takedown takes to reach it. ETags are keyed to the
rights stamp, so a rights change is a new ETag for the same URL; a 304 is answered only once
the gate has passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flask import current_app, request
from werkzeug.wrappers import Response

from service.rules.iiif import presentation
from service.storage.db import utcnow


def answer(
    body: bytes,
    content_type: str,
    etag: str,
    *,
    good_until: datetime | None,
    links: Sequence[str] = (),
) -> Response:
    """``body`` with its ETag, cache lifetime and links; 304 without a body when the client
    already holds this ETag."""
    seconds = presentation.cache_seconds(
        int(current_app.config["IIIF_MAX_AGE"]), utcnow(), good_until
    )
    if etag in request.if_none_match:
        response = current_app.response_class(status=304)
    else:
        response = current_app.response_class(body, content_type=content_type)
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age={seconds}"
    if links:
        # No space before ";": the IIIF validator's Link parser does not allow one.
        response.headers["Link"] = ", ".join(links)
    return response
