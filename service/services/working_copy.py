"""Working copies: each original kept once more, upright, in sRGB and at a bounded size.

Decoding a 150 MP TIFF master costs seconds and most of a gigabyte, and a focal-point change, a
rights change, a new preset or a preview needs the same pixels again. So the render that first
decodes an original also keeps a working copy, and later renders start from it: the original
turned upright, converted to 8-bit sRGB and reduced by a power of two until its long edge is at
most WORKING_EDGE px (render.working_size). A power of two, because a JPEG decodes straight to
it (DCT scaling) and anything else gets there with one box filter, so making the copy costs
little beyond the decode it is made from. A preset that needs more pixels than the copy holds
(render.presets_need) is rendered from the original.

Format: JPEG at quality 98 without chroma subsampling when the copy is opaque: 49 dB PSNR
against its pixels on a photograph, 43 dB under heavy sensor grain (q95 gave 42 and 36), at
about 1.4 times the bytes of q95; a q85 variant's own encode changes its pixels by about 35 dB,
and a JPEG decodes, at a DCT scale too, far faster than anything lossless. WebP lossless when
some pixel is transparent (half the bytes of PNG, encoded and decoded faster). Neither carries
metadata: the copy is sRGB and upright by definition, and rights are written afresh into every
variant.

Stored under ``working/<sha256[:2]>/<sha256>/<SPEC>``: keyed by the original's bytes and by
the spec, so a new spec makes new copies (the old ones are then unowned, and ``vitrine storage
check`` lists them). Not kept for a JPEG original already within the edge: it decodes as
cheaply as a copy would. Purged with its asset; made again whenever it is missing or damaged.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Protocol

from PIL import Image

from service.media import render
from service.rules import geometry
from service.rules.presets import Preset
from service.storage.blobs import BlobNotFound, BlobStore, StorageUnavailable, copy_to_file

log = logging.getLogger(__name__)

WORKING_EDGE = 4096
SPEC = "upright-srgb-4096-q98-v1"
PREFIX = "working/"
_KEY = re.compile(r"working/[0-9a-f]{2}/([0-9a-f]{64})/[a-z0-9.-]+")
JPEG_QUALITY = 98


class Original(Protocol):
    """What a working copy needs to know of an asset."""

    sha256: str
    blob_key: str
    media_type: str
    width: int  # upright, as ingest reported it
    height: int


def blob_key(sha256: str) -> str:
    """Where the working copy of the original with this digest is kept."""
    return f"{prefix(sha256)}{SPEC}"


def prefix(sha256: str) -> str:
    """The prefix of every working copy (of any spec) of the original with this digest."""
    return f"{PREFIX}{sha256[:2]}/{sha256}/"


def original_digest(key: str) -> str | None:
    """The sha256 of the original a working-copy key belongs to; None if it is not one."""
    match = _KEY.fullmatch(key)
    return match[1] if match else None


def kept_size(original: Original) -> geometry.Size | None:
    """The upright size of the original's working copy; None when it keeps none."""
    full = (original.width, original.height)
    if original.media_type == "image/jpeg" and max(full) <= WORKING_EDGE:
        return None
    return render.working_size(full, WORKING_EDGE)


def encode(image: Image.Image) -> tuple[bytes, str]:
    """(bytes, media type) of a working copy image ("RGB" or "RGBA")."""
    # To a file, not a BytesIO: Pillow's encoders then let go of the GIL (render.scratch_file).
    with render.scratch_file() as file:
        if image.mode == "RGBA":
            image.save(file, "WEBP", lossless=True, quality=0, method=0)
            media_type = "image/webp"
        else:
            image.save(file, "JPEG", quality=JPEG_QUALITY, subsampling=0)
            media_type = "image/jpeg"
        file.seek(0)
        return file.read(), media_type


