"""The blob store contract, run against the local directory and a real S3 over HTTP.

The S3 cases need ``VITRINE_TEST_S3_*`` (``scripts/s3-test-server.sh up``); each test
gets its own key prefix in the shared bucket. The expiry and wrong-secret cases are the
ones moto gets wrong (it serves expired presigned URLs and accepts any secret).
"""

from __future__ import annotations

import hashlib
import io
import os
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, cast

import pytest

from service.storage.blobs import (
    BlobNotFound,
    BlobStore,
    StorageUnavailable,
    open_store,
    original_key,
)
from service.storage.local import sign_blob_url, verify_blob_signature
from service.storage.s3 import S3BlobStore
from tests.support.services import require_or_skip, s3_test_settings

SECRET = "test-secret"
MB = 1024 * 1024
BAD_KEYS = ["../x", "/abs", "A B", "a/../b", "a//b", "a/", "", "./a", "caf\u00e9", "a\\b"]


class Source(io.RawIOBase):
    """A non-seekable upload stream that records how much it was asked for at once."""

    def __init__(self, data: bytes, fail_after: int | None = None) -> None:
        self._data = memoryview(data)
        self._pos = 0
        self._fail_after = fail_after
        self.largest_read = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:  # s3transfer asks for "the rest" once it has seen EOF
            if self._pos < len(self._data):
                raise AssertionError("the whole stream was requested at once")
            return b""
        if self._fail_after is not None and self._pos >= self._fail_after:
            raise OSError("the client went away")
        self.largest_read = max(self.largest_read, size)
        chunk = bytes(self._data[self._pos : self._pos + size])
        self._pos += len(chunk)
        return chunk

    def readinto(self, buffer: Any) -> int:
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def as_stream(source: Source | bytes) -> BinaryIO:
    return cast(BinaryIO, Source(source) if isinstance(source, bytes) else source)


@pytest.fixture
def s3_settings() -> dict[str, Any]:
    settings = require_or_skip("S3 (VITRINE_TEST_S3_ENDPOINT)", s3_test_settings())
    return {**settings, "S3_KEY_PREFIX": f"t-{uuid.uuid4().hex[:12]}/"}


@pytest.fixture
def s3_store(s3_settings: dict[str, Any]) -> Iterator[S3BlobStore]:
    store = open_store(s3_settings)
    assert isinstance(store, S3BlobStore)
    store.check()  # creates the shared test bucket on first use
    yield store
    for key in list(store.keys()):
        store.delete(key)


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "local":
        config = {
            "BLOB_BACKEND": "local",
            "BLOB_DIR": str(tmp_path / "blobs"),
            "SECRET_KEY": SECRET,
        }
        return open_store(config)
    return cast(BlobStore, request.getfixturevalue("s3_store"))


def test_a_20_mb_stream_round_trips_byte_for_byte_without_being_read_whole(
    store: BlobStore,
) -> None:
    data = os.urandom(20 * MB)
    source = Source(data)
    store.put("variants/big.bin", as_stream(source), "application/octet-stream")
    assert 0 < source.largest_read <= 8 * MB
    digest, size = hashlib.sha256(), 0
    with store.open("variants/big.bin") as stream:
        while chunk := stream.read(MB):
            digest.update(chunk)
            size += len(chunk)
    assert size == len(data)
    assert digest.hexdigest() == hashlib.sha256(data).hexdigest()


def test_s3_uploads_large_blobs_in_parts_and_keeps_the_content_type(s3_store: S3BlobStore) -> None:
    s3_store.put("variants/big.jpg", as_stream(os.urandom(20 * MB)), "image/jpeg")
    s3_store.put("variants/small.webp", as_stream(b"RIFF....WEBP"), "image/webp")
    head = s3_store.client.head_object(
        Bucket=s3_store.bucket, Key=s3_store.full_key("variants/big.jpg")
    )
    assert head["ETag"].endswith('-3"')  # 8 + 8 + 4 MB parts
    assert head["ContentType"] == "image/jpeg"
    small = s3_store.client.head_object(
        Bucket=s3_store.bucket, Key=s3_store.full_key("variants/small.webp")
    )
    assert small["ContentType"] == "image/webp"


def test_exists_follows_put_and_delete_and_deleting_twice_is_fine(store: BlobStore) -> None:
    assert not store.exists("variants/a.jpg")
    store.put("variants/a.jpg", as_stream(b"jpeg bytes"), "image/jpeg")
    assert store.exists("variants/a.jpg")
    store.delete("variants/a.jpg")
    assert not store.exists("variants/a.jpg")
    store.delete("variants/a.jpg")
    store.delete("variants/never-stored.jpg")


