"""The campaign API as a team uses it: a contributor plans a week, a viewer reads it, bad
input changes nothing, media are reordered, posts move between days at the same local time,
and the history says who changed what. Every exchange is checked against openapi.yaml."""

from __future__ import annotations

from typing import Any

import pytest

from service.rules import campaigns as rules
from service.rules.licences import CHANNELS
from tests.support import photos
from tests.support.openapi import Api, problem

# The blob store plays no part here: the local one only.
LOCAL = pytest.mark.parametrize("blob_settings", ["local"], indirect=True)

Tokens = dict[str, dict[str, str]]
CAMPAIGNS = "/api/v1/campaigns"


def _asset(api: Api, tokens: Tokens, number: str, width: int, **fields: Any) -> int:
    """A small photo with this object number (each width another asset)."""
    response = api.upload(
        tokens["contributor"],
        photos.jpeg_plain(width, 60),
        f"{number}.jpg",
        object_number=number,
        alt_text=f"The asset's own alt text for {number}.",
        **fields,
    )
    assert response.status_code == 201, response.json
    return int(response.json["id"])


def _week(**extra: Any) -> dict[str, Any]:
    """Two days of #MuseumWeek 2016 in London, the first with a two-image post."""
    return {
        "name": "MuseumWeek 2016",
        "hashtag": "MuseumWeek",
        "timezone": "Europe/London",
        "days": [
            {
                "date": "2016-03-28",
                "theme": "Secrets",
                "hashtag": "secretsMW",
                "posts": [
                    {
                        "time": "09:30",
                        "platforms": ["twitter", "bluesky", "instagram"],
                        "media": [
                            {"object_number": "Af1935,0711.1", "alt_text": "A lidded basket."},
                            {"object_number": "ITP-2015-014"},
                        ],
                        "captions": {"x": "What is inside? #secretsMW"},
                    }
                ],
            },
            {"date": "2016-03-29", "theme": "People", "hashtag": "#peopleMW"},
        ],
        **extra,
    }


def _plan(api: Api, tokens: Tokens) -> tuple[dict[str, Any], list[int]]:
    ids = [_asset(api, tokens, "Af1935,0711.1", 80), _asset(api, tokens, "ITP-2015-014", 81)]
    created = api.call("POST", CAMPAIGNS, json=_week(), headers=tokens["contributor"])
    assert created.status_code == 201, created.json
    return created.json, ids


def _get(api: Api, tokens: Tokens, path: str) -> Any:
    response = api.call("GET", path, headers=tokens["viewer"])
    assert response.status_code == 200, response.json
    return response.json


def test_the_enumerations_are_the_codes_own(schemas: dict[str, Any]) -> None:
    assert schemas["PostPlatform"]["enum"] == list(rules.POST_PLATFORMS)
    assert schemas["PostPlatformName"]["enum"] == [*rules.POST_PLATFORMS, "twitter"]
    assert schemas["PostStatus"]["enum"] == list(rules.POST_STATUSES)
    assert schemas["PostStatusSet"]["enum"] == list(rules.HAND_STATUSES)
    assert schemas["Channel"]["enum"] == list(CHANNELS)
    assert schemas["MediaList"]["maxItems"] == rules.MAX_MEDIA
    assert schemas["CampaignPlan"]["properties"]["days"]["maxItems"] == rules.MAX_DAYS


