"""The campaign pages: the list of campaigns (and a new one) and the board: days as columns
(each day's theme, hashtag and brief; days added and, when empty, deleted), posts as cards
(added on a day, moved between days, given images from the library). The post editor is
``campaign_posts``; what both share, ``campaign_common``. All is written through
``services/campaigns`` and ``services/posts``.

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

from flask import current_app, g, render_template, request, url_for
from werkzeug.wrappers import Response

from service.http.database import get_session
from service.rules import campaigns as plan_rules
from service.rules.ids import is_id
from service.rules.problems import InvalidInput
from service.services import campaigns, posts, takedown
from service.storage.db import utcnow
from service.storage.models import Campaign, CampaignDay, Post, PostMedia
from service.web import bp
from service.web.campaign_common import (
    STATUS_NAMES,
    UNCONFIRMED,
    day_label,
    int_or_none,
    notice,
    platform_name,
    saved,
    search,
    shown_post_errors,
)
from service.web.common import actor, as_sentences, image_alt, presets
from service.web.session import login_required, safe_next

DEFAULT_DAYS = 7  # a #MuseumWeek
NEW_CAMPAIGN_FIELDS = ("name", "hashtag", "cause_tag", "timezone", "first_date", "days")
DAY_FORM_FIELDS = ("theme", "hashtag", "brief")
NEW_DAY_FIELDS = ("date", "theme", "hashtag")


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
    return saved(url, "board", f"Campaign “{campaign.name}” created with {len(dates)} days.")


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


def _next_date(campaign: Campaign) -> str:
    """The date offered to "Add a day": the day after the last (none past the last allowed)."""
    if not campaign.days:
        return ""
    after = campaign.days[-1].date + timedelta(days=1)
    return after.isoformat() if after <= plan_rules.LAST_DATE else ""


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
        results=search(session, query),
        chosen_post=chosen_post,
        post_platforms=[(key, platform_name(key)) for key in plan_rules.POST_PLATFORMS],
        new_post_platforms=_new_post_platforms(campaign),
        next_date=_next_date(campaign),
        max_days=plan_rules.MAX_DAYS,
        status_names=STATUS_NAMES,
        takedown=takedown.withdrawn_in_campaign(session, campaign, on=utcnow().date()),
        platform_name=platform_name,
        notice=notice() if status == 200 else None,
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
    return saved(_board_url(campaign), "board", "Campaign saved.")


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
    return saved(_board_url(campaign), f"day-{day.id}", f"{day_label(day.date)} saved.")


@bp.post("/campaigns/<int:campaign_id>/days")
@login_required("contributor")
def add_day(campaign_id: int) -> Response:
    """Add a day to the campaign, on a date it has no day on yet, with its theme and hashtag."""
    session = get_session()
    campaign = campaigns.get_campaign(session, campaign_id)
    values = {name: request.form.get(name, "") for name in NEW_DAY_FIELDS}
    try:
        if not values["date"].strip():
            raise InvalidInput({"date": "enter the day's date, such as 2026-06-15"})
        day = campaigns.add_day(session, campaign, values, actor=actor())
    except InvalidInput as error:
        errors = as_sentences(error.extra["errors"])
        return _render_board(campaign, Forms.refused("new-day", errors, values), 422)
    return saved(_board_url(campaign), f"day-{day.id}", f"{day_label(day.date)} added.")


@bp.post("/campaigns/<int:campaign_id>/days/<int:day_id>/delete")
@login_required("contributor")
def delete_day(campaign_id: int, day_id: int) -> Response:
    """Delete an empty day, once its box is ticked. The service would delete its posts with
    it; the board asks for them to be moved or deleted first, so that none goes unnoticed."""
    session = get_session()
    campaign = campaigns.get_campaign(session, campaign_id)
    day = campaigns.get_day(session, campaign, day_id)
    label, count = day_label(day.date), len(day.posts)
    values = {"confirm": request.form.get("confirm", "")}
    if count:
        posts_left = f"{count} post{'s' if count != 1 else ''}"
        them = "them" if count != 1 else "it"
        error = f"{label} still has {posts_left}: move or delete {them} first. Nothing was deleted."
    elif values["confirm"] != "yes":
        error = UNCONFIRMED
    else:
        campaigns.delete_day(session, day, actor=actor())
        return saved(_board_url(campaign), "board", f"{label} deleted.")
    refused = Forms.refused(f"delete-day-{day.id}", {"confirm": error}, values)
    return _render_board(campaign, refused, 422)


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
        errors = shown_post_errors(error)
        return _render_board(campaign, Forms.refused(f"add-{day.id}", errors, values), 422)
    when = f"{posts.local_time(post, campaign):%H:%M}"
    return saved(_board_url(campaign), f"post-{post.id}", f"Post added at {when}.")


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
        errors = shown_post_errors(error)
        return _render_board(campaign, Forms.refused(f"move-{post.id}", errors, values), 422)
    return saved(
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
    post_id = int_or_none(raw_post)
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
            errors["asset_ids"] = " ".join(shown_post_errors(error).values())
    if errors or post is None:
        return _render_board(campaign, Forms.refused("media", errors, values), 422)
    added = len(raw_ids)
    text = f"{added} image{'s' if added != 1 else ''} added; the post has {len(post.media)}."
    back = safe_next(request.form.get("next") or _board_url(campaign))
    return saved(back.split("#", 1)[0], f"post-{post.id}", text)
