"""A credit-policy change takes the old wording out of circulation at once: variants of the
holders whose rule changed are deleted, so signed URLs handed out before stop working, and
the next request renders the new wording. Other holders' variants are left alone."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from service.rules import credits
from tests.support import photos
from tests.support.api import clear, cleared_asset, fetch_variant, get, upload

Tokens = dict[str, dict[str, str]]
BM = "Trustees of the British Museum"


def rule(holder: str, credit_line: str, **extra: Any) -> credits.CreditRule:
    return credits.CreditRule(holder, credit_line, **extra)


def test_the_holders_whose_rule_was_added_removed_or_altered_are_the_changed_ones() -> None:
    before = [rule(BM, "© BM"), rule("CSMVS", "© CSMVS"), rule("Louvre", "© Louvre")]
    after = [
        rule("The " + BM, "© BM"),  # the same holder spelled otherwise, same rule
        rule("CSMVS", "© CSMVS", burn_in=True),  # altered
        rule("Rijksmuseum", "Rijksmuseum"),  # added; the Louvre is removed
    ]
    assert credits.changed_holders(before, after) == {
        credits.holder_of(name) for name in ("CSMVS", "Louvre", "Rijksmuseum")
    }
    assert credits.changed_holders(before, before) == set()


def test_a_new_credit_line_for_a_holder_stops_its_old_variants_and_spares_the_others(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    museum = cleared_asset(client, tokens)  # its embedded rights name the British Museum
    picture = photos.jpeg_with_rights(width=1800, height=1200)
    uploaded = upload(client, tokens["contributor"], picture, alt_text="A carved mask.")
    other = uploaded.json["id"]
    assert clear(client, tokens, other, holder="Musée du quai Branly",
                 credit_line="© musée du quai Branly").status_code == 200  # fmt: skip
    old_url, old_bytes = fetch_variant(app, client, museum, "x", tokens["viewer"])
    other_url, _ = fetch_variant(app, client, other, "x", tokens["viewer"])

    policy = client.get("/api/v1/credit-policies", headers=tokens["viewer"]).json
    rules = [dict(r) for r in policy["rules"]]
    for entry in rules:
        if entry["holder"] == BM:
            entry["credit_line"] = "Photo © The Trustees of the British Museum"
    put = client.put("/api/v1/credit-policies", json={"rules": rules}, headers=tokens["admin"])
    assert put.status_code == 200, put.json

    assert get(app, client, old_url)[0] in (403, 404)
    assert get(app, client, other_url)[0] == 200
    fresh = client.get(f"/api/v1/assets/{museum}/variants/x", headers=tokens["viewer"])
    assert fresh.status_code == 200, fresh.json
    assert fresh.json["credit_line"] == "Photo © The Trustees of the British Museum"
    status, new_bytes, _ = get(app, client, fresh.json["url"])
    assert status == 200
    assert new_bytes != old_bytes
    assert "Photo © The Trustees".encode() in new_bytes  # in the XMP written into the file
