"""The audit report page: the pre-publication audit of some assets, and the same as CSV.

It audits for a platform a post goes to (``AUDIT_PLATFORMS``): "default" is refused here,
though the API keeps accepting it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import Flask, current_app, render_template, request, url_for
from werkzeug.wrappers import Response

from service.http import streaming
from service.http.context import services
from service.http.database import get_session
from service.rules import audit
from service.rules.audit_scope import unknown_scope
from service.rules.ids import parse_id_list
from service.rules.problems import InvalidInput
from service.services import assets, rights
from service.services import auditing as audits
from service.storage.db import utcnow
from service.web import bp
from service.web.common import (
    AUDIT_PLATFORMS,
    DEFAULT_CHANNEL,
    PLATFORM_NAMES,
    field_errors,
)
from service.web.session import login_required


@dataclass
class AuditRequest:
    """What the audit page was asked for, and what is wrong with the request."""

    ids: str = ""
    tag: str = ""
    platform: str = AUDIT_PLATFORMS[0]
    channel: str = DEFAULT_CHANNEL
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def given(self) -> bool:
        """Whether any assets were named (by ids or a tag)."""
        return bool(self.ids or self.tag)

    def query(self) -> str:
        """The request as a query string, for the CSV link."""
        values = {"ids": self.ids, "tag": self.tag, "platform": self.platform,
                  "channel": self.channel}  # fmt: skip
        return urlencode({k: v for k, v in values.items() if v}, safe=",")


def _audit_request() -> AuditRequest:
    wanted = AuditRequest(
        ids=request.args.get("ids", "").strip(),
        tag=request.args.get("tag", "").strip(),
        platform=request.args.get("platform", "").strip() or AUDIT_PLATFORMS[0],
        channel=request.args.get("channel", "").strip() or DEFAULT_CHANNEL,
    )
    for name, choices in unknown_scope(wanted.platform, wanted.channel).items():
        wanted.errors[name] = f"Choose one of {', '.join(choices)}."
    if wanted.platform not in AUDIT_PLATFORMS:
        names = ", ".join(PLATFORM_NAMES[key] for key in AUDIT_PLATFORMS)
        wanted.errors["platform"] = f"Choose one of {names}."
    return wanted


def _run_audit(wanted: AuditRequest) -> list[audit.Report]:
    """The reports asked for; problems with the request land in ``wanted.errors``."""
    if not wanted.given or wanted.errors:
        return []
    session = get_session()
    asset_ids: list[int] | None = None
    if wanted.ids:
        asset_ids = parse_id_list(wanted.ids)
        if asset_ids is None:
            wanted.errors["ids"] = "Give asset ids separated by commas, such as 1,2,3."
            return []
    filters = None if asset_ids is not None else assets.AssetFilters(tag=wanted.tag)
    try:
        selected = audits.select_assets(
            session,
            asset_ids=asset_ids,
            filters=filters,
            at_most=current_app.config["MAX_AUDIT_ASSETS"],
        )
        reports = audits.audit_assets(
            session, selected, platform=wanted.platform, channel=wanted.channel,
            today=utcnow().date(), people_unknown_blocks=services().people_unknown_blocks,
        )  # fmt: skip
    except InvalidInput as error:  # the page answers 422: the unit of work rolls back
        _note_errors(wanted, error)
        return []
    return reports


def _note_errors(wanted: AuditRequest, error: InvalidInput) -> None:
    for name, message in field_errors(error).items():
        wanted.errors[{"asset_ids": "ids", "filter": "tag"}.get(name, name)] = message


def _render_audits(wanted: AuditRequest, reports: list[audit.Report]) -> Response:
    page = render_template(
        "audits.html",
        wanted=wanted,
        reports=reports,
        summary=audit.summarise(reports),
        platforms=AUDIT_PLATFORMS,
        platform_names=PLATFORM_NAMES,
        channels=rights.CHANNELS,
        csv_url=url_for("web.audit_csv") + "?" + wanted.query(),
    )
    return current_app.response_class(page, status=422 if wanted.errors else 200)


@bp.get("/audits")
@login_required("viewer")
def audit_report() -> Response:
    """The audit report page for the ids or tag asked for."""
    wanted = _audit_request()
    return _render_audits(wanted, _run_audit(wanted))


@bp.get("/audits.csv")
@login_required("viewer")
def audit_csv() -> Response:
    """The audit report as a CSV download, streamed as the API's is; the page with the errors
    when the request is wrong (checked before the first byte: the ids, the tag, the cap)."""
    wanted = _audit_request()
    if not wanted.given:
        wanted.errors["ids"] = "Give asset ids or a tag to audit."
    chosen = None if wanted.errors else _selection(wanted)
    if chosen is None:
        return _render_audits(wanted, [])
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    document = streaming.audit_document(
        app, chosen, audit.csv_document, platform=wanted.platform, channel=wanted.channel,
        today=utcnow().date(),
    )  # fmt: skip
    return Response(
        document,
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="vitrine-audit.csv"'},
    )


def _selection(wanted: AuditRequest) -> audits.Selection | None:
    """The assets asked for, as ids checked against the cap; None with ``wanted.errors`` set
    when the request names none or too many."""
    asset_ids: list[int] | None = None
    if wanted.ids:
        asset_ids = parse_id_list(wanted.ids)
        if asset_ids is None:
            wanted.errors["ids"] = "Give asset ids separated by commas, such as 1,2,3."
            return None
    filters = None if asset_ids is not None else assets.AssetFilters(tag=wanted.tag)
    try:
        return audits.selection(
            get_session(),
            asset_ids=asset_ids,
            filters=filters,
            at_most=current_app.config["MAX_AUDIT_ASSETS"],
        )
    except InvalidInput as error:
        _note_errors(wanted, error)
        return None
