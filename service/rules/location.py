"""How precisely a photograph's recorded position is shown, by role.

A photographer's GPS tags can point at a store room, a private collector's house or a
field site. Viewers and contributors see positions rounded to two decimal places of a
degree (about 1 km); the rights role and admins see them as recorded. The rounding covers
the summary and every raw GPS tag of every block, since a raw tag would give away what the
summary hides. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

ROLE_FOR_EXACT = "rights"
DECIMALS = 2  # 0.01 degree: 1.1 km of latitude, at most 1.1 km of longitude
ALTITUDE_STEP = 10  # metres
WITHHELD = "(withheld: precise location; shown to the rights role)"

_COORDINATES = {"GPSLatitude", "GPSLongitude", "GPSDestLatitude", "GPSDestLongitude"}
# GPS tags that cannot place the camera more precisely than the rounded position does.
_HARMLESS = {
    "GPSVersionID", "GPSInfo", "GPSLatitudeRef", "GPSLongitudeRef", "GPSAltitudeRef",
    "GPSDestLatitudeRef", "GPSDestLongitudeRef", "GPSMapDatum", "GPSDateStamp",
    "GPSTimeStamp", "GPSSatellites", "GPSStatus", "GPSMeasureMode", "GPSDOP", "GPSSpeedRef",
    "GPSSpeed", "GPSTrackRef", "GPSTrack", "GPSImgDirectionRef", "GPSImgDirection",
    "GPSDifferential",
}  # fmt: skip
_XMP_COORDINATE = re.compile(
    r"\s*(\d+(?:\.\d+)?),(\d+(?:\.\d+)?)(?:,(\d+(?:\.\d+)?))?\s*([NSEW])\s*"
)


def coarse_summary(summary: Mapping[str, Any]) -> dict[str, Any]:
    """The metadata summary with its position rounded (marked ``rounded: true``)."""
    shown = dict(summary)
    gps = summary.get("gps")
    if isinstance(gps, Mapping):
        altitude = gps.get("altitude")
        shown["gps"] = {
            "latitude": round(float(gps["latitude"]), DECIMALS),
            "longitude": round(float(gps["longitude"]), DECIMALS),
            "altitude": None if altitude is None else _round_altitude(float(altitude)),
            "rounded": True,
        }
    return shown


def coarse_raw(raw: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """Every block's raw tags, each GPS tag rounded like the summary or withheld."""
    return {
        block: {key: _coarse_tag(key, value) if _is_gps(key) else value
                for key, value in tags.items()}
        for block, tags in raw.items()
    }  # fmt: skip


def _tag_name(key: str) -> str:
    """``Iptc4xmpExt:LocationShown[1]/exif:GPSLatitude`` -> ``GPSLatitude``."""
    last = key.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return re.sub(r"\[[^\]]*\]$", "", last).strip()


def _is_gps(key: str) -> bool:
    return _tag_name(key).upper().startswith("GPS")


def _coarse_tag(key: str, value: str) -> str:
    name = _tag_name(key)
    if name in _HARMLESS:
        return value
    if name in _COORDINATES:
        return _coarse_coordinate(value) or WITHHELD
    if name == "GPSAltitude":
        metres = _number(value)
        return WITHHELD if metres is None else f"{_round_altitude(metres):g}"
    return WITHHELD  # GPSDestBearing, GPSDestDistance, GPSAreaInformation, unknown ones


def _coarse_coordinate(value: str) -> str | None:
    """EXIF ``[51, 31, 246/25]`` -> ``51.52``; XMP ``51,31.164N`` -> ``51.52N``."""
    xmp = _XMP_COORDINATE.fullmatch(value)
    if xmp:
        degrees, minutes, seconds, direction = xmp.groups()
        decimal = float(degrees) + float(minutes) / 60 + float(seconds or 0) / 3600
        return f"{decimal:.{DECIMALS}f}{direction}"
    parts = [_number(part) for part in value.strip().strip("[]").split(",")]
    if not parts or len(parts) > 3 or any(part is None for part in parts):
        return None
    decimal = sum(float(part or 0) / 60**index for index, part in enumerate(parts))
    return f"{decimal:.{DECIMALS}f}"


def _number(text: str) -> float | None:
    try:
        return float(Fraction(text.strip()))
    except (ValueError, ZeroDivisionError):
        return None


def _round_altitude(metres: float) -> float:
    return float(round(metres / ALTITUDE_STEP) * ALTITUDE_STEP)


def summary_for(summary: Mapping[str, Any], *, exact: bool) -> dict[str, Any]:
    """The summary as a caller sees it: ``exact`` for the rights role and admins, else rounded."""
    return dict(summary) if exact else coarse_summary(summary)


def raw_for(raw: Mapping[str, Mapping[str, str]], *, exact: bool) -> dict[str, dict[str, str]]:
    """The raw tags as a caller sees them: ``exact`` for the rights role and admins, else
    every GPS tag rounded or withheld."""
    return {block: dict(tags) for block, tags in raw.items()} if exact else coarse_raw(raw)
