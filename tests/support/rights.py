"""The rights values the tests share, and an audit subject that passes every check."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from service.rules import audit, captions, consent
from service.rules.credits import CreditRule

BM = "© Trustees of the British Museum"
CC_BY = "http://creativecommons.org/licenses/by/4.0/"
TODAY = date(2026, 3, 23)  # #MuseumWeek
RULE = CreditRule("Trustees of the British Museum", BM)
NO_PEOPLE = consent.PeopleFacts("none", proposed=False)


def subject(**changes: Any) -> audit.AuditInput:
    """A cleared, well-described asset that passes every check (it shows no recognisable
    people, as the rights desk has said); each test spoils one thing."""
    rights = {
        "holder": "Trustees of the British Museum",
        "credit_line": BM,
        "licence_uri": CC_BY,
        "channels": ["web", "social"],
        "embargo_until": None,
        "expires_at": None,
        "status": "cleared",
        "proposed": False,
        **changes.pop("rights", {}),
    }
    caption_text = changes.pop("caption_text", f"Somali wedding basket (Af1935,0711.1)\n\n{BM}")
    platform = changes.get("platform", "x")
    base = audit.AuditInput(
        asset_id=1,
        title="Somali wedding basket",
        platform=platform,
        channel="social",
        today=TODAY,
        rights=rights,
        rule=RULE,
        caption=None if caption_text is None else captions.check_caption(caption_text, platform),
        alt_text="A woven basket with a conical lid.",
        filename="basket.jpg",
        embedded_copyright=BM,
        people=NO_PEOPLE,
    )
    return dataclasses.replace(base, **changes)
