"""The caption templates page (admins): each platform's template, edited with a preview on a
chosen asset.

The page calls the services the API's template routes call (``captioning.list_templates``,
``set_template``, ``preview``). The preview is the same form posted with its Preview button,
so it works without JavaScript; caption_templates.js posts it as the user types and asks for
JSON (a page route: the session's cookie and CSRF token, not an API token).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from service.http.captions import caption_json
from service.http.database import get_session
from service.rules import captions
from service.rules.ids import is_id
from service.rules.problems import InvalidInput, NotFound
from service.services import assets, captioning
from service.storage.db import utcnow
from service.web import bp
from service.web.common import PLATFORM_NAMES, PLATFORM_ORDER, actor, field_errors
from service.web.session import login_required

PREVIEW_CHOICES = 50  # the newest assets offered for the preview


def _platform(raw: str | None) -> str:
    """The platform asked for: one the templates know, else the first of the page's order."""
    return raw if raw is not None and raw in captions.DEFAULT_TEMPLATES else PLATFORM_ORDER[0]


def _asset_id(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if is_id(raw) else None


def _render(
    platform: str,
    *,
    asset_id: int | None,
    template: str | None = None,
    preview: captions.Caption | None = None,
    errors: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response:
    session = get_session()
    templates = captioning.list_templates(session)
    choices, _ = assets.list_assets(session, assets.AssetFilters(), limit=PREVIEW_CHOICES)
    if asset_id is None and choices:
        asset_id = choices[0].id
    chosen = next((item for item in templates if item["platform"] == platform), templates[0])
    page = render_template(
        "caption_templates.html",
        templates=templates,
        platform=platform,
        platform_names=PLATFORM_NAMES,
        platforms=captions.PLATFORMS,
        chosen=chosen,
        template=chosen["template"] if template is None else template,
        default_template=captions.DEFAULT_TEMPLATES[platform],
        fields=captions.TEMPLATE_FIELDS,
        choices=choices,
        asset_id=asset_id,
        preview=preview,
        errors=errors or {},
    )
    return current_app.response_class(page, status=status)


@bp.get("/caption-templates")
@login_required("admin")
def caption_templates() -> Response:
    """Each platform's template; the one chosen in an editor with its preview."""
    platform = _platform(request.args.get("platform"))
    return _render(platform, asset_id=_asset_id(request.args.get("asset")))


def _wants_json() -> bool:
    accept = request.accept_mimetypes
    return accept["application/json"] > accept["text/html"]


@bp.post("/caption-templates/<platform>")
@login_required("admin")
def caption_template_post(platform: str) -> Response:
    """Save the platform's template (Save), or compose it on an asset without saving (Preview).

    A template the rules refuse answers 422 with the reason beside it, and nothing is saved.
    """
    captioning.require_platform(platform)
    if platform not in captions.DEFAULT_TEMPLATES:
        raise NotFound(f"There is no caption template for {platform!r}.")
    template = request.form.get("template", "")
    asset_id = _asset_id(request.form.get("asset"))
    if request.form.get("action") == "save":
        try:
            captioning.set_template(get_session(), platform, template, actor=actor(), now=utcnow())
        except InvalidInput as error:
            errors = field_errors(error)
            return _render(platform, asset_id=asset_id, template=template, errors=errors,
                           status=422)  # fmt: skip
        flash(f"The {PLATFORM_NAMES[platform]} template is saved.", "success")
        return redirect(url_for("web.caption_templates", platform=platform, asset=asset_id))
    return _preview(platform, template, asset_id)


def _preview(platform: str, template: str, asset_id: int | None) -> Response:
    errors: dict[str, str] = {}
    preview = None
    try:
        if asset_id is None:
            raise InvalidInput({"asset": "choose an asset to preview the caption on"})
        session = get_session()
        asset = assets.get_asset(session, asset_id)
        preview = captioning.preview(session, asset, platform, template)
    except InvalidInput as error:
        errors = field_errors(error)
    except NotFound as error:
        errors = {"asset": error.detail}
    if _wants_json():
        body: dict[str, Any] = (
            caption_json(preview) if preview is not None and not errors else {"errors": errors}
        )
        response = jsonify(body)
        response.status_code = 422 if errors else 200
        return response
    return _render(platform, asset_id=asset_id, template=template, preview=preview,
                   errors=errors, status=422 if errors else 200)  # fmt: skip
