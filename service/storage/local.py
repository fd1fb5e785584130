"""Local-directory blob store: the embedded default, no setup.

Blobs are plain files under ``BLOB_DIR``; a key is the relative path. ``put``
streams into a temporary file in the target directory, fsyncs it and then
``os.replace``-s it into place, so a reader sees either no blob or the whole
blob, never a partial one. Keys are content-derived, so blobs are effectively
write-once; a second ``put`` of the same key replaces the file atomically.

Signed URLs point at the app's own ``/blobs/<key>`` route and carry an
HMAC-SHA256 over ``f"{key}\\n{expires}"`` keyed with the key derived from
``SECRET_KEY`` for blob URLs (``keys.BLOB_URL``), never the secret itself, which signs
the session cookies; the route checks them with :func:`verify_blob_signature`.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote

from service.rules import keys
from service.storage.blobs import (
    BlobEntry,
    BlobNotFound,
    StorageUnavailable,
    validate_key,
    validate_prefix,
)

CHUNK_SIZE = 1024 * 1024
_TMP_PREFIX = ".Tmp~"  # uppercase and "~" are never valid in a key, so keys() skips these


def _signature(secret: str, key: str, expires_at: int) -> str:
    if not secret:
        raise ValueError("SECRET_KEY is empty: refusing to sign blob URLs")
    message = f"{key}\n{expires_at}".encode()
    signing_key = keys.derived_key(secret, keys.BLOB_URL)
    return hmac.new(signing_key, message, hashlib.sha256).hexdigest()


def sign_blob_url(secret: str, key: str, expires_at: int) -> str:
    """App-relative URL ``/blobs/<key>?expires=<unix>&signature=<hex>``."""
    validate_key(key)
    sig = _signature(secret, key, int(expires_at))
    return f"/blobs/{quote(key, safe='/')}?expires={int(expires_at)}&signature={sig}"


def verify_blob_signature(
    secret: str, key: str, expires: int | str, signature: str, now: float
) -> bool:
    """True if signature is valid for key and expires, and ``now`` is not past it.

    Takes the raw query-string values; anything malformed is simply False.
    """
    try:
        validate_key(key)
        expires_at = int(expires)
        expected = _signature(secret, key, expires_at)
    except (ValueError, TypeError):
        return False
    if now > expires_at:
        return False
    return hmac.compare_digest(expected.encode(), str(signature).encode())


class LocalBlobStore:
    """Blobs as files under a root directory."""

    def __init__(self, root: str | os.PathLike[str], secret: str = "") -> None:
        self.root = Path(root)
        self._secret = secret

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LocalBlobStore:
        """Build from ``BLOB_DIR`` and ``SECRET_KEY``."""
        return cls(config.get("BLOB_DIR") or "var/blobs", str(config.get("SECRET_KEY") or ""))

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*validate_key(key).split("/"))

    def put(self, key: str, stream: BinaryIO, content_type: str) -> None:
        """Copy stream in CHUNK_SIZE pieces to a temp file, fsync, then rename into place.

        The content type is not kept: the serving route derives it from the key.
        """
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, dir=path.parent)
        except OSError as exc:
            raise StorageUnavailable(f"local blob dir not writable: {exc.strerror}") from exc
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK_SIZE):
                    _writing(out.write, chunk)
                _writing(out.flush)
                _writing(os.fsync, out.fileno())
                os.fchmod(out.fileno(), 0o644)  # mkstemp makes 0600; workers may run as others
            _writing(os.replace, tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(path.parent)

    def open(self, key: str) -> BinaryIO:
        """Open the blob file for reading."""
        path = self._path(key)
        try:
            return path.open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise BlobNotFound(key) from None
        except OSError as exc:
            raise StorageUnavailable(f"local blob read failed: {exc.strerror}") from exc

    def exists(self, key: str) -> bool:
        """True if the blob file exists."""
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        """Remove the file; missing is fine."""
        path = self._path(key)
        try:
            path.unlink(missing_ok=True)
        except IsADirectoryError:
            return
        except OSError as exc:
            raise StorageUnavailable(f"local blob delete failed: {exc.strerror}") from exc

    def signed_url(self, key: str, expires_in: int, *, download_name: str | None = None) -> str:
        """App-relative HMAC-signed URL valid for expires_in seconds. ``download_name`` rides
        unsigned: the /blobs route makes it safe and gives it the variant's own extension."""
        url = sign_blob_url(self._secret, key, int(time.time()) + int(expires_in))
        return url + (f"&download={quote(download_name, safe='')}" if download_name else "")

    def verifies(self, key: str, expires: str, signature: str, now: float) -> bool:
        """True if ``signature`` is this store's, for ``key`` until ``expires``, not yet past."""
        return verify_blob_signature(self._secret, key, expires, signature, now)

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Walk the directory below prefix; temp files and stray names are skipped."""
        return (entry.key for entry in self.entries(prefix))

    def entries(self, prefix: str = "") -> Iterator[BlobEntry]:
        """The files below prefix with their size and modification time."""
        validate_prefix(prefix)
        start = self.root.joinpath(*prefix.split("/")[:-1])
        for dirpath, dirnames, filenames in os.walk(start, onerror=_walk_error):
            dirnames.sort()
            rel = Path(dirpath).relative_to(self.root).as_posix()
            base = "" if rel == "." else rel + "/"
            for name in sorted(filenames):
                key = base + name
                if key.startswith(prefix) and _is_key(key):
                    try:
                        stat = os.stat(os.path.join(dirpath, name))
                    except FileNotFoundError:
                        continue  # deleted while we walked
                    modified = datetime.fromtimestamp(stat.st_mtime, UTC)
                    yield BlobEntry(key, stat.st_size, modified)

    def check(self, timeout: float | None = None) -> None:
        """The root exists (created if needed) and is writable.

        A local disk has no timeout to set: a caller that must not wait on a hung mount runs
        this in a thread it can abandon (as /readyz does).
        """
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageUnavailable(f"local blob dir unusable: {exc.strerror}") from exc
        if not self.root.is_dir() or not os.access(self.root, os.W_OK | os.X_OK):
            raise StorageUnavailable(f"local blob dir not writable: {self.root}")


def _writing(op: Callable[..., object], *args: Any) -> None:
    """Run one write-side operation; OS errors (disk full, read-only...) become 503s.

    Errors raised while reading the caller's stream are not ours and pass unchanged.
    """
    try:
        op(*args)
    except OSError as exc:
        raise StorageUnavailable(f"local blob write failed: {exc.strerror or exc}") from exc


def _walk_error(exc: OSError) -> None:
    if not isinstance(exc, FileNotFoundError | NotADirectoryError):  # nothing under prefix
        raise StorageUnavailable(f"local blob dir unreadable: {exc.strerror or exc}") from exc


def _is_key(name: str) -> bool:
    try:
        validate_key(name)
    except ValueError:
        return False
    return True


def _fsync_dir(path: Path) -> None:
    """Make the rename durable (best effort: not every platform can fsync a dir)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