def test_keys_lists_exactly_what_is_under_a_prefix(store: BlobStore) -> None:
    a, b = original_key("a" * 64), original_key("ab" + "0" * 62)
    for key in (a, b, "variants/x/thumb.webp"):
        store.put(key, as_stream(b"x"), "application/octet-stream")
    assert sorted(store.keys("originals/")) == sorted([a, b])
    assert list(store.keys("originals/ab/")) == [b]
    assert list(store.keys("originals/ab/00/ab0")) == [b]
    assert sorted(store.keys()) == sorted([a, b, "variants/x/thumb.webp"])
    assert list(store.keys("nothing/")) == []


def test_entries_give_each_blob_its_size_and_a_recent_modification_time(store: BlobStore) -> None:
    key = original_key("c" * 64)
    store.put(key, as_stream(b"twelve bytes"), "image/jpeg")
    [entry] = list(store.entries("originals/"))
    assert (entry.key, entry.size) == (key, 12)
    age = datetime.now(UTC) - entry.modified_at
    assert timedelta(minutes=-5) < age < timedelta(minutes=5)


def test_opening_a_missing_key_raises_blob_not_found(store: BlobStore) -> None:
    with pytest.raises(BlobNotFound):
        store.open("variants/missing.jpg")


@pytest.mark.parametrize("key", BAD_KEYS)
def test_every_operation_refuses_an_unsafe_key(store: BlobStore, key: str) -> None:
    operations: list[Callable[[], object]] = [
        lambda: store.put(key, as_stream(b"x"), "image/jpeg"),
        lambda: store.open(key),
        lambda: store.exists(key),
        lambda: store.delete(key),
        lambda: store.signed_url(key, 60),
    ]
    for operation in operations:
        with pytest.raises(ValueError):
            operation()
    with pytest.raises(ValueError):
        list(store.keys("../"))


def test_a_stream_failing_halfway_leaves_no_blob_behind(store: BlobStore, tmp_path: Path) -> None:
    source = Source(os.urandom(12 * MB), fail_after=10 * MB)
    with pytest.raises(OSError, match="client went away"):
        store.put("variants/broken.bin", as_stream(source), "application/octet-stream")
    assert not store.exists("variants/broken.bin")
    assert list(store.keys()) == []
    if isinstance(store, S3BlobStore):
        uploads = store.client.list_multipart_uploads(Bucket=store.bucket, Prefix=store.key_prefix)
        assert uploads.get("Uploads", []) == []
    else:
        assert [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()] == []


def test_original_key_fans_out_by_hash_and_rejects_anything_but_a_sha256() -> None:
    sha = hashlib.sha256(b"photo").hexdigest()
    assert original_key(sha) == f"originals/{sha[:2]}/{sha[2:4]}/{sha}"
    for bad in [sha.upper(), sha[:-1], sha + "0", "../" + sha[3:], ""]:
        with pytest.raises(ValueError):
            original_key(bad)


def test_open_store_refuses_an_unknown_backend() -> None:
    with pytest.raises(ValueError, match="BLOB_BACKEND"):
        open_store({"BLOB_BACKEND": "ftp"})


def test_local_signed_urls_verify_and_reject_tampering_and_expiry(tmp_path: Path) -> None:
    store = open_store({"BLOB_BACKEND": "local", "BLOB_DIR": str(tmp_path), "SECRET_KEY": SECRET})
    url = store.signed_url("variants/a/ig.jpg", 60)
    path, _, query = url.partition("?")
    params = dict(part.split("=") for part in query.split("&"))
    key, expires, signature = path.removeprefix("/blobs/"), params["expires"], params["signature"]
    assert key == "variants/a/ig.jpg"
    now = time.time()
    assert verify_blob_signature(SECRET, key, expires, signature, now)
    assert verify_blob_signature(SECRET, key, int(expires), signature, int(expires))
    assert not verify_blob_signature(SECRET, "variants/a/x.jpg", expires, signature, now)
    assert not verify_blob_signature(SECRET, key, int(expires) + 3600, signature, now)
    tampered = signature[:-1] + ("1" if signature.endswith("0") else "0")
    assert not verify_blob_signature(SECRET, key, expires, tampered, now)
    assert not verify_blob_signature("other-secret", key, expires, signature, now)
    assert not verify_blob_signature(SECRET, key, expires, signature, int(expires) + 1)
    assert not verify_blob_signature(SECRET, key, "soon", signature, now)
    assert not verify_blob_signature(SECRET, "../etc/passwd", expires, signature, now)
    assert sign_blob_url(SECRET, key, int(expires)) == url


