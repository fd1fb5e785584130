"""The documents of service/rules/iiif/presentation.py, in every shape they take, as the IIIF
community's tools read them: iiif-prezi3's models and the IIIF presentation validator (in a
venv of their own, scripts/iiif-presentation-validator.sh)."""

from __future__ import annotations

import dataclasses
from typing import Any

from service.rules.iiif import presentation
from service.rules.iiif.presentation import ManifestFacts, Site
from service.rules.licences import LICENCES
from tests.support.iiif_presentation import assert_read_as_written, assert_valid, checked

BASE = "https://images.museum.org/iiif/3"
SITE = Site(
    base=BASE, provider_name="The British Museum", provider_url="https://www.britishmuseum.org/"
)
FULL = ManifestFacts(
    public_id="5b0f3c1e-8a1d-4c43-9d7e-0f3b3a8f1a2b",
    width=6000,
    height=4000,
    title="Somali wedding basket",
    object_number="Af1935,0711.1",
    object_date="c. 1930",
    description="Made for a wedding in Somalia.",
    record_url="https://www.britishmuseum.org/collection/object/E_Af1935-0711-1",
    creator="Unknown maker",
    holder="Trustees of the British Museum",
    credit_line="© Trustees of the British Museum",
    licence_uri="http://creativecommons.org/licenses/by-nc-sa/4.0/",
)
BARE = ManifestFacts(public_id="9d1c0a57-3f0b-4f39-8f6a-61c8c3d5a0e1", width=1, height=1)


def documents() -> list[tuple[dict[str, Any], str | None]]:
    """A manifest under every licence of the vocabulary, bare ones, and collections."""
    made: list[dict[str, Any]] = [
        presentation.manifest(dataclasses.replace(FULL, licence_uri=uri), SITE)
        for uri in sorted(LICENCES)
    ]
    made.append(presentation.manifest(BARE, Site(base=BASE)))
    made.append(presentation.manifest(BARE, Site(base=BASE, provider_name="Musée")))
    made.append(
        presentation.collection(
            presentation.campaign_collection_id(SITE, 7),
            {"none": ["MuseumWeek"]},
            [FULL, BARE],
            SITE,
        )
    )
    made.append(
        presentation.collection(
            presentation.tag_collection_id(SITE, "AC/DC"), {"none": ["#AC/DC"]}, [], SITE
        )
    )
    return [(document, document["id"]) for document in made]


def test_iiif_prezi3_reads_every_shape_of_document_as_it_is_written() -> None:
    assert_read_as_written(documents())


def test_the_iiif_presentation_validator_passes_every_shape_of_document() -> None:
    assert_valid(documents())


def test_the_checks_tell_a_bad_document_from_a_good_one() -> None:
    good = presentation.collection(f"{BASE}/collections/tags/x", {"none": ["#x"]}, [], SITE)
    bare_label = {**good, "label": "#x"}  # a string where a language map belongs
    https_rights = {**presentation.manifest(FULL, SITE),
                    "rights": "https://creativecommons.org/licenses/by/4.0/"}  # fmt: skip
    result = checked([(good, good["id"]), (bare_label, good["id"]), (https_rights, None)])
    verdicts = result["results"]
    assert verdicts[0]["prezi3"]["ok"]
    assert not verdicts[1]["prezi3"]["ok"] and "$.label" in verdicts[1]["prezi3"]["changed"]
    if result["validator"]:
        assert [v["validator"]["okay"] for v in verdicts] == [1, 0, 0]
