"""Planning a campaign through the service layer: days, posts in the campaign's time zone,
media by object number, moving a post, and the history of every change."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.http.transactions import transaction
from service.rules.presets import DEFAULT_PRESETS
from service.rules.problems import InvalidInput
from service.services import campaign_plans, campaigns, posts
from tests.support.api import basket


def _week(session: Any) -> Any:
    campaign = campaigns.create_campaign(
        session,
        {"name": "MuseumWeek 2026", "hashtag": "MuseumWeek", "timezone": "Europe/London"},
        actor="ana",
    )
    for offset, (theme, tag) in enumerate([("Secrets", "#SecretsMW"), ("People", "peopleMW")]):
        campaigns.add_day(
            session,
            campaign,
            {"date": f"2026-06-0{8 + offset}", "theme": theme, "hashtag": tag},
            actor="ana",
        )
    return campaign


def test_a_week_is_planned_in_its_own_time_zone(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    first = basket(client, tokens)
    with transaction(app) as session:
        campaign = _week(session)
        assert [day.hashtag for day in campaign.days] == ["#SecretsMW", "#peopleMW"]
        assert campaign.hashtag == "#MuseumWeek"
        post = posts.add_post(
            session,
            campaign,
            {
                "day": "2026-06-08",
                "time": "09:30",
                "platforms": ["twitter", "bluesky", "instagram"],
                "media": [{"object_number": "Af1935,0711.1", "alt_text": "A basket, lid closed."}],
                "captions": {"x": "Our secret: a basket. © The Trustees of the British Museum"},
            },
            actor="ana",
            presets=DEFAULT_PRESETS,
        )
        # 09:30 in London in June is 08:30 UTC.
        assert post.scheduled_at == datetime(2026, 6, 8, 8, 30, tzinfo=UTC)
        assert posts.local_time(post, campaign).isoformat() == "2026-06-08T09:30:00+01:00"
        assert post.platforms == ["x", "bluesky", "instagram"]
        posts.update_post(
            session, campaign, post, {"day": "2026-06-09"}, actor="bo", presets=DEFAULT_PRESETS
        )
        assert post.day.date.isoformat() == "2026-06-09"
        assert posts.local_time(post, campaign).isoformat() == "2026-06-09T09:30:00+01:00"
        fields = [event.field for event in campaigns.history(session, campaign.id)]
        assert "post.day" in fields and "post.time" in fields
        assert [item.asset_id for item in post.media] == [first["id"]]


def test_bad_plans_are_refused_field_by_field_and_change_nothing(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    asset = basket(client, tokens)
    with transaction(app) as session:
        campaign = _week(session)
        with pytest.raises(InvalidInput) as refused:
            posts.add_post(
                session,
                campaign,
                {
                    "time": "2026-07-01T09:00+02:00",
                    "platforms": ["x", "myspace"],
                    "media": [{"asset_id": asset["id"], "presets": {"x": "instagram-square"}}],
                    "status": "exported",
                },
                actor="ana",
                presets=DEFAULT_PRESETS,
            )
        errors = refused.value.extra["errors"]
        assert "myspace" in errors["platforms"]
        assert "exporting sets exported" in errors["status"]
        assert "2026-07-01" in errors["day"] or "2026-07-01" in errors.get("time", "")
        assert not any(day.posts for day in campaign.days)
        with pytest.raises(InvalidInput) as bad_tag:
            campaigns.update_campaign(
                session, campaign, {"hashtag": "Museum Week", "timezone": "Mars/Olympus"},
                actor="ana",
            )  # fmt: skip
        assert set(bad_tag.value.extra["errors"]) == {"hashtag", "timezone"}
        assert campaign.hashtag == "#MuseumWeek"


def test_two_plans_racing_for_one_name_end_in_one_campaign_and_a_422(app: Flask) -> None:
    """The name check reads before it writes: a writer whose check ran before the other's
    insert committed is refused by the unique name (422), never answered 500."""
    if app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("SQLite lets one writer in at a time: the check cannot be raced there")
    inserted, checked = threading.Event(), threading.Event()

    def first() -> None:
        with transaction(app) as session:
            campaigns.create_campaign(session, {"name": "Heroes"}, actor="ana")
            inserted.set()
            checked.wait(10)  # commit only once the other has checked and is inserting

    winner = threading.Thread(target=first)
    winner.start()
    inserted.wait(10)
    with transaction(app) as session:
        session.connection()
        original = campaigns._refuse_taken_name

        def check_then_let_the_first_commit(*args: Any) -> None:
            original(*args)  # the row is not committed yet: the name looks free
            checked.set()

        campaigns._refuse_taken_name = check_then_let_the_first_commit  # type: ignore[assignment]
        try:
            with pytest.raises(InvalidInput) as taken:
                campaigns.create_campaign(session, {"name": "Heroes"}, actor="bo")
        finally:
            campaigns._refuse_taken_name = original  # type: ignore[assignment]
    winner.join(10)
    assert "exists already" in taken.value.extra["errors"]["name"]
    with transaction(app) as session:
        assert [c.name for c in campaigns.list_campaigns(session)] == ["Heroes"]


def test_a_unit_of_work_that_fails_after_a_savepoint_keeps_nothing(app: Flask) -> None:
    """A savepoint must not commit by itself: on SQLite a SAVEPOINT sent before any BEGIN
    starts a transaction that its RELEASE commits (storage/db.savepoint begins one first)."""
    with pytest.raises(RuntimeError), transaction(app) as session:
        campaigns.create_campaign(session, {"name": "Heroes"}, actor="ana")  # a savepoint
        raise RuntimeError("the request fails after the campaign was written")
    with pytest.raises(RuntimeError), transaction(app) as session:
        plan = {"name": "Love", "days": [{"date": "2026-06-08", "theme": "Love"}]}
        campaign_plans.import_plan(session, plan, actor="ana", presets=DEFAULT_PRESETS)
        raise RuntimeError("and after a whole plan was written")
    with transaction(app) as session:
        assert campaigns.list_campaigns(session) == []
