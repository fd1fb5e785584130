"""Named social-variant presets: box, fit, format, quality and byte budget, as printable data.

A preset prints as a canonical spec (``cover-1600x900|jpeg-q85-min60|bytes-5000000|pad-ffffff``)
that goes into variant cache keys and parses back with :func:`parse_spec`, as Wagtail's filter
specs do. A preset also names the channel(s) it is for (``social`` for a platform's preset,
``web`` for the house sizes): the publish gate audits against them, so a caller cannot have an
X image audited as a web image. Channels change no pixel, so they stay out of the spec.
Pure: no Pillow, I/O or clock. Platform facts and sources: shared/platform-specs.md §1 and
shared/campaigns.md.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Any, Literal, get_args

from service.rules.licences import CHANNELS

Fit = Literal["cover", "contain", "within"]
Format = Literal["jpeg", "webp", "avif"]

FITS: tuple[str, ...] = get_args(Fit)
FORMATS: tuple[str, ...] = get_args(Format)

# Presets also arrive through the API, so the box is capped: 8192 px covers every platform box
# (Bluesky's 2026 limit is 4000) while keeping one cover render under ~200 MB of RGBA pixels.
MAX_EDGE = 8192
MAX_TEXT = 500  # source and checked: a citation, not a document

_NAME = re.compile(r"[a-z0-9-]{1,40}")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_CHECKED = re.compile(r"\d{4}-\d{2}(-\d{2})?")
_MEDIA_TYPES = {"jpeg": "image/jpeg", "webp": "image/webp", "avif": "image/avif"}


@dataclass(frozen=True)
class Preset:
    """One output: a box and how the image meets it, an encoding and a byte budget.

    fit: "cover" fills the box and crops around the focal point; "contain" fits inside and pads
    to exactly the box; "within" only scales down, to fit the box and ``max_pixels``.
    """

    name: str
    width: int
    height: int
    fit: Fit
    format: Format = "jpeg"
    quality: int = 85
    min_quality: int = 60
    max_bytes: int | None = None
    max_pixels: int | None = None
    burn_in_credit: bool = False
    padding: str = "#ffffff"
    source: str = ""
    checked: str = ""
    # Where its images are published; the gate audits every one unless the caller picks one.
    channels: tuple[str, ...] = ("social",)

    def spec(self) -> str:
        """The canonical spec of everything that changes pixels or bytes (not name or source)."""
        parts = [
            f"{self.fit}-{self.width}x{self.height}",
            f"{self.format}-q{self.quality}-min{self.min_quality}",
        ]
        # Optional parts are left out when unset so that adding a new optional field later does
        # not change the spec, and so every cached variant key, of an existing preset.
        if self.max_bytes is not None:
            parts.append(f"bytes-{self.max_bytes}")
        if self.max_pixels is not None:
            parts.append(f"px-{self.max_pixels}")
        if self.burn_in_credit:
            parts.append("credit")
        parts.append(f"pad-{self.padding[1:].lower()}")
        return "|".join(parts)

    @property
    def media_type(self) -> str:
        """The Content-Type of an image rendered with this preset."""
        return _MEDIA_TYPES[self.format]


class PresetError(ValueError):
    """A preset definition is invalid; ``field`` names the offending field."""

    def __init__(self, preset: str, field: str, problem: str) -> None:
        super().__init__(f"preset {preset!r}: {field}: {problem}")
        self.preset = preset
        self.field = field
        self.problem = problem


_X = "https://docs.x.com/x-api/media"
_IG = (
    "https://developers.facebook.com/documentation/ads-commerce/instagram/ads-api/reference/"
    "media-requirements"
)
_IG_BYTES = "8 MB: https://www.ayrshare.com/docs/media-guidelines/instagram.md [3rd]"
_FB = "https://developers.facebook.com/docs/sharing/webmasters/images"
_LI = "https://ayrshare.com/docs/media-guidelines/linkedin [3rd]"
_BSKY_OLD = (
    "https://github.com/bluesky-social/atproto/blob/7cc48089073aa71e139fa441c53f6141fba69936/"
    "lexicons/app/bsky/embed/images.json"
)
_BSKY = (
    "https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/embed/images.json and"
    " gallery.json (maxSize 2000000); bsky-docs PR 417 (2,000,000 B); social-app PR 10073 (4000"
    " px); verified on a real PDS 2026-12-07 (shared/campaigns.md)"
)
_IG_GRID = (
    "https://www.jphillipanderson.net/blog/instagram-profile-grids-are-vertical-rectangles-now-"
    "because-everything-must-be-tiktok [3rd] ; https://pictuary.com/glossary/profile-grid [3rd]"
    " (shared/campaigns.md §7)"
)
_MASTODON = (
    "https://github.com/mastodon/mastodon/blob/main/app/models/media_attachment.rb ; "
    "https://github.com/mastodon/mastodon/discussions/26709"
)
_CHECKED_ON = "2026-11"  # when shared/platform-specs.md was researched (month only)
_CAMPAIGNS_CHECKED_ON = "2026-12"  # when shared/campaigns.md was researched


def _platform(
    name: str,
    box: tuple[int, int],
    fit: Fit,
    budget: int,
    source: str,
    checked: str = _CHECKED_ON,
) -> Preset:
    return Preset(
        name, *box, fit, max_bytes=budget, source=source, checked=checked, channels=("social",)
    )


def _house(name: str, box: tuple[int, int], fit: Fit, source: str, **encoding: Any) -> Preset:
    return Preset(name, *box, fit, source=source, channels=("web",), **encoding)


_BUILT_INS = (
    # X publishes no recommended size; 16:9 at 1600 px is the brief's choice. The 5 MB image limit
    # is read as decimal megabytes, the smaller reading.
    _platform("x", (1600, 900), "cover", 5_000_000, f"5 MB: {_X}"),
    # Instagram's API takes JPEG only, so all three stay JPEG.
    _platform("instagram-square", (1080, 1080), "cover", 8_000_000, f"1:1: {_IG} ; {_IG_BYTES}"),
    _platform("instagram-portrait", (1080, 1350), "cover", 8_000_000, f"4:5: {_IG} ; {_IG_BYTES}"),
    _platform("instagram-story", (1080, 1920), "cover", 8_000_000, f"9:16: {_IG} ; {_IG_BYTES}"),
    # The profile grid has shown posts at 3:4 since January 2025 (4:5 posts are cropped at the
    # sides there); a 3:4 post shows whole in the grid and within the feed's 4:5 to 1.91:1.
    _platform(
        "instagram-grid",
        (1080, 1440),
        "cover",
        8_000_000,
        f"3:4 grid: {_IG_GRID} ; {_IG_BYTES}",
        _CAMPAIGNS_CHECKED_ON,
    ),
    _platform("facebook", (1200, 630), "cover", 8_000_000, f"1200x630, 8 MB: {_FB}"),
    # The Open Graph image is shown in social feeds whenever a page is shared: social too.
    _platform("og", (1200, 630), "cover", 8_000_000, f"1200x630, 8 MB: {_FB}"),
    # Sources disagree on LinkedIn's limit (5 MB vs 8 MB, both [3rd]); the smaller one is safe.
    _platform("linkedin", (1200, 627), "cover", 5_000_000, f"1200x627, 5 MB: {_LI}"),
    # Bluesky's 2026 limits, as its current lexicons and a real PDS enforce them: 4000 px and
    # 2,000,000 B per image, in app.bsky.embed.images and app.bsky.embed.gallery alike.
    _platform(
        "bluesky",
        (4000, 4000),
        "within",
        2_000_000,
        f"4000 px, 2,000,000 B: {_BSKY}",
        _CAMPAIGNS_CHECKED_ON,
    ),
    # The pre-2026 limits (2000 px, 1,000,000 B lexicon), for accounts and clients the new
    # limits have not reached; 976,560 B is the product owner's figure, just under it.
    _platform(
        "bluesky-2000", (2000, 2000), "within", 976_560, f"2000 px, 1,000,000 B: {_BSKY_OLD}"
    ),
    # Mastodon caps the pixel count (8,294,400 = 3840x2160) whatever the shape, not the edges, so
    # the box is square: a 3840x2160 box would cut a portrait to under a third of its pixels.
    # 16 MB is mastodon.social's image_size_limit (16,777,216 B); other servers may differ.
    dataclasses.replace(
        _platform("mastodon", (3840, 3840), "within", 16_777_216, f"8,294,400 px: {_MASTODON}"),
        max_pixels=8_294_400,
    ),
    # House sizes for the museum's own website, no platform behind them. (The library's
    # thumbnails and the asset page's image are internal previews, not these: see previews.py.)
    _house("thumb", (400, 400), "cover", "Vitrine thumbnail", format="webp", quality=80),
    _house("web-large", (2048, 2048), "within", "Vitrine large web image"),
)

DEFAULT_PRESETS: Mapping[str, Preset] = MappingProxyType({p.name: p for p in _BUILT_INS})

_FIELDS = tuple(f.name for f in dataclasses.fields(Preset))


def _int(name: str, raw: Mapping[str, Any], field: str, low: int, high: int | None) -> int:
    value = raw[field]
    # bool is an int subclass; "quality": true is a config mistake, not 1.
    if not isinstance(value, int) or isinstance(value, bool):
        raise PresetError(name, field, f"must be an integer, got {value!r}")
    if value < low or (high is not None and value > high):
        bounds = f"{low}-{high}" if high is not None else f">= {low}"
        raise PresetError(name, field, f"must be {bounds}, got {value}")
    return value


def _optional_int(name: str, raw: Mapping[str, Any], field: str) -> int | None:
    return None if raw.get(field) is None else _int(name, raw, field, 1, None)


def _choice(name: str, raw: Mapping[str, Any], field: str, choices: tuple[str, ...]) -> Any:
    value = raw[field]
    if value not in choices:
        raise PresetError(name, field, f"must be one of {', '.join(choices)}, got {value!r}")
    return value


def _text(name: str, raw: Mapping[str, Any], field: str) -> str:
    value = raw.get(field, "")
    if not isinstance(value, str):
        raise PresetError(name, field, f"must be a string, got {value!r}")
    if len(value) > MAX_TEXT:
        raise PresetError(name, field, f"must be at most {MAX_TEXT} characters")
    return value


def _channels(name: str, raw: Mapping[str, Any]) -> tuple[str, ...]:
    value = raw["channels"]
    listed = ", ".join(CHANNELS)
    if not isinstance(value, list | tuple) or not value:
        raise PresetError(name, "channels", f"must be a non-empty list drawn from {listed}")
    unknown = [str(item) for item in value if item not in CHANNELS]
    if unknown:
        raise PresetError(name, "channels", f"{unknown[0]!r} is not a channel; use {listed}")
    if len(set(value)) != len(value):
        raise PresetError(name, "channels", "lists a channel twice")
    return tuple(value)


def parse_preset(name: str, raw: Mapping[str, Any]) -> Preset:
    """Validate an untrusted preset definition (config or API) and build it.

    Raises PresetError naming the first bad field; ``width``, ``height`` and ``fit`` are required.
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise PresetError(str(name), "name", "must be 1-40 of a-z, 0-9 and '-'")
    unknown = sorted(str(key) for key in raw if key not in _FIELDS)
    if unknown:
        raise PresetError(name, unknown[0], "unknown field")
    if raw.get("name", name) != name:
        raise PresetError(name, "name", f"does not match the preset's name: {raw['name']!r}")
    for field in ("width", "height", "fit"):
        if field not in raw:
            raise PresetError(name, field, "is required")
    defaults = Preset(name, 1, 1, "cover")
    values = {**dataclasses.asdict(defaults), **raw}
    width = _int(name, values, "width", 1, MAX_EDGE)
    height = _int(name, values, "height", 1, MAX_EDGE)
    fit = _choice(name, values, "fit", FITS)
    fmt = _choice(name, values, "format", FORMATS)
    quality = _int(name, values, "quality", 1, 100)
    min_quality = _int(name, values, "min_quality", 1, 100)
    if min_quality > quality:
        raise PresetError(name, "min_quality", f"{min_quality} is above quality {quality}")
    max_bytes = _optional_int(name, values, "max_bytes")
    max_pixels = _optional_int(name, values, "max_pixels")
    # cover and contain always output the whole box, so a smaller pixel cap could never be met.
    if max_pixels is not None and fit != "within" and max_pixels < width * height:
        raise PresetError(name, "max_pixels", f"is below the {fit} box of {width * height} px")
    burn_in_credit = values["burn_in_credit"]
    if not isinstance(burn_in_credit, bool):
        raise PresetError(name, "burn_in_credit", f"must be true or false, got {burn_in_credit!r}")
    padding = values["padding"]
    if not isinstance(padding, str) or not _COLOUR.fullmatch(padding):
        raise PresetError(name, "padding", f"must be a colour #rrggbb, got {padding!r}")
    checked = _text(name, values, "checked")
    if checked and not _valid_checked(checked):
        raise PresetError(name, "checked", f"must be an ISO date YYYY-MM[-DD], got {checked!r}")
    return Preset(
        name=name,
        width=width,
        height=height,
        fit=fit,
        format=fmt,
        quality=quality,
        min_quality=min_quality,
        max_bytes=max_bytes,
        max_pixels=max_pixels,
        burn_in_credit=burn_in_credit,
        padding=padding.lower(),  # one spelling per colour, so one spec per preset
        source=_text(name, values, "source"),
        checked=checked,
        channels=_channels(name, values),
    )


