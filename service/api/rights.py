"""Rights routes: an asset's rights record and history, expiring licences, the credit policy."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app, request

from service.api import bp
from service.http.context import services
from service.http.database import get_session
from service.http.guards import current_caller, require
from service.http.requests import page_limit
from service.http.transactions import after_commit
from service.ops import jobs
from service.rules import credits
from service.rules.consent import ROLE_FOR_PEOPLE
from service.rules.problems import InvalidInput
from service.services import assets, consents, rights, variants
from service.services.history import list_history
from service.storage.db import utcnow
from service.storage.models import CreditPolicyVersion, HistoryEntry, RightsRecord


def rights_json(record: RightsRecord) -> dict[str, Any]:
    """The public shape of a rights record, with its licence and revision."""
    return {
        "asset_id": record.asset_id,
        **rights.record_values(record),
        "licence": _licence_json(record.licence_uri),
        "cleared_by": record.cleared_by,
        "cleared_at": record.cleared_at.isoformat() if record.cleared_at else None,
        "proposed": record.proposed,
        "revision": record.revision,
        "updated_by": record.updated_by,
        "updated_at": record.updated_at.isoformat(),
    }


def _licence_json(uri: str | None) -> dict[str, Any] | None:
    from service.rules.licences import lookup_licence

    licence = lookup_licence(uri or "")
    if licence is None:
        return None
    return {
        "uri": licence.uri,
        "short_name": licence.short_name,
        "allows_social": licence.allows_social,
    }


def history_json(entry: HistoryEntry) -> dict[str, Any]:
    """One history entry as JSON: who changed which field, from what to what."""
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "field": entry.field,
        "before": entry.before,
        "after": entry.after,
    }


def policy_json(version: CreditPolicyVersion) -> dict[str, Any]:
    """A credit policy version as JSON, with its rules."""
    return {
        "version": version.version,
        "created_by": version.created_by,
        "created_at": version.created_at.isoformat(),
        "rules": [credits.rule_json(rule) for rule in rights.policy_rules(version)],
    }


@bp.get("/assets/<int:asset_id>/rights")
@require("viewer")
def get_rights(asset_id: int) -> dict[str, Any]:
    """The asset's rights record, with its licence and revision."""
    session = get_session()
    record = rights.rights_of(session, assets.get_asset(session, asset_id))
    return rights_json(record)


@bp.put("/assets/<int:asset_id>/rights")
@require("rights")
def put_rights(asset_id: int) -> dict[str, Any]:
    """Change the asset's rights; its outdated variants are dropped before the answer."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput({"body": "must be a JSON object of rights fields"})
    session = get_session()
    asset = assets.get_asset(session, asset_id)
    record = rights.update_rights(session, asset, body, actor=current_caller().actor, now=utcnow())
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # Once the change is committed, and before we answer: old variants gone.
    after_commit(lambda: jobs.after_rights_change(app, asset.id))
    return rights_json(record)


@bp.get("/assets/<int:asset_id>/history")
@require("viewer")
def get_history(asset_id: int) -> dict[str, Any]:
    """The asset's history: each change, who made it and when."""
    session = get_session()
    assets.get_asset(session, asset_id)
    return {"items": [history_json(entry) for entry in list_history(session, asset_id)]}


@bp.get("/rights/expiring")
@require("viewer")
def get_expiring() -> dict[str, Any]:
    """Licences expiring and embargoes lifting within the next ``within_days``, a page at a
    time, soonest first."""
    raw = request.args.get("within_days", "14")
    if not (raw.isascii() and raw.isdigit()) or not 0 <= int(raw) <= 3650:
        raise InvalidInput({"within_days": "must be a whole number of days from 0 to 3650"})
    limit = page_limit(default=200)
    cursor = request.args.get("cursor") or None
    after = rights.decode_deadline_cursor(cursor) if cursor else None
    today = utcnow().date()
    deadlines = rights.expiring(
        get_session(), today=today, within_days=int(raw), limit=limit + 1, after=after
    )
    more = len(deadlines) > limit
    deadlines = deadlines[:limit]
    return {
        "today": today.isoformat(),
        "within_days": int(raw),
        "items": [
            {
                "asset_id": deadline.asset_id,
                "title": deadline.title,
                "object_number": deadline.object_number,
                "event": deadline.event,
                "date": deadline.on.isoformat(),
                "days_left": (deadline.on - today).days,
            }
            for deadline in deadlines
        ],
        "next_cursor": rights.deadline_cursor(deadlines[-1]) if more else None,
        # The register's deadlines beside the licences: few, so all of them on the first page.
        "consents": [] if cursor else _expiring_consents(today, int(raw)),
    }


def _expiring_consents(today: date, within_days: int) -> list[dict[str, Any]]:
    """Consents ending in the window: the person by number and role, by name to the rights
    role only."""
    named = current_caller().can(ROLE_FOR_PEOPLE)
    return [
        {
            "consent_id": found.consent_id,
            "person_id": found.person_id,
            "person_role": found.person_role,
            **({"person_name": found.person_name} if named else {}),
            "channels": list(found.channels),
            "platforms": list(found.platforms),
            "date": found.on.isoformat(),
            "days_left": (found.on - today).days,
        }
        for found in consents.expiring(get_session(), today=today, within_days=within_days)
    ]


@bp.get("/credit-policies")
@require("viewer")
def get_policy() -> dict[str, Any]:
    """The credit policy in force: its version and rules."""
    session = get_session()
    version = rights.current_policy(session)
    return policy_json(version)


@bp.put("/credit-policies")
@require("admin")
def put_policy() -> dict[str, Any]:
    """Replace the credit policy; variants of holders whose rule changed are dropped."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or set(body) != {"rules"} or not isinstance(body["rules"], list):
        raise InvalidInput({"body": "must be a JSON object with a 'rules' list"})
    session = get_session()
    before = rights.policy_rules(rights.current_policy(session))
    version = rights.replace_policy(session, body["rules"], actor=current_caller().actor)
    changed = credits.changed_holders(before, rights.policy_rules(version))
    variants.drop_outdated_credits(session, services().store, changed)  # signed URLs stop at once
    return policy_json(version)
