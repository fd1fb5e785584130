"""Each use of the secret key gets a key of its own, so a value signed for one purpose
cannot pass for another."""

from __future__ import annotations

import pytest

from service.rules import keys


def test_each_purpose_gets_a_different_key_and_none_is_the_secret_itself() -> None:
    secret = "a" * 48
    derived = {purpose: keys.derived_key(secret, purpose) for purpose in keys.PURPOSES}
    assert len(set(derived.values())) == len(keys.PURPOSES)
    assert all(key != secret.encode() for key in derived.values())


def test_the_same_secret_and_purpose_give_the_same_key_and_another_secret_another() -> None:
    first = keys.derived_key("s" * 40, keys.BLOB_URL)
    assert first == keys.derived_key("s" * 40, keys.BLOB_URL)
    assert first != keys.derived_key("t" * 40, keys.BLOB_URL)


@pytest.mark.parametrize("purpose", ["", "session", "blob-url "])
def test_an_unknown_purpose_is_refused(purpose: str) -> None:
    with pytest.raises(ValueError, match="unknown key purpose"):
        keys.derived_key("s" * 40, purpose)


def test_an_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        keys.derived_key("", keys.BLOB_URL)
