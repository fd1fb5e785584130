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
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import tempfile
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.config import ConfigError
from service.media import metadata, render
from service.rules import credits, keys
from service.rules.geometry import plan, validate_focal
from service.rules.presets import Preset
from service.rules.problems import InvalidInput, NotFound, Problem, StorageDown
from service.services import assets, captioning, working_copy
from service.services.history import record_changes
from service.services.meters import meter
from service.services.rights import rights_of
from service.storage.blobs import BlobNotFound, BlobStore, StorageUnavailable
from service.storage.db import factory_of, lock_blob, utcnow
from service.storage.models import Asset, RightsRecord, Variant

log = logging.getLogger(__name__)

POLL_SECONDS = 0.1

Kind = Literal["variant", "preview"]
VARIANT: Kind = "variant"  # publishable: only through the publish gate
PREVIEW: Kind = "preview"  # internal: only to a signed-in session
BLOB_PREFIXES: dict[str, str] = {VARIANT: "variants", PREVIEW: "previews"}
# What a preview carries: no rights, since nothing in it is for publishing.
NO_RIGHTS = render.RightsStamp(
    credit_line="", creator="", title="", object_number="", licence_uri=None, alt_text=""
)


class VariantImpossible(Problem):
    status, code, title = 422, "variant-impossible", "The variant cannot be made"


class RenderBusy(Problem):
    status, code, title = 503, "render-busy", "The variant is still being rendered"
    headers = {"Retry-After": "2"}


@dataclass(frozen=True)
class RenderSettings:
    """How this deployment renders: the source pixel and decoded-byte limits, how long a render
    claim may last before another request takes it over, the key blob names are made with, the
    font credit lines are burned in with, and how many renders one process runs at once and
    how long a request waits for one."""

    max_pixels: int
    timeout: float
    naming_key: bytes = field(repr=False)
    credit_font: Path = render.DEFAULT_CREDIT_FONT
    max_decoded_bytes: int | None = None
    concurrent_renders: int = 1
    wait: float = 10.0

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> RenderSettings:
        font = config.get("CREDIT_FONT")
        concurrent = config.get("MAX_CONCURRENT_RENDERS")
        concurrent = render.cpus() if concurrent is None else concurrent
        decoded = config.get("MAX_DECODED_BYTES")
        settings = cls(
            max_pixels=int(config["MAX_PIXELS"]),
            timeout=float(config["RENDER_TIMEOUT_SECONDS"]),
            naming_key=keys.derived_key(str(config["SECRET_KEY"]), keys.VARIANT_NAME),
            credit_font=Path(font) if font else render.DEFAULT_CREDIT_FONT,
            max_decoded_bytes=int(decoded) if decoded else None,
            concurrent_renders=int(concurrent),
            wait=float(config.get("RENDER_WAIT_SECONDS", 10.0)),
        )
        if settings.concurrent_renders < 1 or settings.wait < 0:
            raise ConfigError(
                "VITRINE_MAX_CONCURRENT_RENDERS must be at least 1 and "
                "VITRINE_RENDER_WAIT_SECONDS at least 0"
            )
        return settings

    @property
    def limits(self) -> render.Limits:
        return render.Limits(self.max_pixels, self.max_decoded_bytes)


# One set of render slots per process (and per configured size), shared by its threads.
_SLOTS: dict[int, threading.BoundedSemaphore] = {}
_SLOTS_GUARD = threading.Lock()


@contextmanager
def render_slot(
    settings: RenderSettings, on_busy: Callable[[], None] = lambda: None
) -> Iterator[None]:
    """Hold one of this process's VITRINE_MAX_CONCURRENT_RENDERS render slots.

    Waits at most ``settings.wait`` seconds for one to free, then calls ``on_busy`` and raises
    RenderBusy (503 with Retry-After): a burst of renders queues briefly instead of holding
    every decode in memory at once.
    """
    with _SLOTS_GUARD:
        slots = _SLOTS.setdefault(
            settings.concurrent_renders, threading.BoundedSemaphore(settings.concurrent_renders)
        )
    if not slots.acquire(timeout=settings.wait):
        on_busy()
        raise RenderBusy("Every render slot of this server is busy; try again shortly.")
    try:
        yield
    finally:
        slots.release()


def stamp_for(session: Session, asset: Asset) -> render.RightsStamp:
    """The rights to write into (and maybe burn onto) the asset's variants."""
    record = rights_of(session, asset)
    rule = captioning.credit_rule_for(session, asset)
    return render.RightsStamp(
        credit_line=credits.required_credit_line(rule, record.credit_line),
        creator=record.creator,
        title=asset.title,
        object_number=asset.object_number,
        licence_uri=record.licence_uri,
        alt_text=asset.alt_text,
        burn_in=bool(rule and rule.burn_in),
        placement=rule.placement if rule else "bottom-right",
    )