@LOCAL
def test_a_contributor_plans_a_week_that_a_viewer_reads(api: Api, tokens: Tokens) -> None:
    campaign, (basket, people) = _plan(api, tokens)
    assert (campaign["hashtag"], campaign["starts_on"], campaign["ends_on"]) == (
        "#MuseumWeek", "2016-03-28", "2016-03-29",
    )  # fmt: skip
    url = campaign["links"]["self"]
    read = _get(api, tokens, url)
    assert read == campaign
    secrets, people_day = read["days"]
    assert (secrets["hashtag"], people_day["hashtag"]) == ("#secretsMW", "#peopleMW")
    [post] = secrets["posts"]
    # British Summer Time began on 27 March 2016: 09:30 in London is +01:00.
    assert post["time"] == "2016-03-28T09:30:00+01:00"
    assert (post["platforms"], post["status"], post["channel"]) == (
        ["x", "bluesky", "instagram"], "draft", "social",
    )  # fmt: skip
    assert post["captions"] == {"x": "What is inside? #secretsMW"}
    first, second = post["media"]
    assert (first["asset_id"], first["position"], second["asset_id"]) == (basket, 0, people)
    assert first["alt_text"] == first["alt_text_effective"] == "A lidded basket."
    assert second["alt_text"] is None
    assert second["alt_text_effective"] == "The asset's own alt text for ITP-2015-014."
    assert first["presets_effective"] == {
        "x": "x", "bluesky": "bluesky", "instagram": "instagram-portrait",
    }  # fmt: skip
    assert first["links"]["asset"] == f"/api/v1/assets/{basket}"

    # A third day, a post on it, and the post made ready.
    day = api.call(
        "POST", f"{url}/days", json={"date": "2016-03-30", "theme": "Architecture",
                                     "hashtag": "architectureMW"},
        headers=tokens["contributor"],
    )  # fmt: skip
    assert day.status_code == 201, day.json
    added = api.call(
        "POST", f"{url}/posts",
        json={"day": "2016-03-30", "time": "11:00", "platforms": ["mastodon"],
              "media": [basket, {"asset_id": people, "presets": {"mastodon": "mastodon"}}]},
        headers=tokens["contributor"],
    )  # fmt: skip
    assert added.status_code == 201, added.json
    assert added.headers["Location"] == added.json["links"]["self"]
    assert (added.json["day_id"], added.json["time"]) == (
        day.json["id"], "2016-03-30T11:00:00+01:00",
    )  # fmt: skip
    ready = api.call(
        "PATCH", added.json["links"]["self"], json={"status": "ready"},
        headers=tokens["contributor"],
    )  # fmt: skip
    assert ready.json["status"] == "ready"
    assert _get(api, tokens, added.json["links"]["self"]) == ready.json
    listed = _get(api, tokens, CAMPAIGNS)["items"]
    assert [(c["name"], c["post_count"], c["ends_on"]) for c in listed] == [
        ("MuseumWeek 2016", 2, "2016-03-30")
    ]


@LOCAL
def test_a_viewer_reads_but_may_change_nothing(api: Api, tokens: Tokens) -> None:
    campaign, (basket, _) = _plan(api, tokens)
    url = campaign["links"]["self"]
    day_id = campaign["days"][0]["id"]
    post = campaign["days"][0]["posts"][0]["links"]["self"]
    viewer = tokens["viewer"]
    for method, path, body in [
        ("POST", CAMPAIGNS, {"name": "Another"}),
        ("PATCH", url, {"hashtag": "Other"}),
        ("DELETE", url, None),
        ("POST", f"{url}/days", {"date": "2016-04-01"}),
        ("PATCH", f"{url}/days/{day_id}", {"theme": "Other"}),
        ("DELETE", f"{url}/days/{day_id}", None),
        ("POST", f"{url}/posts", {"day": "2016-03-29", "time": "10:00", "platforms": ["x"]}),
        ("PATCH", post, {"status": "ready"}),
        ("PUT", f"{post}/media", [basket]),
        ("DELETE", post, None),
    ]:
        refused = api.call(method, path, json=body, headers=viewer)
        problem(refused, 403, "forbidden")
    assert _get(api, tokens, url) == campaign
    assert [c["id"] for c in _get(api, tokens, CAMPAIGNS)["items"]] == [campaign["id"]]
    problem(api.call("GET", url, request_valid=False), 401, "unauthenticated")


@LOCAL
def test_a_bad_plan_is_refused_where_it_is_wrong_and_creates_nothing(
    api: Api, tokens: Tokens
) -> None:
    _asset(api, tokens, "Af1935,0711.1", 80)
    plan = _week(timezone="Europe/London", surprise=1)
    plan["days"][0]["posts"][0]["media"].append({"object_number": "NO-SUCH-THING"})
    plan["days"][0]["posts"][0]["status"] = "exported"
    plan["days"][1]["posts"] = [{"time": "25:00", "platforms": ["myspace"]}]
    plan["days"].append({"date": "2016-03-28"})
    refused = api.call(
        "POST", CAMPAIGNS, json=plan, headers=tokens["contributor"], request_valid=False
    )
    errors = problem(refused, 422, "invalid-input")["errors"]
    assert set(errors) == {
        "surprise",
        "days[0].posts[0].media[1]",  # ITP-2015-014 was never uploaded here
        "days[0].posts[0].media[2]",
        "days[0].posts[0].status",
        "days[1].posts[0].platforms",
        "days[1].posts[0].time",
        "days[2].date",
    }
    assert "NO-SUCH-THING" in errors["days[0].posts[0].media[2]"]
    assert "already" in errors["days[2].date"]
    assert _get(api, tokens, CAMPAIGNS)["items"] == []
    # Nothing is left behind to collide with: the same name is free.
    fine = _week()
    fine["days"][0]["posts"][0]["media"] = [{"object_number": "Af1935,0711.1"}]
    assert api.call("POST", CAMPAIGNS, json=fine, headers=tokens["contributor"]).status_code == 201
    history = _get(api, tokens, f"{CAMPAIGNS}/{_get(api, tokens, CAMPAIGNS)['items'][0]['id']}"
                   "/history")["items"]  # fmt: skip
    assert "plan being checked" not in str(history)


