"""Uploads land in a spool file, hashed and counted as they are written, never held in memory."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import IO, Any

from service.rules.problems import FileTooLarge

CHUNK_BYTES = 1024 * 1024


class Spool:
    """A temporary file that hashes (SHA-256) and counts what is written to it.

    Writing past ``limit`` bytes raises ``FileTooLarge`` at once, so an oversized upload
    costs at most ``limit`` bytes of disk and stops being read. Closing deletes the file.
    """

    def __init__(self, directory: str | None, limit: int) -> None:
        if directory:
            os.makedirs(directory, exist_ok=True)
        self._file: IO[bytes] = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed by close()
            prefix="upload-", dir=directory
        )
        self._digest = hashlib.sha256()
        self.limit = limit
        self.size = 0

    @property
    def path(self) -> Path:
        """Where the spool file is on disk, for readers that take a path (Pillow, exifread)."""
        return Path(self._file.name)

    @property
    def sha256(self) -> str:
        """The SHA-256 hex digest of everything written so far: the upload's identity."""
        return self._digest.hexdigest()

    def write(self, data: bytes) -> int:
        """Append to the spool, hashing and counting; FileTooLarge once past the limit."""
        self.size += len(data)
        if self.size > self.limit:
            raise FileTooLarge(f"The file is larger than the limit of {self.limit:,} bytes.")
        self._digest.update(data)
        return self._file.write(data)

    def copy_from(self, source: IO[bytes]) -> None:
        """Fill the spool from a readable stream, a chunk at a time."""
        while chunk := source.read(CHUNK_BYTES):
            self.write(chunk)
        self._file.flush()

    # What werkzeug and the blob store need of a file object.
    def read(self, size: int = -1) -> bytes:
        """Read from the spooled file."""
        return self._file.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        """Move in the spooled file, flushing what was written first."""
        self._file.flush()
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        """The position in the spooled file."""
        return self._file.tell()

    def flush(self) -> None:
        """Flush what was written to the spooled file."""
        self._file.flush()

    def readable(self) -> bool:
        """Always readable."""
        return True

    def seekable(self) -> bool:
        """Always seekable."""
        return True

    def writable(self) -> bool:
        """Always writable."""
        return True

    @property
    def closed(self) -> bool:
        """Whether the spool is closed (and its file deleted)."""
        return self._file.closed

    def close(self) -> None:
        """Close the spool, deleting its file."""
        self._file.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
