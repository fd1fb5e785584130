"""Presentation manifests and collections, behind the web gate (services/iiif_gate).

A manifest is written only for an asset whose web audit passes today; a collection lists only
those of its assets, and leaves the others out without a word (a collection is public: it
must not say which images are held back, nor why). Each document comes with the moment the
rights of an image in it end, so that no cache keeps it longer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.rules import audit
from service.rules.iiif import presentation
from service.rules.iiif.presentation import Document, ManifestFacts, Site
from service.rules.problems import NotFound
from service.services import campaigns, iiif_gate, posts
from service.services.asset_queries import AssetFilters, filtered
from service.services.context import Services
from service.services.descriptive import MAX_TAG_LENGTH
from service.services.iiif_gate import Cleared
from service.storage.models import Asset

# Assets a tag's collection reads and audits at a time: memory and statements stay bounded
# per chunk, whatever the tag holds.
TAG_CHUNK = 500


@dataclass(frozen=True)
class Published:
    """A document and the first moment (UTC) its rights may no longer hold, if any."""

    document: Document
    good_until: datetime | None


def manifest_of(
    session: Session, services: Services, public_id: str, site: Site, *, today: date | None = None
) -> Published:
    """The manifest of the image ``public_id``: NotFound when there is no such live image,
    NotClearedForWeb (403, with the failing checks) when its web audit fails."""
    cleared = iiif_gate.cleared_for_web(session, services, public_id, today=today)
    return Published(presentation.manifest(facts_of(cleared), site), good_until([cleared]))


def campaign_collection(
    session: Session, services: Services, campaign_id: int, site: Site, *, today: date | None = None
) -> Published:
    """The campaign's images in the order its posts go out (each once), those cleared for
    the web only; NotFound when there is no such campaign."""
    campaign = campaigns.get_campaign(session, campaign_id)
    assets = _each_once(item.asset for post in posts.posts_of(campaign) for item in post.media)
    cleared = iiif_gate.cleared_among(session, services, assets, today=today)
    document = presentation.collection(
        presentation.campaign_collection_id(site, campaign.id),
        presentation.unknown_language(campaign.name),
        [facts_of(one) for one in cleared],
        site,
    )
    return Published(document, good_until(cleared))


def tag_collection(
    session: Session, services: Services, tag: str, site: Site, *, today: date | None = None
) -> Published:
    """The live images tagged ``tag`` (in any case, with or without its '#'), oldest first,
    those cleared for the web only. A tag no image carries is an empty collection, as is one
    whose images are all held back: the answer never tells the two apart. NotFound for what
    cannot be a tag (empty, too long, with control characters): an empty one would select
    every image, and PostgreSQL refuses a NUL."""
    name = tag.strip().lstrip("#").strip()
    if not _could_be_a_tag(name):
        raise NotFound(f"No image can have the tag {tag!r}.")
    cleared: list[Cleared] = []
    for chunk in _tagged(session, name):
        cleared += iiif_gate.cleared_among(session, services, chunk, today=today)
    document = presentation.collection(
        presentation.tag_collection_id(site, name),
        presentation.unknown_language(f"#{name}"),
        [facts_of(one) for one in cleared],
        site,
    )
    return Published(document, good_until(cleared))


def facts_of(cleared: Cleared) -> ManifestFacts:
    """What the manifest of a cleared asset says: its description, and its rights with the
    credit the policy requires (the gate's stamp, as its images carry it)."""
    asset, record = cleared.asset, cleared.record
    return ManifestFacts(
        public_id=asset.public_id,
        width=asset.width,
        height=asset.height,
        title=asset.title,
        object_number=asset.object_number,
        object_date=asset.object_date,
        description=asset.description,
        record_url=asset.record_url,
        creator=record.creator,
        holder=record.holder,
        credit_line=cleared.credit_line,
        licence_uri=record.licence_uri,
    )


def good_until(cleared: Iterable[Cleared]) -> datetime | None:
    """The first moment the rights of any of ``cleared`` end (their licence's end date)."""
    ends = [audit.passes_dates_until({"expires_at": one.record.expires_at}) for one in cleared]
    known = [end for end in ends if end is not None]
    return min(known, default=None)


def _could_be_a_tag(name: str) -> bool:
    controls = any(ord(char) < 32 or ord(char) == 127 for char in name)
    return 0 < len(name) <= MAX_TAG_LENGTH and not controls


def _each_once(assets: Iterable[Asset]) -> list[Asset]:
    """``assets`` without repeats, each where it first comes."""
    first: dict[int, Asset] = {}
    for asset in assets:
        first.setdefault(asset.id, asset)
    return list(first.values())


def _tagged(session: Session, tag: str) -> Iterator[Sequence[Asset]]:
    """The live assets tagged ``tag`` by id, a chunk at a time (a keyset walk on the id)."""
    after = 0
    while True:
        query = filtered(select(Asset), AssetFilters(tag=tag)).where(Asset.id > after)
        chunk = list(session.scalars(query.order_by(Asset.id).limit(TAG_CHUNK)))
        if not chunk:
            return
        yield chunk
        if len(chunk) < TAG_CHUNK:
            return
        after = chunk[-1].id