@LOCAL
def test_bad_changes_answer_422_naming_each_field_and_change_nothing(
    api: Api, tokens: Tokens
) -> None:
    campaign, (basket, _) = _plan(api, tokens)
    url = campaign["links"]["self"]
    post = campaign["days"][0]["posts"][0]["links"]["self"]
    day = f"{url}/days/{campaign['days'][0]['id']}"
    contributor = tokens["contributor"]
    # The spec refuses some of these already (valid False); the others only the app can.
    for method, path, body, fields, valid in [
        ("PATCH", url, {"hashtag": "Museum Week", "timezone": "Mars/Olympus"},
         {"hashtag", "timezone"}, True),
        ("PATCH", url, {"days": []}, {"days"}, False),
        ("PATCH", url, ["not", "an", "object"], {"body"}, False),
        ("PATCH", day, {"date": "2016-03-29", "posts": []}, {"posts"}, False),
        ("PATCH", day, {"date": "2016-03-29"}, {"date"}, True),  # the other day's date
        ("PATCH", post, {"platforms": [], "channel": "tv", "time": "noon"},
         {"platforms", "channel", "time"}, False),
        ("PATCH", post, {"day": "2016-04-09"}, {"day"}, True),
        ("PATCH", post, {"time": "0001-01-01T00:00:00+14:00"}, {"time"}, True),
        ("PATCH", day, {"date": "1035-12-03"}, {"date"}, True),  # no ISO offset then (LMT)
        ("PUT", f"{post}/media", [basket, {"asset_id": 10**6}, {"object_number": basket}],
         {"media[1]", "media[2]"}, False),
        ("PUT", f"{post}/media", {"media": [basket]}, {"body"}, False),
        ("POST", f"{url}/posts", {"time": "09:00"}, {"platforms"}, False),
    ]:  # fmt: skip
        refused = api.call(method, path, json=body, headers=contributor, request_valid=valid)
        assert set(problem(refused, 422, "invalid-input")["errors"]) == fields, (path, body)
    assert _get(api, tokens, url) == campaign


@LOCAL
def test_media_are_reordered_replaced_and_keep_their_own_alt_text(api: Api, tokens: Tokens) -> None:
    campaign, (basket, people) = _plan(api, tokens)
    post = campaign["days"][0]["posts"][0]
    third = _asset(api, tokens, "CSMVS-2015-003", 82)
    reordered = [
        {"asset_id": third, "alt_text": "Staff of CSMVS Mumbai."},
        {"asset_id": people},
        {"asset_id": basket, "alt_text": "A lidded basket.", "presets": {"instagram":
                                                                         "instagram-square"}},
    ]  # fmt: skip
    put = api.call("PUT", post["links"]["media"], json=reordered, headers=tokens["contributor"])
    assert put.status_code == 200, put.json
    media = put.json["media"]
    assert [(m["asset_id"], m["position"]) for m in media] == [(third, 0), (people, 1), (basket, 2)]
    assert [m["alt_text"] for m in media] == ["Staff of CSMVS Mumbai.", None, "A lidded basket."]
    assert media[2]["presets_effective"]["instagram"] == "instagram-square"
    assert media[0]["presets_effective"]["instagram"] == "instagram-portrait"
    assert _get(api, tokens, post["links"]["self"])["media"] == media
    shorter = api.call("PUT", post["links"]["media"], json=[people], headers=tokens["contributor"])
    assert [m["asset_id"] for m in shorter.json["media"]] == [people]


@LOCAL
def test_moving_a_post_or_its_day_keeps_its_local_time(api: Api, tokens: Tokens) -> None:
    campaign, _ = _plan(api, tokens)
    url = campaign["links"]["self"]
    # Before British Summer Time began (27 March 2016): London was at +00:00.
    early = api.call("POST", f"{url}/days", json={"date": "2016-03-26"},
                     headers=tokens["contributor"])  # fmt: skip
    assert early.status_code == 201
    post = campaign["days"][0]["posts"][0]["links"]["self"]
    moved = api.call("PATCH", post, json={"day": "2016-03-26"}, headers=tokens["contributor"])
    assert moved.status_code == 200, moved.json
    assert (moved.json["day"], moved.json["time"]) == ("2016-03-26", "2016-03-26T09:30:00+00:00")
    assert moved.json["day_id"] == early.json["id"]
    # The day itself moved to another date takes its posts along, at 09:30 still.
    day = f"{url}/days/{early.json['id']}"
    again = api.call("PATCH", day, json={"date": "2016-04-02"}, headers=tokens["contributor"])
    assert again.status_code == 200, again.json
    assert again.json["posts"][0]["time"] == "2016-04-02T09:30:00+01:00"
    read = _get(api, tokens, url)
    assert [d["date"] for d in read["days"]] == ["2016-03-28", "2016-03-29", "2016-04-02"]
    assert read["days"][0]["posts"] == []


