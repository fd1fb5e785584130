"""Use cases for assets: ingest an upload, find, describe, delete, and check the blob store.

Each function takes the session and the blob store from its caller (the API, the web form,
the CLI), so every entrypoint runs the same rules. Callers own the transaction, except
``ingest`` and ``delete_asset``, which must order their blob and row writes themselves.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from . import metrics, working_copy
from .db import utcnow
from .history import record_changes
from .imaging import identify
from .metadata import UnsafeMetadata, read_metadata
from .models import Asset, AssetTag, RightsRecord, Variant
from .problems import AssetDeleted, DatabaseDown, InvalidInput, NotFound, StorageDown, UnsafeFile
from .rights import proposed_rights_record
from .spool import Spool
from .storage import BlobNotFound, BlobStore, StorageUnavailable, original_key
from .text import clean_text

# Longest value of each descriptive field; far beyond real use, short of abuse.
FIELD_LIMITS = {"title": 500, "object_number": 100, "description": 10_000, "alt_text": 2_000}
MAX_TAGS = 50
MAX_TAG_LENGTH = 64
MAX_FILENAME_LENGTH = 255


# --- pure rules --------------------------------------------------------------------------


def clean_filename(name: str | None) -> str:
    """The uploaded filename as a label: kept as data, shortened, never used as a path."""
    cleaned = clean_text(name or "").replace("\n", " ").replace("\t", " ").strip()
    return cleaned[:MAX_FILENAME_LENGTH] or "upload"


def split_tags(values: Iterable[str]) -> list[str]:
    """Tags from form values that may each hold several, comma-separated; '#' is dropped."""
    tags: list[str] = []
    for value in values:
        tags.extend(part.strip().lstrip("#").strip() for part in value.split(","))
    return [tag for tag in tags if tag]


def validate_descriptive(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Check descriptive fields (title, object_number, description, alt_text, tags).

    Returns the cleaned values of the fields given; raises ``InvalidInput`` naming each bad one.
    """
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field, value in fields.items():
        if field in FIELD_LIMITS:
            if not isinstance(value, str):
                errors[field] = "must be a string"
                continue
            text = clean_text(value).strip()
            if len(text) > FIELD_LIMITS[field]:
                errors[field] = f"must be at most {FIELD_LIMITS[field]} characters"
            else:
                cleaned[field] = text
        elif field == "tags":
            if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
                errors[field] = "must be a list of strings"
                continue
            tags = _unique_casefolded(clean_text(tag).strip().lstrip("#") for tag in value)
            if len(tags) > MAX_TAGS:
                errors[field] = f"at most {MAX_TAGS} tags"
            elif any(len(tag) > MAX_TAG_LENGTH or "," in tag for tag in tags):
                errors[field] = f"each tag at most {MAX_TAG_LENGTH} characters, without commas"
            else:
                cleaned[field] = tags
        else:
            errors[field] = "is not a descriptive field"
    if errors:
        raise InvalidInput(errors)
    return cleaned


