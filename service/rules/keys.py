"""Keys derived from ``VITRINE_SECRET_KEY``, one per purpose.

The session cookie is signed with the secret itself (Flask's own derivation applies); every
other use takes a key of its own, so that a value signed for one purpose (a blob URL) can
never pass for another (a variant's blob name), and a leak of one derived key does not give
the others away.
"""

from __future__ import annotations

import hashlib
import hmac

# The purposes Vitrine derives keys for; a new purpose is a new name here, never a reuse.
BLOB_URL = "blob-url"
VARIANT_NAME = "variant-name"
PURPOSES = (BLOB_URL, VARIANT_NAME)


def derived_key(secret: str, purpose: str) -> bytes:
    """The key for ``purpose``: HMAC-SHA256 of the purpose under the secret."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown key purpose {purpose!r}")
    if not secret:
        raise ValueError("the secret key is empty")
    return hmac.new(secret.encode(), f"vitrine/{purpose}/v1".encode(), hashlib.sha256).digest()
