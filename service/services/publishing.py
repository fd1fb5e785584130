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

from sqlalchemy import Select, String, and_, bindparam, select, true
from sqlalchemy.orm import Session, aliased, defer, joinedload

from service.media.render import RightsStamp, burns_in
from service.rules import audit, captions, consent, credits
from service.rules.presets import Preset
from service.rules.problems import Forbidden, InvalidInput, Problem
from service.rules.roles import Caller
from service.rules.text import direction_control_problem
from service.services import answer_cache, captioning, catalogue, rights, variant_keys, variants
from service.services import auditing as audits
from service.services.asset_queries import get_asset
from service.services.context import Services
from service.services.history import record_changes
from service.services.meters import meter
from service.services.people_facts import people_facts
from service.storage.db import remembered, utcnow
from service.storage.models import (
    Asset,
    Caption,
    CaptionTemplate,
    CreditPolicyVersion,
    PresetChange,
    RightsRecord,
    Variant,
)

MAX_REASON_LENGTH = 1_000


class PublishRefused(Problem):
    """The audit failed: no URL is handed out. ``checks`` lists the failing findings."""

    status, code, title = 409, "audit-failed", "The audit does not allow publishing"


@dataclass(frozen=True)
class Publication:
    """Everything a publisher needs to post: the variant, its caption and the audit."""

    asset: Asset
    preset: Preset
    variant: Variant
    stamp: RightsStamp  # the rights written into the variant
    caption: captioning.AssetCaption
    report: audit.Report  # for the channel that decided, when the preset has several
    overridden: bool
    channels: tuple[str, ...]  # the channels audited


def signed_url(
    services: Services,
    publication: Publication,
    *,
    now: datetime | None = None,
    download_name: str | None = None,
    seconds: int | None = None,
) -> tuple[str, datetime]:
    """The published variant's signed URL and when it stops working.

    A URL lasts VITRINE_SIGNED_URL_SECONDS unless ``seconds`` says otherwise. An S3
    presigned URL cannot be revoked, so a URL never outlives the rights' end date (unless a
    rights manager overrode the audit, which the history keeps).
    """
    now = now or utcnow()
    until = now + timedelta(seconds=seconds or services.signed_url_seconds)
    record = publication.asset.rights
    ends = audit.passes_dates_until({"expires_at": record.expires_at if record else None})
    if ends is not None and not publication.overridden:
        until = min(until, ends)
    lifetime = max(1, int((until - now).total_seconds()))
    url = variants.signed_url(
        services.store, publication.variant, lifetime, download_name=download_name
    )
    return url, now + timedelta(seconds=lifetime)


def platform_for(preset_name: str, asked: str | None = None) -> str:
    """The caption platform the variants of the preset ``preset_name`` are captioned and
    checked for.

    A platform's preset decides (``instagram-portrait`` -> ``instagram``): a caller may not
    swap in another platform's looser limits. Other presets (``web-large``) take the platform
    asked for, else ``default``.
    """
    prefix = preset_name.split("-", 1)[0]
    own = prefix if prefix in captions.PLATFORMS else "default"
    if asked is None or asked == own:
        return own
    if own != "default":
        why = f"the preset {preset_name!r} is for {own}; it cannot be captioned as {asked}"
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


def _gathering() -> Select[
    Asset, Variant, CreditPolicyVersion, Caption, CaptionTemplate, PresetChange
]:
    newest = select(CreditPolicyVersion).order_by(CreditPolicyVersion.version.desc()).limit(1)
    policy = aliased(CreditPolicyVersion, newest.subquery(), name="newest_policy")
    ready = and_(
        Variant.asset_id == Asset.id,
        Variant.preset == bindparam("preset"),
        Variant.kind == variants.VARIANT,
        Variant.status == "ready",
    )
    platform = bindparam("platform", type_=String)
    return (
        select(Asset, Variant, policy, Caption, CaptionTemplate, PresetChange)
        .outerjoin(Variant, ready)
        .outerjoin(policy, true())
        .outerjoin(Caption, and_(Caption.asset_id == Asset.id, Caption.platform == platform))
        .outerjoin(CaptionTemplate, CaptionTemplate.platform == platform)
        .outerjoin(PresetChange, PresetChange.name == bindparam("preset"))
        .where(Asset.id == bindparam("asset_id"))
        .options(
            joinedload(Asset.rights),
            joinedload(Asset.tag_rows),
            # The gate reads the summary of the embedded metadata, never the rest.
            defer(Asset.metadata_raw),
            defer(Asset.metadata_warnings),
        )
        # As the database has them now, as ``variants.get_or_render`` would read them.
        .execution_options(populate_existing=True)
    )


