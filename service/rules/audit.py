"""The audit: named checks that say whether an asset may be published, and why not.

Each check is a pure function from an ``AuditInput`` to a ``Finding``; adding a check is
adding one function to ``CHECKS`` (or to ``IMAGE_CHECKS``, which also see the rendered
variant and run once there is one).
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from service.rules import captions, consent, credits, licences

Status = Literal["pass", "warn", "fail"]
# A licence this close to its end still passes, with a warning to renew.
EXPIRY_WARNING = timedelta(days=14)


@dataclass(frozen=True)
class VariantFacts:
    """What a rendered variant turned out to be, read back from its bytes."""

    preset: str
    upscale: float  # how far the source had to be enlarged; above 1 means too small
    burn_in_required: bool
    burned_in: bool
    private_tags: list[str]  # GPS, maker-note and serial-number tags found in the output
    embedded_credit: str | None
    byte_size: int
    max_bytes: int | None


@dataclass(frozen=True)
class AuditInput:
    """Everything the checks look at for one asset, platform and channel."""

    asset_id: int
    title: str
    platform: str
    channel: str
    today: date
    rights: Mapping[str, Any]  # rights.record_values(...) plus "proposed"
    rule: credits.CreditRule | None
    caption: captions.Caption | None
    alt_text: str
    filename: str
    embedded_copyright: str | None
    variant: VariantFacts | None = None  # given once a variant is rendered
    # Who the photograph shows, as far as the register knows (unknown until someone says).
    people: consent.PeopleFacts = consent.UNKNOWN
    # Whether an unknown people status fails on this channel (VITRINE_PEOPLE_UNKNOWN_BLOCKS);
    # fails unless told otherwise, as a gate should.
    people_unknown_blocks: bool = True
    # What the image is for ("campaign", "press", "web"), where a consent may be narrower.
    purpose: str | None = None


@dataclass(frozen=True)
class Finding:
    """One check's verdict on one asset: pass, warn or fail, with a code and a reason for people."""

    check: str
    status: Status
    code: str
    reason: str


@dataclass(frozen=True)
class Report:
    """The audit of one asset for one platform and channel: every check's finding."""

    asset_id: int
    title: str
    platform: str
    channel: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def outcome(self) -> Status:
        """The worst finding: fail if any check failed, else warn if any warned, else pass."""
        statuses = {finding.status for finding in self.findings}
        return "fail" if "fail" in statuses else "warn" if "warn" in statuses else "pass"


def required_credit(subject: AuditInput) -> str:
    """The policy's wording for the holder, else the record's own credit line."""
    return credits.required_credit_line(subject.rule, str(subject.rights.get("credit_line") or ""))


# --- the checks --------------------------------------------------------------------------


def rights_status_cleared(subject: AuditInput) -> Finding:
    """The audit check: the rights desk has cleared the asset (proposed rights do not count)."""
    status = subject.rights.get("status", "unknown")
    name = "rights_status_cleared"
    if status == "cleared":
        return Finding(name, "pass", "cleared", "The rights desk has cleared this asset.")
    if status == "restricted":
        return Finding(name, "fail", "restricted", "The rights desk has restricted this asset.")
    if subject.rights.get("proposed"):
        reason = (
            "Rights are only proposed from the file's embedded metadata; nobody has cleared them."
        )
        return Finding(name, "fail", "proposed", reason)
    return Finding(name, "fail", f"status_{status}", f"Rights status is {status}, not cleared.")


def licence_allows_channel(subject: AuditInput) -> Finding:
    """The audit check: a licence is recorded and the rights record allows this channel."""
    name = "licence_allows_channel"
    licence = licences.lookup_licence(str(subject.rights.get("licence_uri") or ""))
    if licence is None:
        return Finding(name, "fail", "no_licence", "No licence is recorded.")
    allowed = subject.rights.get("channels") or []
    if subject.channel not in allowed:
        listed = ", ".join(allowed) or "none"
        reason = f"The {subject.channel} channel is not among the allowed channels ({listed})."
        return Finding(name, "fail", "channel_not_allowed", reason)
    if subject.channel == "social" and not licence.allows_social:
        reason = (
            f"{licence.short_name} does not itself permit social use; this relies on the "
            "permission the rights desk recorded in the allowed channels."
        )
        return Finding(name, "warn", "permission_outside_licence", reason)
    reason = f"{licence.short_name} and the rights record allow {subject.channel} use."
    return Finding(name, "pass", "allowed", reason)


