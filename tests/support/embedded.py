"""The rights a photo desk embeds in the test photographs: the values, and the IPTC-IIM and
XMP blocks built here by hand (Pillow writes neither IPTC nor a chosen XMP layout).

tests.support.photos uses these and re-exports them, so tests read ``photos.ARTIST`` etc.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from xml.sax.saxutils import escape

ARTIST = "Jane Photographer"
COPYRIGHT = "© Trustees of the British Museum"
CREDIT = "© Trustees of the British Museum"
MAKE = "Canon"
MODEL = "Canon EOS 5D Mark IV"
DATE_TAKEN = "2024:03:27 10:15:00"
DESCRIPTION = "Hoa Hakananai'a, basalt figure from Rapa Nui, front view"
CAPTION = DESCRIPTION
OBJECT_NAME = "Hoa Hakananai'a"
WEB_STATEMENT = "https://www.britishmuseum.org/terms-use/copyright-and-permissions"
USAGE_TERMS = "Licensed under CC BY-NC-SA 4.0; credit the Trustees of the British Museum."
ALT_TEXT = "A tall dark stone figure with a heavy brow and long ears, seen from the front."
LATITUDE = 51.5194
LONGITUDE = -0.1270
ALTITUDE = 23.5
ICC_DESCRIPTION = "Vitrine test RGB (Adobe RGB 1998 compatible)"


# ---------------------------------------------------------------- IPTC-IIM


def iim_dataset(record: int, dataset: int, value: bytes) -> bytes:
    """One IIM dataset: tag marker 0x1C, record, dataset, 2-byte length, value."""
    assert len(value) < 0x8000, "extended IIM lengths are not needed here"
    return struct.pack(">BBBH", 0x1C, record, dataset, len(value)) + value


def iptc_iim(
    *,
    by_line: str | None = ARTIST,
    copyright_notice: str | None = COPYRIGHT,
    credit: str | None = CREDIT,
    caption: str | None = CAPTION,
    object_name: str | None = OBJECT_NAME,
    utf8: bool = True,
    encoding: str = "utf-8",
) -> bytes:
    """An IIM stream: 1:90 (UTF-8 marker, optional), 2:00, then the text datasets in order.

    Note: "© Trustees of the British Museum" is 33 bytes in UTF-8, one over the
    32 bytes IIM allows for 2:110 Credit; real tools write it anyway.
    """
    out = b""
    if utf8:
        out += iim_dataset(1, 90, b"\x1b%G")
    out += iim_dataset(2, 0, b"\x00\x04")
    for dataset, text in (
        (5, object_name),
        (80, by_line),
        (110, credit),
        (116, copyright_notice),
        (120, caption),
    ):
        if text is not None:
            out += iim_dataset(2, dataset, text.encode(encoding))
    return out


def photoshop_app13(iim: bytes) -> bytes:
    """The APP13 segment (marker included) holding ``iim`` as 8BIM resource 0x0404."""
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\0\0"  # empty Pascal name, padded
    resource += struct.pack(">I", len(iim)) + iim + b"\0" * (len(iim) % 2)
    payload = b"Photoshop 3.0\0" + resource
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def splice_segment(jpeg: bytes, segment: bytes) -> bytes:
    """Insert a marker segment after SOI and the leading APPn segments (APP0, APP1, APP2...)."""
    assert jpeg[:2] == b"\xff\xd8"
    pos = 2
    while jpeg[pos] == 0xFF and 0xE0 <= jpeg[pos + 1] <= 0xEF:
        (length,) = struct.unpack(">H", jpeg[pos + 2 : pos + 4])
        pos += 2 + length
    return jpeg[:pos] + segment + jpeg[pos:]


# ---------------------------------------------------------------- XMP


def _lang_alt(prefix: str, values: Sequence[tuple[str, str]]) -> str:
    items = "".join(f'<rdf:li xml:lang="{lang}">{escape(text)}</rdf:li>' for lang, text in values)
    return f"<{prefix}><rdf:Alt>{items}</rdf:Alt></{prefix}>"


def rights_xmp(
    *,
    creator: str | None = ARTIST,
    rights: str | None = COPYRIGHT,
    credit: str | None = CREDIT,
    web_statement: str | None = WEB_STATEMENT,
    usage_terms: str | None = USAGE_TERMS,
    alt_text: str | None = ALT_TEXT,
    description: str | None = DESCRIPTION,
    title: str | None = OBJECT_NAME,
    extra: str = "",
) -> bytes:
    """An XMP packet with the IPTC Core rights fields, as Photoshop/Lightroom lay it out.

    dc:description carries a French value before x-default, to check that the
    reader puts x-default first regardless of document order.
    """
    attrs = ""
    if credit is not None:
        attrs += f' photoshop:Credit="{escape(credit, {chr(34): "&quot;"})}"'
    if web_statement is not None:
        attrs += f' xmpRights:WebStatement="{escape(web_statement)}" xmpRights:Marked="True"'
    body = ""
    if creator is not None:
        body += f"<dc:creator><rdf:Seq><rdf:li>{escape(creator)}</rdf:li></rdf:Seq></dc:creator>"
    if rights is not None:
        body += _lang_alt("dc:rights", [("x-default", rights)])
    if title is not None:
        body += _lang_alt("dc:title", [("x-default", title)])
    if description is not None:
        body += _lang_alt(
            "dc:description",
            [("fr", "Hoa Hakananai'a, figure en basalte"), ("x-default", description)],
        )
    if usage_terms is not None:
        body += _lang_alt("xmpRights:UsageTerms", [("x-default", usage_terms)])
    if alt_text is not None:
        body += _lang_alt("Iptc4xmpCore:AltTextAccessibility", [("x-default", alt_text)])
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Vitrine tests">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about=""\n'
        '    xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"\n'
        '    xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/"\n'
        '    xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"\n'
        f"   {attrs}>\n"
        f"   {body}{extra}\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    )
    return packet.encode("utf-8")


def xmp_with_external_entity(system_id: str) -> bytes:
    """An XMP packet whose DOCTYPE declares an external SYSTEM entity and uses it in dc:rights."""
    return (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE x:xmpmeta [ <!ENTITY leak SYSTEM "{system_id}"> ]>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<dc:rights>&leak;</dc:rights>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()


def _billion_laughs() -> bytes:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    return (
        '<?xml version="1.0"?>\n'
        f"<!DOCTYPE x:xmpmeta [ {entities} ]>\n"
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<dc:rights>&lol9;</dc:rights>"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()


XMP_EXTERNAL_ENTITY = xmp_with_external_entity("file:///etc/passwd")
XMP_BILLION_LAUGHS = _billion_laughs()
