"""S3 blob store through boto3: AWS S3, MinIO, Ceph RGW, Cloudflare R2...

Checksums only when an operation requires them: boto3 >= 1.36 otherwise sends CRC32
headers (aws-chunked trailers over https) that Ceph RGW 16 and others ignore or reject.
Botocore errors are translated: missing key -> BlobNotFound; unreachable, timeout,
refused credentials, 5xx or anything else -> StorageUnavailable. On AWS grant
s3:ListBucket too, or a missing key answers 403 and reads as refused credentials.
"""

from __future__ import annotations

import functools
import io
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import parse_qs

from boto3.s3.transfer import TransferConfig
from boto3.session import Session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from service.rules import filenames
from service.storage import sigv4
from service.storage.blobs import (
    BlobEntry,
    BlobNotFound,
    StorageUnavailable,
    validate_key,
    validate_prefix,
)

if TYPE_CHECKING:
    from botocore.response import StreamingBody
    from mypy_boto3_s3 import S3Client

MB = 1024 * 1024
_NOT_FOUND = {"404", "NoSuchKey", "NotFound"}
_AUTH = {"403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken"}


def _flag(value: Any) -> bool:
    """Config booleans may arrive as strings from the environment."""
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


@functools.cache
def _session() -> Session:
    """One boto3 session per process: a client from it takes ~13 ms instead of ~150 ms."""
    return Session()


_session_lock = threading.Lock()  # sessions are not thread-safe, the clients they make are


def build_client(config: Mapping[str, Any], *, timeout: float | None = None) -> S3Client:
    """boto3 S3 client from the app config: SigV4, short timeouts, two attempts.

    With ``timeout``, a client for probes: one attempt, giving up after that many seconds.
    """
    botocore_config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "path" if _flag(config.get("S3_PATH_STYLE")) else "auto"},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        connect_timeout=timeout or float(config.get("S3_CONNECT_TIMEOUT") or 5),
        read_timeout=timeout or float(config.get("S3_READ_TIMEOUT") or 30),
        retries={"total_max_attempts": 1 if timeout else 2, "mode": "standard"},
    )
    with _session_lock:
        return _session().client(
            "s3",
            endpoint_url=config.get("S3_ENDPOINT_URL") or None,
            region_name=config.get("S3_REGION") or "us-east-1",
            aws_access_key_id=config.get("S3_ACCESS_KEY") or None,
            aws_secret_access_key=config.get("S3_SECRET_KEY") or None,
            config=botocore_config,
        )


