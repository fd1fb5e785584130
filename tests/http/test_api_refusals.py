"""Bad input, limits and failures halfway: a clear problem, and nothing stored."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from service.app import create_app
from tests.support import photos
from tests.support.api import upload
from tests.support.database import stored_state

SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
HTML = b"<!doctype html><html><body><img src=x onerror=alert(1)></body></html>"
PASSWD = b"root:x:0:0:root:/root:/bin/bash\n"

BAD_FILES = [
    ("empty file", b"", "empty.jpg", 422, "invalid-input"),
    (
        "text named .jpg",
        b"just some notes, not a photo\n",
        "notes.jpg",
        415,
        "unsupported-media-type",
    ),
    ("truncated JPEG", None, "cut.jpg", 422, "unreadable-image"),
    ("PNG bomb", None, "bomb.png", 413, "too-many-pixels"),
    ("SVG", SVG, "logo.svg", 415, "unsupported-media-type"),
    ("HTML named .png", HTML, "page.png", 415, "unsupported-media-type"),
    ("XMP external entity", None, "xxe.jpg", 422, "unsafe-metadata"),
    ("XMP billion laughs", None, "laughs.jpg", 422, "unsafe-metadata"),
    ("passwd by path", PASSWD, "../../etc/passwd", 415, "unsupported-media-type"),
    ("PNG signature only", b"\x89PNG\r\n\x1a\n", "sig.png", 422, "unreadable-image"),
    # Pillow 13 reads AVIF but not HEIC without a plugin: refused as unsupported, not as broken.
    (
        "HEIC",
        b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64,
        "i.heic",
        415,
        "unsupported-media-type",
    ),
]


def bad_bytes(name: str, data: bytes | None) -> bytes:
    if data is not None:
        return data
    return {
        "truncated JPEG": photos.truncated_jpeg,
        "PNG bomb": photos.png_bomb_header,
        "XMP external entity": lambda: photos.jpeg_with_xmp(photos.XMP_EXTERNAL_ENTITY),
        "XMP billion laughs": lambda: photos.jpeg_with_xmp(photos.XMP_BILLION_LAUGHS),
    }[name]()


@pytest.mark.parametrize(
    ("name", "data", "filename", "status", "code"), BAD_FILES, ids=[b[0] for b in BAD_FILES]
)
def test_a_bad_file_is_refused_with_a_problem_and_nothing_is_stored(
    app: Flask,
    client: FlaskClient,
    tokens: dict[str, dict[str, str]],
    name: str,
    data: bytes | None,
    filename: str,
    status: int,
    code: str,
) -> None:
    before = stored_state(app)
    response = upload(client, tokens["contributor"], bad_bytes(name, data), filename=filename)
    assert response.status_code == status, response.json
    assert response.mimetype == "application/problem+json"
    problem = response.json
    assert problem["code"] == code
    assert problem["status"] == status
    assert problem["title"] and problem["detail"] and problem["type"]
    assert stored_state(app) == before


def test_a_malformed_exif_block_is_recorded_as_a_warning_not_a_refusal(
    client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    response = upload(client, tokens["contributor"], photos.jpeg_malformed_exif())
    assert response.status_code == 201, response.json
    metadata = client.get(
        f"/api/v1/assets/{response.json['id']}/metadata", headers=tokens["viewer"]
    ).json
    assert metadata["warnings"]


def test_upload_requests_that_are_not_one_file_are_refused(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    headers = tokens["contributor"]
    no_file = client.post(
        "/api/v1/assets", data={"title": "x"}, headers=headers, content_type="multipart/form-data"
    )
    assert no_file.status_code == 422
    assert "file" in no_file.json["errors"]
    two = client.post(
        "/api/v1/assets",
        data={
            "file": [
                (io.BytesIO(photos.jpeg_plain(10, 10)), "a.jpg"),
                (io.BytesIO(photos.jpeg_plain(11, 10)), "b.jpg"),
            ]
        },
        headers=headers,
    )
    assert two.status_code == 422
    unknown = upload(client, headers, photos.jpeg_plain(12, 10), sha256="0" * 64)
    assert unknown.status_code == 422
    assert "sha256" in unknown.json["errors"]
    json_body = client.post("/api/v1/assets", json={"file": "x"}, headers=headers)
    assert json_body.status_code == 415
    too_long = upload(client, headers, photos.jpeg_plain(13, 10), title="t" * 501)
    assert too_long.status_code == 422
    assert stored_state(app) == (0, [])


def test_a_file_over_the_byte_limit_answers_413(
    make_app: Callable[..., Flask], tokens: dict[str, dict[str, str]]
) -> None:
    app = make_app(MAX_UPLOAD_BYTES=50_000)
    client = app.test_client()

    big = photos.jpeg_plain(1200, 900, quality=95)
    assert len(big) > 50_000
    response = upload(client, tokens["contributor"], big)
    assert response.status_code == 413
    assert response.json["code"] == "file-too-large"
    assert stored_state(app) == (0, [])
    assert upload(client, tokens["contributor"], photos.jpeg_plain(50, 50)).status_code == 201


def test_an_image_over_the_pixel_limit_answers_413(
    make_app: Callable[..., Flask], tokens: dict[str, dict[str, str]]
) -> None:
    app = make_app(MAX_PIXELS=100 * 100)
    client = app.test_client()
    response = upload(client, tokens["contributor"], photos.jpeg_plain(101, 100))
    assert response.status_code == 413
    assert response.json["code"] == "too-many-pixels"
    assert stored_state(app) == (0, [])
    assert upload(client, tokens["contributor"], photos.jpeg_plain(100, 100)).status_code == 201


def test_a_failing_blob_store_answers_503_and_creates_no_row(
    app: Flask,
    make_app: Callable[..., Flask],
    tokens: dict[str, dict[str, str]],
    tmp_path: Any,
) -> None:
    if app.config["BLOB_BACKEND"] == "s3":
        broken = make_app(S3_SECRET_KEY="not-the-secret")
    else:
        blocker = tmp_path / "not-a-directory"
        blocker.write_bytes(b"")
        broken = make_app(BLOB_DIR=str(blocker / "blobs"))
    response = upload(broken.test_client(), tokens["contributor"], photos.jpeg_plain(90, 90))
    assert response.status_code == 503
    assert response.json["code"] == "storage-unavailable"
    assert stored_state(app) == (0, [])
    ready = broken.test_client().get("/readyz")
    assert ready.status_code == 503
    assert ready.json["checks"]["blob_store"].startswith("unavailable")


def test_a_database_failing_at_commit_leaves_no_orphan_blob(
    app: Flask, client: FlaskClient, tokens: dict[str, dict[str, str]]
) -> None:
    engine = create_engine(app.config["DATABASE_URL"])
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(
                text(
                    "CREATE TRIGGER refuse_assets BEFORE INSERT ON assets "
                    "BEGIN SELECT RAISE(ABORT, 'disk full (simulated by a trigger)'); END"
                )
            )
        else:
            connection.execute(
                text(
                    "CREATE FUNCTION refuse_assets() RETURNS trigger LANGUAGE plpgsql AS $$ "
                    "BEGIN RAISE EXCEPTION 'disk full (simulated by a trigger)' USING ERRCODE = '53100'; END $$"
                )
            )
            connection.execute(
                text(
                    "CREATE TRIGGER refuse_assets BEFORE INSERT ON assets "
                    "FOR EACH ROW EXECUTE FUNCTION refuse_assets()"
                )
            )
    try:
        response = upload(client, tokens["contributor"], photos.jpeg_plain(91, 90))
        assert response.status_code >= 500
        assert response.mimetype == "application/problem+json"
        assert stored_state(app) == (0, [])
    finally:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "DROP TRIGGER refuse_assets"
                    + ("" if engine.dialect.name == "sqlite" else " ON assets")
                )
            )
            if engine.dialect.name != "sqlite":
                connection.execute(text("DROP FUNCTION refuse_assets()"))
        engine.dispose()


def test_a_database_that_does_not_answer_makes_readyz_and_uploads_503(
    blob_settings: dict[str, Any], tmp_path: Any
) -> None:
    app = create_app(
        {
            **blob_settings,
            "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2",
            "SPOOL_DIR": str(tmp_path / "spool"),
            "SECRET_KEY": "a-test-key-long-enough-to-start-with-0123",
        }
    )
    client = app.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["checks"]["database"].startswith("unavailable")
    response = upload(client, {"Authorization": "Bearer vt_abc_def"}, photos.jpeg_plain(20, 20))
    assert response.status_code == 503
    assert response.json["code"] == "database-unavailable"
    assert list(app.extensions["vitrine.store"].keys("originals/")) == []
    app.extensions["vitrine.engine"].dispose()
