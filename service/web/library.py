"""The library page: the assets as cards, searched and filtered, and batch work on the selected
ones: audit for a platform and channel, add or remove tags, set rights.

Forms answer invalid input by re-rendering with messages beside the fields (HTTP 422) and
success with a redirect and a flashed message; batch rights answer the library with each
asset's result (saved, or refused and unchanged), 200 when any was saved. Its images are
internal previews (served by ``web.preview`` to the signed-in session), never publishable
variants.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import current_app, flash, g, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from service.http.context import services
from service.http.database import get_session
from service.http.transactions import after_commit
from service.ops import jobs
from service.rules import licences
from service.rules.badges import badges_shown
from service.rules.ids import is_id
from service.rules.problems import InvalidInput
from service.services import assets, batch, rights
from service.services import auditing as audits
from service.storage.db import utcnow
from service.storage.models import Asset
from service.web import bp
from service.web.common import (
    AUDIT_PLATFORMS,
    DEFAULT_CHANNEL,
    DEFAULT_PLATFORM,
    PLATFORM_NAMES,
    actor,
    as_sentences,
    field_errors,
    image_alt,
)
from service.web.session import login_required, safe_next, signed_in_user

# Every page's templates decide an asset's badges by this one rule (the asset page too).
bp.add_app_template_global(badges_shown, "badges_shown")

PAGE_SIZE = 24
SORT_LABELS = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "title": "Title, A to Z",
    "object_number": "Object number",
}


@bp.get("/")
def index() -> Response:
    """Send visitors to the library when signed in, else to the sign-in page."""
    return redirect(url_for("web.library" if signed_in_user() else "web.login"))


@dataclass(frozen=True)
class Card:
    """One asset as the library shows it: image, rights status and audit outcome."""

    asset: Asset
    alt: str
    rights_status: str
    audit_outcome: str


@dataclass
class BulkForm:
    """What the user chose and typed in the batch form, to show it again beside any error."""

    selected: set[int] = field(default_factory=set)
    tag: str = ""
    platform: str = AUDIT_PLATFORMS[0]
    channel: str = DEFAULT_CHANNEL
    holder: str = ""
    credit_line: str = ""
    licence_uri: str = ""
    channels: list[str] = field(default_factory=list)
    status: str = ""
    note: str = ""  # a word beside the credit line (what the policy suggested)

    @classmethod
    def posted(cls, form: MultiDict[str, str]) -> BulkForm:
        """The batch form as posted (the selection read leniently: it is only shown again)."""
        return cls(
            selected={int(raw) for raw in form.getlist("asset_ids") if is_id(raw)},
            tag=form.get("tag", ""),
            platform=form.get("audit_platform", AUDIT_PLATFORMS[0]),
            channel=form.get("audit_channel", DEFAULT_CHANNEL),
            holder=form.get("rights_holder", ""),
            credit_line=form.get("rights_credit_line", ""),
            licence_uri=form.get("rights_licence_uri", ""),
            channels=form.getlist("rights_channels"),
            status=form.get("rights_status", ""),
        )

    def rights_changes(self) -> dict[str, Any]:
        """The rights fields to set: those given; an empty one keeps each asset's own."""
        changes: dict[str, Any] = {}
        for name in ("holder", "credit_line", "licence_uri", "status"):
            value = getattr(self, name)
            if value.strip():
                changes[name] = value
        if self.channels:
            changes["channels"] = self.channels
        return changes


@dataclass(frozen=True)
class ResultRow:
    """One asset's line in the results of a batch rights change."""

    asset_id: int
    name: str
    saved: bool
    reasons: list[str]


def _library_args() -> MultiDict[str, str]:
    """The library's query: the request's own, or after a POST the page the form came from."""
    if request.method == "GET":
        return request.args
    return MultiDict(parse_qsl(urlsplit(_here()).query))


def _here() -> str:
    return safe_next(request.form.get("next"))


