"""IIIF pyramids: each original kept once more as source tiles, upright, in sRGB, at every
scale factor the Image API offers, so that a tile request reads one small tile and never the
original.

Made from one decode of the original at full size (the finest level needs every pixel, so the
working copy, a reduction, cannot serve it; each coarser level is then a box filter of the one
before, far cheaper than another decode), the first time an image of the asset is asked for,
under a lock per pyramid: concurrent requests wait for it instead of building it twice. Two
processes may build the same pyramid at once; they write the same tiles under the same keys.

Stored under ``iiif/<sha256[:2]>/<sha256>/<SPEC>/``: a tile per key (``<factor>/<col>-<row>``,
see media.render.pyramid) and, written last, ``index.json``, which says the pyramid is complete:
a build that fails halfway leaves no index, so its tiles are never read, and the next request
builds it again. A new spec makes new pyramids (the old ones are then unowned, and ``vitrine
storage check`` lists them). Owned while an asset of the original exists; purged with it.
"""

from __future__ import annotations

import io
import json
import logging
import re
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

from PIL import Image

from service.media import render
from service.media.render import pyramid as tiles
from service.rules import geometry
from service.services.render_settings import RenderSettings, render_slot
from service.services.working_copy import Original
from service.storage.blobs import BlobNotFound, BlobStore, StorageUnavailable, copy_to_file

log = logging.getLogger(__name__)

TILE = 512  # the edge of a source tile, and of the tiles info.json offers
SPEC = f"upright-srgb-t{TILE}-q{tiles.JPEG_QUALITY}-v1"
PREFIX = "iiif/"
ANSWERS = "cache"  # the kept answers' folder beside the pyramids (services/iiif_images)
INDEX = "index.json"
_KEY = re.compile(r"iiif/[0-9a-f]{2}/([0-9a-f]{64})/([a-z0-9.-]+)/[a-z0-9./_-]+")
_MEDIA_TYPES = {"jpg": "image/jpeg", "webp": "image/webp"}


class Damaged(Exception):
    """A tile of a pyramid whose index says it is complete is missing or does not decode."""


@dataclass(frozen=True)
class Pyramid:
    """A complete pyramid in the blob store: of which original, its full upright size, the
    tile edge, the scale factors it has a level for, and its pixels' mode ("RGB", "RGBA")."""

    sha256: str
    full: geometry.Size
    tile: int
    factors: tuple[int, ...]
    mode: str

    @property
    def shape(self) -> tuple[geometry.Size, tuple[int, ...]]:
        """Its full size and scale factors: what a request needs it to have."""
        return self.full, self.factors

    def level(self, factor: int) -> geometry.Size:
        """The size of the level of this scale factor."""
        return tiles.level_size(self.full, factor)

    def tile_key(self, factor: int, column: int, row: int) -> str:
        """Where one source tile is kept."""
        extension = tiles.TILE_FORMATS[self.mode]
        return f"{spec_prefix(self.sha256)}{factor}/{column}-{row}.{extension}"

    def document(self) -> dict[str, Any]:
        """The index: what a reader checks before it trusts the tiles."""
        return {
            "spec": SPEC,
            "width": self.full[0],
            "height": self.full[1],
            "tile": self.tile,
            "factors": list(self.factors),
            "mode": self.mode,
        }


def prefix(sha256: str) -> str:
    """The prefix of every IIIF blob (pyramids of any spec, cached answers) of an original."""
    return f"{PREFIX}{sha256[:2]}/{sha256}/"


def spec_prefix(sha256: str) -> str:
    """The prefix of the current spec's pyramid of an original."""
    return f"{prefix(sha256)}{SPEC}/"


def index_key(sha256: str) -> str:
    """Where the current spec's pyramid of an original has its index."""
    return f"{spec_prefix(sha256)}{INDEX}"


