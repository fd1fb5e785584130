"""Text is kept as written (issue 11).

Titles, object numbers, descriptions, alt text, tags, rights text, captions, caption
templates and credit policy lines keep zero-width joiners and non-joiners, variation
selectors, emoji tag sequences and direction marks, byte for byte: written through the API
or the web forms, read back as JSON and from the rendered page. Only characters that are
never legitimate are removed; bidi embeddings, overrides and isolates are refused with a
message naming the character, beside the field.

On main, clean_text dropped every character of category C, which includes the joiners,
the tags, the direction marks and emoji newer than Python's Unicode data.
"""

from __future__ import annotations

import io
import unicodedata
from typing import Any
from xml.etree import ElementTree

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from service.media import render
from service.rules import credits
from service.rules.text import DIRECTION_CONTROLS, clean_field, clean_text
from service.services import assets, rights
from tests.fidelity.table import counting_rows
from tests.support import photos
from tests.support.api import upload
from tests.support.openapi import Api
from tests.support.rights import BM
from tests.support.web import (
    Element,
    add_user,
    browser_like,
    control,
    errors_beside,
    page,
    signed_in,
)

Tokens = dict[str, dict[str, str]]
WRITTEN = [row["text"] for row in counting_rows()]
ONE_LINE = [text for text in WRITTEN if "\n" not in text]
# The issue's own examples, each of which lost characters on main.
EXAMPLES = {
    "family": "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "scientist": "\U0001f469\u200d\U0001f52c",
    "rainbow flag": "\U0001f3f3\ufe0f\u200d\U0001f308",
    "skin tone": "\U0001f44b\U0001f3ff",
    "Scotland": "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    "Persian": "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
    "Malayalam chillu": "\u0d28\u0d4d\u200d",
    "Devanagari half form": "\u0915\u094d\u200d\u0937",
    "direction marks": "\u200f\u0645\u062a\u062d\u0641\u200e (\u061c\u0661\u0662)",
    "ideographic variation": "\u845b\U000e0100",
    "new emoji": "\U0001face",
}
CONTROLS = sorted(DIRECTION_CONTROLS)


def chunks(texts: list[str], size: int) -> list[str]:
    """The texts packed into pieces of at most ``size`` characters, so that every text
    passes through every field whatever its limit."""
    out: list[str] = []
    for text in texts:
        if out and len(out[-1]) + 3 + len(text) <= size:
            out[-1] += " | " + text
        else:
            out.append(text)
    return out


def raw_text(element: Element) -> str:
    """An element's text exactly as the page carries it (web_support's .text folds spaces)."""
    parts: list[str] = []

    def walk(node: Element) -> None:
        for child in node.children:
            parts.append(child) if isinstance(child, str) else walk(child)

    walk(element)
    return "".join(parts)


def shown(document: Element, name: str) -> str:
    """The value a form control shows: an input's value, a textarea's text."""
    element = control(document, name)
    return raw_text(element) if element.tag == "textarea" else element.attrs.get("value", "")


@pytest.fixture
def web(app: Flask, client: FlaskClient) -> FlaskClient:
    add_user(app, "admin", "admin")
    return browser_like(client)


def an_asset(client: FlaskClient, tokens: Tokens) -> int:
    response = upload(client, tokens["contributor"], photos.jpeg_with_rights(), title="Basket")
    assert response.status_code == 201, response.json
    return int(response.json["id"])


# --- pure rules --------------------------------------------------------------------------


@pytest.mark.parametrize("text", [*EXAMPLES.values(), *WRITTEN])
def test_cleaning_keeps_legitimate_text_byte_for_byte(text: str) -> None:
    assert clean_text(text).encode() == text.encode()
    assert clean_field(text, multiline=True).encode() == text.encode()
    if "\n" not in text:
        assert clean_field(text, multiline=False).encode() == text.encode()


