"""The rights URI of IIIF documents: every licence of the vocabulary, as the IIIF schema takes it."""

from __future__ import annotations

import re

import pytest

from service.rules.iiif.rights import iiif_rights
from service.rules.licences import ALL_RIGHTS_RESERVED, LICENCES, VITRINE

# The IIIF presentation validator's three patterns for `rights` (schema/iiif_3_0.json, a
# `oneOf`, unanchored as JSON Schema patterns are): exactly one of them must match.
VALIDATOR_PATTERNS = (
    re.compile(r"http://creativecommons.org/licenses/.*"),
    re.compile(r"http://creativecommons.org/publicdomain/.*"),
    re.compile(r"http://rightsstatements.org/vocab/.*"),
)


def accepted_by_the_validator(uri: str) -> bool:
    return sum(1 for pattern in VALIDATOR_PATTERNS if pattern.search(uri)) == 1


@pytest.mark.parametrize("uri", sorted(LICENCES))
def test_every_licence_but_vitrines_own_is_written_as_the_iiif_schema_takes_it(uri: str) -> None:
    licence = LICENCES[uri]
    rights = iiif_rights(uri)
    if licence.family == VITRINE:
        assert rights is None
        return
    assert rights == uri
    assert rights.startswith("http://") and rights.endswith("/")
    assert accepted_by_the_validator(rights)


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        (
            "https://creativecommons.org/licenses/by/4.0/",
            "http://creativecommons.org/licenses/by/4.0/",
        ),
        (
            "https://creativecommons.org/licenses/by-nc-sa/4.0",
            "http://creativecommons.org/licenses/by-nc-sa/4.0/",
        ),
        (
            "https://creativecommons.org/licenses/by/4.0/legalcode.fr",
            "http://creativecommons.org/licenses/by/4.0/",
        ),
        (
            "creativecommons.org/publicdomain/zero/1.0",
            "http://creativecommons.org/publicdomain/zero/1.0/",
        ),
        (
            "https://www.creativecommons.org/publicdomain/mark/1.0/deed.en",
            "http://creativecommons.org/publicdomain/mark/1.0/",
        ),
        (
            "https://rightsstatements.org/vocab/InC/1.0/",
            "http://rightsstatements.org/vocab/InC/1.0/",
        ),
        (
            "http://rightsstatements.org/page/NoC-US/1.0/?language=en",
            "http://rightsstatements.org/vocab/NoC-US/1.0/",
        ),
    ],
)
def test_https_and_page_spellings_become_the_http_uri(spelling: str, expected: str) -> None:
    assert iiif_rights(spelling) == expected
    assert accepted_by_the_validator(expected)


@pytest.mark.parametrize(
    "uri",
    [
        None,
        "",
        ALL_RIGHTS_RESERVED,
        "https://creativecommons.org/licenses/by/3.0/",  # not in the vocabulary
        "https://www.britishmuseum.org/terms-use",
        "http://example.org/licenses/by/4.0/",
    ],
)
def test_anything_else_gets_no_rights(uri: str | None) -> None:
    assert iiif_rights(uri) is None


def test_the_https_form_is_what_the_validator_refuses() -> None:
    # The oracle itself: why the http form matters.
    assert not accepted_by_the_validator("https://creativecommons.org/licenses/by/4.0/")