def owner_digest(key: str) -> str | None:
    """The sha256 of the original an IIIF blob belongs to, when it is one this version keeps
    (the current spec's pyramid, or a cached answer); None for any other key."""
    match = _KEY.fullmatch(key)
    return match[1] if match and match[2] in (SPEC, ANSWERS) else None


def ensure(
    store: BlobStore,
    original: Original,
    factors: Sequence[int],
    settings: RenderSettings,
    *,
    broken: Pyramid | None = None,
) -> Pyramid:
    """The complete pyramid of ``original`` with a level per scale factor, built now if it is
    missing (or ``broken``: a tile of it was found missing). Raises render.RenderError (the
    original cannot be decoded within the limits), BlobNotFound (the original is missing),
    StorageUnavailable, or RenderBusy (no render slot freed in time)."""
    key = index_key(original.sha256)
    wanted = (original.width, original.height), tuple(sorted(factors))

    def usable(pyramid: Pyramid | None) -> TypeGuard[Pyramid]:
        return pyramid is not None and pyramid is not broken and pyramid.shape == wanted

    if usable(found := _known.get(key)):
        return found
    with _building(key):
        if usable(found := _known.get(key)):  # built by the request this one waited for
            return found
        stored = None if broken else _read_index(store, key, original.sha256)
        pyramid = stored if usable(stored) else _build(store, original, wanted[1], settings)
        _known.put(key, pyramid)
        return pyramid


def read_tiles(
    store: BlobStore, pyramid: Pyramid, factor: int, wanted: Sequence[tuple[int, int]]
) -> list[tuple[int, int, Image.Image]]:
    """(column, row, image) of these source tiles of a level, read side by side; Damaged
    when one is missing or does not decode, StorageUnavailable when the store does not answer."""
    size = pyramid.level(factor)

    def read(place: tuple[int, int]) -> tuple[int, int, Image.Image]:
        column, row = place
        key = pyramid.tile_key(factor, column, row)
        box = tiles.tile_box(size, pyramid.tile, column, row)
        try:
            with store.open(key) as stream:
                data = stream.read()
            image = tiles.decode_tile(data, pyramid.mode, (box[2] - box[0], box[3] - box[1]))
        except (BlobNotFound, render.RenderError) as error:
            raise Damaged(f"pyramid tile {key}: {error}") from None
        return column, row, image

    if len(wanted) == 1:
        return [read(wanted[0])]
    return list(_readers.map(read, wanted))


def answers_prefix(sha256: str) -> str:
    """The prefix of every kept answer of an original (services/iiif_images)."""
    return f"{prefix(sha256)}{ANSWERS}/"


def drop_answers(store: BlobStore, sha256: str) -> int:
    """Delete every kept answer of an original (its pyramid stays); how many. Raises
    StorageUnavailable when the store does not answer."""
    keys = list(store.keys(answers_prefix(sha256)))
    for key in keys:
        store.delete(key)
    return len(keys)


def keys_of(store: BlobStore, sha256: str) -> list[str]:
    """Every IIIF blob of an original (pyramids of any spec, kept answers), to purge with it;
    none when the store does not answer now (``vitrine storage check`` then finds them)."""
    try:
        return list(store.keys(prefix(sha256)))
    except StorageUnavailable as error:
        log.warning("IIIF blobs of %s not listed for the purge: %s", sha256, error)
        return []


def forget(sha256: str) -> None:
    """Forget what this process knows of the original's pyramid (it was deleted)."""
    _known.drop(index_key(sha256))


# ---------------------------------------------------------------- building


