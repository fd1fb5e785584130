"""The campaign pages: the list of campaigns (and a new one), the board (days as columns, posts
as cards, images added from the library, posts moved between days) and the post editor (its
images in order, time and platforms, every platform's caption side by side, alt text per
image, status), all written through ``services/campaigns`` and ``services/posts``.

Forms answer as the asset page's do: invalid input re-renders the page with each message
beside its field (HTTP 422: the unit of work rolls back, so nothing is changed), success
redirects to where the user was, whose confirmation is shown there once. Viewers get the same
pages without their forms. The images are the library's internal previews (``web.preview``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import current_app, g, redirect, render_template, request, url_for
from flask import session as browser_session
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from service.http.database import get_session
from service.rules import campaigns as plan_rules
from service.rules import captions
from service.rules.ids import is_id
from service.rules.problems import InvalidInput
from service.services import assets, campaigns, post_captions, posts
from service.storage.models import Asset, Campaign, CampaignDay, Post, PostMedia
from service.web import bp
from service.web.common import actor, as_sentences, image_alt, presets
from service.web.session import login_required, safe_next

SEARCH_SIZE = 12  # library results offered at once to add to a post
DEFAULT_DAYS = 7  # a #MuseumWeek
COMPOSED = "Composed from the template when exported"
STATUS_NAMES = {
    "draft": "Draft",
    "ready": "Ready",
    "exported": "Exported",
    "published": "Published",
    "withdrawn": "Withdrawn",
}
COUNTING_TEXT = {
    "twitter": "weighted as X counts: most Latin text 1, CJK and emoji 2, each link 23",
    "graphemes": "characters as people see them (grapheme clusters)",
    "characters": "characters (Unicode code points)",
    "characters_urls_23": "characters, each link counts 23",
    "characters_emoji_bytes": "characters, each emoji counts its UTF-8 bytes",
}
NEW_CAMPAIGN_FIELDS = ("name", "hashtag", "cause_tag", "timezone", "first_date", "days")
DAY_FORM_FIELDS = ("theme", "hashtag", "brief")


def platform_name(key: str) -> str:
    """A platform as people call it ("X", "Bluesky")."""
    return captions.PLATFORMS[key].name if key in captions.PLATFORMS else key


def day_label(on: date) -> str:
    """A campaign day as a heading says it: "Mon 8 June"."""
    return f"{on:%a} {on.day} {on:%B}"


def _int_or_none(raw: str) -> int | None:
    return int(raw) if is_id(raw) else None


# --- confirmations, shown once where the user was ------------------------------------------

NOTICE = "campaign_notice"  # the session's key for a Save's confirmation


def _saved(url: str, target: str, text: str, level: str = "success") -> Response:
    """Redirect to ``url#target``, where the confirmation is shown (inside ``target``)."""
    browser_session[NOTICE] = {"target": target, "text": text, "level": level}
    return redirect(f"{url}#{target}")


def _notice() -> dict[str, Any] | None:
    """The confirmation of the Save that led here, once."""
    notice = browser_session.pop(NOTICE, None)
    return notice if isinstance(notice, dict) else None


# --- the list of campaigns, and a new one ---------------------------------------------------


@dataclass(frozen=True)
class CampaignRow:
    """One campaign as the list shows it."""

    campaign: Campaign
    first: date | None
    last: date | None
    posts: int


def _render_list(
    errors: Mapping[str, str] | None = None, values: Mapping[str, str] | None = None
) -> Response:
    rows = [
        CampaignRow(
            campaign=campaign,
            first=campaign.days[0].date if campaign.days else None,
            last=campaign.days[-1].date if campaign.days else None,
            posts=sum(len(day.posts) for day in campaign.days),
        )
        for campaign in campaigns.list_campaigns(get_session())
    ]
    defaults = {"timezone": "UTC", "days": str(DEFAULT_DAYS)}
    page = render_template(
        "campaigns.html",
        rows=rows,
        errors=dict(errors or {}),
        values={**defaults, **(values or {})},
        max_days=plan_rules.MAX_DAYS,
        day_label=day_label,
        can_edit=g.caller.can("contributor"),
    )
    return current_app.response_class(page, status=422 if errors else 200)


@bp.get("/campaigns")
@login_required("viewer")
def campaigns_page() -> Response:
    """Every campaign, newest first, and (for contributors) the form of a new one."""
    return _render_list()


