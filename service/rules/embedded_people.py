"""What a file says of the people it shows: who may read it, and what a variant may carry.

The metadata summary's ``people`` (media/metadata/people) holds names, person ids and named
regions, which are personal data: the rights role and admins read them (consent.ROLE_FOR_PEOPLE);
the others see that people are shown, where, how many, and the model release, not who. The
raw XMP tags that carry the same names are withheld too, or the summary would hide nothing.
A variant carries the model release (PLUS), never the names. Pure: values in, values out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

WITHHELD = "(withheld: people; shown to the rights role)"

# Raw XMP keys that can name a person: IPTC's persons and regions, MWG and Microsoft Photo
# regions (their names, and anything else a region holds, such as a face's description).
_PEOPLE_KEYS = re.compile(
    r"Iptc4xmpExt:(PersonInImage|ImageRegion)|(?:^|/)(?:mwg-rs|MP|MPRI|MPReg):|PersonDisplayName"
)


def summary_for(summary: Mapping[str, Any], *, may_see_people: bool) -> dict[str, Any]:
    """The summary as a caller sees it: whole for the rights role, else without names."""
    shown = dict(summary)
    people = summary.get("people")
    if may_see_people or not isinstance(people, Mapping):
        return shown
    names = people.get("names") or []
    shown["people"] = {
        **people,
        "names": [],
        "person_ids": [],
        "regions": [{**region, "name": None} for region in people.get("regions") or []],
        "named": len(names),
        "withheld": True,
    }
    return shown


def raw_for(
    raw: Mapping[str, Mapping[str, str]], *, may_see_people: bool
) -> dict[str, dict[str, str]]:
    """The raw tags as a caller sees them: whole for the rights role, else every XMP tag that
    can name a person withheld."""
    shown = {block: dict(tags) for block, tags in raw.items()}
    if may_see_people:
        return shown
    xmp = shown.get("xmp", {})
    for key in xmp:
        if _PEOPLE_KEYS.search(key):
            xmp[key] = WITHHELD
    return shown


def release_for(
    people_status: str, people: Mapping[str, Any] | None
) -> tuple[str | None, tuple[str, ...]]:
    """The model release a variant states (PLUS ModelReleaseStatus code, ModelReleaseID):
    "MR-NAP" once the asset is said to show no recognisable people; else what the file said,
    unless it said "not applicable" of an asset now said to show people."""
    stated = people.get("release_status") if isinstance(people, Mapping) else None
    ids = people.get("release_ids") if isinstance(people, Mapping) else None
    release_ids = (
        tuple(str(i) for i in ids) if isinstance(ids, Sequence) and not isinstance(ids, str) else ()
    )
    if people_status == "none":
        return "MR-NAP", release_ids
    if people_status == "depicted" and stated == "MR-NAP":
        return None, release_ids
    return (stated if isinstance(stated, str) else None), release_ids
