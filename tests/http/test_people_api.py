"""The people register through the API, as a museum uses it: the rights manager records a
participant and her consent, tags her in a photograph and withdraws the consent; viewers and
contributors see that people are depicted, never who; bad input changes nothing; a subject
access export and an erasure. The takedown list and the signed form are in
test_people_takedown_api.py. Every exchange is checked against openapi.yaml."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta

from flask import Flask

from tests.support import people_api as register
from tests.support.openapi import Api, problem
from tests.support.people_api import GUARDIAN, LOCAL, NAME, PDF, PEOPLE, REF, Tokens


@LOCAL
def test_viewers_and_contributors_see_that_people_are_depicted_never_who(
    api: Api, tokens: Tokens
) -> None:
    asset_id = register.asset(api, tokens, 80)
    before = api.call("GET", f"/api/v1/assets/{asset_id}", headers=tokens["viewer"]).json
    assert (before["people_status"], before["people_proposed"], before["people_count"]) == (
        "unknown", False, 0,
    )  # fmt: skip
    person_id = register.person(api, tokens)
    soon = (datetime.now(UTC).date() + timedelta(days=5)).isoformat()
    register.consent(api, tokens, person_id, expires_at=soon, guardian="")
    tagged = register.depict_people(api, tokens, asset_id, person_id)
    assert tagged["people"][0]["display_name"] == NAME
    assert tagged["people"][0]["region"] == {"x": 0.1, "y": 0.2, "w": 0.3, "h": 0.4}

    for role in ("viewer", "contributor"):
        headers = tokens[role]
        answers = [
            api.call("GET", f"/api/v1/assets/{asset_id}", headers=headers),
            api.call("GET", "/api/v1/assets", headers=headers),
            api.call("GET", f"/api/v1/assets/{asset_id}/people", headers=headers),
            api.call("GET", f"/api/v1/assets/{asset_id}/history", headers=headers),
            api.call("GET", "/api/v1/rights/expiring?within_days=30", headers=headers),
        ]
        if role == "contributor":
            answers.append(api.call("GET", f"{PEOPLE}/{person_id}/takedown", headers=headers))
        for answer in answers:
            assert answer.status_code == 200, answer.json
            assert NAME not in register.text_of(answer) and REF not in register.text_of(answer), (
                answer.request.path
            )
        asset = answers[0].json
        assert (asset["people_status"], asset["people_count"]) == ("depicted", 1)
        assert answers[1].json["items"][0]["people_count"] == 1
        depicted = answers[2].json
        assert depicted["count"] == 1
        assert depicted["people"] == [
            {
                "person_id": person_id,
                "role": "participant",
                "region": {"x": 0.1, "y": 0.2, "w": 0.3, "h": 0.4},
                "proposed": False,
                "consent_state": "active",
            }
        ]
        [ending] = answers[4].json["consents"]
        assert ending["person_id"] == person_id and "person_name" not in ending
        # The register itself is the rights role's.
        for path in (PEOPLE, f"{PEOPLE}/{person_id}", f"{PEOPLE}/{person_id}/history",
                     f"{PEOPLE}/{person_id}/export"):  # fmt: skip
            problem(api.call("GET", path, headers=headers), 403, "forbidden")
    problem(
        api.call("GET", f"{PEOPLE}/{person_id}/takedown", headers=tokens["viewer"]),
        403, "forbidden",
    )  # fmt: skip

    # The rights role reads names: in the asset's people, the takedown, the expiring report.
    rights = tokens["rights"]
    named = api.call("GET", f"/api/v1/assets/{asset_id}/people", headers=rights).json
    assert named["people"][0]["display_name"] == NAME
    report = api.call("GET", f"{PEOPLE}/{person_id}/takedown", headers=rights).json
    assert report["person"] == {"id": person_id, "role": "participant", "display_name": NAME}
    expiring = api.call("GET", "/api/v1/rights/expiring?within_days=30", headers=rights).json
    assert expiring["consents"][0]["person_name"] == NAME
    assert expiring["consents"][0]["days_left"] == 5
    found = api.call("GET", PEOPLE, query_string={"q": "yusuf"}, headers=rights).json
    assert [person["id"] for person in found["items"]] == [person_id]
    wildcard = api.call("GET", PEOPLE, query_string={"q": "%"}, headers=rights).json
    assert wildcard["items"] == []  # searched for as written, not as a pattern


@LOCAL
def test_no_recognisable_people_and_unknown_replace_the_list_with_history(
    api: Api, tokens: Tokens
) -> None:
    asset_id = register.asset(api, tokens, 81)
    first, second = (
        register.person(api, tokens),
        register.person(api, tokens, "Jonas Weber", "staff"),
    )
    register.depict_people(api, tokens, asset_id, first, second)
    moved = api.call(
        "PUT", f"/api/v1/assets/{asset_id}/people", headers=tokens["rights"],
        json={"status": "depicted", "people": [{"person_id": second}]},
    )  # fmt: skip
    assert moved.status_code == 200, moved.json
    assert [p["person_id"] for p in moved.json["people"]] == [second]
    assert moved.json["people"][0]["region"] is None
    none = api.call(
        "PUT", f"/api/v1/assets/{asset_id}/people", json={"status": "none"},
        headers=tokens["rights"],
    )  # fmt: skip
    assert none.json == {
        "asset_id": asset_id, "status": "none", "proposed": False, "count": 0, "people": [],
    }  # fmt: skip
    asset = api.call("GET", f"/api/v1/assets/{asset_id}", headers=tokens["viewer"]).json
    assert (asset["people_status"], asset["people_count"]) == ("none", 0)
    fields = [(e["field"], e["before"], e["after"]) for e in register.history(api, tokens, first)]
    assert fields[-2:] == [
        ("depiction", None, {"region": {"x": 0.1, "y": 0.2, "w": 0.3, "h": 0.4},
                             "proposed": False}),
        ("depiction", {"region": {"x": 0.1, "y": 0.2, "w": 0.3, "h": 0.4}, "proposed": False},
         None),
    ]  # fmt: skip
    status = [
        (e["before"], e["after"])
        for e in api.call(
            "GET", f"/api/v1/assets/{asset_id}/history", headers=tokens["viewer"]
        ).json["items"]
        if e["field"] == "people_status"
    ]
    assert status == [("unknown", "depicted"), ("depicted", "none")]
    problem(
        api.call("PUT", f"/api/v1/assets/{asset_id}/people", json={"status": "unknown"},
                 headers=tokens["contributor"]),
        403, "forbidden",
    )  # fmt: skip


@LOCAL
def test_a_withdrawal_is_kept_once_with_who_and_when(api: Api, tokens: Tokens) -> None:
    person_id = register.person(api, tokens)
    consent = register.consent(api, tokens, person_id)
    assert consent["state"] == "active" and consent["withdrawn_at"] is None
    path = f"{PEOPLE}/{person_id}/consents/{consent['id']}/withdraw"
    for role in ("viewer", "contributor"):
        problem(api.call("POST", path, headers=tokens[role]), 403, "forbidden")
    withdrawn = api.call("POST", path, headers=tokens["rights"])
    assert withdrawn.status_code == 200, withdrawn.json
    assert withdrawn.json["state"] == "withdrawn"
    assert withdrawn.json["withdrawn_by"] == "token:rights-user"
    at = datetime.fromisoformat(withdrawn.json["withdrawn_at"])
    assert abs(at.replace(tzinfo=at.tzinfo or UTC) - datetime.now(UTC)) < timedelta(minutes=1)
    again = api.call("POST", path, headers=tokens["rights"])
    assert again.status_code == 200
    assert again.json == withdrawn.json  # the first withdrawal stands
    events = [
        e for e in register.history(api, tokens, person_id) if e["field"] == "consent.withdrawn"
    ]
    assert len(events) == 1
    assert events[0]["consent_id"] == consent["id"] and events[0]["actor"] == "token:rights-user"
    person = api.call("GET", f"{PEOPLE}/{person_id}", headers=tokens["rights"]).json
    assert person["consent_state"] == "withdrawn"
    assert person["consents"][0]["state"] == "withdrawn"
    problem(
        api.call("POST", f"{PEOPLE}/{person_id}/consents/999/withdraw", headers=tokens["rights"]),
        404, "not-found",
    )  # fmt: skip


@LOCAL
def test_bad_input_is_refused_by_field_and_changes_nothing(api: Api, tokens: Tokens) -> None:
    rights = tokens["rights"]
    asset_id = register.asset(api, tokens, 84)
    person_id = register.person(api, tokens)
    before_person = api.call("GET", f"{PEOPLE}/{person_id}", headers=rights).json
    before_history = register.history(api, tokens, person_id)

    bad_people = [
        ({"role": "participant"}, "display_name"),
        ({"display_name": "  ", "role": "participant"}, "display_name"),
        ({"display_name": "X", "role": "celebrity"}, "role"),
        ({"display_name": "X" * 201, "role": "staff"}, "display_name"),
        ({"display_name": "X", "role": "staff", "email": "x@example.org"}, "email"),
    ]
    for body, field in bad_people:
        refused = problem(api.call("POST", PEOPLE, json=body, headers=rights,
                                   request_valid=False), 422, "invalid-input")  # fmt: skip
        assert field in refused["errors"]
    refused = problem(
        api.call("PATCH", f"{PEOPLE}/{person_id}", json={"role": "king", "display_name": "Z"},
                 headers=rights, request_valid=False),
        422, "invalid-input",
    )  # fmt: skip
    assert set(refused["errors"]) == {"role"}

    consents = f"{PEOPLE}/{person_id}/consents"
    bad_consents = [
        ({"granted_at": "2026-03-01"}, "channels"),
        ({"channels": [], "granted_at": "2026-03-01"}, "channels"),
        ({"channels": ["tv"], "granted_at": "2026-03-01"}, "channels"),
        ({"channels": ["social"], "platforms": ["myspace"], "granted_at": "2026-03-01"},
         "platforms"),
        ({"channels": ["social"], "granted_at": "1 March"}, "granted_at"),
        ({"channels": ["social"], "granted_at": "2026-03-01", "expires_at": "2026-02-01"},
         "expires_at"),
        ({"channels": ["social"], "granted_at": "2026-03-01", "basis": "hope"}, "basis"),
        ({"channels": ["social"], "granted_at": "2026-03-01", "language": "English!"},
         "language"),
        ({"channels": ["social"], "granted_at": "2026-03-01", "withdrawn_at": "2026-03-02"},
         "withdrawn_at"),
    ]  # fmt: skip
    for body, field in bad_consents:
        valid = field == "expires_at"  # before granted_at: the spec cannot say so
        refused = problem(api.call("POST", consents, json=body, headers=rights,
                                   request_valid=valid), 422, "invalid-input")  # fmt: skip
        assert field in refused["errors"], refused

    people_path = f"/api/v1/assets/{asset_id}/people"
    bad_depictions = [
        ({"status": "some"}, "status"),
        ({"status": "none", "people": [{"person_id": person_id}]}, "people"),
        ({"status": "depicted", "people": [{"person_id": 999}]}, "people[0].person_id"),
        ({"status": "depicted", "people": [{"person_id": person_id},
                                           {"person_id": person_id}]}, "people[1].person_id"),
        ({"status": "depicted", "people": [{"person_id": person_id,
                                            "region": {"x": 0.8, "y": 0, "w": 0.5, "h": 1}}]},
         "people[0].region"),
        ({"status": "depicted", "people": [{"person_id": person_id, "name": NAME}]},
         "people[0]"),
    ]  # fmt: skip
    for body, field in bad_depictions:
        valid = field not in ("status", "people[0]")  # the others, the spec cannot say
        refused = problem(api.call("PUT", people_path, json=body, headers=rights,
                                   request_valid=valid), 422, "invalid-input")  # fmt: skip
        assert field in refused["errors"], refused
    problem(api.call("GET", PEOPLE, query_string={"cursor": "x"}, headers=rights,
                     request_valid=False), 422, "invalid-input")  # fmt: skip

    after = api.call("GET", f"{PEOPLE}/{person_id}", headers=rights).json
    assert after == before_person
    assert register.history(api, tokens, person_id) == before_history
    asset = api.call("GET", people_path, headers=rights).json
    assert (asset["status"], asset["people"]) == ("unknown", [])
    assert [p["id"] for p in api.call("GET", PEOPLE, headers=rights).json["items"]] == [person_id]


@LOCAL
def test_an_erased_person_keeps_consents_and_depictions_without_a_name(
    app: Flask, api: Api, tokens: Tokens
) -> None:
    store = app.extensions["vitrine.store"]
    asset_id = register.asset(api, tokens, 85)
    person_id = register.person(api, tokens, role="minor")
    consent = register.consent(api, tokens, person_id, guardian=GUARDIAN)
    register.depict_people(api, tokens, asset_id, person_id)
    evidence = f"{PEOPLE}/{person_id}/consents/{consent['id']}/evidence"
    stored = api.call("PUT", evidence, data={"file": (io.BytesIO(PDF), f"{NAME}.pdf")},
                      headers=tokens["rights"])  # fmt: skip
    assert stored.status_code == 200, stored.json
    api.call("PATCH", f"{PEOPLE}/{person_id}", json={"display_name": "Amina Y."},
             headers=tokens["rights"])  # fmt: skip

    erase = f"{PEOPLE}/{person_id}/erase"
    problem(api.call("POST", erase, headers=tokens["rights"]), 403, "forbidden")
    erased = api.call("POST", erase, headers=tokens["admin"])
    assert erased.status_code == 200, erased.json
    assert (erased.json["display_name"], erased.json["external_ref"]) == ("", "")
    assert erased.json["erased_at"] is not None
    [kept] = erased.json["consents"]
    assert kept["id"] == consent["id"] and kept["state"] == "withdrawn"
    assert kept["withdrawn_by"] == "token:admin-user"
    assert (kept["guardian"], kept["evidence"]) == ("", None)
    assert kept["channels"] == ["social", "web"] and kept["release_id"] == "MR-2026-0042"
    assert erased.json["depicted_in"] == [asset_id]
    assert list(store.keys("evidence/")) == []

    history = register.history(api, tokens, person_id)
    assert history[-1]["field"] == "erased"
    everything = json.dumps(
        [history, api.call("GET", f"{PEOPLE}/{person_id}/export", headers=tokens["rights"]).json]
    )
    for personal in (NAME, "Amina", REF, GUARDIAN):
        assert personal not in everything
    assert "[erased]" in everything
    # Still depicted, with a withdrawn consent: the gate goes on refusing the photograph.
    depicted = api.call("GET", f"/api/v1/assets/{asset_id}/people", headers=tokens["viewer"])
    assert depicted.json["people"][0]["consent_state"] == "withdrawn"

    problem(api.call("POST", erase, headers=tokens["admin"]), 409, "person-erased")
    problem(api.call("PATCH", f"{PEOPLE}/{person_id}", json={"display_name": "Again"},
                     headers=tokens["rights"]), 409, "person-erased")  # fmt: skip
    problem(api.call("POST", f"{PEOPLE}/{person_id}/consents", headers=tokens["rights"],
                     json={"channels": ["social"], "granted_at": "2026-03-01"}),
            409, "person-erased")  # fmt: skip


@LOCAL
def test_the_register_is_read_a_page_at_a_time(api: Api, tokens: Tokens) -> None:
    ids = [register.person(api, tokens, f"Person {n}") for n in range(3)]
    first = api.call("GET", PEOPLE, query_string={"limit": 2}, headers=tokens["rights"]).json
    assert [p["id"] for p in first["items"]] == ids[:2]
    query = {"limit": 2, "cursor": first["next_cursor"]}
    second = api.call("GET", PEOPLE, query_string=query, headers=tokens["rights"]).json
    assert ([p["id"] for p in second["items"]], second["next_cursor"]) == (ids[2:], None)