def _planned_dates(values: Mapping[str, str]) -> tuple[list[date], dict[str, str]]:
    """The dates of the new campaign's days, from its first date and number of days."""
    errors: dict[str, str] = {}
    first: date | None = None
    raw_first = values["first_date"].strip()
    if not raw_first:
        errors["first_date"] = "Enter the campaign's first day, such as 2026-06-08."
    else:
        try:
            first = campaigns.parse_date(raw_first)
        except ValueError as error:
            errors["first_date"] = as_sentences({"first_date": str(error)})["first_date"]
    raw_count = values["days"].strip()
    count = int(raw_count) if raw_count.isascii() and raw_count.isdigit() else 0
    if not 1 <= count <= plan_rules.MAX_DAYS:
        errors["days"] = f"Enter a number of days from 1 to {plan_rules.MAX_DAYS}."
    if errors or first is None:
        return [], errors
    dates = [first + timedelta(days=offset) for offset in range(count)]
    try:  # checked before anything is written: the last day must be a campaign date too
        campaigns.parse_date(dates[-1])
    except ValueError as error:
        return [], {"days": as_sentences({"days": str(error)})["days"]}
    return dates, errors


@bp.post("/campaigns")
@login_required("contributor")
def create_campaign() -> Response:
    """Create a campaign and its days, one a date from the first for the number of days."""
    session = get_session()
    values = {name: request.form.get(name, "") for name in NEW_CAMPAIGN_FIELDS}
    dates, errors = _planned_dates(values)
    fields = {name: values[name] for name in campaigns.CAMPAIGN_FIELDS}
    try:  # every field checked before anything is written, so that all are answered at once
        campaigns.campaign_fields(fields, creating=True)
        if not errors:
            campaign = campaigns.create_campaign(session, fields, actor=actor())
            for on in dates:
                campaigns.add_day(session, campaign, {"date": on}, actor=actor())
    except InvalidInput as error:
        errors.update(as_sentences(error.extra["errors"]))
    if errors:  # 422: nothing was written (and the unit of work rolls back)
        return _render_list(errors, values)
    url = url_for("web.campaign_board", campaign_id=campaign.id)
    return _saved(url, "board", f"Campaign “{campaign.name}” created with {len(dates)} days.")


# --- the board ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thumb:
    """One image of a post as a card or the editor shows it."""

    asset_id: int
    alt: str
    gone: bool  # the asset was deleted: the post still names it


@dataclass(frozen=True)
class Card:
    """One post as the board shows it."""

    post: Post
    time: str
    thumbs: list[Thumb]
    platforms: list[str]
    status: str


@dataclass(frozen=True)
class Column:
    """One day of the board, with its posts in time order."""

    day: CampaignDay
    label: str
    cards: list[Card]
    next_time: str  # offered to the day's "Add post": an hour after its last post


@dataclass
class Forms:
    """What the user typed in a page's forms and what was wrong, per form, to show again."""

    errors: dict[str, dict[str, str]] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def refused(cls, form: str, errors: Mapping[str, str], values: Mapping[str, Any]) -> Forms:
        return cls(errors={form: dict(errors)}, values={form: dict(values)})


def _thumb(item: PostMedia) -> Thumb:
    asset = item.asset
    return Thumb(
        asset_id=asset.id,
        alt=item.alt_text or image_alt(asset),
        gone=asset.deleted_at is not None,
    )


def _card(post: Post, campaign: Campaign) -> Card:
    return Card(
        post=post,
        time=f"{posts.local_time(post, campaign):%H:%M}",
        thumbs=[_thumb(item) for item in post.media],
        platforms=[platform_name(key) for key in post.platforms],
        status=post.status,
    )


def _search(session: Session, query: str | None) -> list[Asset] | None:
    """The library's assets matching ``query`` (None: no search asked for), newest first."""
    if query is None:
        return None
    filters = assets.AssetFilters(text=query.strip() or None)
    found, _ = assets.list_assets(session, filters, limit=SEARCH_SIZE)
    return found


def _next_time(cards: Sequence[Card]) -> str:
    """When a day's next post might go: 09:00, or an hour after its last (until 23:00)."""
    if not cards:
        return "09:00"
    hour = min(int(cards[-1].time[:2]) + 1, 23)
    return f"{hour:02d}:{cards[-1].time[3:]}"


