"""The post editor: a post's images in order (each with its own alt text), its day, time and
platforms, every platform's caption side by side (hand-written, else composed from the
template, counted as that platform counts), its status; its one Save, and its deletion.

Written through ``services/posts``; invalid input re-renders the editor with each message
beside its field (HTTP 422: the unit of work rolls back, so nothing is changed), success
redirects back with its confirmation shown once. Viewers get the page without its forms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from service.http.database import get_session
from service.rules import campaigns as plan_rules
from service.rules import captions
from service.rules.ids import is_id
from service.rules.problems import InvalidInput
from service.services import campaigns, post_captions, posts
from service.storage.models import Asset, Campaign, Post, PostMedia
from service.web import bp
from service.web.campaign_common import (
    STATUS_NAMES,
    UNCONFIRMED,
    day_label,
    notice,
    platform_name,
    saved,
    search,
    shown_post_errors,
)
from service.web.common import actor, image_alt, presets
from service.web.session import login_required

COMPOSED = "Composed from the template when exported"
COUNTING_TEXT = {
    "twitter": "weighted as X counts: most Latin text 1, CJK and emoji 2, each link 23",
    "graphemes": "characters as people see them (grapheme clusters)",
    "characters": "characters (Unicode code points)",
    "characters_urls_23": "characters, each link counts 23",
    "characters_emoji_bytes": "characters, each emoji counts its UTF-8 bytes",
}


@dataclass(frozen=True)
class MediaRow:
    """One image in the editor's strip: its asset, its own alt text, and the asset's."""

    asset: Asset
    alt_text: str
    placeholder: str
    error: str | None


@dataclass(frozen=True)
class CaptionCard:
    """One platform's caption in the editor: the hand-written text (the box's value), else
    the caption composed from the template (its placeholder), counted; the saved caption's
    notes (what composing shortened, the credits it lacks, its length)."""

    key: str
    name: str
    text: str
    hand_written: bool
    composed: str  # the composed caption, shown while the box is empty
    counting: str
    counting_text: str
    limit: int
    length: int  # of the text, or of the composed caption while there is none
    chosen: bool  # the post goes to this platform
    notes: tuple[str, ...]
    error: str | None


def _post_url(campaign: Campaign, post: Post, **args: Any) -> str:
    return url_for("web.post_page", campaign_id=campaign.id, post_id=post.id, **args)


def _media_rows(
    session: Session,
    post: Post,
    posted: Sequence[Mapping[str, Any]] | None,
    errors: Mapping[str, str],
) -> list[MediaRow]:
    """The strip: the post's images, or those the refused form held (in its order)."""
    if posted is None:
        items = [(item.asset, item.alt_text or "") for item in post.media]
    else:
        found = [(session.get(Asset, item["asset_id"]), item["alt_text"] or "") for item in posted]
        items = [(asset, alt) for asset, alt in found if asset is not None]
    return [
        MediaRow(asset, alt, placeholder=image_alt(asset), error=errors.get(f"media-{index}"))
        for index, (asset, alt) in enumerate(items)
    ]


def _caption_cards(
    session: Session,
    campaign: Campaign,
    post: Post,
    typed: Mapping[str, Any] | None,
    errors: Mapping[str, str],
) -> list[CaptionCard]:
    """Every platform's caption card (those the post does not go to, hidden), as saved or as
    the refused form held them; composed as the export composes them (``post_captions``)."""
    saved = post_captions.captions_of(session, campaign, post, plan_rules.POST_PLATFORMS)
    texts = typed.get("captions", {}) if typed else dict(post.captions)
    chosen = typed.get("platforms", post.platforms) if typed else post.platforms
    cards = []
    for key in plan_rules.POST_PLATFORMS:
        platform, caption = captions.PLATFORMS[key], saved[key]
        text = texts.get(key) or ""
        composed = caption.text if caption.mode == "template" else ""
        notes = () if typed else _caption_notes(caption)
        cards.append(
            CaptionCard(
                key=key,
                name=platform.name,
                text=text,
                hand_written=bool(text.strip()),
                composed=composed,
                counting=platform.counting,
                counting_text=COUNTING_TEXT.get(platform.counting, platform.counting),
                limit=platform.caption_limit,
                length=captions.count_length(key, text or composed),
                chosen=key in chosen,
                notes=notes,
                error=errors.get(f"text-{key}"),
            )
        )
    return cards


