"""Password hashes in Werkzeug's format (``scrypt:n:r:p$salt$hex``), made with the standard
library so that the services need no web framework; existing hashes keep verifying."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string

SALT_CHARS = string.ascii_letters + string.digits
SALT_LENGTH = 16
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1


def hash_password(password: str) -> str:
    """A salted scrypt hash of the password, as ``werkzeug.security`` writes it."""
    salt = "".join(secrets.choice(SALT_CHARS) for _ in range(SALT_LENGTH))
    method = f"scrypt:{SCRYPT_N}:{SCRYPT_R}:{SCRYPT_P}"
    return f"{method}${salt}${_digest(method, salt, password)}"


def check_password(stored: str, password: str) -> bool:
    """True when ``password`` is the one ``stored`` was made from (scrypt or pbkdf2)."""
    try:
        method, salt, digest = stored.split("$", 2)
        return hmac.compare_digest(_digest(method, salt, password), digest)
    except ValueError:
        return False


def _digest(method: str, salt: str, password: str) -> str:
    name, *args = method.split(":")
    if name == "scrypt":
        n, r, p = map(int, args) if args else (SCRYPT_N, SCRYPT_R, SCRYPT_P)
        return hashlib.scrypt(
            password.encode(), salt=salt.encode(), n=n, r=r, p=p, maxmem=132 * n * r * p
        ).hex()
    if name == "pbkdf2" and len(args) == 2:
        return hashlib.pbkdf2_hmac(args[0], password.encode(), salt.encode(), int(args[1])).hex()
    raise ValueError(f"unknown password hash method {name!r}")
