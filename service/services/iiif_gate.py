"""The web gate of IIIF: an asset's images and manifest are public only while its audit for
the ``web`` channel passes.

IIIF is read by anyone (viewers, aggregators, the museum's own pages), so there is no
override here and no signed URL: every request is audited afresh, and a rights change, an
expiry or a withdrawn consent shuts the door on the next request. Assets are named by their
random ``public_id``, never by row id, so that nobody can count the catalogue through it.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.media.render import RightsStamp
from service.rules import audit, credits
from service.rules.problems import NotFound, Problem
from service.services import auditing, captioning, rights, variant_keys
from service.services.context import Services
from service.services.people_facts import people_facts, people_of
from service.storage.db import utcnow
from service.storage.models import Asset, RightsRecord

# The audit's scope for the web: the channel the rights record must allow, and the caption
# platform whose (default) template the caption checks compose.
CHANNEL = "web"
PLATFORM = "default"


class NotClearedForWeb(Problem):
    """The asset exists but its web audit fails: no pixels, no manifest."""

    status, code, title = 403, "not-cleared-for-web", "This image is not cleared for the web"


@dataclass(frozen=True)
class Cleared:
    """An asset whose web audit passes, with what its public images and manifest carry."""

    asset: Asset
    record: RightsRecord
    rule: credits.CreditRule | None
    stamp: RightsStamp  # the rights written into (and maybe burned onto) every image
    report: audit.Report  # passing, perhaps with warnings

    @property
    def credit_line(self) -> str:
        """The credit the policy requires for the holder: the manifest's attribution."""
        return self.stamp.credit_line


def asset_by_public_id(session: Session, public_id: str) -> Asset:
    """The live asset named ``public_id``; NotFound for any other string, deleted or not.

    Only the exact (lowercase) form names it: IIIF ids are compared as strings, so another
    spelling would be another image to a viewer's cache and a validator's id check."""
    try:
        canonical = str(uuid.UUID(public_id)) if len(public_id) == 36 else None
    except ValueError:
        canonical = None
    asset = None
    if canonical is not None and canonical == public_id:
        asset = session.scalars(select(Asset).where(Asset.public_id == canonical)).first()
    if asset is None or asset.deleted_at is not None:
        raise NotFound(f"There is no image {public_id!r}.")
    return asset


def cleared_for_web(
    session: Session, services: Services, public_id: str, *, today: date | None = None
) -> Cleared:
    """The asset ``public_id`` with its stamp, if its web audit passes today (UTC);
    NotFound when there is no such live asset, NotClearedForWeb (403) naming the failing
    checks otherwise."""
    asset = asset_by_public_id(session, public_id)
    today = today or utcnow().date()
    record = rights.rights_of(session, asset)
    rule = captioning.credit_rule_for(session, asset)
    people = people_facts(session, asset)
    subject = auditing.subject_of(
        asset,
        record,
        rule,
        captioning.caption_for(session, asset, PLATFORM),
        platform=PLATFORM,
        channel=CHANNEL,
        today=today,
        people=people,
        people_unknown_blocks=services.people_unknown_blocks,
    )
    report = audit.audit(subject)
    if report.outcome == "fail":
        raise refusal(report)
    stamp = variant_keys.stamp_of(asset, record, rule, people, today)
    return Cleared(asset, record, rule, stamp, report)


def cleared_among(
    session: Session, services: Services, assets: Sequence[Asset], *, today: date | None = None
) -> list[Cleared]:
    """Those of ``assets`` (live, loaded) whose web audit passes today, in the given order:
    what a collection lists. Audited together, a few statements for all of them."""
    today = today or utcnow().date()
    live = [asset for asset in assets if asset.deleted_at is None]
    reports = auditing.audit_assets(
        session,
        live,
        platform=PLATFORM,
        channel=CHANNEL,
        today=today,
        people_unknown_blocks=services.people_unknown_blocks,
    )
    passing = [a for a, report in zip(live, reports, strict=True) if report.outcome != "fail"]
    people = people_of(session, passing)  # one statement for all, as the audit read them
    cleared = []
    for asset, report in zip(live, reports, strict=True):
        if report.outcome == "fail":
            continue
        record = rights.rights_of(session, asset)
        rule = captioning.credit_rule_for(session, asset)
        stamp = variant_keys.stamp_of(asset, record, rule, people[asset.id], today)
        cleared.append(Cleared(asset, record, rule, stamp, report))
    return cleared


def refusal(report: audit.Report) -> NotClearedForWeb:
    """The 403 for a failing web audit: each failing check with its code and reason (reasons
    never name the people a photograph shows; consent.verdict words them by role)."""
    failing = [dataclasses.asdict(f) for f in report.findings if f.status == "fail"]
    names = ", ".join(f["check"] for f in failing)
    return NotClearedForWeb(f"The audit for the web channel fails: {names}.", checks=failing)
