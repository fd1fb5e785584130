"""Presentation 3.0 documents from values: labels, credit, rights, sizes and collections."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from service.rules.iiif import presentation
from service.rules.iiif.image_requests import SizeLimits
from service.rules.iiif.presentation import ManifestFacts, Site

BASE = "https://images.museum.org/iiif/3"
SITE = Site(
    base=BASE, provider_name="The British Museum", provider_url="https://www.britishmuseum.org/"
)
BM = "© Trustees of the British Museum"
BASKET = ManifestFacts(
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
    credit_line=BM,
    licence_uri="https://creativecommons.org/licenses/by-nc-sa/4.0/",
)
IMAGE = f"{BASE}/{BASKET.public_id}"


def sizes(facts: ManifestFacts, site: Site = SITE) -> tuple[tuple[int, int], str, tuple[int, int]]:
    """The painted image's size, and the thumbnail's URL size segment and size."""
    manifest = presentation.manifest(facts, site)
    body = manifest["items"][0]["items"][0]["items"][0]["body"]
    [thumbnail] = manifest["thumbnail"]
    return (
        (body["width"], body["height"]),
        thumbnail["id"].split("/")[-3],
        (thumbnail["width"], thumbnail["height"]),
    )


@pytest.mark.parametrize(
    ("size", "painted", "thumbnail"),
    [
        ((6000, 4000), (4096, 2731), ("!400,400", (400, 267))),  # the width fills each box
        ((4000, 6000), (2731, 4096), ("!400,400", (267, 400))),  # the height does
        ((4096, 4096), (4096, 4096), ("!400,400", (400, 400))),
        ((2400, 1800), (2400, 1800), ("!400,400", (400, 300))),  # max: never enlarged
        ((4001, 3000), (4001, 3000), ("!400,400", (400, 300))),  # 299.93 rounds half up
        ((10000, 10), (4096, 4), ("!400,400", (400, 1))),  # a sliver keeps a pixel
        ((500, 300), (500, 300), ("!400,400", (400, 240))),  # larger than the box one way
        ((300, 200), (300, 200), ("max", (300, 200))),  # within the box: max, not upscaled
        ((400, 400), (400, 400), ("max", (400, 400))),
    ],
)
def test_the_sizes_given_are_those_the_image_service_answers(
    size: tuple[int, int], painted: tuple[int, int], thumbnail: tuple[str, tuple[int, int]]
) -> None:
    facts = dataclasses.replace(BASKET, width=size[0], height=size[1])
    assert sizes(facts) == (painted, *thumbnail)


def test_the_painted_size_follows_the_image_services_limits() -> None:
    narrow = Site(base=BASE, limits=SizeLimits(2048, 2048, 2048 * 2048))
    assert sizes(BASKET, narrow)[0] == (2048, 1365)
    small_area = Site(base=BASE, limits=SizeLimits(4096, 4096, 1_000_000))
    width, height = sizes(BASKET, small_area)[0]
    assert width * height <= 1_000_000 and abs(width / height - 1.5) < 0.01


def test_a_manifest_carries_the_credit_the_rights_and_the_museums_record() -> None:
    manifest = presentation.manifest(BASKET, SITE)
    assert manifest["@context"] == "http://iiif.io/api/presentation/3/context.json"
    assert manifest["id"] == f"{IMAGE}/manifest"
    assert manifest["type"] == "Manifest"
    assert manifest["label"] == {"none": ["Somali wedding basket"]}
    assert manifest["summary"] == {"none": ["Made for a wedding in Somalia."]}
    assert manifest["requiredStatement"] == {
        "label": {"en": ["Attribution"]},
        "value": {"none": [BM]},
    }
    assert manifest["rights"] == "http://creativecommons.org/licenses/by-nc-sa/4.0/"
    assert manifest["metadata"] == [
        {"label": {"en": ["Object number"]}, "value": {"none": ["Af1935,0711.1"]}},
        {"label": {"en": ["Creator"]}, "value": {"none": ["Unknown maker"]}},
        {"label": {"en": ["Date"]}, "value": {"none": ["c. 1930"]}},
        {"label": {"en": ["Holder"]}, "value": {"none": ["Trustees of the British Museum"]}},
    ]
    [homepage] = manifest["homepage"]
    assert homepage == {
        "id": BASKET.record_url,
        "type": "Text",
        "label": {"none": ["Somali wedding basket"]},
        "format": "text/html",
    }
    [agent] = manifest["provider"]
    assert agent["id"] == "https://www.britishmuseum.org/"
    assert agent["type"] == "Agent"
    assert agent["label"] == {"none": ["The British Museum"]}
    assert agent["homepage"][0]["id"] == "https://www.britishmuseum.org/"


def test_the_canvas_is_the_images_size_painted_with_the_largest_image_the_service_gives() -> None:
    [canvas] = presentation.manifest(BASKET, SITE)["items"]
    assert (canvas["type"], canvas["width"], canvas["height"]) == ("Canvas", 6000, 4000)
    [page] = canvas["items"]
    assert page["type"] == "AnnotationPage"
    [annotation] = page["items"]
    assert annotation["type"] == "Annotation"
    assert annotation["motivation"] == "painting"
    assert annotation["target"] == canvas["id"]
    body = annotation["body"]
    assert body["id"] == f"{IMAGE}/full/max/0/default.jpg"
    assert (body["type"], body["format"]) == ("Image", "image/jpeg")
    assert (body["width"], body["height"]) == (4096, 2731)
    assert body["service"] == [{"id": IMAGE, "type": "ImageService3", "profile": "level2"}]
    ids = [canvas["id"], page["id"], annotation["id"]]
    assert len(set(ids)) == 3 and all(i.startswith(BASE + "/") for i in ids)


def test_the_thumbnail_is_a_small_jpeg_from_the_image_service() -> None:
    [thumbnail] = presentation.manifest(BASKET, SITE)["thumbnail"]
    assert thumbnail["id"] == f"{IMAGE}/full/!400,400/0/default.jpg"
    assert (thumbnail["width"], thumbnail["height"]) == (400, 267)
    assert thumbnail["format"] == "image/jpeg"
    assert thumbnail["service"][0]["type"] == "ImageService3"


def test_only_what_is_known_is_said() -> None:
    bare = ManifestFacts(public_id="p", width=10, height=10)
    manifest = presentation.manifest(bare, Site(base=BASE))
    assert manifest["label"] == {"en": ["Untitled"]}
    for absent in ("summary", "metadata", "requiredStatement", "rights", "provider", "homepage"):
        assert absent not in manifest
    numbered = dataclasses.replace(bare, object_number="EA 24")
    assert presentation.manifest(numbered, Site(base=BASE))["label"] == {"none": ["EA 24"]}
    dated = dataclasses.replace(bare, object_date="Qing dynasty")
    assert presentation.manifest(dated, Site(base=BASE))["metadata"] == [
        {"label": {"en": ["Date"]}, "value": {"none": ["Qing dynasty"]}}
    ]


def test_a_licence_iiif_does_not_take_leaves_rights_out_but_keeps_the_credit() -> None:
    reserved = dataclasses.replace(BASKET, licence_uri="vitrine:all-rights-reserved")
    manifest = presentation.manifest(reserved, SITE)
    assert "rights" not in manifest
    assert manifest["requiredStatement"]["value"] == {"none": [BM]}


def test_a_provider_without_a_homepage_is_identified_by_the_iiif_base() -> None:
    site = Site(base=BASE, provider_name="Musée")
    [agent] = presentation.manifest(BASKET, site)["provider"]
    assert agent == {"id": BASE, "type": "Agent", "label": {"none": ["Musée"]}}


def test_a_collection_lists_manifest_references_in_order_and_may_be_empty() -> None:
    other = dataclasses.replace(BASKET, public_id="q", title="", object_number="EA 24")
    collection_id = presentation.campaign_collection_id(SITE, 7)
    document = presentation.collection(
        collection_id, {"none": ["MuseumWeek 2026"]}, [other, BASKET], SITE
    )
    assert document["@context"] == presentation.CONTEXT
    assert (document["id"], document["type"]) == (f"{BASE}/collections/campaigns/7", "Collection")
    assert document["label"] == {"none": ["MuseumWeek 2026"]}
    assert [item["id"] for item in document["items"]] == [
        f"{BASE}/q/manifest",
        f"{IMAGE}/manifest",
    ]
    first = document["items"][0]
    assert set(first) == {"id", "type", "label", "thumbnail"}
    assert (first["type"], first["label"]) == ("Manifest", {"none": ["EA 24"]})
    empty = presentation.collection(collection_id, {"none": ["x"]}, [], SITE)
    assert empty["items"] == []


def test_a_tag_collection_id_escapes_the_tag() -> None:
    assert (
        presentation.tag_collection_id(SITE, "MuseumWeek") == f"{BASE}/collections/tags/MuseumWeek"
    )
    assert (
        presentation.tag_collection_id(SITE, "AC/DC é")
        == f"{BASE}/collections/tags/AC%2FDC%20%C3%A9"
    )


NOW = datetime(2026, 3, 23, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("configured", "until", "expected"),
    [
        (3600, None, 3600),
        (3600, NOW + timedelta(days=2), 3600),
        (3600, NOW + timedelta(minutes=10), 600),  # the rights end in ten minutes
        (3600, NOW + timedelta(seconds=0.5), 0),
        (3600, NOW - timedelta(seconds=5), 0),
        (0, None, 0),
    ],
)
def test_a_cache_keeps_a_document_no_longer_than_the_rights_last(
    configured: int, until: datetime | None, expected: int
) -> None:
    assert presentation.cache_seconds(configured, NOW, until) == expected
