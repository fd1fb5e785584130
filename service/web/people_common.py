"""What the people pages share (the asset page's People panel, the register ``people``): how
a people status and a consent state are said, what the panel shows to whom, the box typed or
drawn on the picture, and the confirmation shown once where the user was after a Save.

Names are the rights role's (``rules/consent.ROLE_FOR_PEOPLE``): below it, the panel names a
depicted person by number and role, and shows no proposed name and no register.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import redirect
from flask import session as browser_session
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from service.rules.problems import InvalidInput
from service.services import consents, people, people_tags
from service.storage.models import Asset, Person

REGISTER_SIZE = 50  # register people offered at once to tag
STATE_NAMES = {
    "active": "Consent active",
    "withdrawn": "Consent withdrawn",
    "expired": "Consent expired",
    "pending": "Consent not yet in force",
    "none": "No consent on record",
}
STATUS_CHOICES = (
    ("none", "No recognisable people"),
    ("depicted", "People are depicted"),
    ("unknown", "Not yet said"),
)
STATUS_SAID = {
    "none": "Saved: no recognisable people.",
    "depicted": "Saved: people are depicted.",
    "unknown": "Saved: not yet said whether people are depicted.",
}


def headline(status: str, count: int) -> str:
    """The people status in words, as every role reads it."""
    if status == "none":
        return "No recognisable people"
    if status == "depicted":
        return f"People depicted: {count}"
    return "Not yet said"


@dataclass(frozen=True)
class Depicted:
    """A person the asset depicts, as the panel shows them: ``name`` None below rights."""

    person_id: int
    role: str
    name: str | None
    state: str
    region: Mapping[str, float] | None


@dataclass(frozen=True)
class ProposedName:
    """A name the file proposes, by its index in the file's list (what the form sends)."""

    index: int
    name: str


@dataclass(frozen=True)
class PeoplePanel:
    """What the asset page's People section shows."""

    status: str
    proposed: bool
    headline: str
    depicted: list[Depicted]
    names: list[ProposedName]  # not yet tagged; empty below rights
    choices: list[Person]  # the register, searched; empty below rights
    query: str


def panel(session: Session, asset: Asset, *, named: bool, query: str, today: Any) -> PeoplePanel:
    """The People section of ``asset``'s page, for a caller who may (``named``) or may not
    read who people are."""
    found = people.depictions_of(session, asset)
    depicted = [
        Depicted(
            d.person_id,
            d.person.role,
            (d.person.display_name or f"Person #{d.person_id} (erased)") if named else None,
            consents.person_state(d.person, today),
            d.region,
        )
        for d in found
    ]
    names: list[ProposedName] = []
    choices: list[Person] = []
    if named:
        tagged = {d.person.display_name.strip().lower() for d in found}
        names = [
            ProposedName(index, name)
            for index, name in enumerate(people_tags.proposed_names(asset))
            if name.strip().lower() not in tagged
        ]
        choices, _ = people.list_people(session, search=query, limit=REGISTER_SIZE)
        choices = [person for person in choices if person.erased_at is None]
    return PeoplePanel(
        asset.people_status,
        asset.people_proposed,
        headline(asset.people_status, len(found)),
        depicted,
        names,
        choices,
        query,
    )


def region_from_form(values: Mapping[str, str]) -> dict[str, float] | None:
    """The box typed or drawn (x, y, w, h as fractions); None when all four are empty.
    InvalidInput beside ``region`` when some are missing or not numbers."""
    raw = [values.get(key, "").strip() for key in people.REGION_KEYS]
    if not any(raw):
        return None
    try:
        numbers = [float(text) for text in raw]
    except ValueError:
        raise InvalidInput(
            {"region": "give all four numbers of the box (fractions from 0 to 1), or none"}
        ) from None
    return dict(zip(people.REGION_KEYS, numbers, strict=True))


def person_label(person: Person) -> str:
    """A person as the rights role's pages name them."""
    return person.display_name or f"Person #{person.id} (erased)"


# --- confirmations, shown once where the user was ------------------------------------------

NOTICE = "people_notice"  # the session's key for a Save's confirmation on the register


def saved(url: str, target: str, text: str, level: str = "success") -> Response:
    """Redirect to ``url#target``, where the confirmation is shown (inside ``target``)."""
    browser_session[NOTICE] = {"target": target, "text": text, "level": level}
    return redirect(f"{url}#{target}")


def notice() -> dict[str, Any] | None:
    """The confirmation of the Save that led here, once."""
    shown = browser_session.pop(NOTICE, None)
    return shown if isinstance(shown, dict) else None
