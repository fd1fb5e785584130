"""Use cases for captions: templates, an asset's caption per platform, and previews.

Composition, counting and fitting are pure rules in ``captions``; here they meet the
stored templates, the asset's fields and the credit line the policy requires.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.rules import captions, credits
from service.rules.problems import InvalidInput, NotFound
from service.rules.text import clean_field
from service.services.history import record_changes
from service.services.rights import current_policy, policy_rules, rights_of
from service.storage.models import Asset, AssetTag, Caption, CaptionTemplate, RightsRecord

MAX_CAPTION_CHARACTERS = 70_000  # beyond Facebook's 63,206; anything longer is a mistake


def require_platform(platform: str) -> str:
    """The platform, if captions know it; NotFound naming the known ones if not."""
    if platform not in captions.PLATFORMS:
        known = ", ".join(captions.PLATFORMS)
        raise NotFound(f"There is no platform {platform!r}; known platforms: {known}.")
    return platform


def template_for(session: Session, platform: str) -> str:
    """The admin's template for the platform, else the shipped default."""
    return template_of(session.get(CaptionTemplate, require_platform(platform)), platform)


def template_of(stored: CaptionTemplate | None, platform: str) -> str:
    """The template in force for a known platform, given the admin's row (None: none saved)."""
    return stored.template if stored else captions.DEFAULT_TEMPLATES[platform]


def list_templates(session: Session) -> list[dict[str, Any]]:
    """Each platform's caption template, and whether an admin changed it."""
    stored = {row.platform: row for row in session.scalars(select(CaptionTemplate))}
    return [
        {
            "platform": platform,
            "template": stored[platform].template if platform in stored else default,
            "customised": platform in stored,
        }
        for platform, default in captions.DEFAULT_TEMPLATES.items()
    ]


def set_template(
    session: Session, platform: str, template: Any, *, actor: str, now: datetime
) -> CaptionTemplate:
    """Replace a platform's template after checking it; the caller commits."""
    require_platform(platform)
    template = checked_template(template)
    row = session.get(CaptionTemplate, platform)
    if row is None:
        row = CaptionTemplate(platform=platform, template=template, updated_by=actor)
        session.add(row)
    row.template, row.updated_by, row.updated_at = template, actor, now
    session.flush()
    return row


def checked_template(template: Any) -> str:
    """A template from a user, cleaned like any text and checked; InvalidInput says why not."""
    if not isinstance(template, str):
        raise InvalidInput({"template": "must be a string"})
    try:
        cleaned = clean_field(template, multiline=True)
        captions.validate_template(cleaned)
    except ValueError as error:  # TemplateError included
        raise InvalidInput({"template": str(error)}) from None
    return cleaned


def credit_rule_for(session: Session, asset: Asset) -> credits.CreditRule | None:
    """The policy's rule for the asset's rights holder, if the policy knows the holder."""
    rules = policy_rules(current_policy(session))
    return credits.find_rule(rules, rights_of(session, asset).holder)


def caption_fields(session: Session, asset: Asset) -> dict[str, str]:
    """The values a template may use, with the credit line the policy requires."""
    record, rule = rights_of(session, asset), credit_rule_for(session, asset)
    return fields_of(asset, record, rule, tags=asset.tags)


def fields_of(
    asset: Asset, record: RightsRecord, rule: credits.CreditRule | None, *, tags: Sequence[str]
) -> dict[str, str]:
    """The values a template may use, from the asset, its tags, its rights and the policy's
    rule."""
    date_taken = asset.metadata_summary.get("date_taken") or ""
    return {
        "title": asset.title,
        "object_number": asset.object_number,
        "description": asset.description,
        "credit_line": credits.required_credit_line(rule, record.credit_line),
        "hashtags": captions.hashtags_from_tags(tags),
        "creator": record.creator,
        # The object's own date; the camera's date is not the object's (empty: the
        # template's tidy-up removes it).
        "date": asset.object_date or "",
        "photo_date": str(date_taken)[:10],
    }


@dataclass(frozen=True)
class AssetCaption:
    """An asset's caption for one platform, counted, with where its text came from."""

    platform: str
    mode: str  # "template" or "manual"
    caption: captions.Caption
    alt_text: str
    filename: str  # the original's, which alt text should not merely repeat
    credit_line: str  # the credit line the policy requires

    # Worked out when asked for: an audit judges both in its own checks, and does not ask.
    @cached_property
    def alt_text_warnings(self) -> list[str]:
        """Why the alt text looks weak for the platform, if it does."""
        return captions.alt_text_warnings(
            self.alt_text, filename=self.filename, platform=self.platform
        )

    @cached_property
    def credit(self) -> credits.CreditMatch:
        """Whether the caption carries the required credit line, and how."""
        return credits.match_credit(self.credit_line, self.caption.text)


