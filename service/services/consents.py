"""Use cases for consents: record one, withdraw it, keep its evidence (a signed form) in the
blob store, and the consents running out soon. The caller commits, except for the evidence,
whose row is committed in a short transaction of its own (as ``ingest`` does an original): the
blob is written before the row that owns it, and deleted again unless a row owns it.

A consent is not edited: what was signed stays as it was signed. A change is a new consent,
and the old one withdrawn.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from service.rules import consent as rules
from service.rules.captions.platforms import PLATFORMS
from service.rules.licences import CHANNELS
from service.rules.problems import DatabaseDown, InvalidInput, NotFound, StorageDown
from service.rules.text import clean_field
from service.services.blob_ownership import remove_unowned
from service.services.people import record, refuse_erased
from service.storage.blobs import BlobNotFound, BlobStore, StorageUnavailable
from service.storage.db import factory_of, lock_blob
from service.storage.models import Consent, Person
from service.storage.spool import Spool

CONSENT_FIELDS = (
    "channels", "platforms", "purposes", "basis", "language", "guardian", "release_id",
    "name_in_metadata", "granted_at", "expires_at",
)  # fmt: skip
CONSENT_PLATFORMS = tuple(key for key in PLATFORMS if key != "default")
TEXT_LIMITS = {"guardian": 200, "release_id": 200}
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
EVIDENCE_PREFIX = "evidence/"
# What a signed form may be, told by its first bytes (never by its name or declared type).
EVIDENCE_TYPES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


def get_consent(session: Session, person: Person, consent_id: int) -> Consent:
    """The person's consent; NotFound when they have no such consent."""
    consent = session.get(Consent, consent_id)
    if consent is None or consent.person_id != person.id:
        raise NotFound(f"Person {person.id} has no consent {consent_id}.")
    return consent


def state_of(consent: Consent, on: date) -> str:
    """``active``, ``withdrawn``, ``expired`` or ``pending`` (granted from a later day)."""
    if consent.withdrawn_at is not None:
        return "withdrawn"
    if consent.expires_at is not None and consent.expires_at < on:
        return "expired"
    if consent.granted_at > on:
        return "pending"
    return "active"


def person_state(person: Person, on: date) -> str:
    """A person's consent state in a word: ``active`` when a consent runs today, else the
    state of their latest consent, or ``none`` without any."""
    states = [state_of(consent, on) for consent in person.consents]
    if "active" in states:
        return "active"
    return states[-1] if states else "none"


def consent_values(consent: Consent, *, on: date) -> dict[str, Any]:
    """A consent as the rights role reads it."""
    return {
        "id": consent.id,
        "person_id": consent.person_id,
        "state": state_of(consent, on),
        "channels": list(consent.channels),
        "platforms": list(consent.platforms),
        "purposes": list(consent.purposes),
        "basis": consent.basis,
        "language": consent.language,
        "guardian": consent.guardian,
        "release_id": consent.release_id,
        "name_in_metadata": consent.name_in_metadata,
        "granted_at": consent.granted_at.isoformat(),
        "expires_at": consent.expires_at.isoformat() if consent.expires_at else None,
        "withdrawn_at": consent.withdrawn_at.isoformat() if consent.withdrawn_at else None,
        "withdrawn_by": consent.withdrawn_by,
        "evidence": (
            {"media_type": consent.evidence_media_type, "filename": consent.evidence_filename}
            if consent.evidence_key
            else None
        ),
        "created_by": consent.created_by,
        "created_at": consent.created_at.isoformat(),
    }


def _history_values(consent: Consent) -> dict[str, Any]:
    values = {name: getattr(consent, name) for name in CONSENT_FIELDS}
    for name in ("granted_at", "expires_at"):
        values[name] = values[name].isoformat() if values[name] else None
    return values


def create_consent(
    session: Session, person: Person, fields: Mapping[str, Any], *, actor: str
) -> Consent:
    """Record a person's consent (``channels`` and ``granted_at`` required)."""
    refuse_erased(person)
    cleaned = consent_fields(fields)
    consent = Consent(person_id=person.id, created_by=actor, **cleaned)
    session.add(consent)
    session.flush()
    session.refresh(person, ["consents"])
    record(session, actor, "consent.created", None, _history_values(consent),
           person_id=person.id, consent_id=consent.id)  # fmt: skip
    return consent


