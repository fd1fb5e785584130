"""Who a file says it shows: IPTC's persons in the image and image regions, MWG face regions
and the PLUS model release, read from the parsed XMP into the summary's ``people``.

The flattened XMP (xmp.xmp_values) joins every region's fields into one string, so regions are
read here from the tree, each with its own name and box. A region's box is given in fractions
of the upright image: files draw regions on the stored pixels (ExifTool's rotate_regions
config turns them when it turns the pixels), so the EXIF orientation is applied to them
(rules/geometry.upright_region). Whatever is odd (a huge bag, NaN, a box outside the image,
an unknown unit) is clamped or dropped with a warning, never raised.

Names are personal data: the summary keeps them for the rights role, rules/embedded_people
hides them from the others, and variants never carry them (media/render/stamp).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element

from service.media.metadata.text import Warn, _clip
from service.media.metadata.xmp import RDF, XML_NS
from service.rules import consent, geometry

MAX_NAMES = 100  # distinct names kept from one file
MAX_REGIONS = 100  # person regions kept from one file
MAX_RELEASE_IDS = 50
MAX_NAME_CHARS = 200  # as long as a Person's display name may be
MAX_ITEMS_READ = 2000  # array items looked at per property, kept or not

IPTC_EXT = "{http://iptc.org/std/Iptc4xmpExt/2008-02-29/}"
PLUS = "{http://ns.useplus.org/ldf/xmp/1.0/}"
MWG_RS = "{http://www.metadataworkinggroup.com/schemas/regions/}"
ST_AREA = "{http://ns.adobe.com/xmp/sType/Area#}"
ST_DIM = "{http://ns.adobe.com/xap/1.0/sType/Dimensions#}"
# What a region's content type or role says when it shows a person (IPTC's image region type
# vocabulary: human, face, headAndShoulders; "person" as some tools write it).
PERSON_KINDS = {"human", "face", "headandshoulders", "person"}


# --- reading XMP structs, whichever of its serialisations the file used --------------------


def _holders(node: Element) -> Iterator[Element]:
    """The elements whose attributes and children are a struct's fields: the node itself and
    any rdf:Description in it (a struct written as a nested resource)."""
    yield node
    yield from node.findall(RDF + "Description")


def _field(node: Element, tag: str) -> Element | str | None:
    """A struct's field: an attribute's text, or the element holding it."""
    for holder in _holders(node):
        if tag in holder.attrib:
            return holder.attrib[tag]
        if (child := holder.find(tag)) is not None:
            return child
    return None


def _items(node: Element | str | None) -> list[Element]:
    """The items of an array property (Bag, Seq or Alt), at most MAX_ITEMS_READ; a property
    written as a single value counts as one item."""
    if not isinstance(node, Element):
        return []
    found: list[Element] = []
    for holder in _holders(node):
        for array in (RDF + "Bag", RDF + "Seq", RDF + "Alt"):
            for kind in holder.findall(array):
                found.extend(kind.findall(RDF + "li")[: MAX_ITEMS_READ - len(found)])
    if found:
        return found[:MAX_ITEMS_READ]
    return [node]


def _text(node: Element | str | None) -> str:
    """A simple value, or a Lang Alt's x-default (else its first) entry, cleaned."""
    if node is None:
        return ""
    if isinstance(node, str):
        return _clip(node.strip(), MAX_NAME_CHARS)
    items = _items(node)
    if len(items) > 1 or items[0] is not node:
        default = [li for li in items if li.get(XML_NS + "lang") == "x-default"] or items[:1]
        node = default[0]
    value = node.get(RDF + "resource") or node.text or ""
    return _clip(value.strip(), MAX_NAME_CHARS)


def _texts(node: Element | str | None) -> list[str]:
    """Every non-blank value of an array property."""
    if isinstance(node, str):
        return [_text(node)] if node.strip() else []
    return [text for li in _items(node) if (text := _text(li))]


