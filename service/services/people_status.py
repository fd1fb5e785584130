"""Saying whether a photograph shows recognisable people: its people status, set by someone
(no longer a proposal of the file's metadata), with the change in the people register's
append-only history."""

from __future__ import annotations

from sqlalchemy.orm import Session

from service.rules import consent
from service.rules.problems import InvalidInput
from service.storage.models import Asset, PeopleEvent


def set_people_status(session: Session, asset: Asset, status: str, actor: str) -> None:
    """Set ``asset``'s people status ("unknown", "none": no recognisable people, or
    "depicted": its depictions name them) as confirmed by ``actor``; InvalidInput for
    another status. Which people are depicted is kept in its Depiction rows, not here."""
    if status not in consent.PEOPLE_STATUSES:
        listed = ", ".join(consent.PEOPLE_STATUSES)
        raise InvalidInput({"people_status": f"must be one of {listed}"})
    before = {"status": asset.people_status, "proposed": asset.people_proposed}
    after = {"status": status, "proposed": False}
    if before == after:
        return
    asset.people_status, asset.people_proposed = status, False
    session.add(
        PeopleEvent(asset_id=asset.id, actor=actor, field="people_status", before=before,
                    after=after)
    )  # fmt: skip
