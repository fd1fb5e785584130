"""The publish gate on the people a photograph shows, through
``GET /api/v1/assets/{id}/variants/{preset}``: channel by platform by the state of a
depicted person's consent, an unknown people status (refused on social media by default,
VITRINE_PEOPLE_UNKNOWN_BLOCKS), and refusals that never name the person."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import config
from service.config import ConfigError
from service.http.transactions import transaction
from service.services import context, people
from service.storage.db import utcnow
from service.storage.models import Asset, Consent, Person, Post
from tests.support import bundles
from tests.support.database import counting_statements
from tests.support.openapi import Api, problem
from tests.support.people import depict, withdraw
from tests.support.web import add_user, browser_like, page, signed_in

Tokens = dict[str, dict[str, str]]
# Small photographs render quickly; the gate reads no blob before it refuses: the local
# store is enough (both databases run).
pytestmark = pytest.mark.parametrize("blob_settings", ["local"], indirect=True)
NAME = "Amina Yusuf"
# The presets asked for: (channel, platform) each is audited for.
PRESETS = {"x": ("social", "x"), "instagram-square": ("social", "instagram"),
           "thumb": ("web", "default")}  # fmt: skip
BOTH = ["social", "web"]


def _states() -> dict[str, tuple[str, list[dict[str, Any]], dict[str, int]]]:
    """Each state of the person's consent: their role, their consents, and the answer each
    preset gets."""
    today = utcnow().date()
    every = {"x": 200, "instagram-square": 200, "thumb": 200}
    none = {"x": 409, "instagram-square": 409, "thumb": 409}
    return {
        "none": ("participant", [], none),
        "active": ("participant", [{"channels": BOTH}], every),
        "expired": ("visitor", [{"channels": BOTH, "expires_at": today - timedelta(days=1)}],
                    none),
        "withdrawn": ("participant", [{"channels": BOTH, "withdrawn_at": utcnow()}], none),
        "wrong scope": ("staff", [{"channels": ["web"]}],
                        {"x": 409, "instagram-square": 409, "thumb": 200}),
        "wrong platform": ("participant", [{"channels": ["social"], "platforms": ["instagram"]}],
                           {"x": 409, "instagram-square": 200, "thumb": 409}),
        "minor without guardian": ("minor", [{"channels": BOTH}], none),
        "minor with guardian": ("minor", [{"channels": BOTH, "guardian": "Hodan Yusuf"}], every),
    }  # fmt: skip


def _photo(client: FlaskClient, tokens: Tokens, width: int = 600) -> int:
    """A small cleared photograph (no recognisable people, as clearing says in the tests);
    each width another."""
    return bundles.photo(client, tokens, width=width, height=400, number=f"P{width}")


def _set_consents(app: Flask, person_id: int, role: str, consents: list[dict[str, Any]]) -> None:
    """The person's role and consents become these, as the register would hold them."""
    with transaction(app) as session:
        person = session.get_one(Person, person_id)
        person.role = role
        for old in list(person.consents):
            session.delete(old)
        session.flush()
        for fields in consents:
            session.add(Consent(person_id=person_id, created_by="rights-user",
                                granted_at=utcnow().date() - timedelta(days=30),
                                **fields))  # fmt: skip


def _set_status(app: Flask, asset_id: int, status: str) -> None:
    with transaction(app) as session:
        asset = session.get_one(Asset, asset_id)
        if status == "depicted":
            # As ingest leaves a file that names people: depicted, nobody in the register yet
            # (the people service refuses to say "depicted" without naming someone).
            asset.people_status, asset.people_proposed = "depicted", True
            return
        people.set_people(session, asset, {"status": status}, actor="rita")


def _variant(api: Api, tokens: Tokens, asset_id: int, preset: str, role: str = "viewer") -> Any:
    return api.call("GET", f"/api/v1/assets/{asset_id}/variants/{preset}", headers=tokens[role])


def _people(body: dict[str, Any]) -> dict[str, Any]:
    [found] = [c for c in body["checks"] if c["check"] == "people_consent"]
    return dict(found)


