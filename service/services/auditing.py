"""Use cases for audits: gather what the checks need, run them for one asset or many."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.rules import audit
from service.rules.audit_scope import unknown_scope
from service.rules.problems import InvalidInput
from service.services.asset_queries import count_assets
from service.services.assets import AssetFilters, list_assets
from service.services.captioning import AssetCaption, caption_for, credit_rule_for
from service.services.rights import record_values, rights_of
from service.storage.models import Asset

MAX_ASSETS_PER_AUDIT = 5_000


def audit_input(
    session: Session,
    asset: Asset,
    *,
    platform: str,
    channel: str,
    today: date,
    captioned: AssetCaption | None = None,
) -> audit.AuditInput:
    """What the checks need to know of one asset; pass ``captioned`` if already composed."""
    record = rights_of(session, asset)
    captioned = captioned or caption_for(session, asset, platform)
    summary = asset.metadata_summary
    embedded = summary.get("copyright_notice") or summary.get("credit_line")
    return audit.AuditInput(
        asset_id=asset.id,
        title=asset.title,
        platform=platform,
        channel=channel,
        today=today,
        rights={**record_values(record), "proposed": record.proposed},
        rule=credit_rule_for(session, asset),
        caption=captioned.caption,
        alt_text=captioned.alt_text,
        filename=asset.original_filename,
        embedded_copyright=embedded["value"] if isinstance(embedded, dict) else None,
    )


def check_scope(platform: str, channel: str) -> None:
    """Refuse an unknown platform or channel before any asset is looked at."""
    unknown = unknown_scope(platform, channel)
    if unknown:
        raise InvalidInput({name: f"must be one of {', '.join(choices)}"
                            for name, choices in unknown.items()})  # fmt: skip


def audit_assets(
    session: Session, assets: Sequence[Asset], *, platform: str, channel: str, today: date
) -> list[audit.Report]:
    """One report per asset for the platform and channel."""
    check_scope(platform, channel)
    return [
        audit.audit(audit_input(session, asset, platform=platform, channel=channel, today=today))
        for asset in assets
    ]


def select_assets(
    session: Session, *, asset_ids: Sequence[Any] | None, filters: AssetFilters | None
) -> list[Asset]:
    """The assets an audit covers: listed ids (all must exist), or those matching a filter."""
    if asset_ids is not None:
        if not all(isinstance(item, int) and not isinstance(item, bool) for item in asset_ids):
            raise InvalidInput({"asset_ids": "must be a list of asset ids"})
        if len(asset_ids) > MAX_ASSETS_PER_AUDIT:
            raise InvalidInput({"asset_ids": f"at most {MAX_ASSETS_PER_AUDIT} per audit"})
        live = select(Asset).where(Asset.id.in_(asset_ids), Asset.deleted_at.is_(None))
        found = {asset.id: asset for asset in session.scalars(live)}
        missing = [asset_id for asset_id in asset_ids if asset_id not in found]
        if missing:
            listed = ", ".join(map(str, missing[:20]))
            raise InvalidInput({"asset_ids": f"no such asset: {listed}"})
        return [found[asset_id] for asset_id in dict.fromkeys(asset_ids)]
    filters = filters or AssetFilters()
    if count_assets(session, filters, at_most=MAX_ASSETS_PER_AUDIT + 1) > MAX_ASSETS_PER_AUDIT:
        raise InvalidInput(
            {"filter": f"matches more than {MAX_ASSETS_PER_AUDIT} assets; narrow it"}
        )
    page, _ = list_assets(session, filters, limit=MAX_ASSETS_PER_AUDIT)
    return list(reversed(page))  # oldest first reads like a campaign plan
