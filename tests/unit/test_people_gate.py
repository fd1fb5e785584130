"""The gate on the people a photograph shows (``rules/audit.people_consent``), through the
audit as every caller runs it: channel by platform by the state of the consent on record."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from service.rules import audit
from service.rules import campaign_checks as checks
from service.rules.consent import UNKNOWN, ConsentFacts, PeopleFacts, PersonFacts
from service.rules.presets import DEFAULT_PRESETS
from tests.support.rights import TODAY, subject

OTHER_CHANNEL = {"social": "web", "web": "social"}
SCOPES = [("social", "x"), ("social", "instagram"), ("social", "bluesky"), ("web", "default"),
          ("web", "x")]  # fmt: skip


def given(channel: str, platform: str, **changes: Any) -> ConsentFacts:
    """A consent that covers ``channel`` on every platform from a month ago, for ever; each
    state below spoils it one way."""
    fields: dict[str, Any] = {
        "id": 31,
        "channels": (channel,),
        "platforms": (),
        "purposes": (),
        "granted_at": TODAY - timedelta(days=30),
        "expires_at": None,
        "withdrawn_at": None,
        "guardian": "",
        **changes,
    }
    return ConsentFacts(**fields)


def other_platform(platform: str) -> str:
    return "instagram" if platform != "instagram" else "x"


# A consent state: (the person's role, their consents for this channel and platform), and
# the finding's status and code.
State = Callable[[str, str], tuple[str, tuple[ConsentFacts, ...]]]
STATES: dict[str, tuple[State, str, str]] = {
    "none": (lambda c, p: ("participant", ()), "fail", "consent_missing"),
    "active": (lambda c, p: ("participant", (given(c, p),)), "pass", "consented"),
    "active for this platform": (
        lambda c, p: ("staff", (given(c, p, platforms=(p,)),)), "pass", "consented"),
    "expired": (
        lambda c, p: ("visitor", (given(c, p, expires_at=TODAY - timedelta(days=1)),)),
        "fail", "consent_missing"),
    "ending today": (
        lambda c, p: ("visitor", (given(c, p, expires_at=TODAY),)), "pass", "consented"),
    "not yet granted": (
        lambda c, p: ("visitor", (given(c, p, granted_at=TODAY + timedelta(days=1)),)),
        "fail", "consent_missing"),
    "withdrawn": (
        lambda c, p: ("participant",
                      (given(c, p, withdrawn_at=datetime.combine(TODAY, datetime.min.time(),
                                                                 UTC)),)),
        "fail", "consent_withdrawn"),
    "wrong scope": (
        lambda c, p: ("participant", (given(c, p, channels=(OTHER_CHANNEL[c],)),)),
        "fail", "consent_missing"),
    "wrong platform": (
        lambda c, p: ("participant", (given(c, p, platforms=(other_platform(p),)),)),
        "fail", "consent_missing"),
    "minor without guardian": (lambda c, p: ("minor", (given(c, p),)), "fail", "consent_missing"),
    "minor with guardian": (
        lambda c, p: ("minor", (given(c, p, guardian="Hodan Yusuf (mother)"),)),
        "pass", "consented"),
    "one withdrawn, another active": (
        lambda c, p: ("participant", (given(c, p, id=30, withdrawn_at=datetime(2026, 3, 1,
                                                                               tzinfo=UTC)),
                                      given(c, p))),
        "pass", "consented"),
}  # fmt: skip


def depicting(*people: PersonFacts) -> PeopleFacts:
    return PeopleFacts("depicted", proposed=False, people=people)


def people_finding(report: audit.Report) -> audit.Finding:
    [finding] = [f for f in report.findings if f.check == "people_consent"]
    return finding


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize(("channel", "platform"), SCOPES)
def test_the_gate_matrix_channel_by_platform_by_consent_state(
    channel: str, platform: str, state: str
) -> None:
    build, status, code = STATES[state]
    role, consents = build(channel, platform)
    person = PersonFacts(7, role, consents)
    report = audit.audit(subject(channel=channel, platform=platform, people=depicting(person)))
    finding = people_finding(report)
    assert (finding.status, finding.code) == (status, code), finding.reason
    # Every other check passes: the people decide the outcome alone.
    assert report.outcome == status
    if status == "fail":
        # The reason names the person by number and role, and says what is missing.
        assert f"person #7 ({role})" in finding.reason
        assert f"covers {channel} on {platform}" in finding.reason


def test_the_reasons_say_why_each_consent_does_not_cover_the_use() -> None:
    def reason(**changes: Any) -> str:
        person = PersonFacts(7, changes.pop("role", "participant"),
                             (given("social", "x", **changes),))  # fmt: skip
        return people_finding(audit.audit(subject(people=depicting(person)))).reason

    assert "consent #31 expired on 2026-03-22" in reason(expires_at=date(2026, 3, 22))
    withdrawn = datetime(2026, 3, 20, 9, 30, tzinfo=UTC)
    assert "consent #31 was withdrawn on 2026-03-20" in reason(withdrawn_at=withdrawn)
    assert "does not cover the social channel" in reason(channels=("web",))
    assert "does not cover x" in reason(platforms=("instagram",))
    assert "is for a minor and records no guardian" in reason(role="minor")
    nothing = people_finding(audit.audit(subject(people=depicting(PersonFacts(7, "staff", ())))))
    assert "there is no consent on record" in nothing.reason


@pytest.mark.parametrize(
    ("channel", "blocks", "status"),
    [("social", True, "fail"), ("web", False, "warn"), ("social", False, "warn"),
     ("web", True, "fail")],
)  # fmt: skip
def test_an_unknown_status_fails_where_the_policy_blocks_it_and_warns_elsewhere(
    channel: str, blocks: bool, status: str
) -> None:
    unknown = PeopleFacts("unknown", proposed=False)
    report = audit.audit(subject(channel=channel, people=unknown, people_unknown_blocks=blocks))
    finding = people_finding(report)
    assert (finding.status, finding.code) == (status, "people_unknown")
    assert report.outcome == status


def test_a_subject_not_told_who_it_shows_or_the_policy_fails_as_unknown() -> None:
    bare = dataclasses.replace(subject(), people=UNKNOWN)  # people_unknown_blocks left as is
    assert (people_finding(audit.audit(bare)).status, bare.people_unknown_blocks) == (
        "fail", True)  # fmt: skip


@pytest.mark.parametrize(("channel", "platform"), SCOPES)
def test_no_recognisable_people_passes_everywhere(channel: str, platform: str) -> None:
    said = PeopleFacts("none", proposed=False)
    finding = people_finding(audit.audit(subject(channel=channel, platform=platform, people=said)))
    assert (finding.status, finding.code) == ("pass", "no_people")
    proposed = PeopleFacts("none", proposed=True)
    finding = people_finding(audit.audit(subject(people=proposed)))
    assert finding.status == "pass" and "embedded release status" in finding.reason


def test_people_depicted_but_none_in_the_register_fail() -> None:
    finding = people_finding(audit.audit(subject(people=depicting())))
    assert (finding.status, finding.code) == ("fail", "people_unnamed")


def test_one_uncovered_person_fails_the_photograph_and_only_they_are_named() -> None:
    covered = PersonFacts(3, "staff", (given("social", "x"),))
    uncovered = PersonFacts(4, "visitor", (given("social", "x", channels=("web",)),))
    finding = people_finding(audit.audit(subject(people=depicting(covered, uncovered))))
    assert finding.status == "fail"
    assert "person #4 (visitor)" in finding.reason and "person #3" not in finding.reason


def test_a_consent_for_other_purposes_does_not_cover_a_campaign() -> None:
    press_only = PersonFacts(7, "participant", (given("social", "x", purposes=("press",)),))
    people = depicting(press_only)
    unasked = people_finding(audit.audit(subject(people=people)))
    assert unasked.status == "pass"
    campaign = people_finding(audit.audit(subject(people=people, purpose="campaign")))
    assert campaign.status == "fail" and "purpose campaign" in campaign.reason


# --- in the campaign audit -------------------------------------------------------------------


def _post(people: PeopleFacts, post_date: date | None = None) -> checks.PostOnPlatform:
    caption = checks.PostCaptionFacts("", "manual", 0, 280, True, ())
    medium = checks.Medium(
        position=0, asset_id=12, live=True, preset_name="x", preset=DEFAULT_PRESETS["x"],
        source_size=(2400, 1800), focal=(0.5, 0.5), alt_text="A basket.", alt_from_post=False,
        subject=subject(people=people, purpose="campaign"),
    )  # fmt: skip
    return checks.PostOnPlatform(5, "x", caption, (medium,), post_date=post_date)


def test_the_campaign_grid_puts_the_people_in_a_group_of_their_own_fixed_on_the_asset() -> None:
    person = PersonFacts(7, "participant", (given("social", "x", purposes=("press",)),))
    results = checks.check_post(_post(depicting(person)))
    [found] = [r for r in results if r.check == "people_consent"]
    assert (found.group, found.status, found.position) == ("people", "fail", 0)
    assert found.fix == checks.Fix("asset_people", asset_id=12, field="people")
    assert checks.cells(results)[(5, "x", "people")] == "fail"
    covered = PersonFacts(7, "participant", (given("social", "x", purposes=("campaign",)),))
    [passing] = [r for r in checks.check_post(_post(depicting(covered)))
                 if r.check == "people_consent"]  # fmt: skip
    assert passing.status == "pass" and passing.fix is None


def test_a_consent_must_still_hold_on_the_day_the_post_goes_out() -> None:
    ending = PersonFacts(7, "visitor", (given("social", "x", expires_at=TODAY + timedelta(3)),))
    today = [r for r in checks.check_post(_post(depicting(ending), TODAY))
             if r.check == "people_consent"]  # fmt: skip
    assert today[0].status == "pass"
    later = TODAY + timedelta(days=5)
    [then] = [r for r in checks.check_post(_post(depicting(ending), later))
              if r.check == "people_consent"]  # fmt: skip
    assert then.status == "fail"
    assert then.reason.startswith(f"On {later.isoformat()}, when the post goes out:")
