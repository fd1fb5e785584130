"""Issue 11, "the gate decides the channel": a preset says where its images go, and the gate
audits for that; a caller may narrow to one of the preset's channels, never widen, and may
not caption a platform's preset for another (looser) platform."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.rules.presets import DEFAULT_PRESETS
from tests.support.api import cleared_asset
from tests.support.web import add_user, browser_like, page, signed_in

Tokens = dict[str, dict[str, str]]

CHANNELS_OF = {
    "x": ("social",),
    "instagram-square": ("social",),
    "instagram-portrait": ("social",),
    "instagram-story": ("social",),
    "instagram-grid": ("social",),
    "facebook": ("social",),
    "og": ("social",),  # shown in social feeds whenever a page is shared
    "linkedin": ("social",),
    "bluesky": ("social",),
    "bluesky-2000": ("social",),
    "mastodon": ("social",),
    "thumb": ("web",),
    "web-large": ("web",),
}


def variant(client: FlaskClient, tokens: Tokens, asset_id: int, preset: str, **query: str) -> Any:
    return client.get(
        f"/api/v1/assets/{asset_id}/variants/{preset}", query_string=query, headers=tokens["viewer"]
    )


def allowed_only(client: FlaskClient, tokens: Tokens, asset_id: int, *channels: str) -> None:
    changed = client.put(
        f"/api/v1/assets/{asset_id}/rights", json={"channels": list(channels)},
        headers=tokens["rights"],
    )  # fmt: skip
    assert changed.status_code == 200, changed.json


def test_every_built_in_preset_declares_the_channels_it_is_for() -> None:
    assert {name: preset.channels for name, preset in DEFAULT_PRESETS.items()} == CHANNELS_OF


def test_the_presets_list_shows_their_channels_which_stay_out_of_the_spec(
    client: FlaskClient, tokens: Tokens
) -> None:
    listed = client.get("/api/v1/presets", headers=tokens["viewer"]).json["items"]
    assert {item["name"]: tuple(item["channels"]) for item in listed} == CHANNELS_OF
    web_large = next(item for item in listed if item["name"] == "web-large")
    assert "web" not in web_large["spec"] and "social" not in web_large["spec"]


@pytest.mark.parametrize(
    ("allowed", "passes", "refused"),
    [
        (("social",), ["x", "instagram-square", "og"], ["web-large", "thumb"]),
        (("web",), ["web-large", "thumb"], ["x", "instagram-square", "og"]),
    ],
)
def test_the_gate_audits_each_preset_for_its_own_channel(
    client: FlaskClient,
    tokens: Tokens,
    allowed: tuple[str, ...],
    passes: list[str],
    refused: list[str],
) -> None:
    asset_id = cleared_asset(client, tokens)
    allowed_only(client, tokens, asset_id, *allowed)
    for name in passes:
        response = variant(client, tokens, asset_id, name)
        assert response.status_code == 200, (name, response.json)
        assert response.json["audit"]["channel"] == CHANNELS_OF[name][0]
    for name in refused:
        response = variant(client, tokens, asset_id, name)
        assert response.status_code == 409, (name, response.json)
        failing = {check["check"]: check["code"] for check in response.json["checks"]}
        assert failing["licence_allows_channel"] == "channel_not_allowed", name


@pytest.mark.parametrize(
    ("preset", "channel"),
    [("x", "web"), ("bluesky", "print"), ("web-large", "social"), ("thumb", "press")],
)
def test_a_caller_cannot_widen_a_preset_to_another_channel(
    client: FlaskClient, tokens: Tokens, preset: str, channel: str
) -> None:
    asset_id = cleared_asset(client, tokens)  # allows web and social: only the preset decides
    for suffix in ("", "/image"):
        response = client.get(
            f"/api/v1/assets/{asset_id}/variants/{preset}{suffix}",
            query_string={"channel": channel},
            headers=tokens["viewer"],
        )
        assert response.status_code == 422, response.json
        assert response.mimetype == "application/problem+json"
        message = response.json["errors"]["channel"]
        assert f"is for {', '.join(CHANNELS_OF[preset])}" in message, message
    same = variant(client, tokens, asset_id, preset, channel=CHANNELS_OF[preset][0])
    assert same.status_code == 200, same.json


def test_a_preset_for_several_channels_is_audited_for_each_unless_the_caller_narrows(
    client: FlaskClient, tokens: Tokens
) -> None:
    both = {"width": 1200, "height": 800, "fit": "cover", "channels": ["web", "social"]}
    made = client.put("/api/v1/presets/banner", json=both, headers=tokens["admin"])
    assert made.status_code == 201, made.json
    assert made.json["channels"] == ["web", "social"]
    asset_id = cleared_asset(client, tokens)
    allowed_only(client, tokens, asset_id, "web")

    everywhere = variant(client, tokens, asset_id, "banner")
    assert everywhere.status_code == 409, everywhere.json
    reasons = " ".join(check["reason"] for check in everywhere.json["checks"])
    assert "social channel is not among the allowed channels" in reasons

    narrowed = variant(client, tokens, asset_id, "banner", channel="web")
    assert narrowed.status_code == 200, narrowed.json
    assert (narrowed.json["channels"], narrowed.json["audit"]["channel"]) == (["web"], "web")

    wider = variant(client, tokens, asset_id, "banner", channel="print")
    assert wider.status_code == 422
    assert "is for web, social" in wider.json["errors"]["channel"]


@pytest.mark.parametrize(
    ("preset", "platform"),
    [("x", "facebook"), ("bluesky", "default"), ("instagram-story", "threads")],
)
def test_a_platform_preset_cannot_be_captioned_for_another_platform(
    client: FlaskClient, tokens: Tokens, preset: str, platform: str
) -> None:
    asset_id = cleared_asset(client, tokens)
    refused = variant(client, tokens, asset_id, preset, platform=platform)
    assert refused.status_code == 422, refused.json
    assert "platform" in refused.json["errors"]
    own = preset.split("-")[0]
    same = variant(client, tokens, asset_id, preset, platform=own)
    assert (same.status_code, same.json["platform"]) == (200, own)


def test_a_preset_for_no_platform_may_be_captioned_for_any(
    client: FlaskClient, tokens: Tokens
) -> None:
    asset_id = cleared_asset(client, tokens)
    chosen = variant(client, tokens, asset_id, "og", platform="mastodon")
    assert (chosen.status_code, chosen.json["platform"]) == (200, "mastodon")


@pytest.mark.parametrize(
    ("channels", "problem"),
    [
        (["tv"], "'tv' is not a channel"),
        ([], "non-empty list"),
        ("web", "non-empty list"),
        (["web", "web"], "lists a channel twice"),
        ([{"web": 1}], "is not a channel"),
    ],
)
def test_an_admin_may_set_a_presets_channels_only_to_known_channels(
    client: FlaskClient, tokens: Tokens, channels: Any, problem: str
) -> None:
    refused = client.put("/api/v1/presets/x", json={"channels": channels}, headers=tokens["admin"])
    assert refused.status_code == 422, refused.json
    assert problem in refused.json["errors"]["channels"]
    listed = client.get("/api/v1/presets", headers=tokens["viewer"]).json["items"]
    assert next(item for item in listed if item["name"] == "x")["channels"] == ["social"]


def test_an_admin_changing_a_presets_channels_changes_what_the_gate_audits_not_the_pixels(
    client: FlaskClient, tokens: Tokens
) -> None:
    asset_id = cleared_asset(client, tokens)
    allowed_only(client, tokens, asset_id, "social")
    before = variant(client, tokens, asset_id, "web-large")
    assert before.status_code == 409
    changed = client.put(
        "/api/v1/presets/web-large", json={"channels": ["social"]}, headers=tokens["admin"]
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["spec"] == DEFAULT_PRESETS["web-large"].spec()
    after = variant(client, tokens, asset_id, "web-large")
    assert after.status_code == 200, after.json


def test_the_download_link_audits_for_the_presets_channel(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    asset_id = cleared_asset(client, tokens)
    allowed_only(client, tokens, asset_id, "social")
    add_user(app, "vera", "viewer")
    web = browser_like(app.test_client())
    signed_in(web, "vera")
    refused = web.get(f"/assets/{asset_id}/variants/web-large/download")
    assert refused.status_code == 409
    assert b"on the web channel failed" in refused.data
    rows = {row.attrs["data-preset"]: row.text for row in page(refused).find_all("tr")
            if "data-preset" in row.attrs}  # fmt: skip
    assert "cover, JPEG social" in rows["x"] and "within, JPEG web" in rows["web-large"]
    allowed = web.get(f"/assets/{asset_id}/variants/x/download")
    assert allowed.status_code == 302


def test_the_render_command_audits_for_the_presets_channel(
    client: FlaskClient, runner: Any, tokens: Tokens, tmp_path: Any
) -> None:
    asset_id = cleared_asset(client, tokens)
    allowed_only(client, tokens, asset_id, "social")
    out = str(tmp_path / "out")
    refused = runner.invoke(args=["render", str(asset_id), "web-large", "--out", out])
    assert refused.exit_code == 1 and "licence_allows_channel" in refused.output
    wider = runner.invoke(args=["render", str(asset_id), "x", "--channel", "web", "--out", out])
    assert wider.exit_code == 1 and "is for social" in wider.output
    assert runner.invoke(args=["render", str(asset_id), "x", "--out", out]).exit_code == 0
