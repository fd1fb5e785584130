"""The upload page: several photos at once; without JS in one post, with JS one request per file.

Each file goes through ``assets.ingest`` as the API's upload does, and a problem with one
file is reported for that file while the rest carry on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, jsonify, redirect, render_template, request, url_for
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from service.http.context import services
from service.http.database import get_session
from service.http.transactions import after_commit
from service.rules.problems import InvalidInput, Problem
from service.services import assets, rights
from service.storage.db import savepoint, utcnow
from service.storage.models import Asset
from service.storage.spool import Spool
from service.web import bp
from service.web.common import DESCRIPTIVE_FIELDS, actor, answers_problems_of, field_errors, store
from service.web.session import login_required, signed_in_user, takes_files

SHARED_RIGHTS = ("holder", "credit_line")


@dataclass(frozen=True)
class UploadResult:
    """What became of one uploaded file."""

    filename: str | None
    status: str  # "created", "duplicate" or "refused"
    asset_id: int | None
    url: str | None
    message: str
    http_status: int

    def as_json(self) -> dict[str, Any]:
        """The result as the upload script reads it."""
        return {
            "filename": self.filename,
            "status": self.status,
            "asset_id": self.asset_id,
            "url": self.url,
            "message": self.message,
        }


def wants_json() -> bool:
    """The upload script asks for JSON; a plain form post gets the results page."""
    accept = request.accept_mimetypes
    return accept.best_match(["text/html", "application/json"]) == "application/json" and (
        accept["application/json"] > accept["text/html"]
    )


def _json(result: UploadResult) -> Response:
    response = jsonify(result.as_json())
    response.status_code = result.http_status
    return response


def _page(
    *,
    results: list[UploadResult] | None = None,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response:
    page = render_template(
        "upload.html", results=results or [], errors=errors or {}, values=values or {}
    )
    return current_app.response_class(page, status=status)


@bp.get("/upload")
@login_required("contributor")
def upload() -> Response:
    """The upload form."""
    return _page()


@bp.post("/upload")
@takes_files
@login_required("contributor")
def upload_post() -> Response:
    """Ingest the posted photos one by one; a problem with one does not stop the others."""
    files = [part for part in request.files.getlist("files") if part.filename or _size(part)]
    values = {name: request.form.get(name, "") for name in ("holder", "credit_line", "tags")}
    errors: dict[str, str] = {}
    if not files:
        errors["files"] = "Choose at least one photo."
    shared_rights: dict[str, Any] = {}
    try:
        given = {name: values[name] for name in SHARED_RIGHTS if values[name].strip()}
        shared_rights = rights.validate_rights(given, today=utcnow().date())
    except InvalidInput as error:
        errors.update(field_errors(error))
    fields: dict[str, Any] = {
        name: request.form[name] for name in DESCRIPTIVE_FIELDS if name in request.form
    }
    tags = assets.split_tags([values["tags"]])
    if tags:
        try:
            fields["tags"] = assets.validate_descriptive({"tags": tags})["tags"]
        except InvalidInput as error:
            errors.update(field_errors(error))
    if errors:
        if wants_json():
            message = "; ".join(f"{name}: {text}" for name, text in errors.items())
            names = [part.filename for part in files]
            result = UploadResult(names[0] if names else None, "refused", None, None, message, 422)
            # The batch's fields are wrong, not the file: the script keeps it for the next try.
            response = jsonify({**result.as_json(), "errors": errors})
            response.status_code = 422
            return response
        return _page(errors=errors, values=values, status=422)

    session = get_session()
    results = [_ingest_one(session, part, fields, shared_rights) for part in files]
    if wants_json():
        if len(results) == 1:
            return _json(results[0])
        body = {"items": [result.as_json() for result in results]}
        return jsonify(body)
    return _page(results=results)


def _size(part: FileStorage) -> int:
    stream = part.stream
    return stream.size if isinstance(stream, Spool) else 0


def _ingest_one(
    session: Session, part: FileStorage, fields: Mapping[str, Any], shared: Mapping[str, Any]
) -> UploadResult:
    filename = assets.clean_filename(part.filename)
    spool = part.stream
    assert isinstance(spool, Spool), "VitrineRequest spools every uploaded file"
    try:
        asset, created, restored = assets.ingest(
            session,
            store(),
            spool,
            filename=part.filename,
            fields=fields,
            uploaded_by=actor(),
            max_pixels=services().max_pixels,
            reveal_deleter=g.caller.can("admin"),
        )
    except Problem as error:  # refused before it wrote to the request's session
        return UploadResult(filename, "refused", None, None, error.detail, error.status)
    url = url_for("web.asset_page", asset_id=asset.id)
    if not created:
        message = "Already in the library"
        batch = _apply_batch(session, asset, fields, shared)
        if batch:
            message += " — " + batch
        if restored:
            message += "; its missing original was restored from this file"
        return UploadResult(filename, "duplicate", asset.id, url, message, 200)
    message = "Uploaded"
    if shared:
        try:
            # A savepoint per file: a proposal that fails is undone alone, and the other
            # files' proposals are committed with the request.
            with savepoint(session):
                rights.propose(session, asset, shared, actor=actor(), now=utcnow())
        except (Problem, SQLAlchemyError):
            message = "Uploaded, but the shared rights holder and credit line were not saved"
    enqueue, asset_id = services().enqueue, asset.id
    # Once the request is committed: the renders it starts read the proposed rights.
    after_commit(lambda: enqueue("after_upload", asset_id))
    return UploadResult(filename, "created", asset.id, url, message, 201)


RIGHTS_LABELS = {"holder": "rights holder", "credit_line": "credit line"}
LEFT_BECAUSE = {
    "already set": "it already has one",
    "the same": "it already says so",
    "decided": "the rights desk has decided its rights",
}


def _apply_batch(
    session: Session, asset: Asset, fields: Mapping[str, Any], shared: Mapping[str, Any]
) -> str:
    """Give an asset already in the library the batch's tags and missing rights; say what."""
    tags = fields.get("tags", [])
    if not tags and not shared:
        return ""
    try:
        # A savepoint per file, as for a new asset's proposal: a failure is undone alone.
        with savepoint(session):
            applied = assets.apply_batch(
                session, asset, tags=tags, proposed_rights=shared, actor=actor(), now=utcnow()
            )
    except Problem as error:
        return f"the batch's tags and rights were not applied ({error.detail})"
    except SQLAlchemyError:
        return "the batch's tags and rights were not applied; try again"
    return "; ".join(_said(applied))


def _said(applied: assets.BatchApplied) -> list[str]:
    parts = []
    if applied.tags_added:
        parts.append(f"{_tags(applied.tags_added)} added")
    if applied.tags_present:
        parts.append(f"{_tags(applied.tags_present)} already there")
    for name in applied.rights_applied:
        parts.append(f"{RIGHTS_LABELS[name]} proposed")
    for name, why in applied.rights_left.items():
        parts.append(f"{RIGHTS_LABELS[name]} left as it was ({LEFT_BECAUSE[why]})")
    return parts


def _tags(tags: list[str]) -> str:
    return ("tag " if len(tags) == 1 else "tags ") + ", ".join(tags)


@answers_problems_of("web.upload_post")
def upload_problem(error: Problem) -> Response:
    """A problem before the view ran (such as a file over the size limit while reading the form)."""
    if signed_in_user() is None:
        return redirect(url_for("web.login", next=url_for("web.upload")))
    if wants_json():
        return _json(UploadResult(None, "refused", None, None, error.detail, error.status))
    return _page(errors={"files": error.detail}, status=error.status)
