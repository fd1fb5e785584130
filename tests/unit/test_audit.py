"""Each audit check as a table of situations and verdicts: values in, findings out."""

from __future__ import annotations

import csv
import dataclasses
import io
from typing import Any

import pytest

from service.rules import audit
from service.rules.credits import CreditRule
from tests.support.rights import BM, RULE, subject


def finding(check: str, **changes: Any) -> audit.Finding:
    [result] = [f for f in audit.audit(subject(**changes)).findings if f.check == check]
    return result


def test_a_cleared_well_described_asset_passes_every_check() -> None:
    report = audit.audit(subject())
    assert [(f.check, f.status) for f in report.findings if f.status != "pass"] == []
    assert report.outcome == "pass"


@pytest.mark.parametrize(
    ("rights", "status", "code"),
    [
        ({"status": "cleared"}, "pass", "cleared"),
        ({"status": "pending"}, "fail", "status_pending"),
        ({"status": "unknown"}, "fail", "status_unknown"),
        ({"status": "unknown", "proposed": True}, "fail", "proposed"),
        ({"status": "restricted"}, "fail", "restricted"),
    ],
)
def test_rights_status_must_be_cleared(rights: dict[str, Any], status: str, code: str) -> None:
    result = finding("rights_status_cleared", rights=rights)
    assert (result.status, result.code) == (status, code)


@pytest.mark.parametrize(
    ("rights", "channel", "status", "code"),
    [
        ({}, "social", "pass", "allowed"),
        ({"licence_uri": None}, "social", "fail", "no_licence"),
        ({"channels": ["web"]}, "social", "fail", "channel_not_allowed"),
        ({"channels": []}, "web", "fail", "channel_not_allowed"),
        ({"licence_uri": "vitrine:all-rights-reserved"}, "social", "warn", "permission_outside_licence"),
        ({"licence_uri": "http://rightsstatements.org/vocab/InC/1.0/"}, "social", "warn",
         "permission_outside_licence"),
        ({"licence_uri": "vitrine:all-rights-reserved", "channels": ["web"]}, "web", "pass", "allowed"),
        ({"licence_uri": "http://creativecommons.org/publicdomain/zero/1.0/"}, "social", "pass", "allowed"),
    ],
)  # fmt: skip
def test_the_licence_and_the_record_must_allow_the_channel(
    rights: dict[str, Any], channel: str, status: str, code: str
) -> None:
    result = finding("licence_allows_channel", rights=rights, channel=channel)
    assert (result.status, result.code) == (status, code)


@pytest.mark.parametrize(
    ("embargo_until", "status"),
    [(None, "pass"), ("2026-03-24", "fail"), ("2026-03-23", "pass"), ("2026-01-01", "pass")],
)
def test_an_embargo_blocks_until_the_day_it_lifts(embargo_until: str | None, status: str) -> None:
    result = finding("not_embargoed", rights={"embargo_until": embargo_until})
    assert result.status == status
    if status == "fail":
        assert "2026-03-24" in result.reason


@pytest.mark.parametrize(
    ("expires_at", "status", "code"),
    [
        (None, "pass", "no_expiry"),
        ("2026-03-22", "fail", "expired"),
        ("2026-03-23", "warn", "expires_soon"),
        ("2026-04-06", "warn", "expires_soon"),
        ("2026-04-07", "pass", "current"),
    ],
)
def test_an_expired_licence_fails_and_one_about_to_expire_warns(
    expires_at: str | None, status: str, code: str
) -> None:
    result = finding("not_expired", rights={"expires_at": expires_at})
    assert (result.status, result.code) == (status, code)


@pytest.mark.parametrize(
    ("caption_text", "status", "code"),
    [
        (f"A basket.\n\n{BM}\n\n#MuseumWeek", "pass", "exact"),
        ("A basket.\n\n(c) The Trustees of the British Museum", "fail", "equivalent"),
        ("A basket.\n\n© CSMVS Mumbai", "fail", "conflicting"),
        ("A basket. #MuseumWeek", "fail", "missing"),
        (None, "fail", "no_caption"),
    ],
)
def test_the_caption_must_carry_the_policy_wording_exactly(
    caption_text: str | None, status: str, code: str
) -> None:
    result = finding("credit_line_in_caption", caption_text=caption_text)
    assert (result.status, result.code) == (status, code)


def test_without_a_policy_rule_the_records_own_credit_line_is_required() -> None:
    result = finding(
        "credit_line_in_caption",
        rule=None,
        rights={"holder": "Leicester Museums", "credit_line": "© Leicester Museums"},
        caption_text="Roman mosaic\n\n© Leicester Museums",
    )
    assert result.status == "pass"
    none_known = finding("credit_line_in_caption", rule=None, rights={"credit_line": ""})
    assert (none_known.status, none_known.code) == ("fail", "no_credit_line")


@pytest.mark.parametrize(
    ("embedded", "status", "code"),
    [
        (BM, "pass", "exact"),
        ("Copyright The Trustees of the British Museum", "pass", "equivalent"),
        ("© Jane Photographer", "warn", "conflicting"),
        (None, "warn", "missing"),
    ],
)
def test_embedded_copyright_naming_another_holder_warns(
    embedded: str | None, status: str, code: str
) -> None:
    result = finding("credit_line_in_embedded_metadata", embedded_copyright=embedded)
    assert (result.status, result.code) == (status, code)


