"""XMP parsed with defusedxml (any DTD refuses the file) and flattened to properties."""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeElementTree

from service.media.metadata.text import Warn, _clip

MAX_XMP_BYTES = 4 * 1024 * 1024
MAX_XMP_DEPTH = 32
# Values kept of one list (keywords, creators, people): as many as ExifTool extracts.
MAX_LIST_VALUES = 1000


class UnsafeMetadata(Exception):
    """Embedded XMP declares a DTD or entities; the file is refused."""


RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
XML_NS = "{http://www.w3.org/XML/1998/namespace}"
XMP_PREFIXES = {
    "http://purl.org/dc/elements/1.1/": "dc", "http://ns.adobe.com/photoshop/1.0/": "photoshop",
    "http://ns.adobe.com/xap/1.0/rights/": "xmpRights", "http://ns.adobe.com/xap/1.0/": "xmp",
    "http://ns.adobe.com/xap/1.0/mm/": "xmpMM", "http://ns.useplus.org/ldf/xmp/1.0/": "plus",
    "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/": "Iptc4xmpCore",
    "http://iptc.org/std/Iptc4xmpExt/2008-02-29/": "Iptc4xmpExt",
    "http://ns.adobe.com/tiff/1.0/": "tiff", "http://ns.adobe.com/exif/1.0/": "exif",
    "http://cipa.jp/exif/1.0/": "exifEX", "http://ns.adobe.com/exif/1.0/aux/": "aux",
    "http://creativecommons.org/ns#": "cc",
    # Regions that can name people (rules/embedded_people withholds them by these prefixes).
    "http://www.metadataworkinggroup.com/schemas/regions/": "mwg-rs",
    "http://ns.microsoft.com/photo/1.2/": "MP",
    "http://ns.microsoft.com/photo/1.2/t/RegionInfo#": "MPRI",
    "http://ns.microsoft.com/photo/1.2/t/Region#": "MPReg",
}  # fmt: skip


def _xmp_collect(
    node: Element, path: str, prefixes: dict[str, str], out: dict[str, list[str]], depth: int = 0
) -> None:
    """Flatten one XMP node (simple, array or struct) into ``out[path]``."""

    def name(tag: str) -> str:
        uri, _, local = tag[1:].partition("}")
        return f"{prefixes[uri]}:{local}" if uri in prefixes else tag

    def join(child: str) -> str:
        return f"{path}/{child}" if path else child

    if depth > MAX_XMP_DEPTH:
        return
    for attr, value in node.attrib.items():  # simple properties in attribute shorthand
        if not attr.startswith((RDF, XML_NS)):
            out.setdefault(join(name(attr)), []).append(value.strip())
    if (resource := node.get(RDF + "resource")) is not None:
        out.setdefault(path, []).append(resource.strip())
    if len(node) == 0:
        if path and (node.text or "").strip():
            out.setdefault(path, []).append((node.text or "").strip())
        return
    for child in node:
        if child.tag == RDF + "Alt":  # language alternatives: x-default first, others keyed
            items = child.findall(RDF + "li")
            default = [li for li in items if li.get(XML_NS + "lang") == "x-default"] or items[:1]
            for li in default + [li for li in items if li not in default]:
                lang = li.get(XML_NS + "lang", "x-default")
                where = path if li in default else f"{path}[{lang}]"
                _xmp_collect(li, where, prefixes, out, depth + 1)
        elif child.tag in (RDF + "Seq", RDF + "Bag"):
            for li in child.findall(RDF + "li"):
                _xmp_collect(li, path, prefixes, out, depth + 1)
        elif child.tag == RDF + "Description":  # a struct written as a nested resource
            _xmp_collect(child, path, prefixes, out, depth + 1)
        else:
            _xmp_collect(child, join(name(child.tag)), prefixes, out, depth + 1)


def parse_xmp(packet: bytes, warn: Warn) -> Element | None:
    """The XMP packet's root element, or None (with a warning) when it is too large or not
    well-formed XML. Raises UnsafeMetadata when the packet declares a DTD, entities or
    external references."""
    packet = packet.rstrip(b"\0 \t\r\n")
    if len(packet) > MAX_XMP_BYTES:
        warn(f"XMP: packet of {len(packet)} bytes is too large; XMP skipped")
        return None
    try:
        root: Element = SafeElementTree.fromstring(packet, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise UnsafeMetadata(
            f"embedded XMP declares a DTD or entities ({type(exc).__name__}); file refused"
        ) from exc
    except ParseError as exc:
        warn(f"XMP: not well-formed XML ({exc}); XMP skipped")
        return None
    return root


def parse_packets(main: bytes | None, extended: bytes | None, warn: Warn) -> Element | None:
    """The main packet's document with the Extended XMP's properties added: what did not fit
    in a JPEG segment's 64 KB (long descriptions, many keywords or face regions) continues
    the main packet's rdf:RDF and describes the same resource. None without a main packet.
    Raises UnsafeMetadata as parse_xmp does."""
    root = parse_xmp(main, warn) if main else None
    more = parse_xmp(extended, warn) if root is not None and extended else None
    rdf = next(root.iter(RDF + "RDF"), None) if root is not None else None
    if rdf is not None and more is not None:
        for extra in more.iter(RDF + "RDF"):
            rdf.extend(extra.findall(RDF + "Description"))
    return root


def xmp_values(packet: bytes, root: Element, warn: Warn) -> dict[str, list[str]]:
    """XMP properties of a parsed packet as {"dc:creator": [values in order]}, Lang Alt's
    x-default first and other languages keyed "dc:rights[fr]"; at most MAX_LIST_VALUES each."""
    # Well-known prefixes win; otherwise use the prefix the document declared.
    declared = re.findall(rb'xmlns:([\w.-]+)\s*=\s*["\']([^"\']*)["\']', packet)
    prefixes = {uri.decode("utf-8", "replace"): p.decode() for p, uri in declared}
    prefixes |= XMP_PREFIXES
    collected: dict[str, list[str]] = {}
    for rdf in root.iter(RDF + "RDF"):
        for description in rdf.findall(RDF + "Description"):
            _xmp_collect(description, "", prefixes, collected)
    for key, values in collected.items():
        if len(values) > MAX_LIST_VALUES:
            kept = f"the first {MAX_LIST_VALUES} kept"
            warn(f"XMP: {_clip(key, 80)} holds {len(values)} values; {kept}")
    # Values are not cut here: the MWG rules compare them whole (an IIM value is the XMP one
    # cut at its byte limit); what is kept is cut where it is kept.
    return {key: [v for v in values[:MAX_LIST_VALUES] if v] for key, values in collected.items()}
