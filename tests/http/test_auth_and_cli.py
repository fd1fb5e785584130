"""Roles and tokens over every route; the CLI; health and readiness."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.services.accounts import ROLES
from tests.support import photos
from tests.support.api import upload
from tests.support.database import stored_state

ROUTES = [
    ("GET", "/api/v1/me", "viewer"),
    ("GET", "/api/v1/assets", "viewer"),
    ("POST", "/api/v1/assets", "contributor"),
    ("GET", "/api/v1/assets/{id}", "viewer"),
    ("PATCH", "/api/v1/assets/{id}", "contributor"),
    ("DELETE", "/api/v1/assets/{id}", "admin"),
    ("POST", "/api/v1/assets/{id}/restore", "admin"),
    ("GET", "/api/v1/assets/{id}/metadata", "viewer"),
    ("GET", "/api/v1/assets/{id}/original", "contributor"),
    ("GET", "/api/v1/tokens", "admin"),
    ("POST", "/api/v1/tokens", "admin"),
    ("DELETE", "/api/v1/tokens/{token}", "admin"),
    ("GET", "/api/v1/assets/{id}/rights", "viewer"),
    ("PUT", "/api/v1/assets/{id}/rights", "rights"),
    ("GET", "/api/v1/assets/{id}/history", "viewer"),
    ("GET", "/api/v1/rights/expiring", "viewer"),
    ("GET", "/api/v1/credit-policies", "viewer"),
    ("PUT", "/api/v1/credit-policies", "admin"),
    ("GET", "/api/v1/platforms", "viewer"),
    ("GET", "/api/v1/assets/{id}/captions/x", "viewer"),
    ("PUT", "/api/v1/assets/{id}/captions/x", "contributor"),
    ("POST", "/api/v1/captions/preview", "viewer"),
    ("GET", "/api/v1/caption-templates", "viewer"),
    ("PUT", "/api/v1/caption-templates/x", "admin"),
    ("GET", "/api/v1/assets/{id}/audit", "viewer"),
    ("POST", "/api/v1/audits", "viewer"),
]

# A body each write route accepts, so that a role allowed through gets a 2xx.
BODIES: dict[tuple[str, str], Any] = {
    ("PATCH", "/api/v1/assets/{id}"): {"title": "t"},
    ("POST", "/api/v1/tokens"): {"name": "n", "role": "viewer"},
    ("PUT", "/api/v1/assets/{id}/rights"): {"notes": "checked"},
    ("PUT", "/api/v1/credit-policies"): {"rules": [{"holder": "A", "credit_line": "© A"}]},
    ("PUT", "/api/v1/assets/{id}/captions/x"): {"text": "hello"},
    ("POST", "/api/v1/captions/preview"): {"asset_id": "{id}", "platform": "x"},
    ("PUT", "/api/v1/caption-templates/x"): {"template": "{title} {credit_line}"},
    ("POST", "/api/v1/audits"): {"asset_ids": ["{id}"]},
}


def call(
    client: FlaskClient, method: str, template: str, headers: dict[str, str], asset_id: int
) -> Any:
    path = template.format(id=asset_id, token=1)
    kwargs: dict[str, Any] = {"headers": headers}
    if (method, template) == ("POST", "/api/v1/assets"):
        kwargs["data"] = {"file": (io.BytesIO(photos.jpeg_plain(33, 33)), "x.jpg")}
    elif (method, template) in BODIES:
        body = BODIES[method, template]
        kwargs["json"] = json.loads(json.dumps(body).replace('"{id}"', str(asset_id)))
    return client.open(path, method=method, buffered=True, **kwargs)


def test_every_api_route_answers_401_without_a_token_and_403_below_its_role(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    asset_id = upload(client, tokens["contributor"], photos.jpeg_plain(30, 30)).json["id"]
    for method, template, least in ROUTES:
        path = template.format(id=asset_id, token=1)
        for headers in ({}, {"Authorization": "Bearer vt_nope_nope"}, {"Authorization": "Basic x"}):
            response = call(client, method, template, headers, asset_id)
            assert response.status_code == 401, (method, path, headers)
            assert response.mimetype == "application/problem+json"
        for role in ROLES[: ROLES.index(least)]:
            response = call(client, method, template, tokens[role], asset_id)
            assert response.status_code == 403, (method, path, role)
            assert response.json["code"] == "forbidden"


def test_each_role_reaches_the_routes_its_rank_allows(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    for method, template, least in ROUTES:
        if method == "DELETE":
            continue  # covered by the delete and revoke tests
        for role in ROLES[ROLES.index(least) :]:
            asset_id = upload(client, tokens["admin"], photos.jpeg_plain(30, 31)).json["id"]
            response = call(client, method, template, tokens[role], asset_id)
            assert response.status_code < 400, (method, template, role, response.json)


def test_a_token_is_shown_once_and_stops_working_when_revoked(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    created = client.post(
        "/api/v1/tokens", json={"name": "press-office", "role": "viewer"}, headers=tokens["admin"]
    )
    assert created.status_code == 201
    secret = created.json["token"]
    assert re.fullmatch(r"vt_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", secret)
    mine = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/me", headers=mine).json == {"name": "press-office", "role": "viewer"}
    listed = client.get("/api/v1/tokens", headers=tokens["admin"]).json["items"]
    assert all("token" not in item for item in listed)
    assert secret not in str(listed)
    revoked = client.delete(f"/api/v1/tokens/{created.json['id']}", headers=tokens["admin"])
    assert revoked.status_code == 200
    assert revoked.json["revoked_at"]
    assert client.get("/api/v1/me", headers=mine).status_code == 401
    tampered = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {tampered}"}).status_code == 401
    )


def test_token_creation_refuses_unknown_roles(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    for body in (
        {"name": "x", "role": "owner"},
        {"name": "", "role": "viewer"},
        {"role": "viewer"},
        ["x"],
    ):
        response = client.post("/api/v1/tokens", json=body, headers=tokens["admin"])
        assert response.status_code == 422, body


def test_cli_creates_lists_and_revokes_tokens(app: Flask, runner: Any, client: FlaskClient) -> None:
    created = runner.invoke(args=["tokens", "create", "--role", "admin", "--name", "ops"])
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    assert (
        client.get("/api/v1/tokens", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 200
    )
    listed = runner.invoke(args=["tokens", "list"])
    assert "ops\tadmin\tactive" in listed.output
    token_id = listed.output.split("\t", 1)[0]
    assert runner.invoke(args=["tokens", "revoke", token_id]).exit_code == 0
    assert (
        client.get("/api/v1/tokens", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 401
    )
    refused = runner.invoke(args=["tokens", "create", "--role", "owner", "--name", "x"])
    assert refused.exit_code != 0


def test_storage_check_finds_orphans_and_missing_blobs_and_fix_removes_orphans(
    app: Flask, runner: Any, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    import io

    store = app.extensions["vitrine.store"]
    kept = upload(client, tokens["contributor"], photos.jpeg_plain(40, 40)).json
    lost = upload(client, tokens["contributor"], photos.jpeg_plain(41, 40)).json
    orphan = "originals/00/00/" + "0" * 64
    store.put(orphan, io.BytesIO(b"left behind"), "image/jpeg")
    lost_key = f"originals/{lost['sha256'][:2]}/{lost['sha256'][2:4]}/{lost['sha256']}"
    store.delete(lost_key)

    young = runner.invoke(args=["storage", "check", "--fix"])
    assert f"recent unowned blob (left alone): {orphan}" in young.output
    assert store.exists(orphan)

    checked = runner.invoke(args=["storage", "check", "--grace-minutes", "0"])
    assert checked.exit_code == 1
    assert f"orphan blob: {orphan}" in checked.output
    assert f"missing blob: asset {lost['id']} expects {lost_key}" in checked.output
    assert kept["sha256"] not in checked.output

    fixed = runner.invoke(args=["storage", "check", "--fix", "--grace-minutes", "0"])
    assert "removed 1 orphan blob(s)" in fixed.output
    assert not store.exists(orphan)
    assert store.exists(f"originals/{kept['sha256'][:2]}/{kept['sha256'][2:4]}/{kept['sha256']}")


def test_healthz_and_readyz_answer_without_a_token(make_app: Callable[..., Flask]) -> None:
    # The promise here is that the probes need no token, not how fast the store answers (the
    # timeout has tests of its own, tests/durability/test_readiness.py): a generous one keeps
    # a loaded two-CPU machine's first S3 call from failing it.
    client = make_app(READY_TIMEOUT_SECONDS=10).test_client()
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.json
    assert ready.json == {"status": "ok", "checks": {"database": "ok", "blob_store": "ok"}}


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/assets/999999"])
def test_unknown_paths_answer_404_problems(
    client: FlaskClient, tokens: dict[str, dict[str, str]], path: str
) -> None:
    response = client.get(path, headers=tokens["viewer"])
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_db_upgrade_command_is_idempotent(runner: Any, app: Flask) -> None:
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert stored_state(app) == (0, [])


def test_render_with_override_keeps_the_reason_in_the_history(
    runner: Any, client: FlaskClient, tokens: dict[str, dict[str, str]], tmp_path: Any
) -> None:
    """The command is the transaction's owner: the override it records is committed."""
    asset_id = upload(client, tokens["contributor"], photos.jpeg_with_rights()).json["id"]
    out = tmp_path / "out"
    args = ["render", str(asset_id), "bluesky", "--override", "Press day", "--out", str(out)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert [p.suffix for p in out.iterdir() if p.suffix != ".txt"]  # the variant was written
    history = client.get(f"/api/v1/assets/{asset_id}/history", headers=tokens["viewer"])
    [entry] = [h for h in history.json["items"] if h["field"] == "publish.override.bluesky"]
    assert entry["actor"] == "cli"
    assert entry["after"]["reason"] == "Press day"
    assert "rights_status_cleared" in entry["after"]["failing_checks"]


def test_a_user_command_commits_and_a_refused_one_writes_nothing(app: Flask, runner: Any) -> None:
    """Each command runs in one transaction: committed on success, rolled back on refusal."""
    create = ["users", "create", "--username", "ada", "--role", "rights", "--password-stdin"]
    assert runner.invoke(args=create, input="a long enough password\n").exit_code == 0
    assert runner.invoke(args=["users", "disable", "ada"]).exit_code == 0
    again = runner.invoke(args=create, input="another long password\n")
    assert again.exit_code == 1, again.output
    listed = runner.invoke(args=["users", "list"]).output.splitlines()
    assert [line.split("\t")[1:4] for line in listed] == [["ada", "rights", "disabled"]]
