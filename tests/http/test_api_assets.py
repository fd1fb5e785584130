"""The asset API end to end, on SQLite and PostgreSQL, with the local store and S3."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.support import photos
from tests.support.api import upload
from tests.support.database import stored_state


def test_upload_answers_201_with_the_asset_and_its_embedded_rights(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    data = photos.jpeg_with_rights(width=640, height=480, orientation=6)
    response = upload(
        client,
        tokens["contributor"],
        data,
        filename="somali-basket.jpg",
        title="Wedding basket",
        object_number="Af1935,0711.1",
        alt_text="A woven basket with a lid",
        tags="MuseumWeek, #basketry",
    )
    assert response.status_code == 201, response.json
    asset = response.json
    assert response.headers["Location"] == f"/api/v1/assets/{asset['id']}"
    assert asset["sha256"] == hashlib.sha256(data).hexdigest()
    assert asset["original_filename"] == "somali-basket.jpg"
    assert asset["media_type"] == "image/jpeg"
    assert asset["byte_size"] == len(data)
    # Stored 640x480 with orientation 6: a viewer shows it as portrait.
    assert (asset["width"], asset["height"]) == (480, 640)
    assert asset["uploaded_by"] == "token:contributor-user"
    assert asset["title"] == "Wedding basket"
    assert asset["object_number"] == "Af1935,0711.1"
    assert asset["tags"] == ["MuseumWeek", "basketry"]
    metadata = asset["metadata"]
    assert metadata["copyright_notice"]["value"] == "© Trustees of the British Museum"
    assert metadata["has_gps"] is True
    assert metadata["orientation"] == 6


def test_the_same_bytes_uploaded_twice_are_one_asset(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    data = photos.jpeg_plain(320, 200)
    first = upload(client, tokens["contributor"], data, filename="a.jpg")
    second = upload(client, tokens["admin"], data, filename="copy-of-a.jpg", title="other")
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json["id"] == first.json["id"]
    assert second.json["original_filename"] == "a.jpg"
    rows, keys = stored_state(app)
    assert rows == 1
    assert len(keys) == 1


def test_every_supported_format_is_accepted_with_its_real_type(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    cases = [
        (photos.png_with_alpha(300, 200), "image/png", (300, 200)),
        (photos.tiff_16bit(120, 80), "image/tiff", (120, 80)),
        (photos.tiff_multipage(3), "image/tiff", None),
        (photos.webp(200, 100), "image/webp", (200, 100)),
        (photos.gif_animated(5), "image/gif", None),
        (photos.avif(64, 48), "image/avif", (64, 48)),
    ]
    for data, media_type, size in cases:
        # A misleading name and declared type change nothing: the bytes decide.
        response = upload(client, tokens["contributor"], data, filename="picture.txt")
        assert response.status_code == 201, (media_type, response.json)
        assert response.json["media_type"] == media_type
        if size:
            assert (response.json["width"], response.json["height"]) == size


def test_a_path_in_the_filename_is_kept_as_data_only(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]], tmp_path: Any
) -> None:
    data = photos.jpeg_plain(64, 64)
    response = upload(client, tokens["contributor"], data, filename="../../etc/passwd")
    assert response.status_code == 201
    assert response.json["original_filename"] == "../../etc/passwd"
    _, keys = stored_state(app)
    assert keys == [
        f"originals/{response.json['sha256'][:2]}/{response.json['sha256'][2:4]}/"
        f"{response.json['sha256']}"
    ]


def test_listing_pages_through_assets_newest_first_with_a_cursor(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    ids = [
        upload(client, tokens["contributor"], photos.jpeg_plain(40 + n, 40)).json["id"]
        for n in range(5)
    ]
    seen: list[int] = []
    cursor = None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/assets", query_string=query, headers=tokens["viewer"]).json
        seen.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))


def test_listing_filters_by_text_tag_uploader_and_date(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    basket = upload(
        client,
        tokens["contributor"],
        photos.jpeg_plain(50, 50),
        title="Somali wedding basket",
        tags="museumweek",
    ).json
    cast = upload(
        client,
        tokens["admin"],
        photos.jpeg_plain(51, 50),
        object_number="1896,0501.1",
        description="Cast of a fresco, Palace of Minos",
    ).json

    def ids(**query: Any) -> list[int]:
        response = client.get("/api/v1/assets", query_string=query, headers=tokens["viewer"])
        assert response.status_code == 200, response.json
        return [item["id"] for item in response.json["items"]]

    assert ids(q="WEDDING") == [basket["id"]]
    assert ids(q="minos") == [cast["id"]]
    assert ids(q="1896,0501") == [cast["id"]]
    assert ids(q="100%") == []
    assert ids(tag="#MuseumWeek") == [basket["id"]]
    assert ids(uploaded_by="token:admin-user") == [cast["id"]]
    hour_ago = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    in_an_hour = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert ids(created_after=hour_ago) == [cast["id"], basket["id"]]
    assert ids(created_before=hour_ago) == []
    assert ids(created_after="2000-01-01", created_before="2000-01-02") == []
    assert ids(created_after=hour_ago, created_before=in_an_hour, tag="museumweek") == [
        basket["id"]
    ]


def test_bad_list_parameters_answer_422(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    for query in (
        {"limit": 0},
        {"limit": "many"},
        {"cursor": "nonsense!"},
        {"created_after": "yesterday"},
        {"limit": "²"},
        {"created_after": "2026-13-01"},
    ):
        response = client.get("/api/v1/assets", query_string=query, headers=tokens["viewer"])
        assert response.status_code == 422, query
        assert response.mimetype == "application/problem+json"
        assert response.json["code"] == "invalid-input"


def test_patch_changes_descriptive_fields_and_refuses_others(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    asset = upload(client, tokens["contributor"], photos.jpeg_plain(60, 60)).json
    url = f"/api/v1/assets/{asset['id']}"
    changed = client.patch(
        url,
        json={"title": "  Basket  ", "alt_text": "Basket, woven", "tags": ["a", "A", "b"]},
        headers=tokens["contributor"],
    )
    assert changed.status_code == 200
    assert changed.json["title"] == "Basket"
    assert changed.json["tags"] == ["a", "b"]
    kept = client.patch(url, json={"tags": ["b", "c"]}, headers=tokens["contributor"])
    assert kept.status_code == 200, kept.json
    assert kept.json["tags"] == ["b", "c"]
    client.patch(url, json={"tags": ["a", "b"]}, headers=tokens["contributor"])
    for body in ({"sha256": "0" * 64}, {"title": 5}, {"title": "x" * 501}, {"tags": "a"}, []):
        refused = client.patch(url, json=body, headers=tokens["contributor"])
        assert refused.status_code == 422, body
        assert refused.mimetype == "application/problem+json"
    after = client.get(url, headers=tokens["viewer"]).json
    assert (after["title"], after["sha256"], after["tags"]) == (
        "Basket",
        asset["sha256"],
        ["a", "b"],
    )


def test_delete_hides_the_asset_until_restored_or_purged_with_its_blobs(
    app: Flask, make_app: Any, runner: Any, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    keep = upload(client, tokens["contributor"], photos.jpeg_plain(70, 70)).json
    gone_bytes = photos.jpeg_plain(71, 70)
    gone = upload(client, tokens["contributor"], gone_bytes).json
    url = f"/api/v1/assets/{gone['id']}"
    assert client.delete(url, headers=tokens["contributor"]).status_code == 403
    assert client.delete(url, headers=tokens["admin"]).status_code == 204
    assert client.get(url, headers=tokens["viewer"]).status_code == 404
    listed = client.get("/api/v1/assets", headers=tokens["viewer"]).json["items"]
    assert [item["id"] for item in listed] == [keep["id"]]
    again = upload(client, tokens["contributor"], gone_bytes)
    assert again.status_code == 409
    assert again.json["code"] == "asset-deleted"
    # Within the retention the original is kept, and an admin can bring the asset back.
    assert stored_state(app)[0] == 2
    restored = client.post(f"{url}/restore", headers=tokens["admin"])
    assert restored.status_code == 200
    assert client.get(url, headers=tokens["viewer"]).status_code == 200
    client.delete(url, headers=tokens["admin"])
    assert "would purge 0 asset(s)" in runner.invoke(args=["purge", "--dry-run"]).output
    purging = make_app(DELETED_RETENTION_DAYS=0).test_cli_runner()
    assert f"purged 1 asset(s): {gone['id']}" in purging.invoke(args=["purge"]).output
    rows, keys = stored_state(app)
    assert rows == 1
    assert [key.rsplit("/", 1)[1] for key in keys] == [keep["sha256"]]
    assert client.post(f"{url}/restore", headers=tokens["admin"]).status_code == 404
    history = client.get(f"{url}/history", headers=tokens["viewer"])
    assert history.status_code == 404  # the asset is gone; its history rows stay in the table


def test_metadata_lists_normalised_fields_and_raw_tags_by_source(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    asset = upload(client, tokens["contributor"], photos.jpeg_with_rights()).json
    response = client.get(f"/api/v1/assets/{asset['id']}/metadata", headers=tokens["viewer"])
    assert response.status_code == 200
    body = response.json
    summary = body["summary"]
    assert summary["creator"]["value"]
    assert summary["credit_line"]["value"] == "© Trustees of the British Museum"
    assert summary["camera_make"] == "Canon"
    assert summary["gps"]["latitude"] > 51
    assert summary["gps"]["longitude"] < 0
    assert summary["icc_profile"]
    assert set(body["raw"]) >= {"exif", "iptc", "xmp"}
    assert any("Copyright" in name for name in body["raw"]["exif"])


def test_the_original_streams_back_byte_for_byte(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    data = photos.jpeg_with_rights()
    asset = upload(client, tokens["contributor"], data, filename="Basket – Mumbai.jpg").json
    response = client.get(f"/api/v1/assets/{asset['id']}/original", headers=tokens["contributor"])
    assert response.status_code == 200
    assert response.data == data
    assert response.mimetype == "image/jpeg"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    response.close()


def test_no_unauthenticated_route_serves_an_original(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    asset = upload(client, tokens["contributor"], photos.jpeg_plain(80, 80)).json
    assert client.get(f"/api/v1/assets/{asset['id']}/original").status_code == 401
    _, keys = stored_state(app)
    if app.config["BLOB_BACKEND"] == "local":
        signed = app.extensions["vitrine.store"].signed_url(keys[0], 60)
        assert client.get(signed).status_code == 404