def _new_post_platforms(campaign: Campaign) -> list[str]:
    """What a new post goes to: what the campaign's last post went to, else everywhere."""
    planned = posts.posts_of(campaign)
    return list(planned[-1].platforms) if planned else list(plan_rules.POST_PLATFORMS)


def _render_board(campaign: Campaign, forms: Forms | None = None, status: int = 200) -> Response:
    forms = forms or Forms()
    session = get_session()
    if request.method == "GET":
        query = request.args.get("q")
        chosen_post = request.args.get("post", "")
    else:
        query = forms.values.get("media", {}).get("q")
        chosen_post = str(forms.values.get("media", {}).get("post_id", ""))
    columns = []
    for day in campaign.days:
        cards = [_card(post, campaign) for post in day.posts]
        columns.append(Column(day, day_label(day.date), cards, _next_time(cards)))
    page = render_template(
        "campaign.html",
        campaign=campaign,
        columns=columns,
        forms=forms,
        query=query,
        results=_search(session, query),
        chosen_post=chosen_post,
        post_platforms=[(key, platform_name(key)) for key in plan_rules.POST_PLATFORMS],
        new_post_platforms=_new_post_platforms(campaign),
        status_names=STATUS_NAMES,
        notice=_notice() if status == 200 else None,
        image_alt=image_alt,
        can_edit=g.caller.can("contributor"),
    )
    return current_app.response_class(page, status=status)


def _board_url(campaign: Campaign) -> str:
    return url_for("web.campaign_board", campaign_id=campaign.id)


@bp.get("/campaigns/<int:campaign_id>")
@login_required("viewer")
def campaign_board(campaign_id: int) -> Response:
    """The campaign's board: its days as columns, their posts as cards."""
    return _render_board(campaigns.get_campaign(get_session(), campaign_id))


@bp.post("/campaigns/<int:campaign_id>")
@login_required("contributor")
def save_campaign(campaign_id: int) -> Response:
    """Save a campaign's name, hashtag, cause tag and time zone (a new zone keeps each post's
    instant: its local time moves with the zone)."""
    session = get_session()
    campaign = campaigns.get_campaign(session, campaign_id)
    values = {name: request.form.get(name, "") for name in campaigns.CAMPAIGN_FIELDS}
    try:
        campaigns.update_campaign(session, campaign, values, actor=actor())
    except InvalidInput as error:
        errors = as_sentences(error.extra["errors"])
        return _render_board(campaign, Forms.refused("campaign", errors, values), 422)
    return _saved(_board_url(campaign), "board", "Campaign saved.")


@bp.post("/campaigns/<int:campaign_id>/days/<int:day_id>")
@login_required("contributor")
def save_day(campaign_id: int, day_id: int) -> Response:
    """Save a day's theme, hashtag and brief."""
    session = get_session()
    campaign = campaigns.get_campaign(session, campaign_id)
    day = campaigns.get_day(session, campaign, day_id)
    values = {name: request.form.get(name, "") for name in DAY_FORM_FIELDS}
    try:
        campaigns.update_day(session, day, values, actor=actor())
    except InvalidInput as error:
        errors = as_sentences(error.extra["errors"])
        return _render_board(campaign, Forms.refused(f"day-{day.id}", errors, values), 422)
    return _saved(_board_url(campaign), f"day-{day.id}", f"{day_label(day.date)} saved.")


@bp.post("/campaigns/<int:campaign_id>/days/<int:day_id>/posts")
@login_required("contributor")
def add_post(campaign_id: int, day_id: int) -> Response:
    """Plan a post on a day at a time, to some platforms; its images and captions follow."""
    session = get_session()
    campaign = campaigns.get_campaign(session, campaign_id)
    day = campaigns.get_day(session, campaign, day_id)
    time = request.form.get("time", "")
    values: dict[str, Any] = {"time": time, "platforms": request.form.getlist("platforms")}
    fields = {"day": day.date.isoformat(), **values}
    try:
        if not time.strip():
            raise InvalidInput({"time": "enter the time the post goes out, such as 09:30"})
        post = posts.add_post(session, campaign, fields, actor=actor(), presets=presets())
    except InvalidInput as error:
        errors = _shown_post_errors(error)
        return _render_board(campaign, Forms.refused(f"add-{day.id}", errors, values), 422)
    when = f"{posts.local_time(post, campaign):%H:%M}"
    return _saved(_board_url(campaign), f"post-{post.id}", f"Post added at {when}.")