def _build(
    store: BlobStore, original: Original, factors: tuple[int, ...], settings: RenderSettings
) -> Pyramid:
    """Decode the original once, store every tile of every level, then the index."""
    full = (original.width, original.height)
    with render_slot(settings), tempfile.TemporaryDirectory(prefix="vitrine-iiif-") as workdir:
        source = Path(workdir) / "original"
        copy_to_file(store, original.blob_key, source)
        decoded = render.decode(source, settings.limits, needs=lambda up: up, full_size=full)
        image = tiles.upright(decoded)
        del decoded  # the full-size decode goes before the tiles are encoded
        built = Pyramid(original.sha256, full, TILE, factors, image.mode)
        _store_tiles(store, built, image)
    document = json.dumps(built.document(), sort_keys=True).encode()
    store.put(index_key(original.sha256), io.BytesIO(document), "application/json")
    log.info("IIIF pyramid of %s built: %sx%s, factors %s", original.sha256, *full, factors)
    return built


def _store_tiles(store: BlobStore, built: Pyramid, image: Image.Image) -> None:
    """Encode and store every tile, side by side; the first failure stops the rest and is
    raised (then no index is written)."""
    media_type = _MEDIA_TYPES[tiles.TILE_FORMATS[built.mode]]

    def keep(key: str, crop: Any) -> None:
        store.put(key, io.BytesIO(tiles.encode_tile(crop())), media_type)

    with ThreadPoolExecutor(max_workers=_WRITERS, thread_name_prefix="vitrine-iiif-put") as pool:
        pending: list[Future[None]] = []
        for factor, level in tiles.levels(image, built.factors):
            for column, row, crop in tiles.cut(level, built.tile):
                pending.append(pool.submit(keep, built.tile_key(factor, column, row), crop))
        try:
            for future in pending:
                future.result()
        except BaseException:
            for future in pending:
                future.cancel()
            raise


def _read_index(store: BlobStore, key: str, sha256: str) -> Pyramid | None:
    """The pyramid a stored index describes; None when there is none or it is not of this
    spec (or unreadable: then the pyramid is built again)."""
    try:
        with store.open(key) as stream:
            document = json.loads(stream.read())
        if document["spec"] != SPEC:
            return None
        return Pyramid(
            sha256,
            (int(document["width"]), int(document["height"])),
            int(document["tile"]),
            tuple(int(factor) for factor in document["factors"]),
            str(document["mode"]),
        )
    except BlobNotFound:
        return None
    except (ValueError, KeyError, TypeError) as error:
        log.warning("IIIF pyramid index %s is unreadable (%s); building it again", key, error)
        return None


# ---------------------------------------------------------------- what a process keeps

# Tiles are stored by a few threads per build: encoding lets go of the GIL, and an S3 put
# mostly waits. Tiles are read by a pool shared by all requests, for the same reasons.
_WRITERS = max(4, 2 * render.cpus())
_readers = ThreadPoolExecutor(max_workers=_WRITERS, thread_name_prefix="vitrine-iiif-read")


class _Known:
    """The indexes this process has read or written, the most recent KEEP of them: a complete
    pyramid never changes, so its index is read once, not once per tile."""

    KEEP = 512

    def __init__(self) -> None:
        self._items: OrderedDict[str, Pyramid] = OrderedDict()
        self._guard = threading.Lock()

    def get(self, key: str) -> Pyramid | None:
        with self._guard:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: str, pyramid: Pyramid) -> None:
        with self._guard:
            self._items[key] = pyramid
            self._items.move_to_end(key)
            while len(self._items) > self.KEEP:
                self._items.popitem(last=False)

    def drop(self, key: str) -> None:
        with self._guard:
            self._items.pop(key, None)


_known = _Known()
_locks: dict[str, tuple[threading.Lock, int]] = {}
_locks_guard = threading.Lock()


@contextmanager
def _building(key: str) -> Iterator[None]:
    """Hold the lock of one pyramid; it exists only while someone holds or waits for it."""
    with _locks_guard:
        lock, users = _locks.get(key, (threading.Lock(), 0))
        _locks[key] = (lock, users + 1)
    try:
        with lock:
            yield
    finally:
        with _locks_guard:
            lock, users = _locks[key]
            if users == 1:
                del _locks[key]
            else:
                _locks[key] = (lock, users - 1)