def render_presets(
    store: BlobStore,
    original: Original,
    presets: Sequence[Preset],
    *,
    focal: tuple[float, float],
    stamp: render.RightsStamp,
    limits: render.Limits,
    credit_font: Path,
    workdir: Path,
) -> dict[str, render.Rendered]:
    """Render the presets from the original's working copy when it serves them all, else from
    the original, making the working copy on the way if it is missing.

    Raises render.RenderError, BlobNotFound (the original is missing) or StorageUnavailable.
    """
    focal = render.checked(stamp, focal)
    full = (original.width, original.height)
    size = kept_size(original)
    need = render.presets_need(presets, focal)(full)
    serves = size is not None and size[0] >= need[0] and size[1] >= need[1]
    key = blob_key(original.sha256)
    if serves and (copy := _decode_copy(store, key, workdir, limits, presets, focal, full)):
        return render.render_decoded(
            copy, presets, focal=focal, stamp=stamp, credit_font=credit_font
        )
    build = size is not None and (serves or not _exists(store, key))
    source = workdir / "original"
    copy_to_file(store, original.blob_key, source)

    def needs(upright: geometry.Size) -> geometry.Size:
        wanted = render.presets_need(presets, focal)(upright)
        if not build:
            return wanted
        copy_size = render.working_size(upright, WORKING_EDGE)
        return max(wanted[0], copy_size[0]), max(wanted[1], copy_size[1])

    decoded = render.decode(source, limits, needs=needs)
    if not build:
        return render.render_decoded(
            decoded, presets, focal=focal, stamp=stamp, credit_font=credit_font
        )
    if render.working_reduction(decoded, WORKING_EDGE) == 1:
        # Decoded at the copy's size already (a JPEG at its DCT scale, a smaller original): the
        # presets render from the decode as they would without a copy, and the copy is made
        # from a snapshot (a few tens of MB at most) on the keeper's thread.
        snapshot = dataclasses.replace(decoded, image=decoded.image.copy())
        _keep_soon(store, key, lambda: render.working_image(snapshot, WORKING_EDGE))
        return render.render_decoded(
            decoded, presets, focal=focal, stamp=stamp, credit_font=credit_font
        )
    # A larger decode: the copy is made now, and the presets it holds enough pixels for render
    # from it, so the full-size decode can go before they do.
    image = render.working_image(decoded, WORKING_EDGE)
    _keep_soon(store, key, lambda: image)
    need = render.presets_need(presets, focal)(decoded.full)  # the decode's size is the truth
    if image.width >= need[0] and image.height >= need[1]:
        decoded = render.Decoded.upright(image, decoded.full)
    return render.render_decoded(
        decoded, presets, focal=focal, stamp=stamp, credit_font=credit_font
    )


def make_file(original: Path, out: Path, limits: render.Limits) -> geometry.Size:
    """Write the working copy of the original file at ``original`` to ``out`` (bench, CLI);
    returns the original's upright size."""
    decoded = render.decode(
        original, limits, needs=lambda upright: render.working_size(upright, WORKING_EDGE)
    )
    data, _ = encode(render.working_image(decoded, WORKING_EDGE))
    out.write_bytes(data)
    return decoded.full


def _decode_copy(
    store: BlobStore,
    key: str,
    workdir: Path,
    limits: render.Limits,
    presets: Sequence[Preset],
    focal: tuple[float, float],
    full: geometry.Size,
) -> render.Decoded | None:
    """The working copy, decoded at the scale the presets need; None when it is missing,
    unreadable, damaged or not the size its spec gives (an asset whose recorded size is not its
    upright one): then the original is rendered, and the copy made again."""
    path = workdir / "working"
    try:
        copy_to_file(store, key, path)
    except BlobNotFound:
        return None
    except StorageUnavailable as error:
        log.warning("working copy %s cannot be read (%s); rendering the original", key, error)
        return None
    try:
        with Image.open(path) as image:
            if image.size != render.working_size(full, WORKING_EDGE):
                log.warning("working copy %s is %s, not of a %s original", key, image.size, full)
                return None
        return render.decode(
            path, limits, needs=render.presets_need(presets, focal), full_size=full
        )
    except (render.RenderError, OSError, ValueError, SyntaxError) as error:
        log.warning("working copy %s does not decode (%s); making it again", key, error)
        return None


def _exists(store: BlobStore, key: str) -> bool:
    try:
        return store.exists(key)
    except StorageUnavailable:
        return True  # no copy is made while the store cannot say: the render goes on


# The copy is encoded and stored on a thread of its own while the request renders and answers
# (and, when the decode is already at the copy's size, converted and turned there too): the
# first request then costs what it did before working copies. At most KEEPING copies wait
# (each at most 4096 x 4096 pixels); a render that finds them all waiting keeps its copy
# itself. The interpreter waits for the thread at exit.
KEEPING = 2
_keeper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vitrine-working-copy")
_waiting = threading.BoundedSemaphore(KEEPING)
_pending: set[Future[None]] = set()
_pending_guard = threading.Lock()


def _keep_soon(store: BlobStore, key: str, image: Callable[[], Image.Image]) -> None:
    if not _waiting.acquire(blocking=False):
        _keep(store, key, image)
        return

    def keep() -> None:
        try:
            _keep(store, key, image)
        finally:
            _waiting.release()

    future = _keeper.submit(keep)
    with _pending_guard:
        _pending.add(future)
    future.add_done_callback(_forget)


def _forget(future: Future[None]) -> None:
    with _pending_guard:
        _pending.discard(future)


def wait_until_kept(timeout: float | None = None) -> None:
    """Wait for the working copies this process is still storing (tests, commands)."""
    with _pending_guard:
        pending = list(_pending)
    wait(pending, timeout=timeout)


def _keep(store: BlobStore, key: str, image: Callable[[], Image.Image]) -> None:
    """Make and store the working copy; a store that fails then costs a later render a decode,
    not this render its variant."""
    try:
        data, media_type = encode(image())
        store.put(key, io.BytesIO(data), media_type)
    except StorageUnavailable as error:
        log.warning("working copy %s not kept: %s", key, error)
    except Exception:  # on the keeper's thread nobody else would hear of it
        log.exception("working copy %s not kept", key)
