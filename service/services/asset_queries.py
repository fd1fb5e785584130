"""Finding assets: one live asset by id, or a page of the library, searched, filtered and
sorted, with the opaque keyset cursors that page through it.

Every sort is a tuple of columns ending in the id, so that the order is total and a page
continues from the last row's values (``(key, id) > (last key, last id)``) whatever the
depth. Migration 0010 indexes each tuple over the live assets (and, on PostgreSQL, the text
that ``q`` and ``holder`` search with trigrams), so a page reads a few index entries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select, tuple_
from sqlalchemy.orm import Session, defer

from service.rules import cursors, licences
from service.rules.problems import InvalidInput, NotFound
from service.services.rights import STATUSES as RIGHTS_STATUSES
from service.storage.db import json_list_contains
from service.storage.models import BY_CREATED, Asset, AssetTag, RightsRecord, blanks_last

# Each sort: its key (the columns that order it, all in one direction) and whether it runs
# descending. Untitled assets, and those without an object number, come after the others.
# Each is indexed (storage/models.py).
SORT_KEYS: dict[str, tuple[tuple[Any, ...], bool]] = {
    "newest": (BY_CREATED, True),
    "oldest": (BY_CREATED, False),
    "title": (blanks_last(Asset.title), False),
    "object_number": (blanks_last(Asset.object_number), False),
}
SORTS = tuple(SORT_KEYS)


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
    licence: str | None = None  # a licence URI, exactly
    channel: str | None = None  # the rights record allows this channel
    deleted: bool = False  # only the deleted assets (the bin) instead of the live ones


FILTER_NAMES = (
    "q", "tag", "uploaded_by", "created_after", "created_before", "rights_status", "holder",
    "licence", "channel", "deleted",
)  # fmt: skip


def filters_from(values: Mapping[str, Any]) -> AssetFilters:
    """The filters a query string (or a JSON object of strings) asks for, by the API's names;
    an empty value is no filter. InvalidInput names each value that is not one."""
    errors: dict[str, str] = {}

    def given(name: str, check: Callable[[str], Any]) -> Any:
        raw = values.get(name)
        if raw is None or raw == "":
            return None
        try:
            if not isinstance(raw, str):
                raise ValueError("must be a string")
            return check(raw)
        except ValueError as error:
            errors[name] = str(error)
            return None

    unknown = sorted(set(values) - set(FILTER_NAMES))
    errors.update({name: "is not a filter" for name in unknown})
    filters = AssetFilters(
        text=given("q", str),
        tag=given("tag", str),
        uploaded_by=given("uploaded_by", str),
        created_after=given("created_after", _instant),
        created_before=given("created_before", _instant),
        rights_status=given("rights_status", _one_of(RIGHTS_STATUSES)),
        holder=given("holder", str),
        licence=given("licence", _licence_uri),
        channel=given("channel", _one_of(licences.CHANNELS)),
        deleted=given("deleted", _one_of(("true", "false"))) == "true",
    )
    if errors:
        raise InvalidInput(errors)
    return filters


def _instant(raw: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError("must be an ISO 8601 date or date-time") from None
    # A date, or a time without a zone, is read as UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _one_of(choices: Sequence[str]) -> Callable[[str], str]:
    def check(raw: str) -> str:
        if raw not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return raw

    return check


def _licence_uri(raw: str) -> str:
    """The licence as rights records store it, from any spelling of its URI."""
    licence = licences.lookup_licence(raw)
    if licence is None:
        raise ValueError("is not a licence URI this service knows")
    return licence.uri


def list_assets(
    session: Session,
    filters: AssetFilters,
    *,
    limit: int,
    cursor: str | None = None,
    sort: str = "newest",
) -> tuple[list[Asset], str | None]:
    """A page of assets in the sort's order, and the cursor of the next page (None at the end)."""
    rows = session.execute(page_query(filters, limit=limit + 1, cursor=cursor, sort=sort)).all()
    assets = [row[0] for row in rows[:limit]]
    if len(rows) > limit:
        return assets, encode_cursor(sort, tuple(rows[limit - 1])[1:])
    return assets, None


