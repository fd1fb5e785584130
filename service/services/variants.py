"""Use cases for variants: render once per key, cache in the blob store, hand out signed URLs.

A variant's key digests everything that shapes its bytes (the original, the preset's spec,
the focal point, and the rights written into it) and the rights record's revision, so a
change to any of them makes a new variant and the old one is dropped. The row is claimed
before rendering, so that concurrent requests for the same key render it once; a claim older
than the render timeout is taken over, so a crashed renderer never blocks a variant for good.

Two kinds share this machinery. A publishable ``variant`` is handed out only by the publish
gate, as a signed URL. A ``preview`` (previews.py) is internal: the library's thumbnails and
the asset page's image, served only to a signed-in session. Their blobs live apart
(``variants/`` and ``previews/``) under names keyed with a server-side secret, so nobody can
compute one from what a viewer can read (the original's hash, the preset's spec).

This module keeps the claim and the render, what serves a variant, and the focal point; it
gathers the rest under the names callers use: the settings and render slots in
``render_settings``, keys, stamps and blob names in ``variant_keys``, and dropping outdated
variants in ``variant_cleanup``.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.media import metadata, render
from service.rules.geometry import plan, validate_focal
from service.rules.presets import Preset
from service.rules.problems import InvalidInput, NotFound, Problem, StorageDown
from service.services import working_copy
from service.services.blob_ownership import remove_unowned
from service.services.history import record_changes
from service.services.meters import meter
from service.services.render_settings import RenderBusy as RenderBusy
from service.services.render_settings import RenderSettings as RenderSettings
from service.services.render_settings import render_slot as render_slot
from service.services.variant_cleanup import drop_outdated_credits as drop_outdated_credits
from service.services.variant_cleanup import drop_outdated_rights as drop_outdated_rights
from service.services.variant_cleanup import drop_superseded, drop_variants
from service.services.variant_keys import BLOB_PREFIXES as BLOB_PREFIXES
from service.services.variant_keys import NO_RIGHTS as NO_RIGHTS
from service.services.variant_keys import PREVIEW as PREVIEW
from service.services.variant_keys import VARIANT as VARIANT
from service.services.variant_keys import Kind as Kind
from service.services.variant_keys import Wanted as Wanted
from service.services.variant_keys import stamp_for as stamp_for
from service.services.variant_keys import variant_blob_key as variant_blob_key
from service.services.variant_keys import variant_key as variant_key
from service.services.variant_keys import wanted as wanted
from service.storage.blobs import BlobNotFound, BlobStore, StorageUnavailable
from service.storage.db import factory_of, lock_blob, utcnow
from service.storage.models import Asset, RightsRecord, Variant

log = logging.getLogger(__name__)

POLL_SECONDS = 0.1


class VariantImpossible(Problem):
    """The preset cannot be rendered from this original (422)."""

    status, code, title = 422, "variant-impossible", "The variant cannot be made"


def get_or_render(
    session: Session,
    store: BlobStore,
    asset: Asset,
    preset: Preset,
    settings: RenderSettings,
    *,
    kind: Kind = VARIANT,
    ready: Mapping[str, Variant] | None = None,
    stamp: render.RightsStamp | None = None,
) -> Variant:
    """The ready variant (or preview) for the asset's current state, rendering it if nobody
    has yet; the caller's session only reads.

    ``ready``: the ready variants of this asset and preset by key, as the caller's transaction
    has just read them (``publishing.gather``), so that they are not asked for again; None:
    asked for here. ``stamp``: the asset's rights stamp, when the caller has it already.

    The claim, its outcome and the rows a render supersedes are committed in short
    transactions of their own (``db.factory_of``), never the caller's: other requests must
    see a claim before the render starts, to wait for it instead of rendering twice, and see
    the variant ready as soon as it is, whatever becomes of the caller's transaction.
    """
    sought = wanted(session, asset, preset, settings, kind, stamp=stamp)
    key = sought.key
    found = _ready(session, key) if ready is None else ready.get(key)
    if found is not None:
        meter().count_variant_lookup(preset.name, kind=kind, hit=True)
        return found
    sessions = factory_of(session)
    deadline = time.monotonic() + settings.timeout
    while True:
        with sessions() as own:  # a new session each look: other transactions' commits show
            variant = own.scalar(select(Variant).where(Variant.key == key))
            if variant is not None and variant.status == "ready":
                meter().count_variant_lookup(preset.name, kind=kind, hit=True)
                return _loaded(session, variant.id)
            if variant is None and _claim_new(own, asset, preset, sought, settings):
                break
            if variant is not None and _take_over_stale(own, variant, settings.timeout):
                break
        if time.monotonic() > deadline:
            raise RenderBusy("Another request is rendering this variant; try again shortly.")
        time.sleep(POLL_SECONDS)
    meter().count_variant_lookup(preset.name, kind=kind, hit=False)
    with render_slot(settings, on_busy=lambda: _give_back(sessions, key)):
        rendered = _render_claimed(session, store, asset, preset, key, sought.stamp, settings)
    _refuse_if_rights_changed(sessions, store, rendered)
    return _loaded(session, rendered.id)


def _ready(session: Session, key: str) -> Variant | None:
    """The ready variant of this key, as the database has it now, or None."""
    query = select(Variant).where(Variant.key == key, Variant.status == "ready")
    variant: Variant | None = session.scalar(query.execution_options(populate_existing=True))
    return variant


def _loaded(session: Session, variant_id: int) -> Variant:
    """A variant committed by a short transaction, loaded afresh into the caller's session."""
    query = select(Variant).where(Variant.id == variant_id)
    variant = session.scalar(query.execution_options(populate_existing=True))
    if variant is None:  # superseded by a newer render in the meantime
        raise RenderBusy("The variant was replaced while it was fetched; ask again.")
    return variant


