"""The gate's answers are remembered by what they were computed from (``answer_cache``).

Whatever another worker changes of what the gate reads, the next answer is computed afresh and
is the one a worker that never answered before gives; while nothing changes, PostgreSQL's
answers come from memory (the token and the digest: two statements). On SQLite every answer
is computed, and the same checks hold.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.http.context import services
from service.http.database import session_factory
from service.http.transactions import transaction
from service.rules.problems import Problem
from service.rules.roles import Caller
from service.services import publishing
from service.storage.db import utcnow
from service.storage.models import Consent
from tests.support.api import cleared_asset
from tests.support.database import counting_statements
from tests.support.people import depict, withdraw

Tokens = dict[str, dict[str, str]]
Change = Callable[[FlaskClient, Tokens, int], Any]
URL = "/api/v1/assets/{}/variants/x"
DIGEST = "encode(sha256("

# What another worker changes: each is something the gate reads.
CHANGES: dict[str, Change] = {
    "title": lambda c, t, a: c.patch(
        f"/api/v1/assets/{a}", json={"title": "Lidded basket"}, headers=t["contributor"]
    ),
    "tags": lambda c, t, a: c.patch(
        f"/api/v1/assets/{a}", json={"tags": ["MuseumWeek", "Weaving"]}, headers=t["contributor"]
    ),
    "stored caption": lambda c, t, a: c.put(
        f"/api/v1/assets/{a}/captions/x",
        json={"text": "A basket. © Trustees of the British Museum #MuseumWeek"},
        headers=t["contributor"],
    ),
    "caption template": lambda c, t, _: c.put(
        "/api/v1/caption-templates/x",
        json={"template": "{title}\n\n{credit_line}"},
        headers=t["admin"],
    ),
    "focal point": lambda c, t, a: c.put(
        f"/api/v1/assets/{a}/focal-point", json={"x": 0.2, "y": 0.3}, headers=t["contributor"]
    ),
    "licence": lambda c, t, a: c.put(
        f"/api/v1/assets/{a}/rights",
        json={
            "status": "cleared",
            "licence_uri": "http://creativecommons.org/licenses/by-sa/4.0/",
            "channels": ["web", "social"],
        },
        headers=t["rights"],
    ),
    "preset": lambda c, t, _: c.put(
        "/api/v1/presets/x", json={"width": 800, "height": 800}, headers=t["admin"]
    ),
}


def _answer(client: FlaskClient, tokens: Tokens, asset_id: int) -> tuple[dict[str, Any], bool]:
    """The variant JSON without its signed URL and lifetime, and whether it was remembered."""
    with counting_statements(client.application) as statements:
        answer = client.get(URL.format(asset_id), headers=tokens["viewer"])
    assert answer.status_code == 200, answer.json
    remembered = len(statements) == 2 and DIGEST in statements[1]
    return {**answer.json, "url": None, "expires_at": None}, remembered


def _postgresql(app: Flask) -> bool:
    return bool(app.extensions["vitrine.engine"].dialect.name == "postgresql")


@pytest.mark.parametrize("change", CHANGES)
def test_a_change_made_by_another_worker_is_in_the_next_answer(
    app: Flask, client: FlaskClient, tokens: Tokens, make_app: Callable[..., Flask], change: str
) -> None:
    other = make_app().test_client()
    asset_id = cleared_asset(client, tokens, width=1800)
    for _ in range(2):  # rendered, then computed from the ready variant and remembered
        before, _remembered = _answer(client, tokens, asset_id)
    assert _answer(client, tokens, asset_id) == (before, _postgresql(app))

    changed = CHANGES[change](other, tokens, asset_id)
    assert changed.status_code in (200, 201), changed.json

    after, remembered = _answer(client, tokens, asset_id)
    assert not remembered
    assert after != before
    fresh, _ = _answer(make_app().test_client(), tokens, asset_id)  # a worker that never answered
    assert after == fresh


def test_the_day_is_part_of_what_an_answer_was_computed_from(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    asset_id = cleared_asset(client, tokens, width=1800)
    today = date.today()
    rights = {"status": "cleared", "licence_uri": "http://creativecommons.org/licenses/by/4.0/",
              "channels": ["web", "social"], "expires_at": (today + timedelta(days=1)).isoformat()}  # fmt: skip
    assert client.put(f"/api/v1/assets/{asset_id}/rights", json=rights,
                      headers=tokens["rights"]).status_code == 200  # fmt: skip
    assert client.get(URL.format(asset_id), headers=tokens["viewer"]).status_code == 200
    caller = Caller(name="scheduler", role="viewer", kind="token")
    with app.app_context():
        gate = services()
        for _ in range(3):  # computed, then remembered
            with session_factory(app)() as session:
                passed = publishing.publish_by_id(session, gate, asset_id, "x", caller=caller,
                                                  today=today)  # fmt: skip
                assert passed.report.outcome != "fail"
        with session_factory(app)() as session, pytest.raises(Problem) as refused:
            publishing.publish_by_id(
                session, gate, asset_id, "x", caller=caller, today=today + timedelta(days=2)
            )
    assert refused.value.status == 409


def test_a_withdrawal_or_a_new_depiction_after_a_remembered_pass_is_refused_at_once(
    app: Flask, client: FlaskClient, tokens: Tokens, make_app: Callable[..., Flask]
) -> None:
    asset_id = cleared_asset(client, tokens, width=1800)
    person_id, [consent_id] = depict(app, asset_id, consents=[{"channels": ["social"]}])
    for _ in range(2):  # rendered, then computed from the ready variant and remembered
        before, _remembered = _answer(client, tokens, asset_id)
    assert _answer(client, tokens, asset_id) == (before, _postgresql(app))

    # Another worker records the withdrawal: this worker's next answer refuses, at once.
    withdraw(make_app(), consent_id, at=utcnow())
    refused = client.get(URL.format(asset_id), headers=tokens["viewer"])
    assert refused.status_code == 409, refused.json
    assert [c["check"] for c in refused.json["checks"]] == ["people_consent"]
    assert f"consent #{consent_id} was withdrawn" in refused.json["detail"]

    # A fresh consent passes again, and is remembered again; then someone else is found in
    # the photograph, with no consent: refused at once.
    with transaction(app) as session:
        session.add(Consent(person_id=person_id, channels=["social"], created_by="rita",
                            granted_at=utcnow().date()))  # fmt: skip
    for _ in range(2):
        again, _remembered = _answer(client, tokens, asset_id)
    assert _answer(client, tokens, asset_id) == (again, _postgresql(app))
    depict(make_app(), asset_id, role="visitor", name="Another visitor")
    refused = client.get(URL.format(asset_id), headers=tokens["viewer"])
    assert refused.status_code == 409, refused.json
    assert "there is no consent on record" in refused.json["detail"]
