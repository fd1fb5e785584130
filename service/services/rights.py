"""Use cases for rights records and the credit policy.

The rules that need no database (licence vocabulary, credit matching) live in
``licences`` and ``credits``; this module reads and writes records around them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Select, literal, select, tuple_, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.rules import credits, cursors, licences
from service.rules.problems import InvalidInput
from service.rules.text import clean_field, clean_text, without_direction_controls
from service.services.history import record_changes
from service.storage.db import remember, remembered, savepoint
from service.storage.models import Asset, CreditPolicyVersion, RightsRecord

STATUSES = ("unknown", "pending", "cleared", "restricted")
CHANNELS = licences.CHANNELS
TEXT_LIMITS = {"holder": 300, "credit_line": 300, "creator": 300, "source": 300, "notes": 5_000}
MULTILINE_FIELDS = frozenset({"notes"})  # the others fold line breaks into a space
WRITABLE = (*TEXT_LIMITS, "licence_uri", "copyright_year", "channels", "embargo_until",
            "expires_at", "status")  # fmt: skip
DEFAULT_POLICY_FILE = Path(__file__).resolve().parents[1] / "data" / "credit-policy.json"


# --- pure rules --------------------------------------------------------------------------


def propose_rights(summary: Mapping[str, Any]) -> dict[str, Any]:
    """Rights values suggested by a file's embedded metadata (status stays unknown)."""

    removed: dict[str, list[str]] = {}

    def text(field: str) -> str:
        entry = summary.get(field)
        if not isinstance(entry, dict):
            return ""
        value, controls = without_direction_controls(str(entry["value"]))
        if controls:
            removed[field] = controls
        return clean_text(value, multiline=False).strip()

    notice = text("copyright_notice")
    credit_line = text("credit_line") or notice
    web_statement = licences.lookup_licence(text("web_statement"))
    proposal = {
        "holder": credits.display_holder(notice or credit_line),
        "credit_line": credit_line,
        "creator": text("creator"),
    }
    if removed:
        # Not the user's text, so not refused; but never dropped without a word.
        proposal["notes"] = " ".join(
            f"The embedded {field.replace('_', ' ')} contained {', '.join(names)}, which can"
            " disguise text; it was left out of this proposal."
            for field, names in removed.items()
        )
    # Embedded text can be any length; a proposal must fit the record's columns.
    return {
        **{field: value[: TEXT_LIMITS[field]] for field, value in proposal.items()},
        "licence_uri": web_statement.uri if web_statement else None,
    }


def validate_rights(changes: Mapping[str, Any], *, today: date) -> dict[str, Any]:
    """Check the writable rights fields given; raise ``InvalidInput`` naming each bad one."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field, value in changes.items():
        try:
            cleaned[field] = _clean_field(field, value, today)
        except ValueError as error:
            errors[field] = str(error)
    if errors:
        raise InvalidInput(errors)
    return cleaned


def _clean_field(field: str, value: Any, today: date) -> Any:
    if field in TEXT_LIMITS:
        if not isinstance(value, str):
            raise ValueError("must be a string")
        text = clean_field(value, multiline=field in MULTILINE_FIELDS)
        if len(text) > TEXT_LIMITS[field]:
            raise ValueError(f"must be at most {TEXT_LIMITS[field]} characters")
        return text
    if field == "licence_uri":
        if value in (None, ""):
            return None
        licence = licences.lookup_licence(value) if isinstance(value, str) else None
        if licence is None:
            raise ValueError(
                "is not a known licence: use a Creative Commons 4.0 or CC0/PDM URI, "
                f"a RightsStatements.org URI, or {licences.ALL_RIGHTS_RESERVED}"
            )
        return licence.uri
    if field == "copyright_year":
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("must be a year such as 2024, or null")
        if not 1000 <= value <= today.year + 1:
            raise ValueError(f"must be between 1000 and {today.year + 1}")
        return value
    if field == "channels":
        if not isinstance(value, list) or any(item not in CHANNELS for item in value):
            raise ValueError(f"must be a list drawn from {', '.join(CHANNELS)}")
        return [channel for channel in CHANNELS if channel in value]
    if field in ("embargo_until", "expires_at"):
        if value in (None, ""):
            return None
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            raise ValueError("must be a date such as 2026-12-31, or null") from None
    if field == "status":
        if value not in STATUSES:
            raise ValueError(f"must be one of {', '.join(STATUSES)}")
        return value
    raise ValueError("is not a writable rights field")


def missing_for_clearance(values: Mapping[str, Any]) -> dict[str, str]:
    """What a record still needs before it can be cleared."""
    needed = {
        "holder": "a rights holder",
        "credit_line": "a credit line",
        "licence_uri": "a licence",
    }
    return {
        field: f"clearing needs {what}" for field, what in needed.items() if not values.get(field)
    }


def record_values(record: RightsRecord) -> dict[str, Any]:
    """The writable fields of a record, JSON-ready (dates as ISO strings)."""
    values = {field: getattr(record, field) for field in WRITABLE}
    for field in ("embargo_until", "expires_at"):
        values[field] = values[field].isoformat() if values[field] else None
    return values


# --- use cases ---------------------------------------------------------------------------


def proposed_rights_record(summary: Mapping[str, Any]) -> RightsRecord:
    """A new record holding what the embedded metadata suggests, marked as proposed."""
    # Every column's default given here, so that an unsaved record reads like a saved one.
    values = {"source": "", "notes": "", "revision": 1, **propose_rights(summary)}
    return RightsRecord(
        **values,
        channels=[],
        status="unknown",
        proposed=True,
        updated_by="embedded metadata",
    )


def rights_of(session: Session, asset: Asset) -> RightsRecord:
    """The asset's rights record; a pure read.

    Every asset has one: ``assets.ingest`` makes it with the asset, and migration 0009 made
    it for older assets. A row made by other means without one reads as the proposal its
    embedded metadata makes, unsaved (the first change saves it, ``_record_to_change``).
    """
    if asset.rights is not None:
        return asset.rights
    unsaved = proposed_rights_record(asset.metadata_summary)
    unsaved.asset_id, unsaved.updated_at = asset.id, asset.created_at
    return unsaved


def _record_to_change(session: Session, asset: Asset) -> RightsRecord:
    """The asset's rights record, saved first if it has none (see ``rights_of``)."""
    if asset.rights is None:
        asset.rights = proposed_rights_record(asset.metadata_summary)
        session.flush()
    return asset.rights


