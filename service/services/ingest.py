"""Storing an upload's original once: identify it, read its embedded rights, write the blob
and then its row, and store again an original the blob store has lost.

The row is committed in a short transaction of its own beside the caller's
(``db.factory_of``): the blob is written before the row that owns it is committed, and
deleted again only once the database has confirmed that no row owns it. When the database
cannot say (a commit whose answer was lost), the blob is kept: an orphan is what
``vitrine storage check --fix`` is for, a row whose original is gone is a loss.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from service.media.imaging import identify
from service.media.metadata import UnsafeMetadata, read_metadata
from service.rules import consent
from service.rules.problems import AssetDeleted, DatabaseDown, InvalidInput, StorageDown, UnsafeFile
from service.services.descriptive import clean_filename, validate_descriptive
from service.services.history import record_changes
from service.services.meters import meter
from service.services.rights import proposed_rights_record
from service.storage.blobs import BlobStore, StorageUnavailable, original_key
from service.storage.db import BLOB_LOCK_WAIT_SECONDS, factory_of, lock_blob, utcnow
from service.storage.models import Asset, AssetTag
from service.storage.spool import Spool


class Ingested(NamedTuple):
    """What became of an upload: the asset, whether it is new, and whether the original it
    had lost from the blob store was stored again from these bytes."""

    asset: Asset
    created: bool
    restored: bool = False


UNKNOWN_OUTCOME = (
    "The database did not confirm whether the upload was saved: the outcome is unknown. "
    "Retry the upload; the same bytes are recognised."
)


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
) -> Ingested:
    """Store an uploaded original once; say whether it is new.

    The same bytes again return the existing asset untouched, except that an original missing
    from the blob store is stored again from them; the bytes of a deleted asset are refused,
    naming who deleted it only when ``reveal_deleter`` (the caller is an admin). The blob is
    written before the row is committed; if the commit fails, the blob is removed only when
    the database confirms that no row owns it.
    """
    if spool.size == 0:
        raise InvalidInput({"file": "is empty"})
    meter().observe_upload(spool.size)
    descriptive = validate_descriptive(fields)
    existing = _by_sha256(session, spool.sha256)
    if existing is not None and existing.deleted_at is not None:
        by = f" by {existing.deleted_by}" if reveal_deleter else ""
        raise AssetDeleted(
            f"These bytes are asset {existing.id}, deleted on {existing.deleted_at:%Y-%m-%d}"
            f"{by}; an admin can restore it."
        )
    if existing is not None:
        restored = _restore_missing_original(session, store, spool, existing, actor=uploaded_by)
        return Ingested(existing, False, restored)
    info = identify(spool.path, max_pixels)
    try:
        embedded = read_metadata(spool.path)
    except UnsafeMetadata as error:
        raise UnsafeFile(str(error)) from None

    key = original_key(spool.sha256)
    created_at = utcnow()  # also tells our row from another upload's after a lost answer
    asset = Asset(
        sha256=spool.sha256,
        blob_key=key,
        original_filename=clean_filename(filename),
        media_type=info.media_type,
        byte_size=spool.size,
        width=info.width,
        height=info.height,
        uploaded_by=uploaded_by,
        created_at=created_at,
        metadata_summary=embedded.summary,
        metadata_raw=embedded.raw,
        metadata_warnings=embedded.warnings,
        **{name: value for name, value in descriptive.items() if name != "tags"},
    )
    asset.tag_rows = [AssetTag(tag=tag) for tag in descriptive.get("tags", [])]
    asset.people_status, asset.people_proposed = proposed_people(embedded.summary.get("people"))
    asset.rights = proposed_rights_record(embedded.summary)

    # The row that owns the blob is committed in a transaction of its own, at once: the blob
    # is written before it and deleted again only if the database confirms that no row owns
    # it, which the caller's transaction, committed later by someone else, could not order.
    with factory_of(session)() as own:
        lock_blob(own, key)  # until the commit: no clean-up deletes the blob in between
        spool.seek(0)
        try:
            store.put(key, spool, info.media_type)  # type: ignore[arg-type]
        except StorageUnavailable as error:
            own.rollback()
            raise StorageDown(f"The original could not be stored: {error}") from None
        try:
            own.add(asset)
            own.commit()
        except Exception as error:
            owner_id, ours = _after_failed_commit(own, store, key, error, created_at)
        else:
            owner_id, ours = asset.id, True
    # The caller's session loads the committed row, so that what it goes on to do with the
    # asset (a rights proposal, the answer) works on an object of its own.
    owner = session.get(Asset, owner_id)
    assert owner is not None  # committed, and never purged within an upload
    return Ingested(owner, ours)


def proposed_people(people: Mapping[str, Any] | None) -> tuple[str, bool]:
    """(people_status, people_proposed) as the file's metadata suggests them.

    Named people (and person regions without a name) make "depicted"; a release status of
    "not applicable" makes "none"; otherwise "unknown", not proposed. The names themselves
    stay in the metadata summary, for the rights role to confirm into the register: a name
    typed by a photographer is not yet a person with consents.
    """
    if not people:
        return "unknown", False
    regions = people.get("regions") or []
    unnamed = [""] * (
        sum(1 for r in regions if not r.get("name")) + people.get("unplaced_regions", 0)
    )
    shown = [*people.get("names", []), *unnamed]
    status = consent.proposed_status(people.get("release_status"), shown)
    return status, status != "unknown"


def _after_failed_commit(
    own: Session, store: BlobStore, key: str, error: Exception, created_at: datetime
) -> tuple[int, bool]:
    """Ask the database what became of a commit that raised, and act on its answer only.

    The commit may have reached the database with only its answer lost: a row may own the
    blob. It is deleted only when the database answers that none does; when it cannot say,
    it is kept and the caller told that the outcome is unknown. Returns the owner's id and
    whether it is our row.
    """
    with contextlib.suppress(SQLAlchemyError):
        own.rollback()
    try:
        # Waits for a transaction still committing that row (on a connection we lost).
        lock_blob(own, key, wait_seconds=BLOB_LOCK_WAIT_SECONDS)
        owner = own.scalar(select(Asset).where(Asset.blob_key == key))
        if owner is None:
            _delete_quietly(store, key)
        own.commit()  # nothing written: ends the transaction and its lock
    except SQLAlchemyError:
        with contextlib.suppress(SQLAlchemyError):
            own.rollback()
        raise DatabaseDown(UNKNOWN_OUTCOME) from error
    if owner is not None:
        # Our own row, when only the commit's answer was lost; else the same bytes were
        # committed first by another upload.
        ours = not isinstance(error, IntegrityError) and owner.created_at == created_at
        return owner.id, ours
    if isinstance(error, OperationalError):
        raise DatabaseDown("The asset could not be saved; nothing was kept.") from error
    raise error


def _restore_missing_original(
    session: Session, store: BlobStore, spool: Spool, asset: Asset, *, actor: str
) -> bool:
    """Store the upload as the asset's original if the blob store has lost it; True if so.

    A store that cannot say whether it holds the original is left alone: the answer that the
    bytes are already stored stays true.
    """
    try:
        present = store.exists(asset.blob_key)
    except StorageUnavailable:
        return False
    if present:
        return False
    try:
        if _file_sha256(spool) != asset.sha256:  # the spool is what is stored: check it again
            raise StorageDown("The upload changed while it was being stored; try again.")
        spool.seek(0)
        store.put(asset.blob_key, spool, asset.media_type)  # type: ignore[arg-type]
    except StorageUnavailable as error:
        raise StorageDown(f"The missing original could not be stored again: {error}") from None
    record_changes(session, asset.id, actor, {"original": "missing"}, {"original": "restored"})
    return True


def _file_sha256(spool: Spool) -> str:
    digest = hashlib.sha256()
    spool.seek(0)
    while chunk := spool.read(1024 * 1024):
        digest.update(chunk)
    return digest.hexdigest()


def _by_sha256(session: Session, sha256: str) -> Asset | None:
    return session.scalar(select(Asset).where(Asset.sha256 == sha256))


def _delete_quietly(store: BlobStore, key: str) -> None:
    # If the store is down too, `vitrine storage check --fix` removes the blob later.
    with contextlib.suppress(StorageUnavailable):
        store.delete(key)
