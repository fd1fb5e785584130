"""Presentation API 3.0 documents as plain dicts: a Manifest per image, Collections of them.

Language maps follow the spec: text whose language Vitrine does not know (titles,
descriptions, names, credit lines, all typed by the museum in any language) goes under
``none``; the few labels Vitrine writes itself ("Attribution", "Object number") are English.
Every id is absolute, under ``Site.base`` (the URL of /iiif/3); the image's URLs are those of
the Image API service at ``{base}/{public_id}``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from service.rules.iiif import image_requests
from service.rules.iiif.image_requests import SizeLimits
from service.rules.iiif.rights import iiif_rights

CONTEXT = "http://iiif.io/api/presentation/3/context.json"
MEDIA_TYPE = f'application/ld+json;profile="{CONTEXT}"'
# The largest image the service answers with, unless the image routes say otherwise.
DEFAULT_MAX_EDGE = 4096
DEFAULT_LIMITS = SizeLimits(DEFAULT_MAX_EDGE, DEFAULT_MAX_EDGE, DEFAULT_MAX_EDGE**2)
# The thumbnail's box: large enough for a collection's grid, small enough to come fast.
THUMBNAIL_EDGE = 400

Document = dict[str, Any]


@dataclass(frozen=True)
class Site:
    """Where the documents are published and by whom (VITRINE_IIIF_PROVIDER_*)."""

    base: str  # the absolute URL of /iiif/3, without a trailing slash
    provider_name: str = ""  # no provider is named without one
    provider_url: str = ""  # the museum's homepage
    limits: SizeLimits = DEFAULT_LIMITS  # the image service's maxWidth, maxHeight, maxArea


@dataclass(frozen=True)
class ManifestFacts:
    """What a manifest says of one image: the asset's description and its rights."""

    public_id: str
    width: int
    height: int
    title: str = ""
    object_number: str = ""
    object_date: str = ""
    description: str = ""
    record_url: str = ""  # the museum's page for the object, when known
    creator: str = ""
    holder: str = ""
    credit_line: str = ""  # the credit the policy requires: the attribution viewers show
    licence_uri: str | None = None


# --- sizes -------------------------------------------------------------------------------


def served_size(facts: ManifestFacts, size: str, limits: SizeLimits) -> tuple[int, int]:
    """The size of the image the service answers ``full/{size}/0/default.jpg`` with: the
    Image API rules' own answer (image_requests), so the two never disagree on a pixel."""
    request = image_requests.parse(
        "full", size, "0", "default.jpg", width=facts.width, height=facts.height, limits=limits
    )
    return request.size


def thumbnail_size_segment(facts: ManifestFacts) -> str:
    """``!400,400`` for an image larger than the thumbnail's box; ``max`` for one within it
    (the service reads a box the image would have to grow into as upscaling, and refuses it)."""
    if facts.width > THUMBNAIL_EDGE or facts.height > THUMBNAIL_EDGE:
        return f"!{THUMBNAIL_EDGE},{THUMBNAIL_EDGE}"
    return "max"


# --- ids ---------------------------------------------------------------------------------


def manifest_id(site: Site, public_id: str) -> str:
    return f"{site.base}/{public_id}/manifest"


def campaign_collection_id(site: Site, campaign_id: int) -> str:
    return f"{site.base}/collections/campaigns/{campaign_id}"


def tag_collection_id(site: Site, tag: str) -> str:
    return f"{site.base}/collections/tags/{quote(tag, safe='')}"


def image_service_id(site: Site, public_id: str) -> str:
    return f"{site.base}/{public_id}"


# --- parts -------------------------------------------------------------------------------


def unknown_language(text: str) -> dict[str, list[str]]:
    """A language map for text in a language Vitrine does not know."""
    return {"none": [text]}


def english(text: str) -> dict[str, list[str]]:
    return {"en": [text]}


def label_of(facts: ManifestFacts) -> dict[str, list[str]]:
    """The title, else the object number, else "Untitled" (which is English)."""
    if facts.title:
        return unknown_language(facts.title)
    if facts.object_number:
        return unknown_language(facts.object_number)
    return english("Untitled")


def image_service(site: Site, public_id: str) -> list[Document]:
    return [{"id": image_service_id(site, public_id), "type": "ImageService3", "profile": "level2"}]


def thumbnail(site: Site, facts: ManifestFacts) -> list[Document]:
    """A small JPEG of the whole image from the image service, with the service itself."""
    size = thumbnail_size_segment(facts)
    width, height = served_size(facts, size, site.limits)
    return [
        {
            "id": f"{image_service_id(site, facts.public_id)}/full/{size}/0/default.jpg",
            "type": "Image",
            "format": "image/jpeg",
            "width": width,
            "height": height,
            "service": image_service(site, facts.public_id),
        }
    ]


