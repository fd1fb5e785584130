"""``vitrine campaign``: a #MuseumWeek plan imported from its YAML file, listed, written back
and imported again under another name; bad plans refused by where they are wrong, with
nothing created; and ``import_plan`` leaving nothing behind in its caller's session."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from service.http.transactions import transaction
from service.rules.presets import DEFAULT_PRESETS
from service.rules.problems import InvalidInput
from service.services import campaign_plans, posts
from service.storage.models import Campaign, CampaignDay, CampaignEvent, Post, PostMedia
from tests.support import photos
from tests.support.api import upload

pytestmark = pytest.mark.parametrize("blob_settings", ["local"], indirect=True)

PLAN = Path(__file__).resolve().parents[1] / "data" / "campaigns" / "museumweek-2016.yaml"
NAME = "MuseumWeek 2016: ITP"
Tokens = dict[str, dict[str, str]]


def _object_numbers(plan: dict[str, Any]) -> list[str]:
    numbers = [
        item["object_number"]
        for day in plan["days"]
        for post in day.get("posts", [])
        for item in post["media"]
    ]
    return list(dict.fromkeys(numbers))


def _source() -> dict[str, Any]:
    """The plan file as JSON would hold it (YAML reads its dates as dates)."""
    loaded = yaml.safe_load(PLAN.read_text(encoding="utf-8"))
    converted: dict[str, Any] = json.loads(json.dumps(loaded, default=str))
    return converted


def _upload_the_week(client: FlaskClient, tokens: Tokens) -> dict[str, int]:
    """A photo for each object number the plan names."""
    ids = {}
    for index, number in enumerate(_object_numbers(_source())):
        response = upload(
            client, tokens["contributor"], photos.jpeg_plain(60 + index, 40),
            object_number=number, alt_text=f"Photo {number}.",
        )  # fmt: skip
        assert response.status_code == 201, response.json
        ids[number] = response.json["id"]
    return ids


def _counts(app: Flask) -> tuple[int, ...]:
    with transaction(app) as session:
        return tuple(
            session.scalar(select(func.count()).select_from(table)) or 0
            for table in (Campaign, CampaignDay, Post, PostMedia, CampaignEvent)
        )


def test_the_museumweek_plan_is_imported_listed_and_written_back_the_same(
    app: Flask, client: FlaskClient, tokens: Tokens, runner: Any, tmp_path: Path
) -> None:
    ids = _upload_the_week(client, tokens)
    imported = runner.invoke(args=["campaign", "import", str(PLAN)])
    assert imported.exit_code == 0, imported.output
    assert f"{NAME!r}: 7 day(s), 8 post(s)" in imported.output

    with transaction(app) as session:
        campaign = session.scalars(select(Campaign)).one()
        assert [day.hashtag for day in campaign.days] == [
            "#secretsMW", "#peopleMW", "#architectureMW", "#heritageMW", "#futureMW",
            "#zoomMW", "#loveMW",
        ]  # fmt: skip
        first = campaign.days[0].posts[0]
        assert posts.local_time(first, campaign).isoformat() == "2016-03-28T09:30:00+01:00"
        carousel = campaign.days[1].posts[0]
        assert [item.asset_id for item in carousel.media] == [
            ids[n] for n in ("ITP-PHOTO-2015-014", "ITP-PHOTO-2015-015", "CSMVS-2015-003",
                             "EMC-2015-007")
        ]  # fmt: skip
        assert campaign.created_by == "cli"

    listed = runner.invoke(args=["campaign", "list"])
    assert listed.exit_code == 0
    assert listed.output.split("\t")[1:] == [
        NAME, "#MuseumWeek", "Europe/London", "2016-03-28..2016-04-03", "8 post(s)\n",
    ]  # fmt: skip

    # Written back, the plan is the file's, value for value.
    written = tmp_path / "week.yaml"
    planned = runner.invoke(args=["campaign", "plan", NAME, "--out", str(written)])
    assert planned.exit_code == 0, planned.output
    assert yaml.safe_load(written.read_text(encoding="utf-8")) == _source()
    to_stdout = runner.invoke(args=["campaign", "plan", NAME, "--out", "-", "--format", "json"])
    assert json.loads(to_stdout.stdout) == _source()

    # Imported again under another name (as JSON this time), it is the same plan.
    as_json = tmp_path / "copy.json"
    as_json.write_text(json.dumps({**_source(), "name": "MuseumWeek 2016, again"}))
    again = runner.invoke(args=["campaign", "import", str(as_json)])
    assert again.exit_code == 0, again.output
    copied = runner.invoke(args=["campaign", "plan", "MuseumWeek 2016, again", "--out", "-"])
    assert yaml.safe_load(copied.stdout) == {**_source(), "name": "MuseumWeek 2016, again"}


def test_a_bad_plan_is_refused_by_where_it_is_wrong_and_creates_nothing(
    app: Flask, client: FlaskClient, tokens: Tokens, runner: Any, tmp_path: Path
) -> None:
    _upload_the_week(client, tokens)
    assert runner.invoke(args=["campaign", "import", str(PLAN)]).exit_code == 0
    before = _counts(app)

    twice = runner.invoke(args=["campaign", "import", str(PLAN)])
    assert twice.exit_code == 1
    assert f"name: a campaign named {NAME!r} exists already" in twice.output

    plan = _source()
    plan["days"][2]["posts"][0]["media"].append({"object_number": "NOT-IN-THE-LIBRARY"})
    plan["days"][4]["posts"][0]["platforms"] = ["x", "myspace"]
    plan["days"][6]["hashtag"] = "love MW"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({**plan, "name": "Another week"}), encoding="utf-8")
    refused = runner.invoke(args=["campaign", "import", str(bad)])
    assert refused.exit_code == 1
    assert f"{bad} is not a plan Vitrine takes:" in refused.output
    assert "days[2].posts[0].media[1]: no asset has the object number 'NOT-IN-THE-LIBRARY'" in (
        refused.output
    )
    assert "days[4].posts[0].platforms: 'myspace' is not a platform" in refused.output
    assert "days[6].hashtag:" in refused.output

    broken = tmp_path / "broken.yaml"
    broken.write_text("name: A week\ndays:\n  - date: 2016-03-28\n   theme: [unclosed\n")
    unreadable = runner.invoke(args=["campaign", "import", str(broken)])
    assert unreadable.exit_code == 1
    assert f"{broken}, line 4, column 4: not YAML" in unreadable.output
    not_json = tmp_path / "broken.json"
    not_json.write_text('{"name": "A week",\n "days": [}')
    unreadable = runner.invoke(args=["campaign", "import", str(not_json)])
    assert f"{not_json}, line 2, column 11: not JSON" in unreadable.output
    assert _counts(app) == before
    missing = runner.invoke(args=["campaign", "plan", "No such week", "--out", "-"])
    assert missing.exit_code == 1
    assert "There is no campaign named 'No such week'" in missing.output


def test_times_need_no_quotes_in_a_plan(
    app: Flask, client: FlaskClient, tokens: Tokens, runner: Any, tmp_path: Path
) -> None:
    """YAML 1.1 would read 10:30 as 630 (base 60); a plan reads it as a time."""
    asset = upload(client, tokens["contributor"], photos.jpeg_plain(50, 40), object_number="A1")
    plan = tmp_path / "short.yml"
    plan.write_text(
        "name: Short week\ntimezone: Europe/Paris\ndays:\n  - date: 2016-03-28\n    posts:\n"
        "      - time: 10:30\n        platforms: [x]\n        media: [{object_number: A1}]\n"
    )
    assert runner.invoke(args=["campaign", "import", str(plan)]).exit_code == 0
    with transaction(app) as session:
        post = session.scalars(select(Post)).one()
        campaign = session.get(Campaign, post.campaign_id)
        assert campaign is not None
        assert posts.local_time(post, campaign).isoformat() == "2016-03-28T10:30:00+02:00"
        assert [item.asset_id for item in post.media] == [asset.json["id"]]


def test_a_refused_plan_leaves_nothing_in_the_callers_session(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    _upload_the_week(client, tokens)
    plan = _source()
    plan["days"][6]["posts"][0]["media"] = [{"asset_id": 10**6}]
    with transaction(app) as session:
        with pytest.raises(InvalidInput) as refused:
            campaign_plans.import_plan(session, plan, actor="ana", presets=DEFAULT_PRESETS)
        assert refused.value.extra["errors"] == {
            "days[6].posts[0].media[0]": "there is no asset 1000000"
        }
        # Six days' rows were flushed before the seventh was refused: none is left, and the
        # caller's session goes on.
        assert session.scalars(select(CampaignDay)).all() == []
        assert session.scalars(select(CampaignEvent)).all() == []
        fine = campaign_plans.import_plan(session, _source(), actor="ana", presets=DEFAULT_PRESETS)
        assert campaign_plans.plan_of(fine) == _source()
    assert _counts(app)[:3] == (1, 7, 8)