def test_the_gate_matrix_through_the_variant_api(
    app: Flask, client: FlaskClient, api: Api, tokens: Tokens
) -> None:
    asset_id = _photo(client, tokens)
    person_id, _ = depict(app, asset_id, name=NAME)
    for state, (role, consents, expected) in _states().items():
        _set_consents(app, person_id, role, consents)
        for preset, (channel, platform) in PRESETS.items():
            answer = _variant(api, tokens, asset_id, preset)
            assert answer.status_code == expected[preset], (state, preset, answer.json)
            if answer.status_code == 409:
                body = problem(answer, 409, "audit-failed")
                finding = _people(body)
                # A withdrawal is told apart: no override may publish past it.
                code = "consent_withdrawn" if state == "withdrawn" else "consent_missing"
                assert finding["code"] == code, (state, preset)
                assert f"person #{person_id} ({role})" in finding["reason"]
                assert f"covers {channel} on {platform}" in finding["reason"]
                # Only the people fail: the photograph is otherwise cleared.
                assert [c["check"] for c in body["checks"]] == ["people_consent"]
                assert NAME not in answer.get_data(as_text=True)
            else:
                checks = {c["check"]: (c["status"], c["code"]) for c in
                          answer.json["audit"]["checks"]}  # fmt: skip
                assert checks["people_consent"] == ("pass", "consented"), (state, preset)


def test_an_unknown_people_status_is_refused_on_social_media_and_warned_of_on_the_web(
    app: Flask, client: FlaskClient, api: Api, tokens: Tokens
) -> None:
    asset_id = _photo(client, tokens)
    _set_status(app, asset_id, "unknown")
    refused = problem(_variant(api, tokens, asset_id, "x"), 409, "audit-failed")
    assert _people(refused)["code"] == "people_unknown"
    assert "The policy blocks that on social." in refused["detail"]
    web = _variant(api, tokens, asset_id, "thumb")
    assert web.status_code == 200, web.json
    assert web.json["audit"]["outcome"] == "warn"
    assert _people(web.json["audit"]) == {
        "check": "people_consent", "status": "warn", "code": "people_unknown",
        "reason": "Nobody has said whether the photograph shows recognisable people."}  # fmt: skip

    # "No recognisable people" passes everywhere.
    _set_status(app, asset_id, "none")
    for preset in PRESETS:
        answer = _variant(api, tokens, asset_id, preset)
        assert answer.status_code == 200, answer.json
        assert _people(answer.json["audit"])["code"] == "no_people"

    # People said to be there but none named in the register: refused everywhere.
    _set_status(app, asset_id, "depicted")
    for preset in PRESETS:
        assert _people(problem(_variant(api, tokens, asset_id, preset), 409, "audit-failed"))[
            "code"] == "people_unnamed"  # fmt: skip


def test_the_setting_names_the_channels_where_an_unknown_status_is_refused(
    app: Flask, client: FlaskClient, tokens: Tokens, make_app: Any
) -> None:
    asset_id = _photo(client, tokens)
    _set_status(app, asset_id, "unknown")
    url = f"/api/v1/assets/{asset_id}/variants/{{}}"
    lenient = make_app(PEOPLE_UNKNOWN_BLOCKS="").test_client()
    for preset in ("x", "thumb"):
        answer = lenient.get(url.format(preset), headers=tokens["viewer"])
        assert answer.status_code == 200 and answer.json["audit"]["outcome"] == "warn"
    strict = make_app(PEOPLE_UNKNOWN_BLOCKS="social, WEB").test_client()
    for preset in ("x", "thumb"):
        assert strict.get(url.format(preset), headers=tokens["viewer"]).status_code == 409
    # The audit routes follow it too.
    audited = strict.get(f"/api/v1/assets/{asset_id}/audit?channel=web", headers=tokens["viewer"])
    assert audited.json["outcome"] == "fail"
    with pytest.raises(ConfigError, match=r"unknown channel.*socal"):
        make_app(PEOPLE_UNKNOWN_BLOCKS="socal")
    loaded = config.load({"VITRINE_PEOPLE_UNKNOWN_BLOCKS": " Social,web,,social "})
    assert context.people_unknown_blocks(loaded) == {"social", "web"}
    assert context.people_unknown_blocks(config.load({})) == {"social"}