# Built once: a statement made afresh on every request costs more to key and look up in
# SQLAlchemy's compiled cache than to run.
_GATHERING = _gathering()


@dataclass(frozen=True)
class Gathered:
    """What the gate reads of one asset, in one statement (``gather``)."""

    asset: Asset  # with its rights record and tags
    ready: dict[str, Variant]  # its ready variants of the preset, by key
    platform: str  # the platform of the caption and template below
    caption: Caption | None  # the asset's stored caption for the platform
    template: CaptionTemplate | None  # the admin's template for the platform
    preset_change: PresetChange | None  # the admin's change to the preset
    people: consent.PeopleFacts  # who the asset shows, with their consents


def gather(session: Session, asset_id: int, preset_name: str, platform: str) -> Gathered:
    """The live asset ``asset_id`` (NotFound otherwise) and all the gate reads of it, in one
    statement: its rights record and tags, its ready variants of the preset ``preset_name``
    and the admin's change to that preset, its stored caption and the admin's template for
    ``platform``, and the credit policy in force, which the session then remembers. When
    the asset is marked as showing people, a second statement reads them with their
    consents (``people_facts``).

    A publish through the API reads these on every request; one statement instead of one
    each (and no tag or rights lazy load after) whatever the asset holds.
    """
    values = {"asset_id": asset_id, "preset": preset_name, "platform": platform}
    rows = session.execute(_GATHERING, values).unique().all()
    caption, template, change = (rows[0][3], rows[0][4], rows[0][5]) if rows else (None,) * 3
    if rows:
        newest = rows[0][2]
        remembered(session, "credit_policy", lambda: newest or _shipped_policy(session))
    ready = {row[1].key: row[1] for row in rows if row[1] is not None}
    asset = get_asset(session, asset_id)  # deleted: NotFound, by the one rule
    people = people_facts(session, asset)
    return Gathered(asset, ready, platform, caption, template, change, people)


# The shipped file's policy, in force while no version is saved: read once per process (the
# file is part of the release), as ``rights.current_policy`` makes it.
_SHIPPED: dict[str, CreditPolicyVersion] = {}


def _shipped_policy(session: Session) -> CreditPolicyVersion:
    """The shipped policy, for a database that has saved none (a fresh object per session:
    a session may save it, ``rights.replace_policy``)."""
    shipped = _SHIPPED.get("policy")
    if shipped is None:
        shipped = rights.current_policy(session)
        if shipped.id is not None:  # saved meanwhile: the database's, not the file's
            return shipped
        _SHIPPED["policy"] = shipped
    return CreditPolicyVersion(
        version=shipped.version,
        rules=shipped.rules,
        created_by=shipped.created_by,
        created_at=shipped.created_at,
    )


