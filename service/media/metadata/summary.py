"""The JSON-ready summary: rights text by precedence, then the camera facts and GPS."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from exifread.core.ifd_tag import IfdTag

from service.media.metadata.text import Warn

# Summary text field -> raw sources in order of precedence ("<block>:<raw key>").
TEXT_SOURCES: dict[str, tuple[str, ...]] = {
    "creator": ("xmp:dc:creator", "iptc:2:80 By-line", "exif:Artist"),
    "copyright_notice": ("xmp:dc:rights", "iptc:2:116 Copyright Notice", "exif:Copyright"),
    "credit_line": ("xmp:photoshop:Credit", "iptc:2:110 Credit"),
    "web_statement": ("xmp:xmpRights:WebStatement",),
    "usage_terms": ("xmp:xmpRights:UsageTerms",),
    "description": (
        "xmp:dc:description",
        "iptc:2:120 Caption/Abstract",
        "exif:ImageDescription",
    ),
    "alt_text": ("xmp:Iptc4xmpCore:AltTextAccessibility",),
    "title": ("xmp:dc:title", "iptc:2:05 Object Name"),
}


def pick_text(raw: dict[str, dict[str, str]], sources: Sequence[str]) -> dict[str, str] | None:
    """The first non-blank value among ``sources``, with the source it came from."""
    for source in sources:
        block, _, key = source.partition(":")
        value = raw.get(block, {}).get(key, "").strip()
        if value:
            return {"value": value, "source": source}
    return None


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
    """EXIF "YYYY:MM:DD HH:MM:SS" or XMP ISO 8601 -> ISO 8601; None if it is not a date."""
    text = text.strip()
    if re.fullmatch(r"\d{4}:\d\d:\d\d \d\d:\d\d:\d\d.*", text):
        text = text[:10].replace(":", "-") + "T" + text[11:19]
        if re.fullmatch(r"[+-]\d\d:\d\d", offset.strip()):
            text += offset.strip()
    try:
        return datetime.fromisoformat(text).isoformat()
    except ValueError:
        return None


def _date_taken(exif_raw: dict[str, str], xmp: dict[str, str], warn: Warn) -> str | None:
    """When the shutter fired: EXIF DateTimeOriginal (with its offset), else XMP's dates."""
    if original := exif_raw.get("DateTimeOriginal"):
        if taken := _iso_datetime(original, exif_raw.get("OffsetTimeOriginal", "")):
            return taken
        warn(f"EXIF: DateTimeOriginal {original!r} is not a date; ignored")
    for key in ("photoshop:DateCreated", "exif:DateTimeOriginal"):
        if taken := _iso_datetime(xmp.get(key, "")):
            return taken
    return None


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
    raw: dict[str, dict[str, str]], exif: dict[str, IfdTag], warn: Warn
) -> dict[str, Any]:
    """The flat, JSON-ready summary: rights text with sources, then the camera facts."""
    summary: dict[str, Any] = {f: pick_text(raw, s) for f, s in TEXT_SOURCES.items()}
    xmp, exif_raw = raw["xmp"], raw["exif"]
    summary["date_taken"] = _date_taken(exif_raw, xmp, warn)
    summary["camera_make"] = exif_raw.get("Make") or xmp.get("tiff:Make") or None
    summary["camera_model"] = exif_raw.get("Model") or xmp.get("tiff:Model") or None
    values = exif["Orientation"].values if "Orientation" in exif else None
    orientation: Any = values[0] if isinstance(values, list) and values else None
    if orientation is None and xmp.get("tiff:Orientation", "").strip().isdigit():
        orientation = int(xmp["tiff:Orientation"])
    summary["orientation"] = orientation if orientation in range(1, 9) else None
    summary["gps"] = _gps(exif, exif_raw, warn)
    # Any GPS tag is location data worth flagging, even without a usable position.
    summary["has_gps"] = summary["gps"] is not None or any(
        key.startswith(("GPS", "exif:GPS")) and key not in ("GPSVersionID", "GPSInfo")
        for key in [*exif_raw, *xmp]
    )
    summary["icc_profile"] = raw["icc"].get("description")
    return summary