def caption_for(session: Session, asset: Asset, platform: str) -> AssetCaption:
    """The stored hand-written caption, or one composed from the platform's template."""
    require_platform(platform)
    stored = _stored(session, asset, platform)
    manual = stored is not None and stored.text is not None
    return compose_for(
        asset,
        rights_of(session, asset),
        credit_rule_for(session, asset),
        platform,
        tags=asset.tags,
        stored=stored,
        template=None if manual else template_for(session, platform),
    )


def compose_for(
    asset: Asset,
    record: RightsRecord,
    rule: credits.CreditRule | None,
    platform: str,
    *,
    tags: Sequence[str],
    stored: Caption | None,
    template: str | None,
) -> AssetCaption:
    """An asset's caption from values already read: its rights record, the policy's rule for
    its holder, its tags, its stored caption for the platform and the platform's template
    (which may be None when the stored caption has hand-written text). One asset
    (``caption_for``) or many (an audit) compose the same way."""
    fields = fields_of(asset, record, rule, tags=tags)
    if stored is not None and stored.text is not None:
        mode, caption = "manual", captions.check_caption(stored.text, platform)
    else:
        if template is None:
            raise ValueError("a caption composed from the template needs the template")
        mode, caption = "template", captions.compose_caption(template, fields, platform)
    return AssetCaption(
        platform=platform,
        mode=mode,
        caption=caption,
        alt_text=stored.alt_text if stored and stored.alt_text is not None else asset.alt_text,
        filename=asset.original_filename,
        credit_line=fields["credit_line"],
    )


def stored_captions(
    session: Session, asset_ids: Sequence[int], platform: str
) -> dict[int, Caption]:
    """The stored captions of these assets for the platform, by asset id: one statement."""
    if not asset_ids:
        return {}
    query = select(Caption).where(Caption.platform == platform, Caption.asset_id.in_(asset_ids))
    return {caption.asset_id: caption for caption in session.scalars(query)}


def tags_of(session: Session, asset_ids: Sequence[int]) -> dict[int, list[str]]:
    """The tags of these assets, in the order given, by asset id: one statement, of plain
    values (a tenth of the time of loading each tag as a row object)."""
    tags: dict[int, list[str]] = {asset_id: [] for asset_id in asset_ids}
    if asset_ids:
        query = (
            select(AssetTag.asset_id, AssetTag.tag)
            .where(AssetTag.asset_id.in_(asset_ids))
            .order_by(AssetTag.id)
        )
        for asset_id, tag in session.execute(query):
            tags[asset_id].append(tag)
    return tags


def save_caption(
    session: Session, asset: Asset, platform: str, body: Any, *, actor: str, now: datetime
) -> AssetCaption:
    """Store hand-written text (or null to go back to the template) and alt text for a platform.

    The credit check still applies to hand-written text: it is reported, not enforced here,
    so that a draft can be saved; the audit refuses to publish it.
    """
    require_platform(platform)
    if not isinstance(body, dict) or not body or set(body) - {"text", "alt_text"}:
        raise InvalidInput({"body": "must be a JSON object with 'text' and/or 'alt_text'"})
    errors: dict[str, str] = {}
    cleaned: dict[str, str | None] = {}
    for field in ("text", "alt_text"):
        if field not in body:
            continue
        value = body[field]
        if value is not None and not isinstance(value, str):
            errors[field] = "must be a string or null"
        elif value is not None and len(value) > MAX_CAPTION_CHARACTERS:
            errors[field] = f"must be at most {MAX_CAPTION_CHARACTERS} characters"
        elif value is None:
            cleaned[field] = None
        else:
            try:
                cleaned[field] = clean_field(value, multiline=True)
            except ValueError as error:
                errors[field] = str(error)
    if errors:
        raise InvalidInput(errors)
    stored = _stored(session, asset, platform)
    if stored is None:
        stored = Caption(asset_id=asset.id, platform=platform, updated_by=actor)
        session.add(stored)
    before = {"text": stored.text, "alt_text": stored.alt_text}
    for field, value in cleaned.items():
        setattr(stored, field, value)
    stored.updated_by, stored.updated_at = actor, now
    after = {"text": stored.text, "alt_text": stored.alt_text}
    record_changes(session, asset.id, actor, before, after, prefix=f"caption.{platform}.")
    session.flush()
    return caption_for(session, asset, platform)


def preview(
    session: Session, asset: Asset, platform: str, template: str | None
) -> captions.Caption:
    """Compose without saving, from a given template or the platform's own."""
    require_platform(platform)
    template = template_for(session, platform) if template is None else checked_template(template)
    return captions.compose_caption(template, caption_fields(session, asset), platform)


def _stored(session: Session, asset: Asset, platform: str) -> Caption | None:
    query = select(Caption).where(Caption.asset_id == asset.id, Caption.platform == platform)
    return session.scalar(query)
