"""The IIIF section of an asset's page: its manifest and image service URLs, absolute, and
whether the web gate lets them out right now (the same audit the IIIF routes run)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from service.http.context import services
from service.http.public_urls import iiif_url
from service.rules.problems import NotFound
from service.services import iiif_gate
from service.storage.models import Asset


@dataclass(frozen=True)
class IiifLinks:
    """An asset's public IIIF addresses and whether they answer today."""

    manifest: str
    image_info: str
    cleared: bool
    failing: list[dict[str, Any]] = field(default_factory=list)  # {check, reason, ...}


def links_for(session: Session, asset: Asset) -> IiifLinks:
    """The manifest and info.json URLs of ``asset``, cleared or with the failing checks of
    its web audit. The URLs are shown either way: they are stable, and answer 403 until the
    audit passes."""
    manifest = iiif_url(asset.public_id, "manifest")
    image_info = iiif_url(asset.public_id, "info.json")
    try:
        iiif_gate.cleared_for_web(session, services(), asset.public_id)
    except iiif_gate.NotClearedForWeb as refusal:
        return IiifLinks(manifest, image_info, False, list(refusal.extra.get("checks", [])))
    except NotFound:  # deleted since the page began: nothing is public
        return IiifLinks(manifest, image_info, False)
    return IiifLinks(manifest, image_info, True)
