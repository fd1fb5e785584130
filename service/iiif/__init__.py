"""IIIF under /iiif/3: the Image API (info.json and image requests) and Presentation
manifests and collections, public and behind the web gate (services/iiif_gate).

Thin routes over the service functions, like the API's; every answer, errors included,
may be read by a viewer on any site (CORS), and none sets a cookie.
"""

from flask import Blueprint, Response, current_app, request

from service.http.public_urls import IIIF_PREFIX, public_base
from service.rules.iiif.image_requests import SizeLimits

bp = Blueprint("iiif", __name__, url_prefix=IIIF_PREFIX)


def size_limits() -> SizeLimits:
    """The largest answer the image service gives: VITRINE_IIIF_MAX_EDGE on either side (and
    its square in area); ``max`` means this for a larger image, and manifests say so."""
    edge = int(current_app.config["IIIF_MAX_EDGE"])
    return SizeLimits(edge, edge, edge * edge)


def iiif_base() -> str:
    """The absolute URL of /iiif/3, under which every IIIF id lives."""
    return public_base() + IIIF_PREFIX


@bp.after_app_request
def _readable_anywhere(response: Response) -> Response:
    """Viewers on any site fetch these with script: allow any origin, credentials never;
    errors too (a path that matches no route among them), so that a viewer can say why."""
    if not request.path.startswith(IIIF_PREFIX):
        return response
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers.setdefault("Access-Control-Expose-Headers", "ETag, Link")
    return response


from service.iiif import images, manifests  # noqa: E402,F401  (routes register on bp)