def _number(node: Element | str | None) -> float | None:
    """A finite number, or None."""
    try:
        value = float(_text(node).replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _properties(root: Element, tag: str) -> Iterator[Element | str]:
    """Every top-level occurrence of a property in every rdf:Description of the packet."""
    for rdf in root.iter(RDF + "RDF"):
        for description in rdf.findall(RDF + "Description"):
            if tag in description.attrib:
                yield description.attrib[tag]
            yield from description.findall(tag)


# --- the parts ---------------------------------------------------------------------------


def _names_in(node: Element) -> list[str]:
    """The names a struct (the packet's description or a region) gives its people:
    PersonInImage, then PersonInImageWDetails' PersonName."""
    names = _texts(_field(node, IPTC_EXT + "PersonInImage"))
    for person in _items(_field(node, IPTC_EXT + "PersonInImageWDetails")):
        if name := _text(_field(person, IPTC_EXT + "PersonName")):
            names.append(name)
    return names


def _person_ids_in(node: Element) -> list[str]:
    ids: list[str] = []
    for person in _items(_field(node, IPTC_EXT + "PersonInImageWDetails")):
        ids += _texts(_field(person, IPTC_EXT + "PersonId"))
    return ids


def _is_person_kind(region: Element) -> bool:
    """Whether an IPTC region's content type or role names a person."""
    for tag in ("rCtype", "rRole"):
        for entity in _items(_field(region, IPTC_EXT + tag)):
            words = [
                *_texts(_field(entity, IPTC_EXT + "Identifier")),
                _text(_field(entity, IPTC_EXT + "Name")),
                _text(entity) if not len(entity) and not entity.attrib else "",
            ]
            for word in words:
                if word.rstrip("/").rsplit("/", 1)[-1].lower() in PERSON_KINDS:
                    return True
    return False


def _fraction_box(
    x: float, y: float, w: float, h: float
) -> tuple[tuple[float, float, float, float] | None, bool]:
    """(the box clamped to the image, whether it had to be), or (None, True) when nothing of
    it is inside."""
    left, top = max(0.0, min(1.0, x)), max(0.0, min(1.0, y))
    right, bottom = max(0.0, min(1.0, x + max(w, 0.0))), max(0.0, min(1.0, y + max(h, 0.0)))
    if right <= left or bottom <= top:
        return None, True
    clamped = (left, top, right, bottom) != (x, y, x + w, y + h)
    return (left, top, right - left, bottom - top), clamped


def _iptc_box(
    region: Element, size: tuple[int, int] | None
) -> tuple[float, float, float, float] | None:
    """An IPTC region's boundary (rectangle, circle or polygon, relative or pixel) as a box of
    fractions of the stored image, or None."""
    boundary = _field(region, IPTC_EXT + "RegionBoundary")
    if not isinstance(boundary, Element):
        return None
    unit = _text(_field(boundary, IPTC_EXT + "rbUnit")).lower()
    if unit == "pixel":
        if not size or min(size) <= 0:
            return None
        scale_x, scale_y = 1 / size[0], 1 / size[1]
    elif unit == "relative":
        scale_x = scale_y = 1.0
    else:  # no unit, or one IPTC does not define: not placed
        return None
    shape = _text(_field(boundary, IPTC_EXT + "rbShape")).lower()
    if shape == "rectangle":
        values = [_number(_field(boundary, IPTC_EXT + k)) for k in ("rbX", "rbY", "rbW", "rbH")]
        if any(v is None for v in values):
            return None
        x, y, w, h = (v or 0.0 for v in values)
    elif shape == "circle":
        cx, cy, r = (_number(_field(boundary, IPTC_EXT + k)) for k in ("rbX", "rbY", "rbRx"))
        if cx is None or cy is None or r is None:
            return None
        # The radius is measured along the width, in either unit.
        ry = r * (size[0] / size[1]) if unit == "relative" and size and size[1] else r
        x, y, w, h = cx - r, cy - ry, 2 * r, 2 * ry
        if unit == "relative" and not size:
            return None
    elif shape == "polygon":
        points = [
            (_number(_field(v, IPTC_EXT + "rbX")), _number(_field(v, IPTC_EXT + "rbY")))
            for v in _items(_field(boundary, IPTC_EXT + "rbVertices"))
        ]
        xs = [px for px, py in points if px is not None and py is not None]
        ys = [py for px, py in points if px is not None and py is not None]
        if len(xs) < 3:
            return None
        x, y, w, h = min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)
    else:
        return None
    return x * scale_x, y * scale_y, w * scale_x, h * scale_y


def _iptc_regions(
    root: Element, size: tuple[int, int] | None
) -> Iterator[tuple[str | None, tuple[float, float, float, float] | None, list[str]]]:
    """(name, stored box or None, names inside) of each IPTC image region showing a person."""
    for regions in _properties(root, IPTC_EXT + "ImageRegion"):
        if not isinstance(regions, Element):
            continue
        for region in _items(regions):
            inside = _names_in(region)
            if not inside and not _is_person_kind(region):
                continue
            name = _text(_field(region, IPTC_EXT + "Name")) or (inside[0] if inside else "")
            yield name or None, _iptc_box(region, size), inside