def _refuse_if_rights_changed(
    sessions: Callable[[], Session], store: BlobStore, fresh: Variant
) -> None:
    """A rights change committed while the variant was rendering found no ready row to
    delete: delete it now, and have the caller ask again under the new rights."""
    if fresh.kind != VARIANT:
        return
    with sessions() as own:
        current = own.scalar(
            select(RightsRecord.revision).where(RightsRecord.asset_id == fresh.asset_id)
        )
        if current == fresh.rights_revision:
            return
        drop_variants(own, store, own.scalars(select(Variant).where(Variant.id == fresh.id)))
        own.commit()
    raise RenderBusy("The asset's rights changed while its variant was rendered; ask again.")


def _give_back(sessions: Callable[[], Session], key: str) -> None:
    """Drop a claim that will not be rendered, so that the next request renders afresh."""
    with sessions() as own:
        own.execute(delete(Variant).where(Variant.key == key, Variant.status == "rendering"))
        own.commit()


def _claim_new(
    own: Session, asset: Asset, preset: Preset, sought: Wanted, settings: RenderSettings
) -> bool:
    """Insert the claim row and commit it (``own`` is a short session of its own)."""
    own.add(
        Variant(
            key=sought.key,
            kind=sought.kind,
            asset_id=asset.id,
            preset=preset.name,
            status="rendering",
            blob_key=variant_blob_key(preset, sought.key, settings.naming_key, sought.kind),
            media_type=preset.media_type,
            rights_revision=sought.rights_revision,
        )
    )
    try:
        own.commit()
    except IntegrityError:
        own.rollback()
        return False
    return True


def _take_over_stale(own: Session, variant: Variant, render_timeout: float) -> bool:
    """Claim a render that has been 'rendering' too long: its renderer has died."""
    now = utcnow()
    if variant.status != "rendering" or now - variant.claimed_at < timedelta(
        seconds=render_timeout
    ):
        return False
    claimed = own.execute(
        update(Variant)
        .where(Variant.id == variant.id, Variant.claimed_at == variant.claimed_at)
        .values(claimed_at=now)
    )
    own.commit()
    return getattr(claimed, "rowcount", 0) == 1


