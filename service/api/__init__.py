"""The JSON API under /api/v1: thin routes over the service functions, described by openapi.yaml."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from service.api import (  # noqa: E402,F401  (routes register on bp)
    assets,
    audits,
    campaign_audit,
    campaign_bundle,
    campaigns,
    captions,
    people,
    rights,
    tokens,
    variants,
)