def _mwg_regions(
    root: Element,
) -> Iterator[tuple[str | None, tuple[float, float, float, float] | None, list[str]]]:
    """(name, stored box or None, []) of each MWG region of type Face. stArea's x and y are
    the box's centre, in fractions (``normalized``) of the dimensions it was applied to."""
    for info in _properties(root, MWG_RS + "Regions"):
        if not isinstance(info, Element):
            continue
        applied = _field(info, MWG_RS + "AppliedToDimensions")
        dims = None
        if isinstance(applied, Element):
            dw, dh = _number(_field(applied, ST_DIM + "w")), _number(_field(applied, ST_DIM + "h"))
            dims = (dw, dh) if dw and dh and dw > 0 and dh > 0 else None
        for region in _items(_field(info, MWG_RS + "RegionList")):
            if _text(_field(region, MWG_RS + "Type")).lower() != "face":
                continue
            name = _text(_field(region, MWG_RS + "Name")) or None
            area = _field(region, MWG_RS + "Area")
            box = None
            if isinstance(area, Element):
                values = [_number(_field(area, ST_AREA + k)) for k in ("x", "y", "w", "h")]
                unit = _text(_field(area, ST_AREA + "unit")).lower() or "normalized"
                if all(v is not None for v in values):
                    x, y, w, h = (v or 0.0 for v in values)
                    if unit == "pixel" and dims:
                        x, y, w, h = x / dims[0], y / dims[1], w / dims[0], h / dims[1]
                    if unit == "normalized" or (unit == "pixel" and dims):
                        box = (x - w / 2, y - h / 2, w, h)
            yield name, box, []


def _region_json(
    name: str | None, box: tuple[float, float, float, float], orientation: int | None
) -> dict[str, Any]:
    x, y, w, h = geometry.upright_region(box, orientation)
    return {"name": name, "x": round(x, 6), "y": round(y, 6), "w": round(w, 6), "h": round(h, 6)}


def read_people(
    root: Element, *, size: tuple[int, int] | None, orientation: int | None, warn: Warn
) -> dict[str, Any] | None:
    """What the XMP says of the people shown, or None when it says nothing:
    ``{"names", "person_ids", "regions": [{"name", "x", "y", "w", "h"}], "release_status",
    "release_ids"}``; boxes in fractions of the upright image. ``size``: the stored pixels'."""
    names: list[str] = []
    person_ids: list[str] = []
    regions: list[dict[str, Any]] = []
    unplaced = 0  # person regions without a usable box: people all the same
    for rdf in root.iter(RDF + "RDF"):
        for description in rdf.findall(RDF + "Description"):
            names += _names_in(description)
            person_ids += _person_ids_in(description)
    found = [*_iptc_regions(root, size), *_mwg_regions(root)]
    clamped = 0  # boxes reaching outside the image, or outside it altogether
    for name, box, inside in found:
        names += inside + ([name] if name else [])
        placed, outside = _fraction_box(*box) if box else (None, False)
        clamped += outside
        if placed is None:
            unplaced += 1
        elif len(regions) < MAX_REGIONS:
            regions.append(_region_json(name, placed, orientation))
    if clamped:
        warn(f"XMP: {clamped} person regions reach outside the image; clamped or ignored")
    if unplaced:
        warn(f"XMP: {unplaced} person regions have no usable box; counted, not placed")
    if len(found) > MAX_REGIONS:
        warn(f"XMP: {len(found)} person regions; the first {MAX_REGIONS} kept")
    status_values = [_text(v) for v in _properties(root, PLUS + "ModelReleaseStatus")]
    release_status = next(
        (code for v in status_values if (code := consent.release_status_code(v))), None
    )
    if status_values and release_status is None:
        warn(f"XMP: ModelReleaseStatus {status_values[0][:60]!r} is not a PLUS code; ignored")
    release_ids: list[str] = []
    for value in _properties(root, PLUS + "ModelReleaseID"):
        release_ids += _texts(value)
    distinct = list(dict.fromkeys(n for n in names if n))
    if len(distinct) > MAX_NAMES:
        warn(f"XMP: {len(distinct)} names of people; the first {MAX_NAMES} kept")
    ids = list(dict.fromkeys(release_ids))
    if len(ids) > MAX_RELEASE_IDS:
        warn(f"XMP: {len(ids)} model release ids; the first {MAX_RELEASE_IDS} kept")
    people = {
        "names": distinct[:MAX_NAMES],
        "person_ids": list(dict.fromkeys(person_ids))[:MAX_NAMES],
        "regions": regions,
        "unplaced_regions": min(unplaced, MAX_ITEMS_READ),
        "release_status": release_status,
        "release_ids": ids[:MAX_RELEASE_IDS],
    }
    said = any(people[key] for key in ("names", "person_ids", "regions", "unplaced_regions"))
    return people if said or release_status or ids else None
