"""An asset's embedded metadata read again from its original.

The reader learns (the Metadata Working Group's rules, more places a format keeps metadata);
an asset keeps the summary it was read with at upload until it is read again here. Its rights
record is left as it is: the embedded metadata proposed it once, and people may have changed it
since; the asset page shows both.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from service.media.metadata import UnsafeMetadata, read_metadata
from service.rules.problems import UnsafeFile
from service.services.assets import open_original
from service.storage.blobs import BlobStore
from service.storage.models import Asset


def reread(session: Session, store: BlobStore, asset: Asset) -> bool:
    """Read the original's embedded metadata again and keep it on the asset; the caller
    commits. Whether anything the asset shows changed. Raises UnsafeFile (the metadata is
    left as it was) when the XMP is one that upload now refuses."""
    with tempfile.TemporaryDirectory(prefix="vitrine-reread-") as workdir:
        path = Path(workdir) / "original"
        with open_original(store, asset) as source, path.open("wb") as copy:
            shutil.copyfileobj(source, copy)
        try:
            embedded = read_metadata(path)
        except UnsafeMetadata as error:  # an older reader let it in; this one would refuse it
            raise UnsafeFile(f"Its metadata was not read again: {error}") from None
    before = (asset.metadata_summary, asset.metadata_raw, asset.metadata_warnings)
    after = (embedded.summary, embedded.raw, embedded.warnings)
    if before == after:
        return False
    asset.metadata_summary, asset.metadata_raw, asset.metadata_warnings = after
    session.flush()
    return True
