"""Password hashes made without Werkzeug keep Werkzeug's format both ways."""

from __future__ import annotations

from werkzeug.security import check_password_hash, generate_password_hash

from service.services.passwords import check_password, hash_password


def test_hashes_werkzeug_made_verify() -> None:
    for method in ("scrypt", "pbkdf2:sha256:1000"):
        stored = generate_password_hash("correct horse battery", method=method)
        assert check_password(stored, "correct horse battery")
        assert not check_password(stored, "wrong horse battery")


def test_hashes_made_here_verify_in_werkzeug() -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("scrypt:32768:8:1$")
    assert check_password_hash(stored, "correct horse battery")
    assert not check_password_hash(stored, "wrong")


def test_a_malformed_hash_never_verifies() -> None:
    assert not check_password("not a hash", "x")
    assert not check_password("md5$salt$abc", "x")