def _render_library(
    errors: Mapping[str, str] | None = None,
    status: int = 200,
    *,
    results: Sequence[ResultRow] = (),
    summary: str = "",
    bulk: BulkForm | None = None,
) -> Response:
    errors = dict(errors or {})
    query = _library_args()
    names = ("q", "status", "holder", "tag", "sort")
    args = {name: query.get(name, "").strip() for name in names}
    if args["status"] and args["status"] not in rights.STATUSES:
        errors["status"] = f"Choose one of {', '.join(rights.STATUSES)}."
        args["status"] = ""
    if args["sort"] and args["sort"] not in SORT_LABELS:
        errors["sort"] = f"Choose one of {', '.join(SORT_LABELS.values())}."
        args["sort"] = ""
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
            session,
            filters,
            limit=PAGE_SIZE,
            cursor=query.get("cursor") or None,
            sort=args["sort"] or "newest",
        )
    except InvalidInput as error:
        errors.update(field_errors(error))
    today = utcnow().date()
    reports = audits.audit_assets(
        session, page, platform=DEFAULT_PLATFORM, channel=DEFAULT_CHANNEL, today=today,
        people_unknown_blocks=services().people_unknown_blocks,
    )  # fmt: skip
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
    if bulk is None:
        bulk = BulkForm.posted(request.form) if request.method == "POST" else BulkForm()
    page_html = render_template(
        "library.html",
        cards=cards,
        args=args,
        errors=errors,
        statuses=rights.STATUSES,
        sorts=SORT_LABELS,
        next_url=next_url,
        here=_here() if request.method == "POST" else request.full_path.rstrip("?"),
        bulk=bulk,
        audit_platforms=[(key, PLATFORM_NAMES[key]) for key in AUDIT_PLATFORMS],
        channels=rights.CHANNELS,
        licences=licences.LICENCES.values(),
        policy_holders=_policy_holders() if g.caller.can("rights") else [],
        results=results,
        summary=summary,
    )
    return current_app.response_class(page_html, status=422 if errors else status)


def _policy_holders() -> list[str]:
    """The holders the credit policy knows, offered as the holder field's suggestions (to
    the rights role, who alone sees the batch rights form)."""
    return [rule.holder for rule in rights.policy_rules(rights.current_policy(get_session()))]


@bp.get("/library")
@login_required("viewer")
def library() -> Response:
    """The library: assets as cards, searched and filtered by the query string."""
    return _render_library()


BULK_ACTIONS = {
    "audit": "viewer",
    "tag": "contributor",  # add
    "untag": "contributor",
    "suggest_credit": "rights",
    "rights": "rights",
}


@bp.post("/library/bulk")
@login_required("viewer")
def library_bulk() -> Response:
    """Batch work on the selected assets: audit them (a redirect to the report), add or
    remove tags, or set their rights (each asset saved or refused on its own)."""
    action = request.form.get("action", "")
    if action not in BULK_ACTIONS:
        return _render_library({"action": "Choose Audit, Add tag, Remove tag or Set rights."})
    if not g.caller.can(BULK_ACTIONS[action]):
        page = render_template("forbidden.html", needed=BULK_ACTIONS[action])
        return current_app.response_class(page, status=403)
    if action == "suggest_credit":  # fills the form in; the selection may still be empty
        return _suggest_credit()
    raw_ids = request.form.getlist("asset_ids")
    if not raw_ids:
        return _render_library({"asset_ids": "Select at least one asset."})
    if not all(is_id(raw) for raw in raw_ids):
        return _render_library({"asset_ids": "The selection holds something that is not an id."})
    ids = list(dict.fromkeys(int(raw) for raw in raw_ids))
    if action == "audit":
        return _audit(ids)
    if action == "rights":
        return _set_rights(ids)
    return _change_tags(ids, add=action == "tag")


