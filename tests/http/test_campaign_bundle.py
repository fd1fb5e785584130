"""The campaign's export bundle, read back whole: the ZIP's files, the manifest against its
shipped schema, the schedulers' CSVs, the images at their presets' sizes, the Mastodon and
Bluesky payloads; a failing audit refused before anything is marked, an override kept in
history, the posts marked exported, and the ZIP streamed with constant memory."""

from __future__ import annotations

import csv
import io
import re
import tracemalloc
import zipfile
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from service.cli.campaign_bundle import export_command
from service.http.context import services
from service.http.transactions import transaction
from service.rules.presets import DEFAULT_PRESETS
from service.rules.roles import Caller
from service.services import campaign_bundle, campaigns
from service.services.history import list_history
from service.storage.models import Campaign
from tests.support import bundles
from tests.support.bundles import BM, VA, VA_HOLDER
from tests.support.openapi import Api, problem
from tests.support.web import add_user, browser_like, csrf, sign_in

Tokens = dict[str, dict[str, str]]
FOCUS = re.compile(r"^(-?[01]\.\d\d),(-?[01]\.\d\d)$")


def _week(app: Flask, client: FlaskClient, tokens: Tokens) -> dict[str, Any]:
    """A week of three posts: two holders on X, Bluesky and Mastodon; a four-image carousel on
    Bluesky and Mastodon, its captions composed; a six-image Bluesky gallery."""
    wide = [bundles.photo(client, tokens, width=2400 + n, height=1800, number=f"W{n}")
            for n in range(2)]  # fmt: skip
    va = bundles.photo(client, tokens, width=2402, height=1800, number="VA1", holder=VA_HOLDER)
    small = [bundles.photo(client, tokens, width=600 + n, height=400 + n % 3 * 100,
                           number=f"S{n}") for n in range(6)]  # fmt: skip
    both = f"Secrets of the stores #MuseumWeek #secretsMW {BM} {VA}"
    campaign_id = bundles.plan(
        app,
        [
            {
                "day": "2026-06-08",
                "time": "09:30",
                "platforms": ["x", "bluesky", "mastodon"],
                "media": [{"asset_id": wide[0]}, {"asset_id": va, "alt_text": "A V&A teapot."}],
                "captions": {"x": both, "bluesky": both, "mastodon": both},
            },
            {
                "day": "2026-06-08",
                "time": "09:45",
                "platforms": ["bluesky", "mastodon"],
                "media": [{"asset_id": asset_id} for asset_id in small[:4]],
            },
            {
                "day": "2026-06-09",
                "time": "12:00",
                "platforms": ["bluesky"],
                "media": [{"asset_id": asset_id} for asset_id in small],
                "captions": {"bluesky": f"Six people #peopleMW {BM}"},
            },
        ],
    )  # fmt: skip
    return {"campaign_id": campaign_id, "wide": wide, "va": va, "small": small}