def metadata(facts: ManifestFacts) -> list[Document]:
    """Object number, creator, date and holder: the ones known, in that order."""
    pairs = (
        ("Object number", facts.object_number),
        ("Creator", facts.creator),
        ("Date", facts.object_date),
        ("Holder", facts.holder),
    )
    return [
        {"label": english(label), "value": unknown_language(value)}
        for label, value in pairs
        if value
    ]


def attribution(credit_line: str) -> Document:
    """The requiredStatement: the credit line viewers must show with the image."""
    return {"label": english("Attribution"), "value": unknown_language(credit_line)}


def provider(site: Site) -> list[Document]:
    """The museum as the Agent that publishes the documents; none when it has no name. Its
    id is its homepage, else the IIIF base (an identifier need not be a page)."""
    if not site.provider_name:
        return []
    agent: Document = {
        "id": site.provider_url or site.base,
        "type": "Agent",
        "label": unknown_language(site.provider_name),
    }
    if site.provider_url:
        agent["homepage"] = [web_page(site.provider_url, unknown_language(site.provider_name))]
    return [agent]


def web_page(url: str, label: dict[str, list[str]]) -> Document:
    """A page on the web, as ``homepage`` lists it."""
    return {"id": url, "type": "Text", "label": label, "format": "text/html"}


def canvas(site: Site, facts: ManifestFacts) -> Document:
    """The one Canvas, the image's own size, painted with the image at the service's ``max``."""
    canvas_id = f"{manifest_id(site, facts.public_id)}/canvas"
    page_id = f"{canvas_id}/page"
    width, height = served_size(facts, "max", site.limits)
    body = {
        "id": f"{image_service_id(site, facts.public_id)}/full/max/0/default.jpg",
        "type": "Image",
        "format": "image/jpeg",
        "width": width,
        "height": height,
        "service": image_service(site, facts.public_id),
    }
    painting = {
        "id": f"{page_id}/image",
        "type": "Annotation",
        "motivation": "painting",
        "body": body,
        "target": canvas_id,
    }
    return {
        "id": canvas_id,
        "type": "Canvas",
        "label": label_of(facts),
        "width": facts.width,
        "height": facts.height,
        "items": [{"id": page_id, "type": "AnnotationPage", "items": [painting]}],
    }


# --- documents ---------------------------------------------------------------------------


def manifest(facts: ManifestFacts, site: Site) -> Document:
    """The Manifest of one image, with its credit, rights and the museum's record."""
    document: Document = {
        "@context": CONTEXT,
        "id": manifest_id(site, facts.public_id),
        "type": "Manifest",
        "label": label_of(facts),
    }
    if facts.description:
        document["summary"] = unknown_language(facts.description)
    if pairs := metadata(facts):
        document["metadata"] = pairs
    if facts.credit_line:
        document["requiredStatement"] = attribution(facts.credit_line)
    if rights := iiif_rights(facts.licence_uri):
        document["rights"] = rights
    if agents := provider(site):
        document["provider"] = agents
    document["thumbnail"] = thumbnail(site, facts)
    if facts.record_url:
        document["homepage"] = [web_page(facts.record_url, label_of(facts))]
    document["items"] = [canvas(site, facts)]
    return document


def manifest_reference(facts: ManifestFacts, site: Site) -> Document:
    """How a Collection lists a Manifest: its id, label and thumbnail."""
    return {
        "id": manifest_id(site, facts.public_id),
        "type": "Manifest",
        "label": label_of(facts),
        "thumbnail": thumbnail(site, facts),
    }


def collection(
    collection_id: str,
    label: dict[str, list[str]],
    items: Sequence[ManifestFacts],
    site: Site,
    *,
    summary: dict[str, list[str]] | None = None,
) -> Document:
    """A Collection listing the Manifests of ``items``, in their order (perhaps none)."""
    document: Document = {
        "@context": CONTEXT,
        "id": collection_id,
        "type": "Collection",
        "label": label,
    }
    if summary:
        document["summary"] = summary
    if agents := provider(site):
        document["provider"] = agents
    document["items"] = [manifest_reference(facts, site) for facts in items]
    return document


# --- caching -----------------------------------------------------------------------------


def cache_seconds(configured: int, now: datetime, good_until: datetime | None) -> int:
    """How long a shared cache may keep a document: ``configured`` seconds, never past
    ``good_until`` (when the rights of an image in it end), and never negative."""
    if good_until is None:
        return max(0, configured)
    remaining = math.floor((good_until - now).total_seconds())
    return max(0, min(configured, remaining))