def publish_by_id(
    session: Session,
    services: Services,
    asset_id: int,
    preset_name: str,
    *,
    caller: Caller,
    platform: str | None = None,
    channel: str | None = None,
    override_reason: str | None = None,
    today: date | None = None,
    caption: captioning.AssetCaption | None = None,
    purpose: str | None = None,
) -> Publication:
    """``publish`` the live asset ``asset_id`` with the preset in force named ``preset_name``,
    both read with the rest the gate needs in one statement (``gather``); NotFound when
    there is no such live asset, then when there is no such preset.

    On PostgreSQL, a publication that passed is remembered by the digest of what it was
    computed from (``answer_cache``) and handed out again while nothing of that changed;
    not one audited with a ``caption`` given by the caller, which the digest does not cover.
    """
    today = today or utcnow().date()
    try:
        captioned_for = platform_for(preset_name, platform)
    except InvalidInput:
        captioned_for = ""  # refused by ``publish``, once the asset is known to exist

    def digest() -> str | None:
        return answer_cache.digest(session, asset_id, preset_name, captioned_for, variants.VARIANT)

    # An override is always computed, and so is a caption the caller gives.
    read = digest() if override_reason is None and caption is None else None
    key = (read, asset_id, preset_name, platform, channel, today, purpose)
    remembered: Publication | None = services.answers.get(key) if read is not None else None
    if remembered is not None:
        meter().count_variant_lookup(preset_name, kind=variants.VARIANT, hit=True)
        return remembered
    gathered = gather(session, asset_id, preset_name, captioned_for)
    change = gathered.preset_change
    preset = catalogue.preset_with(session, services.presets, preset_name, change)
    publication = publish(
        session,
        services,
        gathered.asset,
        preset,
        caller=caller,
        platform=platform,
        channel=channel,
        override_reason=override_reason,
        today=today,
        gathered=gathered,
        caption=caption,
        purpose=purpose,
    )
    already_ready = any(publication.variant is each for each in gathered.ready.values())
    # What ``gather`` read is what the digest stands for only if nothing changed between the
    # two statements: read again.
    if read is not None and already_ready and digest() == read:
        services.answers.put(key, publication)
    return publication


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
    gathered: Gathered | None = None,
    caption: captioning.AssetCaption | None = None,
    purpose: str | None = None,
) -> Publication:
    """Audit, render and audit the output; refuse with 409 unless it passes or is overridden.

    ``platform`` and ``channel`` are what the caller asked for (None: the preset's own); the
    preset bounds both. With several channels, the audit must pass for each. The audit is of
    ``today`` (UTC), unless another day is given. ``gathered``: what ``gather`` read of the
    asset (None: read here as it is needed). ``caption``: the caption and alt text the image
    goes out with, where not the asset's own for the platform (a campaign post's).
    ``purpose``: what the image is for ("campaign"), which the people's consents must allow.
    """
    today = today or utcnow().date()
    platform = platform_for(preset.name, platform)
    channels = channels_for(preset, channel)
    for each in channels:
        audits.check_scope(platform, each)
    check_override(caller, override_reason)
    # One rights record and one rule for the caption, the audit and the stamp.
    record, rule = rights.rights_of(session, asset), captioning.credit_rule_for(session, asset)
    if caption is None:
        caption = _caption(session, asset, record, rule, platform, gathered)
    elif caption.platform != platform:
        raise ValueError(f"a caption for {caption.platform} cannot go out on {platform}")
    people = gathered.people if gathered is not None else people_facts(session, asset)
    subjects = [
        audits.subject_of(asset, record, rule, caption, platform=platform, channel=each,
                          today=today, people=people,
                          people_unknown_blocks=services.people_unknown_blocks, purpose=purpose)
        for each in channels
    ]  # fmt: skip
    report = _worst([audit.audit(subject) for subject in subjects])
    if report.outcome == "fail" and (override_reason is None or _not_overridable(report)):
        raise _refusal(report)
    stamp = variant_keys.stamp_of(asset, record, rule, people, today)
    ready = gathered.ready if gathered is not None else None
    variant = variants.get_or_render(
        session, services.store, asset, preset, services.rendering, ready=ready, stamp=stamp
    )
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
    return Publication(asset, preset, variant, stamp, caption, report, overridden, channels)


def _caption(
    session: Session,
    asset: Asset,
    record: RightsRecord,
    rule: credits.CreditRule | None,
    platform: str,
    gathered: Gathered | None,
) -> captioning.AssetCaption:
    """The asset's caption for the platform, from what ``gather`` read when it has it."""
    if gathered is None or gathered.platform != platform:
        return captioning.caption_for(session, asset, platform)
    captioning.require_platform(platform)
    stored = gathered.caption
    manual = stored is not None and stored.text is not None
    template = captioning.template_of(gathered.template, platform)
    return captioning.compose_for(
        asset,
        record,
        rule,
        platform,
        tags=asset.tags,
        stored=stored,
        template=None if manual else template,
    )


def check_override(caller: Caller, override_reason: str | None) -> None:
    """Refuse an override by anyone below the rights role, or without a fit reason."""
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


def _not_overridable(report: audit.Report) -> bool:
    """Whether a failing finding is one no override sets aside (a withdrawn consent)."""
    return any(f.status == "fail" and f.code in consent.NOT_OVERRIDABLE for f in report.findings)


def _refusal(report: audit.Report) -> PublishRefused:
    failing = [dataclasses.asdict(f) for f in report.findings if f.status == "fail"]
    reasons = "; ".join(f"{f['check']}: {f['reason']}" for f in failing)
    return PublishRefused(f"The audit failed: {reasons}", checks=failing)
