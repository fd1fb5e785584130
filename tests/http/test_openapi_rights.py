"""openapi.yaml describes the rights, credit-policy and audit routes as the app answers them
(the caption routes are in test_openapi_captions.py; the ``asset`` fixture in conftest.py).

The same checks as ``test_openapi``: every exchange goes through the real app, the request
is validated against its operation (or found invalid by the spec too, for requests the
app refuses), and the response against the status, media type, headers and schema the
spec gives for it. The enumerations in the spec are also compared with the code's own.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from service.rules import audit, captions, credits, licences
from service.services import rights
from tests.support import photos
from tests.support.api import upload
from tests.support.openapi import Api, clear, problem
from tests.support.rights import BM, CC_BY

Tokens = dict[str, dict[str, str]]


def in_days(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


# ---------------------------------------------------------------- the document and the code


def test_the_enumerations_are_the_codes_own(schemas: dict[str, Any]) -> None:
    def enum(name: str) -> list[Any]:
        values: list[Any] = schemas[name]["enum"]
        return values

    assert enum("RightsStatus") == list(rights.STATUSES)
    assert enum("Channel") == list(rights.CHANNELS)
    assert enum("LicenceUri") == list(licences.LICENCES)
    assert enum("PlatformKey") == list(captions.PLATFORMS)
    assert schemas["Platform"]["properties"]["name"]["enum"] == [
        platform.name for platform in captions.PLATFORMS.values()
    ]
    assert set(enum("CountingMethod")) == {p.counting for p in captions.PLATFORMS.values()}
    assert set(enum("CreditPlacement")) == credits.PLACEMENTS
    assert enum("AuditCheck") == [check.__name__ for check in audit.CHECKS]
    assert schemas["AuditCsv"]["pattern"] == "^" + ",".join(audit.CSV_COLUMNS) + "\r\n"
    assert list(schemas["RightsChanges"]["properties"]) == list(rights.WRITABLE)
    for field, limit in rights.TEXT_LIMITS.items():
        assert schemas["RightsChanges"]["properties"][field]["maxLength"] == limit
        assert schemas["Rights"]["properties"][field]["maxLength"] == limit


# ---------------------------------------------------------------- rights, history, expiring


def test_a_rights_record_is_proposed_cleared_and_kept_in_history_as_described(
    api: Api, tokens: Tokens, asset: dict[str, Any]
) -> None:
    url = f"/api/v1/assets/{asset['id']}/rights"
    proposed = api.call("GET", url, headers=tokens["viewer"])
    assert proposed.status_code == 200
    assert proposed.json["proposed"] is True
    assert (proposed.json["status"], proposed.json["licence"]) == ("unknown", None)
    assert proposed.json["updated_by"] == "embedded metadata"

    cleared = clear(
        api, tokens, asset["id"], expires_at=in_days(400), copyright_year=2024, notes="Cleared."
    )
    assert (cleared["status"], cleared["proposed"], cleared["revision"]) == ("cleared", False, 2)
    assert cleared["cleared_by"] == "token:rights-user"
    assert cleared["licence"] == {"uri": CC_BY, "short_name": "CC BY 4.0", "allows_social": True}

    spelled = api.call(
        "PUT",
        url,
        json={
            "licence_uri": "https://creativecommons.org/licenses/by-nd/4.0/legalcode",
            "channels": ["social", "web", "social"],
            "embargo_until": "",
        },
        headers=tokens["rights"],
    )
    assert spelled.status_code == 200
    assert spelled.json["licence_uri"] == "http://creativecommons.org/licenses/by-nd/4.0/"
    assert spelled.json["channels"] == ["web", "social"]
    assert spelled.json["licence"]["allows_social"] is False

    restricted = api.call("PUT", url, json={"status": "restricted"}, headers=tokens["admin"])
    assert (restricted.json["cleared_by"], restricted.json["cleared_at"]) == (None, None)
    removed = api.call(
        "PUT", url, json={"licence_uri": None, "copyright_year": None}, headers=tokens["rights"]
    )
    assert (removed.json["licence_uri"], removed.json["licence"]) == (None, None)

    history = api.call("GET", f"/api/v1/assets/{asset['id']}/history", headers=tokens["viewer"])
    assert history.status_code == 200
    changes = {entry["field"]: entry for entry in history.json["items"]}
    assert changes["rights.status"]["before"] == "cleared"
    assert changes["rights.status"]["after"] == "restricted"
    assert changes["rights.channels"]["after"] == ["web", "social"]
    assert changes["rights.copyright_year"]["before"] == 2024


def test_an_empty_rights_change_accepts_the_proposal(
    api: Api, tokens: Tokens, asset: dict[str, Any]
) -> None:
    url = f"/api/v1/assets/{asset['id']}/rights"
    accepted = api.call("PUT", url, json={}, headers=tokens["rights"])
    assert accepted.status_code == 200
    assert (accepted.json["proposed"], accepted.json["revision"]) == (False, 2)
    again = api.call("PUT", url, json={}, headers=tokens["rights"])
    assert again.json["revision"] == 2


def test_bad_rights_changes_answer_422_naming_the_fields(
    api: Api, tokens: Tokens, asset: dict[str, Any]
) -> None:
    url = f"/api/v1/assets/{asset['id']}/rights"
    headers = tokens["rights"]
    # Valid for the spec, refused for what the record lacks: clearing needs a licence.
    uncleared = api.call("PUT", url, json={"status": "cleared"}, headers=headers)
    assert problem(uncleared, 422, "invalid-input")["errors"] == {
        "licence_uri": "clearing needs a licence"
    }
    for body, field in (
        ({"licence_uri": "https://example.org/my-licence"}, "licence_uri"),
        ({"expires_at": "next week"}, "expires_at"),
        ({"copyright_year": 3000}, "copyright_year"),
    ):
        refused = api.call("PUT", url, json=body, headers=headers)
        assert field in problem(refused, 422, "invalid-input")["errors"], body
    for body, field in (
        ({"status": "approved"}, "status"),
        ({"channels": ["tv"]}, "channels"),
        ({"copyright_year": "1998"}, "copyright_year"),
        ({"copyright_year": 999}, "copyright_year"),
        ({"cleared_by": "someone-else"}, "cleared_by"),
        ({"holder": "x" * 301}, "holder"),
        ([], "body"),
    ):
        refused = api.call("PUT", url, json=body, headers=headers, request_valid=False)
        assert field in problem(refused, 422, "invalid-input")["errors"], body
    history = api.call("GET", f"/api/v1/assets/{asset['id']}/history", headers=tokens["viewer"])
    assert history.json == {"items": []}


def test_expiring_rights_list_deadlines_in_the_window_as_described(
    api: Api, client: FlaskClient, tokens: Tokens
) -> None:
    ids = [
        upload(client, tokens["contributor"], photos.jpeg_plain(30 + n, 30), title=f"n{n}").json[
            "id"
        ]
        for n in range(3)
    ]
    for asset_id, change in zip(
        ids,
        (
            {"expires_at": in_days(5), "embargo_until": in_days(0)},
            {"embargo_until": in_days(3)},
            {"expires_at": in_days(30)},
        ),
        strict=True,
    ):
        api.call("PUT", f"/api/v1/assets/{asset_id}/rights", json=change, headers=tokens["rights"])
    default = api.call("GET", "/api/v1/rights/expiring", headers=tokens["viewer"])
    assert default.status_code == 200
    assert default.json["within_days"] == 14
    assert default.json["today"] == in_days(0)
    assert [(i["asset_id"], i["event"], i["days_left"]) for i in default.json["items"]] == [
        (ids[0], "embargo_lifts", 0),
        (ids[1], "embargo_lifts", 3),
        (ids[0], "licence_expires", 5),
    ]
    wider = api.call("GET", "/api/v1/rights/expiring?within_days=30", headers=tokens["viewer"])
    assert [i["asset_id"] for i in wider.json["items"]][-1] == ids[2]
    for bad in ("-1", "3651", "soon"):
        refused = api.call(
            "GET",
            f"/api/v1/rights/expiring?within_days={bad}",
            headers=tokens["viewer"],
            request_valid=False,
        )
        assert "within_days" in problem(refused, 422, "invalid-input")["errors"]


def test_the_credit_policy_is_read_and_replaced_as_described(api: Api, tokens: Tokens) -> None:
    seeded = api.call("GET", "/api/v1/credit-policies", headers=tokens["viewer"])
    assert seeded.status_code == 200
    assert (seeded.json["version"], seeded.json["created_by"]) == (1, "default policy file")
    rules = [
        *seeded.json["rules"],
        {"_note": "a comment, dropped", "holder": "Leicester Museums", "credit_line": "© LM"},
    ]
    replaced = api.call(
        "PUT", "/api/v1/credit-policies", json={"rules": rules}, headers=tokens["admin"]
    )
    assert replaced.status_code == 200
    assert (replaced.json["version"], replaced.json["created_by"]) == (2, "token:admin-user")
    assert replaced.json["rules"][-1] == {
        "holder": "Leicester Museums",
        "credit_line": "© LM",
        "burn_in": False,
        "placement": "bottom-right",
    }
    repeated = [{"holder": "The A.", "credit_line": "© A"}, {"holder": "a", "credit_line": "© A"}]
    refused = api.call(
        "PUT", "/api/v1/credit-policies", json={"rules": repeated}, headers=tokens["admin"]
    )
    assert problem(refused, 422, "invalid-input")["errors"] == {
        "rules": "each holder may appear once (names are compared tolerantly)"
    }
    for body, field in (
        ({"rules": [{"holder": "A", "credit_line": "© A", "placement": "middle"}]}, "rules[0]"),
        ({"rules": [{"holder": "A", "credit_line": "© A", "burnin": True}]}, "rules[0]"),
        ({"rules": [{"holder": "", "credit_line": "x"}]}, "rules[0]"),
        ({"rules": "none"}, "body"),
        ({"rules": [], "version": 3}, "body"),
    ):
        refused = api.call(
            "PUT",
            "/api/v1/credit-policies",
            json=body,
            headers=tokens["admin"],
            request_valid=False,
        )
        assert field in problem(refused, 422, "invalid-input")["errors"], body
    emptied = api.call(
        "PUT", "/api/v1/credit-policies", json={"rules": []}, headers=tokens["admin"]
    )
    assert (emptied.json["version"], emptied.json["rules"]) == (3, [])


# ---------------------------------------------------------------- audits


def test_one_asset_is_audited_as_described(api: Api, tokens: Tokens, asset: dict[str, Any]) -> None:
    url = f"/api/v1/assets/{asset['id']}/audit"
    first = api.call("GET", url, headers=tokens["viewer"])
    assert first.status_code == 200
    assert (first.json["platform"], first.json["channel"], first.json["outcome"]) == (
        "default", "social", "fail"
    )  # fmt: skip
    assert [finding["check"] for finding in first.json["checks"]] == [
        check.__name__ for check in audit.CHECKS
    ]
    clear(api, tokens, asset["id"], expires_at=in_days(3))
    soon = api.call("GET", f"{url}?platform=x&channel=social", headers=tokens["viewer"])
    assert soon.json["outcome"] == "warn"
    for query in ("channel=tv", "platform=myspace"):
        refused = api.call("GET", f"{url}?{query}", headers=tokens["viewer"], request_valid=False)
        problem(refused, 422, "invalid-input")


def test_a_campaign_audit_answers_json_or_csv_as_described(
    api: Api, client: FlaskClient, tokens: Tokens, asset: dict[str, Any]
) -> None:
    clear(api, tokens, asset["id"])
    blocked = upload(
        client, tokens["contributor"], photos.jpeg_plain(44, 44), title="=HYPERLINK(1)"
    ).json
    body = {"asset_ids": [asset["id"], blocked["id"], asset["id"]], "platform": "x"}
    report = api.call("POST", "/api/v1/audits", json=body, headers=tokens["viewer"])
    assert report.status_code == 200
    assert report.mimetype == "application/json"
    assert report.json["summary"] == {"assets": 2, "passed": 1, "warned": 0, "failed": 1}
    assert [r["asset_id"] for r in report.json["reports"]] == [asset["id"], blocked["id"]]

    as_csv = api.call(
        "POST", "/api/v1/audits", json=body, headers={**tokens["viewer"], "Accept": "text/csv"}
    )
    assert as_csv.status_code == 200
    assert as_csv.mimetype == "text/csv"
    assert as_csv.headers["Content-Disposition"] == 'attachment; filename="vitrine-audit.csv"'
    rows = list(csv.DictReader(io.StringIO(as_csv.get_data(as_text=True))))
    assert len(rows) == 2 * len(audit.CHECKS)
    assert {row["title"] for row in rows if row["asset_id"] == str(blocked["id"])} == {
        "'=HYPERLINK(1)"
    }

    by_filter = api.call(
        "POST",
        "/api/v1/audits",
        json={"filter": {"tag": "#museumweek", "q": ""}, "channel": "web"},
        headers=tokens["viewer"],
    )
    assert [r["asset_id"] for r in by_filter.json["reports"]] == [asset["id"]]
    nothing = api.call("POST", "/api/v1/audits", json={"asset_ids": []}, headers=tokens["viewer"])
    assert nothing.json == {
        "summary": {"assets": 0, "passed": 0, "warned": 0, "failed": 0},
        "reports": [],
    }


def test_bad_audit_requests_answer_422(api: Api, tokens: Tokens, asset: dict[str, Any]) -> None:
    missing = api.call(
        "POST", "/api/v1/audits", json={"asset_ids": [999_999]}, headers=tokens["viewer"]
    )
    assert problem(missing, 422, "invalid-input")["errors"] == {
        "asset_ids": "no such asset: 999999"
    }
    csv_refused = api.call(
        "POST",
        "/api/v1/audits",
        json={"asset_ids": [999_999]},
        headers={**tokens["viewer"], "Accept": "text/csv"},
    )
    problem(csv_refused, 422, "invalid-input")
    for body, field in (
        ({}, "body"),
        ({"asset_ids": [asset["id"]], "filter": {}}, "body"),
        ({"asset_ids": ["1"]}, "asset_ids"),
        ({"asset_ids": 1}, "asset_ids"),
        ({"filter": {"colour": "red"}}, "filter"),
        ({"filter": {"tag": 5}}, "filter"),
        ({"asset_ids": [asset["id"]], "platform": "myspace"}, "platform"),
        ({"asset_ids": [asset["id"]], "channel": "tv"}, "channel"),
        ({"asset_ids": [asset["id"]], "channel": 5}, "body"),
    ):
        refused = api.call(
            "POST", "/api/v1/audits", json=body, headers=tokens["viewer"], request_valid=False
        )
        assert field in problem(refused, 422, "invalid-input")["errors"], body


# ---------------------------------------------------------------- refusals on every route


def operations(asset_id: int) -> list[tuple[str, str, Any]]:
    """Every new operation, with a body the spec accepts."""
    assets = f"/api/v1/assets/{asset_id}"
    return [
        ("GET", f"{assets}/rights", None),
        ("PUT", f"{assets}/rights", {"status": "pending"}),
        ("GET", f"{assets}/history", None),
        ("GET", "/api/v1/rights/expiring", None),
        ("GET", "/api/v1/credit-policies", None),
        ("PUT", "/api/v1/credit-policies", {"rules": []}),
        ("GET", "/api/v1/platforms", None),
        ("GET", f"{assets}/captions/x", None),
        ("PUT", f"{assets}/captions/x", {"text": BM}),
        ("POST", "/api/v1/captions/preview", {"asset_id": asset_id, "platform": "x"}),
        ("GET", "/api/v1/caption-templates", None),
        ("PUT", "/api/v1/caption-templates/x", {"template": "{credit_line}"}),
        ("GET", f"{assets}/audit", None),
        ("POST", "/api/v1/audits", {"asset_ids": [asset_id]}),
    ]


def test_every_new_route_answers_401_without_a_valid_token(api: Api, asset: dict[str, Any]) -> None:
    for method, path, body in operations(asset["id"]):
        problem(api.call(method, path, json=body, request_valid=False), 401, "unauthenticated")
        revoked = api.call(method, path, json=body, headers={"Authorization": "Bearer vt_x_y"})
        problem(revoked, 401, "unauthenticated")


@pytest.mark.parametrize(
    ("method", "path", "below"),
    [
        ("PUT", "/rights", "contributor"),
        ("PUT", "/captions/x", "viewer"),
        ("PUT", "/api/v1/credit-policies", "rights"),
        ("PUT", "/api/v1/caption-templates/x", "rights"),
    ],
)
def test_a_role_below_the_route_answers_403(
    api: Api, tokens: Tokens, asset: dict[str, Any], method: str, path: str, below: str
) -> None:
    url = path if path.startswith("/api/") else f"/api/v1/assets/{asset['id']}{path}"
    body = next(body for m, p, body in operations(asset["id"]) if (m, p) == (method, url))
    problem(api.call(method, url, json=body, headers=tokens[below]), 403, "forbidden")


def test_every_route_of_a_missing_asset_answers_404(api: Api, tokens: Tokens) -> None:
    for method, path, body in operations(999_999):
        if "/assets/999999" in path or path.endswith("preview"):
            problem(api.call(method, path, json=body, headers=tokens["admin"]), 404, "not-found")
