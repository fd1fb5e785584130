"""A campaign's export bundle: every post's images, captions, alt text, credits and payloads in
one ZIP, with the manifest and the schedulers' CSVs.

Two steps, so that a refusal comes before the first byte and the ZIP streams after the
request's transaction:

1. ``build_bundle`` (in the caller's transaction) audits the campaign; any failing cell refuses
   the bundle with 409 and the cells (``BundleRefused``), changing nothing, unless a rights
   manager gives a reason, which the history keeps for each asset and for the campaign. It then
   renders each image for each platform through the publish gate, decides every file's
   name and text, and marks the posts exported (who and when, in the campaign history). What
   it returns holds values only: no session, no image bytes.
2. ``stream`` (``services/bundle_zip``) writes the ZIP as the client reads it, a chunk of an
   image at a time.

Withdrawn and published posts are left out: they are not to be scheduled again.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from service.rules import bundle_contents as contents
from service.rules import campaign_checks as checks
from service.rules import campaigns as rules
from service.rules import captions, scheduler_csv
from service.rules.bundle_contents import (
    BundleCampaign,
    BundleMedia,
    BundlePost,
    Override,
    Rendition,
)
from service.rules.problems import InvalidInput, NotFound, Problem
from service.rules.roles import Caller
from service.services import bundle_zip, campaign_audit, post_captions, publishing
from service.services import posts as post_service
from service.services.bundle_zip import Bundle
from service.services.bundle_zip import stream as stream
from service.services.campaigns import record_events
from service.services.captioning import AssetCaption
from service.services.context import Services
from service.services.history import record_changes
from service.storage.db import utcnow
from service.storage.models import Campaign, Post, PostMedia

EXPORTED_STATUSES = ("draft", "ready", "exported")  # not withdrawn, not already published


class BundleRefused(Problem):
    """The campaign audit fails: no bundle. ``failing`` lists each failing cell."""

    status, code, title = 409, "campaign-audit-failed", "The campaign audit does not allow export"


class NothingToExport(Problem):
    """The campaign has no post that could go out."""

    status, code, title = 409, "nothing-to-export", "Nothing to export"


def build_bundle(
    session: Session,
    services: Services,
    campaign: Campaign,
    *,
    caller: Caller,
    date_format: str = "dmy",
    override_reason: str | None = None,
    url_base: str = "",
    now: datetime | None = None,
) -> Bundle:
    """Audit, render and plan ``campaign``'s bundle, and mark its posts exported.

    BundleRefused (409) lists the failing cells unless ``override_reason`` is given by the
    rights role (Forbidden otherwise); an image that cannot be rendered at all (its preset
    refuses the post's channel, say) is refused even then. ``url_base`` is put before the
    store's app-relative signed URLs (the local store's ``/blobs/...``), so that a publisher
    can follow them.
    """
    try:
        scheduler_csv.check_date_format(date_format)
    except ValueError as error:
        raise InvalidInput({"date_format": str(error)}) from None
    publishing.check_override(caller, override_reason)
    now = now or utcnow()
    planned = [post for post in post_service.posts_of(campaign) if post.status in EXPORTED_STATUSES]
    if not planned:
        raise NothingToExport(f"Campaign {campaign.name!r} has no post to export.")
    # Sprout Social's spacing, whatever the audit's default: the bundle's CSVs must import.
    audited = campaign_audit.audit_campaign(
        session, services, campaign, today=now.date(),
        min_spacing=scheduler_csv.SPROUT_SOCIAL_SPACING,
    )  # fmt: skip
    exported_ids = {post.id for post in planned}
    cells = [
        checks.result_dict(result) for result in audited.failing if result.post_id in exported_ids
    ]
    if cells and override_reason is None:
        raise _refusal(cells)
    sources = post_captions.sources_of(session, planned)
    gate = _Gate(session, services, audited, sources, caller=caller, reason=override_reason)
    published = gate.through(planned)
    cells += [cell for cell in gate.cells if not _already(cell, cells)]
    if gate.beyond_override or (cells and override_reason is None):
        raise _refusal(cells)
    override = None
    if cells:
        assert override_reason is not None  # refused just above otherwise
        _record_override(session, campaign, planned, cells, caller=caller, reason=override_reason)
        override = Override(override_reason.strip(), caller.actor, tuple(cells))
    exported = BundleCampaign(
        id=campaign.id,
        name=campaign.name,
        hashtag=campaign.hashtag,
        cause_tag=campaign.cause_tag,
        timezone=campaign.timezone,
        posts=tuple(
            _bundle_post(
                services, campaign, post, audited, sources, published, url_base=url_base, now=now
            )
            for post in planned
        ),
        exported_at=now,
        exported_by=caller.actor,
        date_format=date_format,
        override=override,
    )
    post_service.mark_exported(session, campaign, planned, actor=caller.actor, now=now)
    return Bundle(exported, tuple(bundle_zip.entries(exported, published)))


# --- the gate --------------------------------------------------------------------------------

# A publication per (post id, position, platform).
Published = dict[tuple[int, int, str], publishing.Publication]


class _Gate:
    """Each image of each post through the publish gate on each platform, with the post's
    caption and the image's alt text: what it hands out, and a cell for each refusal.

    With a reason, what it refuses is handed out by override, which the gate keeps in the
    asset's history. Its writes wait to be flushed until every image is rendered: on SQLite,
    a flushed write would lock out the next render's claim (made in a session of its own).
    """

    def __init__(
        self,
        session: Session,
        services: Services,
        audited: campaign_audit.CampaignAudit,
        sources: Mapping[int, post_captions.Source],
        *,
        caller: Caller,
        reason: str | None,
    ) -> None:
        self.session, self.services = session, services
        self.audited, self.sources = audited, sources
        self.caller, self.reason = caller, reason
        self.cells: list[dict[str, Any]] = []
        self.beyond_override = False

    def through(self, planned: Sequence[Post]) -> Published:
        """The publication of every image of ``planned`` on each of its post's platforms."""
        published: Published = {}
        with self.session.no_autoflush:
            for post in planned:
                alt_texts = post_captions.alt_texts_of(post)
                for item, alt in zip(post.media, alt_texts, strict=True):
                    for platform in post.platforms:
                        publication = self._publish(post, item, platform, alt.text)
                        if publication is not None:
                            published[(post.id, item.position, platform)] = publication
        return published

    def _publish(
        self, post: Post, item: PostMedia, platform: str, alt_text: str
    ) -> publishing.Publication | None:
        written = self.audited.captions[(post.id, platform)]
        source = self.sources[item.asset_id]
        caption = AssetCaption(
            platform=platform,
            mode=written.mode,
            caption=written.caption,
            alt_text=alt_text,
            filename=source.asset.original_filename,
            credit_line=source.credit_line,
        )

        def publish(reason: str | None) -> publishing.Publication:
            return publishing.publish_by_id(
                self.session, self.services, item.asset_id,
                rules.preset_for(platform, item.presets),
                caller=self.caller, platform=platform, channel=post.channel,
                override_reason=reason, caption=caption, purpose=campaign_audit.PURPOSE,
            )  # fmt: skip

        where = {"post_id": post.id, "platform": platform, "position": item.position}
        try:
            return publish(None)
        except publishing.PublishRefused as refused:
            self.cells += [_cell(where, "gate", f, item.asset_id) for f in refused.extra["checks"]]
            if self.reason is None:
                return None
            try:
                return publish(self.reason)
            except publishing.PublishRefused:
                self.beyond_override = True  # a withdrawn consent: refused even with a reason
                return None
        except (InvalidInput, NotFound) as problem:
            finding = {"check": "renderable", "code": problem.code, "reason": problem.detail}
            self.cells.append(_cell(where, "media", finding, item.asset_id))
            self.beyond_override = True
            return None


