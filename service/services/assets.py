"""Use cases for assets: ingest an upload, find, describe, delete, restore and purge.

Each function takes the session and the blob store from its caller (the API, the web form,
the CLI), so every entrypoint runs the same rules. Callers own the transaction: nothing here
commits or rolls back the session it is given. This module keeps an asset's life after its
upload (edit, delete, restore, purge, read the original) and gathers the rest under the names
callers use: the upload in ``ingest``, the descriptive fields in ``descriptive``, finding
assets in ``asset_queries``, and which blobs rows own in ``blob_ownership``.
``purge_deleted`` orders its row and blob writes itself, in short transactions of its own
beside the caller's (``db.factory_of``): a blob is deleted only once the database has
confirmed that no row owns it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from service.rules.problems import DatabaseDown, NotFound, StorageDown
from service.services import iiif_pyramids, rights, working_copy
from service.services.asset_queries import FILTER_NAMES as FILTER_NAMES
from service.services.asset_queries import SORTS as SORTS
from service.services.asset_queries import AssetFilters as AssetFilters
from service.services.asset_queries import filters_from as filters_from
from service.services.asset_queries import get_asset as get_asset
from service.services.asset_queries import list_assets as list_assets
from service.services.blob_ownership import ORPHAN_GRACE as ORPHAN_GRACE
from service.services.blob_ownership import check_storage as check_storage
from service.services.blob_ownership import remove_orphans as remove_orphans
from service.services.blob_ownership import remove_unowned as remove_unowned
from service.services.descriptive import FIELD_LIMITS as FIELD_LIMITS
from service.services.descriptive import clean_filename as clean_filename
from service.services.descriptive import split_tags as split_tags
from service.services.descriptive import validate_descriptive as validate_descriptive
from service.services.history import record_changes
from service.services.ingest import Ingested as Ingested
from service.services.ingest import ingest as ingest
from service.storage.blobs import BlobNotFound, BlobStore, StorageUnavailable
from service.storage.db import factory_of, utcnow
from service.storage.models import Asset, AssetTag, Variant


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


# The rights fields an upload batch may propose, and the statuses in which the rights desk has
# decided: a batch never changes a decided record.
BATCH_RIGHTS = ("holder", "credit_line")
DECIDED_STATUSES = frozenset({"cleared", "restricted"})


@dataclass(frozen=True)
class BatchApplied:
    """What an upload batch's shared fields did to an asset that was already in the library."""

    tags_added: list[str]
    tags_present: list[str]
    rights_applied: list[str]
    # Each rights field left as it was, and why: "already set", "the same" or "decided".
    rights_left: dict[str, str]


def apply_batch(
    session: Session,
    asset: Asset,
    *,
    tags: Sequence[str],
    proposed_rights: Mapping[str, str],
    actor: str,
    now: datetime,
) -> BatchApplied:
    """Apply an upload batch's shared fields to an asset its bytes already are; the caller
    commits.

    Tags are added to the asset's own, never replacing them. A rights field (holder, credit
    line) is proposed only where the asset's record has no value yet and the rights desk has
    not decided it (cleared or restricted): what someone set is never overwritten.
    """
    have = {tag.casefold() for tag in asset.tags}
    new: list[str] = validate_descriptive({"tags": list(tags)}).get("tags", [])
    added = [tag for tag in new if tag.casefold() not in have]
    present = [tag for tag in new if tag.casefold() in have]
    if added:
        update_asset(session, asset, {"tags": [*asset.tags, *added]}, actor=actor)
    record = rights.rights_of(session, asset)
    applied: dict[str, str] = {}
    left: dict[str, str] = {}
    for name in BATCH_RIGHTS:
        value = proposed_rights.get(name, "")
        if not value:
            continue
        current = getattr(record, name) or ""
        if record.status in DECIDED_STATUSES:
            left[name] = "decided"
        elif current == value:
            left[name] = "the same"
        elif current:
            left[name] = "already set"
        else:
            applied[name] = value
    if applied:
        rights.propose(session, asset, applied, actor=actor, now=now)
    return BatchApplied(added, present, list(applied), left)


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


class PurgeUnconfirmed(DatabaseDown):
    """The database did not confirm that an asset was purged: its blobs were kept."""


def _deleted_before(before: datetime) -> tuple[ColumnElement[bool], ...]:
    """The condition of a purgeable asset: deleted, and before ``before``."""
    return (Asset.deleted_at.is_not(None), Asset.deleted_at < before)


def purgeable(session: Session, *, before: datetime) -> list[int]:
    """The ids of the assets a purge with ``before`` would remove."""
    return list(session.scalars(select(Asset.id).where(*_deleted_before(before))))


def purge_deleted(session: Session, store: BlobStore, *, before: datetime) -> list[int]:
    """Remove assets deleted before ``before``, rows first, then their original, variants,
    working copy and IIIF pyramid and answers.

    Each asset is committed on its own, and only an asset still deleted is removed (one
    restored meanwhile stays). Its blobs are deleted once the commit is confirmed and each is
    confirmed unowned (the same bytes may have been uploaded again meanwhile): a failure
    leaves at most an orphan blob that ``check_storage`` finds, never a row pointing at
    nothing.
    """
    purged: list[int] = []
    due = _deleted_before(before)
    listed = select(Asset.id, Asset.blob_key, Asset.sha256).where(*due)
    # Only short transactions of its own, the caller's session is not used: after a lost
    # answer it holds no connection to a database that may be gone.
    sessions = factory_of(session)
    with sessions() as reading:
        listing = list(reading.execute(listed))
    for asset_id, key, digest in listing:
        # Each asset in a transaction of its own: its blobs go once its rows are gone for sure.
        with sessions() as own:
            keys = [key, working_copy.blob_key(digest)]
            keys += own.scalars(select(Variant.blob_key).where(Variant.asset_id == asset_id))
            removed = own.execute(delete(Asset).where(Asset.id == asset_id, *due))
            try:
                own.commit()
            except SQLAlchemyError as error:
                with contextlib.suppress(SQLAlchemyError):
                    own.rollback()
                done = f" (purged before it: {', '.join(map(str, purged))})" if purged else ""
                raise PurgeUnconfirmed(
                    f"The database did not confirm the purge of asset {asset_id}; its blobs "
                    f"were kept{done}. Run the purge again; `vitrine storage check --fix` "
                    "removes blobs left without their asset."
                ) from error
        if getattr(removed, "rowcount", 0) != 1:
            continue  # restored, or purged by another run, since it was listed
        purged.append(asset_id)
        iiif_pyramids.forget(digest)
        remove_unowned(session, store, [*keys, *iiif_pyramids.keys_of(store, digest)])
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
