"""Dropping variants that no longer hold: those a fresh render supersedes, those carrying an
older rights revision, and those whose holder's credit rule changed. An outdated variant's row
goes only once its blob is gone, so a signed URL handed out under old rights stops working; a
superseded one's row goes first, and its blob once that is committed."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.rules import credits
from service.services.variant_keys import VARIANT
from service.storage.blobs import BlobStore, StorageUnavailable
from service.storage.models import RightsRecord, Variant

log = logging.getLogger(__name__)


def drop_superseded(session: Session, fresh: Variant) -> list[str]:
    """Delete the rows of older variants of the same asset, kind and preset, now that this one
    replaces them; return their blob keys, to delete once that is committed."""
    query = select(Variant).where(
        Variant.asset_id == fresh.asset_id,
        Variant.kind == fresh.kind,
        Variant.preset == fresh.preset,
        Variant.id != fresh.id,
        Variant.status == "ready",
    )
    keys = []
    for old in session.scalars(query):
        if old.blob_key != fresh.blob_key:
            keys.append(old.blob_key)
        session.delete(old)
    return keys


def drop_variants(session: Session, store: BlobStore, rows: Iterable[Variant]) -> list[Variant]:
    """Delete each variant's blob, then its row; those whose blob could not be deleted now
    keep their row, so that the next drop tries again. The caller commits."""
    dropped = []
    for old in list(rows):
        try:
            store.delete(old.blob_key)
        except StorageUnavailable:
            log.warning("could not delete %s blob %s; will retry", old.kind, old.blob_key)
            continue
        session.delete(old)
        dropped.append(old)
    return dropped


def drop_outdated_rights(session: Session, store: BlobStore, asset_id: int) -> list[str]:
    """Delete the asset's publishable variants that carry an older rights revision; the
    names of their presets. The caller commits.

    Run as soon as the rights change is committed: a signed URL handed out under the old
    rights stops working once the blob is gone (an S3 presigned URL cannot be revoked).
    """
    current = select(RightsRecord.revision).where(RightsRecord.asset_id == asset_id)
    query = select(Variant).where(
        Variant.asset_id == asset_id,
        Variant.kind == VARIANT,
        Variant.status == "ready",
        Variant.rights_revision != current.scalar_subquery(),
    )
    return sorted({old.preset for old in drop_variants(session, store, session.scalars(query))})


def drop_outdated_credits(session: Session, store: BlobStore, holders: Collection[str]) -> int:
    """Delete the publishable variants of assets whose holder's credit rule changed (they
    carry the old wording, or an old burn-in); how many. The caller commits."""
    if not holders:
        return 0
    query = (
        select(Variant, RightsRecord.holder)
        .join(RightsRecord, RightsRecord.asset_id == Variant.asset_id)
        .where(Variant.kind == VARIANT, Variant.status == "ready")
    )
    outdated = [
        variant
        for variant, holder in session.execute(query)
        if credits.normalise_holder(holder) in holders
    ]
    return len(drop_variants(session, store, outdated))
