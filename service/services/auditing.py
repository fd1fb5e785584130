"""Use cases for audits: gather what the checks need, run them for one asset or many.

An audit of many assets reads them in chunks, with the same few statements per chunk
whatever its size (the assets with their tags and rights, then their stored captions, and
the people with their consents when any asset of the chunk shows people), and the credit
policy and the platform's template once per audit: ``AuditContext``. One asset
(``audit_input``, the publishing gate) and many (``audit_chunk``) compose their captions and
inputs with the same functions, from values read one way or the other.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, load_only, raiseload
from sqlalchemy.sql.base import ExecutableOption

from service.rules import audit, consent, credits
from service.rules.audit_scope import unknown_scope
from service.rules.problems import InvalidInput
from service.services.asset_queries import filtered
from service.services.assets import AssetFilters
from service.services.captioning import (
    AssetCaption,
    caption_for,
    compose_for,
    credit_rule_for,
    stored_captions,
    tags_of,
    template_for,
)
from service.services.people_facts import people_facts, people_of
from service.services.rights import (
    WRITABLE,
    current_policy,
    policy_rules,
    record_values,
    rights_of,
)
from service.storage.models import Asset, RightsRecord

# Assets read, captioned and audited at a time: a few statements per chunk, and a chunk's
# rows are all a streamed audit holds. 500 is also SQLAlchemy's selectin batch, so a chunk's
# tags and rights come in one statement each.
CHUNK_SIZE = 500
T = TypeVar("T")

# What an audit reads of a chunk (``subject_of``, ``compose_for``, ``rights_of``): the
# asset's columns it uses, with its rights record joined, and its tags read apart as plain
# values (``tags_of``). Loading whole rows, and each tag as an object, took three times as
# long. A column read that is not listed here would be loaded asset by asset (the
# statement-count tests would see it); reading the tags through the asset raises.
_AUDITED_COLUMNS = (
    load_only(
        Asset.id, Asset.title, Asset.object_number, Asset.object_date, Asset.description,
        Asset.alt_text,
        Asset.original_filename, Asset.metadata_summary, Asset.created_at,
        Asset.people_status, Asset.people_proposed,
    ),
    joinedload(Asset.rights).load_only(
        *(getattr(RightsRecord, name) for name in WRITABLE), RightsRecord.proposed
    ),
    raiseload(Asset.tag_rows),
)  # fmt: skip


def check_scope(platform: str, channel: str) -> None:
    """Refuse an unknown platform or channel before any asset is looked at."""
    unknown = unknown_scope(platform, channel)
    if unknown:
        raise InvalidInput({name: f"must be one of {', '.join(choices)}"
                            for name, choices in unknown.items()})  # fmt: skip


# --- composing one asset's input, however its values were read ---------------------------


def subject_of(
    asset: Asset,
    record: RightsRecord,
    rule: credits.CreditRule | None,
    captioned: AssetCaption,
    *,
    platform: str,
    channel: str,
    today: date,
    people: consent.PeopleFacts,
    people_unknown_blocks: AbstractSet[str],
    purpose: str | None = None,
) -> audit.AuditInput:
    """What the checks need to know of one asset, from values already read.
    ``people_unknown_blocks``: the channels where an unknown people status fails (the app's
    VITRINE_PEOPLE_UNKNOWN_BLOCKS); ``purpose``: what the image is for, when it is asked."""
    summary = asset.metadata_summary
    embedded = summary.get("copyright_notice") or summary.get("credit_line")
    return audit.AuditInput(
        asset_id=asset.id,
        title=asset.title,
        platform=platform,
        channel=channel,
        today=today,
        rights={**record_values(record), "proposed": record.proposed},
        rule=rule,
        caption=captioned.caption,
        alt_text=captioned.alt_text,
        filename=asset.original_filename,
        embedded_copyright=embedded["value"] if isinstance(embedded, dict) else None,
        people=people,
        people_unknown_blocks=channel in people_unknown_blocks,
        purpose=purpose,
    )


def audit_input(
    session: Session,
    asset: Asset,
    *,
    platform: str,
    channel: str,
    today: date,
    people_unknown_blocks: AbstractSet[str],
    captioned: AssetCaption | None = None,
) -> audit.AuditInput:
    """What the checks need to know of one asset; pass ``captioned`` if already composed."""
    return subject_of(
        asset,
        rights_of(session, asset),
        credit_rule_for(session, asset),
        captioned or caption_for(session, asset, platform),
        platform=platform,
        channel=channel,
        today=today,
        people=people_facts(session, asset),
        people_unknown_blocks=people_unknown_blocks,
    )


# --- many assets -------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditContext:
    """What every asset of one audit shares, read once: the scope, the day, the credit
    policy's rules, the platform's caption template, and the channels where an unknown
    people status fails."""

    platform: str
    channel: str
    today: date
    rules: tuple[credits.CreditRule, ...]
    template: str
    people_unknown_blocks: frozenset[str]
    _by_holder: dict[str | None, credits.CreditRule | None] = field(
        default_factory=dict, compare=False, repr=False
    )

    def rule_for(self, holder: str | None) -> credits.CreditRule | None:
        """The policy's rule for a holder (``credits.find_rule``), found once per holder: a
        catalogue has many assets per holder."""
        if holder not in self._by_holder:
            self._by_holder[holder] = credits.find_rule(self.rules, holder)
        return self._by_holder[holder]


def audit_context(
    session: Session,
    *,
    platform: str,
    channel: str,
    today: date,
    people_unknown_blocks: AbstractSet[str],
) -> AuditContext:
    """The context of an audit; InvalidInput for an unknown platform or channel."""
    check_scope(platform, channel)
    return AuditContext(
        platform=platform,
        channel=channel,
        today=today,
        rules=tuple(policy_rules(current_policy(session))),
        template=template_for(session, platform),
        people_unknown_blocks=frozenset(people_unknown_blocks),
    )


@dataclass(frozen=True)
class Chunk:
    """Assets audited together, with their rights loaded, and their tags by asset id."""

    assets: Sequence[Asset]
    tags: Mapping[int, Sequence[str]]

    @classmethod
    def of(cls, assets: Sequence[Asset]) -> Chunk:
        """A chunk of assets loaded whole (their tags with them)."""
        return cls(assets, {asset.id: asset.tags for asset in assets})


def audit_chunk(session: Session, context: AuditContext, chunk: Chunk) -> list[audit.Report]:
    """One report per asset, with one statement for all their stored captions, and one for
    the people of those that show people (none when none does)."""
    stored = stored_captions(session, [asset.id for asset in chunk.assets], context.platform)
    people = people_of(session, chunk.assets)
    reports = []
    for asset in chunk.assets:
        record = rights_of(session, asset)
        rule = context.rule_for(record.holder)
        captioned = compose_for(
            asset,
            record,
            rule,
            context.platform,
            tags=chunk.tags[asset.id],
            stored=stored.get(asset.id),
            template=context.template,
        )
        subject = subject_of(
            asset,
            record,
            rule,
            captioned,
            platform=context.platform,
            channel=context.channel,
            today=context.today,
            people=people[asset.id],
            people_unknown_blocks=context.people_unknown_blocks,
        )
        reports.append(audit.audit(subject))
    return reports


def audit_assets(
    session: Session,
    assets: Sequence[Asset],
    *,
    platform: str,
    channel: str,
    today: date,
    people_unknown_blocks: AbstractSet[str],
) -> list[audit.Report]:
    """One report per asset for the platform and channel (assets already loaded);
    ``people_unknown_blocks``: the app's VITRINE_PEOPLE_UNKNOWN_BLOCKS."""
    context = audit_context(
        session, platform=platform, channel=channel, today=today,
        people_unknown_blocks=people_unknown_blocks,
    )  # fmt: skip
    reports: list[audit.Report] = []
    for chunk in _chunks(assets):
        reports += audit_chunk(session, context, Chunk.of(chunk))
    return reports


