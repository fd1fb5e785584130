"""Use cases for the people register: people, who an asset depicts, the people history, and
the subject's rights (an export of everything held on them, and erasure). The caller commits.

Names are personal data: only the rights role reads them (``rules/consent.ROLE_FOR_PEOPLE``);
what everyone else reads names a person by number and role. Erasure blanks the personal fields,
withdraws every consent still running and keeps the rows as an anonymised trail, so that the
gate goes on refusing the photographs that show the person.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.rules import consent as rules
from service.rules.problems import InvalidInput, NotFound, Problem
from service.rules.text import clean_field
from service.services.history import record_changes
from service.storage.db import savepoint
from service.storage.models import Asset, Consent, Depiction, PeopleEvent, Person

TEXT_LIMITS = {"display_name": 200, "external_ref": 200}
PERSON_FIELDS = ("display_name", "role", "external_ref")
# The fields that name or identify someone: blanked by erasure, here and in the history.
PERSONAL_FIELDS = frozenset({"display_name", "external_ref", "guardian", "evidence_filename"})
REGION_KEYS = ("x", "y", "w", "h")


class PersonErased(Problem):
    """The person was erased: their record is an anonymised trail and no longer changes."""

    status, code, title = 409, "person-erased", "The person was erased"


class PeopleChanged(Problem):
    """Two requests changed who an asset depicts at once; the later one changed nothing."""

    status, code, title = 409, "people-changed", "Changed at the same time"


# --- the history ------------------------------------------------------------------------


def record(
    session: Session,
    actor: str,
    field: str,
    before: Any,
    after: Any,
    *,
    person_id: int | None = None,
    consent_id: int | None = None,
    asset_id: int | None = None,
) -> None:
    """Append one entry to the people history."""
    session.add(
        PeopleEvent(
            person_id=person_id,
            consent_id=consent_id,
            asset_id=asset_id,
            actor=actor,
            field=field,
            before=before,
            after=after,
        )
    )


def history_of(session: Session, person: Person) -> list[PeopleEvent]:
    """Every change to the person, their consents and where they are depicted, oldest first."""
    query = select(PeopleEvent).where(PeopleEvent.person_id == person.id)
    return list(session.scalars(query.order_by(PeopleEvent.id)))


def event_values(event: PeopleEvent) -> dict[str, Any]:
    """One history entry as JSON."""
    return {
        "id": event.id,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "field": event.field,
        "person_id": event.person_id,
        "consent_id": event.consent_id,
        "asset_id": event.asset_id,
        "before": event.before,
        "after": event.after,
    }


# --- people -----------------------------------------------------------------------------


def get_person(session: Session, person_id: int) -> Person:
    """The person; NotFound when there is none."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(f"There is no person {person_id}.")
    return person


def list_people(
    session: Session,
    *,
    search: str = "",
    limit: int,
    after: int | None = None,
    only: Collection[int] | None = None,
) -> tuple[list[Person], int | None]:
    """A page of the register by id, searched in names and references (and ``only`` these
    ids, when given); the next page's cursor (the last id) or None."""
    query = select(Person).order_by(Person.id)
    if only is not None:
        query = query.where(Person.id.in_(list(only)))
    if search.strip():
        text = search.strip().lower()
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                func.lower(Person.display_name).like(pattern, escape="\\"),
                func.lower(Person.external_ref).like(pattern, escape="\\"),
            )
        )
    if after is not None:
        query = query.where(Person.id > after)
    found = list(session.scalars(query.limit(limit + 1)))
    more = len(found) > limit
    found = found[:limit]
    return found, (found[-1].id if more and found else None)


