"""Variant routes: presets, the focal point, and captioned variants behind the publish gate."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from flask import redirect, request
from werkzeug.wrappers import Response

from service.api import bp
from service.http.context import services
from service.http.database import get_session
from service.http.guards import current_caller, require
from service.rules import audit
from service.rules.presets import Preset
from service.rules.problems import InvalidInput
from service.services import assets, catalogue, publishing, variants


def preset_json(preset: Preset, origin: catalogue.Origin) -> dict[str, Any]:
    """A preset as JSON, with its spec, its media type and where it comes from."""
    return {
        **asdict(preset),
        "spec": preset.spec(),
        "media_type": preset.media_type,
        "origin": origin,
    }


@bp.get("/presets")
@require("viewer")
def list_presets() -> dict[str, Any]:
    """The presets in force, each with its origin."""
    presets = catalogue.in_force(get_session(), services().presets).values()
    return {"items": [preset_json(preset, origin) for preset, origin in presets]}


@bp.put("/presets/<preset_name>")
@require("admin")
def put_preset(preset_name: str) -> tuple[dict[str, Any], int]:
    """Change a preset, or add one, through the API (admin); 201 when it is new."""
    session = get_session()
    preset, is_new = catalogue.change_preset(
        session,
        services().presets,
        preset_name,
        request.get_json(silent=True),
        actor=current_caller().actor,
    )
    return preset_json(preset, "api"), 201 if is_new else 200


@bp.delete("/presets/<preset_name>")
@require("admin")
def delete_preset(preset_name: str) -> tuple[str, int]:
    """Undo the API's change to a preset: the configured one is in force again."""
    session = get_session()
    catalogue.revert_preset(session, preset_name)
    return "", 204


@bp.put("/assets/<int:asset_id>/focal-point")
@require("contributor")
def put_focal_point(asset_id: int) -> dict[str, Any]:
    """Move the asset's focal point, which cover crops keep in frame."""
    session = get_session()
    asset = assets.get_asset(session, asset_id)
    variants.set_focal_point(
        session, asset, request.get_json(silent=True), actor=current_caller().actor
    )
    return {"asset_id": asset.id, "x": asset.focal_x, "y": asset.focal_y}


def _publish(asset_id: int, preset_name: str) -> publishing.Publication:
    override = request.args.get("override", "false").lower()
    if override not in ("true", "false"):
        raise InvalidInput({"override": "must be true or false"})
    reason = request.args.get("reason", "") if override == "true" else None
    return publishing.publish_by_id(
        get_session(),
        services(),
        asset_id,
        preset_name,
        caller=current_caller(),
        # The preset decides both; a caller may narrow the channel, never widen it.
        platform=request.args.get("platform") or None,
        channel=request.args.get("channel") or None,
        override_reason=reason,
    )


def _signed(published: publishing.Publication) -> tuple[str, datetime]:
    """The whole signed URL a publisher follows, and when it stops working."""
    url, expires_at = publishing.signed_url(services(), published)
    return _absolute(url), expires_at


def _absolute(url: str) -> str:
    """Local-store URLs are app-relative; publishers need them whole."""
    return request.host_url.rstrip("/") + url if url.startswith("/") else url


@bp.get("/assets/<int:asset_id>/variants/<preset_name>")
@require("viewer")
def get_variant(asset_id: int, preset_name: str) -> dict[str, Any]:
    """Through the publish gate: the variant's signed URL, caption, credit and audit."""
    published = _publish(asset_id, preset_name)
    url, expires_at = _signed(published)
    variant = published.variant
    record = published.caption
    rights = published.asset.rights
    return {
        "asset_id": asset_id,
        "preset": variant.preset,
        "url": url,
        "expires_at": expires_at.isoformat(),
        "width": variant.width,
        "height": variant.height,
        "bytes": variant.byte_size,
        "media_type": variant.media_type,
        "format": published.preset.format,
        "platform": record.platform,
        "channels": list(published.channels),
        "caption": record.caption.text,
        "caption_length": record.caption.length,
        "caption_limit": record.caption.limit,
        "alt_text": record.alt_text,
        "credit_line": published.stamp.credit_line,
        "licence": rights.licence_uri if rights else None,
        "overridden": published.overridden,
        "audit": audit.report_dict(published.report),
    }


@bp.get("/assets/<int:asset_id>/variants/<preset_name>/image")
@require("viewer")
def get_variant_image(asset_id: int, preset_name: str) -> Response:
    """Through the publish gate: a redirect to the variant's signed URL."""
    url, _ = _signed(_publish(asset_id, preset_name))
    return redirect(url, 302)
