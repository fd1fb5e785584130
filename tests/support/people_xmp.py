"""XMP packets that say who a photograph shows, written as photo desks and ExifTool write them:
IPTC's PersonInImage, PersonInImageWDetails and ImageRegion, MWG face regions, PLUS releases."""

from __future__ import annotations

from xml.sax.saxutils import escape

NAMESPACES = (
    'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
    'xmlns:plus="http://ns.useplus.org/ldf/xmp/1.0/" '
    'xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/" '
    'xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#" '
    'xmlns:stDim="http://ns.adobe.com/xap/1.0/sType/Dimensions#"'
)
HUMAN = "http://cv.iptc.org/newscodes/imageregiontype/human"
ARTWORK = "http://cv.iptc.org/newscodes/imageregiontype/artwork"


def packet(body: str, attributes: str = "") -> bytes:
    """An XMP packet with one rdf:Description holding ``body`` (and ``attributes``)."""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f'<rdf:Description rdf:about="" {NAMESPACES} {attributes}>{body}</rdf:Description>'
        '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()


def bag(tag: str, items: list[str]) -> str:
    lis = "".join(f"<rdf:li>{escape(item)}</rdf:li>" for item in items)
    return f"<{tag}><rdf:Bag>{lis}</rdf:Bag></{tag}>"


def persons(*names: str) -> str:
    return bag("Iptc4xmpExt:PersonInImage", list(names))


def persons_with_details(*people: tuple[str, str]) -> str:
    """PersonInImageWDetails: (name, id) each."""
    lis = "".join(
        '<rdf:li rdf:parseType="Resource">'
        "<Iptc4xmpExt:PersonName><rdf:Alt>"
        f'<rdf:li xml:lang="x-default">{escape(name)}</rdf:li>'
        "</rdf:Alt></Iptc4xmpExt:PersonName>"
        f"{bag('Iptc4xmpExt:PersonId', [person_id])}</rdf:li>"
        for name, person_id in people
    )
    return f"<Iptc4xmpExt:PersonInImageWDetails><rdf:Bag>{lis}</rdf:Bag></Iptc4xmpExt:PersonInImageWDetails>"


def iptc_region(
    box: tuple[float, float, float, float],
    *,
    unit: str = "relative",
    kind: str = HUMAN,
    name: str | None = None,
    inside: str = "",
) -> str:
    """One IPTC image region (a rectangle rbX, rbY, rbW, rbH), as a Bag item."""
    x, y, w, h = box
    named = (
        f'<Iptc4xmpExt:Name><rdf:Alt><rdf:li xml:lang="x-default">{escape(name)}</rdf:li>'
        "</rdf:Alt></Iptc4xmpExt:Name>"
        if name
        else ""
    )
    return (
        '<rdf:li rdf:parseType="Resource">'
        '<Iptc4xmpExt:RegionBoundary rdf:parseType="Resource">'
        "<Iptc4xmpExt:rbShape>rectangle</Iptc4xmpExt:rbShape>"
        f"<Iptc4xmpExt:rbUnit>{unit}</Iptc4xmpExt:rbUnit>"
        f"<Iptc4xmpExt:rbX>{x}</Iptc4xmpExt:rbX><Iptc4xmpExt:rbY>{y}</Iptc4xmpExt:rbY>"
        f"<Iptc4xmpExt:rbW>{w}</Iptc4xmpExt:rbW><Iptc4xmpExt:rbH>{h}</Iptc4xmpExt:rbH>"
        "</Iptc4xmpExt:RegionBoundary>"
        '<Iptc4xmpExt:rCtype><rdf:Bag><rdf:li rdf:parseType="Resource">'
        f"{bag('Iptc4xmpExt:Identifier', [kind])}"
        "</rdf:li></rdf:Bag></Iptc4xmpExt:rCtype>"
        f"{named}{inside}</rdf:li>"
    )


def iptc_regions(*regions: str) -> str:
    return (
        f"<Iptc4xmpExt:ImageRegion><rdf:Bag>{''.join(regions)}</rdf:Bag></Iptc4xmpExt:ImageRegion>"
    )


def mwg_faces(*faces: tuple[str, tuple[float, float, float, float]], size: tuple[int, int]) -> str:
    """MWG regions of type Face: (name, (centre x, centre y, w, h)) each, normalized."""
    lis = "".join(
        f'<rdf:li><rdf:Description mwg-rs:Name="{escape(name)}" mwg-rs:Type="Face">'
        f'<mwg-rs:Area stArea:x="{x}" stArea:y="{y}" stArea:w="{w}" stArea:h="{h}"'
        ' stArea:unit="normalized"/></rdf:Description></rdf:li>'
        for name, (x, y, w, h) in faces
    )
    return (
        '<mwg-rs:Regions rdf:parseType="Resource">'
        f'<mwg-rs:AppliedToDimensions stDim:w="{size[0]}" stDim:h="{size[1]}" stDim:unit="pixel"/>'
        f"<mwg-rs:RegionList><rdf:Bag>{lis}</rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions>"
    )


def release(status: str | None = None, *ids: str) -> str:
    """plus:ModelReleaseStatus (a code or URI, as an element) and plus:ModelReleaseID."""
    written = (
        f"<plus:ModelReleaseStatus>{escape(status)}</plus:ModelReleaseStatus>" if status else ""
    )
    return written + (bag("plus:ModelReleaseID", list(ids)) if ids else "")