def variant_key(
    asset: Asset,
    preset: Preset,
    stamp: render.RightsStamp,
    credit_font: Path,
    *,
    kind: Kind = VARIANT,
    rights_revision: int = 0,
) -> str:
    """The digest that names a variant; it changes whenever the output would, and for a
    publishable variant whenever the asset's rights record changes."""
    shaping: dict[str, Any] = {
        "original": asset.sha256,
        "preset": preset.spec(),
        "focal": [round(asset.focal_x, 4), round(asset.focal_y, 4)],
        "stamp": asdict(stamp),
    }
    if kind != VARIANT:
        shaping["kind"] = kind
    if rights_revision:
        shaping["rights_revision"] = rights_revision
    if render.burns_in(stamp, preset):  # only then does the font reach the pixels
        shaping["credit_font"] = render.font_identity(credit_font)
    return hashlib.sha256(json.dumps(shaping, sort_keys=True).encode()).hexdigest()


def variant_blob_key(preset: Preset, key: str, naming_key: bytes, kind: Kind = VARIANT) -> str:
    """Where a variant's bytes are stored: a name keyed with the server's secret, so that it
    cannot be computed from the asset's hash and the preset's spec, which viewers can read."""
    if not naming_key:
        raise ValueError("blob names need a key; set VITRINE_SECRET_KEY")
    name = hmac.new(naming_key, key.encode(), hashlib.sha256).hexdigest()
    extension = {"jpeg": "jpg", "webp": "webp", "avif": "avif"}[preset.format]
    return f"{BLOB_PREFIXES[kind]}/{name[:2]}/{name}.{extension}"


@dataclass(frozen=True)
class Wanted:
    """The variant a request wants: its key, kind, stamp and the rights revision it carries."""

    key: str
    kind: Kind
    stamp: render.RightsStamp
    rights_revision: int


def wanted(
    session: Session,
    asset: Asset,
    preset: Preset,
    settings: RenderSettings,
    kind: Kind = VARIANT,
) -> Wanted:
    """The variant (or preview) of the asset's current state: its key, stamp and revision."""
    if kind == PREVIEW:
        key = variant_key(asset, preset, NO_RIGHTS, settings.credit_font, kind=PREVIEW)
        return Wanted(key, PREVIEW, NO_RIGHTS, 0)
    stamp = stamp_for(session, asset)
    revision = rights_of(session, asset).revision
    key = variant_key(asset, preset, stamp, settings.credit_font, rights_revision=revision)
    return Wanted(key, VARIANT, stamp, revision)


def get_or_render(
    session: Session,
    store: BlobStore,
    asset: Asset,
    preset: Preset,
    settings: RenderSettings,
    *,
    kind: Kind = VARIANT,
) -> Variant:
    """The ready variant (or preview) for the asset's current state, rendering it if nobody
    has yet; the caller's session only reads.

    The claim, its outcome and the rows a render supersedes are committed in short
    transactions of their own (``db.factory_of``), never the caller's: other requests must
    see a claim before the render starts, to wait for it instead of rendering twice, and see
    the variant ready as soon as it is, whatever becomes of the caller's transaction.
    """
    sought = wanted(session, asset, preset, settings, kind)
    key = sought.key
    ready = _ready(session, key)
    if ready is not None:
        meter().count_variant_lookup(preset.name, kind=kind, hit=True)
        return ready
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
        _drop(own, store, own.scalars(select(Variant).where(Variant.id == fresh.id)))
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
                lock_blob(own, variant.blob_key)  # until the commit: see assets.remove_unowned
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
        superseded = _drop_superseded(own, variant)
        own.commit()
    # Only once the rows are gone for certain, and each blob confirmed unowned (the same key
    # may be rendered again meanwhile): a failure leaves an orphan that `vitrine storage check
    # --fix` removes, never a ready row without its blob.
    assets.remove_unowned(session, store, superseded)
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


def _drop_superseded(session: Session, fresh: Variant) -> list[str]:
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


def _drop(session: Session, store: BlobStore, rows: Iterable[Variant]) -> list[Variant]:
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
    return sorted({old.preset for old in _drop(session, store, session.scalars(query))})


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
    return len(_drop(session, store, outdated))


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


def signed_url(store: BlobStore, variant: Variant, expires_in: int) -> str:
    """A URL that serves the variant without a session, for ``expires_in`` seconds; only a
    publishable variant has one (the gate hands it out), never a preview."""
    if variant.kind != VARIANT:
        raise ValueError(f"a {variant.kind} is never handed out as a signed URL")
    try:
        return store.signed_url(variant.blob_key, expires_in)
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
