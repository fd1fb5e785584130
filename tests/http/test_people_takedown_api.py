"""Withdrawing a consent, through the API: the takedown list of the posts that carry the
person (exported and published, newest first; CSV too), and the signed consent form kept in
the blob store (local and S3) and read back by the rights role only. Every exchange is checked
against openapi.yaml."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from service.http import database as db
from service.services import campaigns, posts
from service.storage.db import utcnow
from tests.support import people_api as register
from tests.support import photos
from tests.support.openapi import Api, problem
from tests.support.people_api import LOCAL, NAME, PDF, PEOPLE, Tokens


def _week(numbers: list[str]) -> dict[str, Any]:
    """Three posts of one #MuseumWeek day in Paris, each showing the first photograph."""
    post = {"platforms": ["instagram", "bluesky"], "captions": {}}
    return {
        "name": "MuseumWeek 2026",
        "hashtag": "MuseumWeek",
        "timezone": "Europe/Paris",
        "days": [
            {
                "date": "2026-06-08",
                "theme": "People",
                "posts": [
                    {**post, "time": "09:30", "media": [{"object_number": numbers[0]}]},
                    {
                        **post,
                        "time": "12:00",
                        "media": [{"object_number": numbers[1]}, {"object_number": numbers[0]}],
                    },
                    {**post, "time": "18:00", "media": [{"object_number": numbers[0]}]},
                    {**post, "time": "20:00", "media": [{"object_number": numbers[1]}]},
                ],
            }
        ],
    }


@LOCAL
def test_the_takedown_lists_exported_and_published_posts_newest_first(
    app: Flask, api: Api, tokens: Tokens
) -> None:
    shown = register.asset(api, tokens, 82, "ITP-2026-001")
    register.asset(api, tokens, 83, "ITP-2026-002")
    person_id = register.person(api, tokens)
    register.depict_people(api, tokens, shown, person_id)
    created = api.call(
        "POST", "/api/v1/campaigns", json=_week(["ITP-2026-001", "ITP-2026-002"]),
        headers=tokens["contributor"],
    )  # fmt: skip
    assert created.status_code == 201, created.json
    campaign_id = created.json["id"]
    morning, noon, evening, night = (p["id"] for p in created.json["days"][0]["posts"])
    # The morning post was exported in a bundle; the noon post went out on Instagram; the
    # evening post is still a draft; the night post does not show her.
    with app.app_context(), db.new_session() as session:
        campaign = campaigns.get_campaign(session, campaign_id)
        chosen = [posts.get_post(session, campaign, i) for i in (morning, night)]
        posts.mark_exported(session, campaign, chosen, actor="test", now=utcnow())
        session.commit()
    url = "https://www.instagram.com/p/C7xYz12AbCd/"
    published = api.call(
        "PATCH", f"/api/v1/campaigns/{campaign_id}/posts/{noon}", headers=tokens["contributor"],
        json={"status": "published", "remote_url": url},
    )  # fmt: skip
    assert published.status_code == 200, published.json

    path = f"{PEOPLE}/{person_id}/takedown"
    report = api.call("GET", path, headers=tokens["contributor"])
    assert report.status_code == 200, report.json
    assert report.json["person"] == {"id": person_id, "role": "participant"}
    assert report.json["posts"] == [
        {
            "campaign_id": campaign_id, "campaign": "MuseumWeek 2026", "post_id": noon,
            "status": "published", "platforms": ["instagram", "bluesky"],
            "time": "2026-06-08T12:00:00+02:00", "remote_url": url, "asset_ids": [shown],
        },
        {
            "campaign_id": campaign_id, "campaign": "MuseumWeek 2026", "post_id": morning,
            "status": "exported", "platforms": ["instagram", "bluesky"],
            "time": "2026-06-08T09:30:00+02:00", "remote_url": "", "asset_ids": [shown],
        },
    ]  # fmt: skip
    assert evening not in [p["post_id"] for p in report.json["posts"]]

    for csv_request in ({"query_string": {"format": "csv"}}, {"headers": {"Accept": "text/csv"}}):
        headers = {**tokens["contributor"], **csv_request.get("headers", {})}
        answer = api.call("GET", path, headers=headers, query_string=csv_request.get(
            "query_string", {}))  # fmt: skip
        assert answer.status_code == 200
        assert answer.mimetype == "text/csv"
        assert answer.headers["Content-Disposition"] == (
            f'attachment; filename="vitrine-person-{person_id}-takedown.csv"'
        )
        assert register.text_of(answer).split("\r\n") == [
            "campaign_id,campaign,post_id,status,platforms,time,remote_url,asset_ids",
            f"{campaign_id},MuseumWeek 2026,{noon},published,instagram bluesky,"
            f"2026-06-08T12:00:00+02:00,{url},{shown}",
            f"{campaign_id},MuseumWeek 2026,{morning},exported,instagram bluesky,"
            f"2026-06-08T09:30:00+02:00,,{shown}",
            "",
        ]
    problem(api.call("GET", path, query_string={"format": "xml"}, headers=tokens["rights"],
                     request_valid=False), 422, "invalid-input")  # fmt: skip

    # The subject access export lists every post that used her photographs, any status.
    exported = api.call("GET", f"{PEOPLE}/{person_id}/export", headers=tokens["rights"]).json
    assert sorted(p["post_id"] for p in exported["posts"]) == sorted([morning, noon, evening])
    assert exported["depicted_in"][0]["asset_id"] == shown
    assert exported["person"]["display_name"] == NAME


