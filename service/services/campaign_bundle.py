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
2. ``stream`` writes the ZIP as the client reads it, copying each image from the blob store a
   chunk at a time and writing each text when its turn comes: memory stays that of one chunk
   and the bundle's plan, however many images there are.

Withdrawn and published posts are left out: they are not to be scheduled again.
"""

from __future__ import annotations

import io
import json
import posixpath
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from service.rules import bundle_contents as contents
from service.rules import bundle_manifest, captions, post_payloads, scheduler_csv
from service.rules import campaigns as rules
from service.rules.bundle_contents import (
    BundleCampaign,
    BundleMedia,
    BundlePost,
    Override,
    Rendition,
)
from service.rules.filenames import safe_stem
from service.rules.problems import InvalidInput, NotFound, Problem
from service.rules.roles import Caller
from service.services import posts as post_service
from service.services import publishing
from service.services.campaigns import record_events
from service.services.context import Services
from service.services.history import record_changes
from service.storage.blobs import BlobStore
from service.storage.db import utcnow
from service.storage.models import Campaign, Post, PostMedia

CHUNK = 64 * 1024  # bytes of an image copied at a time
EXPORTED_STATUSES = ("draft", "ready", "exported")  # not withdrawn, not already published
# The platforms whose API calls the bundle writes out, and how.
PAYLOADS: dict[str, Callable[[BundlePost], object]] = {
    "mastodon": post_payloads.mastodon_payload,
    "bluesky": post_payloads.bluesky_payload,
}


class BundleRefused(Problem):
    """The campaign audit fails: no bundle. ``failing`` lists each failing cell."""

    status, code, title = 409, "campaign-audit-failed", "The campaign audit does not allow export"


class NothingToExport(Problem):
    """The campaign has no post that could go out."""

    status, code, title = 409, "nothing-to-export", "Nothing to export"


@dataclass(frozen=True)
class Entry:
    """One file of the ZIP: its text, made in pieces when it is written, or a blob copied
    from the store."""

    path: str
    text: Callable[[], Iterable[str]] | None = None
    blob_key: str | None = None


@dataclass(frozen=True)
class Bundle:
    """A campaign's bundle, decided: what each file is, ready to stream with ``stream``."""

    campaign: BundleCampaign
    entries: tuple[Entry, ...] = field(repr=False)

    @property
    def download_name(self) -> str:
        """``MuseumWeek-2026_bundle.zip``."""
        stem = safe_stem(self.campaign.name, ascii_only=True) or f"campaign-{self.campaign.id}"
        return f"{stem}_bundle.zip"