def _download(api: Api, tokens: Tokens, campaign_id: int, **query: str) -> zipfile.ZipFile:
    response = api.call(
        "GET",
        f"/api/v1/campaigns/{campaign_id}/bundle",
        query_string=query,
        headers=tokens["contributor"],
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return bundles.open_bundle(response.data)


def _statuses(app: Flask, campaign_id: int) -> dict[int, str]:
    with transaction(app) as session:
        campaign = campaigns.get_campaign(session, campaign_id)
        return {post.id: post.status for day in campaign.days for post in day.posts}


def test_the_bundle_reads_back_whole(
    app: Flask, client: FlaskClient, api: Api, tokens: Tokens
) -> None:
    week = _week(app, client, tokens)
    archive = _download(api, tokens, week["campaign_id"], date_format="mdy")
    manifest = bundles.manifest_of(archive)
    names = set(archive.namelist())
    first, carousel, gallery = manifest["posts"]
    assert first["folder"] == f"2026-06-08_0930_secretsMW_post-{first['id']}/"
    assert first["scheduled_at"] == "2026-06-08T09:30:00+01:00"
    assert {"manifest.json", "posts.csv", "sprout-social-x.csv", "sprout-social-bluesky.csv",
            "sprout-social-mastodon.csv"} <= names  # fmt: skip
    # Every file the manifest names is in the ZIP, and every file of the ZIP is named.
    named = {"manifest.json", "posts.csv", *manifest["files"]["sprout_social"]["files"].values()}
    for post in manifest["posts"]:
        named |= {post["credits_file"], post["alt_text_file"], *post["payloads"].values()}
        named |= {caption["file"] for caption in post["captions"].values()}
        named |= {r["file"] for m in post["media"] for r in m["renditions"].values()}
    assert named == names

    # Credits: both holders, once each, in media order, in every caption.
    assert first["credits"] == [BM, VA]
    for post in manifest["posts"]:
        for platform, caption in post["captions"].items():
            text = archive.read(caption["file"]).decode()
            assert text == caption["text"] + "\n"
            for credit in post["credits"]:
                assert credit in text, (post["id"], platform)
        assert archive.read(post["credits_file"]).decode().splitlines() == post["credits"]
    alt = archive.read(first["alt_text_file"]).decode()
    assert "A V&A teapot." in alt and "Object W0, photographed" in alt

    # Images decode at the sizes the manifest gives, within their presets' boxes and budgets.
    for post in manifest["posts"]:
        for item in post["media"]:
            for rendition in item["renditions"].values():
                data = archive.read(rendition["file"])
                assert len(data) == rendition["bytes"]
                with Image.open(io.BytesIO(data)) as image:
                    assert image.format == "JPEG"
                    assert image.size == (rendition["width"], rendition["height"])
                preset = DEFAULT_PRESETS[rendition["preset"]]
                assert image.size[0] <= preset.width and image.size[1] <= preset.height
                assert preset.max_bytes is None or len(data) <= preset.max_bytes
                assert rendition["url"].startswith("http")
    x_image = first["media"][0]["renditions"]["x"]
    assert (x_image["width"], x_image["height"]) == (1600, 900)

    # Sprout Social: per platform, its headers, mm/dd/yyyy as asked, local times.
    sprout = list(csv.reader(io.StringIO(archive.read("sprout-social-bluesky.csv").decode())))
    assert sprout[0] == ["date", "time_24hr", "message_text"]
    assert [row[:2] for row in sprout[1:]] == [
        ["06/08/2026", "09:30"], ["06/08/2026", "09:45"], ["06/09/2026", "12:00"]
    ]  # fmt: skip
    assert sprout[1][2] == first["captions"]["bluesky"]["text"]
    # The generic CSV: a row per post and platform, media URLs and alt texts in order.
    rows = list(csv.DictReader(io.StringIO(archive.read("posts.csv").decode())))
    assert [(row["platform"], row["scheduled_at"]) for row in rows[:3]] == [
        ("x", "2026-06-08T09:30:00+01:00"),
        ("bluesky", "2026-06-08T09:30:00+01:00"),
        ("mastodon", "2026-06-08T09:30:00+01:00"),
    ]
    urls = [item["renditions"]["x"]["url"] for item in first["media"]]
    assert rows[0]["media_urls"].split(",") == urls
    assert rows[0]["alt_texts"].split("||")[1] == "A V&A teapot."

    # Mastodon: the documented media parameters, focus in -1..1, the status in media order.
    mastodon = bundles.json_file(archive, carousel["payloads"]["mastodon"])
    assert [m["file"] for m in mastodon["media"]] == [
        item["renditions"]["mastodon"]["file"] for item in carousel["media"]
    ]
    for media in mastodon["media"]:
        assert set(media) == {"file", "url", "description", "focus"}
        assert 0 < len(media["description"]) <= 1_500
        match = FOCUS.match(media["focus"])
        assert match and all(-1 <= float(v) <= 1 for v in match.groups())
    assert mastodon["status"]["status"] == carousel["captions"]["mastodon"]["text"]
    assert mastodon["problems"] == []
    # The carousel's captions are composed: the campaign's and the day's tags, the credit.
    for platform in ("bluesky", "mastodon"):
        composed = carousel["captions"][platform]["text"]
        assert "#MuseumWeek" in composed and "#secretsMW" in composed and BM in composed

    # Bluesky: images for two and four, a gallery for six, each image its bundle file.
    embeds = [
        bundles.json_file(archive, post["payloads"]["bluesky"])["record"]["embed"]
        for post in manifest["posts"]
    ]
    assert [e["$type"] for e in embeds] == [
        "app.bsky.embed.images", "app.bsky.embed.images", "app.bsky.embed.gallery"
    ]  # fmt: skip
    assert len(embeds[1]["images"]) == 4 and len(embeds[2]["items"]) == 6
    for blob in bundles.json_file(archive, gallery["payloads"]["bluesky"])["blobs"]:
        assert blob["size"] == len(archive.read(blob["file"])) <= 2_000_000

    # Exporting marked each post, with who and when in the campaign history.
    assert set(_statuses(app, week["campaign_id"]).values()) == {"exported"}
    with transaction(app) as session:
        events = campaigns.history(session, week["campaign_id"])
        marked = [e for e in events if e.field == "exported"]
        assert {e.post_id for e in marked} == {p["id"] for p in manifest["posts"]}
        assert {e.actor for e in marked} == {"token:contributor-user"}
        assert all(e.after == manifest["exported_at"] for e in marked)


def test_a_failing_audit_is_refused_with_its_cells_and_marks_nothing(
    app: Flask, client: FlaskClient, api: Api, tokens: Tokens
) -> None:
    cleared = bundles.photo(client, tokens, width=600, height=400, number="OK1")
    blocked = bundles.photo(client, tokens, width=601, height=400, number="NO1", cleared=False)
    campaign_id = bundles.plan(
        app,
        [{"day": "2026-06-08", "time": "09:30", "platforms": ["bluesky", "mastodon"],
          "media": [{"asset_id": cleared}, {"asset_id": blocked}]}],
    )  # fmt: skip
    response = api.call(
        "GET", f"/api/v1/campaigns/{campaign_id}/bundle", headers=tokens["contributor"]
    )
    body = problem(response, 409, "campaign-audit-failed")
    cells = body["failing"]
    assert body["cells_failed"] == len({(c["post_id"], c["platform"], c["group"]) for c in cells})
    assert body["reasons"][0].startswith(f"Post {cells[0]['post_id']} on ")
    assert {(c["platform"], c["position"]) for c in cells} == {("bluesky", 1), ("mastodon", 1)}
    assert all(c["status"] == "fail" and c["reason"] for c in cells)
    assert _statuses(app, campaign_id) == {next(iter(_statuses(app, campaign_id))): "draft"}
    with transaction(app) as session:
        assert not [e for e in campaigns.history(session, campaign_id) if e.field == "exported"]

    # A contributor cannot override; the rights role can, with a reason kept in history.
    forbidden = api.call(
        "GET", f"/api/v1/campaigns/{campaign_id}/bundle",
        query_string={"override": "true", "reason": "Cleared by phone"},
        headers=tokens["contributor"],
    )  # fmt: skip
    problem(forbidden, 403, "forbidden")
    response = api.call(
        "GET", f"/api/v1/campaigns/{campaign_id}/bundle",
        query_string={"override": "true", "reason": "Cleared by phone, paperwork follows"},
        headers=tokens["rights"],
    )  # fmt: skip
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    manifest = bundles.manifest_of(bundles.open_bundle(response.data))
    assert manifest["override"]["reason"] == "Cleared by phone, paperwork follows"
    assert manifest["override"]["by"] == "token:rights-user"
    renditions = manifest["posts"][0]["media"][1]["renditions"]
    assert {r["overridden"] for r in renditions.values()} == {True}
    assert not any(r["overridden"] for r in manifest["posts"][0]["media"][0]["renditions"].values())
    with transaction(app) as session:
        fields = {entry.field: entry for entry in list_history(session, blocked)}
        for preset in ("bluesky", "mastodon"):
            kept = fields[f"publish.override.{preset}"]
            assert kept.after["reason"] == "Cleared by phone, paperwork follows"
            assert kept.actor == "token:rights-user"
        kept = fields[f"campaign.override.{campaign_id}"]
        assert {c["check"] for c in kept.after["failing"]} >= {"rights_status_cleared"}
        events = [e.field for e in campaigns.history(session, campaign_id)]
        assert "bundle.override" in events and "exported" in events


def test_bad_requests_are_refused_before_anything_is_done(
    app: Flask, client: FlaskClient, api: Api, tokens: Tokens
) -> None:
    asset_id = bundles.photo(client, tokens, width=600, height=400, number="OK1")
    campaign_id = bundles.plan(
        app, [{"day": "2026-06-08", "time": "09:30", "platforms": ["bluesky"],
               "media": [{"asset_id": asset_id}]}],
    )  # fmt: skip
    url = f"/api/v1/campaigns/{campaign_id}/bundle"
    bad = api.call("GET", url, query_string={"date_format": "ymd"}, headers=tokens["contributor"],
                   request_valid=False)  # fmt: skip
    assert problem(bad, 422, "invalid-input")["errors"]["date_format"].startswith("must be dmy")
    problem(api.call("GET", url, headers=tokens["viewer"]), 403, "forbidden")
    problem(api.call("GET", "/api/v1/campaigns/999/bundle", headers=tokens["contributor"]),
            404, "not-found")  # fmt: skip
    assert set(_statuses(app, campaign_id).values()) == {"draft"}
    empty = bundles.plan(app, [], name="Empty week")
    problem(api.call("GET", f"/api/v1/campaigns/{empty}/bundle", headers=tokens["contributor"]),
            409, "nothing-to-export")  # fmt: skip


def test_posts_too_close_for_sprout_social_are_refused(
    app: Flask, client: FlaskClient, api: Api, tokens: Tokens
) -> None:
    asset_id = bundles.photo(client, tokens, width=600, height=400, number="OK1")
    campaign_id = bundles.plan(
        app,
        [{"day": "2026-06-08", "time": time, "platforms": ["bluesky"],
          "media": [{"asset_id": asset_id}]} for time in ("09:30", "09:35")],
    )  # fmt: skip
    response = api.call(
        "GET", f"/api/v1/campaigns/{campaign_id}/bundle", headers=tokens["contributor"]
    )
    cells = problem(response, 409, "campaign-audit-failed")["failing"]
    assert any("10 minutes" in cell["reason"] for cell in cells)


def test_the_web_page_downloads_the_same_bundle_and_overrides_only_by_post(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    asset_id = bundles.photo(client, tokens, width=600, height=400, number="OK1")
    blocked = bundles.photo(client, tokens, width=601, height=400, number="NO1", cleared=False)
    good = bundles.plan(
        app, [{"day": "2026-06-08", "time": "09:30", "platforms": ["bluesky"],
               "media": [{"asset_id": asset_id}]}],
    )  # fmt: skip
    bad = bundles.plan(
        app, [{"day": "2026-06-08", "time": "09:30", "platforms": ["bluesky"],
               "media": [{"asset_id": blocked}]}], name="Blocked week",
    )  # fmt: skip
    add_user(app, "rita", "rights")
    browser_like(client)
    sign_in(client, "rita")
    response = client.get(f"/campaigns/{good}/bundle")
    assert response.status_code == 200
    archive = bundles.open_bundle(response.data)
    assert bundles.manifest_of(archive)["exported_by"] == "rita"
    refused = client.get(f"/campaigns/{bad}/bundle")
    assert refused.status_code == 409 and refused.mimetype == "text/html"
    assert "on Bluesky, image 1" in refused.get_data(as_text=True)
    token = csrf(client, "/library")
    no_token = client.post(f"/campaigns/{bad}/bundle", data={"override_reason": "Phoned"})
    assert no_token.status_code == 400
    overridden = client.post(
        f"/campaigns/{bad}/bundle", data={"override_reason": "Phoned", "csrf_token": token}
    )
    assert overridden.status_code == 200
    assert bundles.manifest_of(bundles.open_bundle(overridden.data))["override"]["by"] == "rita"


def test_the_command_writes_the_bundle_or_lists_the_failing_cells(
    app: Flask, client: FlaskClient, tokens: Tokens, tmp_path: Any
) -> None:
    asset_id = bundles.photo(client, tokens, width=600, height=400, number="OK1")
    blocked = bundles.photo(client, tokens, width=601, height=400, number="NO1", cleared=False)
    bundles.plan(
        app, [{"day": "2026-06-08", "time": "09:30", "platforms": ["bluesky"],
               "media": [{"asset_id": asset_id}]}],
    )  # fmt: skip
    bad = bundles.plan(
        app, [{"day": "2026-06-08", "time": "09:30", "platforms": ["mastodon"],
               "media": [{"asset_id": blocked}]}], name="Blocked week",
    )  # fmt: skip
    runner = app.test_cli_runner()
    out = tmp_path / "week.zip"
    result = runner.invoke(
        export_command, ["MuseumWeek 2026", "--out", str(out), "--date-format", "mdy"]
    )
    assert result.exit_code == 0, result.output
    assert "1 post(s) marked exported" in result.output
    manifest = bundles.manifest_of(bundles.open_bundle(out.read_bytes()))
    assert manifest["files"]["sprout_social"]["date_format"] == "mm/dd/yyyy"
    assert manifest["exported_by"] == "cli"
    refused_out = tmp_path / "blocked.zip"
    refused = runner.invoke(export_command, ["Blocked week", "--out", str(refused_out)])
    assert refused.exit_code == 1
    assert "post" in refused.output and "mastodon, image 1" in refused.output
    assert not refused_out.exists() and not list(tmp_path.glob(".*partial"))
    assert set(_statuses(app, bad).values()) == {"draft"}


@pytest.mark.parametrize("blob_settings", ["local"], indirect=True)
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_bundle_of_many_posts_streams_with_constant_memory(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    """Forty posts of four images: over 30 MB of ZIP, never more than a few chunks held."""
    asset_id = bundles.photo(client, tokens, width=3000, height=2200, number="BIG")
    minutes = [9 * 60 + 15 * n for n in range(40)]
    campaign_id = bundles.plan(
        app,
        [{"day": "2026-06-08", "time": f"{m // 60:02d}:{m % 60:02d}", "platforms": ["mastodon"],
          "media": [{"asset_id": asset_id}] * 4} for m in minutes],
    )  # fmt: skip
    with app.app_context(), transaction(app) as session:
        campaign = session.get(Campaign, campaign_id)
        assert campaign is not None
        bundle = campaign_bundle.build_bundle(
            session, services(), campaign, caller=Caller("ana", "contributor")
        )
        store = services().store
    size = sum(r.byte_size for p in bundle.campaign.posts for m in p.media
               for r in m.renditions.values())  # fmt: skip
    assert size > 30_000_000
    tracemalloc.start()
    try:
        written, held = 0, []
        for piece in campaign_bundle.stream(bundle, store):
            written += len(piece)
            held.append(tracemalloc.get_traced_memory()[0])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert written > size
    # Nothing accumulates as the images go by, and nothing large is held at any moment: the
    # bundle's plan, a chunk, and the ZIP's directory (a few hundred bytes an entry).
    assert max(held[len(held) // 2 :]) < max(held[: len(held) // 2]) + 200_000
    assert peak < 1_000_000, f"the stream held {peak:,} bytes at once"