def _caption_notes(caption: post_captions.PostCaption) -> tuple[str, ...]:
    """What the saved caption needs said: what composing shortened, and its problems (its
    length, its bytes, each credit it lacks)."""
    notes = []
    if caption.shortened:
        parts = " and ".join(caption.shortened)
        notes.append(f"To fit, the {parts} {'was' if len(caption.shortened) == 1 else 'were'} "
                     "shortened.")  # fmt: skip
    return (*notes, *caption.problems)


def _render_post(
    campaign: Campaign,
    post: Post,
    *,
    errors: Mapping[str, str] | None = None,
    typed: Mapping[str, Any] | None = None,
    delete_error: str | None = None,
    status: int = 200,
) -> Response:
    session = get_session()
    errors = dict(errors or {})
    local = posts.local_time(post, campaign)
    query = request.args.get("q") if request.method == "GET" else (typed or {}).get("q")
    statuses = list(plan_rules.HAND_STATUSES)
    if post.status not in statuses:  # "exported" is shown, never chosen
        statuses.insert(0, post.status)
    values = {
        "day": post.day.date.isoformat(),
        "time": f"{local:%H:%M}",
        "status": post.status,
        "remote_url": post.remote_url,
        **{k: v for k, v in (typed or {}).items() if k in ("day", "time", "status", "remote_url")},
    }
    page = render_template(
        "post.html",
        campaign=campaign,
        post=post,
        local=local,
        day_label=day_label,
        days=[(day.date.isoformat(), day_label(day.date)) for day in campaign.days],
        values=values,
        errors=errors,
        media=_media_rows(session, post, (typed or {}).get("media"), errors),
        cards=_caption_cards(session, campaign, post, typed, errors),
        statuses=[(key, STATUS_NAMES.get(key, key)) for key in statuses],
        query=query,
        results=search(session, query),
        composed=COMPOSED,
        platform_name=platform_name,
        status_names=STATUS_NAMES,
        delete_error=delete_error,
        notice=notice() if status == 200 else None,
        can_edit=g.caller.can("contributor"),
    )
    return current_app.response_class(page, status=status)


@bp.get("/campaigns/<int:campaign_id>/posts/<int:post_id>")
@login_required("viewer")
def post_page(campaign_id: int, post_id: int) -> Response:
    """A post's editor: images, time and platforms, captions, alt text, status."""
    session = get_session()
    campaign = campaigns.get_campaign(session, campaign_id)
    return _render_post(campaign, posts.get_post(session, campaign, post_id))


def _posted_media(form: MultiDict[str, str], post: Post) -> list[dict[str, Any]]:
    """The strip as posted (``media`` asset ids with ``media_alt`` texts, in order), each image
    keeping the presets it had; InvalidInput when the two lists do not pair up."""
    ids, alts = form.getlist("media"), form.getlist("media_alt")
    if len(ids) != len(alts) or not all(is_id(raw) for raw in ids):
        raise InvalidInput({"media": "the images were not sent as the page shows them; reload"})
    had: dict[int, list[PostMedia]] = {}
    for item in post.media:
        had.setdefault(item.asset_id, []).append(item)
    media = []
    for raw, alt in zip(ids, alts, strict=True):
        asset_id = int(raw)
        previous = had.get(asset_id, [])
        chosen = dict(previous.pop(0).presets) if previous else {}
        media.append({"asset_id": asset_id, "alt_text": alt or None, "presets": chosen})
    return media


