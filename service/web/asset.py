"""An asset's page and its forms: description, rights, focal point, captions, and downloads
through the publish gate.

Forms answer invalid input by re-rendering the page with messages beside the fields and a
summary in the form's section (HTTP 422), and success with a redirect to the section that was
saved (``?saved=rights#rights``), whose confirmation is shown inside it. The page's image is
an internal preview (served by ``web.preview``), never a publishable variant: those leave
only through the publish gate (``download_variant``, ``open_variant``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, g, jsonify, redirect, render_template, request, url_for
from flask import session as browser_session
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from service.http.context import services
from service.http.database import get_session
from service.http.transactions import after_commit
from service.ops import jobs
from service.rules import audit, captions, consent, embedded_people, filenames, licences, location
from service.rules.problems import InvalidInput, Problem
from service.services import assets, captioning, people_tags, previews, publishing, rights, variants
from service.services import auditing as audits
from service.services.history import list_history
from service.storage.db import utcnow
from service.storage.models import Asset
from service.web import bp, embedded_view, iiif_links
from service.web import people_common as people_panel
from service.web.common import (
    AUDIT_PLATFORMS,
    DEFAULT_CHANNEL,
    DEFAULT_PLATFORM,
    DESCRIPTIVE_FIELDS,
    PLATFORM_NAMES,
    PLATFORM_ORDER,
    actor,
    field_errors,
    image_alt,
    preset_named,
    presets,
    publish,
    render_settings,
    signed_url,
    store,
)
from service.web.session import login_required

log = logging.getLogger(__name__)


def page_preview(session: Session, asset: Asset) -> str | None:
    """The URL of the asset page's preview, made now if need be; None when none can be made."""
    try:
        previews.preview_of(session, store(), asset, "page", render_settings())
        return url_for("web.preview", asset_id=asset.id, size="page")
    except Problem as error:
        log.info("no page preview of asset %s: %s", asset.id, error.detail)
    except Exception:  # a preview must never take the page down with it
        log.exception("page preview of asset %s failed", asset.id)
    return None  # the request's session only read: the render wrote in sessions of its own


@dataclass
class AssetView:
    """What the asset page needs beyond the asset: one place, so forms can re-render it."""

    platform: str = DEFAULT_PLATFORM
    audit_platform: str = AUDIT_PLATFORMS[0]
    audit_channel: str = DEFAULT_CHANNEL
    errors: dict[str, dict[str, str]] = field(default_factory=dict)  # per form
    values: dict[str, dict[str, Any]] = field(default_factory=dict)  # what the user typed
    refusal: Problem | None = None


def _asset_view_from_args() -> AssetView:
    platform = request.args.get("platform", DEFAULT_PLATFORM)
    if platform not in captions.PLATFORMS:
        platform = DEFAULT_PLATFORM
    # Audits name the platform a post goes to: "default" (or anything else) is not one.
    audit_platform = request.args.get("audit_platform", platform)
    if audit_platform not in AUDIT_PLATFORMS:
        audit_platform = AUDIT_PLATFORMS[0]
    channel = request.args.get("audit_channel", DEFAULT_CHANNEL)
    return AssetView(platform=platform, audit_platform=audit_platform, audit_channel=channel)


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
            people_unknown_blocks=services().people_unknown_blocks,
        )
    except InvalidInput as error:
        audit_errors = field_errors(error)
    history = list(reversed(list_history(session, asset.id)))
    exact = g.caller.can(location.ROLE_FOR_EXACT)  # others see positions rounded to ~1 km
    people = g.caller.can(consent.ROLE_FOR_PEOPLE)  # others never read who is shown
    summary = embedded_people.summary_for(
        location.summary_for(asset.metadata_summary, exact=exact), may_see_people=people
    )
    raw = embedded_people.raw_for(
        location.raw_for(asset.metadata_raw, exact=exact), may_see_people=people
    )
    query = view.values.get("people-tag", {}).get("people_q", request.args.get("people_q", ""))
    shown_people = people_panel.panel(session, asset, named=people, query=query,
                                      today=utcnow().date())  # fmt: skip
    page = render_template(
        "asset.html",
        asset=asset,
        people=shown_people,
        people_statuses=people_panel.STATUS_CHOICES,
        state_names=people_panel.STATE_NAMES,
        person_roles=consent.PERSON_ROLES,
        view=view,
        record=record,
        record_values=rights.record_values(record),
        rule=rule,
        preview=page_preview(session, asset),
        alt=image_alt(asset),
        alt_warnings=captions.alt_text_warnings(
            asset.alt_text, filename=asset.original_filename, platform=DEFAULT_PLATFORM
        ),
        summary_rows=embedded_view.summary_rows(summary),
        disagreements=embedded_view.disagreements(summary),
        digest_note=embedded_view.digest_note(summary),
        raw_blocks=[(name.upper(), raw.get(name) or {}) for name in ("exif", "iptc", "xmp", "icc")],
        licences=licences.LICENCES.values(),
        licence=licences.lookup_licence(record.licence_uri or ""),
        status_options=[(status, status) for status in rights.STATUSES],
        channels=rights.CHANNELS,
        platforms=[(key, captions.PLATFORMS[key]) for key in PLATFORM_ORDER],
        audit_platforms=AUDIT_PLATFORMS,
        platform_names=PLATFORM_NAMES,
        captioned=captioned,
        presets=list(presets().values()),
        report=report,
        audit_errors=audit_errors,
        history=history,
        iiif=iiif_links.links_for(session, asset),
        notice=_notice(asset.id) if status == 200 else None,
        shown=embedded_view.shown,
        can_edit=g.caller.can("contributor"),
        can_clear=g.caller.can("rights"),
        can_tag=people,
    )
    return current_app.response_class(page, status=status)


