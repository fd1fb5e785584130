"""Blob storage: one small interface, two backends (local directory, S3 via boto3).

Originals and rendered variants are stored under content-derived keys; user file
names never reach a key. Callers get a :class:`BlobStore` from :func:`open_store`
and only ever see :class:`BlobNotFound`, :class:`StorageUnavailable` or
:class:`ValueError` (invalid key), never a botocore or OS error.

Configuration keys read by :func:`open_store` (provided by the app's config):

``BLOB_BACKEND``        ``"local"`` (default) or ``"s3"``.
``BLOB_DIR``            local backend: directory of the blobs (default ``"var/blobs"``).
``SECRET_KEY``          local backend: the blob-URL key derived from it signs ``/blobs/...`` URLs.
``S3_ENDPOINT_URL``     S3: endpoint (MinIO, Ceph RGW, R2...); unset or empty means AWS.
``S3_REGION``           S3: region name (default ``"us-east-1"``).
``S3_BUCKET``           S3: bucket name (required).
``S3_ACCESS_KEY``       S3: access key id; unset means boto3's default credential chain.
``S3_SECRET_KEY``       S3: secret access key.
``S3_PATH_STYLE``       S3: bool, path-style addressing (needed by most self-hosted servers).
``S3_KEY_PREFIX``       S3: prefix put in front of every key, e.g. ``"prod/"`` (default ``""``).
``S3_CONNECT_TIMEOUT``  S3: seconds (float, default 5).
``S3_READ_TIMEOUT``     S3: seconds (float, default 30).
``S3_CREATE_BUCKET``    S3: bool, create the bucket on first use if missing (dev and tests).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, Protocol

__all__ = [
    "BlobEntry",
    "BlobNotFound",
    "BlobStore",
    "StorageUnavailable",
    "open_store",
    "original_key",
    "validate_key",
    "validate_prefix",
]


class BlobNotFound(Exception):
    """No blob under this key (the API answers 404)."""


class StorageUnavailable(Exception):
    """The backend is unreachable, too slow, refuses our credentials or fails (API: 503)."""


@dataclass(frozen=True)
class BlobEntry:
    """A stored blob as a listing sees it."""

    key: str
    size: int
    modified_at: datetime


class BlobStore(Protocol):
    """What the rest of the service may do with stored bytes."""

    def put(self, key: str, stream: BinaryIO, content_type: str) -> None:
        """Store the stream under key, read in chunks; nothing is visible until complete."""

    def open(self, key: str) -> BinaryIO:
        """Return a readable stream (caller closes it); BlobNotFound if missing."""

    def exists(self, key: str) -> bool:
        """True if a blob is stored under key."""

    def delete(self, key: str) -> None:
        """Remove the blob; deleting a missing key is not an error."""

    def signed_url(self, key: str, expires_in: int, *, download_name: str | None = None) -> str:
        """URL that serves the blob for expires_in seconds without other credentials; with
        ``download_name``, answered as an attachment saved under that name."""

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Yield the keys that start with prefix (order is backend-specific)."""

    def entries(self, prefix: str = "") -> Iterator[BlobEntry]:
        """Like ``keys``, with each blob's size and last-modified time."""

    def check(self, timeout: float | None = None) -> None:
        """Readiness probe; raises StorageUnavailable (giving up after ``timeout`` s if set)."""


_KEY_RE = re.compile(r"[a-z0-9._-]+(?:/[a-z0-9._-]+)*")
_SHA256_RE = re.compile(r"[0-9a-f]{64}")
MAX_KEY_LENGTH = 900  # S3 allows 1024 bytes; leave room for S3_KEY_PREFIX


def copy_to_file(store: BlobStore, key: str, path: Path) -> None:
    """A blob's bytes into a local file, a megabyte at a time (decoders and readers want a
    path). Raises as ``store.open`` does."""
    with store.open(key) as stream, path.open("wb") as out:
        shutil.copyfileobj(stream, out, 1024 * 1024)


def validate_key(key: str) -> str:
    """Return key if it is a safe blob key, else raise ValueError.

    Allowed: ``[a-z0-9/._-]``, no ``..``, no leading, trailing or double ``/``,
    so a key is the same relative path on every backend and can never escape
    the local directory.
    """
    if (
        not isinstance(key, str)
        or len(key) > MAX_KEY_LENGTH
        or ".." in key
        or not _KEY_RE.fullmatch(key)
        or any(part == "." for part in key.split("/"))
    ):
        raise ValueError(f"invalid blob key: {key!r}")
    return key


def validate_prefix(prefix: str) -> str:
    """Like validate_key, but empty and a trailing ``/`` are allowed."""
    if prefix == "":
        return prefix
    validate_key(prefix[:-1] if prefix.endswith("/") else prefix)
    return prefix


def original_key(sha256: str) -> str:
    """Key of an original upload: ``originals/ab/cd/<sha256>`` (fan-out keeps dirs small)."""
    if not isinstance(sha256, str) or not _SHA256_RE.fullmatch(sha256):
        raise ValueError(f"not a lowercase hex SHA-256: {sha256!r}")
    return f"originals/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def open_store(config: Mapping[str, Any]) -> BlobStore:
    """Build the backend named by ``config["BLOB_BACKEND"]``; connects to nothing yet."""
    from service.storage.local import LocalBlobStore  # here: the backends import this module
    from service.storage.s3 import S3BlobStore

    backends: dict[str, Callable[[Mapping[str, Any]], BlobStore]] = {
        "local": LocalBlobStore.from_config,
        "s3": S3BlobStore.from_config,
    }
    name = str(config.get("BLOB_BACKEND") or "local")
    try:
        factory = backends[name]
    except KeyError:
        raise ValueError(f"BLOB_BACKEND must be one of {sorted(backends)}, not {name!r}") from None
    return factory(config)
