"""Finding assets: one live asset by id, or a page of the library, searched and filtered,
with the opaque cursors that page through it."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from service.rules.problems import InvalidInput, NotFound
from service.storage.models import Asset, AssetTag, RightsRecord


def encode_cursor(asset_id: int) -> str:
    """The opaque cursor of the page that follows this asset."""
    return base64.urlsafe_b64encode(f"id:{asset_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The asset id a cursor names; InvalidInput when this API did not make it."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, number = text.partition(":")
        if prefix == "id" and number.isdigit():
            return int(number)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise InvalidInput({"cursor": "is not a cursor this API returned"})


def get_asset(session: Session, asset_id: int) -> Asset:
    """A live asset; deleted ones are as good as gone until they are restored."""
    asset = session.get(Asset, asset_id)
    if asset is None or asset.deleted_at is not None:
        raise NotFound(f"There is no asset {asset_id}.")
    return asset


@dataclass(frozen=True)
class AssetFilters:
    """What a library search asks for; every field optional."""

    text: str | None = None
    tag: str | None = None
    uploaded_by: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    rights_status: str | None = None
    holder: str | None = None  # part of the rights holder's name, any case


def list_assets(
    session: Session, filters: AssetFilters, *, limit: int, cursor: str | None = None
) -> tuple[list[Asset], str | None]:
    """A page of assets, newest first, and the cursor of the next page (None at the end)."""
    query = _filtered(select(Asset), filters).order_by(Asset.id.desc()).limit(limit + 1)
    if cursor:
        query = query.where(Asset.id < decode_cursor(cursor))
    assets = list(session.scalars(query))
    if len(assets) > limit:
        return assets[:limit], encode_cursor(assets[limit - 1].id)
    return assets, None


def count_assets(session: Session, filters: AssetFilters, *, at_most: int) -> int:
    """How many assets match, counted no further than ``at_most``: a cap is checked by
    counting ids, before any row is loaded."""
    matching = _filtered(select(Asset), filters).with_only_columns(Asset.id).limit(at_most)
    return session.scalar(select(func.count()).select_from(matching.subquery())) or 0


def _like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with its own % and _ taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"


def _filtered(query: Select[Asset], filters: AssetFilters) -> Select[Asset]:
    query = query.where(Asset.deleted_at.is_(None))
    if filters.text:
        pattern = _like_pattern(filters.text)
        query = query.where(
            or_(
                Asset.title.ilike(pattern, escape="\\"),
                Asset.object_number.ilike(pattern, escape="\\"),
                Asset.description.ilike(pattern, escape="\\"),
            )
        )
    if filters.tag:
        tagged = select(AssetTag.asset_id).where(
            func.lower(AssetTag.tag) == filters.tag.lstrip("#").lower()
        )
        query = query.where(Asset.id.in_(tagged))
    if filters.uploaded_by:
        query = query.where(Asset.uploaded_by == filters.uploaded_by)
    if filters.created_after:
        query = query.where(Asset.created_at >= filters.created_after)
    if filters.created_before:
        query = query.where(Asset.created_at < filters.created_before)
    if filters.rights_status or filters.holder:
        query = query.outerjoin(RightsRecord, RightsRecord.asset_id == Asset.id)
    if filters.rights_status == "unknown":  # an asset without a record has unknown rights
        query = query.where(or_(RightsRecord.status == "unknown", RightsRecord.asset_id.is_(None)))
    elif filters.rights_status:
        query = query.where(RightsRecord.status == filters.rights_status)
    if filters.holder:
        query = query.where(RightsRecord.holder.ilike(_like_pattern(filters.holder), escape="\\"))
    return query
