"""The ``rights`` URI a IIIF document may carry for a licence, or None.

Presentation 3.0 wants ``rights`` to be a Creative Commons licence or public domain tool or a
RightsStatements.org statement, written as those bodies define their URIs: ``http://``, with
the trailing slash. The IIIF presentation validator enforces it with three patterns
(``http://creativecommons.org/licenses/``, ``.../publicdomain/``,
``http://rightsstatements.org/vocab/``) and refuses ``https://``. Anything else (Vitrine's
"all rights reserved", an unknown URI) gets no ``rights``: the credit still travels in the
``requiredStatement``, which viewers must show.
"""

from __future__ import annotations

from service.rules.licences import (
    CREATIVE_COMMONS,
    PUBLIC_DOMAIN,
    RIGHTSSTATEMENTS,
    lookup_licence,
)

# The licence families whose canonical URIs (service/rules/licences.py) IIIF accepts as they are.
IIIF_FAMILIES = frozenset({CREATIVE_COMMONS, PUBLIC_DOMAIN, RIGHTSSTATEMENTS})
IIIF_PREFIXES = (
    "http://creativecommons.org/licenses/",
    "http://creativecommons.org/publicdomain/",
    "http://rightsstatements.org/vocab/",
)


def iiif_rights(licence_uri: str | None) -> str | None:
    """The canonical ``http://`` URI of the licence ``licence_uri`` spells (any spelling
    ``lookup_licence`` knows: https, no trailing slash, a deed page...), when IIIF accepts
    it; None for none, Vitrine's "all rights reserved", or a URI outside the vocabulary."""
    if not licence_uri:
        return None
    licence = lookup_licence(licence_uri)
    if licence is None or licence.family not in IIIF_FAMILIES:
        return None
    return licence.uri if licence.uri.startswith(IIIF_PREFIXES) else None
