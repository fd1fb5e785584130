"""A subject access export: everything the register holds on one person, as one JSON value."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from service.services import consents, people, takedown
from service.storage.models import Person


def export_person(session: Session, person: Person, *, now: datetime) -> dict[str, Any]:
    """The person's record, consents, the assets depicting them, the campaign posts that used
    those assets (any status) and the history of it all."""
    today = now.date()
    return {
        "exported_at": now.isoformat(),
        "person": people.person_values(person),
        "consents": [consents.consent_values(c, on=today) for c in person.consents],
        "depicted_in": [
            {
                "asset_id": asset.id,
                "title": asset.title,
                "object_number": asset.object_number,
                "region": depiction.region,
                "proposed": depiction.proposed,
            }
            for depiction, asset in people.depicted_assets(session, person)
        ],
        "posts": [
            takedown.post_json(post)
            for post in takedown.posts_showing(session, person, statuses=None)
        ],
        "history": [people.event_values(event) for event in people.history_of(session, person)],
    }