NOTICE = "asset_notice"  # the session's key for a Save's confirmation, shown in its section


def _saved(
    asset_id: int, section: str, message: str, level: str = "success", platform: str | None = None
) -> Response:
    """Back to the section that was saved, whose confirmation is shown inside it (where the
    user is), not at the top of the page: ``/assets/1?saved=rights#rights``."""
    browser_session[NOTICE] = {
        "asset": asset_id,
        "section": section,
        "text": message,
        "level": level,
    }
    url = url_for("web.asset_page", asset_id=asset_id, platform=platform, saved=section)
    return redirect(f"{url}#{section}")


def _notice(asset_id: int) -> dict[str, Any] | None:
    """The confirmation of the Save that led here, once."""
    notice = browser_session.get(NOTICE)
    if not isinstance(notice, dict) or notice.get("asset") != asset_id:
        return None
    browser_session.pop(NOTICE)
    return notice if notice.get("section") == request.args.get("saved") else None


@bp.get("/assets/<int:asset_id>")
@login_required("viewer")
def asset_page(asset_id: int) -> Response:
    """An asset's page: preview, description, rights, captions, audit, downloads, history."""
    asset = assets.get_asset(get_session(), asset_id)
    return _render_asset(asset, _asset_view_from_args())


def _invalid(asset: Asset, form: str, error: InvalidInput, values: Mapping[str, Any]) -> Response:
    """Re-render the asset page with a form's errors beside its fields (HTTP 422: the
    request's unit of work rolls back; the services refuse before they change anything)."""
    view = _asset_view_from_args()
    view.errors[form] = field_errors(error)
    view.values[form] = dict(values)
    return _render_asset(asset, view, status=422)


@bp.post("/assets/<int:asset_id>/describe")
@login_required("contributor")
def describe(asset_id: int) -> Response:
    """Save the description form: title, object number, description, alt text and tags."""
    session = get_session()
    asset = assets.get_asset(session, asset_id)
    values: dict[str, Any] = {name: request.form.get(name, "") for name in DESCRIPTIVE_FIELDS}
    values["tags"] = request.form.get("tags", "")
    changes = {name: values[name] for name in DESCRIPTIVE_FIELDS}
    changes["tags"] = assets.split_tags([values["tags"]])
    try:
        assets.update_asset(session, asset, changes, actor=actor())
    except InvalidInput as error:
        return _invalid(asset, "describe", error, values)
    return _saved(asset.id, "description", "Description saved.")


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
    """Save the rights form; the asset's outdated variants are dropped before the answer."""
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
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # Once committed, and still before the answer: old variants are gone when the user reads it.
    after_commit(lambda: jobs.after_rights_change(app, asset_id))
    return _saved(asset.id, "rights", "Rights saved.")