def page_query(
    filters: AssetFilters, *, limit: int, cursor: str | None = None, sort: str = "newest"
) -> Select[Any]:
    """The query of one page: rows of (asset, *its sort key), the key as the database computed
    it (its lower() is not Python's), for the next page's cursor to compare against."""
    if sort not in SORT_KEYS:
        raise InvalidInput({"sort": f"must be one of {', '.join(SORTS)}"})
    columns, descending = SORT_KEYS[sort]
    # A page shows the summary of the embedded metadata, never the raw fields (kilobytes
    # of EXIF and XMP per photograph).
    query = filtered(select(Asset), filters).add_columns(*columns)
    query = query.options(defer(Asset.metadata_raw))
    if cursor:
        after, last = tuple_(*columns), decode_cursor(cursor, sort)
        query = query.where(after < last if descending else after > last)
    order = [column.desc() if descending else column.asc() for column in columns]
    return query.order_by(*order).limit(limit)


def encode_cursor(sort: str, key: Sequence[Any]) -> str:
    """The opaque cursor of the page that follows the row with this sort key."""
    if sort in ("newest", "oldest"):
        moment, asset_id = key
        return cursors.encode(sort, [moment.isoformat(), asset_id])
    untitled, folded, asset_id = key  # SQLite answers the "untitled" flag as 0 or 1
    return cursors.encode(sort, [bool(untitled), folded, asset_id])


def decode_cursor(cursor: str, sort: str) -> tuple[Any, ...]:
    """The sort key a cursor names; InvalidInput when this API did not make it for this sort."""
    try:
        return _checked_key(sort, cursors.decode(cursor, sort))
    except (ValueError, TypeError):
        raise InvalidInput({"cursor": "is not a cursor this API returned for this sort"}) from None


def _checked_key(sort: str, values: list[Any]) -> tuple[Any, ...]:
    """The values of a decoded cursor, typed as the sort's columns are; ValueError if not."""
    if sort in ("newest", "oldest"):
        moment, asset_id = values
        parsed = datetime.fromisoformat(moment)
        if parsed.tzinfo is None or not cursors.is_id(asset_id):
            raise ValueError("not a key of this sort")
        return (parsed, asset_id)
    untitled, text, asset_id = values
    if not isinstance(untitled, bool) or not isinstance(text, str) or not cursors.is_id(asset_id):
        raise ValueError("not a key of this sort")
    return (untitled, text, asset_id)


def _like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, with its own % and _ taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"


def filtered(query: Select[Asset], filters: AssetFilters) -> Select[Asset]:
    """``query`` narrowed to the assets the filters select (the live ones, unless asked for
    the deleted): the one definition of a filter, for pages, counts and audits."""
    live = Asset.deleted_at.is_(None)
    query = query.where(~live if filters.deleted else live)
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
        folded = filters.tag.lstrip("#").lower()
        tagged = select(AssetTag.asset_id).where(func.lower(AssetTag.tag) == folded)
        query = query.where(Asset.id.in_(tagged))
    if filters.uploaded_by:
        query = query.where(Asset.uploaded_by == filters.uploaded_by)
    if filters.created_after:
        query = query.where(Asset.created_at >= filters.created_after)
    if filters.created_before:
        query = query.where(Asset.created_at < filters.created_before)
    rights = _rights_conditions(filters)
    if rights:
        # Every asset has a record (migration 0009): a semi-join keeps one row per asset.
        query = query.where(exists().where(RightsRecord.asset_id == Asset.id, *rights))
    return query


def _rights_conditions(filters: AssetFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.rights_status:
        conditions.append(RightsRecord.status == filters.rights_status)
    if filters.holder:
        pattern = _like_pattern(filters.holder)
        conditions.append(RightsRecord.holder.ilike(pattern, escape="\\"))
    if filters.licence:
        conditions.append(RightsRecord.licence_uri == filters.licence)
    if filters.channel:
        conditions.append(json_list_contains(RightsRecord.channels, filters.channel))
    return conditions