class S3BlobStore:
    """Blobs as objects in one bucket, every key behind an optional prefix."""

    def __init__(
        self,
        client: S3Client,
        bucket: str,
        key_prefix: str = "",
        create_bucket: bool = False,
        probe_client: Callable[[float], S3Client] | None = None,
    ) -> None:
        if not bucket:
            raise ValueError("S3_BUCKET is required for BLOB_BACKEND=s3")
        self.client = client
        self._make_probe_client = probe_client
        self._probe_clients: dict[float, S3Client] = {}
        self.bucket = bucket
        self.key_prefix = validate_prefix(key_prefix)
        self._bucket_ready = not create_bucket
        self._lock = threading.Lock()
        self._transfer = TransferConfig(
            multipart_threshold=8 * MB, multipart_chunksize=8 * MB, max_concurrency=4
        )
        self._signer: _QuerySigner | None = None  # made on the first signed URL

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> S3BlobStore:
        """Build from the ``S3_*`` keys; nothing is contacted until first use."""
        return cls(
            build_client(config),
            str(config.get("S3_BUCKET") or ""),
            str(config.get("S3_KEY_PREFIX") or ""),
            _flag(config.get("S3_CREATE_BUCKET")),
            lambda timeout: build_client(config, timeout=timeout),
        )

    def full_key(self, key: str) -> str:
        """Object key in the bucket: KEY_PREFIX + validated key."""
        return self.key_prefix + validate_key(key)

    def put(self, key: str, stream: BinaryIO, content_type: str) -> None:
        """Managed upload: one PUT up to 8 MB, multipart in 8 MB parts above."""
        name = self.full_key(key)
        self._ensure_bucket()
        extra = {"ContentType": content_type}
        with _translated(self.bucket, key):
            self.client.upload_fileobj(stream, self.bucket, name, extra, Config=self._transfer)

    def open(self, key: str) -> BinaryIO:
        """GET the object; the body is streamed, with read errors translated too."""
        name = self.full_key(key)
        self._ensure_bucket()
        with _translated(self.bucket, key):
            body = self.client.get_object(Bucket=self.bucket, Key=name)["Body"]
        return io.BufferedReader(_Body(body, self.bucket, key), buffer_size=MB)

    def exists(self, key: str) -> bool:
        """HEAD the object."""
        name = self.full_key(key)
        self._ensure_bucket()
        try:
            with _translated(self.bucket, key):
                self.client.head_object(Bucket=self.bucket, Key=name)
        except BlobNotFound:
            return False
        return True

    def delete(self, key: str) -> None:
        """DELETE is idempotent on S3 (204 for a missing key)."""
        name = self.full_key(key)
        self._ensure_bucket()
        with _translated(self.bucket, key):
            self.client.delete_object(Bucket=self.bucket, Key=name)

    def signed_url(self, key: str, expires_in: int, *, download_name: str | None = None) -> str:
        """Presigned GET URL (computed locally, no request is made). With ``download_name``,
        S3 answers it ``Content-Disposition: attachment`` with that name (signed in the URL)."""
        disposition = filenames.content_disposition(download_name) if download_name else None
        name = self.full_key(key)
        with _translated(self.bucket, key):
            if self._signer is None:
                self._signer = _QuerySigner(self.client, self.bucket)
            return self._signer.sign(name, expires_in, disposition=disposition)

    def keys(self, prefix: str = "") -> Iterator[str]:
        """ListObjectsV2 pages under KEY_PREFIX + prefix, with KEY_PREFIX stripped."""
        return (entry.key for entry in self.entries(prefix))

    def entries(self, prefix: str = "") -> Iterator[BlobEntry]:
        """The listing's objects with their size and LastModified."""
        full_prefix = self.key_prefix + validate_prefix(prefix)
        self._ensure_bucket()
        paginator = self.client.get_paginator("list_objects_v2")
        with _translated(self.bucket, None):
            for page in paginator.paginate(Bucket=self.bucket, Prefix=full_prefix):
                for obj in page.get("Contents", []):
                    key = obj["Key"][len(self.key_prefix) :]
                    yield BlobEntry(key, obj["Size"], obj["LastModified"])

    def check(self, timeout: float | None = None) -> None:
        """HEAD the bucket: proves the endpoint answers and accepts our credentials.

        With ``timeout``, one attempt that gives up after that many seconds.
        """
        self._ensure_bucket()
        client = self.client
        if timeout is not None and self._make_probe_client is not None:
            with self._lock:
                if timeout not in self._probe_clients:
                    self._probe_clients[timeout] = self._make_probe_client(timeout)
                client = self._probe_clients[timeout]
        with _translated(self.bucket, None):
            client.head_bucket(Bucket=self.bucket)

    def _ensure_bucket(self) -> None:
        """With S3_CREATE_BUCKET, create the bucket once per store if it is missing."""
        if self._bucket_ready:
            return
        with self._lock, _translated(self.bucket, None):
            if self._bucket_ready:
                return
            try:
                self.client.head_bucket(Bucket=self.bucket)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") not in _NOT_FOUND | {"NoSuchBucket"}:
                    raise
                # another process may have created it meanwhile: that is fine
                with suppress(self.client.exceptions.BucketAlreadyOwnedByYou):
                    self.client.create_bucket(Bucket=self.bucket)
            self._bucket_ready = True


