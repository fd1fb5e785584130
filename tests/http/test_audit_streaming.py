"""Audits are streamed, a chunk of assets at a time, with the same statements for 3 assets or 30
(issue 13): the API's JSON and CSV, the audit page's CSV, the library page's card audits and
``vitrine audit``."""

from __future__ import annotations

import csv
import io
import json
import sys
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from service import config
from service.http import database as db
from service.rules import audit
from service.services import auditing, context
from service.storage.db import utcnow
from service.storage.models import Asset
from service.web import library
from tests.support import photos
from tests.support.api import clear, upload
from tests.support.database import counting_statements
from tests.support.web import add_user, browser_like, page, signed_in

Tokens = dict[str, dict[str, str]]
CSV = {"Accept": "text/csv"}
LOADS_ASSETS = "assets.original_filename"  # in a statement that reads asset rows


@pytest.fixture
def blob_settings(tmp_path: Any) -> dict[str, Any]:
    """The local store only: what is counted is the database's statements."""
    return {"BLOB_BACKEND": "local", "BLOB_DIR": str(tmp_path / "blobs")}


def _campaign(client: FlaskClient, tokens: Tokens, first: int, n: int) -> list[int]:
    """``n`` assets tagged #campaign, each in one of four states: cleared with embedded
    rights, with a hand-written caption, proposed only, and plain with a second tag."""
    made = []
    for number in range(first, first + n):
        if number % 4 in (0, 1):
            data = photos.jpeg_with_rights(width=60 + number, height=40, orientation=1)
        else:
            data = photos.jpeg_plain(60 + number, 40)
        tags = "campaign,extra" if number % 4 == 3 else "campaign"
        answer = upload(
            client, tokens["contributor"], data, title=f"Object {number}", alt_text="A thing.",
            tags=tags,
        )  # fmt: skip
        assert answer.status_code == 201, answer.json
        asset_id = int(answer.json["id"])
        if number % 4 == 0:
            assert clear(client, tokens, asset_id).status_code == 200
        if number % 4 == 1:
            text = {"text": f"Object {number}, by hand. #campaign", "alt_text": "By hand."}
            url = f"/api/v1/assets/{asset_id}/captions/default"
            assert client.put(url, json=text, headers=tokens["contributor"]).status_code == 200
        made.append(asset_id)
    return made


def _audit(client: FlaskClient, tokens: Tokens, body: dict[str, Any], **headers: str) -> Any:
    answer = client.post("/api/v1/audits", json=body, headers={**tokens["viewer"], **headers})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer


def _one_by_one(app: Flask, asset_ids: list[int], platform: str, channel: str) -> list[Any]:
    """The reports as the single-asset path makes them (the publishing gate's), asset by
    asset: its own reads of the caption, template, policy and rights."""
    today = utcnow().date()
    with app.app_context(), db.new_session() as session:
        return [
            audit.audit(
                auditing.audit_input(
                    session, session.get_one(Asset, asset_id),
                    platform=platform, channel=channel, today=today,
                    people_unknown_blocks=context.of(app).people_unknown_blocks,
                )
            )
            for asset_id in asset_ids
        ]  # fmt: skip


