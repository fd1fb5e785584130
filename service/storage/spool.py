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
        return Path(self._file.name)

    @property
    def sha256(self) -> str:
        return self._digest.hexdigest()

    def write(self, data: bytes) -> int:
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
        return self._file.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        self._file.flush()
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def flush(self) -> None:
        self._file.flush()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    @property
    def closed(self) -> bool:
        return self._file.closed

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
