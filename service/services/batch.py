"""Work on many assets at once, from the library's selection: rights, and adding or removing
tags.

Rights are judged asset by asset: each goes through ``rights.update_rights``, the same use
case as the asset page's rights form, inside a savepoint of its own, so an asset that refuses
the change (clearing it needs a licence it lacks, say) is left exactly as it was while the
others are saved; the answer says which was which and why. Tags are all or nothing: a tag
refused on one asset (one too many tags) refuses the batch, as before.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from service.rules import credits
from service.rules.problems import InvalidInput
from service.services import assets, rights
from service.services.auditing import select_assets
from service.storage.db import savepoint
from service.storage.models import Asset

# The fields a batch may set; the others (dates, notes, creator) differ from asset to asset.
BATCH_RIGHTS_FIELDS = ("holder", "credit_line", "licence_uri", "channels", "status")


@dataclass(frozen=True)
class RightsOutcome:
    """What happened to one asset of a batch: saved, or refused (and unchanged) with why."""

    asset_id: int
    name: str
    refused: dict[str, str]  # field -> the service's message; empty when saved

    @property
    def saved(self) -> bool:
        """Whether the change was saved on this asset."""
        return not self.refused


@dataclass(frozen=True)
class RightsBatch:
    """A batch's changes as applied (the credit line filled from the policy, if it was) and
    each asset's outcome, in the order selected."""

    changes: dict[str, Any]
    credit_from_policy: bool
    outcomes: list[RightsOutcome]

    @property
    def saved_ids(self) -> list[int]:
        """The assets whose rights changed."""
        return [outcome.asset_id for outcome in self.outcomes if outcome.saved]


def policy_credit_line(session: Session, holder: str) -> str | None:
    """The credit line the policy in force requires of ``holder``; None when it has no rule
    for that holder (names are matched tolerantly, as everywhere)."""
    if not holder.strip():
        return None
    rule = credits.find_rule(rights.policy_rules(rights.current_policy(session)), holder)
    return rule.credit_line if rule is not None else None


def set_rights(
    session: Session,
    asset_ids: Sequence[int],
    changes: Mapping[str, Any],
    *,
    actor: str,
    now: datetime,
    at_most: int,
) -> RightsBatch:
    """Set the given rights fields on each selected asset; the caller commits.

    The changes themselves are checked first (InvalidInput names the bad field, nothing is
    changed). A holder given without a credit line takes the line the policy requires of
    that holder, when it has one. Then each asset is saved or refused on its own.
    """
    unknown = sorted(set(changes) - set(BATCH_RIGHTS_FIELDS))
    if unknown:
        raise InvalidInput({field: "cannot be set for many assets at once" for field in unknown})
    if not changes:
        raise InvalidInput({"rights": "choose at least one thing to set"})
    wanted = dict(changes)
    from_policy = False
    if wanted.get("holder") and not wanted.get("credit_line"):
        line = policy_credit_line(session, str(wanted["holder"]))
        if line is not None:
            wanted["credit_line"], from_policy = line, True
    rights.validate_rights(wanted, today=now.date())
    selected = select_assets(session, asset_ids=list(asset_ids), filters=None, at_most=at_most)
    outcomes = []
    for asset in selected:
        try:
            with savepoint(session):  # a refusal undoes this asset's change only
                rights.update_rights(session, asset, wanted, actor=actor, now=now)
        except InvalidInput as error:
            outcomes.append(RightsOutcome(asset.id, _name(asset), dict(error.extra["errors"])))
        else:
            outcomes.append(RightsOutcome(asset.id, _name(asset), {}))
    return RightsBatch(wanted, from_policy, outcomes)


def add_tags(
    session: Session, asset_ids: Sequence[int], tags: Sequence[str], *, actor: str, at_most: int
) -> list[Asset]:
    """Add ``tags`` to every selected asset, or to none (InvalidInput); the caller commits."""
    if not tags:
        raise InvalidInput({"tag": "enter a tag to add"})
    # One savepoint for the whole selection: when one asset refuses the tag, the assets
    # tagged before it are undone too.
    with savepoint(session):
        selected = select_assets(session, asset_ids=list(asset_ids), filters=None, at_most=at_most)
        for asset in selected:
            assets.update_asset(session, asset, {"tags": [*asset.tags, *tags]}, actor=actor)
    return selected


def remove_tags(
    session: Session, asset_ids: Sequence[int], tags: Sequence[str], *, actor: str, at_most: int
) -> list[Asset]:
    """Remove ``tags`` (compared as tags are: case and Unicode composition aside) from the
    selected assets; answers the assets that had one. The caller commits."""
    if not tags:
        raise InvalidInput({"tag": "enter a tag to remove"})
    gone = {_tag_key(tag) for tag in tags}
    changed = []
    with savepoint(session):
        selected = select_assets(session, asset_ids=list(asset_ids), filters=None, at_most=at_most)
        for asset in selected:
            kept = [tag for tag in asset.tags if _tag_key(tag) not in gone]
            if len(kept) != len(asset.tags):
                assets.update_asset(session, asset, {"tags": kept}, actor=actor)
                changed.append(asset)
    return changed


def _tag_key(tag: str) -> str:
    return unicodedata.normalize("NFC", tag.strip().lstrip("#").strip()).casefold()


def _name(asset: Asset) -> str:
    return asset.title or asset.original_filename