def update_rights(
    session: Session, asset: Asset, changes: Mapping[str, Any], *, actor: str, now: datetime
) -> RightsRecord:
    """Apply a rights change, stamp a clearance, and keep the history; the caller commits.

    Fields left out keep their values. Setting ``status`` to cleared records who and when;
    leaving cleared forgets them.
    """
    cleaned = validate_rights(changes, today=now.date())
    record = _record_to_change(session, asset)
    before = record_values(record)
    merged = {**before, **cleaned}
    if merged["status"] == "cleared":
        errors = missing_for_clearance(merged)
        if errors:
            raise InvalidInput(errors)
    for field, value in cleaned.items():
        setattr(record, field, value)
    after = record_values(record)
    if after == before and not record.proposed:
        return record
    if after["status"] == "cleared" and before["status"] != "cleared":
        record.cleared_by, record.cleared_at = actor, now
    elif after["status"] != "cleared":
        record.cleared_by, record.cleared_at = None, None
    record.proposed = False
    record.revision += 1
    record.updated_by, record.updated_at = actor, now
    record_changes(session, asset.id, actor, before, after, prefix="rights.")
    session.flush()
    return record


def propose(
    session: Session, asset: Asset, changes: Mapping[str, Any], *, actor: str, now: datetime
) -> RightsRecord:
    """Suggest holder and credit line (as an upload batch does) without deciding anything.

    Unlike ``update_rights`` the record stays proposed and its status is untouched: a
    contributor proposes, the rights desk decides.
    """
    unknown = set(changes) - {"holder", "credit_line", "creator", "source"}
    if unknown:
        raise InvalidInput({field: "cannot be proposed" for field in sorted(unknown)})
    cleaned = validate_rights(changes, today=now.date())
    record = _record_to_change(session, asset)
    before = record_values(record)
    for field, value in cleaned.items():
        setattr(record, field, value)
    after = record_values(record)
    if after != before:
        record.revision += 1
        record.updated_by, record.updated_at = actor, now
        record_changes(session, asset.id, actor, before, after, prefix="rights.")
        session.flush()
    return record


@dataclass(frozen=True)
class Deadline:
    """A licence that runs out, or an embargo that lifts, for one asset."""

    asset_id: int
    title: str
    object_number: str
    event: str  # one of EVENTS
    on: date


# The kinds of deadline, in the order a day's deadlines of one asset are listed.
EVENTS = ("licence_expires", "embargo_lifts")


def deadline_cursor(deadline: Deadline) -> str:
    """The opaque cursor of the page of deadlines after this one."""
    return cursors.encode("deadline", [deadline.on.isoformat(), deadline.asset_id, deadline.event])


def decode_deadline_cursor(cursor: str) -> Deadline:
    """The deadline a cursor names (its title unknown); InvalidInput if this API did not
    make it."""
    try:
        on, asset_id, event = cursors.decode(cursor, "deadline")
        if cursors.is_id(asset_id) and event in EVENTS:
            return Deadline(asset_id, "", "", event, date.fromisoformat(on))
    except (ValueError, TypeError):
        pass
    raise InvalidInput({"cursor": "is not a cursor this API returned"})