def person_fields(fields: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    """The person's fields checked; InvalidInput names each bad or unknown one."""
    errors = {name: "is not a person field" for name in fields if name not in PERSON_FIELDS}
    if creating:
        errors |= {name: "is required" for name in ("display_name", "role") if name not in fields}
    cleaned: dict[str, Any] = {}
    for name in PERSON_FIELDS:
        if name not in fields or name in errors:
            continue
        value = fields[name]
        try:
            if name == "role":
                if value not in rules.PERSON_ROLES:
                    raise ValueError(f"must be one of {', '.join(rules.PERSON_ROLES)}")
                cleaned[name] = value
                continue
            if not isinstance(value, str):
                raise ValueError("must be a string")
            text = clean_field(value, multiline=False)
            if len(text) > TEXT_LIMITS[name]:
                raise ValueError(f"must be at most {TEXT_LIMITS[name]} characters")
            if name == "display_name" and not text:
                raise ValueError("must not be blank")
            cleaned[name] = text
        except ValueError as error:
            errors[name] = str(error)
    if errors:
        raise InvalidInput(errors)
    return cleaned


def create_person(session: Session, fields: Mapping[str, Any], *, actor: str) -> Person:
    """A new person in the register."""
    cleaned = person_fields(fields, creating=True)
    person = Person(created_by=actor, **{"external_ref": "", **cleaned})
    session.add(person)
    session.flush()
    record(session, actor, "created", None, person_values(person), person_id=person.id)
    return person


def update_person(
    session: Session, person: Person, fields: Mapping[str, Any], *, actor: str
) -> Person:
    """Change some of a person's fields, keeping the history; an erased person is refused."""
    refuse_erased(person)
    cleaned = person_fields(fields, creating=False)
    for name, value in cleaned.items():
        before = getattr(person, name)
        if before != value:
            record(session, actor, name, before, value, person_id=person.id)
            setattr(person, name, value)
    session.flush()
    return person


def refuse_erased(person: Person) -> None:
    """PersonErased when the person was erased."""
    if person.erased_at is not None:
        raise PersonErased(
            f"Person {person.id} was erased on {person.erased_at.date().isoformat()}; "
            "the record is kept as an anonymised trail and no longer changes."
        )


def person_values(person: Person, *, named: bool = True) -> dict[str, Any]:
    """A person's fields; without ``named`` (a caller who may not see people) no name."""
    values: dict[str, Any] = {"id": person.id, "role": person.role}
    if named:
        values |= {
            "display_name": person.display_name,
            "external_ref": person.external_ref,
            "created_by": person.created_by,
            "created_at": person.created_at.isoformat(),
            "erased_at": person.erased_at.isoformat() if person.erased_at else None,
        }
    return values


# --- depictions -------------------------------------------------------------------------


def depictions_of(session: Session, asset: Asset) -> list[Depiction]:
    """The people an asset depicts, by person id."""
    query = select(Depiction).where(Depiction.asset_id == asset.id).order_by(Depiction.person_id)
    return list(session.scalars(query))


def depicted_counts(session: Session, assets: Iterable[Asset]) -> dict[int, int]:
    """How many people each asset depicts, in one statement, read only for those whose
    status says people are depicted (the others depict nobody)."""
    ids = [asset.id for asset in assets if asset.people_status == "depicted"]
    if not ids:
        return {}
    query = (
        select(Depiction.asset_id, func.count())
        .where(Depiction.asset_id.in_(ids))
        .group_by(Depiction.asset_id)
    )
    return {asset_id: count for asset_id, count in session.execute(query)}


def set_people(session: Session, asset: Asset, body: Any, *, actor: str) -> list[Depiction]:
    """Say who an asset depicts: ``{"status": "none"}`` (no recognisable people),
    ``{"status": "unknown"}``, or ``{"status": "depicted", "people": [{"person_id": 1,
    "region": {"x", "y", "w", "h"}}]}`` (fractions of the upright image). Replaces the
    list, confirms what ingest proposed, and keeps the history."""
    status, wanted = _people_body(session, asset, body)
    try:
        with savepoint(session):
            _replace_people(session, asset, status, wanted, actor=actor)
    except IntegrityError:
        raise PeopleChanged(
            f"Who asset {asset.id} depicts was changed by someone else at the same time; "
            "read it again and repeat the change."
        ) from None
    return depictions_of(session, asset)


def _replace_people(
    session: Session, asset: Asset, status: str, wanted: Mapping[int, Any], *, actor: str
) -> None:
    current = {depiction.person_id: depiction for depiction in depictions_of(session, asset)}
    for person_id, gone in current.items():
        if person_id not in wanted:
            record(session, actor, "depiction", _depiction_values(gone), None,
                   person_id=person_id, asset_id=asset.id)  # fmt: skip
            session.delete(gone)
    for person_id, region in wanted.items():
        kept = current.get(person_id)
        now_values = {"region": region, "proposed": False}
        if kept is None:
            session.add(Depiction(asset_id=asset.id, person_id=person_id, region=region,
                                  proposed=False, created_by=actor))  # fmt: skip
            record(session, actor, "depiction", None, now_values, person_id=person_id,
                   asset_id=asset.id)  # fmt: skip
        elif kept.region != region or kept.proposed:
            record(session, actor, "depiction", _depiction_values(kept), now_values,
                   person_id=person_id, asset_id=asset.id)  # fmt: skip
            kept.region, kept.proposed = region, False
    before: dict[str, Any] = {
        "people_status": asset.people_status,
        "people_proposed": asset.people_proposed,
    }
    after: dict[str, Any] = {"people_status": status, "people_proposed": False}
    if before != after:
        record(session, actor, "people_status", before, after, asset_id=asset.id)
        # The asset's own history, which every role reads: the status, never who.
        record_changes(session, asset.id, actor, before, after)
    asset.people_status, asset.people_proposed = status, False


def _depiction_values(depiction: Depiction) -> dict[str, Any]:
    return {"region": depiction.region, "proposed": depiction.proposed}


def _people_body(session: Session, asset: Asset, body: Any) -> tuple[str, dict[int, Any]]:
    """The status and the people (id -> region) of a request; InvalidInput names what is bad."""
    if not isinstance(body, dict):
        raise InvalidInput({"body": 'must be a JSON object such as {"status": "none"}'})
    errors = {name: "is not a field here" for name in body if name not in ("status", "people")}
    status = body.get("status")
    if status not in rules.PEOPLE_STATUSES:
        errors["status"] = f"must be one of {', '.join(rules.PEOPLE_STATUSES)}"
    people = body.get("people", [])
    if status != "depicted" and people:
        errors["people"] = 'only with "status": "depicted"'
    if not isinstance(people, list):
        errors["people"] = "must be a list of {person_id, region}"
        people = []
    wanted: dict[int, Any] = {}
    known = {d.person_id for d in depictions_of(session, asset)}
    for index, item in enumerate(people):
        where = f"people[{index}]"
        if not isinstance(item, dict) or set(item) - {"person_id", "region"}:
            errors[where] = "must be an object with person_id and an optional region"
            continue
        person_id = item.get("person_id")
        if not isinstance(person_id, int) or isinstance(person_id, bool) or person_id < 1:
            errors[f"{where}.person_id"] = "must be a person's id"
            continue
        if person_id in wanted:
            errors[f"{where}.person_id"] = f"person {person_id} is listed twice"
            continue
        person = session.get(Person, person_id)
        if person is None:
            errors[f"{where}.person_id"] = f"there is no person {person_id}"
            continue
        if person.erased_at is not None and person_id not in known:
            errors[f"{where}.person_id"] = f"person {person_id} was erased"
            continue
        try:
            wanted[person_id] = region_of(item.get("region"))
        except ValueError as error:
            errors[f"{where}.region"] = str(error)
    if errors:
        raise InvalidInput(errors)
    return str(status), wanted


def region_of(value: Any) -> dict[str, float] | None:
    """A box {x, y, w, h} in fractions of the upright image, inside it; None for no box."""
    if value is None:
        return None
    message = "must be {x, y, w, h}: fractions from 0 to 1 of the upright image, inside it"
    if not isinstance(value, dict) or set(value) != set(REGION_KEYS):
        raise ValueError(message)
    numbers = [value[key] for key in REGION_KEYS]
    if any(isinstance(n, bool) or not isinstance(n, int | float) for n in numbers):
        raise ValueError(message)
    x, y, w, h = (float(n) for n in numbers)
    if not (0 <= x < 1 and 0 <= y < 1 and 0 < w <= 1 and 0 < h <= 1):
        raise ValueError(message)
    if x + w > 1 + 1e-9 or y + h > 1 + 1e-9:
        raise ValueError(message)
    return {"x": x, "y": y, "w": w, "h": h}


def depicted_assets(session: Session, person: Person) -> list[tuple[Depiction, Asset]]:
    """Where the person is depicted: each depiction with its asset, by asset id."""
    query = (
        select(Depiction, Asset)
        .join(Asset, Asset.id == Depiction.asset_id)
        .where(Depiction.person_id == person.id)
        .order_by(Asset.id)
    )
    return [(depiction, asset) for depiction, asset in session.execute(query)]


# --- erasure ----------------------------------------------------------------------------


def erase_person(session: Session, person: Person, *, actor: str, now: datetime) -> list[str]:
    """Erase a person: personal fields blanked here, in their consents and in the history;
    consents still running withdrawn; rows kept as the anonymised trail. Returns the evidence
    blob keys no longer referenced, which the caller deletes once this is committed."""
    refuse_erased(person)
    evidence: list[str] = []
    for consent in person.consents:
        if consent.withdrawn_at is None:
            consent.withdrawn_at, consent.withdrawn_by = now, actor
            record(session, actor, "consent.withdrawn", None,
                   {"at": now.isoformat(), "because": "erased"},
                   person_id=person.id, consent_id=consent.id)  # fmt: skip
        if consent.evidence_key:
            evidence.append(consent.evidence_key)
        consent.guardian = ""
        consent.evidence_key, consent.evidence_media_type, consent.evidence_filename = None, "", ""
    person.display_name, person.external_ref, person.erased_at = "", "", now
    for event in history_of(session, person):
        event.before, event.after = (
            _scrubbed(event.field, event.before),
            _scrubbed(event.field, event.after),
        )
    record(session, actor, "erased", None, {"at": now.isoformat()}, person_id=person.id)
    session.flush()
    return evidence


def _scrubbed(field: str, value: Any) -> Any:
    """A history value without personal data: the erasure's one change to the history."""
    if value is None:
        return None
    if field.rsplit(".", 1)[-1] in PERSONAL_FIELDS:
        return "[erased]"
    if isinstance(value, dict):
        return {
            key: ("[erased]" if key in PERSONAL_FIELDS and item else _scrubbed(key, item))
            for key, item in value.items()
        }
    return value


def unreferenced(session: Session, keys: Sequence[str]) -> list[str]:
    """Those of the evidence keys no consent refers to any longer."""
    if not keys:
        return []
    used = set(session.scalars(select(Consent.evidence_key).where(Consent.evidence_key.in_(keys))))
    return [key for key in keys if key not in used]
