"""What every page shares: the app's services (blob store, presets, render settings), the
publish call, the signed-in actor, form messages, and how a page answers a problem.

Pages, uploads, previews and the machine routes import their helpers from here and from
``session`` (who is signed in), never from one another.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import current_app, g, render_template, request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from service.http.context import services
from service.http.database import get_session
from service.http.errors import problem_response, wants_html
from service.rules import captions
from service.rules.presets import Preset
from service.rules.problems import DatabaseDown, InvalidInput, Problem, StorageDown
from service.services import assets, publishing, variants
from service.storage.blobs import BlobStore, StorageUnavailable
from service.storage.models import Asset
from service.web import bp

log = logging.getLogger(__name__)

DEFAULT_PLATFORM = "default"
DEFAULT_CHANNEL = "social"
PLATFORM_ORDER = ("x", "instagram", "facebook", "linkedin", "bluesky", "mastodon", "threads",
                  "default")  # fmt: skip
PLATFORM_NAMES = {key: "Default" if key == "default" else captions.PLATFORMS[key].name
                  for key in PLATFORM_ORDER}  # fmt: skip
# What the pages offer an audit: the platforms a post goes to ("default" is a caption, not a
# place to post; the API still accepts it).
AUDIT_PLATFORMS = tuple(key for key in PLATFORM_ORDER if key != DEFAULT_PLATFORM)
# The text fields that describe an asset, as the asset service checks them (with their limits).
DESCRIPTIVE_FIELDS = tuple(assets.FIELD_LIMITS)

# --- the app's services ----------------------------------------------------------------------


def store() -> BlobStore:
    """The app's blob store."""
    return services().store


def presets() -> dict[str, Preset]:
    """The presets in force (with the admins' API changes)."""
    return services().presets_in_force(get_session())


def preset_named(name: str) -> Preset:
    """The preset in force named ``name``; NotFound (a 404 page) names the known ones."""
    return services().preset(get_session(), name)


def render_settings() -> variants.RenderSettings:
    """How variants and previews are rendered, from the app's configuration."""
    return services().rendering


def publish(session: Session, asset: Asset, preset: Preset) -> publishing.Publication:
    """Publish ``asset`` for the preset's own platform and channel(s), as the signed-in user."""
    return publishing.publish(session, services(), asset, preset, caller=g.caller)


def signed_url(published: publishing.Publication, *, download_name: str | None = None) -> str:
    """Where a published variant can be fetched, for VITRINE_SIGNED_URL_SECONDS; with
    ``download_name``, answered as an attachment of that name."""
    url, _ = publishing.signed_url(services(), published, download_name=download_name)
    return url


# --- the signed-in user and their forms ------------------------------------------------------


def actor() -> str:
    """The signed-in user, whom the history names."""
    name: str = g.caller.actor
    return name


def field_errors(error: InvalidInput) -> dict[str, str]:
    """The service's messages per field as sentences for a form: "must be" -> "Must be."."""
    return as_sentences(error.extra["errors"])


def as_sentences(messages: Mapping[str, Any]) -> dict[str, str]:
    """Messages per field, as ``field_errors`` shows them."""
    shown = {}
    for name, message in messages.items():
        text = str(message).replace(", or null", ", or leave it empty").strip()
        shown[name] = text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
    return shown


def image_alt(asset: Asset) -> str:
    """The text an asset's image stands for: its alt text, else its title or file name."""
    return asset.alt_text or asset.title or asset.original_filename


# --- problems, answered as pages -------------------------------------------------------------


@dataclass(frozen=True)
class ShownError:
    """What error.html shows for a Problem raised by a page."""

    name: str
    description: str


ProblemView = Callable[[Problem], Response]
V = TypeVar("V", bound=ProblemView)

# Routes that answer their problems their own way (the upload page's script wants JSON).
_OWN_PROBLEM_VIEWS: dict[str, ProblemView] = {}


def answers_problems_of(endpoint: str) -> Callable[[V], V]:
    """Make the decorated function answer the problems raised on ``endpoint``."""

    def register(view: V) -> V:
        _OWN_PROBLEM_VIEWS[endpoint] = view
        return view

    return register


@bp.errorhandler(Problem)
def problem_page(error: Problem) -> Response:
    """Pages answer problems in HTML; scripts calling page routes get problem+json."""
    own_view = _OWN_PROBLEM_VIEWS.get(request.endpoint or "")
    if own_view is not None:
        return own_view(error)
    if wants_html():
        page = render_template(
            "error.html", status=error.status, error=ShownError(error.title, error.detail)
        )
        response = current_app.response_class(page, status=error.status, mimetype="text/html")
    else:
        response = problem_response(error.to_dict())
    response.headers.update(error.headers)
    return response


@bp.errorhandler(StorageUnavailable)
def storage_page(error: StorageUnavailable) -> Response:
    """The blob store did not answer: a 503 page."""
    return problem_page(StorageDown(str(error)))


@bp.errorhandler(OperationalError)
def database_page(error: OperationalError) -> Response:
    """The database did not answer: a 503 page, and the error logged."""
    log.warning("database error on %s %s: %s", request.method, request.path, error)
    return problem_page(DatabaseDown("The database did not answer."))