@bp.post("/assets/<int:asset_id>/focal-point")
@login_required("contributor")
def focal_point(asset_id: int) -> Response:
    """JSON from the preview click (fetch), or the keyboard form's two numbers."""
    session = get_session()
    asset = assets.get_asset(session, asset_id)
    if request.is_json:
        variants.set_focal_point(session, asset, request.get_json(silent=True), actor=actor())
        return jsonify({"asset_id": asset.id, "x": asset.focal_x, "y": asset.focal_y})
    values = {"x": request.form.get("x", ""), "y": request.form.get("y", "")}
    try:
        body = {axis: _number(axis, raw) for axis, raw in values.items()}
        variants.set_focal_point(session, asset, body, actor=actor())
    except InvalidInput as error:
        return _invalid(asset, "focal", error, values)
    return _saved(
        asset.id, "focal-point", f"Focal point set to {asset.focal_x:.2f}, {asset.focal_y:.2f}."
    )


def _number(axis: str, raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise InvalidInput({"focal_point": f"{axis} must be a number from 0 to 1"}) from None


@bp.post("/assets/<int:asset_id>/people/status")
@login_required(consent.ROLE_FOR_PEOPLE)
def save_people_status(asset_id: int) -> Response:
    """Say the asset shows no recognisable people (its tags removed), people, or not yet."""
    session = get_session()
    asset = assets.get_asset(session, asset_id)
    status = request.form.get("status", "")
    try:
        people_tags.set_status(session, asset, status, actor=actor())
    except InvalidInput as error:
        return _invalid(asset, "people-status", error, {"status": status})
    return _saved(asset.id, "people", people_panel.STATUS_SAID[status])


@bp.post("/assets/<int:asset_id>/people/tag")
@login_required(consent.ROLE_FOR_PEOPLE)
def tag_person(asset_id: int) -> Response:
    """Tag a person of the register on the asset, with the box drawn or typed (optional)."""
    session = get_session()
    asset = assets.get_asset(session, asset_id)
    values = {key: request.form.get(key, "") for key in ("person_id", "x", "y", "w", "h")}
    values["people_q"] = request.form.get("people_q", "")
    raw = values["person_id"].strip()
    try:
        region = people_panel.region_from_form(values)
        person_id = int(raw) if raw.isascii() and raw.isdigit() else None
        person = people_tags.tag_person(session, asset, person_id, region, actor=actor())
    except InvalidInput as error:
        return _invalid(asset, "people-tag", error, values)
    boxed = " with a box" if region else ""
    return _saved(asset.id, "people", f"{person.display_name} tagged{boxed}.")


@bp.post("/assets/<int:asset_id>/people/<int:person_id>/remove")
@login_required(consent.ROLE_FOR_PEOPLE)
def untag_person(asset_id: int, person_id: int) -> Response:
    """Remove a person's tag from the asset."""
    session = get_session()
    asset = assets.get_asset(session, asset_id)
    try:
        person = people_tags.untag_person(session, asset, person_id, actor=actor())
    except InvalidInput as error:
        return _invalid(asset, "people-remove", error, {})
    name = person.display_name or f"Person #{person.id}"
    return _saved(asset.id, "people", f"{name} is no longer tagged.")


@bp.post("/assets/<int:asset_id>/people/confirm")
@login_required(consent.ROLE_FOR_PEOPLE)
def confirm_people(asset_id: int) -> Response:
    """Confirm the ticked names the file proposes: each a person of the register, tagged."""
    session = get_session()
    asset = assets.get_asset(session, asset_id)
    ticked = [raw for raw in request.form.getlist("confirm") if raw.isascii() and raw.isdigit()]
    chosen = {int(raw): request.form.get(f"role-{raw}", "") for raw in ticked}
    values = {"confirm": ticked, **{f"role-{i}": role for i, role in chosen.items()}}
    try:
        confirmed = people_tags.confirm_names(session, asset, chosen, actor=actor())
    except InvalidInput as error:
        return _invalid(asset, "people-confirm", error, values)
    names = ", ".join(person.display_name for person in confirmed)
    return _saved(asset.id, "people", f"Confirmed and tagged: {names}.")


@bp.post("/assets/<int:asset_id>/captions")
@login_required("contributor")
def save_captions(asset_id: int) -> Response:
    """Save every platform's caption in one go (``text-<platform>``): each one whose text
    changed, an empty one going back to the template. One refused: none is saved."""
    session = get_session()
    asset = assets.get_asset(session, asset_id)
    typed = {
        key: request.form[f"text-{key}"] for key in PLATFORM_ORDER if f"text-{key}" in request.form
    }
    return _save_texts(session, asset, typed, platform=None)


@bp.post("/assets/<int:asset_id>/captions/<platform>")
@login_required("contributor")
def save_caption(asset_id: int, platform: str) -> Response:
    """Save one platform's caption, or go back to the template when the text is empty."""
    session = get_session()
    asset = assets.get_asset(session, asset_id)
    captioning.require_platform(platform)
    return _save_texts(session, asset, {platform: request.form.get("text", "")}, platform=platform)


def _save_texts(
    session: Session, asset: Asset, typed: Mapping[str, str], platform: str | None
) -> Response:
    errors: dict[str, str] = {}
    saved: list[str] = []
    warn = False
    for key, text in typed.items():
        # One platform's own form always saves; the form of all saves those that changed.
        if platform is None and _unchanged(text, captioning.caption_for(session, asset, key)):
            continue
        try:
            result = captioning.save_caption(
                session, asset, key, {"text": text if text.strip() else None},
                actor=actor(), now=utcnow(),
            )  # fmt: skip
        except InvalidInput as error:
            found = field_errors(error)
            errors[key] = found.get("text") or next(iter(found.values()))
            continue
        counted = result.caption
        how = "hand-written" if result.mode == "manual" else "from the template"
        saved.append(f"{PLATFORM_NAMES[key]} ({how}): {counted.length} / {counted.limit}")
        warn = warn or not counted.fits
    if errors:  # 422: the request's unit of work rolls back the ones saved before
        view = _asset_view_from_args()
        view.errors["caption"] = errors
        view.values["caption"] = dict(typed)
        return _render_asset(asset, view, status=422)
    message = "Captions saved: " + "; ".join(saved) + "." if saved else "No caption changed."
    return _saved(asset.id, "captions", message, "warning" if warn else "success", platform)


def _unchanged(text: str, current: captioning.AssetCaption) -> bool:
    """The text as the page showed it (browsers send textarea lines ending CR LF)."""
    text = text.replace("\r\n", "\n")
    if not text.strip():
        return current.mode != "manual"  # empty and already from the template
    return text == current.caption.text.replace("\r\n", "\n")


@bp.get("/assets/<int:asset_id>/variants/<preset_name>/download")
@login_required("viewer")
def download_variant(asset_id: int, preset_name: str) -> Response:
    """Through the publish gate: the signed URL, answered as an attachment named for the
    object (``Af1935-0711-1_instagram-portrait.jpg``), or the asset page saying why not."""
    return _hand_out(asset_id, preset_name, attachment=True)


@bp.get("/assets/<int:asset_id>/variants/<preset_name>/open")
@login_required("viewer")
def open_variant(asset_id: int, preset_name: str) -> Response:
    """Through the publish gate too, to look at in the browser: no attachment."""
    return _hand_out(asset_id, preset_name, attachment=False)


def _hand_out(asset_id: int, preset_name: str, *, attachment: bool) -> Response:
    session = get_session()
    asset = assets.get_asset(session, asset_id)
    preset = preset_named(preset_name)
    try:
        published = publish(session, asset, preset)
        name = filenames.download_name(
            object_number=asset.object_number, title=asset.title, asset_id=asset.id,
            preset=preset.name, media_type=published.variant.media_type or preset.media_type,
        )  # fmt: skip
        url = signed_url(published, download_name=name if attachment else None)
    except Problem as error:  # an error status: the unit of work rolls the request back
        view = _asset_view_from_args()
        view.refusal = error
        view.audit_platform = publishing.platform_for(preset.name)
        view.audit_channel = preset.channels[0]
        return _render_asset(asset, view, status=error.status)
    return redirect(url, 302)