def _audit(ids: Sequence[int]) -> Response:
    platform = request.form.get("audit_platform", "")
    channel = request.form.get("audit_channel", "")
    errors = {}
    if platform not in AUDIT_PLATFORMS:
        names = ", ".join(PLATFORM_NAMES[key] for key in AUDIT_PLATFORMS)
        errors["audit_platform"] = f"Choose one of {names}."
    if channel not in rights.CHANNELS:
        errors["audit_channel"] = f"Choose one of {', '.join(rights.CHANNELS)}."
    if errors:
        return _render_library(errors)
    query = urlencode({"ids": _join(ids), "platform": platform, "channel": channel}, safe=",")
    return redirect(url_for("web.audit_report") + "?" + query)


def _change_tags(ids: Sequence[int], *, add: bool) -> Response:
    tags = assets.split_tags([request.form.get("tag", "")])
    session = get_session()
    change = batch.add_tags if add else batch.remove_tags
    try:
        changed = change(
            session, ids, tags, actor=actor(), at_most=current_app.config["MAX_AUDIT_ASSETS"]
        )
    except InvalidInput as error:  # 422: the unit of work rolls back, nothing is tagged
        found = field_errors(error)
        if "asset_ids" in found:
            return _render_library({"asset_ids": found["asset_ids"]})
        return _render_library({"tag": " ".join(found.values())})
    shown = ", ".join(f"#{tag}" for tag in tags)
    if add:
        flash(f"Added {shown} to {len(changed)} asset(s).", "success")
    else:
        unchanged = len(ids) - len(changed)
        besides = f"; {unchanged} did not have it" if unchanged else ""
        flash(f"Removed {shown} from {len(changed)} asset(s){besides}.", "success")
    return redirect(_here())


def _suggest_credit() -> Response:
    holder = request.form.get("rights_holder", "")
    line = batch.policy_credit_line(get_session(), holder)
    if line is None:
        message = (
            "Enter a rights holder first."
            if not holder.strip()
            else f"The credit policy has no rule for “{holder.strip()}”: type the credit line."
        )
        return _render_library({"rights_credit_line": message})
    bulk = BulkForm.posted(request.form)  # shown again, the policy's line filled in
    bulk.credit_line, bulk.note = line, f"The credit policy's line for {holder.strip()}."
    return _render_library(bulk=bulk)


def _set_rights(ids: Sequence[int]) -> Response:
    session = get_session()
    changes = BulkForm.posted(request.form).rights_changes()
    try:
        done = batch.set_rights(
            session, ids, changes, actor=actor(), now=utcnow(),
            at_most=current_app.config["MAX_AUDIT_ASSETS"],
        )  # fmt: skip
    except InvalidInput as error:  # the change itself is wrong: nothing changed
        found = field_errors(error)
        return _render_library({_rights_field(name): text for name, text in found.items()})
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for asset_id in done.saved_ids:
        # As the asset page does: once committed, old variants go before the answer.
        after_commit(partial(jobs.after_rights_change, app, asset_id))
    rows = [
        ResultRow(outcome.asset_id, outcome.name, outcome.saved, _reasons(outcome.refused))
        for outcome in done.outcomes
    ]
    saved = len(done.saved_ids)
    summary = f"Rights saved on {saved} of {len(rows)} asset(s)."
    if saved < len(rows):
        summary += f" {len(rows) - saved} refused and left unchanged."
    if done.credit_from_policy:
        summary += f" Credit line from the credit policy: {done.changes['credit_line']}."
    return _render_library(results=rows, summary=summary, status=200 if saved else 422)


def _reasons(refused: Mapping[str, str]) -> list[str]:
    """Why an asset refused, as sentences."""
    return list(as_sentences(refused).values())


def _rights_field(name: str) -> str:
    """The batch form's control for a field the rights service named."""
    return name if name in ("asset_ids", "rights") else f"rights_{name}"


def _join(ids: Sequence[int]) -> str:
    return ",".join(str(asset_id) for asset_id in ids)
