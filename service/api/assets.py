"""Asset routes: upload, list, read, describe, delete, metadata and the original."""

from __future__ import annotations

from typing import Any

from flask import Response, request, send_file, url_for

from service.api import bp
from service.http.context import services
from service.http.database import get_session
from service.http.guards import current_caller, require
from service.http.requests import page_limit
from service.rules import consent, embedded_people, location
from service.rules.problems import Forbidden, InvalidInput, UnsupportedMediaType
from service.services import assets, people
from service.storage.db import utcnow
from service.storage.models import Asset
from service.storage.spool import Spool

# On a duplicate upload: the asset's original was missing from the blob store and these bytes
# were stored as it again.
ORIGINAL_RESTORED = "Vitrine-Original-Restored"


def _exact_location() -> bool:
    """Whether the caller sees recorded positions as they are (else rounded to ~1 km)."""
    return current_caller().can(location.ROLE_FOR_EXACT)


def _may_see_people() -> bool:
    """Whether the caller reads the names of the people a file says it shows."""
    return current_caller().can(consent.ROLE_FOR_PEOPLE)


def _summary(asset: Asset) -> dict[str, Any]:
    """The metadata summary as the caller may see it: positions and people by role."""
    summary = location.summary_for(asset.metadata_summary, exact=_exact_location())
    return embedded_people.summary_for(summary, may_see_people=_may_see_people())


def asset_json(asset: Asset, people_count: int | None = None) -> dict[str, Any]:
    """The public shape of an asset, as openapi.yaml's Asset schema describes it.

    ``people_count``: how many people it depicts, when the caller has read it already (a
    page reads them all at once); else read here.
    """
    if people_count is None:
        people_count = people.depicted_counts(get_session(), [asset]).get(asset.id, 0)
    return {
        "id": asset.id,
        "public_id": asset.public_id,
        "sha256": asset.sha256,
        "original_filename": asset.original_filename,
        "media_type": asset.media_type,
        "byte_size": asset.byte_size,
        "width": asset.width,
        "height": asset.height,
        "title": asset.title,
        "object_number": asset.object_number,
        "object_date": asset.object_date,
        "description": asset.description,
        "record_url": asset.record_url,
        "alt_text": asset.alt_text,
        "tags": asset.tags,
        "uploaded_by": asset.uploaded_by,
        "created_at": asset.created_at.isoformat(),
        "updated_at": asset.updated_at.isoformat(),
        "metadata": _summary(asset),
        # Whether people are depicted and how many, for every role; who, for the rights role
        # only (GET /assets/{id}/people).
        "people_status": asset.people_status,
        "people_proposed": asset.people_proposed,
        "people_count": people_count,
        "links": {
            "self": url_for("api.get_asset", asset_id=asset.id),
            "metadata": url_for("api.get_metadata", asset_id=asset.id),
            "original": url_for("api.get_original", asset_id=asset.id),
        },
    }


@bp.post("/assets")
@require("contributor")
def upload_asset() -> tuple[dict[str, Any], int, dict[str, str]]:
    """Upload a photo: 201 with the new asset, or 200 with the asset these bytes are."""
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType("Send the photo as multipart/form-data with a 'file' part.")
    files = request.files.getlist("file")
    if len(files) != 1:
        raise InvalidInput({"file": "send exactly one file per request"})
    unknown = set(request.form) - {*assets.FIELD_LIMITS, "tags"}
    if unknown:
        raise InvalidInput({name: "is not an upload field" for name in sorted(unknown)})
    fields: dict[str, Any] = {
        name: request.form[name] for name in assets.FIELD_LIMITS if name in request.form
    }
    if "tags" in request.form:
        fields["tags"] = assets.split_tags(request.form.getlist("tags"))
    spool = files[0].stream
    assert isinstance(spool, Spool), "VitrineRequest spools every uploaded file"
    app_services = services()
    asset, created, restored = assets.ingest(
        get_session(),
        app_services.store,
        spool,
        filename=files[0].filename,
        fields=fields,
        uploaded_by=current_caller().actor,
        max_pixels=app_services.max_pixels,
        reveal_deleter=current_caller().can("admin"),
    )
    headers = {"Location": url_for("api.get_asset", asset_id=asset.id)}
    if restored:
        headers[ORIGINAL_RESTORED] = "true"
    body = asset_json(asset)
    if created:
        app_services.enqueue("after_upload", asset.id)
    return body, (201 if created else 200), headers


