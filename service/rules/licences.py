"""The licence vocabulary a rights record may use, and a tolerant lookup into it.

Twenty-one entries: the six Creative Commons 4.0 licences, CC0 1.0, the Public Domain
Mark 1.0, the twelve RightsStatements.org statements and Vitrine's own "all rights
reserved". Canonical URIs are the ``http://`` forms both CC and RightsStatements.org
define, because IIIF Presentation 3.0 ``rights`` MUST carry a URI as they define it
(platform-specs.md §3, §4); ``https://`` spellings are accepted by :func:`lookup_licence`.

``allows_social`` answers one question: may an institution post the image on social
media relying on the licence alone, with no permission recorded on the rights record?
Vitrine's social variants are cropped around a focal point and may carry a burned-in
credit, so the answer assumes an altered copy is posted. Whether a museum's outreach
post is "commercial", or a crop an "adaptation", has no authoritative answer
(platform-specs.md §3); the choices below are judgements, explained per family.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

ALL_RIGHTS_RESERVED = "vitrine:all-rights-reserved"
# Where an image may be published: a rights record allows some, a preset is for some.
CHANNELS = ("web", "social", "print", "press")

CREATIVE_COMMONS = "creative-commons"
PUBLIC_DOMAIN = "public-domain"
RIGHTSSTATEMENTS = "rightsstatements"
VITRINE = "vitrine"


@dataclass(frozen=True)
class Licence:
    """One licence or rights statement and what it lets an institution do."""

    uri: str
    short_name: str
    allows_social: bool
    commercial: bool
    requires_attribution: bool
    family: str


def _cc(code: str, *, social: bool, commercial: bool) -> Licence:
    return Licence(
        uri=f"http://creativecommons.org/licenses/{code.lower()}/4.0/",
        short_name=f"CC {code} 4.0",
        allows_social=social,
        commercial=commercial,
        requires_attribution=True,  # every CC 4.0 licence carries the BY element
        family=CREATIVE_COMMONS,
    )


def _rs(code: str, *, social: bool, commercial: bool, attribution: bool) -> Licence:
    return Licence(
        uri=f"http://rightsstatements.org/vocab/{code}/1.0/",
        short_name=code,
        allows_social=social,
        commercial=commercial,
        requires_attribution=attribution,
        family=RIGHTSSTATEMENTS,
    )


_ENTRIES: tuple[Licence, ...] = (
    # Creative Commons 4.0. BY and BY-SA: yes, with the credit (SA only binds the variant to
    # the same licence). NC: yes, because the NC test is the purpose of the use ("not
    # primarily intended for commercial advantage"), and a museum's outreach post is not;
    # paid or sponsored posts are commercial and need permission recorded. ND: no, because
    # §2(a)(4) allows only the technical changes *necessary* for another format, and a
    # focal-point crop or burned-in credit goes beyond that, so it is an adaptation.
    _cc("BY", social=True, commercial=True),
    _cc("BY-SA", social=True, commercial=True),
    _cc("BY-NC", social=True, commercial=False),
    _cc("BY-NC-SA", social=True, commercial=False),
    _cc("BY-ND", social=False, commercial=True),
    _cc("BY-NC-ND", social=False, commercial=False),
    # Public domain tools: nothing to ask anyone, and no attribution is owed (the credit
    # policy may still ask for one as a courtesy).
    Licence(
        uri="http://creativecommons.org/publicdomain/zero/1.0/",
        short_name="CC0 1.0",
        allows_social=True,
        commercial=True,
        requires_attribution=False,
        family=PUBLIC_DOMAIN,
    ),
    Licence(
        uri="http://creativecommons.org/publicdomain/mark/1.0/",
        short_name="PDM 1.0",
        allows_social=True,
        commercial=True,
        requires_attribution=False,
        family=PUBLIC_DOMAIN,
    ),
    # RightsStatements.org statements describe status and grant nothing themselves.
    # In copyright: only InC-NC carries the holder's own allowance for non-commercial use,
    # so it follows CC NC; educational-only use does not cover a public post; orphan and
    # unlocatable-holder works are still in copyright. All need permission recorded.
    _rs("InC", social=False, commercial=False, attribution=True),
    _rs("InC-OW-EU", social=False, commercial=False, attribution=True),
    _rs("InC-EDU", social=False, commercial=False, attribution=True),
    _rs("InC-NC", social=True, commercial=False, attribution=True),
    _rs("InC-RUU", social=False, commercial=False, attribution=True),
    # No copyright, but: contracts (CR) and other laws (OKLR: privacy, cultural heritage)
    # may forbid posting, and someone has to read them; NoC-US is free only in the US while
    # a social post is worldwide; NoC-NC is free for non-commercial use, like CC NC.
    _rs("NoC-CR", social=False, commercial=False, attribution=False),
    _rs("NoC-NC", social=True, commercial=False, attribution=False),
    _rs("NoC-OKLR", social=False, commercial=False, attribution=False),
    _rs("NoC-US", social=False, commercial=False, attribution=False),
    # Unknown status: not evaluated (CNE) or undetermined (UND) means ask first. No Known
    # Copyright is a reasoned belief of freedom, enough for an outreach post but not for
    # selling the image while doubt remains.
    _rs("CNE", social=False, commercial=False, attribution=True),
    _rs("UND", social=False, commercial=False, attribution=True),
    _rs("NKC", social=True, commercial=False, attribution=False),
    # Vitrine's own: the holder reserves everything; posting needs permission recorded.
    Licence(
        uri=ALL_RIGHTS_RESERVED,
        short_name="All rights reserved",
        allows_social=False,
        commercial=False,
        requires_attribution=True,
        family=VITRINE,
    ),
)

LICENCES: Mapping[str, Licence] = MappingProxyType({lic.uri: lic for lic in _ENTRIES})

_WEB_URI = re.compile(
    r"^(?:https?:)?(?://)?(?:www\.)?"
    r"(?P<host>creativecommons\.org|rightsstatements\.org)"
    r"(?P<path>/[^?#]*)?(?:[?#].*)?$",
    re.IGNORECASE,
)
# Human-facing pages that sit under a licence URI: the legal code and the deed, any language.
_PAGE_SUFFIX = re.compile(r"/(?:legalcode|deed)(?:\.[a-z_-]+)?/?$", re.IGNORECASE)


def _key(uri: str) -> str | None:
    """Reduce a spelling of a licence URI to the form the index is keyed by."""
    text = unicodedata.normalize("NFC", uri).strip()
    if text.casefold() == ALL_RIGHTS_RESERVED:
        return ALL_RIGHTS_RESERVED
    match = _WEB_URI.match(text)
    if match is None:
        return None
    path = _PAGE_SUFFIX.sub("", match["path"] or "").strip("/").casefold()
    # rightsstatements.org serves each statement's human page under /page/ (platform-specs §3).
    if path.startswith("page/"):
        path = "vocab/" + path.removeprefix("page/")
    return f"{match['host'].casefold()}/{path}/"


_INDEX: Mapping[str, Licence] = {_key(lic.uri) or lic.uri: lic for lic in _ENTRIES}


def lookup_licence(uri: str) -> Licence | None:
    """Return the canonical entry for a spelling of its URI, or None if it is not in the vocabulary.

    Tolerates http or https, a missing scheme, "www.", host and path case, a missing
    trailing slash, a query or fragment, "/legalcode" or "/deed" (with a language) on
    CC URIs, and rightsstatements.org "/page/" URIs.
    """
    key = _key(uri)
    return None if key is None else _INDEX.get(key)