def test_local_signed_urls_need_a_secret(tmp_path: Path) -> None:
    store = open_store({"BLOB_BACKEND": "local", "BLOB_DIR": str(tmp_path)})
    with pytest.raises(ValueError, match="SECRET_KEY"):
        store.signed_url("variants/a.jpg", 60)


def test_s3_presigned_url_serves_the_bytes_over_http(s3_store: S3BlobStore) -> None:
    s3_store.put("variants/a.jpg", as_stream(b"\xff\xd8 jpeg"), "image/jpeg")
    with urllib.request.urlopen(s3_store.signed_url("variants/a.jpg", 60), timeout=10) as answer:
        assert answer.status == 200
        assert answer.read() == b"\xff\xd8 jpeg"
        assert answer.headers["Content-Type"] == "image/jpeg"


def test_s3_presigned_url_is_refused_with_403_once_expired(s3_store: S3BlobStore) -> None:
    s3_store.put("variants/a.jpg", as_stream(b"jpeg"), "image/jpeg")
    url = s3_store.signed_url("variants/a.jpg", 1)
    time.sleep(2.1)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=10)
    assert refused.value.code == 403
    refused.value.close()


def test_s3_refuses_a_presigned_url_signed_with_a_wrong_secret_or_altered(
    s3_store: S3BlobStore, s3_settings: dict[str, Any]
) -> None:
    s3_store.put("variants/a.jpg", as_stream(b"jpeg"), "image/jpeg")
    s3_store.put("variants/b.jpg", as_stream(b"other"), "image/jpeg")
    good = s3_store.signed_url("variants/a.jpg", 60)
    wrong = open_store({**s3_settings, "S3_SECRET_KEY": "wrong-secret"})
    refused = [
        wrong.signed_url("variants/a.jpg", 60),
        good.replace("/variants/a.jpg?", "/variants/b.jpg?"),  # another object
        good.replace("X-Amz-Expires=60", "X-Amz-Expires=6000"),  # a longer life
    ]
    for url in refused:
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(url, timeout=10)
        assert error.value.code == 403, url
        error.value.close()
    with urllib.request.urlopen(good, timeout=10) as answer:
        assert answer.read() == b"jpeg"


@pytest.mark.parametrize("create_bucket", [True, False])
def test_s3_with_a_wrong_secret_is_unavailable_on_put_and_check(
    s3_store: S3BlobStore, s3_settings: dict[str, Any], create_bucket: bool
) -> None:
    config = {**s3_settings, "S3_SECRET_KEY": "wrong-secret", "S3_CREATE_BUCKET": create_bucket}
    wrong = open_store(config)
    with pytest.raises(StorageUnavailable, match="credentials"):
        wrong.put("variants/a.jpg", as_stream(b"jpeg"), "image/jpeg")
    with pytest.raises(StorageUnavailable, match="credentials"):
        wrong.check()
    assert not s3_store.exists("variants/a.jpg")


def test_unreachable_s3_is_unavailable_within_seconds_for_every_operation() -> None:
    store = open_store(
        {
            "BLOB_BACKEND": "s3",
            "S3_ENDPOINT_URL": "http://127.0.0.1:1",
            "S3_BUCKET": "vitrine-test",
            "S3_ACCESS_KEY": "key",
            "S3_SECRET_KEY": "secret",
            "S3_PATH_STYLE": True,
            "S3_CONNECT_TIMEOUT": 1.0,
            "S3_READ_TIMEOUT": 1.0,
        }
    )
    started = time.monotonic()
    operations: list[Callable[[], object]] = [
        store.check,
        lambda: store.put("variants/a.jpg", as_stream(b"x"), "image/jpeg"),
        lambda: store.open("variants/a.jpg"),
        lambda: store.exists("variants/a.jpg"),
        lambda: store.delete("variants/a.jpg"),
        lambda: list(store.keys()),
    ]
    for operation in operations:
        with pytest.raises(StorageUnavailable, match="unreachable"):
            operation()
    assert time.monotonic() - started < 30  # a hang guard, not a speed test


def test_local_store_without_a_usable_directory_is_unavailable(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_bytes(b"")
    store = open_store({"BLOB_BACKEND": "local", "BLOB_DIR": str(not_a_dir)})
    with pytest.raises(StorageUnavailable):
        store.check()
    with pytest.raises(StorageUnavailable):
        store.put("variants/a.jpg", as_stream(b"x"), "image/jpeg")


def test_check_passes_on_a_working_store(store: BlobStore) -> None:
    store.check()
