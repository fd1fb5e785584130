"""The S3 store signs URLs itself (``storage/sigv4``, the bucket's URL resolved once): each
URL is the one ``generate_presigned_url`` makes in the same second, whatever the endpoint
(IPv6, default ports, upper case) and addressing style, with a session token too; a client
that does not sign with SigV4 signs its own. Nothing is contacted: no server is needed."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import pytest
from boto3.session import Session
from botocore.config import Config

from service.storage.s3 import S3BlobStore

KEY = "variants/ab/abcdef.jpg"


def _same_second(mine: Callable[[], str], theirs: Callable[[], str]) -> tuple[str, str]:
    """Both URLs, made within one second (their X-Amz-Date has a second's resolution)."""
    for _ in range(20):
        began = int(time.time())
        pair = mine(), theirs()
        if int(time.time()) == began:
            return pair
    raise AssertionError("could not sign twice within one second")


@pytest.mark.parametrize(
    "config",
    [
        {"S3_ENDPOINT_URL": "http://127.0.0.1:9000", "S3_PATH_STYLE": True},
        {"S3_ENDPOINT_URL": "https://storage.example.org", "S3_PATH_STYLE": False},
        {"S3_REGION": "eu-west-3"},  # AWS itself
        {"S3_ENDPOINT_URL": "http://[::1]:9000", "S3_PATH_STYLE": True},
        {"S3_ENDPOINT_URL": "https://S3.Example.ORG:443", "S3_PATH_STYLE": True},
        {"S3_ENDPOINT_URL": "http://storage.example.org:80/", "S3_REGION": "ap-south-2"},
    ],
)
def test_a_signed_url_is_the_one_botocore_makes(config: dict[str, Any]) -> None:
    settings = {"S3_ACCESS_KEY": "key", "S3_SECRET_KEY": "secret", "S3_BUCKET": "photos",
                "S3_KEY_PREFIX": "museum/", **config}  # fmt: skip
    store = S3BlobStore.from_config(settings)
    mine, theirs = _same_second(
        lambda: store.signed_url(KEY, 900),
        lambda: store.client.generate_presigned_url(
            "get_object", Params={"Bucket": "photos", "Key": "museum/" + KEY}, ExpiresIn=900
        ),
    )
    assert mine == theirs
    assert "X-Amz-Expires=900" in mine


@pytest.mark.parametrize(
    ("version", "token"), [("s3v4", "X-Amz-Security-Token"), ("s3", "x-amz-security-token")]
)
def test_a_signed_url_carries_the_session_token_of_temporary_credentials(
    version: str, token: str
) -> None:
    client = Session().client(
        "s3",
        endpoint_url="http://127.0.0.1:9000",
        region_name="us-east-1",
        aws_access_key_id="key",
        aws_secret_access_key="secret",
        aws_session_token="session-token",
        config=Config(signature_version=version),  # "s3": SigV2, left to the client
    )
    store = S3BlobStore(client, "photos")
    mine, theirs = _same_second(
        lambda: store.signed_url(KEY, 60),
        lambda: client.generate_presigned_url(
            "get_object", Params={"Bucket": "photos", "Key": KEY}, ExpiresIn=60
        ),
    )
    assert mine == theirs
    assert f"{token}=session-token" in mine


def test_a_download_url_is_signed_as_botocore_signs_response_content_disposition() -> None:
    settings = {"S3_ACCESS_KEY": "key", "S3_SECRET_KEY": "secret", "S3_BUCKET": "photos",
                "S3_ENDPOINT_URL": "http://127.0.0.1:9000", "S3_PATH_STYLE": True}  # fmt: skip
    store = S3BlobStore.from_config(settings)
    name = "Af1935-0711-1_x.jpg"
    mine, theirs = _same_second(
        lambda: store.signed_url(KEY, 900, download_name=name),
        lambda: store.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": "photos",
                "Key": KEY,
                "ResponseContentDisposition": f'attachment; filename="{name}"',
            },
            ExpiresIn=900,
        ),
    )
    # botocore writes the response parameter first, we write it last: the same signed query.
    assert mine.partition("?")[0] == theirs.partition("?")[0]
    assert parse_qs(mine.partition("?")[2]) == parse_qs(theirs.partition("?")[2])
    assert "X-Amz-Signature" in parse_qs(mine.partition("?")[2])
