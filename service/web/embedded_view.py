"""What the asset page shows of a file's embedded metadata: the summary's fields as text, and
where the file's blocks disagree, with the Metadata Working Group rule that settled each."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

SUMMARY_FIELDS = (
    ("title", "Title"), ("description", "Description"), ("alt_text", "Alt text"),
    ("creator", "Creator"), ("copyright_notice", "Copyright notice"),
    ("credit_line", "Credit line"), ("web_statement", "Web statement of rights"),
    ("usage_terms", "Usage terms"), ("keywords", "Keywords"), ("sublocation", "Sublocation"),
    ("city", "City"), ("province_state", "Province or state"), ("country", "Country"),
    ("date_taken", "Date taken"), ("camera_make", "Camera make"),
    ("camera_model", "Camera model"), ("orientation", "Orientation"), ("gps", "GPS position"),
    ("has_gps", "Carries GPS tags"), ("icc_profile", "ICC profile"),
)  # fmt: skip
FIELD_LABELS = dict(SUMMARY_FIELDS)

# Why a value was chosen, in a rights manager's words (rules.mwg names the rules).
RULE_REASONS = {
    "exif-first": "EXIF is read before IPTC and XMP for this field",
    "xmp-only": "only XMP has a place for this field",
    "no-iim": "the file has no IPTC-IIM block, so XMP",
    "digest-matches": "the IPTC digest matches: IIM and XMP are in sync, so XMP",
    "no-digest": "the IIM carries no IPTC digest, so XMP is taken as current",
    "no-xmp": "XMP does not have it, so IPTC-IIM",
    "digest-stale": (
        "the IPTC digest is stale: a tool that does not know XMP changed the IIM, so IIM wins"
    ),
    "iim-truncated": "the IIM holds the XMP value cut at its length limit, so the whole XMP value",
    "fallback": "found only outside the blocks the MWG reads (PNG text, other XMP tags)",
}

DIGEST_STATES = {
    "matches": "The IPTC digest matches: XMP and IPTC-IIM were written together.",
    "missing": "The IPTC-IIM block carries no digest: XMP is taken as current.",
    "stale": (
        "The IPTC digest is stale: the IPTC-IIM was changed by a tool that did not update"
        " XMP, so IPTC-IIM wins where the two disagree."
    ),
}


@dataclass(frozen=True)
class Disagreement:
    """One field the blocks disagree on: what was chosen, why, and what the others say."""

    label: str
    chosen: str
    reason: str
    others: list[tuple[str, str]]  # (source, value)


def shown(value: Any) -> str:
    """A stored value as text for a table cell."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict) and set(value) == {"value", "source"}:
        text = value["value"]
        text = "; ".join(text) if isinstance(text, list) else text
        return f"{text} (from {value['source']})"
    if isinstance(value, dict) and "latitude" in value:
        return _position(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _position(gps: Mapping[str, Any]) -> str:
    if gps.get("rounded"):
        altitude = f", about {gps['altitude']:.0f} m" if gps.get("altitude") is not None else ""
        where = f"{gps['latitude']:.2f}, {gps['longitude']:.2f}"
        return f"{where}{altitude} (rounded to about 1 km)"
    altitude = f", {gps['altitude']:.1f} m" if gps.get("altitude") is not None else ""
    return f"{gps['latitude']:.5f}, {gps['longitude']:.5f}{altitude}"


def summary_rows(summary: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, text) for each summary field, in the page's order."""
    return [(label, shown(summary.get(key))) for key, label in SUMMARY_FIELDS]


def disagreements(summary: Mapping[str, Any]) -> list[Disagreement]:
    """The fields whose blocks disagree (a value a stale digest set aside among them)."""
    found = []
    for field, detail in (summary.get("reconciled") or {}).items():
        if not detail.get("conflicts"):
            continue
        chosen = shown(summary.get(field)) if detail.get("source") else "nothing (deleted in IIM)"
        found.append(
            Disagreement(
                label=FIELD_LABELS.get(field, field),
                chosen=chosen,
                reason=RULE_REASONS.get(detail.get("rule", ""), detail.get("rule", "")),
                others=[(c["source"], c["value"]) for c in detail.get("conflicts", [])],
            )
        )
    return found


def digest_note(summary: Mapping[str, Any]) -> str | None:
    """A sentence on the IPTC digest, when the file has IPTC-IIM."""
    return DIGEST_STATES.get(summary.get("iptc_digest") or "")