def _valid_checked(checked: str) -> bool:
    if not _CHECKED.fullmatch(checked):
        return False
    try:
        date.fromisoformat(checked if len(checked) == 10 else f"{checked}-01")
    except ValueError:
        return False
    return True


def parse_spec(
    name: str,
    spec: str,
    *,
    source: str = "",
    checked: str = "",
    channels: tuple[str, ...] = Preset.channels,
) -> Preset:
    """Rebuild a preset from its :meth:`Preset.spec` string; PresetError("spec") if malformed.

    The spec holds what shapes the bytes; the name, source, date checked and channels do not
    and are given beside it.
    """
    parts = spec.split("|")
    box = re.fullmatch(r"([a-z]+)-(\d+)x(\d+)", parts[0])
    encoding = re.fullmatch(r"([a-z]+)-q(\d+)-min(\d+)", parts[1]) if len(parts) > 1 else None
    if box is None or encoding is None:
        raise PresetError(name, "spec", f"must start with fit-WxH|format-qN-minN, got {spec!r}")
    raw: dict[str, Any] = {
        "fit": box[1],
        "width": int(box[2]),
        "height": int(box[3]),
        "format": encoding[1],
        "quality": int(encoding[2]),
        "min_quality": int(encoding[3]),
        "source": source,
        "checked": checked,
        "channels": channels,
    }
    for part in parts[2:]:
        key, _, value = part.partition("-")
        if key == "bytes" and value.isdigit():
            raw["max_bytes"] = int(value)
        elif key == "px" and value.isdigit():
            raw["max_pixels"] = int(value)
        elif part == "credit":
            raw["burn_in_credit"] = True
        elif key == "pad":
            raw["padding"] = f"#{value}"
        else:
            raise PresetError(name, "spec", f"unknown part {part!r}")
    preset = parse_preset(name, raw)
    if preset.spec() != spec:
        # Reordered or duplicated parts would give two specs for one preset, and two cache keys.
        raise PresetError(name, "spec", f"is not canonical, expected {preset.spec()!r}")
    return preset


def load_presets(overrides: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, Preset]:
    """The built-in presets with configured overrides applied, each validated.

    An override naming a built-in is merged onto it (only the given fields change); any other
    name must be a full new preset.
    """
    presets = dict(DEFAULT_PRESETS)
    for name, raw in (overrides or {}).items():
        if not isinstance(raw, Mapping):
            raise PresetError(str(name), "name", "override must be a mapping of fields")
        base = DEFAULT_PRESETS.get(name)
        if base is not None:
            raw = {**dataclasses.asdict(base), **raw}
        presets[name] = parse_preset(name, raw)
    return presets
