"""Consent to be shown: whether the people in a photograph may appear on a channel and
platform on a given day, and why not. Pure: values in, values out.

A consent covers a use when it is granted by that day, not expired, not withdrawn, names the
channel, names the platform (or none, meaning every platform of its channels: "all social"),
names the purpose when one is asked for, and, for a minor, records a guardian. Reasons name
people by number and role, never by name: they reach people who may not see the register.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

PEOPLE_STATUSES = ("unknown", "none", "depicted")
PERSON_ROLES = ("staff", "participant", "visitor", "minor", "other")
BASES = ("consent", "contract", "legitimate_interest")
PURPOSES = ("campaign", "press", "web")
# The role that may read who is depicted, the register and the evidence.
ROLE_FOR_PEOPLE = "rights"

# PLUS ModelReleaseStatus (ExifTool's XMP2.pl, useplus.org): what a file says of its releases.
# The verdict no override may set aside: a withdrawal means the photographs come down.
NOT_OVERRIDABLE = frozenset({"consent_withdrawn"})

RELEASE_STATUSES = {
    "MR-NON": "None",
    "MR-NAP": "Not Applicable",
    "MR-UMR": "Unlimited Model Releases",
    "MR-LMR": "Limited or Incomplete Model Releases",
}
PLUS_VOCABULARY = "http://ns.useplus.org/ldf/vocab/"


def release_status_code(value: str) -> str | None:
    """The MR-… code of a ModelReleaseStatus value, a code or its URI; None when it is none."""
    code = value.strip().removeprefix(PLUS_VOCABULARY).upper()
    return code if code in RELEASE_STATUSES else None


def proposed_status(release_status: str | None, names: Sequence[str]) -> str:
    """The people status an embedded file suggests: "depicted" when it names people,
    "none" when its release status says not applicable, else "unknown"."""
    if names:
        return "depicted"
    if release_status == "MR-NAP":
        return "none"
    return "unknown"


@dataclass(frozen=True)
class ConsentFacts:
    """What the gate reads of one consent."""

    id: int
    channels: tuple[str, ...]
    platforms: tuple[str, ...]  # empty: every platform of its channels
    purposes: tuple[str, ...]  # empty: any purpose
    granted_at: date
    expires_at: date | None
    withdrawn_at: datetime | None
    guardian: str
    release_id: str = ""
    name_in_metadata: bool = False  # the person agreed to be named in published files


@dataclass(frozen=True)
class PersonFacts:
    """A depicted person as the gate sees them: a number, a role and their consents.

    ``name`` is read only to write it into a published file where a consent allows it; no
    reason ever names the person.
    """

    id: int
    role: str
    consents: tuple[ConsentFacts, ...]
    name: str = ""

    @property
    def label(self) -> str:
        """How reasons name the person: never by name."""
        return f"person #{self.id} ({self.role})"


@dataclass(frozen=True)
class PeopleFacts:
    """Who an asset shows, as far as the register knows."""

    status: str  # one of PEOPLE_STATUSES
    proposed: bool
    people: tuple[PersonFacts, ...] = ()


UNKNOWN = PeopleFacts("unknown", False)


def consent_problem(
    consent: ConsentFacts,
    role: str,
    *,
    channel: str,
    platform: str,
    on: date,
    purpose: str | None = None,
) -> str | None:
    """Why the consent does not cover this use, or None when it does."""
    if consent.withdrawn_at is not None and consent.withdrawn_at.date() <= on:
        return f"consent #{consent.id} was withdrawn on {consent.withdrawn_at.date().isoformat()}"
    if consent.granted_at > on:
        return f"consent #{consent.id} starts on {consent.granted_at.isoformat()}"
    if consent.expires_at is not None and consent.expires_at < on:
        return f"consent #{consent.id} expired on {consent.expires_at.isoformat()}"
    if channel not in consent.channels:
        return f"consent #{consent.id} does not cover the {channel} channel"
    if consent.platforms and platform not in consent.platforms:
        return f"consent #{consent.id} does not cover {platform}"
    if purpose is not None and consent.purposes and purpose not in consent.purposes:
        return f"consent #{consent.id} does not cover the purpose {purpose}"
    if role == "minor" and not consent.guardian.strip():
        return f"consent #{consent.id} is for a minor and records no guardian"
    return None


def withdrawn_for(
    facts: PeopleFacts, *, channel: str, platform: str, on: date, purpose: str | None = None
) -> bool:
    """Whether someone depicted withdrew a consent that would otherwise cover this use: their
    photographs must come down, and no override may publish them."""
    for person in facts.people:
        for consent in person.consents:
            if consent.withdrawn_at is None or consent.withdrawn_at.date() > on:
                continue
            unwithdrawn = dataclasses.replace(consent, withdrawn_at=None)
            problem = consent_problem(
                unwithdrawn, person.role, channel=channel, platform=platform, on=on,
                purpose=purpose,
            )  # fmt: skip
            if problem is None:
                return True
    return False


def uncovered(
    facts: PeopleFacts, *, channel: str, platform: str, on: date, purpose: str | None = None
) -> list[str]:
    """One sentence per depicted person no consent covers for this use; [] when all are."""
    missing = []
    for person in facts.people:
        problems = [
            consent_problem(
                consent, person.role, channel=channel, platform=platform, on=on, purpose=purpose
            )
            for consent in person.consents
        ]
        if any(problem is None for problem in problems):
            continue
        why = "; ".join(p for p in problems if p) or "there is no consent on record"
        missing.append(
            f"No active consent of {person.label} covers {channel} on {platform}: {why}."
        )
    return missing


def verdict(
    facts: PeopleFacts,
    *,
    channel: str,
    platform: str,
    on: date,
    unknown_blocks: bool,
    purpose: str | None = None,
) -> tuple[str, str, str]:
    """The gate's (status, code, reason) on the people an asset shows, for one use."""
    if facts.status == "none":
        source = " (as its embedded release status says)" if facts.proposed else ""
        return "pass", "no_people", f"No recognisable people{source}."
    if facts.status != "depicted":
        reason = "Nobody has said whether the photograph shows recognisable people."
        if unknown_blocks:
            return "fail", "people_unknown", reason + f" The policy blocks that on {channel}."
        return "warn", "people_unknown", reason
    if not facts.people:
        return "fail", "people_unnamed", "People are depicted but none is in the register."
    missing = uncovered(facts, channel=channel, platform=platform, on=on, purpose=purpose)
    if missing:
        withdrawn = withdrawn_for(facts, channel=channel, platform=platform, on=on, purpose=purpose)
        code = "consent_withdrawn" if withdrawn else "consent_missing"
        return "fail", code, " ".join(missing)
    count = len(facts.people)
    return (
        "pass",
        "consented",
        f"Every depicted person ({count}) consents to {channel} on {platform}.",
    )


def for_published_files(facts: PeopleFacts, on: date) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What a published file may say of the people it shows on ``on``: the release ids of
    their running consents (PLUS ModelReleaseID), and the names of those whose running
    consent allows their name there. Names are left out unless a consent says so."""
    release_ids: list[str] = []
    names: list[str] = []
    for person in facts.people:
        running = [
            c
            for c in person.consents
            if (c.withdrawn_at is None or c.withdrawn_at.date() > on)
            and c.granted_at <= on
            and (c.expires_at is None or c.expires_at >= on)
        ]
        release_ids += [c.release_id for c in running if c.release_id]
        if person.name and any(c.name_in_metadata for c in running):
            names.append(person.name)
    return tuple(dict.fromkeys(release_ids)), tuple(dict.fromkeys(names))