def expiring(
    session: Session,
    *,
    today: date,
    within_days: int,
    limit: int | None = None,
    after: Deadline | None = None,
) -> list[Deadline]:
    """Licences expiring and embargoes lifting between today and ``within_days`` ahead,
    soonest first (then by asset, a licence before an embargo): at most ``limit``, those
    after ``after`` (the last deadline of the page before)."""
    query = deadlines_query(today=today, within_days=within_days, limit=limit, after=after)
    return [
        Deadline(asset_id, title, object_number, EVENTS[rank], on)
        for on, asset_id, rank, title, object_number in session.execute(query)
    ]


def deadlines_query(
    *, today: date, within_days: int, limit: int | None = None, after: Deadline | None = None
) -> Select[Any]:
    """One statement of the few columns the report shows: each kind of deadline is read in
    order from its (date, asset) index, so a page reads about its own rows however many
    deadlines the window holds."""
    last = today + timedelta(days=within_days)
    kinds = [
        select(
            RightsRecord.asset_id.label("asset_id"),
            literal(rank).label("rank"),
            column.label("on"),
        ).where(column.between(today, last))
        for rank, column in enumerate((RightsRecord.expires_at, RightsRecord.embargo_until))
    ]
    deadlines = union_all(*kinds).subquery()
    order = (deadlines.c.on, deadlines.c.asset_id, deadlines.c.rank)
    query = (
        select(*order, Asset.title, Asset.object_number)
        .join(Asset, Asset.id == deadlines.c.asset_id)
        .where(Asset.deleted_at.is_(None))
        .order_by(*order)
    )
    if after is not None:
        query = query.where(tuple_(*order) > (after.on, after.asset_id, EVENTS.index(after.event)))
    return query if limit is None else query.limit(limit)


# --- the credit policy -------------------------------------------------------------------


def current_policy(session: Session, seed_file: Path = DEFAULT_POLICY_FILE) -> CreditPolicyVersion:
    """The policy in force, read once per session (one request, one policy: the audit, the
    stamp and the caption each look rules up); the first read of all seeds version 1."""
    return remembered(session, "credit_policy", lambda: _newest_policy(session, seed_file))


def _newest_policy(session: Session, seed_file: Path) -> CreditPolicyVersion:
    """The newest version in the database; a pure read. With none saved yet, version 1 is
    the shipped file's policy, unsaved: ``replace_policy`` saves it before its successor."""
    newest = session.scalar(
        select(CreditPolicyVersion).order_by(CreditPolicyVersion.version.desc()).limit(1)
    )
    if newest is not None:
        return newest
    rules = [credits.rule_json(rule) for rule in credits.load_policy(seed_file)]
    return CreditPolicyVersion(
        version=1,
        rules=rules,
        created_by="default policy file",
        # Stable from read to read: the file's own date, until the seed is saved.
        created_at=datetime.fromtimestamp(seed_file.stat().st_mtime, UTC),
    )


def policy_rules(version: CreditPolicyVersion) -> list[credits.CreditRule]:
    """The credit rules of a stored policy version, validated."""
    return [credits.validate_rule(raw, stored=True) for raw in version.rules]


def replace_policy(
    session: Session, raw_rules: Sequence[Any], *, actor: str
) -> CreditPolicyVersion:
    """Save a whole new policy as the next version; the caller commits."""
    errors: dict[str, str] = {}
    rules: list[credits.CreditRule] = []
    for index, raw in enumerate(raw_rules):
        try:
            if not isinstance(raw, dict):
                raise ValueError("must be an object")
            rules.append(credits.validate_rule(raw))
        except ValueError as error:
            errors[f"rules[{index}]"] = str(error)
    holders = [credits.normalise_holder(rule.holder) for rule in rules]
    duplicates = {holder for holder in holders if holders.count(holder) > 1}
    if duplicates:
        errors["rules"] = "each holder may appear once (names are compared tolerantly)"
    if errors:
        raise InvalidInput(errors)
    newest = _newest_policy(session, DEFAULT_POLICY_FILE)
    if newest.id is None:  # the shipped policy, never saved: version 1 is kept as it was
        try:
            with savepoint(session):
                session.add(newest)
        except IntegrityError:  # another request saved it first
            newest = _newest_policy(session, DEFAULT_POLICY_FILE)
    version = newest.version + 1
    new = CreditPolicyVersion(
        version=version, rules=[credits.rule_json(rule) for rule in rules], created_by=actor
    )
    session.add(new)
    session.flush()
    remember(session, "credit_policy", new)
    return new