def test_an_audit_runs_the_same_statements_for_3_or_30_assets_as_json_and_csv(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    by_tag = {"filter": {"tag": "campaign"}, "platform": "instagram"}
    counts: dict[str, list[int]] = {"json": [], "csv": [], "ids": []}
    made: list[int] = []
    client.get("/api/v1/me", headers=tokens["viewer"])  # the token's first use is noted
    for n in (3, 27):
        made += _campaign(client, tokens, len(made), n)
        for kind, body, headers in (
            ("json", by_tag, {}),
            ("csv", by_tag, CSV),
            ("ids", {"asset_ids": made}, {}),
        ):
            with counting_statements(app) as statements:
                answer = _audit(client, tokens, body, **headers)
                answer.get_data()  # the body is streamed: its statements run as it is read
            counts[kind].append(len(statements))
        assert len(answer.json["reports"]) == len(made)
    assert counts["json"][0] == counts["json"][1], counts
    assert counts["csv"][0] == counts["csv"][1], counts
    assert counts["ids"][0] == counts["ids"][1], counts
    # The token, the count (or the ids), the policy, the template, then per chunk of assets:
    # the rows with their rights, their tags and their captions.
    assert max(counts["json"] + counts["csv"] + counts["ids"]) <= 8, counts


def test_the_streamed_reports_are_those_of_the_single_asset_path(
    app: Flask, client: FlaskClient, tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _campaign(client, tokens, 0, 12)
    monkeypatch.setattr(auditing, "CHUNK_SIZE", 5)  # three chunks, the last one short
    for platform, channel in (("default", "social"), ("x", "web"), ("instagram", "social")):
        expected = _one_by_one(app, made, platform, channel)
        body = {"filter": {"tag": "#Campaign"}, "platform": platform, "channel": channel}
        as_json = _audit(client, tokens, body)
        assert as_json.mimetype == "application/json"
        assert as_json.json == {
            "reports": [audit.report_dict(report) for report in expected],
            "summary": audit.summarise(expected),
        }
        # Byte for byte what the app's JSON answers were before they were streamed.
        whole = {"summary": audit.summarise(expected),
                 "reports": [audit.report_dict(report) for report in expected]}  # fmt: skip
        assert as_json.get_data(as_text=True) == app.json.response(whole).get_data(as_text=True)
        as_csv = _audit(client, tokens, body, **CSV)
        assert as_csv.mimetype == "text/csv"
        assert as_csv.headers["Content-Disposition"] == 'attachment; filename="vitrine-audit.csv"'
        assert as_csv.get_data(as_text=True) == audit.to_csv(expected)
        listed = list(reversed(made[::2])) + made[:3]  # in the order listed, each once
        by_ids = _audit(client, tokens, {"asset_ids": listed, "platform": platform,
                                         "channel": channel})  # fmt: skip
        order = list(dict.fromkeys(listed))
        assert [r["asset_id"] for r in by_ids.json["reports"]] == order
        by_id = {report.asset_id: report for report in expected}
        assert by_ids.json["reports"] == [audit.report_dict(by_id[i]) for i in order]
    outcomes = {report.outcome for report in _one_by_one(app, made, "default", "social")}
    assert "fail" in outcomes and len(outcomes) > 1, outcomes  # the campaign is varied


def test_the_view_answers_before_reading_assets_which_are_read_as_the_body_is_sent(
    app: Flask, client: FlaskClient, tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _campaign(client, tokens, 0, 6)
    monkeypatch.setattr(auditing, "CHUNK_SIZE", 4)  # two chunks: 4 assets, then 2
    monkeypatch.setattr("service.http.streaming.WRITE_SIZE", 1)  # a write per piece
    body = {"filter": {"tag": "campaign"}}
    with counting_statements(app) as statements:
        answer = client.post("/api/v1/audits", json=body, headers={**tokens["viewer"], **CSV})
        assert answer.status_code == 200
        assert answer.is_streamed
        assert [s for s in statements if LOADS_ASSETS in s] == []
        pieces = iter(answer.response)
        header = next(pieces)
        assert header.startswith(b"asset_id,title")
        assert [s for s in statements if LOADS_ASSETS in s] == []
        first = next(pieces)
        assert first.startswith(str(made[0]).encode())
        loaded_by_then = len([s for s in statements if LOADS_ASSETS in s])
        rest = b"".join(pieces)
        answer.close()
    assert loaded_by_then == 1  # the first chunk, not the second
    assert len([s for s in statements if LOADS_ASSETS in s]) == 2
    assert rest.endswith(b"\r\n")


def test_an_audit_over_the_cap_is_refused_with_422_before_any_asset_row_is_read(
    app: Flask, client: FlaskClient, tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _campaign(client, tokens, 0, 4)
    monkeypatch.setitem(app.config, "MAX_AUDIT_ASSETS", 3)
    for body, headers, field in (
        ({"filter": {"tag": "campaign"}}, {}, "filter"),
        ({"filter": {"tag": "campaign"}}, CSV, "filter"),
        ({"asset_ids": made}, CSV, "asset_ids"),
        ({"asset_ids": [made[0]] * 4}, {}, "asset_ids"),  # repeats count
    ):
        with counting_statements(app) as statements:
            refused = client.post(
                "/api/v1/audits", json=body, headers={**tokens["viewer"], **headers}
            )
        assert refused.status_code == 422
        assert refused.mimetype == "application/problem+json"
        assert field in refused.json["errors"], refused.json
        assert [s for s in statements if LOADS_ASSETS in s] == []
    unknown = client.post(
        "/api/v1/audits",
        json={"asset_ids": made[:3], "platform": "myspace"},
        headers={**tokens["viewer"], **CSV},
    )
    assert unknown.status_code == 422
    assert unknown.mimetype == "application/problem+json"
    assert "platform" in unknown.json["errors"]
    monkeypatch.setitem(app.config, "MAX_AUDIT_ASSETS", 4)
    assert len(_audit(client, tokens, {"filter": {"tag": "campaign"}}).json["reports"]) == 4


def test_the_audit_pages_csv_is_the_apis_streamed_and_refuses_before_reading_assets(
    app: Flask, client: FlaskClient, tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _campaign(client, tokens, 0, 6)
    monkeypatch.setattr(auditing, "CHUNK_SIZE", 4)  # two chunks
    monkeypatch.setattr("service.http.streaming.WRITE_SIZE", 1)  # the test client reads one
    add_user(app, "viewer", "viewer")
    web = browser_like(app.test_client())
    signed_in(web, "viewer")
    for platform, channel in (("x", "social"), ("instagram", "web")):
        expected = _one_by_one(app, made, platform, channel)
        with counting_statements(app) as statements:
            answer = web.get(f"/audits.csv?tag=campaign&platform={platform}&channel={channel}")
            assert answer.status_code == 200
            assert answer.is_streamed
            assert [s for s in statements if LOADS_ASSETS in s] == []  # read as it is sent
            document = answer.get_data(as_text=True)
        assert answer.mimetype == "text/csv"
        assert answer.headers["Content-Disposition"] == 'attachment; filename="vitrine-audit.csv"'
        assert document == audit.to_csv(expected)
        body = {"filter": {"tag": "campaign"}, "platform": platform, "channel": channel}
        assert document == _audit(client, tokens, body, **CSV).get_data(as_text=True)
    monkeypatch.setitem(app.config, "MAX_AUDIT_ASSETS", 5)
    every = ",".join(map(str, made))
    for query, field in (("tag=campaign", "tag"), (f"ids={every}", "ids"), ("ids=1,x", "ids"),
                         ("", "ids"), (f"ids={made[0]}&platform=default", "platform")):  # fmt: skip
        with counting_statements(app) as statements:
            refused = web.get(f"/audits.csv?{query}")
        assert refused.status_code == 422, query
        assert refused.mimetype == "text/html"
        assert page(refused).find(id=f"{field}-error") is not None, query
        assert [s for s in statements if LOADS_ASSETS in s] == []


@pytest.mark.parametrize("cards", [3, 30])
def test_the_library_page_runs_at_most_10_statements_whatever_the_number_of_cards(
    app: Flask, client: FlaskClient, tokens: Tokens, monkeypatch: pytest.MonkeyPatch, cards: int
) -> None:
    _campaign(client, tokens, 0, cards)
    add_user(app, "viewer", "viewer")
    web = browser_like(client)
    signed_in(web, "viewer")
    counts = []
    for page_size in (library.PAGE_SIZE, 50):
        monkeypatch.setattr(library, "PAGE_SIZE", page_size)
        web.get("/library")  # warm: the first request after signing in may refresh the session
        with counting_statements(app) as statements:
            shown = web.get("/library")
        assert shown.status_code == 200
        shown_cards = page(shown).find_all("article", cls="asset-card")
        assert len(shown_cards) == min(cards, page_size)
        counts.append(len(statements))
    assert max(counts) <= 10, (counts, statements)


def test_vitrine_audit_writes_each_report_as_its_chunk_is_audited_and_exits_1_on_a_failure(
    app: Flask, client: FlaskClient, tokens: Tokens, runner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _campaign(client, tokens, 0, 6)
    monkeypatch.setattr(auditing, "CHUNK_SIZE", 4)  # two chunks: 4 assets, then 2
    expected = _one_by_one(app, made, "default", "social")
    written_when_loaded: list[int] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if LOADS_ASSETS in statement:  # how much of the answer was out when a chunk was read
            sys.stdout.flush()
            written_when_loaded.append(len(sys.stdout.buffer.getvalue()))  # type: ignore[attr-defined]

    engine = app.extensions["vitrine.engine"]
    event.listen(engine, "before_cursor_execute", note)
    try:
        as_csv = runner.invoke(args=["audit", "--tag", "campaign", "--format", "csv"])
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert as_csv.stdout_bytes.decode() == audit.to_csv(expected)
    assert as_csv.exit_code == 1  # some fail
    # The header was out before the first chunk was read, its reports before the second.
    header, after_first = written_when_loaded
    assert 0 < header < after_first < len(as_csv.stdout_bytes)

    as_json = runner.invoke(args=["audit", "--tag", "campaign", "--format", "json"])
    assert as_json.exit_code == 1
    document = json.loads(as_json.output)
    assert document == {
        "reports": [audit.report_dict(report) for report in expected],
        "summary": audit.summarise(expected),
    }
    table = runner.invoke(args=["audit", "--tag", "campaign"])
    assert table.exit_code == 1
    summary = audit.summarise(expected)
    assert f"{summary['passed']} passed" in table.output.splitlines()[-1]

    cleared = [report.asset_id for report in expected if report.outcome != "fail"]
    assert cleared, "the campaign has assets that pass"
    ids = ",".join(map(str, cleared))
    passing = runner.invoke(args=["audit", "--ids", ids, "--format", "csv"])
    assert passing.exit_code == 0, passing.output
    rows = list(csv.DictReader(io.StringIO(passing.output)))
    assert {int(row["asset_id"]) for row in rows} == set(cleared)


def test_the_cap_is_read_from_vitrine_max_audit_assets() -> None:
    assert config.load({})["MAX_AUDIT_ASSETS"] == 10_000
    assert config.load({"VITRINE_MAX_AUDIT_ASSETS": "20_000"})["MAX_AUDIT_ASSETS"] == 20_000
    for wrong in ("0", "many"):
        with pytest.raises(config.ConfigError, match="VITRINE_MAX_AUDIT_ASSETS"):
            config.load({"VITRINE_MAX_AUDIT_ASSETS": wrong})


@pytest.mark.parametrize("indent", [None, 2])
@pytest.mark.parametrize("n", [0, 1, 3])
def test_the_streamed_json_document_is_the_one_json_dumps_writes(
    indent: int | None, n: int
) -> None:
    finding = audit.Finding("alt_text_present", "fail", "missing", 'No "alt" text, é.\n')
    reports = [audit.Report(i, f"=Title {i}", "x", "web", [finding] * i) for i in range(1, n + 1)]
    whole = {
        "reports": [audit.report_dict(r) for r in reports],
        "summary": audit.summarise(reports),
    }
    for sort_keys in (False, True):
        pieces = list(audit.json_document(iter(reports), indent=indent, sort_keys=sort_keys))
        separators = (",", ":") if indent is None else None
        expected = json.dumps(whole, indent=indent, separators=separators, sort_keys=sort_keys)
        assert "".join(pieces) == expected
        assert len(pieces) == n + 2  # a piece per report, then the end of the list and the summary
