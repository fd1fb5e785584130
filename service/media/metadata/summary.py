"""The JSON-ready summary: each field reconciled across the blocks by the MWG's rules
(rules.mwg), with the block it came from and the others' disagreeing values, then the camera
facts and GPS."""

from __future__ import annotations

import email.utils
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from exifread.core.ifd_tag import IfdTag

from service.media.metadata.text import Warn, _clip
from service.rules import mwg

# Summary fields that are text with their source ({"value", "source"}); rules.mwg.FIELDS says
# where each may come from.
TEXT_FIELDS = (
    "creator", "copyright_notice", "credit_line", "web_statement", "usage_terms",
    "description", "alt_text", "title", *mwg.LOCATION_FIELDS,
)  # fmt: skip


@dataclass(frozen=True)
class BlockValues:
    """What each block holds, keyed as the raw blocks are; IIM and XMP values as lists."""

    exif: dict[str, str]
    iptc: dict[str, list[str]]
    xmp: dict[str, list[str]]
    png: dict[str, str]

    def values(self, source: str) -> list[str]:
        """The non-blank values a source ("xmp:dc:creator") holds."""
        block, _, key = source.partition(":")
        blocks: dict[str, dict[str, str] | dict[str, list[str]]] = {
            "exif": self.exif, "iptc": self.iptc, "xmp": self.xmp, "png": self.png
        }  # fmt: skip
        held = blocks.get(block, {}).get(key, [])
        texts = [held] if isinstance(held, str) else held
        return [text for text in texts if text.strip()]


def _gps_to_decimal(dms: Sequence[Any], ref: str) -> float | None:
    """Degrees, minutes, seconds (numbers or ratios) and N/S/E/W -> signed decimal degrees."""
    if isinstance(dms, str | bytes) or not isinstance(dms, Sequence):
        return None  # text where numbers should be
    try:
        parts = [float(part) for part in dms][:3]
    except (TypeError, ValueError, ZeroDivisionError):  # a ratio with a zero denominator
        return None
    if not parts:
        return None
    degrees = sum(part / 60.0**i for i, part in enumerate(parts))
    return -degrees if ref.strip().upper()[:1] in ("S", "W") else degrees


def _iso_datetime(text: str, offset: str = "") -> str | None:
    """EXIF "YYYY:MM:DD HH:MM:SS" or XMP ISO 8601 -> ISO 8601 to the second; a date alone
    stays a date ("2024-03-27", "2024-03", "2024"). None if it is not a date."""
    text = text.strip()
    if re.fullmatch(r"[0-9]{4}:[0-9]{2}:[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}.*", text):
        text = text[:10].replace(":", "-") + "T" + text[11:19]
        if re.fullmatch(r"[+-][0-9]{2}:[0-9]{2}", offset.strip()):
            text += offset.strip()
    if partial := re.fullmatch(r"([0-9]{4})(?:-([0-9]{2}))?", text):
        year, month = partial.groups()
        known = year != "0000" and (month is None or 1 <= int(month) <= 12)
        return text if known else None
    if not text.isascii():
        return None  # fromisoformat reads other scripts' digits too
    try:
        if "T" not in text:
            return date.fromisoformat(text).isoformat()
        return datetime.fromisoformat(text).isoformat(timespec="seconds")
    except ValueError:
        return None


def _iim_datetime(day: str, time: str) -> str | None:
    """IIM Date Created "YYYYMMDD" (a month or day of 00: not known) and Time Created
    "HHMMSS+HHMM" -> ISO 8601; None if the date is not one."""
    found = re.fullmatch(r"([0-9]{4})-?([0-9]{2})-?([0-9]{2})", day.strip())
    if found is None:
        return None
    year, month, day_of_month = found.groups()
    if month == "00" or day_of_month == "00":  # the IIM's way of saying "not known"
        return _iso_datetime(year if month == "00" else f"{year}-{month}")
    iso = f"{year}-{month}-{day_of_month}"
    if clock := re.fullmatch(r"([0-9]{2})([0-9]{2})([0-9]{2})(?:([+-][0-9]{2})([0-9]{2}))?", time):
        hours, minutes, seconds, offset_hours, offset_minutes = clock.groups()
        iso += f"T{hours}:{minutes}:{seconds}"
        iso += f"{offset_hours}:{offset_minutes}" if offset_hours else ""
    return _iso_datetime(iso)


def _png_datetime(text: str) -> str | None:
    """PNG "Creation Time": RFC 1123 by the PNG spec, often ISO 8601 or EXIF's form."""
    try:
        return email.utils.parsedate_to_datetime(text).isoformat(timespec="seconds")
    except (TypeError, ValueError, IndexError):
        return _iso_datetime(text)


