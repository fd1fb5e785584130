"""The licence vocabulary: what it holds, and how tolerantly a URI finds its entry."""

from __future__ import annotations

import pytest

from service.rules.licences import (
    ALL_RIGHTS_RESERVED,
    CREATIVE_COMMONS,
    LICENCES,
    PUBLIC_DOMAIN,
    RIGHTSSTATEMENTS,
    VITRINE,
    lookup_licence,
)

RIGHTSSTATEMENTS_IDS = (
    "InC",
    "InC-OW-EU",
    "InC-EDU",
    "InC-NC",
    "InC-RUU",
    "NoC-CR",
    "NoC-NC",
    "NoC-OKLR",
    "NoC-US",
    "CNE",
    "UND",
    "NKC",
)
CC_CODES = ("by", "by-sa", "by-nc", "by-nc-sa", "by-nd", "by-nc-nd")


def family_count(family: str) -> int:
    return sum(1 for lic in LICENCES.values() if lic.family == family)


def test_the_vocabulary_holds_cc_public_domain_statements_and_all_rights_reserved() -> None:
    assert len(LICENCES) == 21
    assert family_count(CREATIVE_COMMONS) == 6
    assert family_count(PUBLIC_DOMAIN) == 2
    assert family_count(RIGHTSSTATEMENTS) == 12
    assert family_count(VITRINE) == 1


def test_every_entry_is_keyed_by_its_own_canonical_uri() -> None:
    for uri, lic in LICENCES.items():
        assert lic.uri == uri


@pytest.mark.parametrize("uri", sorted(LICENCES))
def test_every_canonical_uri_resolves_to_its_entry(uri: str) -> None:
    assert lookup_licence(uri) is LICENCES[uri]


@pytest.mark.parametrize("code", RIGHTSSTATEMENTS_IDS)
def test_each_rightsstatements_id_has_its_http_vocab_uri(code: str) -> None:
    lic = LICENCES[f"http://rightsstatements.org/vocab/{code}/1.0/"]
    assert lic.short_name == code


@pytest.mark.parametrize("code", CC_CODES)
def test_each_cc_licence_has_its_http_uri_as_iiif_expects(code: str) -> None:
    lic = LICENCES[f"http://creativecommons.org/licenses/{code}/4.0/"]
    assert lic.short_name == f"CC {code.upper()} 4.0"
    assert lic.requires_attribution


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        (
            "https://creativecommons.org/licenses/by-nc/4.0/",
            "http://creativecommons.org/licenses/by-nc/4.0/",
        ),
        (
            "http://creativecommons.org/licenses/by-nc/4.0",
            "http://creativecommons.org/licenses/by-nc/4.0/",
        ),
        (
            "HTTPS://CreativeCommons.ORG/licenses/by-sa/4.0/",
            "http://creativecommons.org/licenses/by-sa/4.0/",
        ),
        (
            "https://creativecommons.org/licenses/by-nc-sa/4.0/legalcode",
            "http://creativecommons.org/licenses/by-nc-sa/4.0/",
        ),
        (
            "https://creativecommons.org/licenses/by/4.0/legalcode.en",
            "http://creativecommons.org/licenses/by/4.0/",
        ),
        (
            "https://creativecommons.org/licenses/by-nd/4.0/deed.fr",
            "http://creativecommons.org/licenses/by-nd/4.0/",
        ),
        (
            "https://www.creativecommons.org/licenses/by/4.0/",
            "http://creativecommons.org/licenses/by/4.0/",
        ),
        (
            "  https://creativecommons.org/publicdomain/zero/1.0/  ",
            "http://creativecommons.org/publicdomain/zero/1.0/",
        ),
        (
            "https://creativecommons.org/publicdomain/zero/1.0/legalcode",
            "http://creativecommons.org/publicdomain/zero/1.0/",
        ),
        (
            "https://creativecommons.org/publicdomain/mark/1.0",
            "http://creativecommons.org/publicdomain/mark/1.0/",
        ),
        (
            "https://rightsstatements.org/vocab/InC/1.0/",
            "http://rightsstatements.org/vocab/InC/1.0/",
        ),
        (
            "http://rightsstatements.org/vocab/inc-ow-eu/1.0",
            "http://rightsstatements.org/vocab/InC-OW-EU/1.0/",
        ),
        (
            "https://rightsstatements.org/page/NoC-US/1.0/?language=en",
            "http://rightsstatements.org/vocab/NoC-US/1.0/",
        ),
        (
            "http://RightsStatements.org/vocab/NKC/1.0/",
            "http://rightsstatements.org/vocab/NKC/1.0/",
        ),
        ("Vitrine:All-Rights-Reserved", ALL_RIGHTS_RESERVED),
    ],
)
def test_a_variant_spelling_finds_the_canonical_entry(spelling: str, canonical: str) -> None:
    found = lookup_licence(spelling)
    assert found is not None
    assert found.uri == canonical


@pytest.mark.parametrize(
    "uri",
    [
        "",
        "CC BY 4.0",
        "https://creativecommons.org/licenses/by/3.0/",
        "https://creativecommons.org/licenses/by-nc-sa/2.0/uk/",
        "https://creativecommons.org/",
        "https://example.org/licenses/by/4.0/",
        "http://rightsstatements.org/vocab/InC/2.0/",
        "https://rightsstatements.org/vocab/",
        "vitrine:public",
    ],
)
def test_an_unknown_uri_finds_nothing(uri: str) -> None:
    assert lookup_licence(uri) is None


@pytest.mark.parametrize(
    ("uri", "allows_social"),
    [
        ("http://creativecommons.org/licenses/by/4.0/", True),
        ("http://creativecommons.org/licenses/by-nc-sa/4.0/", True),
        ("http://creativecommons.org/licenses/by-nd/4.0/", False),
        ("http://creativecommons.org/licenses/by-nc-nd/4.0/", False),
        ("http://creativecommons.org/publicdomain/zero/1.0/", True),
        ("http://rightsstatements.org/vocab/InC/1.0/", False),
        ("http://rightsstatements.org/vocab/InC-NC/1.0/", True),
        ("http://rightsstatements.org/vocab/NoC-US/1.0/", False),
        ("http://rightsstatements.org/vocab/CNE/1.0/", False),
        (ALL_RIGHTS_RESERVED, False),
    ],
)
def test_social_posting_without_recorded_permission_follows_the_licence(
    uri: str, allows_social: bool
) -> None:
    assert LICENCES[uri].allows_social is allows_social


@pytest.mark.parametrize(
    "uri",
    [
        "http://creativecommons.org/licenses/by-nc/4.0/",
        "http://creativecommons.org/licenses/by-nc-sa/4.0/",
        "http://creativecommons.org/licenses/by-nc-nd/4.0/",
        "http://rightsstatements.org/vocab/InC-NC/1.0/",
        "http://rightsstatements.org/vocab/NoC-NC/1.0/",
    ],
)
def test_non_commercial_licences_and_statements_forbid_commercial_use(uri: str) -> None:
    assert not LICENCES[uri].commercial


def test_public_domain_tools_owe_no_attribution_and_allow_everything() -> None:
    for lic in LICENCES.values():
        if lic.family == PUBLIC_DOMAIN:
            assert lic.allows_social and lic.commercial and not lic.requires_attribution


def test_all_rights_reserved_allows_nothing_without_permission() -> None:
    lic = LICENCES[ALL_RIGHTS_RESERVED]
    assert (lic.allows_social, lic.commercial, lic.short_name) == (
        False,
        False,
        "All rights reserved",
    )
