"""Which blobs rows own: the storage check (orphan blobs, rows whose blob is gone), and
deleting blobs only once the database confirms that no row owns them.

Each blob is checked and deleted under its lock (``db.lock_blob``) in a short transaction of
its own beside the caller's, so an upload of the same bytes, or a commit still on its way, is
waited for rather than overtaken; a database that does not answer keeps the blob.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import InstrumentedAttribute, Session

from service.services import iiif_pyramids, working_copy
from service.storage.blobs import BlobStore, StorageUnavailable
from service.storage.db import BLOB_LOCK_WAIT_SECONDS, factory_of, lock_blob
from service.storage.models import Asset, Consent, Variant

# An upload writes its blob a moment before its row commits; younger blobs may be in flight.
ORPHAN_GRACE = timedelta(hours=1)

# Where the blob store keeps blobs that rows own, and the columns that name them: a blob under
# one of these prefixes that no such column names is an orphan. Blobs elsewhere are left alone.
KeyColumn = InstrumentedAttribute[str] | InstrumentedAttribute[str | None]
BLOB_OWNERS: dict[str, tuple[KeyColumn, ...]] = {
    "originals/": (Asset.blob_key,),
    "variants/": (Variant.blob_key,),  # publishable variants (variants.BLOB_PREFIXES)
    "previews/": (Variant.blob_key,),  # internal previews, rows of the same table
    "evidence/": (Consent.evidence_key,),  # signed consent forms (services/consents)
}


@dataclass(frozen=True)
class StorageReport:
    """Unowned blobs (old enough to be orphans, or recent), and rows whose blob is gone."""

    orphan_keys: list[str]
    recent_keys: list[str]
    missing: list[tuple[int, str]]  # originals: (asset id, key)
    # ready variants: (variant id, asset id, key)
    missing_variants: list[tuple[int, int, str]] = dataclasses.field(default_factory=list)


def check_storage(
    session: Session, store: BlobStore, *, now: datetime, grace: timedelta = ORPHAN_GRACE
) -> StorageReport:
    """Compare the originals, their working copies, IIIF pyramids and answers, variants and
    previews in the blob store with their rows (a working copy, pyramid or kept answer is
    owned while its original's asset is, under the current spec)."""
    prefixes = [*BLOB_OWNERS, working_copy.PREFIX, iiif_pyramids.PREFIX]
    blobs = {entry.key: entry.modified_at for prefix in prefixes for entry in store.entries(prefix)}
    owned = {key for columns in BLOB_OWNERS.values() for column in columns
             for key in session.scalars(select(column))}  # fmt: skip
    digests = set(session.scalars(select(Asset.sha256)))
    owned |= {working_copy.blob_key(digest) for digest in digests}
    owned |= {key for key in blobs if iiif_pyramids.owner_digest(key) in digests}
    unowned = sorted(blobs.keys() - owned)
    originals = session.execute(select(Asset.id, Asset.blob_key))
    ready = session.execute(
        select(Variant.id, Variant.asset_id, Variant.blob_key).where(Variant.status == "ready")
    )
    return StorageReport(
        orphan_keys=[key for key in unowned if now - blobs[key] >= grace],
        recent_keys=[key for key in unowned if now - blobs[key] < grace],
        missing=sorted((asset_id, key) for asset_id, key in originals if key not in blobs),
        missing_variants=sorted(
            (variant_id, asset_id, key) for variant_id, asset_id, key in ready if key not in blobs
        ),
    )


OWNED = "a row owns it"


@dataclass(frozen=True)
class Removal:
    """Blobs deleted, and blobs kept with the reason (owned, or the answer was unknown)."""

    removed: list[str]
    kept: list[tuple[str, str]]

    @property
    def unsure(self) -> list[tuple[str, str]]:
        """Kept only because the database or the blob store could not answer."""
        return [(key, why) for key, why in self.kept if why != OWNED]


def remove_orphans(session: Session, store: BlobStore, keys: Iterable[str]) -> Removal:
    """Delete orphan blobs, each confirmed unowned by the database just before."""
    return remove_unowned(session, store, keys)


def remove_unowned(session: Session, store: BlobStore, keys: Iterable[str]) -> Removal:
    """Delete each blob that the database answers no row owns; keep the others.

    Each key is checked and deleted under its blob lock (``db.lock_blob``), so an upload of
    the same bytes, or a commit still on its way, is waited for rather than overtaken. A
    database that does not answer keeps the blob.
    """
    removed: list[str] = []
    kept: list[tuple[str, str]] = []
    sessions = factory_of(session)
    for key in keys:
        # Each key under its lock in a short transaction of its own, which writes nothing:
        # ending it releases the lock at once, whatever the caller's transaction does.
        with sessions() as own:
            try:
                lock_blob(own, key, wait_seconds=BLOB_LOCK_WAIT_SECONDS)
                owned = _is_owned(own, key)
                if not owned:
                    store.delete(key)
            except SQLAlchemyError as error:
                kept.append((key, f"the database did not answer ({type(error).__name__})"))
            except StorageUnavailable as error:
                kept.append((key, f"the blob store did not answer ({error})"))
            else:
                if owned:
                    kept.append((key, OWNED))
                else:
                    removed.append(key)
            _end_transaction(own)
    return Removal(removed, kept)


def _end_transaction(own: Session) -> None:
    """End a short transaction that wrote nothing, and its locks."""
    try:
        own.commit()
    except SQLAlchemyError:
        with contextlib.suppress(SQLAlchemyError):
            own.rollback()


def _is_owned(session: Session, key: str) -> bool:
    if (digest := working_copy.original_digest(key)) is not None:
        owner = session.scalar(select(Asset.id).where(Asset.sha256 == digest).limit(1))
        return owner is not None and key == working_copy.blob_key(digest)
    if key.startswith(iiif_pyramids.PREFIX):
        digest = iiif_pyramids.owner_digest(key)  # None: a pyramid of an older spec
        query = select(Asset.id).where(Asset.sha256 == digest).limit(1)
        return digest is not None and session.scalar(query) is not None
    return any(
        session.scalar(select(column).where(column == key).limit(1)) is not None
        for owners in BLOB_OWNERS.values()
        for column in owners
    )