def _cell(
    where: Mapping[str, Any], group: str, finding: Mapping[str, Any], asset_id: int
) -> dict[str, Any]:
    """A failing cell of the gate, in the shape of the campaign audit's results
    (``campaign_checks.result_dict``): the asset is what fixes it."""
    return {
        **where,
        "group": group,
        "check": finding["check"],
        "status": "fail",
        "code": finding.get("code", ""),
        "reason": finding["reason"],
        "fix": {**where, "kind": "asset", "asset_id": asset_id, "field": None},
    }


def _already(cell: Mapping[str, Any], cells: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the audit already failed this check of this image on this platform."""
    key = ("post_id", "platform", "position", "check")
    return any(all(other[k] == cell[k] for k in key) for other in cells)


def _refusal(cells: Sequence[Mapping[str, Any]]) -> BundleRefused:
    shown = [_said(cell) for cell in cells[:3]]
    more = f" (and {len(cells) - 3} more)" if len(cells) > 3 else ""
    grid = {(cell["post_id"], cell["platform"], cell["group"]) for cell in cells}
    said = "; ".join(sentence.rstrip(".") for sentence in shown)
    return BundleRefused(
        f"The campaign audit fails: {said}{more}.",
        cells_failed=len(grid),
        reasons=shown,
        failing=list(cells),
    )


def _said(cell: Mapping[str, Any]) -> str:
    where = f"Post {cell['post_id']} on {captions.PLATFORMS[cell['platform']].name}"
    if cell["position"] is not None:
        where += f", image {cell['position'] + 1}"
    return f"{where}: {cell['reason']}"


def _record_override(
    session: Session,
    campaign: Campaign,
    planned: Sequence[Post],
    cells: Sequence[Mapping[str, Any]],
    *,
    caller: Caller,
    reason: str,
) -> None:
    """Keep the override in the history of each asset a failing cell concerns (an image's
    cell, its asset; a post's, every asset of the post), and in the campaign's. What the gate
    itself overrode it has kept already, as ``publish.override.<preset>``."""
    by_asset: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for cell in cells:
        if cell["group"] == "gate":
            continue
        for post in planned:
            for item in post.media:
                if post.id == cell["post_id"] and cell["position"] in (None, item.position):
                    said = {k: cell[k] for k in ("platform", "position", "check", "reason")}
                    by_asset.setdefault((item.asset_id, post.id), []).append(said)
    for (asset_id, post_id), failing in by_asset.items():
        change = {"reason": reason.strip(), "post_id": post_id, "failing": failing}
        field = f"campaign.override.{campaign.id}"
        record_changes(session, asset_id, caller.actor, {}, {field: change})
    summary = {"reason": reason.strip(), "cells_failed": len(cells)}
    record_events(session, campaign.id, caller.actor, {}, {"bundle.override": summary})


# A scheduler fetches a post's images when it posts, not when the bundle is made: a URL lasts
# until a day after the post's time. SigV4 presigned URLs cannot last beyond seven days, and
# publishing.signed_url still ends each one with the rights.
URL_GRACE = timedelta(days=1)
MAX_URL_SECONDS = 7 * 24 * 3600


def url_lifetime(scheduled_at: datetime, now: datetime, default_seconds: int) -> int:
    """How long a bundle's signed URL for a post at ``scheduled_at`` lasts, in seconds."""
    wanted = int((scheduled_at + URL_GRACE - now).total_seconds())
    return max(default_seconds, min(wanted, MAX_URL_SECONDS))


# --- the bundle's values ---------------------------------------------------------------------


def _bundle_post(
    services: Services,
    campaign: Campaign,
    post: Post,
    audited: campaign_audit.CampaignAudit,
    sources: Mapping[int, post_captions.Source],
    published: Published,
    *,
    url_base: str,
    now: datetime,
) -> BundlePost:
    at = post_service.local_time(post, campaign)
    folder = contents.folder_name(post.id, at, post.day.hashtag)
    written = {platform: audited.captions[(post.id, platform)] for platform in post.platforms}
    media = []
    for item, alt in zip(post.media, post_captions.alt_texts_of(post), strict=True):
        asset, source = item.asset, sources[item.asset_id]
        renditions = {
            platform: _rendition(
                services,
                published[(post.id, item.position, platform)],
                platform,
                folder,
                item.position,
                url_base=url_base,
                now=now,
                lifetime=url_lifetime(post.scheduled_at, now, services.signed_url_seconds),
            )
            for platform in post.platforms
        }
        media.append(
            BundleMedia(
                position=item.position + 1,
                asset_id=asset.id,
                object_number=asset.object_number,
                title=asset.title,
                alt_text=alt.text,
                focus=(asset.focal_x, asset.focal_y),
                width=asset.width,
                height=asset.height,
                credit_line=source.credit_line,
                holder=source.record.holder,
                licence_uri=source.record.licence_uri,
                renditions=renditions,
            )
        )
    return BundlePost(
        id=post.id,
        scheduled_at=at,
        day=post.day.date,
        theme=post.day.theme,
        day_hashtag=post.day.hashtag,
        platforms=tuple(post.platforms),
        channel=post.channel,
        status=post.status,
        captions={platform: caption.text for platform, caption in written.items()},
        credits=tuple(captions.unique_credits([item.credit_line for item in media])),
        media=tuple(media),
    )


def _rendition(
    services: Services,
    publication: publishing.Publication,
    platform: str,
    folder: str,
    position: int,
    *,
    url_base: str,
    now: datetime,
    lifetime: int,
) -> Rendition:
    asset, variant, preset = publication.asset, publication.variant, publication.preset
    file = contents.rendition_file(
        folder, position + 1, asset.object_number, asset.id, preset.name, variant.media_type
    )
    url, until = publishing.signed_url(
        services, publication, now=now, download_name=posixpath.basename(file), seconds=lifetime
    )
    return Rendition(
        platform=platform,
        preset=preset.name,
        file=file,
        url=url_base.rstrip("/") + url if url.startswith("/") else url,
        url_expires_at=until,
        width=variant.width,
        height=variant.height,
        byte_size=variant.byte_size,
        media_type=variant.media_type,
        focus=contents.focus_in_image(
            (asset.width, asset.height), preset, (asset.focal_x, asset.focal_y)
        ),
        overridden=publication.overridden,
    )