# --- choosing the assets -----------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """The assets an audit covers, checked but not loaded: their ids, each once, live when
    checked; in the order first listed, or for a filter oldest first (by id), which reads
    like a campaign plan."""

    asset_ids: tuple[int, ...]


def selection(
    session: Session,
    *,
    asset_ids: Sequence[Any] | None,
    filters: AssetFilters | None,
    at_most: int,
) -> Selection:
    """Check what an audit is asked to cover, reading ids and counts only, never asset rows:
    InvalidInput for ids that are not ids or not assets, or more than ``at_most`` assets."""
    if asset_ids is not None:
        if not all(isinstance(item, int) and not isinstance(item, bool) for item in asset_ids):
            raise InvalidInput({"asset_ids": "must be a list of asset ids"})
        if len(asset_ids) > at_most:
            raise InvalidInput({"asset_ids": f"at most {at_most} per audit"})
        unique = tuple(dict.fromkeys(asset_ids))
        found: set[int] = set()
        for chunk in _chunks(unique):
            live = select(Asset.id).where(Asset.id.in_(chunk), Asset.deleted_at.is_(None))
            found.update(session.scalars(live))
        missing = [asset_id for asset_id in asset_ids if asset_id not in found]
        if missing:
            listed = ", ".join(map(str, missing[:20]))
            raise InvalidInput({"asset_ids": f"no such asset: {listed}"})
        return Selection(asset_ids=unique)
    # The matching ids, no further than one past the cap: a refusal costs one statement
    # that reads no asset row, and an audit then loads its assets by id, a chunk at a time
    # (a keyset walk per chunk would read past every non-matching asset again and again).
    matching = (
        filtered(select(Asset), filters or AssetFilters())
        .with_only_columns(Asset.id)
        .order_by(Asset.id)
        .limit(at_most + 1)
    )
    ids = tuple(session.scalars(matching))
    if len(ids) > at_most:
        raise InvalidInput({"filter": f"matches more than {at_most} assets; narrow it"})
    return Selection(asset_ids=ids)


def asset_chunks(session: Session, chosen: Selection) -> Iterator[Chunk]:
    """The selected assets, a chunk at a time, with what an audit reads of them: three
    statements per chunk (the assets with their rights, their tags, and in ``audit_chunk``
    their captions), and a fourth for a chunk with assets that show people."""
    for assets in _rows(session, chosen, _AUDITED_COLUMNS):
        yield Chunk(assets, tags_of(session, [asset.id for asset in assets]))


def _rows(
    session: Session, chosen: Selection, options: Sequence[ExecutableOption]
) -> Iterator[list[Asset]]:
    """The selected assets, a chunk at a time, loaded with ``options``, in the selection's
    order. An asset deleted since the selection was checked is left out."""
    for ids in _chunks(chosen.asset_ids):
        listed = select(Asset).where(Asset.id.in_(ids), Asset.deleted_at.is_(None))
        found = {asset.id: asset for asset in session.scalars(listed.options(*options))}
        yield [found[asset_id] for asset_id in ids if asset_id in found]


def reports(
    session: Session,
    chosen: Selection,
    *,
    platform: str,
    channel: str,
    today: date,
    people_unknown_blocks: AbstractSet[str],
) -> Iterator[audit.Report]:
    """The reports of a selection, computed a chunk at a time; a caller that writes each
    one out as it comes holds about one chunk in memory, whatever the number of assets (the
    session's identity map holds its rows weakly, and an audit changes none)."""
    context = audit_context(
        session, platform=platform, channel=channel, today=today,
        people_unknown_blocks=people_unknown_blocks,
    )  # fmt: skip
    for chunk in asset_chunks(session, chosen):
        yield from audit_chunk(session, context, chunk)


def select_assets(
    session: Session,
    *,
    asset_ids: Sequence[Any] | None,
    filters: AssetFilters | None,
    at_most: int,
) -> list[Asset]:
    """The assets an audit covers, loaded: listed ids (all must exist), or those matching a
    filter, oldest first; at most ``at_most`` of them."""
    chosen = selection(session, asset_ids=asset_ids, filters=filters, at_most=at_most)
    return [asset for chunk in _rows(session, chosen, ()) for asset in chunk]


def _chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), CHUNK_SIZE):
        yield items[start : start + CHUNK_SIZE]