@pytest.mark.parametrize(
    ("alt_text", "status"),
    [
        ("A woven basket with a conical lid.", "pass"),
        ("", "fail"),
        ("   ", "fail"),
        ("Image of a basket", "warn"),
        ("basket.jpg", "warn"),
        ("x" * 1001, "warn"),
    ],
)
def test_alt_text_is_required_and_weak_alt_text_warns(alt_text: str, status: str) -> None:
    assert finding("alt_text_present", alt_text=alt_text).status == status


def test_a_caption_over_the_platform_limit_fails_as_the_platform_counts() -> None:
    # 141 CJK characters weigh 282 on X: over 280, though only 141 characters long.
    long_cjk = "籠" * 141 + f"\n{BM}"
    assert finding("caption_within_limit", caption_text=long_cjk).status == "fail"
    assert (
        finding("caption_within_limit", caption_text=long_cjk, platform="instagram").status
        == "pass"
    )
    assert finding("caption_within_limit", caption_text=None).code == "no_caption"


@pytest.mark.parametrize(
    ("holder", "rule", "status"),
    [("Trustees of the British Museum", RULE, "pass"), ("Leicester Museums", None, "warn"),
     ("", None, "fail")],
)  # fmt: skip
def test_the_holder_should_be_known_to_the_credit_policy(
    holder: str, rule: CreditRule | None, status: str
) -> None:
    assert finding("holder_known_to_policy", rights={"holder": holder}, rule=rule).status == status


def test_the_outcome_is_the_worst_finding_and_the_summary_counts_outcomes() -> None:
    passed = audit.audit(subject())
    warned = audit.audit(subject(embedded_copyright=None))
    failed = audit.audit(subject(rights={"status": "pending"}, embedded_copyright=None))
    assert (passed.outcome, warned.outcome, failed.outcome) == ("pass", "warn", "fail")
    assert audit.summarise([passed, warned, failed, failed]) == {
        "assets": 4, "passed": 1, "warned": 1, "failed": 2,
    }  # fmt: skip


def test_csv_has_a_row_per_check_and_defuses_formulas() -> None:
    report = audit.audit(subject(title="=cmd|' /C calc'!A0"))
    rows = list(csv.DictReader(io.StringIO(audit.to_csv([report]))))
    assert len(rows) == len(audit.CHECKS)
    assert [row["check"] for row in rows] == [check.__name__ for check in audit.CHECKS]
    assert rows[0]["title"].startswith("'=")


def facts(**changes: Any) -> audit.VariantFacts:
    base = audit.VariantFacts(
        preset="x", upscale=1.0, burn_in_required=False, burned_in=False, private_tags=[],
        embedded_credit=BM, byte_size=400_000, max_bytes=5_000_000,
    )  # fmt: skip
    return dataclasses.replace(base, **changes)


def image_finding(check: str, **changes: Any) -> audit.Finding:
    report = audit.audit(subject(variant=facts(**changes)))
    [result] = [f for f in report.findings if f.check == check]
    return result


def test_image_checks_run_only_once_a_variant_exists() -> None:
    without = {f.check for f in audit.audit(subject()).findings}
    with_variant = {f.check for f in audit.audit(subject(variant=facts())).findings}
    assert with_variant - without == {c.__name__ for c in audit.IMAGE_CHECKS}
    assert audit.audit(subject(variant=facts())).outcome == "pass"


@pytest.mark.parametrize(
    ("required", "burned", "status"),
    [(False, False, "pass"), (True, True, "pass"), (True, False, "fail"), (False, True, "pass")],
)
def test_the_credit_must_be_in_the_pixels_when_required(
    required: bool, burned: bool, status: str
) -> None:
    result = image_finding("credit_line_in_pixels", burn_in_required=required, burned_in=burned)
    assert result.status == status


@pytest.mark.parametrize(
    ("private", "status"),
    [
        ([], "pass"),
        (["GPS GPSLatitude"], "fail"),
        (["EXIF MakerNote", "EXIF BodySerialNumber"], "fail"),
    ],
)
def test_private_metadata_in_the_output_fails(private: list[str], status: str) -> None:
    result = image_finding("no_private_metadata_in_output", private_tags=private)
    assert result.status == status
    for tag in private:
        assert tag in result.reason


@pytest.mark.parametrize(
    ("embedded", "status"),
    [(BM, "pass"), ("(c) Trustees of the British Museum", "fail"), (None, "fail")],
)
def test_the_output_metadata_must_carry_the_exact_credit(embedded: str | None, status: str) -> None:
    assert (
        image_finding("credit_line_in_output_metadata", embedded_credit=embedded).status == status
    )


@pytest.mark.parametrize(
    ("upscale", "status"), [(0.5, "pass"), (1.0, "pass"), (1.01, "warn"), (3, "warn")]
)
def test_upscaling_a_small_source_warns(upscale: float, status: str) -> None:
    assert image_finding("source_resolution_enough", upscale=upscale).status == status


@pytest.mark.parametrize(
    ("size", "budget", "status"),
    [(976_560, 976_560, "pass"), (976_561, 976_560, "fail"), (10**8, None, "pass")],
)
def test_the_output_must_fit_the_byte_budget(size: int, budget: int | None, status: str) -> None:
    result = image_finding("output_within_byte_budget", byte_size=size, max_bytes=budget)
    assert result.status == status
