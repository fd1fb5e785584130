"""Rights records, the credit policy, captions, history and the audit, through the API."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.support import photos
from tests.support.api import basket, clear, upload
from tests.support.rights import BM, CC_BY

ARR = "vitrine:all-rights-reserved"


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def in_days(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def test_ingest_proposes_a_rights_record_from_the_embedded_metadata(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    asset = basket(client, tokens)
    rights = client.get(f"/api/v1/assets/{asset['id']}/rights", headers=tokens["viewer"]).json
    assert rights["holder"] == "Trustees of the British Museum"
    assert rights["credit_line"] == BM
    assert rights["creator"] == "Jane Photographer"
    assert rights["status"] == "unknown"
    assert rights["proposed"] is True
    assert rights["cleared_by"] is None


def test_clearing_records_who_cleared_and_when_and_is_kept_in_history(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    asset = basket(client, tokens)
    cleared = clear(client, tokens, asset["id"], expires_at=in_days(400))
    assert cleared.status_code == 200, cleared.json
    record = cleared.json
    assert (record["status"], record["cleared_by"], record["proposed"]) == (
        "cleared", "token:rights-user", False
    )  # fmt: skip
    assert record["cleared_at"].startswith(today())
    assert record["licence"] == {"uri": CC_BY, "short_name": "CC BY 4.0", "allows_social": True}
    history = client.get(f"/api/v1/assets/{asset['id']}/history", headers=tokens["viewer"]).json
    changes = {entry["field"]: entry for entry in history["items"]}
    assert changes["rights.status"]["before"] == "unknown"
    assert changes["rights.status"]["after"] == "cleared"
    assert changes["rights.status"]["actor"] == "token:rights-user"
    assert changes["rights.licence_uri"]["after"] == CC_BY
    restricted = client.put(
        f"/api/v1/assets/{asset['id']}/rights",
        json={"status": "restricted"},
        headers=tokens["rights"],
    ).json
    assert (restricted["cleared_by"], restricted["cleared_at"]) == (None, None)


def test_bad_rights_changes_are_refused_and_change_nothing(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    asset = basket(client, tokens)
    url = f"/api/v1/assets/{asset['id']}/rights"
    before = client.get(url, headers=tokens["viewer"]).json
    for body in (
        {"licence_uri": "https://example.org/my-licence"},
        {"status": "approved"},
        {"channels": ["tv"]},
        {"expires_at": "next week"},
        {"copyright_year": "1998"},
        {"cleared_by": "someone-else"},
        {"status": "cleared"},  # no licence yet: clearing needs one
        [],
    ):
        response = client.put(url, json=body, headers=tokens["rights"])
        assert response.status_code == 422, body
        assert response.mimetype == "application/problem+json"
    assert (
        client.put(url, json={"status": "cleared"}, headers=tokens["contributor"]).status_code
        == 403
    )
    assert client.get(url, headers=tokens["viewer"]).json == before
    history = client.get(f"/api/v1/assets/{asset['id']}/history", headers=tokens["viewer"]).json
    assert history["items"] == []


def test_history_records_descriptive_caption_and_rights_changes_and_cannot_be_edited(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    asset = basket(client, tokens)
    base = f"/api/v1/assets/{asset['id']}"
    client.patch(base, json={"title": "Wedding basket"}, headers=tokens["contributor"])
    client.put(
        f"{base}/captions/x", json={"text": f"A basket. {BM}"}, headers=tokens["contributor"]
    )
    clear(client, tokens, asset["id"])
    items = client.get(f"{base}/history", headers=tokens["viewer"]).json["items"]
    fields = [item["field"] for item in items]
    assert fields[0] == "title"
    assert items[0]["before"] == "Somali wedding basket"
    assert items[0]["after"] == "Wedding basket"
    assert items[0]["actor"] == "token:contributor-user"
    assert "caption.x.text" in fields
    assert "rights.status" in fields
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        assert (
            client.open(f"{base}/history", method=method, headers=tokens["admin"]).status_code
            == 405
        )


def test_expiring_lists_licences_and_embargoes_within_the_window_soonest_first(
    client: FlaskClient, runner: Any, tokens: dict[str, dict[str, str]]
) -> None:
    ids = [
        upload(client, tokens["contributor"], photos.jpeg_plain(30 + n, 30), title=f"n{n}").json[
            "id"
        ]
        for n in range(4)
    ]
    rights = tokens["rights"]
    client.put(f"/api/v1/assets/{ids[0]}/rights", json={"expires_at": in_days(5)}, headers=rights)
    client.put(
        f"/api/v1/assets/{ids[1]}/rights", json={"embargo_until": in_days(3)}, headers=rights
    )
    client.put(f"/api/v1/assets/{ids[2]}/rights", json={"expires_at": in_days(30)}, headers=rights)
    client.put(f"/api/v1/assets/{ids[3]}/rights", json={"expires_at": in_days(-2)}, headers=rights)
    response = client.get("/api/v1/rights/expiring?within_days=14", headers=tokens["viewer"])
    assert response.status_code == 200
    items = response.json["items"]
    assert [(i["asset_id"], i["event"], i["days_left"]) for i in items] == [
        (ids[1], "embargo_lifts", 3),
        (ids[0], "licence_expires", 5),
    ]
    wider = client.get("/api/v1/rights/expiring?within_days=31", headers=tokens["viewer"]).json
    assert [i["asset_id"] for i in wider["items"]] == [ids[1], ids[0], ids[2]]
    assert (
        client.get("/api/v1/rights/expiring?within_days=-1", headers=tokens["viewer"]).status_code
        == 422
    )
    printed = runner.invoke(args=["rights", "expiring", "--within-days", "14"])
    assert printed.exit_code == 0, printed.output
    lines = printed.output.splitlines()
    assert lines[0].startswith(f"{in_days(3)}\tembargo lifts\tin 3 day(s)\tasset {ids[1]}")
    assert lines[1].startswith(f"{in_days(5)}\tlicence expires\tin 5 day(s)\tasset {ids[0]}")
    assert lines[-1] == "2 deadline(s) within 14 day(s)"


def test_the_credit_policy_is_seeded_versioned_and_only_admins_change_it(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    seeded = client.get("/api/v1/credit-policies", headers=tokens["viewer"]).json
    assert seeded["version"] == 1
    bm = [rule for rule in seeded["rules"] if rule["holder"] == "Trustees of the British Museum"]
    assert bm and bm[0]["credit_line"] == BM
    rules = [*seeded["rules"], {"holder": "Leicester Museums", "credit_line": "© Leicester Museums",
                                "burn_in": True, "placement": "band"}]  # fmt: skip
    assert (
        client.put(
            "/api/v1/credit-policies", json={"rules": rules}, headers=tokens["rights"]
        ).status_code
        == 403
    )
    changed = client.put("/api/v1/credit-policies", json={"rules": rules}, headers=tokens["admin"])
    assert changed.status_code == 200, changed.json
    assert changed.json["version"] == 2
    for bad in (
        {"rules": [{"holder": "", "credit_line": "x"}]},
        {"rules": [{"holder": "A", "credit_line": "© A", "placement": "middle"}]},
        {
            "rules": [
                {"holder": "The A.", "credit_line": "© A"},
                {"holder": "a", "credit_line": "© A"},
            ]
        },
        {"rules": "none"},
    ):
        assert (
            client.put("/api/v1/credit-policies", json=bad, headers=tokens["admin"]).status_code
            == 422
        ), bad
    assert client.get("/api/v1/credit-policies", headers=tokens["viewer"]).json["version"] == 2


def test_a_composed_caption_carries_the_policy_credit_and_counts_as_the_platform_counts(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    asset = basket(client, tokens, description="Made for a wedding in Somalia. " * 40)
    caption = client.get(f"/api/v1/assets/{asset['id']}/captions/x", headers=tokens["viewer"]).json
    assert caption["mode"] == "template"
    assert BM in caption["text"]
    assert "#MuseumWeek" in caption["text"]
    assert "Af1935,0711.1" in caption["text"]
    assert caption["fits"] is True
    assert caption["length"] <= caption["limit"] == 280
    assert "description" in caption["shortened"]
    assert caption["credit"]["outcome"] == "exact"
    assert caption["counting"] == "twitter"
    instagram = client.get(
        f"/api/v1/assets/{asset['id']}/captions/instagram", headers=tokens["viewer"]
    ).json
    assert instagram["limit"] == 2200
    assert (
        client.get(
            f"/api/v1/assets/{asset['id']}/captions/myspace", headers=tokens["viewer"]
        ).status_code
        == 404
    )


def test_a_hand_written_caption_is_kept_and_still_credit_checked(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    asset = basket(client, tokens)
    url = f"/api/v1/assets/{asset['id']}/captions/bluesky"
    written = client.put(url, json={"text": "Guess what is inside! (c) The Trustees of the British Museum"},
                         headers=tokens["contributor"])  # fmt: skip
    assert written.status_code == 200, written.json
    assert written.json["mode"] == "manual"
    assert written.json["credit"]["outcome"] == "equivalent"
    assert BM in written.json["credit"]["reason"]
    assert client.put(url, json={"text": "x"}, headers=tokens["viewer"]).status_code == 403
    assert client.put(url, json={"text": 5}, headers=tokens["contributor"]).status_code == 422
    assert client.put(url, json={"colour": "red"}, headers=tokens["contributor"]).status_code == 422
    back = client.put(url, json={"text": None}, headers=tokens["contributor"]).json
    assert back["mode"] == "template"
    assert BM in back["text"]


def test_preview_composes_from_a_template_without_saving_anything(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    asset = basket(client, tokens)
    body = {"asset_id": asset["id"], "platform": "mastodon", "template": "{title} — {credit_line}"}
    preview = client.post("/api/v1/captions/preview", json=body, headers=tokens["viewer"])
    assert preview.status_code == 200, preview.json
    assert preview.json["text"] == f"Somali wedding basket — {BM}"
    assert preview.json["limit"] == 500
    bad = {**body, "template": "{title} {secret.__class__}"}
    assert (
        client.post("/api/v1/captions/preview", json=bad, headers=tokens["viewer"]).status_code
        == 422
    )
    history = client.get(f"/api/v1/assets/{asset['id']}/history", headers=tokens["viewer"]).json
    assert history["items"] == []


def test_admins_change_a_platform_template_and_captions_follow(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    asset = basket(client, tokens)
    template = {"template": "{title}\n{credit_line}\n{hashtags}"}
    assert (
        client.put(
            "/api/v1/caption-templates/threads", json=template, headers=tokens["contributor"]
        ).status_code
        == 403
    )
    saved = client.put("/api/v1/caption-templates/threads", json=template, headers=tokens["admin"])
    assert saved.status_code == 200
    listed = {
        t["platform"]: t
        for t in client.get("/api/v1/caption-templates", headers=tokens["viewer"]).json["items"]
    }
    assert listed["threads"]["customised"] is True
    assert listed["x"]["customised"] is False
    caption = client.get(
        f"/api/v1/assets/{asset['id']}/captions/threads", headers=tokens["viewer"]
    ).json
    assert caption["text"] == f"Somali wedding basket\n{BM}\n#MuseumWeek"
    no_credit = {"template": "{title}"}
    assert (
        client.put(
            "/api/v1/caption-templates/threads", json=no_credit, headers=tokens["admin"]
        ).status_code
        == 422
    )


def test_the_audit_turns_from_fail_to_pass_as_the_rights_desk_does_its_work(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    asset = basket(client, tokens)
    url = f"/api/v1/assets/{asset['id']}/audit?platform=x&channel=social"
    first = client.get(url, headers=tokens["viewer"]).json
    assert first["outcome"] == "fail"
    checks = {c["check"]: c for c in first["checks"]}
    assert checks["rights_status_cleared"]["status"] == "fail"
    assert checks["licence_allows_channel"]["status"] == "fail"
    assert checks["credit_line_in_caption"]["status"] == "pass"
    assert checks["alt_text_present"]["status"] == "pass"
    assert checks["holder_known_to_policy"]["status"] == "pass"
    assert set(checks) == {
        "rights_status_cleared", "licence_allows_channel", "not_embargoed", "not_expired",
        "credit_line_in_caption", "credit_line_in_embedded_metadata", "alt_text_present",
        "caption_within_limit", "holder_known_to_policy", "people_consent",
    }  # fmt: skip
    # Nobody has said yet whether the photograph shows people: refused on social media.
    assert (checks["people_consent"]["status"], checks["people_consent"]["code"]) == (
        "fail", "people_unknown")  # fmt: skip
    clear(client, tokens, asset["id"])
    assert client.get(url, headers=tokens["viewer"]).json["outcome"] == "pass"
    client.put(
        f"/api/v1/assets/{asset['id']}/rights", json={"licence_uri": ARR}, headers=tokens["rights"]
    )
    warned = client.get(url, headers=tokens["viewer"]).json
    assert warned["outcome"] == "warn"
    client.put(
        f"/api/v1/assets/{asset['id']}/rights",
        json={"embargo_until": in_days(3)},
        headers=tokens["rights"],
    )
    embargoed = {c["check"]: c for c in client.get(url, headers=tokens["viewer"]).json["checks"]}
    assert embargoed["not_embargoed"]["status"] == "fail"
    assert in_days(3) in embargoed["not_embargoed"]["reason"]
    assert (
        client.get(
            f"/api/v1/assets/{asset['id']}/audit?channel=tv", headers=tokens["viewer"]
        ).status_code
        == 422
    )


def test_a_campaign_audit_exports_json_and_csv_that_parses_back(
    client: FlaskClient, runner: Any, tokens: dict[str, dict[str, str]]
) -> None:
    ready = basket(client, tokens)
    clear(client, tokens, ready["id"])
    blocked = upload(client, tokens["contributor"], photos.jpeg_plain(44, 44), title="=HYPERLINK(1)",
                     tags="MuseumWeek").json  # fmt: skip
    other = upload(client, tokens["contributor"], photos.jpeg_plain(45, 44), tags="elsewhere").json
    body = {"asset_ids": [ready["id"], blocked["id"]], "platform": "x"}
    report = client.post("/api/v1/audits", json=body, headers=tokens["viewer"]).json
    assert report["summary"] == {"assets": 2, "passed": 1, "warned": 0, "failed": 1}
    as_csv = client.post(
        "/api/v1/audits", json=body, headers={**tokens["viewer"], "Accept": "text/csv"}
    )
    assert as_csv.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(as_csv.get_data(as_text=True))))
    assert len(rows) == 2 * 10  # every check of the audit, for each asset
    assert {row["asset_id"] for row in rows} == {str(ready["id"]), str(blocked["id"])}
    assert all(
        row["title"] == "'=HYPERLINK(1)" for row in rows if row["asset_id"] == str(blocked["id"])
    )
    by_tag = client.post(
        "/api/v1/audits", json={"filter": {"tag": "museumweek"}}, headers=tokens["viewer"]
    ).json
    assert [r["asset_id"] for r in by_tag["reports"]] == [ready["id"], blocked["id"]]
    assert other["id"] not in [r["asset_id"] for r in by_tag["reports"]]
    for bad in ({"asset_ids": [999999]}, {"asset_ids": ["1"]}, {}, {"asset_ids": [1], "filter": {}},
                {"filter": {"colour": "red"}}, {"asset_ids": [ready["id"]], "platform": "myspace"}):  # fmt: skip
        assert (
            client.post("/api/v1/audits", json=bad, headers=tokens["viewer"]).status_code == 422
        ), bad

    failing = runner.invoke(args=["audit", "--tag", "MuseumWeek", "--platform", "x"])
    assert failing.exit_code == 1
    assert "1 passed, 0 warned, 1 failed" in failing.output
    passing = runner.invoke(
        args=["audit", "--ids", str(ready["id"]), "--platform", "x", "--format", "csv"]
    )
    assert passing.exit_code == 0, passing.output
    assert len(list(csv.DictReader(io.StringIO(passing.output)))) == 10
    assert runner.invoke(args=["audit"]).exit_code == 2


def test_rights_and_captions_are_purged_with_their_asset_but_history_stays(
    app: Flask, make_app: Any, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    asset = basket(client, tokens)
    clear(client, tokens, asset["id"])
    client.put(f"/api/v1/assets/{asset['id']}/captions/x", json={"text": f"A basket. {BM}"},
               headers=tokens["contributor"])  # fmt: skip
    deleted = client.delete(f"/api/v1/assets/{asset['id']}", headers=tokens["admin"])
    assert deleted.status_code == 204
    from service.http import database as db
    from service.storage.models import Caption, HistoryEntry, RightsRecord

    with app.app_context(), db.new_session() as session:
        assert session.query(RightsRecord).count() == 1  # kept while it can be restored
    assert (
        make_app(DELETED_RETENTION_DAYS=0).test_cli_runner().invoke(args=["purge"]).exit_code == 0
    )
    with app.app_context(), db.new_session() as session:
        assert session.query(RightsRecord).count() == 0
        assert session.query(Caption).count() == 0
        fields = {
            entry.field for entry in session.query(HistoryEntry).filter_by(asset_id=asset["id"])
        }
        assert {"rights.status", "caption.x.text", "deleted"} <= fields


def test_expiring_pages_through_every_deadline_once_in_order(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    rights = tokens["rights"]
    expected = []
    for n in range(5):
        asset_id = upload(client, tokens["contributor"], photos.jpeg_plain(40 + n, 30)).json["id"]
        values = {"expires_at": in_days(2 + n % 2), "embargo_until": in_days(2)}
        answer = client.put(f"/api/v1/assets/{asset_id}/rights", json=values, headers=rights)
        assert answer.status_code == 200, answer.json
        expected += [(2, asset_id, "embargo_lifts"), (2 + n % 2, asset_id, "licence_expires")]
    order = {"licence_expires": 0, "embargo_lifts": 1}
    expected.sort(key=lambda item: (item[0], item[1], order[item[2]]))
    seen, cursor = [], None
    while True:
        query = {"within_days": 14, "limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/rights/expiring", query_string=query, headers=tokens["viewer"])
        assert page.status_code == 200, page.json
        assert len(page.json["items"]) <= 3
        seen += [(i["days_left"], i["asset_id"], i["event"]) for i in page.json["items"]]
        cursor = page.json["next_cursor"]
        if cursor is None:
            break
    assert seen == expected
    for bad in ({"cursor": "nonsense"}, {"limit": 0}, {"cursor": "WyJkZWFkbGluZSIsMSwyLDNd"}):
        refused = client.get("/api/v1/rights/expiring", query_string=bad, headers=tokens["viewer"])
        assert refused.status_code == 422, bad
        assert refused.mimetype == "application/problem+json"