def _media_operation(op: str, media: list[dict[str, Any]], form: MultiDict[str, str]) -> str:
    """Apply a strip button (``left:2``, ``right:0``, ``remove:1``, ``add``) to ``media``;
    answers what it did, for the confirmation."""
    if op == "add":
        raw_ids = form.getlist("add_asset")
        if not raw_ids or not all(is_id(raw) for raw in raw_ids):
            raise InvalidInput({"add_asset": "select at least one image to add"})
        media.extend({"asset_id": int(raw), "alt_text": None, "presets": {}} for raw in raw_ids)
        return f"{len(raw_ids)} image{'s' if len(raw_ids) != 1 else ''} added"
    action, _, raw_index = op.partition(":")
    index = int(raw_index) if raw_index.isascii() and raw_index.isdigit() else -1
    if not 0 <= index < len(media) or action not in ("left", "right", "remove"):
        raise InvalidInput({"media": "that image is no longer in the strip; reload"})
    if action == "remove":
        media.pop(index)
        return f"Image {index + 1} removed"
    other = index - 1 if action == "left" else index + 1
    if 0 <= other < len(media):
        media[index], media[other] = media[other], media[index]
    return f"Image {index + 1} moved to position {max(0, min(other, len(media) - 1)) + 1}"


@bp.post("/campaigns/<int:campaign_id>/posts/<int:post_id>")
@login_required("contributor")
def save_post(campaign_id: int, post_id: int) -> Response:
    """The editor's one Save: every field at once. The strip's buttons (move, remove, add)
    save the form with their change applied, so nothing typed is lost (with scripts they
    change the strip in place, and Save sends it)."""
    session = get_session()
    campaign = campaigns.get_campaign(session, campaign_id)
    post = posts.get_post(session, campaign, post_id)
    form = request.form
    typed: dict[str, Any] = {
        "day": form.get("day", ""),
        "time": form.get("time", ""),
        "platforms": form.getlist("platforms"),
        "captions": {
            key: form[f"text-{key}"] for key in plan_rules.POST_PLATFORMS if f"text-{key}" in form
        },
        "status": form.get("status", post.status),
        "remote_url": form.get("remote_url", ""),
        "q": form.get("q"),
        "media": [{"asset_id": item.asset_id, "alt_text": item.alt_text} for item in post.media],
    }
    op = form.get("media_op", "")
    done = ""
    try:
        typed["media"] = _posted_media(form, post)
        if op:
            done = _media_operation(op, typed["media"], form)
        if not typed["time"].strip():
            raise InvalidInput({"time": "enter the time the post goes out, such as 09:30"})
        fields = {name: typed[name] for name in ("day", "time", "platforms", "remote_url", "media")}
        fields["captions"] = {key: text or None for key, text in typed["captions"].items()}
        if typed["status"] != post.status:
            fields["status"] = typed["status"]
        posts.update_post(session, campaign, post, fields, actor=actor(), presets=presets())
    except InvalidInput as error:  # 422: the unit of work rolls back; nothing was saved
        return _render_post(
            campaign, post, errors=shown_post_errors(error), typed=typed, status=422
        )
    text = f"{done}; post saved." if done else "Post saved."
    return saved(_post_url(campaign, post), "media" if op else "saved", text)


@bp.post("/campaigns/<int:campaign_id>/posts/<int:post_id>/delete")
@login_required("contributor")
def delete_post(campaign_id: int, post_id: int) -> Response:
    """Delete the post once its box is ticked (a form of its own: no script needed to ask),
    then back to its day on the board, which says so. The library's images stay."""
    session = get_session()
    campaign = campaigns.get_campaign(session, campaign_id)
    post = posts.get_post(session, campaign, post_id)
    if request.form.get("confirm") != "yes":  # 422: nothing was deleted
        return _render_post(campaign, post, delete_error=UNCONFIRMED, status=422)
    day, when = post.day, f"{posts.local_time(post, campaign):%H:%M}"
    posts.delete_post(session, campaign, post, actor=actor())
    board = url_for("web.campaign_board", campaign_id=campaign.id)
    return saved(board, f"day-{day.id}", f"The {when} post on {day_label(day.date)} was deleted.")