@pytest.mark.parametrize(
    ("written", "multiline", "stored"),
    [
        ("a\x00b\x07c\x1bd\x7fe", True, "abcde"),
        ("C1\x85\x9b controls", True, "C1 controls"),
        ("line one\r\nline two\rthree\tfour", True, "line one\nline two\nthree\tfour"),
        ("line one\r\nline two\n\n\tthree", False, "line one line two three"),
        ("para\u2029graph", False, "para graph"),
        ("para\u2029graph", True, "para\u2029graph"),
        ("lone \ud800surrogate", True, "lone surrogate"),
        ("non\ufffecharacters\U0010ffff\ufdd0", True, "noncharacters"),
        ("private use \ue000 and \U000f0000", True, "private use \ue000 and \U000f0000"),
        ("  padded \u3000", False, "padded"),
    ],
)
def test_only_characters_that_are_never_legitimate_are_removed(
    written: str, multiline: bool, stored: str
) -> None:
    assert clean_field(written, multiline=multiline) == stored


def test_nfc_is_not_applied_on_store_because_it_rewrites_realistic_text() -> None:
    # The reason for storing as written: NFC changes these rows of the table (Devanagari
    # qa U+0958, a CJK compatibility ideograph), though it never touches joiners or
    # selectors; comparisons (credit lines, counts) normalise instead.
    changed = [text for text in WRITTEN if unicodedata.normalize("NFC", text) != text]
    assert "\u0958\u0932\u092e" in changed and "\uf900" in changed
    for text in changed:
        assert clean_field(text, multiline=True) == text
    assert credits.match_credit("\u0958\u0932\u092e", "\u0915\u093c\u0932\u092e").outcome == "exact"


@pytest.mark.parametrize("char", CONTROLS)
def test_a_direction_control_is_refused_with_its_name(char: str) -> None:
    with pytest.raises(ValueError) as refused:
        clean_field(f"Basket {char}gnidnaw", multiline=False)
    name = unicodedata.name(char)
    assert str(refused.value) == (
        f"contains U+{ord(char):04X} {name}, which can disguise text; remove it"
    )


def test_direction_marks_are_kept_while_direction_controls_are_refused() -> None:
    for mark in ("\u200e", "\u200f", "\u061c"):
        assert clean_field(f"\u0645\u062a\u062d\u0641{mark} 3", multiline=False).endswith(
            f"{mark} 3"
        )


def test_a_filename_keeps_its_joiners_but_not_direction_controls() -> None:
    # A filename is a label: a direction control in it is dropped, not refused, because the
    # photo matters more than its name and "basket\u202egpj.exe" is the classic disguise.
    assert assets.clean_filename(
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \U0001f468\u200d\U0001f469\u200d\U0001f467.jpg"
    ) == (
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \U0001f468\u200d\U0001f469\u200d\U0001f467.jpg"
    )
    assert assets.clean_filename("basket\u202egpj.exe") == "basketgpj.exe"
    assert assets.clean_filename("two\nlines\x00.jpg") == "two lines.jpg"


