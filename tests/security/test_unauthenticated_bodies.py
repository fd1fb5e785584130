"""Issue 11, abuse: unauthenticated requests never make the server write request bodies to
disk. A multipart body is posted to every route, page and API, with every method, by a
visitor who is not signed in (and by one whose role the route refuses); while the server
reads it, and after, the spool directory and the temporary directory stay empty."""

from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import photos
from tests.support.web import add_user, browser_like, signed_in

pytestmark = pytest.mark.parametrize(
    ("database_url", "blob_settings"), [("sqlite", "local")], indirect=True
)

BOUNDARY = "vitrine-test-boundary"
FILE_BYTES = 300_000  # several reads of the parser's chunks


def multipart_body() -> bytes:
    photo = photos.jpeg_plain(64, 64)
    payload = photo + b"\0" * (FILE_BYTES - len(photo))
    return (
        (
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="csrf_token"\r\n\r\nnot-checked-yet\r\n'
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="files"; filename="a.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + payload
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


def files_under(*directories: Path) -> list[str]:
    return sorted(
        os.path.join(root, name)
        for directory in directories
        if directory.exists()
        for root, _, names in os.walk(directory)
        for name in names
    )


class WatchedBody(io.BytesIO):
    """A request body that, each time the server reads from it, looks for files the server
    has written meanwhile (a spool file exists while its part is being read)."""

    def __init__(self, data: bytes, watched: tuple[Path, ...]) -> None:
        super().__init__(data)
        self._watched = watched
        self.bytes_read = 0
        self.files_seen: set[str] = set()

    def _look(self, count: int) -> None:
        self.files_seen.update(files_under(*self._watched))
        self.bytes_read += count

    def read(self, size: int | None = -1, /) -> bytes:
        data = super().read(size)
        self._look(len(data))
        return data

    def read1(self, size: int = -1, /) -> bytes:
        data = super().read1(size)
        self._look(len(data))
        return data

    def readline(self, size: int | None = -1, /) -> bytes:
        data = super().readline(size)
        self._look(len(data))
        return data

    def readinto(self, buffer: Any, /) -> int:
        count = super().readinto(buffer)
        self._look(count)
        return count


@pytest.fixture
def watched(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, ...]:
    """The spool directory and a temporary directory of this test's own."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    return Path(app.config["SPOOL_DIR"]), temporary


def post(client: FlaskClient, method: str, path: str, watched: tuple[Path, ...],
         **headers: str) -> tuple[Any, WatchedBody]:  # fmt: skip
    data = multipart_body()
    body = WatchedBody(data, watched)
    response = client.open(
        path,
        method=method,
        input_stream=body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
        content_length=len(data),
        headers=headers,
    )
    response.get_data()
    response.close()
    return response, body


def every_route(app: Flask) -> list[tuple[str, str]]:
    """Each URL rule with its parameters filled in, under every method it serves, POST and
    PUT where it does not, and made-up paths and methods."""
    found = []
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<int:\w+>", "1", rule.rule)
        path = re.sub(r"<(?:\w+:)?\w+>", "x", path)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS", "GET"}
                             | {"POST", "PUT"}):  # fmt: skip
            found.append((method, path))
    found += [("POST", "/no/such/page"), ("PROPFIND", "/upload"), ("POST", "/api/v1/nothing")]
    return found


def test_no_route_writes_an_unauthenticated_body_to_disk(
    app: Flask, client: FlaskClient, watched: tuple[Path, ...]
) -> None:
    refusals = {302, 400, 401, 404, 405, 415}
    routes = every_route(app)
    assert ("POST", "/upload") in routes and ("POST", "/api/v1/assets") in routes
    for method, path in routes:
        for who in ({}, {"Authorization": "Bearer vt_abcdef012345_guessed"}):
            response, body = post(browser_like(client), method, path, watched, **who)
            assert response.status_code in refusals, (method, path, response.status_code)
            assert body.files_seen == set(), (method, path, body.files_seen)
            assert files_under(*watched) == [], (method, path)
            # Nothing was even read: the answer came before the body.
            assert body.bytes_read == 0, (method, path, body.bytes_read)


def test_a_page_that_takes_no_files_refuses_a_multipart_body_unread(
    app: Flask, client: FlaskClient, watched: tuple[Path, ...]
) -> None:
    add_user(app, "registrar", "admin")
    token = signed_in(browser_like(client), "registrar")
    for path in ("/login", "/logout", "/library/bulk", "/assets/1/describe", "/assets/1/rights",
                 "/assets/1/focal-point", "/assets/1/captions/x"):  # fmt: skip
        response, body = post(client, "POST", path, watched, **{"X-CSRF-Token": token})
        assert response.status_code == 415, (path, response.status_code)
        assert "takes no files" in response.get_data(as_text=True)
        assert body.bytes_read == 0
    assert files_under(*watched) == []


def test_a_role_the_route_refuses_sends_nothing_to_disk_either(
    app: Flask, client: FlaskClient, watched: tuple[Path, ...], tokens: dict[str, dict[str, str]]
) -> None:
    add_user(app, "visitor", "viewer")
    signed_in(browser_like(client), "visitor")
    # The token in the form, as the page without JavaScript sends it: unread, all the same.
    response, body = post(client, "POST", "/upload", watched)
    assert response.status_code == 403
    assert (body.bytes_read, files_under(*watched)) == (0, [])
    anonymous = {"Authorization": tokens["viewer"]["Authorization"]}
    response, body = post(client, "POST", "/api/v1/assets", watched, **anonymous)
    assert response.status_code == 403
    assert (body.bytes_read, files_under(*watched)) == (0, [])


def test_the_watch_sees_a_spool_file_when_a_contributor_uploads(
    app: Flask, client: FlaskClient, watched: tuple[Path, ...], tokens: dict[str, dict[str, str]]
) -> None:
    """The check above can fail: an allowed upload is spooled, and the watch sees it."""
    add_user(app, "registrar", "contributor")
    token = signed_in(browser_like(client), "registrar")
    response, body = post(client, "POST", "/upload", watched, **{"X-CSRF-Token": token})
    assert response.status_code in (200, 201, 422), response.status_code
    assert body.bytes_read > 0
    assert any(Path(name).parent == watched[0] for name in body.files_seen), body.files_seen
    api_body = post(client, "POST", "/api/v1/assets", watched, **tokens["contributor"])[1]
    assert api_body.files_seen  # the API's upload field is "file", but parts spool all the same
