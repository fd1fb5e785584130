"""The publish gate: a captioned variant is handed out only when its audit passes.

The cheap checks run first, so that an asset blocked by its rights is refused without
rendering; then the variant is rendered (or found) and the image checks run on what was
actually written. A rights manager may override a failing audit with a reason, which is
kept in the asset's history.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from service.media.render import RightsStamp, burns_in
from service.rules import audit, captions
from service.rules.presets import Preset
from service.rules.problems import Forbidden, InvalidInput, Problem
from service.rules.roles import Caller
from service.rules.text import direction_control_problem
from service.services import auditing as audits
from service.services import captioning, variants
from service.services.context import Services
from service.services.history import record_changes
from service.storage.db import utcnow
from service.storage.models import Asset, Variant

MAX_REASON_LENGTH = 1_000


class PublishRefused(Problem):
    """The audit failed: no URL is handed out. ``checks`` lists the failing findings."""

    status, code, title = 409, "audit-failed", "The audit does not allow publishing"


@dataclass(frozen=True)
class Publication:
    """Everything a publisher needs to post: the variant, its caption and the audit."""

    asset: Asset
    variant: Variant
    stamp: RightsStamp  # the rights written into the variant
    caption: captioning.AssetCaption
    report: audit.Report  # for the channel that decided, when the preset has several
    overridden: bool
    channels: tuple[str, ...]  # the channels audited


def signed_url(
    services: Services, publication: Publication, *, now: datetime | None = None
) -> tuple[str, datetime]:
    """The published variant's signed URL and when it stops working.

    A URL lasts VITRINE_SIGNED_URL_SECONDS. An S3 presigned URL cannot be revoked, so a URL
    never outlives the rights' end date (unless a rights manager overrode the audit, which
    the history keeps).
    """
    now = now or utcnow()
    until = now + timedelta(seconds=services.signed_url_seconds)
    record = publication.asset.rights
    ends = audit.passes_dates_until({"expires_at": record.expires_at if record else None})
    if ends is not None and not publication.overridden:
        until = min(until, ends)
    lifetime = max(1, int((until - now).total_seconds()))
    return variants.signed_url(services.store, publication.variant, lifetime), now + timedelta(
        seconds=lifetime
    )


def platform_for(preset: Preset, asked: str | None = None) -> str:
    """The caption platform a preset's variant is captioned and checked for.

    A platform's preset decides (``instagram-portrait`` -> ``instagram``): a caller may not
    swap in another platform's looser limits. Other presets (``web-large``) take the platform
    asked for, else ``default``.
    """
    prefix = preset.name.split("-", 1)[0]
    own = prefix if prefix in captions.PLATFORMS else "default"
    if asked is None or asked == own:
        return own
    if own != "default":
        why = f"the preset {preset.name!r} is for {own}; it cannot be captioned as {asked}"
        raise InvalidInput({"platform": why})
    return asked


def channels_for(preset: Preset, asked: str | None = None) -> tuple[str, ...]:
    """The channels the gate audits a preset's variant for: every one the preset is for, or
    the one asked for among them. A caller may narrow, never widen (422 names the channels)."""
    if asked is None or asked == "":
        return preset.channels
    if asked not in preset.channels:
        listed = ", ".join(preset.channels)
        why = f"the preset {preset.name!r} is for {listed}; pick one of those, not {asked!r}"
        raise InvalidInput({"channel": why})
    return (asked,)


def publish(
    session: Session,
    services: Services,
    asset: Asset,
    preset: Preset,
    *,
    caller: Caller,
    platform: str | None = None,
    channel: str | None = None,
    override_reason: str | None = None,
    today: date | None = None,
) -> Publication:
    """Audit, render and audit the output; refuse with 409 unless it passes or is overridden.

    ``platform`` and ``channel`` are what the caller asked for (None: the preset's own); the
    preset bounds both. With several channels, the audit must pass for each. The audit is of
    ``today`` (UTC), unless another day is given.
    """
    today = today or utcnow().date()
    platform = platform_for(preset, platform)
    channels = channels_for(preset, channel)
    for each in channels:
        audits.check_scope(platform, each)
    _check_override(caller, override_reason)
    caption = captioning.caption_for(session, asset, platform)
    subjects = [
        audits.audit_input(
            session, asset, platform=platform, channel=each, today=today, captioned=caption
        )
        for each in channels
    ]
    report = _worst([audit.audit(subject) for subject in subjects])
    if report.outcome == "fail" and override_reason is None:
        raise _refusal(report)
    variant = variants.get_or_render(session, services.store, asset, preset, services.rendering)
    stamp = variants.stamp_for(session, asset)
    facts = audit.VariantFacts(
        preset=preset.name,
        upscale=variant.upscale,
        burn_in_required=burns_in(stamp, preset),
        burned_in=variant.burned_in,
        private_tags=list(variant.output_facts.get("private_tags", [])),
        embedded_credit=variant.output_facts.get("copyright_notice"),
        byte_size=variant.byte_size,
        max_bytes=preset.max_bytes,
    )
    report = _worst([audit.audit(dataclasses.replace(s, variant=facts)) for s in subjects])
    overridden = report.outcome == "fail"
    if overridden and override_reason is None:
        raise _refusal(report)
    if overridden:
        assert override_reason is not None  # refused just above otherwise
        override = {
            "reason": override_reason.strip(),
            "platform": platform,
            "channel": report.channel,
            "channels": list(channels),
            "failing_checks": [f.check for f in report.findings if f.status == "fail"],
        }
        field = f"publish.override.{preset.name}"
        record_changes(session, asset.id, caller.actor, {}, {field: override})
    return Publication(asset, variant, stamp, caption, report, overridden, channels)


def _check_override(caller: Caller, override_reason: str | None) -> None:
    if override_reason is None:
        return
    if not caller.can("rights"):
        raise Forbidden("Only the rights role may override a failing audit.")
    if problem := direction_control_problem(override_reason):
        raise InvalidInput({"reason": problem})
    if not override_reason.strip():
        raise InvalidInput({"reason": "an override needs a reason, kept in the history"})
    if len(override_reason) > MAX_REASON_LENGTH:
        raise InvalidInput({"reason": f"must be at most {MAX_REASON_LENGTH} characters"})


_SEVERITY = {"pass": 0, "warn": 1, "fail": 2}


def _worst(reports: list[audit.Report]) -> audit.Report:
    """The report that decides: the first failing one, else the first warning, else the first."""
    return max(reports, key=lambda report: _SEVERITY[report.outcome])


def _refusal(report: audit.Report) -> PublishRefused:
    failing = [dataclasses.asdict(f) for f in report.findings if f.status == "fail"]
    reasons = "; ".join(f"{f['check']}: {f['reason']}" for f in failing)
    return PublishRefused(f"The audit failed: {reasons}", checks=failing)