def consent_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """A consent's fields checked; InvalidInput names each bad or unknown one."""
    if not isinstance(fields, Mapping):
        raise InvalidInput({"body": "must be a JSON object of consent fields"})
    errors = {name: "is not a consent field" for name in fields if name not in CONSENT_FIELDS}
    errors |= {name: "is required" for name in ("channels", "granted_at") if name not in fields}
    cleaned: dict[str, Any] = {}
    for name in CONSENT_FIELDS:
        if name in fields and name not in errors:
            try:
                cleaned[name] = _field(name, fields[name])
            except ValueError as error:
                errors[name] = str(error)
    granted, expires = cleaned.get("granted_at"), cleaned.get("expires_at")
    if granted and expires and expires < granted:
        errors["expires_at"] = "must not be before granted_at"
    if errors:
        raise InvalidInput(errors)
    return cleaned


def _field(name: str, value: Any) -> Any:
    if name == "channels":
        return _choices(value, CHANNELS, empty=False)
    if name == "platforms":
        return _choices(value, CONSENT_PLATFORMS, empty=True)
    if name == "purposes":
        return _choices(value, rules.PURPOSES, empty=True)
    if name == "basis":
        if value not in rules.BASES:
            raise ValueError(f"must be one of {', '.join(rules.BASES)}")
        return value
    if name == "name_in_metadata":
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value
    if name in ("granted_at", "expires_at"):
        if value is None and name == "expires_at":
            return None
        return _date(value)
    if not isinstance(value, str):
        raise ValueError("must be a string")
    text = clean_field(value, multiline=False)
    if name == "language":
        if text and not LANGUAGE.fullmatch(text):
            raise ValueError("must be a language tag such as en or pt-BR")
        return text
    if len(text) > TEXT_LIMITS[name]:
        raise ValueError(f"must be at most {TEXT_LIMITS[name]} characters")
    return text


def _choices(value: Any, allowed: tuple[str, ...], *, empty: bool) -> list[str]:
    if not isinstance(value, list) or any(item not in allowed for item in value):
        raise ValueError(f"must be a list of: {', '.join(allowed)}")
    if not value and not empty:
        raise ValueError("must name at least one")
    return list(dict.fromkeys(value))


def _date(value: Any) -> date:
    if not isinstance(value, str):
        raise ValueError("must be a date such as 2026-06-08")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a date such as 2026-06-08") from None


def withdraw(
    session: Session, person: Person, consent: Consent, *, actor: str, now: datetime
) -> Consent:
    """Withdraw a consent from ``now`` on. Withdrawing it again changes nothing: the first
    withdrawal (its time and who) stands."""
    if consent.withdrawn_at is not None:
        return consent
    consent.withdrawn_at, consent.withdrawn_by = now, actor
    record(session, actor, "consent.withdrawn", None, {"at": now.isoformat()},
           person_id=person.id, consent_id=consent.id)  # fmt: skip
    session.flush()
    return consent


# --- the evidence -----------------------------------------------------------------------


def evidence_key(sha256: str) -> str:
    """Where a signed form is kept: under its content's hash."""
    return f"{EVIDENCE_PREFIX}{sha256}"


def sniff(spool: Spool) -> tuple[str, str]:
    """The evidence's media type and extension from its first bytes; InvalidInput otherwise."""
    if spool.size == 0:
        raise InvalidInput({"file": "is empty"})
    spool.seek(0)
    head = spool.read(16)
    for magic, media_type, extension in EVIDENCE_TYPES:
        if head.startswith(magic):
            return media_type, extension
    raise InvalidInput({"file": "must be a PDF, JPEG or PNG file (a signed form or its scan)"})


