"""The web forms through Flask's test client: CSRF, roles, sign-in, validation, cookies, CSP.

Runs over every parametrisation of the ``app`` fixture (SQLite and PostgreSQL, local store
and S3). Assets are made through the API (tokens) so that each test exercises only the
form it is about; the pages are read as HTML (tests/support/web.py), as a browser gets them.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.rules.captions import PLATFORMS
from tests.support import photos
from tests.support.api import upload
from tests.support.database import stored_state
from tests.support.rights import BM, CC_BY
from tests.support.web import (
    PASSWORD,
    all_errors,
    browser_like,
    control,
    csrf,
    errors_beside,
    label_for,
    page,
    sign_in,
    signed_in,
    snapshot,
    web_client,
)

Tokens = dict[str, dict[str, str]]
SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def web(app: Flask, client: FlaskClient) -> FlaskClient:
    """A test client that asks for HTML, with one user per role (named after the role)."""
    return web_client(app, client, "viewer", "contributor", "rights", "admin")


def an_asset(client: FlaskClient, tokens: Tokens, **fields: Any) -> int:
    fields = {
        "title": "Somali wedding basket",
        "object_number": "Af1935,0711.1",
        "alt_text": "A woven basket with a conical lid.",
        **fields,
    }
    response = upload(client, tokens["contributor"], photos.jpeg_with_rights(), **fields)
    assert response.status_code == 201, response.json
    return int(response.json["id"])


def is_login_redirect(response: Any, next_path: str | None = None) -> bool:
    location = response.headers.get("Location", "")
    if response.status_code != 302 or not location.startswith("/login"):
        return False
    return next_path is None or f"next={next_path}" in location.replace("%2F", "/")


# ---------------------------------------------------------------- CSRF


@pytest.mark.parametrize("sent", [None, "not-the-token"], ids=["missing", "wrong"])
def test_a_form_post_without_this_sessions_csrf_token_is_refused_with_400_and_changes_nothing(
    app: Flask, web: FlaskClient, tokens: Tokens, sent: str | None
) -> None:
    asset_id = an_asset(web, tokens)
    signed_in(web, "admin")  # every role: the token, not the role, is what is refused
    before = snapshot(web, tokens["viewer"], asset_id)
    stored_before = stored_state(app)
    token = {} if sent is None else {"csrf_token": sent}
    attempts: list[tuple[str, dict[str, Any]]] = [
        (f"/assets/{asset_id}/describe", {"title": "Changed by a forged form"}),
        (f"/assets/{asset_id}/rights", {"status": "cleared", "licence_uri": CC_BY}),
        (f"/assets/{asset_id}/captions/x", {"text": "Forged caption"}),
        (f"/assets/{asset_id}/focal-point", {"x": "0.1", "y": "0.1"}),
        ("/upload", {"files": (io.BytesIO(photos.jpeg_plain()), "forged.jpg")}),
        ("/logout", {}),
    ]
    for path, form in attempts:
        # As the pages send them: only the upload form is multipart (the others refuse it).
        kind = "multipart/form-data" if path == "/upload" else "application/x-www-form-urlencoded"
        response = web.post(path, data={**form, **token}, content_type=kind)
        assert response.status_code == 400, (path, response.status_code)
        assert "did not come from this site" in page(response).text, path
    # The header that scripts use is checked the same way.
    response = web.post(
        f"/assets/{asset_id}/focal-point",
        json={"x": 0.1, "y": 0.1},
        headers={} if sent is None else {"X-CSRF-Token": sent},
    )
    assert response.status_code == 400
    assert snapshot(web, tokens["viewer"], asset_id) == before
    assert stored_state(app) == stored_before
    assert web.get("/library").status_code == 200, "a refused /logout signed nobody out"


def test_the_sign_in_form_is_refused_without_its_csrf_token(web: FlaskClient) -> None:
    response = web.post("/login", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 400
    assert is_login_redirect(web.get("/library"))  # nobody was signed in


# ---------------------------------------------------------------- roles


def test_a_viewer_gets_the_not_allowed_page_for_upload_and_for_the_rights_form(
    app: Flask, web: FlaskClient, tokens: Tokens
) -> None:
    asset_id = an_asset(web, tokens)
    token = signed_in(web, "viewer")
    before = snapshot(web, tokens["viewer"], asset_id)
    stored_before = stored_state(app)

    response = web.get("/upload")
    assert response.status_code == 403
    assert "Not allowed" in page(response).text
    response = web.post(
        "/upload",
        data={"csrf_token": token, "files": (io.BytesIO(photos.jpeg_plain()), "new.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    response = web.post(
        f"/assets/{asset_id}/rights",
        data={"csrf_token": token, "status": "cleared", "licence_uri": CC_BY, "holder": "Me"},
    )
    assert response.status_code == 403
    assert "Not allowed" in page(response).text
    assert snapshot(web, tokens["viewer"], asset_id) == before
    assert stored_state(app) == stored_before


def test_the_rights_form_is_read_only_below_the_rights_role_and_refused_to_a_contributor(
    web: FlaskClient, tokens: Tokens
) -> None:
    asset_id = an_asset(web, tokens)
    for username in ("viewer", "contributor"):
        token = signed_in(web, username)
        response = web.get(f"/assets/{asset_id}")
        assert response.status_code == 200
        rights = page(response).by_id("rights")
        assert rights is not None, "the asset page has no #rights section"
        editable = [
            element
            for element in rights.iter()
            if element.tag in ("input", "select", "textarea", "button")
            and element.attrs.get("type") != "hidden"
            and "disabled" not in element.attrs
            and "readonly" not in element.attrs
        ]
        assert editable == [], f"{username} can edit the rights form: {editable}"
        before = snapshot(web, tokens["viewer"], asset_id)
        response = web.post(
            f"/assets/{asset_id}/rights",
            data={"csrf_token": token, "status": "cleared", "licence_uri": CC_BY},
        )
        assert response.status_code == 403, username
        assert snapshot(web, tokens["viewer"], asset_id) == before


def test_anonymous_visitors_are_sent_to_sign_in_and_brought_back_afterwards(
    web: FlaskClient, tokens: Tokens
) -> None:
    asset_id = an_asset(web, tokens)
    assert is_login_redirect(web.get("/"))
    for path in ("/library", "/upload", f"/assets/{asset_id}", f"/audits?ids={asset_id}"):
        assert is_login_redirect(web.get(path)), path
    assert is_login_redirect(web.get("/upload"), next_path="/upload")
    token = csrf(web)  # a real token of an anonymous session: only the sign-in is missing
    before = snapshot(web, tokens["viewer"], asset_id)
    response = web.post(
        f"/assets/{asset_id}/rights",
        data={"csrf_token": token, "status": "cleared", "licence_uri": CC_BY},
    )
    assert is_login_redirect(response)
    assert snapshot(web, tokens["viewer"], asset_id) == before

    response = sign_in(web, "contributor", next_path="/upload")
    assert response.status_code == 302
    assert response.headers["Location"] == "/upload"


def test_the_audits_page_shows_each_assets_checks_with_their_status_and_reason(
    web: FlaskClient, tokens: Tokens
) -> None:
    uncleared = an_asset(web, tokens)
    signed_in(web, "viewer")
    document = page(web.get(f"/audits?ids={uncleared}&platform=instagram&channel=social"))
    section = document.find("section", cls="audit-asset", data_asset_id=str(uncleared))
    assert section is not None and section.attrs["data-outcome"] == "fail"
    table = section.find("table", cls="checks")
    assert table is not None
    caption = table.find("caption")
    assert caption is not None
    assert caption.text == f"Asset {uncleared} for instagram on the social channel"
    rows = {row.attrs["data-check"]: row for row in table.find_all("tr", cls="check")}
    assert rows["rights_status_cleared"].attrs["data-status"] == "fail"
    assert "Rights status cleared" in rows["rights_status_cleared"].text
    assert rows["alt_text_present"].attrs["data-status"] == "pass"


# ---------------------------------------------------------------- sign-in


def test_sign_in_errors_are_shown_beside_the_field_they_concern(web: FlaskClient) -> None:
    token = csrf(web)
    empty = web.post("/login", data={"csrf_token": token, "username": "", "password": ""})
    assert empty.status_code == 422
    document = page(empty)
    assert errors_beside(document, "username") == ["Enter your username."]
    assert errors_beside(document, "password") == ["Enter your password."]
    assert document.by_id("username-error") is not None
    assert document.by_id("password-error") is not None

    for username in ("contributor", "nobody-by-this-name"):  # same answer: no user enumeration
        wrong = web.post(
            "/login",
            data={"csrf_token": token, "username": username, "password": "not the password"},
        )
        assert wrong.status_code == 401
        document = page(wrong)
        assert errors_beside(document, "password") == ["That username and password do not match."]
        assert errors_beside(document, "username") == []
        assert control(document, "username").attrs.get("value") == username
        assert "not the password" not in wrong.get_data(as_text=True)
    assert is_login_redirect(web.get("/library"))


def test_signing_in_never_redirects_to_another_site(web: FlaskClient) -> None:
    response = sign_in(web, "viewer", next_path="//evil.example/steal")
    assert response.status_code == 302
    assert response.headers["Location"] == "/library"


# ---------------------------------------------------------------- validation


def test_a_too_long_title_is_refused_with_422_and_the_message_beside_the_title_field(
    web: FlaskClient, tokens: Tokens
) -> None:
    asset_id = an_asset(web, tokens)
    token = signed_in(web, "contributor")
    before = snapshot(web, tokens["viewer"], asset_id)
    form = {
        "csrf_token": token,
        "title": "T" * 501,
        "object_number": "Af1935,0711.1",
        "description": "A new description that must not be saved with a bad title.",
        "alt_text": "A woven basket with a conical lid.",
        "tags": "MuseumWeek",
    }
    response = web.post(f"/assets/{asset_id}/describe", data=form)
    assert response.status_code == 422
    document = page(response)
    beside = errors_beside(document, "title")
    assert len(beside) == 1 and "500" in beside[0], all_errors(document)
    assert errors_beside(document, "description") == []
    # What was typed is kept, so that the user can correct it rather than retype it.
    assert "A new description that must not be saved" in control(document, "description").text
    assert snapshot(web, tokens["viewer"], asset_id) == before

    # The same form with a good title is saved.
    response = web.post(
        f"/assets/{asset_id}/describe",
        data={**form, "title": "Wedding basket (Somali)"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    asset = web.get(f"/api/v1/assets/{asset_id}", headers=tokens["viewer"]).json
    assert asset["title"] == "Wedding basket (Somali)"
    assert asset["description"].startswith("A new description")


# ---------------------------------------------------------------- the upload form


def test_the_upload_form_without_javascript_lists_a_result_for_every_file(
    app: Flask, web: FlaskClient
) -> None:
    token = signed_in(web, "contributor")
    good = photos.jpeg_with_rights()
    response = web.post(
        "/upload",
        data={
            "csrf_token": token,
            "files": [
                (io.BytesIO(good), "basket.jpg"),
                (io.BytesIO(b"These are notes, not a photograph.\n" * 4), "notes.jpg"),
                (io.BytesIO(good), "basket-again.jpg"),
            ],
            "tags": "MuseumWeek",
        },
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 201, 207), response.status_code
    results = page(response).find_all("li", cls="upload-result")
    statuses = [result.attrs.get("data-status") for result in results]
    assert statuses == ["created", "refused", "duplicate"], [r.text for r in results]
    assert "its type is decided from its bytes" in results[1].text
    assert "Already in the library" in results[2].text
    assert stored_state(app)[0] == 1


def test_the_upload_endpoint_answers_json_per_file_for_scripts(web: FlaskClient) -> None:
    token = signed_in(web, "contributor")
    good = photos.jpeg_with_rights()

    def send(data: bytes, name: str) -> Any:
        return web.post(
            "/upload",
            data={"csrf_token": token, "files": (io.BytesIO(data), name), "title": "Basket"},
            content_type="multipart/form-data",
            headers={"Accept": "application/json"},
        )

    created, again, refused = send(good, "a.jpg"), send(good, "b.jpg"), send(b"text", "c.jpg")
    assert (created.status_code, created.json["status"]) == (201, "created")
    assert (again.status_code, again.json["status"]) == (200, "duplicate")
    assert again.json["asset_id"] == created.json["asset_id"]
    assert again.json["url"].endswith(f"/assets/{created.json['asset_id']}")
    assert refused.status_code == 415
    assert refused.json["status"] == "refused"
    assert "decided from its bytes" in refused.json["message"]
    assert refused.json["filename"] == "c.jpg"


# ---------------------------------------------------------------- cookies, escaping, CSP


def _session_cookie(response: Any) -> str:
    cookies = [value for value in response.headers.getlist("Set-Cookie") if "session=" in value]
    assert cookies, "signing in set no session cookie"
    return cookies[-1]


def test_the_session_cookie_is_httponly_and_samesite_lax(web: FlaskClient) -> None:
    cookie = _session_cookie(sign_in(web, "viewer"))
    attributes = {part.strip().split("=")[0].lower(): part for part in cookie.split(";")}
    assert "httponly" in attributes
    assert attributes["samesite"].strip().lower() == "samesite=lax"
    assert "secure" not in attributes  # plain HTTP on one machine must still sign in


def test_with_secure_cookies_set_the_session_cookie_is_also_secure(make_app: Any) -> None:
    secure = browser_like(make_app(SECURE_COOKIES=True).test_client())
    cookie = _session_cookie(secure.get("/login"))  # the CSRF token starts the session
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"secure", "httponly", "samesite=lax"} <= flags


def test_a_caption_and_a_title_with_a_script_tag_are_shown_as_text_on_the_asset_page(
    web: FlaskClient, tokens: Tokens
) -> None:
    asset_id = an_asset(web, tokens, title=f"Basket {SCRIPT}")
    token = signed_in(web, "contributor")
    for platform in PLATFORMS:  # whichever platform the page opens on
        response = web.post(
            f"/assets/{asset_id}/captions/{platform}",
            data={"csrf_token": token, "text": f"{SCRIPT} {BM}"},
            follow_redirects=True,
        )
        assert response.status_code == 200, platform
    saved = web.get(f"/api/v1/assets/{asset_id}/captions/x", headers=tokens["viewer"]).json
    assert saved["text"] == f"{SCRIPT} {BM}"  # stored as typed, escaped only when shown
    for path in (f"/assets/{asset_id}", f"/assets/{asset_id}?platform=x", "/library"):
        html = web.get(path).get_data(as_text=True)
        assert "<script>alert(1)" not in html, path
        assert ESCAPED_SCRIPT in html, path
    document = page(web.get(f"/assets/{asset_id}"))
    for platform in PLATFORMS:  # every platform's caption is on the page, side by side
        caption = document.by_id(f"caption-text-{platform}")
        assert caption is not None and caption.text == f"{SCRIPT} {BM}", platform


def _pages(asset_id: int) -> list[str]:
    return ["/login", "/library", "/upload", f"/assets/{asset_id}", f"/audits?ids={asset_id}"]


def test_every_page_has_a_content_security_policy_without_unsafe_inline_and_no_inline_code(
    web: FlaskClient, tokens: Tokens
) -> None:
    asset_id = an_asset(web, tokens)
    signed_in(web, "admin")
    for path in _pages(asset_id):
        response = web.get(path)
        assert response.status_code == 200, path
        policy = response.headers.get("Content-Security-Policy", "")
        directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
        assert directives.get("script-src") == ["'self'"], (path, policy)
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, path
        assert directives.get("frame-ancestors") == ["'none'"], path
        document = page(response)
        for element in document.iter():
            assert "style" not in element.attrs, (path, element)
            handlers = [name for name in element.attrs if name.startswith("on")]
            assert handlers == [], (path, element)
            if element.tag == "script":
                assert element.attrs.get("src") and not element.text, (path, "inline script")
        assert document.find("style") is None, (path, "inline <style>")


def test_every_control_has_a_label_and_every_image_has_alt_text(
    web: FlaskClient, tokens: Tokens
) -> None:
    asset_id = an_asset(web, tokens)
    signed_in(web, "admin")
    for path in _pages(asset_id):
        document = page(web.get(path))
        for element in document.iter():
            if element.tag == "img":
                assert "alt" in element.attrs, (path, element)
            if element.tag in ("input", "select", "textarea") and element.attrs.get("type") not in (
                "hidden",
                "submit",
                "button",
            ):
                assert label_for(document, element), (path, element)


def test_downloading_a_variant_of_an_uncleared_asset_shows_why_on_the_asset_page(
    web: FlaskClient, tokens: Tokens
) -> None:
    asset_id = an_asset(web, tokens)
    signed_in(web, "viewer")
    response = web.get(f"/assets/{asset_id}/variants/x/download", follow_redirects=True)
    assert response.mimetype == "text/html"
    document = page(response)
    assert document.by_id("variants") is not None, "not the asset page"
    text = document.text
    assert "nobody has cleared them" in text  # the failing check's reason
    assert "No licence is recorded." in text


# ---------------------------------------------------------------- users CLI


def test_users_create_reads_the_password_from_stdin_and_that_user_can_sign_in(
    app: Flask, web: FlaskClient
) -> None:
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--username", "ravi", "--role", "rights", "--password-stdin"],
        input="a long enough passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert "user ravi (rights) created" in result.output
    assert "a long enough passphrase" not in result.output
    response = sign_in(web, "ravi", "a long enough passphrase")
    assert response.status_code == 302
    assert "(rights)" in page(web.get("/library")).text


def test_users_create_refuses_a_short_password_or_a_taken_name_and_creates_nobody(
    app: Flask, web: FlaskClient
) -> None:
    runner = app.test_cli_runner()
    args = ["users", "create", "--username", "ravi", "--role", "rights", "--password-stdin"]
    short = runner.invoke(args=args, input="too short\n")
    assert short.exit_code != 0
    assert "at least 12 characters" in short.output
    assert sign_in(web, "ravi", "too short").status_code == 401
    taken = runner.invoke(
        args=["users", "create", "--username", "viewer", "--role", "admin", "--password-stdin"],
        input="another long passphrase\n",
    )
    assert taken.exit_code != 0
    assert "taken" in taken.output
    assert sign_in(web, "viewer", "another long passphrase").status_code == 401