def _render_claimed(
    session: Session,
    store: BlobStore,
    asset: Asset,
    preset: Preset,
    key: str,
    stamp: render.RightsStamp,
    settings: RenderSettings,
) -> Variant:
    """Render a claimed variant, store its blob and publish its row as ready (committed in a
    short transaction of its own); give the claim back on any failure."""
    with factory_of(session)() as own:
        variant = own.scalar(select(Variant).where(Variant.key == key))
        assert variant is not None
        started = time.perf_counter()
        try:
            with tempfile.TemporaryDirectory(prefix="vitrine-render-") as workdir:
                focal = (asset.focal_x, asset.focal_y)
                # From the asset's working copy when it holds enough pixels, else the original.
                [rendered] = working_copy.render_presets(
                    store,
                    asset,
                    [preset],
                    focal=focal,
                    stamp=stamp,
                    limits=settings.limits,
                    credit_font=settings.credit_font,
                    workdir=Path(workdir),
                ).values()
                output = Path(workdir) / "variant"
                output.write_bytes(rendered.data)
                facts = _read_back(output)
                lock_blob(own, variant.blob_key)  # until the commit: see remove_unowned
                with output.open("rb") as stream:
                    store.put(variant.blob_key, stream, rendered.media_type)
        except BaseException as error:
            # Give the claim back, so that the next request renders afresh.
            own.rollback()
            own.execute(delete(Variant).where(Variant.id == variant.id))
            own.commit()
            if isinstance(error, render.RenderError):
                raise VariantImpossible(str(error)) from None
            if isinstance(error, BlobNotFound):
                raise NotFound(f"The original of asset {asset.id} is missing.") from None
            if isinstance(error, StorageUnavailable):
                raise StorageDown(str(error)) from None
            raise
        variant.status = "ready"
        variant.width, variant.height = rendered.width, rendered.height
        variant.byte_size, variant.quality = len(rendered.data), rendered.quality
        variant.burned_in = rendered.burned_in
        variant.upscale = plan((asset.width, asset.height), preset, focal).upscale
        variant.output_facts = facts
        variant.rendered_at = utcnow()
        variant.render_ms = round((time.perf_counter() - started) * 1000)
        meter().observe_render(preset.name, time.perf_counter() - started, kind=variant.kind)
        log.info(
            "rendered %s %s of asset %s in %d ms", variant.kind, preset.name, asset.id,
            variant.render_ms,
        )  # fmt: skip
        superseded = drop_superseded(own, variant)
        own.commit()
    # Only once the rows are gone for certain, and each blob confirmed unowned (the same key
    # may be rendered again meanwhile): a failure leaves an orphan that `vitrine storage check
    # --fix` removes, never a ready row without its blob.
    remove_unowned(session, store, superseded)
    return variant


def _read_back(path: Path) -> dict[str, Any]:
    """What a reader of the output file sees: GPS, credit, creator (the audit checks these)."""
    embedded = metadata.read_metadata(path)
    summary = embedded.summary

    def value(field: str) -> str | None:
        entry = summary.get(field)
        return entry["value"] if isinstance(entry, dict) else None

    private = [
        f"EXIF {name}" if not name.startswith("GPS") else name
        for name in embedded.raw.get("exif", {})
        if name.startswith("GPS") or "MakerNote" in name or "SerialNumber" in name
    ]
    return {
        "private_tags": sorted(private),
        "has_gps": bool(summary.get("has_gps")),
        "copyright_notice": value("copyright_notice"),
        "credit_line": value("credit_line"),
        "creator": value("creator"),
        "icc_profile": summary.get("icc_profile"),
    }


def servable(session: Session, blob_key: str) -> Variant | None:
    """The publishable variant a signed ``/blobs`` URL may serve: ready, of a live asset, and
    rendered under the asset's current rights. Previews, originals and anything else: None."""
    if not blob_key.startswith(BLOB_PREFIXES[VARIANT] + "/"):
        return None
    query = (
        select(Variant)
        .join(Asset, Asset.id == Variant.asset_id)
        .join(RightsRecord, RightsRecord.asset_id == Variant.asset_id)
        .where(
            Variant.blob_key == blob_key,
            Variant.kind == VARIANT,
            Variant.status == "ready",
            Variant.rights_revision == RightsRecord.revision,
            Asset.deleted_at.is_(None),
        )
    )
    return session.scalar(query)


def signed_url(
    store: BlobStore, variant: Variant, expires_in: int, *, download_name: str | None = None
) -> str:
    """A URL that serves the variant without a session, for ``expires_in`` seconds; only a
    publishable variant has one (the gate hands it out), never a preview. With
    ``download_name`` it is answered as an attachment of that name."""
    if variant.kind != VARIANT:
        raise ValueError(f"a {variant.kind} is never handed out as a signed URL")
    try:
        return store.signed_url(variant.blob_key, expires_in, download_name=download_name)
    except StorageUnavailable as error:
        raise StorageDown(str(error)) from None


def set_focal_point(session: Session, asset: Asset, body: Any, *, actor: str) -> Asset:
    """Move the focal point that cover crops keep in frame; the caller commits."""
    if not isinstance(body, dict) or set(body) != {"x", "y"}:
        raise InvalidInput({"body": "must be a JSON object with x and y between 0 and 1"})
    try:
        x, y = validate_focal(body["x"], body["y"])
    except ValueError as error:
        raise InvalidInput({"focal_point": str(error)}) from None
    before = {"focal_point": [asset.focal_x, asset.focal_y]}
    asset.focal_x, asset.focal_y = x, y
    record_changes(session, asset.id, actor, before, {"focal_point": [x, y]})
    session.flush()
    return asset
