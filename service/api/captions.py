"""Caption routes: per-platform captions of an asset, templates, and previews."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import request

from service.api import bp
from service.http.captions import caption_json
from service.http.database import get_session
from service.http.guards import current_caller, require
from service.rules import captions
from service.rules.problems import InvalidInput
from service.services import assets, captioning
from service.storage.db import utcnow


def asset_caption_json(asset_id: int, captioned: captioning.AssetCaption) -> dict[str, Any]:
    """An asset's caption for one platform as JSON, with its alt text and credit."""
    return {
        "asset_id": asset_id,
        "platform": captioned.platform,
        "mode": captioned.mode,
        **caption_json(captioned.caption),
        "counting": captions.PLATFORMS[captioned.platform].counting,
        "alt_text": captioned.alt_text,
        "alt_text_warnings": captioned.alt_text_warnings,
        "credit": asdict(captioned.credit),
    }


@bp.get("/platforms")
@require("viewer")
def list_platforms() -> dict[str, Any]:
    """The platforms captions are written for, their limits and how they count."""
    return {
        "items": [{"key": key, **asdict(platform)} for key, platform in captions.PLATFORMS.items()]
    }


@bp.get("/assets/<int:asset_id>/captions/<platform>")
@require("viewer")
def get_caption(asset_id: int, platform: str) -> dict[str, Any]:
    """The asset's caption for a platform: hand-written, or composed from the template."""
    session = get_session()
    asset = assets.get_asset(session, asset_id)
    result = asset_caption_json(asset_id, captioning.caption_for(session, asset, platform))
    return result


@bp.put("/assets/<int:asset_id>/captions/<platform>")
@require("contributor")
def put_caption(asset_id: int, platform: str) -> dict[str, Any]:
    """Save the asset's caption and alt text for a platform (null text: the template)."""
    session = get_session()
    asset = assets.get_asset(session, asset_id)
    captioned = captioning.save_caption(
        session, asset, platform, request.get_json(silent=True),
        actor=current_caller().actor, now=utcnow(),
    )  # fmt: skip
    return asset_caption_json(asset_id, captioned)


@bp.post("/captions/preview")
@require("viewer")
def preview_caption() -> dict[str, Any]:
    """A caption composed for an asset from a template, without saving it."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or set(body) - {"asset_id", "platform", "template"}:
        raise InvalidInput({"body": "must be a JSON object with asset_id, platform, template"})
    asset_id, platform, template = body.get("asset_id"), body.get("platform"), body.get("template")
    errors = {}
    if not isinstance(asset_id, int) or isinstance(asset_id, bool):
        errors["asset_id"] = "must be an asset id"
    if not isinstance(platform, str) or platform not in captions.PLATFORMS:
        errors["platform"] = f"must be one of {', '.join(captions.PLATFORMS)}"
    if template is not None and not isinstance(template, str):
        errors["template"] = "must be a string, or null for the platform's template"
    if errors:
        raise InvalidInput(errors)
    assert isinstance(asset_id, int) and isinstance(platform, str)  # checked just above
    session = get_session()
    asset = assets.get_asset(session, asset_id)
    result = {
        "platform": platform,
        **caption_json(captioning.preview(session, asset, platform, template)),
    }
    return result


@bp.get("/caption-templates")
@require("viewer")
def list_templates() -> dict[str, Any]:
    """Each platform's caption template, and whether an admin changed it."""
    return {"items": captioning.list_templates(get_session())}


@bp.put("/caption-templates/<platform>")
@require("admin")
def put_template(platform: str) -> dict[str, Any]:
    """Replace a platform's caption template (admin)."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or set(body) != {"template"}:
        raise InvalidInput({"body": "must be a JSON object with a 'template'"})
    session = get_session()
    row = captioning.set_template(
        session, platform, body["template"], actor=current_caller().actor, now=utcnow()
    )
    return {"platform": row.platform, "template": row.template, "customised": True}