def passes_dates_until(rights: Mapping[str, Any]) -> datetime | None:
    """The first moment (UTC) at which the rights' dates make ``not_expired`` fail, or None.

    The licence is good through its end date; a signed URL handed out must not outlive it.
    """
    ends = _date(rights.get("expires_at"))
    return None if ends is None else datetime.combine(ends + timedelta(days=1), time(), UTC)


def not_embargoed(subject: AuditInput) -> Finding:
    """The audit check: no embargo is in force today."""
    until = _date(subject.rights.get("embargo_until"))
    if until and subject.today < until:
        reason = f"Embargoed until {until.isoformat()}."
        return Finding("not_embargoed", "fail", "embargoed", reason)
    return Finding("not_embargoed", "pass", "not_embargoed", "No embargo is in force.")


def not_expired(subject: AuditInput) -> Finding:
    """The audit check: the licence has not ended (a warning when it ends within two weeks)."""
    ends = _date(subject.rights.get("expires_at"))
    name = "not_expired"
    if ends is None:
        return Finding(name, "pass", "no_expiry", "The licence has no end date.")
    if subject.today > ends:
        return Finding(name, "fail", "expired", f"The licence expired on {ends.isoformat()}.")
    if ends - subject.today <= EXPIRY_WARNING:
        days = (ends - subject.today).days
        reason = f"The licence expires on {ends.isoformat()}, in {days} day(s): renew it."
        return Finding(name, "warn", "expires_soon", reason)
    return Finding(name, "pass", "current", f"The licence runs until {ends.isoformat()}.")


def credit_line_in_caption(subject: AuditInput) -> Finding:
    """The audit check: the caption names the holder's required credit line."""
    name = "credit_line_in_caption"
    required = required_credit(subject)
    if not required:
        return Finding(name, "fail", "no_credit_line", "No credit line is known for this asset.")
    if subject.caption is None or not subject.caption.text:
        reason = f'There is no caption for {subject.platform}; it must carry "{required}".'
        return Finding(name, "fail", "no_caption", reason)
    match = credits.match_credit(required, subject.caption.text)
    status: Status = "pass" if match.outcome == "exact" else "fail"
    return Finding(name, status, match.outcome, match.reason)


def credit_line_in_embedded_metadata(subject: AuditInput) -> Finding:
    """The audit check: the original's embedded copyright notice agrees with the credit line."""
    name = "credit_line_in_embedded_metadata"
    required = required_credit(subject)
    if not required:
        return Finding(name, "warn", "no_credit_line", "No credit line is known to compare with.")
    match = _match_embedded(required, subject.embedded_copyright)
    if match.outcome == "conflicting":
        return Finding(name, "warn", "conflicting", match.reason)
    if match.outcome == "missing":
        reason = "The original carries no copyright notice; variants will have it written in."
        return Finding(name, "warn", "missing", reason)
    return Finding(name, "pass", match.outcome, match.reason)


# A catalogue's embedded notices and required credits repeat (one museum, one wording): a
# large audit judges each pair once. ``match_credit`` is pure and its answer immutable.
_match_embedded = functools.lru_cache(maxsize=1024)(credits.match_credit)


def alt_text_present(subject: AuditInput) -> Finding:
    """The audit check: alt text is written (a warning when it looks weak for the platform)."""
    name = "alt_text_present"
    if not subject.alt_text.strip():
        return Finding(name, "fail", "missing", "Alt text is required for publishing.")
    warnings = captions.alt_text_warnings(
        subject.alt_text, filename=subject.filename, platform=subject.platform
    )
    if warnings:
        return Finding(name, "warn", "weak", " ".join(warnings))
    return Finding(name, "pass", "present", "Alt text is present.")


def caption_within_limit(subject: AuditInput) -> Finding:
    """The audit check: the caption fits the platform's length limit, counted as it counts."""
    name = "caption_within_limit"
    caption = subject.caption
    if caption is None:
        return Finding(name, "fail", "no_caption", f"There is no caption for {subject.platform}.")
    if caption.fits:
        reason = f"{caption.length} of {caption.limit} as {subject.platform} counts."
        return Finding(name, "pass", "fits", reason)
    reason = " ".join(caption.problems) or f"{caption.length} is over the limit of {caption.limit}."
    return Finding(name, "fail", "too_long", reason)


