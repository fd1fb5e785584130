"""The people a photograph shows, as the tests say it: "no recognisable people" for the
photographs that clear rights for publishing, and people with consents for the gate's tests.

Said through the service the people API calls (``people.set_people``), in a transaction of
its own, as a user's request would be; the people and consents of the gate's tests are rows
added through the session, as the register would hold them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from flask import Flask

from service.http.transactions import transaction
from service.services.people import set_people
from service.storage.models import Asset, Consent, Person


def no_recognisable_people(app: Flask, asset_id: int, *, actor: str = "rights-user") -> None:
    """Say that the photograph ``asset_id`` shows no recognisable people."""
    with transaction(app) as session:
        set_people(session, session.get_one(Asset, asset_id), {"status": "none"}, actor=actor)


def depict(
    app: Flask,
    asset_id: int,
    *,
    role: str = "participant",
    name: str = "Amina Yusuf",
    consents: Sequence[dict[str, Any]] = (),
) -> tuple[int, list[int]]:
    """A person named ``name`` in the register with ``consents`` (Consent's fields; granted
    on 2026-01-01 for social media unless given), shown in the photograph ``asset_id``, which
    is then marked as showing people: (the person's id, their consents' ids)."""
    with transaction(app) as session:
        person = Person(display_name=name, role=role, created_by="rights-user")
        session.add(person)
        session.flush()
        made = []
        for fields in consents:
            made.append(
                Consent(
                    person_id=person.id, created_by="rights-user",
                    **{"channels": ["social"], "granted_at": date(2026, 1, 1), **fields},
                )
            )  # fmt: skip
        session.add_all(made)
        shown = {"status": "depicted", "people": [{"person_id": person.id}]}
        set_people(session, session.get_one(Asset, asset_id), shown, actor="rights-user")
        session.flush()
        return person.id, [consent.id for consent in made]


def withdraw(app: Flask, consent_id: int, *, at: datetime) -> None:
    """Withdraw the consent ``consent_id`` at ``at``."""
    with transaction(app) as session:
        consent = session.get_one(Consent, consent_id)
        consent.withdrawn_at, consent.withdrawn_by = at, "rights-user"