def _dates(found: BlockValues, warn: Warn) -> dict[str, list[str]]:
    """Each block's date taken as ISO 8601: the candidates the MWG rules choose among."""
    exif, iim = found.exif, found.iptc
    dates: dict[str, list[str]] = {}
    if original := exif.get("DateTimeOriginal", "").strip():
        if taken := _iso_datetime(original, exif.get("OffsetTimeOriginal", "")):
            dates["exif:DateTimeOriginal"] = [taken]
        else:
            warn(f"EXIF: DateTimeOriginal {original!r} is not a date; ignored")
    # Date and Time Created do not repeat; where a file repeats them, the last counts (ExifTool).
    iim_day = iim.get("2:55 Date Created", [""])[-1]
    iim_time = iim.get("2:60 Time Created", [""])[-1]
    if iim_day.strip():
        if taken := _iim_datetime(iim_day, iim_time.strip()):
            dates["iptc:2:55 Date Created"] = [taken]
        else:
            warn(f"IPTC: Date Created {iim_day!r} is not a date; ignored")
    for source in ("xmp:photoshop:DateCreated", "xmp:exif:DateTimeOriginal"):
        dates[source] = [d for d in map(_iso_datetime, found.values(source)[:1]) if d]
    dates["png:Creation Time"] = [
        d for d in map(_png_datetime, found.values("png:Creation Time")) if d
    ]
    return dates


def _gps(exif: dict[str, IfdTag], exif_raw: dict[str, str], warn: Warn) -> dict[str, Any] | None:
    """The EXIF GPS position in signed decimal degrees, or None."""
    if "GPSLatitude" not in exif or "GPSLongitude" not in exif:
        return None
    lat = _gps_to_decimal(exif["GPSLatitude"].values, exif_raw.get("GPSLatitudeRef", ""))
    lon = _gps_to_decimal(exif["GPSLongitude"].values, exif_raw.get("GPSLongitudeRef", ""))
    if lat is None or lon is None or abs(lat) > 90 or abs(lon) > 180:
        warn("GPS: position tags present but not a valid position; ignored")
        return None
    alt = _gps_to_decimal(exif["GPSAltitude"].values, "") if "GPSAltitude" in exif else None
    if alt is not None and exif_raw.get("GPSAltitudeRef") == "1":  # below sea level
        alt = -alt
    return {"latitude": lat, "longitude": lon, "altitude": alt}


def summarise(
    found: BlockValues, exif: dict[str, IfdTag], digest: mwg.Digest, warn: Warn
) -> dict[str, Any]:
    """The flat, JSON-ready summary: each MWG field with its source, the camera facts, and
    ``reconciled``: per field, the source, the rule that chose it and the blocks that disagree."""
    candidates = {
        field: {source: _values(found, source, rule) for source in rule.sources}
        for field, rule in mwg.FIELDS.items()
    }
    candidates["date_taken"] = _dates(found, warn)
    candidates["orientation"] = _orientations(exif, found)
    summary: dict[str, Any] = {"iptc_digest": str(digest), "reconciled": {}}
    for field, rule in mwg.FIELDS.items():
        chosen = mwg.reconcile(rule, candidates[field], digest)
        summary[field] = _shown_value(field, chosen)
        if chosen is not None:
            summary["reconciled"][field] = {
                "source": chosen.source,
                "rule": chosen.rule,
                "conflicts": [
                    {"source": c.source, "value": _clip(mwg.as_text(c.values, listed=rule.listed))}
                    for c in chosen.conflicts
                ],
            }
    exif_raw, xmp = found.exif, found.xmp
    summary["camera_make"] = exif_raw.get("Make") or _first(xmp, "tiff:Make")
    summary["camera_model"] = exif_raw.get("Model") or _first(xmp, "tiff:Model")
    summary["gps"] = _gps(exif, exif_raw, warn)
    # Any GPS tag is location data worth flagging, even without a usable position.
    summary["has_gps"] = summary["gps"] is not None or any(
        key.startswith(("GPS", "exif:GPS")) and key not in ("GPSVersionID", "GPSInfo")
        for key in [*exif_raw, *xmp]
    )
    return summary


def _values(found: BlockValues, source: str, rule: mwg.FieldRule) -> list[str]:
    """A source's values for a field: a dataset that does not repeat but was repeated counts
    by its last value, as ExifTool reads it."""
    values = found.values(source)
    return values[-1:] if source == rule.iim and not rule.listed else values


def _first(values: dict[str, list[str]], key: str) -> str | None:
    return next(iter(values.get(key, [])), None) or None


def _orientations(exif: dict[str, IfdTag], found: BlockValues) -> dict[str, list[str]]:
    """EXIF's orientation number and XMP's (1 to 8), as the MWG rules' candidates."""
    values = exif["Orientation"].values if "Orientation" in exif else None
    number: Any = values[0] if isinstance(values, list) and values else None
    xmp = found.values("xmp:tiff:Orientation")[:1]
    return {
        "exif:Orientation": [str(number)] if number in range(1, 9) else [],
        "xmp:tiff:Orientation": [n for n in xmp if re.fullmatch("[1-8]", n.strip())],
    }


def _shown_value(field: str, chosen: mwg.Reconciled | None) -> Any:
    """A reconciled field as the summary holds it: text with its source, keywords as a list,
    the date as ISO 8601, the orientation as a number."""
    if chosen is None or not chosen.values:
        return None
    if field == "date_taken":
        return chosen.values[0]
    if field == "orientation":
        return int(chosen.values[0])
    if field == "keywords":
        return {"value": [_clip(value) for value in chosen.values], "source": chosen.source}
    return {"value": _clip(chosen.text.strip()), "source": chosen.source}