def holder_known_to_policy(subject: AuditInput) -> Finding:
    """The audit check: a holder is recorded and the credit policy has its wording."""
    name = "holder_known_to_policy"
    holder = str(subject.rights.get("holder") or "")
    if not holder:
        return Finding(name, "fail", "no_holder", "No rights holder is recorded.")
    if subject.rule is None:
        reason = f'"{holder}" is not in the credit policy; the record\'s own credit line is used.'
        return Finding(name, "warn", "unknown_holder", reason)
    return Finding(name, "pass", "known", f'The policy requires "{subject.rule.credit_line}".')


def people_consent(subject: AuditInput) -> Finding:
    """The audit check: everyone the photograph shows consents to this channel, platform and
    purpose today (``rules/consent.verdict``); "no recognisable people" passes, and an
    unknown status fails where the policy says so, else warns. Its reasons name people by
    number and role, never by name: they reach those who may not see the register."""
    status, code, reason = consent.verdict(
        subject.people,
        channel=subject.channel,
        platform=subject.platform,
        on=subject.today,
        unknown_blocks=subject.people_unknown_blocks,
        purpose=subject.purpose,
    )
    checked: Status = "fail" if status == "fail" else "warn" if status == "warn" else "pass"
    return Finding("people_consent", checked, code, reason)


# --- checks on a rendered variant ----------------------------------------------------------


def credit_line_in_pixels(subject: AuditInput, variant: VariantFacts) -> Finding:
    """The image check: the credit is burned in when the policy or the preset asks for it."""
    name = "credit_line_in_pixels"
    if not variant.burn_in_required:
        reason = "Neither the policy nor the preset asks for a burned-in credit."
        return Finding(name, "pass", "not_required", reason)
    if variant.burned_in:
        return Finding(name, "pass", "burned_in", "The credit line is burned into the image.")
    return Finding(name, "fail", "missing", "The credit line must be burned into the image.")


def no_private_metadata_in_output(subject: AuditInput, variant: VariantFacts) -> Finding:
    """The image check: the variant carries no GPS position, maker notes or serial numbers."""
    name = "no_private_metadata_in_output"
    if variant.private_tags:
        reason = "The variant still carries private metadata: " + ", ".join(variant.private_tags)
        return Finding(name, "fail", "private_metadata", reason + ".")
    reason = "No GPS position, maker notes or serial numbers in the variant."
    return Finding(name, "pass", "clean", reason)


def credit_line_in_output_metadata(subject: AuditInput, variant: VariantFacts) -> Finding:
    """The image check: the variant's embedded metadata carries the required credit line."""
    name = "credit_line_in_output_metadata"
    required = required_credit(subject)
    if not required:
        return Finding(name, "fail", "no_credit_line", "No credit line is known for this asset.")
    match = credits.match_credit(required, variant.embedded_credit)
    status: Status = "pass" if match.outcome == "exact" else "fail"
    return Finding(name, status, match.outcome, match.reason)


def source_resolution_enough(subject: AuditInput, variant: VariantFacts) -> Finding:
    """The image check: the original was large enough for the preset (a warning if enlarged)."""
    name = "source_resolution_enough"
    if variant.upscale <= 1:
        reason = f"The original is large enough for {variant.preset}."
        return Finding(name, "pass", "enough", reason)
    reason = (
        f"The original had to be enlarged {variant.upscale:.2f}x for {variant.preset}; "
        "a larger original would look sharper."
    )
    return Finding(name, "warn", "upscaled", reason)


def output_within_byte_budget(subject: AuditInput, variant: VariantFacts) -> Finding:
    """The image check: the variant's size fits the preset's byte budget, if it has one."""
    name = "output_within_byte_budget"
    if variant.max_bytes is None:
        return Finding(name, "pass", "no_budget", f"{variant.byte_size:,} bytes; no budget.")
    if variant.byte_size <= variant.max_bytes:
        reason = f"{variant.byte_size:,} of {variant.max_bytes:,} bytes."
        return Finding(name, "pass", "within", reason)
    reason = f"{variant.byte_size:,} bytes is over the budget of {variant.max_bytes:,}."
    return Finding(name, "fail", "over", reason)


IMAGE_CHECKS: Sequence[Callable[[AuditInput, VariantFacts], Finding]] = (
    credit_line_in_pixels,
    no_private_metadata_in_output,
    credit_line_in_output_metadata,
    source_resolution_enough,
    output_within_byte_budget,
)


