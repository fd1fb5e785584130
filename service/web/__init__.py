"""The web UI (pages for people, signed in by session) and the machine routes outside the API.

Owns the page routes, forms and their problem pages; may import the HTTP edge, services,
storage, media, rules and operations, never the API, the CLI or the app. Helpers the pages
share live in ``common``; no page imports another.
"""

from flask import Blueprint

bp = Blueprint("web", __name__)

# Each module registers its routes (common: the problem pages) on bp when imported.
from service.web import (  # noqa: E402,F401
    asset,
    audits,
    campaign_audit,
    campaign_bundle,
    campaign_posts,
    campaigns,
    caption_templates,
    common,
    library,
    people,
    previews,
    session,
    system,
    uploads,
)
