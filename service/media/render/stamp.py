"""The rights written into every variant: the RightsStamp and the EXIF and XMP made from it.

EXIF and XMP say the same, so that a reader following the Metadata Working Group's rules
(EXIF first for Copyright, Creator and Description) reads the rights record whichever block it
trusts: Copyright = dc:rights = the credit line, Artist = dc:creator = the creators (a list in
the MWG's "A; B" form), ImageDescription = dc:description = the title and object number. No
IPTC-IIM is written, so no stale IIM can contradict them.

EXIF text is ASCII by spec; the rights text is written as UTF-8 bytes, as exiftool does, so
exifread and exiftool read "©" back, while Pillow's ``getexif()`` decodes ASCII tags as Latin-1
("Â©"). XMP carries the same text as proper Unicode. Nothing of the source's metadata is
copied, so GPS, maker notes, serial numbers, thumbnails, comments and the original XMP/IPTC
never leave: a person named in the original's XMP is not named in a variant. The model
release is written as PLUS states it (plus:ModelReleaseStatus as the vocabulary's URI,
plus:ModelReleaseID); a person's name (Iptc4xmpExt:PersonInImage) only when the caller gives
it, for people whose consent allows their name in the metadata.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from PIL import Image

from service.rules import consent, mwg
from service.rules.presets import Preset


@dataclass(frozen=True)
class RightsStamp:
    """The rights written into every variant's metadata, and optionally into its pixels."""

    credit_line: str
    creator: str
    title: str
    object_number: str
    licence_uri: str | None
    alt_text: str
    burn_in: bool = False
    placement: str = "bottom-right"  # "bottom-left" | "bottom-right" | "band"
    release_status: str | None = None  # PLUS ModelReleaseStatus code, "MR-NAP" and so on
    release_ids: tuple[str, ...] = ()  # PLUS ModelReleaseID
    person_names: tuple[str, ...] = ()  # only people whose consent allows their name here

    def people_fields(self) -> dict[str, object]:
        """The model release and names, when there are any: what a variant's key adds for
        them (a stamp without them keys as it did before they existed)."""
        fields = {
            "release_status": self.release_status,
            "release_ids": list(self.release_ids),
            "person_names": list(self.person_names),
        }
        return {key: value for key, value in fields.items() if value}


def burns_in(stamp: RightsStamp, preset: Preset) -> bool:
    """Whether the credit line goes into the pixels: the policy's rule or the preset asks."""
    return stamp.burn_in or preset.burn_in_credit


def _clean(text: str) -> str:
    """Text without the characters XML 1.0 forbids (and EXIF has no use for): C0 controls,
    lone surrogates, U+FFFE and U+FFFF. Joiners, variation selectors, emoji tags and
    direction marks are allowed in XML and kept, so the metadata reads as the user wrote it."""
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]", "", text).strip()


def _creators(stamp: RightsStamp) -> list[str]:
    """The record's creator as the list the MWG reads it as ("A; B" names two)."""
    return [name for name in map(_clean, mwg.split_list(_clean(stamp.creator))) if name]


def _description(stamp: RightsStamp) -> str:
    """The description both EXIF and XMP carry: the title and the object number."""
    return f"{stamp.title} ({stamp.object_number})" if stamp.object_number else stamp.title


def exif_block(stamp: RightsStamp, *, orientation: bool = True) -> bytes:
    """EXIF with only the rights and Orientation 1 (pixels are already turned), UTF-8 text.

    ``orientation=False`` leaves the tag out, for AVIF: Pillow moves an Orientation tag into
    the irot/imir boxes and re-encodes the rest of the block as ASCII, turning "©" into "??".
    """
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = 1
    creators = mwg.join_list(_creators(stamp))
    for tag, value in (
        (0x8298, stamp.credit_line),
        (0x013B, creators),
        (0x010E, _description(stamp)),
    ):
        if _clean(value):
            # bytes, not str: Pillow would write "©" as "?" when encoding a str as ASCII.
            exif[tag] = _clean(value).encode("utf-8")
    return exif.tobytes()


def xmp_packet(stamp: RightsStamp) -> bytes:
    """An XMP packet with dc:rights/creator/title, photoshop:Credit, WebStatement and alt text."""

    def alt(tag: str, text: str) -> str:
        li = f'<rdf:li xml:lang="x-default">{escape(_clean(text))}</rdf:li>'
        return f"<{tag}><rdf:Alt>{li}</rdf:Alt></{tag}>" if _clean(text) else ""

    def simple(tag: str, text: str | None) -> str:
        return f"<{tag}>{escape(_clean(text))}</{tag}>" if text and _clean(text) else ""

    def array(tag: str, items: Sequence[str], kind: str = "Bag") -> str:
        lis = "".join(f"<rdf:li>{escape(_clean(i))}</rdf:li>" for i in items if _clean(i))
        return f"<{tag}><rdf:{kind}>{lis}</rdf:{kind}></{tag}>" if lis else ""

    code = consent.release_status_code(stamp.release_status or "")
    body = "".join(
        (
            alt("dc:rights", stamp.credit_line),
            array("dc:creator", _creators(stamp), "Seq"),
            alt("dc:title", stamp.title),
            alt("dc:description", _description(stamp)),
            simple("dc:identifier", stamp.object_number),
            simple("photoshop:Credit", stamp.credit_line),
            simple("xmpRights:WebStatement", stamp.licence_uri),
            alt("Iptc4xmpCore:AltTextAccessibility", stamp.alt_text),
            f'<plus:ModelReleaseStatus rdf:resource="{consent.PLUS_VOCABULARY}{code}"/>'
            if code
            else "",
            array("plus:ModelReleaseID", stamp.release_ids),
            array("Iptc4xmpExt:PersonInImage", stamp.person_names),
        )
    )
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="Vitrine">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about=""'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"'
        ' xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/"'
        ' xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"'
        ' xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"'
        ' xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/">'
        f"{body}</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="r"?>'
    )
    return packet.encode("utf-8")