CHECKS: Sequence[Callable[[AuditInput], Finding]] = (
    rights_status_cleared,
    licence_allows_channel,
    not_embargoed,
    not_expired,
    credit_line_in_caption,
    credit_line_in_embedded_metadata,
    alt_text_present,
    caption_within_limit,
    holder_known_to_policy,
    people_consent,
)


def audit(subject: AuditInput) -> Report:
    """Run every check on one asset, and the image checks when a variant is given."""
    findings = [check(subject) for check in CHECKS]
    if subject.variant is not None:
        findings += [check(subject, subject.variant) for check in IMAGE_CHECKS]
    return Report(subject.asset_id, subject.title, subject.platform, subject.channel, findings)


def report_dict(report: Report) -> dict[str, Any]:
    """A report as JSON-ready values, the shape the API and the CLI print."""
    return {
        "asset_id": report.asset_id,
        "title": report.title,
        "platform": report.platform,
        "channel": report.channel,
        "outcome": report.outcome,
        # A finding's fields are plain strings: its __dict__ is what asdict() would make,
        # without the deep copy that made asdict a third of a large audit's JSON time.
        "checks": [dict(vars(finding)) for finding in report.findings],
    }


def summarise(reports: Iterable[Report]) -> dict[str, int]:
    """How many assets were audited, and how many of them passed, warned and failed."""
    tally = Tally()
    for report in reports:
        tally.add(report)
    return tally.summary()


@dataclass
class Tally:
    """The summary of reports counted as they go by, for a report written as it is made."""

    assets: int = 0
    passed: int = 0
    warned: int = 0
    failed: int = 0

    def add(self, report: Report) -> Report:
        """Count one report; answer it, so that a stream can count as it passes."""
        outcome = report.outcome
        self.assets += 1
        self.passed += outcome == "pass"
        self.warned += outcome == "warn"
        self.failed += outcome == "fail"
        return report

    def summary(self) -> dict[str, int]:
        """``summarise``'s answer for the reports counted so far."""
        return {
            "assets": self.assets,
            "passed": self.passed,
            "warned": self.warned,
            "failed": self.failed,
        }


def json_document(
    reports: Iterable[Report], *, indent: int | None = None, sort_keys: bool = False
) -> Iterator[str]:
    """``{"reports": [...], "summary": {...}}`` in pieces, a report at a time, exactly as
    ``json.dumps`` writes the whole document (indented, or compact without ``indent``).

    The summary counts the reports, so it comes last: JSON objects are unordered, and with
    sorted keys it is last anyway."""

    def dumps(value: Any, depth: int) -> str:
        if indent is None:
            return json.dumps(value, separators=(",", ":"), sort_keys=sort_keys)
        text = json.dumps(value, indent=indent, sort_keys=sort_keys)
        return text.replace("\n", "\n" + " " * (indent * depth))

    def line(depth: int) -> str:
        return "" if indent is None else "\n" + " " * (indent * depth)

    colon = ":" if indent is None else ": "
    tally = Tally()
    before = "{" + line(1) + '"reports"' + colon + "["
    for report in reports:
        yield before + line(2) + dumps(report_dict(tally.add(report)), 2)
        before = ","
    yield before + "]" if tally.assets == 0 else line(1) + "]"
    yield "," + line(1) + '"summary"' + colon + dumps(tally.summary(), 1) + line(0) + "}"


CSV_COLUMNS = ("asset_id", "title", "platform", "channel", "outcome", "check", "status", "code",
               "reason")  # fmt: skip


def to_csv(reports: Iterable[Report]) -> str:
    """One row per check per asset, so a spreadsheet can filter by check or by outcome."""
    return "".join(csv_document(reports))


def csv_document(reports: Iterable[Report]) -> Iterator[str]:
    """``to_csv`` in pieces: the header, then each report's rows as the report comes."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield _taken(out)
    for report in reports:
        for finding in report.findings:
            writer.writerow(
                (report.asset_id, csv_safe(report.title), report.platform, report.channel,
                 report.outcome, finding.check, finding.status, finding.code,
                 csv_safe(finding.reason))
            )  # fmt: skip
        yield _taken(out)


def _taken(out: io.StringIO) -> str:
    """What was written to ``out``, which is emptied."""
    text = out.getvalue()
    out.seek(0)
    out.truncate()
    return text


def csv_safe(text: str) -> str:
    """Defuse spreadsheet formula injection from user text (a title starting with '=')."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    return date.fromisoformat(value) if value else None
