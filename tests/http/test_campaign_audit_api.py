"""The campaign audit through the API and the CLI: a #MuseumWeek week with a four-image
carousel from two holders, checked post by post, platform by platform, image by image."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.cli.campaign_audit import campaign_audit_command
from service.http.transactions import transaction
from service.rules.presets import DEFAULT_PRESETS
from service.services import campaigns, posts
from tests.support import photos
from tests.support.api import cleared_asset, upload
from tests.support.database import counting_statements
from tests.support.openapi import Api, problem
from tests.support.people import depict, no_recognisable_people
from tests.support.rights import BM, CC_BY

Tokens = dict[str, dict[str, str]]
# The audit reads no blob: the local store is enough (both databases run).
pytestmark = pytest.mark.parametrize("blob_settings", ["local"], indirect=True)
EGYPT = "Courtesy of the Egyptian Museum, Cairo"
THEMES = [("Secrets", "#SecretsMW"), ("People", "#PeopleMW"), ("Places", "#PlacesMW"),
          ("Heritage", "#HeritageMW"), ("Future", "#FutureMW"), ("Zoom", "#ZoomMW"),
          ("Love", "#LoveMW")]  # fmt: skip


def _egyptian(client: FlaskClient, tokens: Tokens, width: int, *, cleared: bool = True) -> int:
    """A photograph of the Egyptian Museum's, described, showing no recognisable people;
    cleared unless told otherwise."""
    made = upload(
        client, tokens["contributor"], photos.jpeg_plain(width, 1200), "mask.jpg",
        title="Funerary mask", object_number=f"JE {width}", alt_text="A gilded funerary mask.",
    )  # fmt: skip
    assert made.status_code == 201, made.json
    asset_id = int(made.json["id"])
    body = {"holder": "The Egyptian Museum, Cairo", "credit_line": EGYPT, "licence_uri": CC_BY,
            "channels": ["web", "social"], "status": "cleared" if cleared else "pending"}  # fmt: skip
    answer = client.put(f"/api/v1/assets/{asset_id}/rights", json=body, headers=tokens["rights"])
    assert answer.status_code == 200, answer.json
    no_recognisable_people(client.application, asset_id)
    return asset_id


def _week(session: Any, name: str = "MuseumWeek 2026") -> Any:
    campaign = campaigns.create_campaign(
        session,
        {"name": name, "hashtag": "MuseumWeek", "timezone": "Europe/London"},
        actor="ana",
    )
    for offset, (theme, tag) in enumerate(THEMES):
        fields = {"date": f"2026-06-{8 + offset:02d}", "theme": theme, "hashtag": tag}
        campaigns.add_day(session, campaign, fields, actor="ana")
    return campaign


def _post(session: Any, campaign: Any, day: int, time: str, platforms: list[str],
          media: list[int], **fields: Any) -> int:  # fmt: skip
    created = posts.add_post(
        session,
        campaign,
        {"day": f"2026-06-{day:02d}", "time": time, "platforms": platforms,
         "media": [{"asset_id": asset_id} for asset_id in media], **fields},
        actor="ana",
        presets=DEFAULT_PRESETS,
    )  # fmt: skip
    session.flush()
    return int(created.id)


def _plan(app: Flask, client: FlaskClient, tokens: Tokens) -> dict[str, int]:
    """The week: a clean carousel, a 5-image Bluesky post, a caption missing a credit, two X
    posts 5 minutes apart and one with uncleared rights."""
    bm = [cleared_asset(client, tokens, width=2400 + n) for n in range(3)]
    eg = [_egyptian(client, tokens, 1600 + n) for n in range(2)]
    pending = _egyptian(client, tokens, 1700, cleared=False)
    with transaction(app) as session:
        campaign = _week(session)
        ids = {"campaign": campaign.id}
        ids["carousel"] = _post(session, campaign, 8, "09:00", ["x", "bluesky", "instagram"],
                                [bm[0], eg[0], bm[1], eg[1]])  # fmt: skip
        ids["five"] = _post(session, campaign, 9, "09:00", ["bluesky"], [*bm, *eg])
        lacking = f"People of the museum.\n\n{BM}\n\n#PeopleMW #MuseumWeek"
        ids["lacking"] = _post(session, campaign, 9, "12:00", ["x"], [bm[0], eg[0]],
                               captions={"x": lacking})  # fmt: skip
        ids["first"] = _post(session, campaign, 10, "10:00", ["x"], [bm[2]])
        ids["close"] = _post(session, campaign, 10, "10:05", ["x"], [bm[1]])
        ids["uncleared"] = _post(session, campaign, 12, "09:00", ["x"], [pending])
        ids["pending_asset"] = pending
    return ids


def _failing(body: dict[str, Any], post_id: int, platform: str | None = None) -> list[Any]:
    return [
        (r["group"], r["check"], r["position"])
        for r in body["results"]
        if r["post_id"] == post_id
        and r["status"] == "fail"
        and (platform is None or r["platform"] == platform)
    ]


def test_a_week_is_audited_post_by_post_platform_by_platform_image_by_image(
    app: Flask, client: FlaskClient, api: Api, tokens: Tokens
) -> None:
    ids = _plan(app, client, tokens)
    url = f"/api/v1/campaigns/{ids['campaign']}/audit"
    answer = api.call("GET", url, headers=tokens["viewer"])
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert body["outcome"] == "fail" and body["min_spacing_minutes"] == 10
    assert [post["id"] for post in body["posts"]] == [
        ids[name] for name in ("carousel", "five", "lacking", "first", "close", "uncleared")
    ]
    assert body["posts"][0]["time"] == "2026-06-08T09:00:00+01:00"

    # The carousel of four from two holders passes on X, Bluesky (embed.images) and Instagram.
    assert _failing(body, ids["carousel"]) == []
    counted = [r for r in body["results"] if r["post_id"] == ids["carousel"]
               and r["check"] == "media_count_within_limit"]  # fmt: skip
    assert {r["platform"]: r["status"] for r in counted} == {
        "x": "pass", "bluesky": "pass", "instagram": "pass"}  # fmt: skip
    credited = [r for r in body["results"] if r["post_id"] == ids["carousel"]
                and r["check"] == "credit_line_in_caption" and r["platform"] == "x"]  # fmt: skip
    assert [(r["position"], r["status"]) for r in credited] == [
        (0, "pass"), (1, "pass"), (2, "pass"), (3, "pass")]  # fmt: skip
    # Five on Bluesky: the gallery holds them.
    assert _failing(body, ids["five"]) == []

    # The hand-written caption lacks the second image's credit.
    assert _failing(body, ids["lacking"]) == [("caption", "credit_line_in_caption", 1)]
    [lacks] = [r for r in body["results"] if r["post_id"] == ids["lacking"]
               and r["status"] == "fail"]  # fmt: skip
    assert EGYPT in lacks["reason"]
    assert lacks["fix"] == {"kind": "post_caption", "post_id": ids["lacking"],
                            "asset_id": lacks["fix"]["asset_id"], "platform": "x",
                            "position": 1, "field": "caption"}  # fmt: skip

    # Five minutes after the previous X post.
    assert _failing(body, ids["first"]) == []
    assert _failing(body, ids["close"]) == [("schedule", "spaced_from_previous", None)]

    # Pending rights fail, fixed on the asset's rights.
    assert _failing(body, ids["uncleared"]) == [("rights", "rights_status_cleared", 0)]
    [rights] = [r for r in body["results"] if r["post_id"] == ids["uncleared"]
                and r["status"] == "fail"]  # fmt: skip
    assert rights["fix"] == {"kind": "asset_rights", "post_id": None,
                             "asset_id": ids["pending_asset"], "platform": None,
                             "position": None, "field": "status"}  # fmt: skip

    failing_cells = [cell for cell in body["cells"] if cell["status"] == "fail"]
    assert len(failing_cells) == body["summary"]["cells_failed"] == 3
    assert body["summary"]["posts"] == 6

    # Under app.bsky.embed.images, five images are one too many.
    images = api.call("GET", url + "?bluesky_embed=images", headers=tokens["viewer"]).json
    assert _failing(images, ids["five"]) == [("media", "media_count_within_limit", None)]
    assert _failing(images, ids["carousel"]) == []
    # At five minutes' spacing, the close posts pass.
    assert _failing(api.call("GET", url + "?min_spacing=5", headers=tokens["viewer"]).json,
                    ids["close"]) == []  # fmt: skip


def test_a_post_left_outside_the_campaign_by_a_new_time_zone_fails(
    app: Flask, client: FlaskClient, api: Api, tokens: Tokens
) -> None:
    asset_id = cleared_asset(client, tokens)
    with transaction(app) as session:
        campaign = _week(session)
        early = _post(session, campaign, 8, "00:30", ["x"], [asset_id])
        later = _post(session, campaign, 9, "09:00", ["x"], [asset_id])
        # 00:30 in London on the first day is 23:30 the day before in UTC: the post keeps
        # its instant, and now goes out before the campaign begins.
        campaigns.update_campaign(session, campaign, {"timezone": "UTC"}, actor="ana")
        campaign_id = campaign.id
    body = api.call("GET", f"/api/v1/campaigns/{campaign_id}/audit",
                    headers=tokens["viewer"]).json  # fmt: skip
    assert _failing(body, early) == [("schedule", "time_in_campaign", None)]
    [outside] = [r for r in body["results"] if r["post_id"] == early and r["status"] == "fail"]
    assert outside["code"] == "outside" and "2026-06-07T23:30+00:00" in outside["reason"]
    assert outside["fix"]["kind"] == "post_time"
    assert _failing(body, later) == []


def test_the_audit_reads_back_as_csv_by_format_or_accept(
    app: Flask, client: FlaskClient, api: Api, tokens: Tokens
) -> None:
    ids = _plan(app, client, tokens)
    url = f"/api/v1/campaigns/{ids['campaign']}/audit"
    as_json = client.get(url, headers=tokens["viewer"]).json
    by_format = api.call("GET", url + "?format=csv", headers=tokens["viewer"])
    by_accept = api.call("GET", url, headers={**tokens["viewer"], "Accept": "text/csv"})
    for answer in (by_format, by_accept):
        assert answer.status_code == 200
        assert answer.mimetype == "text/csv"
        name = f"vitrine-campaign-{ids['campaign']}-audit.csv"
        assert answer.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    rows = list(csv.DictReader(io.StringIO(by_format.get_data(as_text=True))))
    assert by_accept.get_data() == by_format.get_data()
    assert len(rows) == len(as_json["results"])
    close = [row for row in rows if row["status"] == "fail"
             and row["post_id"] == str(ids["close"])]  # fmt: skip
    assert [(row["group"], row["check"], row["fix_kind"], row["fix_field"]) for row in close] == [
        ("schedule", "spaced_from_previous", "post_time", "time")]  # fmt: skip
    assert close[0]["time"] == "2026-06-10T10:05:00+01:00"
    # format wins over Accept.
    json_anyway = client.get(url + "?format=json", headers={**tokens["viewer"],
                                                          "Accept": "text/csv"})  # fmt: skip
    assert json_anyway.mimetype == "application/json"


def test_bad_options_and_unknown_campaigns_are_refused(
    app: Flask, client: FlaskClient, api: Api, tokens: Tokens
) -> None:
    with transaction(app) as session:
        campaign_id = _week(session).id
    url = f"/api/v1/campaigns/{campaign_id}/audit"
    for query, field in (("format=xml", "format"), ("min_spacing=-3", "min_spacing"),
                         ("min_spacing=2000", "min_spacing"),
                         ("bluesky_embed=video", "bluesky_embed")):  # fmt: skip
        answer = api.call("GET", f"{url}?{query}", headers=tokens["viewer"], request_valid=False)
        assert field in problem(answer, 422, "invalid-input")["errors"]
    problem(api.call("GET", "/api/v1/campaigns/9999/audit", headers=tokens["viewer"]),
            404, "not-found")  # fmt: skip
    assert api.call("GET", url, request_valid=False).status_code == 401
    empty = api.call("GET", url, headers=tokens["viewer"]).json
    assert (empty["outcome"], empty["posts"], empty["summary"]["checks"]) == ("pass", [], 0)


def test_the_audit_reads_the_same_statements_for_one_post_or_six(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    bm = [cleared_asset(client, tokens, width=2400 + n) for n in range(4)]
    eg = [_egyptian(client, tokens, 1600 + n) for n in range(2)]
    # Two photographs show people, with their consents: read in one statement for all.
    depict(app, bm[0], consents=[{"channels": ["social"]}, {"channels": ["web"]}])
    depict(app, eg[1], role="staff", consents=[{"channels": ["social"]}])
    with transaction(app) as session:
        campaign_id = _week(session).id
    counts = []
    url = f"/api/v1/campaigns/{campaign_id}/audit"
    client.get(url, headers=tokens["viewer"])  # warm: the token's first use is written
    for first, n in ((0, 1), (1, 5)):
        with transaction(app) as session:
            campaign = campaigns.get_campaign(session, campaign_id)
            for number in range(first, first + n):
                media = [bm[number % 4], eg[number % 2], bm[(number + 1) % 4]]
                _post(session, campaign, 8 + number, "09:00", ["x", "bluesky", "instagram"],
                      media)  # fmt: skip
        with counting_statements(app) as statements:
            answer = client.get(url, headers=tokens["viewer"])
        assert answer.status_code == 200
        assert answer.json["summary"]["posts"] == first + n
        assert {r["status"] for r in answer.json["results"] if r["group"] == "people"} == {"pass"}
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_the_cli_prints_the_grid_and_exits_1_on_any_failure(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    ids = _plan(app, client, tokens)
    runner = app.test_cli_runner()
    failed = runner.invoke(args=["campaign", "audit", "MuseumWeek 2026"])  # as vitrine runs it
    assert failed.exit_code == 1, failed.output
    assert f"post {ids['close']} X: spaced_from_previous" in failed.output
    assert "6 post(s)" in failed.output
    as_csv = runner.invoke(campaign_audit_command, [str(ids["campaign"]), "--format", "csv"])
    assert as_csv.exit_code == 1
    assert as_csv.output.startswith("post_id,time,platform,position,group,check")
    # A campaign whose one post passes exits 0.
    asset_id = cleared_asset(client, tokens, width=2500)
    with transaction(app) as session:
        clean = _week(session, "Clean week")
        _post(session, clean, 8, "09:00", ["x", "bluesky"], [asset_id])
    passed = runner.invoke(campaign_audit_command, ["Clean week", "--format", "json"])
    assert passed.exit_code == 0, passed.output
    assert '"outcome": "pass"' in passed.output or '"outcome": "warn"' in passed.output
    missing = runner.invoke(campaign_audit_command, ["No such week"])
    assert missing.exit_code != 0 and "No such week" in missing.output