def test_the_signed_form_goes_to_the_blob_store_and_back_to_the_rights_role_only(
    app: Flask, api: Api, tokens: Tokens, make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    store = app.extensions["vitrine.store"]
    person_id = register.person(api, tokens)
    consent = register.consent(api, tokens, person_id)
    path = f"{PEOPLE}/{person_id}/consents/{consent['id']}/evidence"

    def put(data: bytes, name: str, role: str = "rights") -> Any:
        return api.call("PUT", path, data={"file": (io.BytesIO(data), name)}, headers=tokens[role])

    problem(api.call("GET", path, headers=tokens["rights"]), 404, "not-found")
    # Not a PDF, JPEG or PNG (a GIF, a text calling itself .pdf), empty, or from a contributor:
    # refused, and nothing is stored.
    problem(put(b"GIF89a\x01\x00\x01\x00", "form.gif"), 422, "invalid-input")
    problem(put(b"I agree to everything.", "form.pdf"), 422, "invalid-input")
    problem(put(b"", "form.pdf"), 422, "invalid-input")
    problem(put(PDF, "form.pdf", "contributor"), 403, "forbidden")
    # A blob store that fails: 503, and neither a blob nor a row.
    if app.config["BLOB_BACKEND"] == "s3":
        broken = make_app(S3_SECRET_KEY="not-the-secret")
    else:
        blocker = tmp_path / "not-a-directory"
        blocker.write_bytes(b"")
        broken = make_app(BLOB_DIR=str(blocker / "blobs"))
    failed = Api(broken.test_client(), api.openapi).call(
        "PUT", path, data={"file": (io.BytesIO(PDF), "form.pdf")}, headers=tokens["rights"]
    )
    problem(failed, 503, "storage-unavailable")
    assert list(store.keys("evidence/")) == []
    assert "consent.evidence" not in [e["field"] for e in register.history(api, tokens, person_id)]
    assert api.call("GET", f"{PEOPLE}/{person_id}", headers=tokens["rights"]).json[
        "consents"][0]["evidence"] is None  # fmt: skip

    stored = put(PDF, "Signed consent Amina.pdf")
    assert stored.status_code == 200, stored.json
    assert stored.json["evidence"] == {
        "media_type": "application/pdf",
        "filename": "Signed consent Amina.pdf",
        "url": path,
    }
    assert len(list(store.keys("evidence/"))) == 1
    for role in ("viewer", "contributor"):
        problem(api.call("GET", path, headers=tokens[role]), 403, "forbidden")
    download = api.call("GET", path, headers=tokens["rights"])
    assert download.status_code == 200
    assert download.data == PDF
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Cache-Control"] == "private, no-store"

    # A scan replaces the form: the form's blob goes, the scan's is the one kept.
    scan = photos.jpeg_plain(50, 70)
    replaced = put(scan, "scan.jpg")
    assert replaced.status_code == 200, replaced.json
    assert replaced.json["evidence"]["media_type"] == "image/jpeg"
    assert len(list(store.keys("evidence/"))) == 1
    assert api.call("GET", path, headers=tokens["rights"]).data == scan
    fields = [e["field"] for e in register.history(api, tokens, person_id)]
    assert fields.count("consent.evidence") == 2
