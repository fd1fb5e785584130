"""Absolute public URLs: what the IIIF documents' ids and the links the asset page shows
start with, so that both name a resource the same way.

VITRINE_PUBLIC_URL when set (behind a proxy, the address the public uses), else the
request's own scheme and host.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import current_app, request

# Where the IIIF routes live (the iiif blueprint's url_prefix): version 3 of both APIs.
IIIF_PREFIX = "/iiif/3"


def public_base() -> str:
    """What public URLs start with, without a trailing slash."""
    configured = current_app.config.get("PUBLIC_URL")
    return str(configured or request.host_url).rstrip("/")


def iiif_url(*segments: str) -> str:
    """The absolute URL of a IIIF resource: ``iiif_url(public_id, "manifest")``,
    ``iiif_url(public_id, "info.json")``; each segment is percent-encoded."""
    path = "".join("/" + quote(segment, safe="") for segment in segments)
    return public_base() + IIIF_PREFIX + path
