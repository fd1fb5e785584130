"""The append-only history of changes to an asset: who, when, which field, before and after."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.storage.models import HistoryEntry


def record_changes(
    session: Session,
    asset_id: int,
    actor: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    *,
    prefix: str = "",
) -> list[HistoryEntry]:
    """Add one entry per field whose value differs between ``before`` and ``after``."""
    entries = [
        HistoryEntry(
            asset_id=asset_id,
            actor=actor,
            field=prefix + field,
            before=before.get(field),
            after=value,
        )
        for field, value in after.items()
        if before.get(field) != value
    ]
    session.add_all(entries)
    return entries


def list_history(session: Session, asset_id: int) -> list[HistoryEntry]:
    """Every change to the asset, oldest first."""
    query = select(HistoryEntry).where(HistoryEntry.asset_id == asset_id)
    return list(session.scalars(query.order_by(HistoryEntry.id)))
