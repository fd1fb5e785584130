"""Tagging people on an asset one at a time, as the asset page does: tag a person from the
register (with an optional box), untag one, say whether people are shown at all, and confirm
the names the file's metadata proposes into the register. Each is a change of the asset's
whole list through ``people.set_people``, so the history and the checks stay that function's.
The caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.rules import consent as rules
from service.rules.problems import InvalidInput
from service.services import people
from service.storage.models import Asset, Depiction, Person


def _listed(session: Session, asset: Asset) -> list[dict[str, Any]]:
    """The asset's people as ``set_people`` takes them, regions kept."""
    return [
        {"person_id": d.person_id, "region": d.region} for d in people.depictions_of(session, asset)
    ]


def tag_person(
    session: Session, asset: Asset, person_id: int | None, region: Any, *, actor: str
) -> Person:
    """Add a person of the register to those the asset depicts (or give them a new box);
    the asset is then said to depict people. InvalidInput names ``person_id`` or ``region``."""
    errors: dict[str, str] = {}
    person = session.get(Person, person_id) if person_id is not None else None
    if person is None:
        errors["person_id"] = "choose a person of the register"
    elif person.erased_at is not None:
        errors["person_id"] = f"person {person.id} was erased"
    try:
        box = people.region_of(region)
    except ValueError as error:
        errors["region"] = str(error)
    if errors or person is None:
        raise InvalidInput(errors)
    listed = [item for item in _listed(session, asset) if item["person_id"] != person.id]
    listed.append({"person_id": person.id, "region": box})
    people.set_people(session, asset, {"status": "depicted", "people": listed}, actor=actor)
    return person


def untag_person(session: Session, asset: Asset, person_id: int, *, actor: str) -> Person:
    """Remove a person from those the asset depicts; the asset still depicts people (say
    otherwise with ``set_status``). InvalidInput when the asset does not depict them."""
    listed = _listed(session, asset)
    if all(item["person_id"] != person_id for item in listed):
        raise InvalidInput({"person_id": f"asset {asset.id} does not depict person {person_id}"})
    person = people.get_person(session, person_id)
    kept = [item for item in listed if item["person_id"] != person_id]
    people.set_people(session, asset, {"status": "depicted", "people": kept}, actor=actor)
    return person


def set_status(session: Session, asset: Asset, status: str, *, actor: str) -> list[Depiction]:
    """Say that the asset shows no recognisable people ("none", which removes its tags), that
    it shows people ("depicted", keeping them) or that nobody has said ("unknown")."""
    if status not in rules.PEOPLE_STATUSES:
        raise InvalidInput({"status": f"must be one of {', '.join(rules.PEOPLE_STATUSES)}"})
    listed = _listed(session, asset) if status == "depicted" else []
    body: dict[str, Any] = {"status": status}
    if listed:
        body["people"] = listed
    return people.set_people(session, asset, body, actor=actor)


def proposed_names(asset: Asset) -> list[str]:
    """The names the file's embedded metadata gives its people (personal data: for the rights
    role only), in the file's order."""
    summary = asset.metadata_summary or {}
    found = summary.get("people") if isinstance(summary, Mapping) else None
    names = found.get("names") if isinstance(found, Mapping) else None
    return [name for name in names if isinstance(name, str)] if isinstance(names, list) else []


def _proposed_region(asset: Asset, name: str) -> dict[str, float] | None:
    """The box the file draws around the named person, when it draws one."""
    found = (asset.metadata_summary or {}).get("people") or {}
    for region in found.get("regions") or []:
        if isinstance(region, Mapping) and region.get("name") == name:
            try:
                return people.region_of({key: region.get(key) for key in people.REGION_KEYS})
            except ValueError:
                return None
    return None


def confirm_names(
    session: Session, asset: Asset, chosen: Mapping[int, str], *, actor: str
) -> list[Person]:
    """Confirm some of the proposed names (by their index, each with a role): a name already in
    the register (the same name, not erased) is that person, else a new person is added; each
    is tagged on the asset with the file's box for them. InvalidInput names the bad choices."""
    names = proposed_names(asset)
    errors: dict[str, str] = {}
    if not chosen:
        errors["confirm"] = "tick at least one name to confirm"
    for index, role in chosen.items():
        if not 0 <= index < len(names):
            errors["confirm"] = "the file proposes no such name"
        elif role not in rules.PERSON_ROLES:
            errors[f"role-{index}"] = f"must be one of {', '.join(rules.PERSON_ROLES)}"
    if errors:
        raise InvalidInput(errors)
    confirmed: list[Person] = []
    listed = {item["person_id"]: item for item in _listed(session, asset)}
    for index, role in chosen.items():
        name = names[index]
        query = select(Person).where(
            func.lower(Person.display_name) == name.strip().lower(), Person.erased_at.is_(None)
        )
        person = session.scalars(query.order_by(Person.id).limit(1)).first()
        if person is None:
            person = people.create_person(session, {"display_name": name, "role": role},
                                          actor=actor)  # fmt: skip
        region = _proposed_region(asset, name)
        kept = listed.get(person.id, {}).get("region")
        listed[person.id] = {"person_id": person.id, "region": region or kept}
        confirmed.append(person)
    body = {"status": "depicted", "people": list(listed.values())}
    people.set_people(session, asset, body, actor=actor)
    return confirmed