def test_a_refusal_names_the_missing_consent_never_the_person_whoever_asks(
    app: Flask, client: FlaskClient, api: Api, tokens: Tokens
) -> None:
    asset_id = _photo(client, tokens)
    today = utcnow().date()
    person_id, [consent_id] = depict(
        app, asset_id, role="visitor", name=NAME,
        consents=[{"channels": ["social"], "expires_at": today - timedelta(days=2),
                   "release_id": "MR-2026-041"}],
    )  # fmt: skip
    for role in ("viewer", "contributor", "rights", "admin"):
        answer = _variant(api, tokens, asset_id, "x", role)
        body = problem(answer, 409, "audit-failed")
        assert NAME not in answer.get_data(as_text=True)
        reason = _people(body)["reason"]
        expired = (today - timedelta(days=2)).isoformat()
        assert reason == (
            f"No active consent of person #{person_id} (visitor) covers social on x: "
            f"consent #{consent_id} expired on {expired}."
        )
        assert reason in body["detail"]
    # The audit routes say the same, and the CSV too.
    audited = api.call("GET", f"/api/v1/assets/{asset_id}/audit?platform=x",
                       headers=tokens["viewer"])  # fmt: skip
    assert audited.json["outcome"] == "fail" and NAME not in audited.get_data(as_text=True)
    listed = client.post("/api/v1/audits", json={"asset_ids": [asset_id], "platform": "x"},
                         headers={**tokens["viewer"], "Accept": "text/csv"})  # fmt: skip
    assert "people_consent,fail,consent_missing" in listed.get_data(as_text=True)
    assert NAME not in listed.get_data(as_text=True)


def test_a_withdrawal_turns_a_passing_campaign_audit_red_and_refuses_its_bundle(
    app: Flask, client: FlaskClient, api: Api, tokens: Tokens
) -> None:
    asset_id = _photo(client, tokens, 600)
    press_only = _photo(client, tokens, 601)
    person_id, [consent_id] = depict(
        app, asset_id, name=NAME, consents=[{"channels": ["social"], "purposes": ["campaign"]}]
    )
    depict(app, press_only, role="staff", name="Yusuf Ali",
           consents=[{"channels": ["social"], "purposes": ["press"]}])  # fmt: skip
    campaign_id = bundles.plan(
        app,
        [{"day": "2026-06-08", "time": "09:30", "platforms": ["x", "bluesky"],
          "media": [{"asset_id": asset_id}]},
         {"day": "2026-06-09", "time": "09:30", "platforms": ["x"],
          "media": [{"asset_id": press_only}]}],
    )  # fmt: skip
    url = f"/api/v1/campaigns/{campaign_id}/audit"

    def people_results(body: dict[str, Any]) -> list[tuple[int, str, str, str]]:
        return [(r["post_id"], r["platform"], r["status"], r["code"]) for r in body["results"]
                if r["check"] == "people_consent"]  # fmt: skip

    before = api.call("GET", url, headers=tokens["viewer"]).json
    first, second = (post["id"] for post in before["posts"])
    # A consent for the press does not cover a campaign; one for campaigns does.
    assert people_results(before) == [(first, "x", "pass", "consented"),
                                      (first, "bluesky", "pass", "consented"),
                                      (second, "x", "fail", "consent_missing")]  # fmt: skip
    with transaction(app) as session:  # the second post is dropped from the week
        session.delete(session.get_one(Post, second))
    passing = api.call("GET", url, headers=tokens["viewer"]).json
    assert passing["outcome"] != "fail", [r for r in passing["results"] if r["status"] == "fail"]
    exported = api.call("GET", f"/api/v1/campaigns/{campaign_id}/bundle",
                        headers=tokens["contributor"])  # fmt: skip
    assert exported.status_code == 200, exported.get_data(as_text=True)[:300]

    withdraw(app, consent_id, at=utcnow())
    red = api.call("GET", url, headers=tokens["viewer"]).json
    assert red["outcome"] == "fail"
    failing = [r for r in red["results"] if r["status"] == "fail"]
    assert [(r["platform"], r["group"], r["check"], r["position"]) for r in failing] == [
        ("x", "people", "people_consent", 0),
        ("bluesky", "people", "people_consent", 0),
    ]
    assert failing[0]["fix"] == {
        "kind": "asset_people",
        "post_id": None,
        "asset_id": asset_id,
        "platform": None,
        "position": None,
        "field": "people",
    }
    assert f"person #{person_id} (participant)" in failing[0]["reason"]
    assert f"consent #{consent_id} was withdrawn" in failing[0]["reason"]
    assert {cell["status"] for cell in red["cells"] if cell["group"] == "people"} == {"fail"}

    refused = api.call("GET", f"/api/v1/campaigns/{campaign_id}/bundle",
                       headers=tokens["contributor"])  # fmt: skip
    body = problem(refused, 409, "campaign-audit-failed")
    assert {cell["check"] for cell in body["failing"]} == {"people_consent"}
    assert NAME not in refused.get_data(as_text=True)

    # The grid's red people cell links to the asset's people.
    add_user(app, "vera", "viewer")
    signed_in(browser_like(client), "vera")
    document = page(client.get(f"/campaigns/{campaign_id}/audit"))
    links = [a.attrs.get("href") for a in document.find_all("a")]
    assert f"/assets/{asset_id}#people" in links
    assert NAME not in document.text


