"""Internal previews: the library's thumbnails and the asset page's image, for staff only.

A preview is never a publishable variant. It has presets of its own, which no catalogue
lists and no API call can ask the gate for; blobs of its own under ``previews/``, which the
signed ``/blobs`` route never serves; no rights stamp, since nothing in it is for publishing
(the render pipeline still strips private metadata); and it is no larger than a screen needs.
Previews are rendered once and cached like variants (``variants.get_or_render`` with
``kind="preview"``), and served only to a signed-in session by the web route.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import IO

from sqlalchemy.orm import Session

from service.rules.presets import Preset
from service.rules.problems import NotFound, StorageDown
from service.services import variants
from service.storage.blobs import BlobNotFound, BlobStore, StorageUnavailable
from service.storage.models import Asset, Variant

# size -> preset. A library card shows 400 px; the asset page's image is at most 1024 px on
# its long edge, enough to see the picture and pick a focal point on, too small to publish.
SIZES: Mapping[str, Preset] = MappingProxyType(
    {
        "thumb": Preset("preview-thumb", 400, 400, "cover", format="webp", quality=80),
        "page": Preset("preview-page", 1024, 1024, "within", format="webp", quality=82),
    }
)


def preview_of(
    session: Session,
    store: BlobStore,
    asset: Asset,
    size: str,
    rendering: variants.RenderSettings,
) -> Variant:
    """The ready preview of the asset at ``size``, rendering it on first use."""
    preset = SIZES.get(size)
    if preset is None:
        raise NotFound(f"There is no preview size {size!r}; sizes: {', '.join(SIZES)}.")
    return variants.get_or_render(session, store, asset, preset, rendering, kind=variants.PREVIEW)


def open_preview(store: BlobStore, preview: Variant) -> IO[bytes]:
    """The preview's bytes, to stream to the signed-in session that asked."""
    if preview.kind != variants.PREVIEW:
        raise ValueError("only previews are served by the preview route")
    try:
        return store.open(preview.blob_key)
    except BlobNotFound:
        raise NotFound(f"The preview of asset {preview.asset_id} is missing.") from None
    except StorageUnavailable as error:
        raise StorageDown(str(error)) from None