@dataclass(frozen=True)
class _Cell:
    """A failing cell: a post on a platform (an image of it, or the post as a whole)."""

    post_id: int
    platform: str
    position: int | None  # from 0, in carousel order
    asset_id: int | None
    group: str
    check: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"status": "fail", **vars(self)}


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
    rights role (Forbidden otherwise). ``url_base`` is put before the store's app-relative
    signed URLs (the local store's ``/blobs/...``), so that a publisher can follow them.
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
    published, cells = _through_the_gate(session, services, campaign, planned, caller=caller)
    cells += _schedule_cells(campaign, planned)
    if cells and override_reason is None:
        raise _refusal(cells)
    if cells:
        assert override_reason is not None  # refused just above otherwise
        _overridden(
            session, services, campaign, planned, cells, published,
            caller=caller, reason=override_reason,
        )  # fmt: skip
    override = (
        Override(override_reason.strip(), caller.actor, tuple(c.as_dict() for c in cells))
        if cells and override_reason is not None
        else None
    )
    exported = BundleCampaign(
        id=campaign.id,
        name=campaign.name,
        hashtag=campaign.hashtag,
        cause_tag=campaign.cause_tag,
        timezone=campaign.timezone,
        posts=tuple(
            _bundle_post(services, campaign, post, published, url_base=url_base, now=now)
            for post in planned
        ),
        exported_at=now,
        exported_by=caller.actor,
        date_format=date_format,
        override=override,
    )
    post_service.mark_exported(session, campaign, planned, actor=caller.actor, now=now)
    return Bundle(exported, tuple(_entries(exported, published)))


# --- the gate --------------------------------------------------------------------------------

# A publication per (post id, position, platform).
Published = dict[tuple[int, int, str], publishing.Publication]


def _through_the_gate(
    session: Session,
    services: Services,
    campaign: Campaign,
    planned: Sequence[Post],
    *,
    caller: Caller,
) -> tuple[Published, list[_Cell]]:
    """Each image of each post on each platform through the publish gate: what it handed out,
    and a cell for each finding that refused one."""
    published: Published = {}
    cells: list[_Cell] = []
    for post in planned:
        for item in post.media:
            for platform in post.platforms:
                try:
                    published[(post.id, item.position, platform)] = _publish(
                        session, services, post, item, platform, caller=caller
                    )
                except publishing.PublishRefused as refused:
                    cells += [
                        _Cell(post.id, platform, item.position, item.asset_id, "gate",
                              finding["check"], finding["reason"])
                        for finding in refused.extra["checks"]
                    ]  # fmt: skip
                except (InvalidInput, NotFound) as problem:
                    cells.append(
                        _Cell(post.id, platform, item.position, item.asset_id, "media",
                              "publishable", problem.detail)
                    )  # fmt: skip
    return published, cells


def _publish(
    session: Session,
    services: Services,
    post: Post,
    item: PostMedia,
    platform: str,
    *,
    caller: Caller,
    override_reason: str | None = None,
) -> publishing.Publication:
    return publishing.publish_by_id(
        session,
        services,
        item.asset_id,
        rules.preset_for(platform, item.presets),
        caller=caller,
        platform=platform,
        channel=post.channel,
        override_reason=override_reason,
    )


def _schedule_cells(campaign: Campaign, planned: Sequence[Post]) -> list[_Cell]:
    """A cell for each post Sprout Social would refuse on a platform (too close, too many)."""
    cells = []
    for platform in dict.fromkeys(p for post in planned for p in post.platforms):
        rows = [
            scheduler_csv.ScheduledMessage(
                post.id, platform, post_service.local_time(post, campaign), "", (), ()
            )
            for post in planned
            if platform in post.platforms
        ]
        for problem in scheduler_csv.sprout_social_problems(rows):
            post_id = problem.get("post_id", rows[-1].post_id)
            assert isinstance(post_id, int)
            check, reason = str(problem["check"]), str(problem["reason"])
            cells.append(_Cell(post_id, platform, None, None, "schedule", check, reason))
    return cells


def _refusal(cells: Sequence[_Cell]) -> BundleRefused:
    said = "; ".join(
        f"post {c.post_id} on {c.platform}"
        + (f", image {c.position + 1}" if c.position is not None else "")
        + f": {c.check}: {c.reason}"
        for c in cells[:3]
    )
    more = f" (and {len(cells) - 3} more)" if len(cells) > 3 else ""
    return BundleRefused(
        f"The campaign audit fails: {said}{more}.",
        cells_failed=len(cells),
        failing=[cell.as_dict() for cell in cells],
    )


def _overridden(
    session: Session,
    services: Services,
    campaign: Campaign,
    planned: Sequence[Post],
    cells: Sequence[_Cell],
    published: Published,
    *,
    caller: Caller,
    reason: str,
) -> None:
    """Export despite ``cells``: what the gate refused is handed out by override (the gate
    keeps it in the asset's history); every other failing cell is kept in the history of the
    assets it concerns, and the override in the campaign's."""
    media = {(post.id, item.position): (post, item) for post in planned for item in post.media}
    refused = dict.fromkeys((c.post_id, c.position, c.platform) for c in cells if c.group == "gate")
    # Each override the gate writes waits to be flushed until every image is rendered: on
    # SQLite, a flushed write would lock out the next render's claim (a session of its own).
    with session.no_autoflush:
        for post_id, position, platform in refused:
            assert position is not None  # the gate's cells are an image's
            post, item = media[(post_id, position)]
            published[(post_id, position, platform)] = _publish(
                session, services, post, item, platform, caller=caller, override_reason=reason
            )
    by_asset: dict[tuple[int, int], list[dict[str, str]]] = {}
    for cell in cells:
        if cell.group == "gate":
            continue
        for post_id, position in media:
            if post_id == cell.post_id and cell.position in (None, position):
                asset_id = media[(post_id, position)][1].asset_id
                said = {"platform": cell.platform, "check": cell.check, "reason": cell.reason}
                by_asset.setdefault((asset_id, post_id), []).append(said)
    for (asset_id, post_id), failing in by_asset.items():
        change = {"reason": reason.strip(), "post_id": post_id, "failing": failing}
        field = f"campaign.override.{campaign.id}"
        record_changes(session, asset_id, caller.actor, {}, {field: change})
    summary = {"reason": reason.strip(), "cells_failed": len(cells)}
    record_events(session, campaign.id, caller.actor, {}, {"bundle.override": summary})


# --- the bundle's values ---------------------------------------------------------------------


def _bundle_post(
    services: Services,
    campaign: Campaign,
    post: Post,
    published: Published,
    *,
    url_base: str,
    now: datetime,
) -> BundlePost:
    at = post_service.local_time(post, campaign)
    folder = contents.folder_name(post.id, at, post.day.hashtag)
    media = []
    for item in post.media:
        asset = item.asset
        renditions = {}
        first: publishing.Publication | None = None
        for platform in post.platforms:
            publication = published[(post.id, item.position, platform)]
            first = first or publication
            renditions[platform] = _rendition(
                services, publication, platform, folder, item.position, url_base=url_base, now=now
            )
        assert first is not None  # a post goes to at least one platform
        record = asset.rights
        media.append(
            BundleMedia(
                position=item.position + 1,
                asset_id=asset.id,
                object_number=asset.object_number,
                title=asset.title,
                alt_text=item.alt_text if item.alt_text is not None else first.caption.alt_text,
                focus=(asset.focal_x, asset.focal_y),
                width=asset.width,
                height=asset.height,
                credit_line=first.caption.credit_line,
                holder=record.holder if record else "",
                licence_uri=record.licence_uri if record else None,
                renditions=renditions,
            )
        )
    texts = {platform: _caption(post, platform, published) for platform in post.platforms}
    return BundlePost(
        id=post.id,
        scheduled_at=at,
        day=post.day.date,
        theme=post.day.theme,
        day_hashtag=post.day.hashtag,
        platforms=tuple(post.platforms),
        channel=post.channel,
        status=post.status,
        captions=texts,
        credits=tuple(captions.unique_credits([item.credit_line for item in media])),
        media=tuple(media),
    )


def _caption(post: Post, platform: str, published: Published) -> str:
    """The post's hand-written caption for the platform, else the first image's caption."""
    written = post.captions.get(platform)
    if isinstance(written, str):
        return written
    if not post.media:
        return ""
    return published[(post.id, post.media[0].position, platform)].caption.caption.text


def _rendition(
    services: Services,
    publication: publishing.Publication,
    platform: str,
    folder: str,
    position: int,
    *,
    url_base: str,
    now: datetime,
) -> Rendition:
    asset, variant, preset = publication.asset, publication.variant, publication.preset
    file = contents.rendition_file(
        folder, position + 1, asset.object_number, asset.id, preset.name, variant.media_type
    )
    url, until = publishing.signed_url(
        services, publication, now=now, download_name=posixpath.basename(file)
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


def _entries(exported: BundleCampaign, published: Published) -> Iterator[Entry]:
    """The ZIP's files in order: the manifest and CSVs, then each post's folder."""
    yield Entry(contents.MANIFEST_FILE, text=lambda: bundle_manifest.manifest_json(exported))
    yield Entry(
        contents.POSTS_CSV_FILE,
        text=lambda: [scheduler_csv.generic_csv(scheduler_csv.messages(exported.posts))],
    )
    for platform in exported.platforms:
        yield Entry(
            contents.sprout_social_file(platform),
            text=_sprout_social(exported, platform),
        )
    for post in exported.posts:
        folder = post.folder
        for platform in post.platforms:
            caption = post.captions[platform] + "\n"
            yield Entry(contents.caption_file(folder, platform), text=_fixed(caption))
        alt_text, credits = contents.alt_text_document(post), contents.credits_document(post)
        yield Entry(f"{folder}/{contents.ALT_TEXT_FILE}", text=_fixed(alt_text))
        yield Entry(f"{folder}/{contents.CREDITS_FILE}", text=_fixed(credits))
        for platform, make in PAYLOADS.items():
            if platform in post.platforms:
                yield Entry(contents.payload_file(folder, platform), text=_payload(make, post))
        for item in post.media:
            for platform, rendition in item.renditions.items():
                publication = published[(post.id, item.position - 1, platform)]
                yield Entry(rendition.file, blob_key=publication.variant.blob_key)


def _json(value: object) -> Iterable[str]:
    return [json.dumps(value, ensure_ascii=False, indent=2) + "\n"]


def _fixed(text: str) -> Callable[[], Iterable[str]]:
    return lambda: [text]


def _sprout_social(exported: BundleCampaign, platform: str) -> Callable[[], Iterable[str]]:
    rows = scheduler_csv.messages(exported.posts, platform)
    return lambda: [scheduler_csv.sprout_social_csv(rows, exported.date_format)]


def _payload(make: Callable[[BundlePost], object], post: BundlePost) -> Callable[[], Iterable[str]]:
    return lambda: _json(make(post))


# --- the ZIP, streamed -----------------------------------------------------------------------


class _Pipe(io.RawIOBase):
    """Where the ZIP is written: a stream that cannot seek (so ``zipfile`` writes each entry's
    sizes after its data), whose bytes the generator takes away as they come."""

    def __init__(self) -> None:
        super().__init__()
        self._written: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self._written.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        """What was written since the last take."""
        data = b"".join(self._written)
        self._written.clear()
        return data


def stream(bundle: Bundle, store: BlobStore) -> Iterator[bytes]:
    """The bundle's ZIP, a piece at a time: texts are compressed, images stored as they are
    (already compressed), each copied from the blob store ``CHUNK`` bytes at a time."""
    pipe = _Pipe()
    stamp = bundle.campaign.exported_at.timetuple()[:6]
    with zipfile.ZipFile(pipe, mode="w") as archive:
        for entry in bundle.entries:
            info = zipfile.ZipInfo(entry.path, date_time=stamp)
            info.external_attr = 0o644 << 16  # rw-r--r-- once unpacked
            if entry.text is not None:
                info.compress_type = zipfile.ZIP_DEFLATED
                with archive.open(info, "w") as target:
                    for piece in entry.text():
                        target.write(piece.encode())
            elif entry.blob_key is not None:
                info.compress_type = zipfile.ZIP_STORED
                with store.open(entry.blob_key) as source, archive.open(info, "w") as target:
                    while chunk := source.read(CHUNK):
                        target.write(chunk)
                        yield pipe.take()
            yield pipe.take()
    yield pipe.take()
