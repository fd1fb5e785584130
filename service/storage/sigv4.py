"""AWS Signature Version 4 for presigned S3 GET URLs: values in, a URL out.

The same URL, byte for byte, as botocore's ``S3SigV4QueryAuth`` makes at the same second
(tests/integration/test_s3_presigning.py compares them), at a tenth of its cost: a cached
variant's JSON signs one URL per request. The key derived from the secret changes once a
day, and is kept (``signing_key``).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlsplit

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Credentials:
    """What a URL is signed with; ``token`` for temporary credentials (STS)."""

    access_key: str
    secret_key: str
    token: str | None = None


def presigned_get(
    url: str,
    credentials: Credentials,
    region: str,
    expires_in: int,
    now: datetime,
    params: Mapping[str, str] | None = None,
) -> str:
    """``url`` (an object's, already quoted, without a query) presigned for GET by
    ``credentials`` in ``region`` for ``expires_in`` seconds from ``now`` (UTC). ``params``
    are further query parameters, signed with the rest (``response-content-disposition``)."""
    timestamp = now.strftime("%Y%m%dT%H%M%SZ")
    day = timestamp[:8]
    scope = f"{day}/{region}/s3/aws4_request"
    signed = {
        "X-Amz-Algorithm": ALGORITHM,
        "X-Amz-Credential": f"{credentials.access_key}/{scope}",
        "X-Amz-Date": timestamp,
        "X-Amz-Expires": str(expires_in),
        "X-Amz-SignedHeaders": "host",
    }
    if credentials.token is not None:
        signed["X-Amz-Security-Token"] = credentials.token
    signed.update(params or {})
    pairs = [(_encoded(name), _encoded(value)) for name, value in signed.items()]
    query = "&".join(f"{name}={value}" for name, value in pairs)
    parts = urlsplit(url)
    canonical_request = "\n".join(
        [
            "GET",
            parts.path,
            # By encoded name, then value (not by "name=value": "=" sorts before letters).
            "&".join(f"{name}={value}" for name, value in sorted(pairs)),
            f"host:{host_of(url)}\n",
            "host",
            UNSIGNED_PAYLOAD,
        ]
    )
    digest = hashlib.sha256(canonical_request.encode()).hexdigest()
    string_to_sign = f"{ALGORITHM}\n{timestamp}\n{scope}\n{digest}"
    key = signing_key(credentials.secret_key, day, region)
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return f"{url}?{query}&X-Amz-Signature={signature}"


def host_of(url: str) -> str:
    """The Host header a client sends for ``url``: lower case, the port only when it is not
    the scheme's default, an IPv6 address in brackets."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(parts.scheme):
        host = f"{host}:{parts.port}"
    return host


@functools.lru_cache(maxsize=16)
def signing_key(secret_key: str, day: str, region: str) -> bytes:
    """The key derived from the secret for one day (YYYYMMDD), region and S3."""
    key = ("AWS4" + secret_key).encode()
    for part in (day, region, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def _encoded(value: str) -> str:
    return quote(value, safe="-_.~")