def _unique_casefolded(tags: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for tag in tags:
        if tag:
            seen.setdefault(tag.casefold(), tag)
    return list(seen.values())


def encode_cursor(asset_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{asset_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, number = text.partition(":")
        if prefix == "id" and number.isdigit():
            return int(number)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise InvalidInput({"cursor": "is not a cursor this API returned"})


# --- use cases ---------------------------------------------------------------------------


def ingest(
    session: Session,
    store: BlobStore,
    spool: Spool,
    *,
    filename: str | None,
    fields: Mapping[str, Any],
    uploaded_by: str,
    max_pixels: int,
    reveal_deleter: bool = False,
) -> tuple[Asset, bool]:
    """Store an uploaded original once; return the asset and whether it is new.

    The same bytes again return the existing asset untouched; the bytes of a deleted asset
    are refused, naming who deleted it only when ``reveal_deleter`` (the caller is an admin).
    The blob is written before the row is committed; if the commit fails, the blob is
    removed unless a row owns it.
    """
    if spool.size == 0:
        raise InvalidInput({"file": "is empty"})
    metrics.observe_upload(spool.size)
    descriptive = validate_descriptive(fields)
    existing = _by_sha256(session, spool.sha256)
    if existing is not None and existing.deleted_at is not None:
        by = f" by {existing.deleted_by}" if reveal_deleter else ""
        raise AssetDeleted(
            f"These bytes are asset {existing.id}, deleted on {existing.deleted_at:%Y-%m-%d}"
            f"{by}; an admin can restore it."
        )
    if existing is not None:
        return existing, False
    info = identify(spool.path, max_pixels)
    try:
        embedded = read_metadata(spool.path)
    except UnsafeMetadata as error:
        raise UnsafeFile(str(error)) from None

    key = original_key(spool.sha256)
    asset = Asset(
        sha256=spool.sha256,
        blob_key=key,
        original_filename=clean_filename(filename),
        media_type=info.media_type,
        byte_size=spool.size,
        width=info.width,
        height=info.height,
        uploaded_by=uploaded_by,
        metadata_summary=embedded.summary,
        metadata_raw=embedded.raw,
        metadata_warnings=embedded.warnings,
        **{name: value for name, value in descriptive.items() if name != "tags"},
    )
    asset.tag_rows = [AssetTag(tag=tag) for tag in descriptive.get("tags", [])]
    asset.rights = proposed_rights_record(embedded.summary)

    spool.seek(0)
    try:
        store.put(key, spool, info.media_type)  # type: ignore[arg-type]
    except StorageUnavailable as error:
        raise StorageDown(f"The original could not be stored: {error}") from None
    try:
        session.add(asset)
        session.commit()
    except Exception as error:
        session.rollback()
        owner = _owner_or_none(session, spool.sha256)
        if owner is not None and isinstance(error, IntegrityError):
            return owner, False  # the same bytes were committed first by another upload
        if owner is None:
            _delete_quietly(store, key)
        if isinstance(error, OperationalError):
            raise DatabaseDown("The asset could not be saved; nothing was kept.") from error
        raise
    return asset, True


def _by_sha256(session: Session, sha256: str) -> Asset | None:
    return session.scalar(select(Asset).where(Asset.sha256 == sha256))


def _owner_or_none(session: Session, sha256: str) -> Asset | None:
    """The committed asset for these bytes; None also when the database cannot say."""
    try:
        return _by_sha256(session, sha256)
    except OperationalError:
        session.rollback()
        return None


def _delete_quietly(store: BlobStore, key: str) -> None:
    # If the store is down too, `vitrine storage check --fix` removes the blob later.
    with contextlib.suppress(StorageUnavailable):
        store.delete(key)


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


def update_asset(
    session: Session, asset: Asset, changes: Mapping[str, Any], *, actor: str
) -> Asset:
    """Change descriptive fields, keeping the history; the caller commits."""
    cleaned = validate_descriptive(changes)
    before = {field: asset.tags if field == "tags" else getattr(asset, field) for field in cleaned}
    record_changes(session, asset.id, actor, before, cleaned)
    for field, value in cleaned.items():
        if field == "tags":
            # Delete the old rows first: a tag that stays would otherwise collide with its
            # own old row. New rows keep the order given.
            asset.tag_rows = []
            session.flush()
            asset.tag_rows = [AssetTag(tag=tag) for tag in value]
        else:
            setattr(asset, field, value)
    if cleaned:
        asset.updated_at = utcnow()  # the tag rows change in another table
    session.flush()
    return asset


def delete_asset(session: Session, asset: Asset, *, actor: str, now: datetime) -> None:
    """Hide an asset at once; ``purge_deleted`` removes it and its blobs after the retention.

    A soft delete, so that a mistaken click is undone with ``restore_asset``; the caller commits.
    """
    asset.deleted_at, asset.deleted_by = now, actor
    record_changes(session, asset.id, actor, {"deleted": False}, {"deleted": True})
    session.flush()


def restore_asset(session: Session, asset_id: int, *, actor: str) -> Asset:
    """Bring back a deleted asset that has not been purged yet; the caller commits."""
    asset = session.get(Asset, asset_id)
    if asset is None:
        raise NotFound(f"There is no asset {asset_id} to restore (it may have been purged).")
    if asset.deleted_at is not None:
        asset.deleted_at, asset.deleted_by = None, None
        record_changes(session, asset.id, actor, {"deleted": True}, {"deleted": False})
        session.flush()
    return asset


def purge_deleted(session: Session, store: BlobStore, *, before: datetime) -> list[int]:
    """Remove assets deleted before ``before``, rows first, then their original, its working
    copy and their variants.

    Each asset is committed on its own: if a blob delete then fails, what is left is an
    orphan blob that ``check_storage`` finds, never a row pointing at nothing.
    """
    purged = []
    query = select(Asset).where(Asset.deleted_at.is_not(None), Asset.deleted_at < before)
    for asset in list(session.scalars(query)):
        keys = [asset.blob_key, working_copy.blob_key(asset.sha256)]
        keys += session.scalars(select(Variant.blob_key).where(Variant.asset_id == asset.id))
        purged.append(asset.id)
        session.delete(asset)
        session.commit()
        for key in keys:
            _delete_quietly(store, key)
    return purged


def open_original(store: BlobStore, asset: Asset) -> IO[bytes]:
    """A readable stream of the original's bytes."""
    try:
        return store.open(asset.blob_key)
    except BlobNotFound:
        raise NotFound(
            f"The original of asset {asset.id} is missing from the blob store."
        ) from None
    except StorageUnavailable as error:
        raise StorageDown(str(error)) from None


# An upload writes its blob a moment before its row commits; younger blobs may be in flight.
ORPHAN_GRACE = timedelta(hours=1)


@dataclass(frozen=True)
class StorageReport:
    """Unowned blobs (old enough to be orphans, or recent), and rows whose blob is gone."""

    orphan_keys: list[str]
    recent_keys: list[str]
    missing: list[tuple[int, str]]


def check_storage(
    session: Session, store: BlobStore, *, now: datetime, grace: timedelta = ORPHAN_GRACE
) -> StorageReport:
    """Compare the originals and their working copies in the blob store with the asset rows.

    A working copy is owned while its original's asset exists and its spec is the current one.
    """
    blobs = {entry.key: entry.modified_at for entry in store.entries("originals/")}
    rows = {key: asset_id for key, asset_id in session.execute(select(Asset.blob_key, Asset.id))}
    unowned = sorted(blobs.keys() - rows.keys())
    copies = {entry.key: entry.modified_at for entry in store.entries(working_copy.PREFIX)}
    if copies:
        digests = set(session.scalars(select(Asset.sha256)))
        blobs |= copies
        unowned += sorted(key for key in copies if not _owned_copy(key, digests))
    return StorageReport(
        orphan_keys=[key for key in unowned if now - blobs[key] >= grace],
        recent_keys=[key for key in unowned if now - blobs[key] < grace],
        missing=sorted((asset_id, key) for key, asset_id in rows.items() if key not in blobs),
    )


def remove_orphans(session: Session, store: BlobStore, keys: Iterable[str]) -> list[str]:
    """Delete orphan blobs, re-checking each against the rows just before."""
    removed = []
    for key in keys:
        if (digest := working_copy.original_digest(key)) is not None:
            owner = session.scalar(select(Asset.sha256).where(Asset.sha256 == digest))
            orphan = not _owned_copy(key, {owner} if owner else set())
        else:
            orphan = session.scalar(select(Asset.id).where(Asset.blob_key == key)) is None
        if orphan:
            store.delete(key)
            removed.append(key)
    return removed


def _owned_copy(key: str, digests: set[str]) -> bool:
    digest = working_copy.original_digest(key)
    return digest in digests and key == working_copy.blob_key(digest)