# Presigned once per store, to learn the bucket's URL; never fetched.
_SAMPLE_KEY = "vitrine-url-sample"


class _QuerySigner:
    """Presigned GET URLs, as ``generate_presigned_url`` makes them, signed by ``sigv4``
    without the client's per-call endpoint resolution, event hooks and request objects (nine
    tenths of its time; a cached variant's JSON signs one URL per request).

    The bucket's URL (endpoint, addressing style) and the signing region are the client's,
    read once from a presigned sample. Without credentials to sign with (anonymous access),
    or a sample that does not end with its key, every URL is the client's own.
    """

    def __init__(self, client: S3Client, bucket: str) -> None:
        self._client, self._bucket = client, bucket
        sample = self._presigned(_SAMPLE_KEY, 60)
        url, _, query = sample.partition("?")
        scope = parse_qs(query).get("X-Amz-Credential", [""])[0].split("/")
        signer = getattr(client, "_request_signer", None)
        self._credentials = getattr(signer, "_credentials", None)
        ends = url.endswith("/" + _SAMPLE_KEY)
        self._base: str | None = url.removesuffix(_SAMPLE_KEY) if ends else None
        self._region = scope[2] if len(scope) == 5 and scope[3] == "s3" else None

    def sign(self, name: str, expires_in: int, *, disposition: str | None = None) -> str:
        """The presigned GET URL of the object ``name`` (a validated key: nothing to quote)."""
        if self._base is None or self._region is None or self._credentials is None:
            return self._presigned(name, expires_in, disposition)
        frozen = self._credentials.get_frozen_credentials()  # refreshed when they expire
        credentials = sigv4.Credentials(frozen.access_key, frozen.secret_key, frozen.token)
        now = datetime.now(UTC)
        params = {"response-content-disposition": disposition} if disposition else None
        return sigv4.presigned_get(
            self._base + name, credentials, self._region, expires_in, now, params
        )

    def _presigned(self, name: str, expires_in: int, disposition: str | None = None) -> str:
        params = {"Bucket": self._bucket, "Key": name}
        if disposition:
            params["ResponseContentDisposition"] = disposition
        url: str = self._client.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=expires_in
        )
        return url


class _Body(io.RawIOBase):
    """Raw stream over a StreamingBody that translates errors raised mid-read."""

    def __init__(self, body: StreamingBody, bucket: str, key: str) -> None:
        self._body, self._bucket, self._key = body, bucket, key

    def readable(self) -> bool:
        """Always readable."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Read the object's next bytes into ``buffer``, S3 errors translated to the store's own."""
        with _translated(self._bucket, self._key):
            data = self._body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        """Close the S3 response body, once."""
        if not self.closed:
            self._body.close()
        super().close()


@contextmanager
def _translated(bucket: str, key: str | None) -> Iterator[None]:
    """Turn botocore errors into BlobNotFound / StorageUnavailable with a short reason."""
    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
        if key is not None and code in _NOT_FOUND:
            raise BlobNotFound(key) from None
        if code in _NOT_FOUND | {"NoSuchBucket"}:
            raise StorageUnavailable(f"S3 bucket {bucket!r} does not exist") from exc
        if code in _AUTH:
            raise StorageUnavailable(f"S3 refused our credentials ({code})") from exc
        if status >= 500:
            raise StorageUnavailable(f"S3 server error {status} ({code})") from exc
        raise StorageUnavailable(f"S3 request failed: {code} (HTTP {status})") from exc
    except BotoCoreError as exc:
        name = type(exc).__name__
        if isinstance(exc, BotoConnectionError | HTTPClientError):
            raise StorageUnavailable(f"S3 unreachable or too slow ({name}): {exc}") from exc
        raise StorageUnavailable(f"S3 client not usable ({name}): {exc}") from exc