def store_evidence(
    session: Session,
    store: BlobStore,
    person: Person,
    consent: Consent,
    spool: Spool,
    *,
    filename: str | None,
    actor: str,
) -> Consent:
    """Keep the signed form of a consent in the blob store, replacing any before.

    Checked before anything is written; the blob is then written and the consent's row
    committed in a transaction of its own, under the blob's lock; when that fails the blob is
    deleted unless a row owns it, and nothing is kept. The evidence it replaces is deleted
    once no consent refers to it.
    """
    refuse_erased(person)
    media_type, extension = sniff(spool)
    key = evidence_key(spool.sha256)
    name = _evidence_name(filename, consent.id, extension)
    replaced = consent.evidence_key
    with factory_of(session)() as own:
        lock_blob(own, key)
        spool.seek(0)
        try:
            store.put(key, spool, media_type)  # type: ignore[arg-type]
        except StorageUnavailable as error:
            own.rollback()
            raise StorageDown(f"The evidence could not be stored: {error}") from None
        try:
            _point_at(own, consent.id, key, media_type, name, sha256=spool.sha256, actor=actor)
            own.commit()
        except Exception as error:
            with contextlib.suppress(SQLAlchemyError):
                own.rollback()
            # Deleted unless a row owns it (a commit whose answer alone was lost).
            remove_unowned(session, store, [key])
            if isinstance(error, SQLAlchemyError):
                raise DatabaseDown("The evidence could not be saved; nothing was kept.") from error
            raise
    session.refresh(consent)
    if replaced and replaced != key:
        remove_unowned(session, store, [replaced])
    return consent


def _point_at(
    own: Session,
    consent_id: int,
    key: str,
    media_type: str,
    name: str,
    *,
    sha256: str,
    actor: str,
) -> None:
    """Point the consent's row at its new evidence, with the history entry."""
    row = own.get(Consent, consent_id)
    if row is None:
        raise NotFound(f"There is no consent {consent_id}.")
    before = None
    if row.evidence_key:
        before = {"evidence_media_type": row.evidence_media_type,
                  "evidence_filename": row.evidence_filename}  # fmt: skip
    row.evidence_key, row.evidence_media_type, row.evidence_filename = key, media_type, name
    after = {"evidence_media_type": media_type, "evidence_filename": name, "sha256": sha256}
    record(own, actor, "consent.evidence", before, after,
           person_id=row.person_id, consent_id=consent_id)  # fmt: skip


def _evidence_name(filename: str | None, consent_id: int, extension: str) -> str:
    """The name the download is saved under: the uploaded one when it is plain, else made."""
    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(c for c in base if c.isalnum() or c in "._- ")[:200].strip()
    return cleaned or f"consent-{consent_id}.{extension}"


def open_evidence(store: BlobStore, consent: Consent) -> IO[bytes]:
    """The signed form's bytes; NotFound when there is none."""
    if not consent.evidence_key:
        raise NotFound(f"Consent {consent.id} has no evidence on file.")
    try:
        return store.open(consent.evidence_key)
    except BlobNotFound:
        raise NotFound(f"The evidence of consent {consent.id} is missing.") from None
    except StorageUnavailable as error:
        raise StorageDown(f"The evidence could not be read: {error}") from None


# --- consents running out ---------------------------------------------------------------


@dataclass(frozen=True)
class ExpiringConsent:
    """A consent that ends within the window: its person by number and role (and name, for
    those who may read it), what it covers and when it ends."""

    consent_id: int
    person_id: int
    person_role: str
    person_name: str
    channels: tuple[str, ...]
    platforms: tuple[str, ...]
    on: date


def expiring(session: Session, *, today: date, within_days: int) -> list[ExpiringConsent]:
    """Consents still running that expire between today and ``within_days`` ahead, soonest
    first; withdrawn ones are over already."""
    last = today + timedelta(days=within_days)
    query = (
        select(Consent, Person)
        .join(Person, Person.id == Consent.person_id)
        .where(Consent.expires_at.between(today, last), Consent.withdrawn_at.is_(None))
        .order_by(Consent.expires_at, Consent.id)
    )
    return [
        ExpiringConsent(
            consent.id,
            person.id,
            person.role,
            person.display_name,
            tuple(consent.channels),
            tuple(consent.platforms),
            consent.expires_at,
        )
        for consent, person in session.execute(query)
        if consent.expires_at is not None
    ]


def withdrawn_people(session: Session) -> list[int]:
    """The ids of the people who withdrew a consent, for the register's filter."""
    query = select(Consent.person_id).where(Consent.withdrawn_at.is_not(None)).distinct()
    return sorted(session.scalars(query))