@LOCAL
def test_a_published_post_needs_its_remote_url(api: Api, tokens: Tokens) -> None:
    campaign, _ = _plan(api, tokens)
    post = campaign["days"][0]["posts"][0]["links"]["self"]
    refused = api.call("PATCH", post, json={"status": "published"}, headers=tokens["contributor"])
    assert "remote_url" in problem(refused, 422, "invalid-input")["errors"]
    assert _get(api, tokens, post)["status"] == "draft"
    remote = "https://bsky.app/profile/museum.example/post/3kabc"
    published = api.call(
        "PATCH", post, json={"status": "published", "remote_url": remote},
        headers=tokens["contributor"],
    )  # fmt: skip
    assert (published.json["status"], published.json["remote_url"]) == ("published", remote)
    exported = api.call(
        "PATCH", post, json={"status": "exported"}, headers=tokens["contributor"],
        request_valid=False,
    )  # fmt: skip
    assert "exporting" in problem(exported, 422, "invalid-input")["errors"]["status"]


@LOCAL
def test_the_history_says_who_changed_what_and_outlives_the_campaign(
    api: Api, tokens: Tokens
) -> None:
    campaign, _ = _plan(api, tokens)
    url = campaign["links"]["self"]
    post = campaign["days"][0]["posts"][0]
    api.call("PATCH", url, json={"cause_tag": "WomenMW"}, headers=tokens["rights"])
    api.call("PATCH", post["links"]["self"], json={"captions": {"x": None}},
             headers=tokens["contributor"])  # fmt: skip
    assert api.call("DELETE", post["links"]["self"],
                    headers=tokens["contributor"]).status_code == 204  # fmt: skip
    problem(api.call("GET", post["links"]["self"], headers=tokens["viewer"]), 404, "not-found")
    assert api.call("DELETE", url, headers=tokens["contributor"]).status_code == 204
    problem(api.call("GET", url, headers=tokens["viewer"]), 404, "not-found")

    events = _get(api, tokens, campaign["links"]["history"])["items"]
    said = [(e["actor"], e["field"], e["post_id"]) for e in events]
    contributor, rights = "token:contributor-user", "token:rights-user"
    assert said[0] == (contributor, "created", None)
    assert (rights, "cause_tag", None) in said
    assert (contributor, "post.captions", post["id"]) in said
    assert (contributor, "deleted", post["id"]) in said
    assert said[-1] == (contributor, "deleted", None)
    captions = next(e for e in events if e["field"] == "post.captions")
    assert (captions["before"], captions["after"]) == ({"x": "What is inside? #secretsMW"}, {})
    cause = next(e for e in events if e["field"] == "cause_tag")
    assert (cause["before"], cause["after"]) == ("", "#WomenMW")


@LOCAL
def test_unknown_ids_answer_404(api: Api, tokens: Tokens) -> None:
    campaign, _ = _plan(api, tokens)
    other = api.call("POST", CAMPAIGNS, json={"name": "Another week"},
                     headers=tokens["contributor"]).json  # fmt: skip
    post_id = campaign["days"][0]["posts"][0]["id"]
    day_id = campaign["days"][0]["id"]
    elsewhere = f"{CAMPAIGNS}/{other['id']}"
    for method, path, body in [
        ("GET", f"{CAMPAIGNS}/999999", None),
        ("GET", f"{CAMPAIGNS}/999999/history", None),
        ("GET", f"{elsewhere}/posts/{post_id}", None),  # another campaign's post
        ("PATCH", f"{elsewhere}/posts/{post_id}", {"status": "ready"}),
        ("PATCH", f"{elsewhere}/days/{day_id}", {"theme": "Moved"}),
        ("DELETE", f"{elsewhere}/days/{day_id}", None),
        ("DELETE", f"{CAMPAIGNS}/{2**31}", None),
    ]:
        problem(api.call(method, path, json=body, headers=tokens["contributor"]), 404,
                "not-found")  # fmt: skip
    assert _get(api, tokens, campaign["links"]["self"]) == campaign
