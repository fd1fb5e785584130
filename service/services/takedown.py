"""The takedown report: every campaign post marked exported or published whose media show a
person, so that the team can remove them after a withdrawal. Names no one: a post, its
campaign, platforms, time and remote URL. And what Vitrine takes down itself: the IIIF
answers it keeps of the images showing the person."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.rules import consent as rules
from service.rules.audit import csv_safe
from service.services import iiif_pyramids
from service.services.posts import local_time
from service.storage.blobs import BlobStore, StorageUnavailable
from service.storage.models import Asset, Campaign, Consent, Depiction, Person, Post, PostMedia

log = logging.getLogger(__name__)

# The posts that have left Vitrine: in a scheduler's hands, or out on a platform.
OUT_STATUSES = ("exported", "published")
CSV_COLUMNS = (
    "campaign_id", "campaign", "post_id", "status", "platforms", "time", "remote_url", "asset_ids",
)  # fmt: skip


@dataclass(frozen=True)
class TakedownPost:
    """A post to take down: where it is and which of its images show the person."""

    campaign_id: int
    campaign: str
    post_id: int
    status: str
    platforms: tuple[str, ...]
    time: str  # the campaign's local time, with its offset
    remote_url: str
    asset_ids: tuple[int, ...]


def posts_showing(
    session: Session, person: Person, *, statuses: Sequence[str] | None = OUT_STATUSES
) -> list[TakedownPost]:
    """The posts (of these statuses; None: any) whose media include an asset depicting the
    person, the newest first."""
    query = (
        select(Post, Campaign, PostMedia.asset_id)
        .join(PostMedia, PostMedia.post_id == Post.id)
        .join(Depiction, Depiction.asset_id == PostMedia.asset_id)
        .join(Campaign, Campaign.id == Post.campaign_id)
        .where(Depiction.person_id == person.id)
        .order_by(Post.scheduled_at.desc(), Post.id.desc(), PostMedia.position)
    )
    if statuses is not None:
        query = query.where(Post.status.in_(statuses))
    found: dict[int, tuple[Post, Campaign, list[int]]] = {}
    for post, campaign, asset_id in session.execute(query):
        found.setdefault(post.id, (post, campaign, []))[2].append(asset_id)
    return [
        TakedownPost(
            campaign.id,
            campaign.name,
            post.id,
            post.status,
            tuple(post.platforms),
            local_time(post, campaign).isoformat(),
            post.remote_url,
            tuple(dict.fromkeys(asset_ids)),
        )
        for post, campaign, asset_ids in found.values()
    ]


def iiif_takedown(session: Session, store: BlobStore, person: Person) -> Callable[[], int]:
    """What to run once a withdrawal of the person's consent is committed: delete the IIIF
    answers kept of every image showing them, which may carry their name. The web gate
    refuses those images from the next request on; this takes the kept bytes down too (their
    pyramids, without metadata, stay). The work returns how many answers it deleted; a store
    that does not answer keeps them (logged): the gate still refuses them."""
    query = (
        select(Asset.sha256)
        .join(Depiction, Depiction.asset_id == Asset.id)
        .where(Depiction.person_id == person.id)
    )
    digests = sorted(set(session.scalars(query)))

    def drop() -> int:
        dropped = 0
        for digest in digests:
            try:
                dropped += iiif_pyramids.drop_answers(store, digest)
            except StorageUnavailable as error:
                log.warning("IIIF answers of %s not taken down: %s", digest, error)
        return dropped

    return drop


def post_json(post: TakedownPost) -> dict[str, Any]:
    """One post of the report as JSON."""
    return {
        "campaign_id": post.campaign_id,
        "campaign": post.campaign,
        "post_id": post.post_id,
        "status": post.status,
        "platforms": list(post.platforms),
        "time": post.time,
        "remote_url": post.remote_url,
        "asset_ids": list(post.asset_ids),
    }


def report_csv(posts: Sequence[TakedownPost]) -> str:
    """The report as CSV, one post a line; texts defused against spreadsheet formulas."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for post in posts:
        writer.writerow(
            [
                post.campaign_id,
                csv_safe(post.campaign),
                post.post_id,
                post.status,
                " ".join(post.platforms),
                post.time,
                csv_safe(post.remote_url),
                " ".join(str(asset_id) for asset_id in post.asset_ids),
            ]
        )
    return out.getvalue()


# --- on a campaign's board --------------------------------------------------------------


@dataclass(frozen=True)
class WithdrawnPost:
    """A post of the campaign that is out and shows someone who withdrew: by number and role
    (the board is read by every role), on the platforms no consent of theirs covers now."""

    post_id: int
    status: str
    platforms: tuple[str, ...]
    time: str  # the campaign's local time, with its offset
    remote_url: str
    asset_ids: tuple[int, ...]
    people: tuple[str, ...]  # "person #3 (participant)"
    uncovered: tuple[str, ...]  # the post's platforms no consent covers any longer


def _facts(person: Person) -> rules.PersonFacts:
    return rules.PersonFacts(
        person.id,
        person.role,
        tuple(
            rules.ConsentFacts(c.id, tuple(c.channels), tuple(c.platforms), tuple(c.purposes),
                               c.granted_at, c.expires_at, c.withdrawn_at, c.guardian)
            for c in person.consents
        ),
    )  # fmt: skip


def withdrawn_in_campaign(session: Session, campaign: Campaign, *, on: date) -> list[WithdrawnPost]:
    """The campaign's exported and published posts whose images show a person who withdrew a
    consent and whom no consent still covers on some of the post's platforms (social, for a
    campaign), in time order: what to take down."""
    withdrew = select(Consent.person_id).where(Consent.withdrawn_at.is_not(None))
    query = (
        select(Post, PostMedia.asset_id, Person)
        .join(PostMedia, PostMedia.post_id == Post.id)
        .join(Depiction, Depiction.asset_id == PostMedia.asset_id)
        .join(Person, Person.id == Depiction.person_id)
        .where(
            Post.campaign_id == campaign.id,
            Post.status.in_(OUT_STATUSES),
            Person.id.in_(withdrew),
        )
        .order_by(Post.scheduled_at, Post.id, PostMedia.position, Person.id)
    )
    found: dict[int, tuple[Post, dict[int, None], dict[str, None], dict[str, None]]] = {}
    for post, asset_id, person in session.execute(query):
        facts = rules.PeopleFacts("depicted", False, (_facts(person),))
        gone = [
            platform
            for platform in post.platforms
            if rules.uncovered(
                facts, channel="social", platform=platform, on=on, purpose="campaign"
            )
        ]
        if not gone:
            continue
        entry = found.setdefault(post.id, (post, {}, {}, {}))
        entry[1][asset_id] = None
        entry[2][_facts(person).label] = None
        entry[3].update(dict.fromkeys(gone))
    return [
        WithdrawnPost(
            post.id,
            post.status,
            tuple(post.platforms),
            local_time(post, campaign).isoformat(),
            post.remote_url,
            tuple(assets),
            tuple(labels),
            tuple(platform for platform in post.platforms if platform in gone),
        )
        for post, assets, labels, gone in found.values()
    ]
