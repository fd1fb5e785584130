"""Pages of the web UI: the library, an asset's page and its forms, and the audit report.

Thin views over the same service functions the JSON API calls; uploads live in ``uploads``.
Forms answer invalid input by re-rendering with messages beside the fields (HTTP 422) and
success with a redirect and a flashed message. Images on these pages are internal previews
(``previews``, served by ``web.previews`` to the signed-in session), never publishable
variants: those leave only through the publish gate.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from flask import current_app, flash, g, jsonify, redirect, render_template, request, url_for
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from service.http.errors import problem_response, wants_html
from service.ops import jobs
from service.rules import audit, captions, licences, location
from service.rules.presets import Preset
from service.rules.problems import DatabaseDown, InvalidInput, NotFound, Problem, StorageDown
from service.services import assets, captioning, catalogue, previews, publishing, rights, variants
from service.services import auditing as audits
from service.services.history import list_history
from service.storage.blobs import BlobStore, StorageUnavailable
from service.storage.db import get_session, utcnow
from service.storage.models import Asset
from service.web import bp
from service.web.session import _safe_next, login_required, signed_in_user

log = logging.getLogger(__name__)

PAGE_SIZE = 24
DEFAULT_PLATFORM = "default"
DEFAULT_CHANNEL = "social"
PLATFORM_ORDER = ("x", "instagram", "facebook", "linkedin", "bluesky", "mastodon", "threads",
                  "default")  # fmt: skip
PLATFORM_NAMES = {key: "Default" if key == "default" else captions.PLATFORMS[key].name
                  for key in PLATFORM_ORDER}  # fmt: skip
SUMMARY_FIELDS = (
    ("title", "Title"), ("description", "Description"), ("alt_text", "Alt text"),
    ("creator", "Creator"), ("copyright_notice", "Copyright notice"),
    ("credit_line", "Credit line"), ("web_statement", "Web statement of rights"),
    ("usage_terms", "Usage terms"), ("date_taken", "Date taken"), ("camera_make", "Camera make"),
    ("camera_model", "Camera model"), ("orientation", "Orientation"), ("gps", "GPS position"),
    ("has_gps", "Carries GPS tags"), ("icc_profile", "ICC profile"),
)  # fmt: skip


# --- shared helpers ------------------------------------------------------------------------


def store() -> BlobStore:
    blob_store: BlobStore = current_app.extensions["vitrine.store"]
    return blob_store


def presets() -> dict[str, Preset]:
    """The presets in force (with the admins' API changes)."""
    return catalogue.presets_in_force(get_session(), current_app.extensions["vitrine.presets"])


def actor() -> str:
    """The signed-in user, whom the history names."""
    name: str = g.caller.actor
    return name


def field_errors(error: InvalidInput) -> dict[str, str]:
    """The service's messages per field as sentences for a form: "must be" -> "Must be."."""
    shown = {}
    for name, message in error.extra["errors"].items():
        text = str(message).replace(", or null", ", or leave it empty").strip()
        shown[name] = text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
    return shown


def image_alt(asset: Asset) -> str:
    return asset.alt_text or asset.title or asset.original_filename


def page_preview(session: Session, asset: Asset) -> str | None:
    """The URL of the asset page's preview, made now if need be; None when none can be made."""
    try:
        previews.preview_of(
            session, store(), asset, "page", variants.RenderSettings.of(current_app.config)
        )
        return url_for("web.preview", asset_id=asset.id, size="page")
    except Problem as error:
        log.info("no page preview of asset %s: %s", asset.id, error.detail)
    except Exception:  # a preview must never take the page down with it
        log.exception("page preview of asset %s failed", asset.id)
    session.rollback()
    return None


@dataclass(frozen=True)
class ShownError:
    """What error.html shows for a Problem raised by a page."""

    name: str
    description: str


@bp.errorhandler(Problem)
def problem_page(error: Problem) -> Response:
    """Pages answer problems in HTML; scripts calling page routes get problem+json."""
    with contextlib.suppress(SQLAlchemyError):
        get_session().rollback()
    if request.endpoint == "web.upload_post":
        from service.web.uploads import upload_problem

        return upload_problem(error)
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
    return problem_page(StorageDown(str(error)))


@bp.errorhandler(OperationalError)
def database_page(error: OperationalError) -> Response:
    log.warning("database error on %s %s: %s", request.method, request.path, error)
    return problem_page(DatabaseDown("The database did not answer."))


@bp.get("/")
def index() -> Response:
    return redirect(url_for("web.library" if signed_in_user() else "web.login"))


# --- the library ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    asset: Asset
    alt: str
    rights_status: str
    audit_outcome: str


def _render_library(errors: Mapping[str, str] | None = None, status: int = 200) -> Response:
    errors = dict(errors or {})
    args = {name: request.args.get(name, "").strip() for name in ("q", "status", "holder", "tag")}
    if args["status"] and args["status"] not in rights.STATUSES:
        errors["status"] = f"Choose one of {', '.join(rights.STATUSES)}."
        args["status"] = ""
    session = get_session()
    filters = assets.AssetFilters(
        text=args["q"] or None,
        tag=args["tag"] or None,
        rights_status=args["status"] or None,
        holder=args["holder"] or None,
    )
    page: list[Asset] = []
    next_cursor = None
    try:
        page, next_cursor = assets.list_assets(
            session, filters, limit=PAGE_SIZE, cursor=request.args.get("cursor") or None
        )
    except InvalidInput as error:
        errors.update(field_errors(error))
    today = utcnow().date()
    reports = audits.audit_assets(
        session, page, platform=DEFAULT_PLATFORM, channel=DEFAULT_CHANNEL, today=today
    )
    session.commit()  # a first look proposes missing rights records
    cards = [
        Card(
            asset=asset,
            alt=image_alt(asset),
            rights_status=asset.rights.status if asset.rights else "unknown",
            audit_outcome=report.outcome,
        )
        for asset, report in zip(page, reports, strict=True)
    ]
    next_url = None
    if next_cursor:
        kept = {name: value for name, value in args.items() if value}
        next_url = url_for("web.library") + "?" + urlencode({**kept, "cursor": next_cursor})
    page_html = render_template(
        "library.html",
        cards=cards,
        args=args,
        errors=errors,
        statuses=rights.STATUSES,
        next_url=next_url,
        here=_safe_next(
            request.form.get("next") if request.method == "POST" else request.full_path
        ).rstrip("?"),
        bulk_tag=request.form.get("tag", "") if request.method == "POST" else "",
    )
    return current_app.response_class(page_html, status=422 if errors else status)


@bp.get("/library")
@login_required("viewer")
def library() -> Response:
    return _render_library()


@bp.post("/library/bulk")
@login_required("viewer")
def library_bulk() -> Response:
    action = request.form.get("action", "")
    raw_ids = request.form.getlist("asset_ids")
    if not raw_ids:
        return _render_library({"asset_ids": "Select at least one asset."})
    if not all(raw.isascii() and raw.isdigit() for raw in raw_ids):
        return _render_library({"asset_ids": "The selection holds something that is not an id."})
    ids = list(dict.fromkeys(int(raw) for raw in raw_ids))
    if action == "audit":
        query = urlencode({"ids": _join(ids)}, safe=",")
        return redirect(url_for("web.audit_report") + "?" + query)
    if action != "tag":
        return _render_library({"action": "Choose Audit or Add tag."})
    if not g.caller.can("contributor"):
        page = render_template("forbidden.html", needed="contributor")
        return current_app.response_class(page, status=403)
    new_tags = assets.split_tags([request.form.get("tag", "")])
    if not new_tags:
        return _render_library({"tag": "Enter a tag to add."})
    session = get_session()
    try:
        selected = audits.select_assets(session, asset_ids=ids, filters=None)
        for asset in selected:
            assets.update_asset(session, asset, {"tags": [*asset.tags, *new_tags]}, actor=actor())
    except InvalidInput as error:
        session.rollback()
        found = field_errors(error)
        if "asset_ids" in found:
            return _render_library({"asset_ids": found["asset_ids"]})
        return _render_library({"tag": " ".join(found.values())})
    session.commit()
    shown = ", ".join(f"#{tag}" for tag in new_tags)
    flash(f"Added {shown} to {len(selected)} asset(s).", "success")
    return redirect(_safe_next(request.form.get("next")))


def _join(ids: Sequence[int]) -> str:
    return ",".join(str(asset_id) for asset_id in ids)


# --- an asset's page -----------------------------------------------------------------------


@dataclass
class AssetView:
    """What the asset page needs beyond the asset: one place, so forms can re-render it."""

    platform: str = DEFAULT_PLATFORM
    audit_platform: str = DEFAULT_PLATFORM
    audit_channel: str = DEFAULT_CHANNEL
    errors: dict[str, dict[str, str]] = field(default_factory=dict)  # per form
    values: dict[str, dict[str, Any]] = field(default_factory=dict)  # what the user typed
    refusal: Problem | None = None


def _asset_view_from_args() -> AssetView:
    platform = request.args.get("platform", DEFAULT_PLATFORM)
    if platform not in captions.PLATFORMS:
        platform = DEFAULT_PLATFORM
    audit_platform = request.args.get("audit_platform", platform)
    channel = request.args.get("audit_channel", DEFAULT_CHANNEL)
    return AssetView(platform=platform, audit_platform=audit_platform, audit_channel=channel)


def _shown(value: Any) -> str:
    """A stored value as text for a table cell."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict) and set(value) == {"value", "source"}:
        return f"{value['value']} (from {value['source']})"
    if isinstance(value, dict) and "latitude" in value:
        return _position(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _position(gps: Mapping[str, Any]) -> str:
    if gps.get("rounded"):
        altitude = f", about {gps['altitude']:.0f} m" if gps.get("altitude") is not None else ""
        where = f"{gps['latitude']:.2f}, {gps['longitude']:.2f}"
        return f"{where}{altitude} (rounded to about 1 km)"
    altitude = f", {gps['altitude']:.1f} m" if gps.get("altitude") is not None else ""
    return f"{gps['latitude']:.5f}, {gps['longitude']:.5f}{altitude}"


def _render_asset(asset: Asset, view: AssetView, status: int = 200) -> Response:
    session = get_session()
    record = rights.rights_of(session, asset)
    rule = captioning.credit_rule_for(session, asset)
    captioned = {key: captioning.caption_for(session, asset, key) for key in PLATFORM_ORDER}
    audit_errors: dict[str, str] = {}
    report: audit.Report | None = None
    try:
        [report] = audits.audit_assets(
            session,
            [asset],
            platform=view.audit_platform,
            channel=view.audit_channel,
            today=utcnow().date(),
        )
    except InvalidInput as error:
        audit_errors = field_errors(error)
    history = list(reversed(list_history(session, asset.id)))
    session.commit()  # a first look proposes the rights record
    exact = g.caller.can(location.ROLE_FOR_EXACT)  # others see positions rounded to ~1 km
    summary = location.summary_for(asset.metadata_summary, exact=exact)
    raw = location.raw_for(asset.metadata_raw, exact=exact)
    page = render_template(
        "asset.html",
        asset=asset,
        view=view,
        record=record,
        record_values=rights.record_values(record),
        rule=rule,
        preview=page_preview(session, asset),
        alt=image_alt(asset),
        alt_warnings=captions.alt_text_warnings(
            asset.alt_text, filename=asset.original_filename, platform=DEFAULT_PLATFORM
        ),
        summary_rows=[(label, _shown(summary.get(key))) for key, label in SUMMARY_FIELDS],
        raw_blocks=[(name.upper(), raw.get(name) or {}) for name in ("exif", "iptc", "xmp", "icc")],
        licences=licences.LICENCES.values(),
        licence=licences.lookup_licence(record.licence_uri or ""),
        status_options=[(status, status) for status in rights.STATUSES],
        channels=rights.CHANNELS,
        platforms=[(key, captions.PLATFORMS[key]) for key in PLATFORM_ORDER],
        platform_names=PLATFORM_NAMES,
        platform_info=captions.PLATFORMS[view.platform],
        captioned=captioned,
        caption=captioned[view.platform],
        presets=list(presets().values()),
        report=report,
        audit_errors=audit_errors,
        history=history,
        shown=_shown,
        can_edit=g.caller.can("contributor"),
        can_clear=g.caller.can("rights"),
    )
    return current_app.response_class(page, status=status)


def _asset_url(asset_id: int, anchor: str, platform: str | None = None) -> str:
    return url_for("web.asset_page", asset_id=asset_id, platform=platform) + "#" + anchor


@bp.get("/assets/<int:asset_id>")
@login_required("viewer")
def asset_page(asset_id: int) -> Response:
    asset = assets.get_asset(get_session(), asset_id)
    return _render_asset(asset, _asset_view_from_args())


def _invalid(asset: Asset, form: str, error: InvalidInput, values: Mapping[str, Any]) -> Response:
    """Re-render the asset page with a form's errors beside its fields (HTTP 422)."""
    get_session().rollback()
    view = _asset_view_from_args()
    view.errors[form] = field_errors(error)
    view.values[form] = dict(values)
    return _render_asset(asset, view, status=422)


@bp.post("/assets/<int:asset_id>/describe")
@login_required("contributor")
def describe(asset_id: int) -> Response:
    session = get_session()
    asset = assets.get_asset(session, asset_id)
    fields = ("title", "object_number", "description", "alt_text")
    values: dict[str, Any] = {name: request.form.get(name, "") for name in fields}
    values["tags"] = request.form.get("tags", "")
    changes = {name: values[name] for name in fields}
    changes["tags"] = assets.split_tags([values["tags"]])
    try:
        assets.update_asset(session, asset, changes, actor=actor())
    except InvalidInput as error:
        return _invalid(asset, "describe", error, values)
    session.commit()
    flash("Description saved.", "success")
    return redirect(_asset_url(asset.id, "description"))


def _rights_changes(form: Mapping[str, Any], channels: list[str]) -> dict[str, Any]:
    changes: dict[str, Any] = {
        name: form.get(name, "") for name in ("holder", "credit_line", "creator", "source", "notes")
    }
    changes["licence_uri"] = form.get("licence_uri") or None
    year = form.get("copyright_year", "").strip()
    changes["copyright_year"] = int(year) if year.isascii() and year.isdigit() else year or None
    changes["channels"] = channels
    changes["embargo_until"] = form.get("embargo_until") or None
    changes["expires_at"] = form.get("expires_at") or None
    changes["status"] = form.get("status", "")
    return changes


@bp.post("/assets/<int:asset_id>/rights")
@login_required("rights")
def save_rights(asset_id: int) -> Response:
    session = get_session()
    asset = assets.get_asset(session, asset_id)
    channels = request.form.getlist("channels")
    values: dict[str, Any] = {**request.form.to_dict(), "channels": channels}
    try:
        rights.update_rights(
            session, asset, _rights_changes(request.form, channels), actor=actor(), now=utcnow()
        )
    except InvalidInput as error:
        return _invalid(asset, "rights", error, values)
    session.commit()
    jobs.after_rights_change(current_app, asset.id)  # old variants gone before we answer
    flash("Rights saved.", "success")
    return redirect(_asset_url(asset.id, "rights"))


@bp.post("/assets/<int:asset_id>/focal-point")
@login_required("contributor")
def focal_point(asset_id: int) -> Response:
    """JSON from the preview click (fetch), or the keyboard form's two numbers."""
    session = get_session()
    asset = assets.get_asset(session, asset_id)
    if request.is_json:
        variants.set_focal_point(session, asset, request.get_json(silent=True), actor=actor())
        session.commit()
        return jsonify({"asset_id": asset.id, "x": asset.focal_x, "y": asset.focal_y})
    values = {"x": request.form.get("x", ""), "y": request.form.get("y", "")}
    try:
        body = {axis: _number(axis, raw) for axis, raw in values.items()}
        variants.set_focal_point(session, asset, body, actor=actor())
    except InvalidInput as error:
        return _invalid(asset, "focal", error, values)
    session.commit()
    flash(f"Focal point set to {asset.focal_x:.2f}, {asset.focal_y:.2f}.", "success")
    return redirect(_asset_url(asset.id, "focal-point"))


def _number(axis: str, raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise InvalidInput({"focal_point": f"{axis} must be a number from 0 to 1"}) from None


@bp.post("/assets/<int:asset_id>/captions/<platform>")
@login_required("contributor")
def save_caption(asset_id: int, platform: str) -> Response:
    session = get_session()
    asset = assets.get_asset(session, asset_id)
    captioning.require_platform(platform)
    text = request.form.get("text", "")
    try:
        saved = captioning.save_caption(
            session, asset, platform, {"text": text if text.strip() else None},
            actor=actor(), now=utcnow(),
        )  # fmt: skip
    except InvalidInput as error:
        return _invalid(asset, "caption", error, {"text": text, "platform": platform})
    session.commit()
    counted = saved.caption
    how = "hand-written" if saved.mode == "manual" else "from the template"
    flash(
        f"Caption for {PLATFORM_NAMES[platform]} saved ({how}): "
        f"{counted.length} / {counted.limit}.",
        "success" if counted.fits else "warning",
    )
    return redirect(_asset_url(asset.id, "captions", platform=platform))


@bp.get("/assets/<int:asset_id>/variants/<preset_name>/download")
@login_required("viewer")
def download_variant(asset_id: int, preset_name: str) -> Response:
    """Through the publish gate: the signed URL, or the asset page saying why not."""
    session = get_session()
    asset = assets.get_asset(session, asset_id)
    preset = presets().get(preset_name)
    if preset is None:
        known = ", ".join(presets())
        raise NotFound(f"There is no preset {preset_name!r}; known presets: {known}.")
    try:
        published = publishing.publish(
            session,
            store(),
            asset,
            preset,
            platform=None,  # the preset's own platform and channel(s)
            channel=None,
            today=utcnow().date(),
            caller=g.caller,
            override_reason=None,
            rendering=variants.RenderSettings.of(current_app.config),
        )
        seconds = current_app.config["SIGNED_URL_SECONDS"]
        url, _ = publishing.signed_url(store(), published, now=utcnow(), seconds=seconds)
    except Problem as error:
        session.rollback()
        view = _asset_view_from_args()
        view.refusal = error
        view.audit_platform = publishing.platform_for(preset)
        view.audit_channel = preset.channels[0]
        return _render_asset(asset, view, status=error.status)
    return redirect(url, 302)


# --- the audit report ----------------------------------------------------------------------


@dataclass
class AuditRequest:
    ids: str = ""
    tag: str = ""
    platform: str = DEFAULT_PLATFORM
    channel: str = DEFAULT_CHANNEL
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def given(self) -> bool:
        return bool(self.ids or self.tag)

    def query(self) -> str:
        values = {"ids": self.ids, "tag": self.tag, "platform": self.platform,
                  "channel": self.channel}  # fmt: skip
        return urlencode({k: v for k, v in values.items() if v}, safe=",")


def _audit_request() -> AuditRequest:
    wanted = AuditRequest(
        ids=request.args.get("ids", "").strip(),
        tag=request.args.get("tag", "").strip(),
        platform=request.args.get("platform", "").strip() or DEFAULT_PLATFORM,
        channel=request.args.get("channel", "").strip() or DEFAULT_CHANNEL,
    )
    if wanted.platform not in captions.PLATFORMS:
        wanted.errors["platform"] = f"Choose one of {', '.join(captions.PLATFORMS)}."
    if wanted.channel not in rights.CHANNELS:
        wanted.errors["channel"] = f"Choose one of {', '.join(rights.CHANNELS)}."
    return wanted


def _run_audit(wanted: AuditRequest) -> list[audit.Report]:
    """The reports asked for; problems with the request land in ``wanted.errors``."""
    if not wanted.given or wanted.errors:
        return []
    session = get_session()
    asset_ids: list[int] | None = None
    if wanted.ids:
        parts = [part.strip() for part in wanted.ids.split(",") if part.strip()]
        if not parts or not all(part.isascii() and part.isdigit() for part in parts):
            wanted.errors["ids"] = "Give asset ids separated by commas, such as 1,2,3."
            return []
        asset_ids = [int(part) for part in parts]
    filters = None if asset_ids is not None else assets.AssetFilters(tag=wanted.tag)
    try:
        selected = audits.select_assets(session, asset_ids=asset_ids, filters=filters)
        reports = audits.audit_assets(
            session, selected, platform=wanted.platform, channel=wanted.channel,
            today=utcnow().date(),
        )  # fmt: skip
    except InvalidInput as error:
        session.rollback()
        for name, message in field_errors(error).items():
            wanted.errors[{"asset_ids": "ids", "filter": "tag"}.get(name, name)] = message
        return []
    session.commit()
    return reports


def _render_audits(wanted: AuditRequest, reports: list[audit.Report]) -> Response:
    page = render_template(
        "audits.html",
        wanted=wanted,
        reports=reports,
        summary=audit.summarise(reports),
        platforms=[(key, captions.PLATFORMS[key]) for key in PLATFORM_ORDER],
        platform_names=PLATFORM_NAMES,
        channels=rights.CHANNELS,
        csv_url=url_for("web.audit_csv") + "?" + wanted.query(),
    )
    return current_app.response_class(page, status=422 if wanted.errors else 200)


@bp.get("/audits")
@login_required("viewer")
def audit_report() -> Response:
    wanted = _audit_request()
    return _render_audits(wanted, _run_audit(wanted))


@bp.get("/audits.csv")
@login_required("viewer")
def audit_csv() -> Response:
    wanted = _audit_request()
    if not wanted.given:
        wanted.errors["ids"] = "Give asset ids or a tag to audit."
    reports = _run_audit(wanted)
    if wanted.errors:
        return _render_audits(wanted, reports)
    return Response(
        audit.to_csv(reports),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="vitrine-audit.csv"'},
    )


from service.web import uploads  # noqa: E402,F401  (its routes register on bp)
