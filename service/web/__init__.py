"""The web UI and the machine routes outside the API, on the same services as the API."""

from flask import Blueprint

bp = Blueprint("web", __name__)

from service.web import pages, previews, session, system  # noqa: E402,F401  (routes register on bp)
