"""What the gate knows of the people a photograph shows: its people status, and for each
depicted person their role and every consent on record (``rules/consent.PeopleFacts``).

Read in one statement for any number of assets (an audit's chunk, a campaign's images, one
asset at the gate), and in none when no asset of them shows people: an asset marked "no
recognisable people" or not yet looked at needs only its own columns.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.rules import consent
from service.storage.models import Asset, Consent, Depiction, Person

# The depicted people of some assets with each of their consents (a person without one is a
# row of NULLs on the consent's side), as plain columns: no Person or Consent object is built.
_DEPICTED = (
    select(
        Depiction.asset_id, Person.id, Person.role, Person.display_name,
        Consent.id, Consent.channels, Consent.platforms, Consent.purposes,
        Consent.granted_at, Consent.expires_at, Consent.withdrawn_at, Consent.guardian,
        Consent.release_id, Consent.name_in_metadata,
    )
    .select_from(Depiction)
    .join(Person, Person.id == Depiction.person_id)
    .outerjoin(Consent, Consent.person_id == Person.id)
    .order_by(Depiction.asset_id, Person.id, Consent.id)
)  # fmt: skip


def people_of(session: Session, assets: Iterable[Asset]) -> dict[int, consent.PeopleFacts]:
    """The people facts of each asset, by id: one statement for those marked as showing
    people, none when no asset is."""
    assets = list(assets)
    depicted = [asset.id for asset in assets if asset.people_status == "depicted"]
    people: dict[int, dict[int, tuple[str, str, list[consent.ConsentFacts]]]] = {}
    if depicted:
        for row in session.execute(_DEPICTED.where(Depiction.asset_id.in_(depicted))):
            (asset_id, person_id, role, name, consent_id, channels, platforms, purposes,
             granted_at, expires_at, withdrawn_at, guardian, release_id, named) = row  # fmt: skip
            _, _, consents = people.setdefault(asset_id, {}).setdefault(
                person_id, (role, name or "", [])
            )
            if consent_id is not None:
                consents.append(
                    consent.ConsentFacts(
                        id=consent_id,
                        channels=tuple(channels or ()),
                        platforms=tuple(platforms or ()),
                        purposes=tuple(purposes or ()),
                        granted_at=granted_at,
                        expires_at=expires_at,
                        withdrawn_at=withdrawn_at,
                        guardian=guardian or "",
                        release_id=release_id or "",
                        name_in_metadata=bool(named),
                    )
                )
    return {
        asset.id: consent.PeopleFacts(
            asset.people_status,
            asset.people_proposed,
            tuple(
                consent.PersonFacts(person_id, role, tuple(consents), name)
                for person_id, (role, name, consents) in people.get(asset.id, {}).items()
            ),
        )
        for asset in assets
    }


def people_facts(session: Session, asset: Asset) -> consent.PeopleFacts:
    """The people facts of one asset (``people_of``)."""
    return people_of(session, [asset])[asset.id]