@bp.get("/assets")
@require("viewer")
def list_assets() -> dict[str, Any]:
    """A page of the library, searched, filtered and sorted, with the next page's cursor."""
    filters = assets.filters_from(
        {name: value for name, value in request.args.items() if name in assets.FILTER_NAMES}
    )
    if filters.deleted and not current_caller().can("admin"):
        raise Forbidden("Only an admin lists the deleted assets.")
    sort = request.args.get("sort") or "newest"
    page, next_cursor = assets.list_assets(
        get_session(),
        filters,
        limit=page_limit(),
        cursor=request.args.get("cursor") or None,
        sort=sort,
    )
    counts = people.depicted_counts(get_session(), page)
    items = [asset_json(asset, counts.get(asset.id, 0)) for asset in page]
    return {"items": items, "next_cursor": next_cursor}


@bp.get("/assets/<int:asset_id>")
@require("viewer")
def get_asset(asset_id: int) -> dict[str, Any]:
    """One live asset."""
    return asset_json(assets.get_asset(get_session(), asset_id))


@bp.patch("/assets/<int:asset_id>")
@require("contributor")
def update_asset(asset_id: int) -> dict[str, Any]:
    """Change an asset's descriptive fields; the asset as changed."""
    changes = request.get_json(silent=True)
    if not isinstance(changes, dict):
        raise InvalidInput({"body": "must be a JSON object of the fields to change"})
    session = get_session()
    asset = assets.update_asset(
        session, assets.get_asset(session, asset_id), changes, actor=current_caller().actor
    )
    return asset_json(asset)


@bp.delete("/assets/<int:asset_id>")
@require("admin")
def delete_asset(asset_id: int) -> tuple[str, int]:
    """Hide an asset until it is restored or purged (admin)."""
    session = get_session()
    asset = assets.get_asset(session, asset_id)
    assets.delete_asset(session, asset, actor=current_caller().actor, now=utcnow())
    return "", 204


@bp.post("/assets/<int:asset_id>/restore")
@require("admin")
def restore_asset(asset_id: int) -> dict[str, Any]:
    """Bring back a deleted asset that has not been purged yet (admin)."""
    session = get_session()
    asset = assets.restore_asset(session, asset_id, actor=current_caller().actor)
    return asset_json(asset)


@bp.get("/assets/<int:asset_id>/metadata")
@require("viewer")
def get_metadata(asset_id: int) -> dict[str, Any]:
    """The metadata embedded in the original: summary, raw fields and warnings."""
    asset = assets.get_asset(get_session(), asset_id)
    return {
        "asset_id": asset.id,
        "summary": _summary(asset),
        "raw": embedded_people.raw_for(
            location.raw_for(asset.metadata_raw, exact=_exact_location()),
            may_see_people=_may_see_people(),
        ),
        "warnings": asset.metadata_warnings,
    }


@bp.get("/assets/<int:asset_id>/original")
@require("contributor")
def get_original(asset_id: int) -> Response:
    """The original's bytes as a download, never cached."""
    asset = assets.get_asset(get_session(), asset_id)
    response = send_file(
        assets.open_original(services().store, asset),
        mimetype=asset.media_type,
        as_attachment=True,
        download_name=asset.original_filename,
        conditional=False,
        etag=asset.sha256,
        max_age=0,
    )
    response.content_length = asset.byte_size
    response.headers["Cache-Control"] = "private, no-store"
    return response
