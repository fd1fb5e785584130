"""Which badges an asset shows: "Rights: to do" until its rights are looked at, then the
rights status and the audit's verdict."""

from __future__ import annotations

import pytest

from service.rules.badges import RIGHTS_TO_DO, Badge, badges_shown, verdict_shown
from service.services.rights import STATUSES, proposed_rights_record


def test_a_new_assets_rights_status_is_the_one_that_says_to_do() -> None:
    # The rule's initial status is the one the rights service gives every new record.
    assert proposed_rights_record({}).status == STATUSES[0]
    assert (
        verdict_shown(STATUSES[0], "fail") == RIGHTS_TO_DO == Badge("Rights: to do", "rights-todo")
    )


@pytest.mark.parametrize("outcome", ["pass", "warn", "fail", None])
def test_while_rights_are_to_do_no_audit_verdict_is_shown(outcome: str | None) -> None:
    assert verdict_shown("unknown", outcome) == RIGHTS_TO_DO
    assert badges_shown("unknown", outcome) == (RIGHTS_TO_DO,)


@pytest.mark.parametrize("status", ["pending", "cleared", "restricted"])
@pytest.mark.parametrize("outcome", ["pass", "warn", "fail"])
def test_once_rights_are_looked_at_the_audit_verdict_is_shown(status: str, outcome: str) -> None:
    assert verdict_shown(status, outcome) == Badge(f"Audit: {outcome}", f"audit-{outcome}")
    assert badges_shown(status, outcome) == (
        Badge(f"Rights: {status}", f"rights-{status}"),
        Badge(f"Audit: {outcome}", f"audit-{outcome}"),
    )


def test_without_an_audit_only_the_rights_status_is_shown() -> None:
    assert verdict_shown("pending", None) is None
    assert badges_shown("cleared", None) == (Badge("Rights: cleared", "rights-cleared"),)
