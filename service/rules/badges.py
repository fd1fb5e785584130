"""Which status badges an asset shows: its rights, and an audit verdict only once the rights
have been looked at.

A new asset's rights are a proposal read from its file (status "unknown"); auditing it can
only fail, and a red "Audit: fail" on every fresh upload tells the user nothing they can act
on but "do the rights". So until the status leaves its initial value the badge says that.
"""

from __future__ import annotations

from dataclasses import dataclass

# The status every rights record starts with (services.rights.proposed_rights_record).
INITIAL_RIGHTS_STATUS = "unknown"


@dataclass(frozen=True)
class Badge:
    """A badge's text and its style (a CSS class: the text alone carries the meaning)."""

    label: str
    style: str


RIGHTS_TO_DO = Badge("Rights: to do", "rights-todo")


def verdict_shown(rights_status: str, audit_outcome: str | None) -> Badge | None:
    """The badge standing for the asset's audit: "Rights: to do" while the rights have not
    been looked at, else the audit's outcome (None when there is no audit to show)."""
    if rights_status == INITIAL_RIGHTS_STATUS:
        return RIGHTS_TO_DO
    if audit_outcome is None:
        return None
    return Badge(f"Audit: {audit_outcome}", f"audit-{audit_outcome}")


def badges_shown(rights_status: str, audit_outcome: str | None) -> tuple[Badge, ...]:
    """Every status badge, in order: the rights status, then the verdict; while the rights
    are still to do, that one badge says it all."""
    verdict = verdict_shown(rights_status, audit_outcome)
    if verdict is RIGHTS_TO_DO:
        return (RIGHTS_TO_DO,)
    rights = Badge(f"Rights: {rights_status}", f"rights-{rights_status}")
    return (rights,) if verdict is None else (rights, verdict)