@bp.post("/campaigns/<int:campaign_id>/posts/<int:post_id>/move")
@login_required("contributor")
def move_post(campaign_id: int, post_id: int) -> Response:
    """Move a post to another day of the campaign, at the same local time (the board's select,
    or a card dropped on a column)."""
    session = get_session()
    campaign = campaigns.get_campaign(session, campaign_id)
    post = posts.get_post(session, campaign, post_id)
    values = {"day": request.form.get("day", "")}
    try:
        posts.update_post(session, campaign, post, values, actor=actor(), presets=presets())
    except InvalidInput as error:
        errors = _shown_post_errors(error)
        return _render_board(campaign, Forms.refused(f"move-{post.id}", errors, values), 422)
    return _saved(
        _board_url(campaign), f"post-{post.id}", f"Post moved to {day_label(post.day.date)}."
    )


def _kept(item: PostMedia) -> dict[str, Any]:
    """A media item as it stands, to send back with the post's new list."""
    return {"asset_id": item.asset_id, "alt_text": item.alt_text, "presets": dict(item.presets)}


@bp.post("/campaigns/<int:campaign_id>/media")
@login_required("contributor")
def add_media(campaign_id: int) -> Response:
    """Add the selected library assets to the end of a post's images (the board's search, or
    an image dropped on a card)."""
    session = get_session()
    campaign = campaigns.get_campaign(session, campaign_id)
    raw_ids = request.form.getlist("asset_ids")
    raw_post = request.form.get("post_id", "")
    values = {"post_id": raw_post, "asset_ids": raw_ids, "q": request.form.get("q")}
    errors: dict[str, str] = {}
    post_id = _int_or_none(raw_post)
    post = next((p for p in posts.posts_of(campaign) if p.id == post_id), None)
    if post is None:
        errors["post_id"] = "Choose the post to add the images to."
    if not raw_ids:
        errors["asset_ids"] = "Select at least one image."
    elif not all(is_id(raw) for raw in raw_ids):
        errors["asset_ids"] = "The selection holds something that is not an asset id."
    if post is not None and not errors:
        media = [_kept(item) for item in post.media] + [{"asset_id": int(i)} for i in raw_ids]
        try:
            posts.update_post(
                session, campaign, post, {"media": media}, actor=actor(), presets=presets()
            )
        except InvalidInput as error:
            errors["asset_ids"] = " ".join(_shown_post_errors(error).values())
    if errors or post is None:
        return _render_board(campaign, Forms.refused("media", errors, values), 422)
    added = len(raw_ids)
    text = f"{added} image{'s' if added != 1 else ''} added; the post has {len(post.media)}."
    back = safe_next(request.form.get("next") or _board_url(campaign))
    return _saved(back.split("#", 1)[0], f"post-{post.id}", text)


# --- the post editor ------------------------------------------------------------------------


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
        results=_search(session, query),
        composed=COMPOSED,
        platform_name=platform_name,
        status_names=STATUS_NAMES,
        notice=_notice() if status == 200 else None,
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
            campaign, post, errors=_shown_post_errors(error), typed=typed, status=422
        )
    text = f"{done}; post saved." if done else "Post saved."
    return _saved(_post_url(campaign, post), "media" if op else "saved", text)


def _shown_post_errors(error: InvalidInput) -> dict[str, str]:
    """The post service's messages, keyed by the editor's controls, as sentences:
    ``captions`` ("x: must be ...") goes beside that platform's caption, ``media[2]...``
    beside the third image."""
    shown: dict[str, str] = {}
    for name, message in error.extra["errors"].items():
        text = str(message)
        if name == "captions":
            platform, sep, rest = text.partition(": ")
            if sep and platform in plan_rules.POST_PLATFORMS:
                name, text = f"text-{platform}", rest
        elif name.startswith("media[") and "]" in name:
            index = name[len("media[") : name.index("]")]
            name = f"media-{index}" if index.isdigit() else "media"
        shown[name] = text
    return as_sentences(shown)