def test_embedded_direction_controls_are_left_out_of_a_proposal_and_said_so() -> None:
    summary = {
        "copyright_notice": {"value": f"\u202e{BM}", "source": "EXIF Copyright"},
        "creator": {"value": "Jane \u2066Photographer\u2069", "source": "EXIF Artist"},
    }
    proposal = rights.propose_rights(summary)
    assert proposal["credit_line"] == BM
    assert proposal["creator"] == "Jane Photographer"
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in proposal["notes"]
    assert "U+2066 LEFT-TO-RIGHT ISOLATE" in proposal["notes"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_xmp_and_exif_written_into_variants_keep_the_text(name: str) -> None:
    text = EXAMPLES[name]
    stamp = render.RightsStamp(
        credit_line=f"{BM} {text}",
        creator=text,
        title=text,
        object_number=text,
        alt_text=text,
        licence_uri=None,
    )
    root = ElementTree.fromstring(render.xmp_packet(stamp).decode("utf-8"))
    values = {element.text for element in root.iter() if element.text}
    assert {text, f"{BM} {text}"} <= values
    exif = Image.Exif()
    exif.load(render.exif_block(stamp))
    assert exif[0x013B].encode("latin-1").decode("utf-8") == text  # Artist, as UTF-8


# --- through the API or the web forms and back, as JSON and on the page -----------------


def _written(i: int, one: list[str], many: list[str]) -> dict[str, Any]:
    """What round ``i`` writes into each field: every piece reaches every field in turn."""

    def pick(texts: list[str], shift: int) -> str:
        return texts[(i + shift) % len(texts)]

    return {
        "title": pick(one, 0),
        "object_number": pick(one, 1),
        "description": pick(many, 0),
        "alt_text": pick(many, 1),
        "tags": list(  # one tag per spelling, as the service keeps them
            {
                unicodedata.normalize("NFC", tag).casefold(): tag
                for tag in reversed(pick(one, 2).split(" | "))
                if len(tag) <= 64 and "," not in tag
            }.values()
        )[::-1],
        "holder": pick(one, 3),
        "credit_line": pick(one, 4),
        "creator": pick(one, 5),
        "source": pick(one, 6),
        "notes": pick(many, 2),
        "caption": pick(many, 3),
        "caption_alt_text": pick(many, 4),
        "template": pick(many, 5) + "\n{credit_line}",
        "rule": [pick(one, 7), pick(one, 8)],
    }


def _write_through_the_api(
    client: FlaskClient, tokens: Tokens, asset_id: int, w: dict[str, Any]
) -> None:
    descriptive = ("title", "object_number", "description", "alt_text", "tags")
    for method, path, body, role in (
        ("PATCH", f"/api/v1/assets/{asset_id}", {f: w[f] for f in descriptive}, "contributor"),
        ("PUT", f"/api/v1/assets/{asset_id}/rights",
         {f: w[f] for f in ("holder", "credit_line", "creator", "source", "notes")}, "rights"),
        ("PUT", f"/api/v1/assets/{asset_id}/captions/x",
         {"text": w["caption"], "alt_text": w["caption_alt_text"]}, "contributor"),
        ("PUT", "/api/v1/caption-templates/bluesky", {"template": w["template"]}, "admin"),
        ("PUT", "/api/v1/credit-policies",
         {"rules": [{"holder": w["rule"][0], "credit_line": w["rule"][1]}]}, "admin"),
    ):  # fmt: skip
        response = client.open(path, method=method, json=body, headers=tokens[role])
        assert response.status_code == 200, (path, response.json)


def _write_through_the_forms(
    web: FlaskClient, token: str, asset_id: int, w: dict[str, Any]
) -> None:
    for path, form in (
        (f"/assets/{asset_id}/describe",
         {**{f: w[f] for f in ("title", "object_number", "description", "alt_text")},
          "tags": ", ".join(w["tags"])}),
        (f"/assets/{asset_id}/rights",
         {**{f: w[f] for f in ("holder", "credit_line", "creator", "source", "notes")},
          "status": "unknown", "licence_uri": "", "copyright_year": ""}),
        (f"/assets/{asset_id}/captions/x", {"text": w["caption"]}),
    ):  # fmt: skip
        response = web.post(path, data={"csrf_token": token, **form})
        assert response.status_code == 302, (
            path,
            [e.text for e in page(response).find_all(cls="error")],
        )


def _read_back(client: FlaskClient, tokens: Tokens, asset_id: int) -> dict[str, Any]:
    viewer = tokens["viewer"]
    asset = client.get(f"/api/v1/assets/{asset_id}", headers=viewer).json
    record = client.get(f"/api/v1/assets/{asset_id}/rights", headers=viewer).json
    caption = client.get(f"/api/v1/assets/{asset_id}/captions/x", headers=viewer).json
    templates = client.get("/api/v1/caption-templates", headers=viewer).json["items"]
    rules = client.get("/api/v1/credit-policies", headers=viewer).json["rules"]
    return {
        **{f: asset[f] for f in ("title", "object_number", "description", "alt_text", "tags")},
        **{f: record[f] for f in ("holder", "credit_line", "creator", "source", "notes")},
        "caption": caption["text"],
        "caption_alt_text": caption["alt_text"],
        "template": next(t["template"] for t in templates if t["platform"] == "bluesky"),
        "rule": [rules[0]["holder"], rules[0]["credit_line"]] if len(rules) == 1 else rules,
    }


def _on_the_page(web: FlaskClient, asset_id: int) -> dict[str, Any]:
    document = page(web.get(f"/assets/{asset_id}?platform=x"))
    fields = ("title", "object_number", "description", "alt_text", "holder", "credit_line",
              "creator", "source", "notes")  # fmt: skip
    found: dict[str, Any] = {name: shown(document, name) for name in fields}
    found["tags"] = shown(document, "tags").split(", ")
    caption = document.by_id("caption-text-x")
    assert caption is not None
    found["caption"] = raw_text(caption)
    return found


def _pieces() -> tuple[list[str], list[str]]:
    one = chunks([*EXAMPLES.values(), *ONE_LINE], 100)  # the smallest limit: object number
    many = chunks([*EXAMPLES.values(), *WRITTEN], 1_000)
    return one, many


@pytest.mark.parametrize("blob_settings", ["local"], indirect=True)
def test_text_written_through_the_api_reads_back_byte_for_byte_as_json_and_on_the_page(
    client: FlaskClient, web: FlaskClient, tokens: Tokens
) -> None:
    asset_id = an_asset(client, tokens)
    signed_in(web, "admin")
    one, many = _pieces()
    for i in range(max(len(one), len(many))):
        written = _written(i, one, many)
        _write_through_the_api(client, tokens, asset_id, written)
        read = _read_back(client, tokens, asset_id)
        assert read == written, i
        on_page = _on_the_page(web, asset_id)
        assert on_page == {field: written[field] for field in on_page}, i


@pytest.mark.parametrize("blob_settings", ["local"], indirect=True)
def test_text_written_through_the_web_forms_reads_back_byte_for_byte_as_json_and_on_the_page(
    client: FlaskClient, web: FlaskClient, tokens: Tokens
) -> None:
    asset_id = an_asset(client, tokens)
    token = signed_in(web, "admin")
    one, many = _pieces()
    form_fields = ("title", "object_number", "description", "alt_text", "tags", "holder",
                   "credit_line", "creator", "source", "notes", "caption")  # fmt: skip
    for i in range(max(len(one), len(many))):
        written = _written(i, one, many)
        _write_through_the_forms(web, token, asset_id, written)
        read = _read_back(client, tokens, asset_id)
        assert {f: read[f] for f in form_fields} == {f: written[f] for f in form_fields}, i
        on_page = _on_the_page(web, asset_id)
        assert on_page == {field: written[field] for field in on_page}, i


# --- direction controls are refused, naming the character, beside the field ----------------

# (where, field, role): every text field a user writes through the API.
API_FIELDS = [
    ("upload", "title", "contributor"),
    ("upload", "object_number", "contributor"),
    ("upload", "description", "contributor"),
    ("upload", "alt_text", "contributor"),
    ("upload", "tags", "contributor"),
    ("asset", "title", "contributor"),
    ("asset", "object_number", "contributor"),
    ("asset", "description", "contributor"),
    ("asset", "alt_text", "contributor"),
    ("asset", "tags", "contributor"),
    ("rights", "holder", "rights"),
    ("rights", "credit_line", "rights"),
    ("rights", "creator", "rights"),
    ("rights", "source", "rights"),
    ("rights", "notes", "rights"),
    ("caption", "text", "contributor"),
    ("caption", "alt_text", "contributor"),
    ("template", "template", "admin"),
    ("preview", "template", "viewer"),
    ("policy", "holder", "admin"),
    ("policy", "credit_line", "admin"),
]


def _send(
    api: Api, tokens: Tokens, asset_id: int, where: str, field: str, role: str, text: str
) -> Any:
    headers = tokens[role]
    value: Any = [text] if field == "tags" and where == "asset" else text
    if where == "upload":
        return api.upload(headers, photos.jpeg_with_rights(width=64, height=48), **{field: value})
    path, method, body = {
        "asset": (f"/api/v1/assets/{asset_id}", "PATCH", {field: value}),
        "rights": (f"/api/v1/assets/{asset_id}/rights", "PUT", {field: value}),
        "caption": (f"/api/v1/assets/{asset_id}/captions/x", "PUT", {field: value}),
        "template": ("/api/v1/caption-templates/x", "PUT", {"template": value}),
        "preview": ("/api/v1/captions/preview", "POST",
                    {"asset_id": asset_id, "platform": "x", "template": value}),
        "policy": ("/api/v1/credit-policies", "PUT",
                   {"rules": [{"holder": "Museum X", "credit_line": "© Museum X", field: value}]}),
    }[where]  # fmt: skip
    return api.call(method, path, json=body, headers=headers)


def _everything(client: FlaskClient, tokens: Tokens, asset_id: int) -> Any:
    viewer = tokens["viewer"]
    return [
        client.get(path, headers=viewer).json
        for path in (
            "/api/v1/assets?limit=100",
            f"/api/v1/assets/{asset_id}/rights",
            f"/api/v1/assets/{asset_id}/captions/x",
            "/api/v1/caption-templates",
            "/api/v1/credit-policies",
            f"/api/v1/assets/{asset_id}/history",
        )
    ]


@pytest.mark.parametrize("blob_settings", ["local"], indirect=True)
@pytest.mark.parametrize(
    ("where", "field", "role", "char"),
    [
        pytest.param(*spec, CONTROLS[i % len(CONTROLS)], id=f"{spec[0]}-{spec[1]}")
        for i, spec in enumerate(API_FIELDS)
    ],
)
def test_the_api_refuses_a_direction_control_in_any_text_field_naming_it_and_changes_nothing(
    api: Api, client: FlaskClient, tokens: Tokens, where: str, field: str, role: str, char: str
) -> None:
    asset_id = an_asset(client, tokens)
    before = _everything(client, tokens, asset_id)
    response = _send(api, tokens, asset_id, where, field, role, f"{BM} {char}yrotsiH larutaN fo")
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    name = f"U+{ord(char):04X} {unicodedata.name(char)}"
    key = "rules[0]" if where == "policy" else field
    message = response.json["errors"][key]
    prefix = f"{field}: " if where == "policy" else ""
    assert message == f"{prefix}contains {name}, which can disguise text; remove it"
    assert f"{key}: {message}" in response.json["detail"]
    assert _everything(client, tokens, asset_id) == before


# (form path, field): every text field of the web forms.
FORM_FIELDS = [
    ("describe", "title"),
    ("describe", "object_number"),
    ("describe", "description"),
    ("describe", "alt_text"),
    ("describe", "tags"),
    ("rights", "holder"),
    ("rights", "credit_line"),
    ("rights", "creator"),
    ("rights", "source"),
    ("rights", "notes"),
    ("captions/x", "text"),
    ("upload", "holder"),
    ("upload", "credit_line"),
    ("upload", "tags"),
]


@pytest.mark.parametrize("blob_settings", ["local"], indirect=True)
@pytest.mark.parametrize(
    ("form", "field", "char"),
    [
        pytest.param(*spec, CONTROLS[i % len(CONTROLS)], id=f"{spec[0]}-{spec[1]}")
        for i, spec in enumerate(FORM_FIELDS)
    ],
)
def test_a_web_form_shows_the_refusal_of_a_direction_control_beside_the_field(
    app: Flask, client: FlaskClient, web: FlaskClient, tokens: Tokens, form: str, field: str,
    char: str,
) -> None:  # fmt: skip
    asset_id = an_asset(client, tokens)
    token = signed_in(web, "admin")
    before = _everything(client, tokens, asset_id)
    typed = f"Basket {char}gnidnaw"
    data: dict[str, Any] = {"csrf_token": token, field: typed}
    if form == "rights":
        data |= {"status": "unknown"}
    if form == "upload":
        data["files"] = [(io.BytesIO(photos.jpeg_with_rights(width=64, height=48)), "b.jpg")]
        path = "/upload"
    else:
        path = f"/assets/{asset_id}/{form}"
    # Only the upload page takes multipart bodies; the other forms post urlencoded, as browsers do.
    kind = "multipart/form-data" if form == "upload" else "application/x-www-form-urlencoded"
    response = web.post(path, data=data, content_type=kind)
    assert response.status_code == 422
    document = page(response)
    name = f"U+{ord(char):04X} {unicodedata.name(char)}"
    beside = field if form != "captions/x" else "text-x"  # the page shows every platform's
    assert errors_beside(document, beside) == [
        f"Contains {name}, which can disguise text; remove it."
    ]
    # What was typed stays in the field, so that the user can see and fix it.
    assert shown(document, beside) == typed
    assert _everything(client, tokens, asset_id) == before