def test_the_people_of_a_photograph_that_shows_them_cost_the_gate_one_statement(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    plain = _photo(client, tokens, 600)
    shown = _photo(client, tokens, 601)
    depict(app, shown, consents=[{"channels": ["social"]}, {"channels": ["web"]}])
    depict(app, shown, role="staff", name="Yusuf Ali", consents=[{"channels": ["social"]}])
    counted: dict[int, list[str]] = {}
    for asset_id in (plain, shown):
        url = f"/api/v1/assets/{asset_id}/variants/x"
        assert client.get(url, headers=tokens["viewer"]).status_code == 200  # rendered
        with counting_statements(app) as statements:
            assert client.get(url, headers=tokens["viewer"]).status_code == 200
        counted[asset_id] = statements
    people = [s for s in counted[shown] if "FROM depictions" in s and "sha256" not in s]
    assert len(people) == 1, "\n".join(counted[shown])
    assert len(counted[shown]) == len(counted[plain]) + 1
    assert not [s for s in counted[plain] if "FROM depictions" in s and "sha256" not in s]


def test_no_override_publishes_a_photograph_whose_person_withdrew_but_a_missing_one_may_be(
    app: Flask, client: FlaskClient, api: Api, tokens: Tokens
) -> None:
    """A withdrawal means the photographs come down: the rights role's override, which may
    set aside a consent never recorded, does not set aside a withdrawn one."""
    asset_id = _photo(client, tokens)
    person_id, _ = depict(app, asset_id, consents=[{"channels": BOTH}])
    # Another person is shown instead (depicting replaces the list), who then withdraws.
    _, [withdrawn] = depict(app, asset_id, consents=[{"channels": BOTH}], name="Hodan Yusuf")
    withdraw(app, withdrawn, at=utcnow())
    override = "?override=true&reason=Director+approved"
    refused = api.call("GET", f"/api/v1/assets/{asset_id}/variants/x{override}",
                       headers=tokens["rights"])  # fmt: skip
    found = _people(problem(refused, 409, "audit-failed"))
    assert found["code"] == "consent_withdrawn"
    assert "withdrawn" in found["reason"] and "Hodan" not in found["reason"]

    # A consent that was never recorded (rather than withdrawn) is the rights role's call.
    with transaction(app) as session:
        people.set_people(session, session.get_one(Asset, asset_id),
                          {"status": "depicted", "people": [{"person_id": person_id}]},
                          actor="rita")  # fmt: skip
        session.get_one(Person, person_id).consents[0].channels = ["web"]
    missing = api.call("GET", f"/api/v1/assets/{asset_id}/variants/x", headers=tokens["rights"])
    assert _people(problem(missing, 409, "audit-failed"))["code"] == "consent_missing"
    allowed = api.call("GET", f"/api/v1/assets/{asset_id}/variants/x{override}",
                       headers=tokens["rights"])  # fmt: skip
    assert allowed.status_code == 200, allowed.json
