"""Use cases for assets: ingest an upload, find, describe, delete, and check the blob store.

Each function takes the session and the blob store from its caller (the API, the web form,
the CLI), so every entrypoint runs the same rules. Callers own the transaction: nothing here
commits or rolls back the session it is given. ``ingest``, ``purge_deleted`` and
``remove_unowned`` must order their blob and row writes themselves, and do so in short
transactions of their own beside the caller's (``db.factory_of``): a blob is written before
the row that owns it is committed, and deleted only once the database has confirmed that no
row owns it. When the database cannot say (a commit whose answer was lost), the blob is kept:
an orphan is what ``vitrine storage check --fix`` is for, a row whose original is gone is a
loss.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import dataclasses
import hashlib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any, NamedTuple

from sqlalchemy import ColumnElement, Select, delete, func, or_, select
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import InstrumentedAttribute, Session

from service.media.imaging import identify
from service.media.metadata import UnsafeMetadata, read_metadata
from service.rules.problems import (
    AssetDeleted,
    DatabaseDown,
    InvalidInput,
    NotFound,
    StorageDown,
    UnsafeFile,
)
from service.rules.text import DIRECTION_CONTROLS, clean_field, clean_text
from service.services import working_copy
from service.services.history import record_changes
from service.services.meters import meter
from service.services.rights import proposed_rights_record
from service.storage.blobs import BlobNotFound, BlobStore, StorageUnavailable, original_key
from service.storage.db import BLOB_LOCK_WAIT_SECONDS, factory_of, lock_blob, utcnow
from service.storage.models import Asset, AssetTag, RightsRecord, Variant
from service.storage.spool import Spool

# Longest value of each descriptive field; far beyond real use, short of abuse.
FIELD_LIMITS = {"title": 500, "object_number": 100, "description": 10_000, "alt_text": 2_000}
# Fields that may hold several lines; the others fold line breaks and tabs into a space.
MULTILINE_FIELDS = frozenset({"description", "alt_text"})
MAX_TAGS = 50
MAX_TAG_LENGTH = 64
MAX_FILENAME_LENGTH = 255


# --- pure rules --------------------------------------------------------------------------


def clean_filename(name: str | None) -> str:
    """The uploaded filename as a label: kept as data, shortened, never used as a path.

    Joiners and emoji sequences stay, so a Persian or emoji name reads as written; direction
    controls are dropped rather than refused (a label is not worth refusing the photo for),
    since "basket\u202egpj.exe" is the classic way to make a name show a false extension.
    """
    cleaned = clean_text(name or "", multiline=False)
    cleaned = "".join(char for char in cleaned if char not in DIRECTION_CONTROLS).strip()
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
            try:
                text = clean_field(value, multiline=field in MULTILINE_FIELDS)
            except ValueError as error:
                errors[field] = str(error)
                continue
            if len(text) > FIELD_LIMITS[field]:
                errors[field] = f"must be at most {FIELD_LIMITS[field]} characters"
            else:
                cleaned[field] = text
        elif field == "tags":
            if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
                errors[field] = "must be a list of strings"
                continue
            try:
                tags = _unique_casefolded(
                    clean_field(tag, multiline=False).lstrip("#") for tag in value
                )
            except ValueError as error:
                errors[field] = str(error)
                continue
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
            # Spellings that differ only in Unicode composition are one tag.
            seen.setdefault(unicodedata.normalize("NFC", tag).casefold(), tag)
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


class PurgeUnconfirmed(DatabaseDown):
    """The database did not confirm that an asset was purged: its blobs were kept."""


def _deleted_before(before: datetime) -> tuple[ColumnElement[bool], ...]:
    """The condition of a purgeable asset: deleted, and before ``before``."""
    return (Asset.deleted_at.is_not(None), Asset.deleted_at < before)


def purgeable(session: Session, *, before: datetime) -> list[int]:
    """The ids of the assets a purge with ``before`` would remove."""
    return list(session.scalars(select(Asset.id).where(*_deleted_before(before))))


def purge_deleted(session: Session, store: BlobStore, *, before: datetime) -> list[int]:
    """Remove assets deleted before ``before``, rows first, then their original and variants.

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
        remove_unowned(session, store, keys)
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

# Where the blob store keeps blobs that rows own, and the columns that name them: a blob under
# one of these prefixes that no such column names is an orphan. Blobs elsewhere are left alone.
BLOB_OWNERS: dict[str, tuple[InstrumentedAttribute[str], ...]] = {
    "originals/": (Asset.blob_key,),
    "variants/": (Variant.blob_key,),  # publishable variants (variants.BLOB_PREFIXES)
    "previews/": (Variant.blob_key,),  # internal previews, rows of the same table
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
    """Compare the originals, their working copies, variants and previews in the blob store
    with their rows (a working copy is owned while its original's asset is, under the current
    spec)."""
    prefixes = [*BLOB_OWNERS, working_copy.PREFIX]
    blobs = {entry.key: entry.modified_at for prefix in prefixes for entry in store.entries(prefix)}
    owned = {key for columns in BLOB_OWNERS.values() for column in columns
             for key in session.scalars(select(column))}  # fmt: skip
    owned |= {working_copy.blob_key(digest) for digest in session.scalars(select(Asset.sha256))}
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
    return any(
        session.scalar(select(column).where(column == key).limit(1)) is not None
        for owners in BLOB_OWNERS.values()
        for column in owners
    )
