"""People routes: the register, consents (withdrawal, the signed form), the takedown report,
the subject access export and erasure, and who an asset depicts.

The register is the rights role's (``rules/consent.ROLE_FOR_PEOPLE``). Who an asset depicts
and the takedown report are read by others too, naming people by number and role only.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from service.api import bp
from service.http import streaming
from service.http.context import services
from service.http.database import get_session
from service.http.guards import current_caller, require
from service.http.requests import page_limit
from service.http.transactions import after_commit
from service.rules.consent import ROLE_FOR_PEOPLE
from service.rules.problems import InvalidInput, UnsupportedMediaType
from service.services import assets, consents, people, people_export, takedown
from service.services.blob_ownership import remove_unowned
from service.storage.db import utcnow
from service.storage.models import Consent, Depiction, Person
from service.storage.spool import Spool

FORMATS = ("json", "csv")


def _named() -> bool:
    """Whether the caller may read who people are."""
    return current_caller().can(ROLE_FOR_PEOPLE)


def person_json(person: Person, *, full: bool = False) -> dict[str, Any]:
    """A person as the rights role reads them; ``full`` with consents and depictions."""
    today = utcnow().date()
    body = {
        **people.person_values(person),
        "consent_state": consents.person_state(person, today),
        "links": {"self": url_for("api.get_person", person_id=person.id)},
    }
    if full:
        body["consents"] = [consent_json(consent) for consent in person.consents]
        body["depicted_in"] = [
            depiction.asset_id for depiction, _ in people.depicted_assets(get_session(), person)
        ]
    return body


def consent_json(consent: Consent) -> dict[str, Any]:
    """A consent, with the link to its evidence when there is some."""
    body = consents.consent_values(consent, on=utcnow().date())
    if body["evidence"] is not None:
        body["evidence"]["url"] = url_for(
            "api.get_evidence", person_id=consent.person_id, consent_id=consent.id
        )
    return body


def depiction_json(depiction: Depiction, *, named: bool) -> dict[str, Any]:
    """A depicted person: by number, role and consent state, and by name for the rights role."""
    person = depiction.person
    body: dict[str, Any] = {
        "person_id": person.id,
        "role": person.role,
        "region": depiction.region,
        "proposed": depiction.proposed,
        "consent_state": consents.person_state(person, utcnow().date()),
    }
    if named:
        body["display_name"] = person.display_name
    return body


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput({"body": "must be a JSON object"})
    return body


# --- the register -----------------------------------------------------------------------


@bp.get("/people")
@require(ROLE_FOR_PEOPLE)
def list_people() -> dict[str, Any]:
    """A page of the register, searched by ``q`` in names and references."""
    raw = request.args.get("cursor") or None
    if raw is not None and not (raw.isascii() and raw.isdigit()):
        raise InvalidInput({"cursor": "is not one this API returned"})
    found, last = people.list_people(
        get_session(),
        search=request.args.get("q", ""),
        limit=page_limit(),
        after=int(raw) if raw else None,
    )
    return {
        "items": [person_json(person) for person in found],
        "next_cursor": str(last) if last is not None else None,
    }


@bp.post("/people")
@require(ROLE_FOR_PEOPLE)
def create_person() -> tuple[dict[str, Any], int, dict[str, str]]:
    """Add someone to the register."""
    person = people.create_person(get_session(), _body(), actor=current_caller().actor)
    location = url_for("api.get_person", person_id=person.id)
    return person_json(person, full=True), 201, {"Location": location}


@bp.get("/people/<int:person_id>")
@require(ROLE_FOR_PEOPLE)
def get_person(person_id: int) -> dict[str, Any]:
    """A person with their consents and where they are depicted."""
    return person_json(people.get_person(get_session(), person_id), full=True)


@bp.patch("/people/<int:person_id>")
@require(ROLE_FOR_PEOPLE)
def update_person(person_id: int) -> dict[str, Any]:
    """Change a person's name, role or reference."""
    body, session = _body(), get_session()  # the body is bounded before anything is read
    person = people.update_person(
        session, people.get_person(session, person_id), body, actor=current_caller().actor
    )
    return person_json(person, full=True)


@bp.get("/people/<int:person_id>/history")
@require(ROLE_FOR_PEOPLE)
def get_person_history(person_id: int) -> dict[str, Any]:
    """Every change to the person, their consents and depictions, oldest first."""
    session = get_session()
    person = people.get_person(session, person_id)
    return {"items": [people.event_values(event) for event in people.history_of(session, person)]}


@bp.get("/people/<int:person_id>/export")
@require(ROLE_FOR_PEOPLE)
def export_person(person_id: int) -> dict[str, Any]:
    """The subject access export: everything held on the person."""
    session = get_session()
    person = people.get_person(session, person_id)
    return people_export.export_person(session, person, now=utcnow())


@bp.post("/people/<int:person_id>/erase")
@require("admin")
def erase_person(person_id: int) -> dict[str, Any]:
    """Erase a person (admin): personal fields blanked, consents withdrawn and kept."""
    session = get_session()
    person = people.get_person(session, person_id)
    keys = people.erase_person(session, person, actor=current_caller().actor, now=utcnow())
    store = services().store
    after_commit(lambda: remove_unowned(session, store, keys))
    after_commit(takedown.iiif_takedown(session, store, person))
    return person_json(person, full=True)


# --- consents ---------------------------------------------------------------------------


@bp.post("/people/<int:person_id>/consents")
@require(ROLE_FOR_PEOPLE)
def create_consent(person_id: int) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Record a consent of the person."""
    body, session = _body(), get_session()  # the body is bounded before anything is read
    person = people.get_person(session, person_id)
    consent = consents.create_consent(session, person, body, actor=current_caller().actor)
    location = url_for("api.get_consent", person_id=person.id, consent_id=consent.id)
    return consent_json(consent), 201, {"Location": location}


@bp.get("/people/<int:person_id>/consents/<int:consent_id>")
@require(ROLE_FOR_PEOPLE)
def get_consent(person_id: int, consent_id: int) -> dict[str, Any]:
    """One consent of the person."""
    session = get_session()
    person = people.get_person(session, person_id)
    return consent_json(consents.get_consent(session, person, consent_id))


@bp.post("/people/<int:person_id>/consents/<int:consent_id>/withdraw")
@require(ROLE_FOR_PEOPLE)
def withdraw_consent(person_id: int, consent_id: int) -> dict[str, Any]:
    """Withdraw a consent from now on; again, the first withdrawal stands (200, unchanged)."""
    session = get_session()
    person = people.get_person(session, person_id)
    consent = consents.get_consent(session, person, consent_id)
    consent = consents.withdraw(session, person, consent, actor=current_caller().actor,
                                now=utcnow())  # fmt: skip
    after_commit(takedown.iiif_takedown(session, services().store, person))
    return consent_json(consent)


@bp.put("/people/<int:person_id>/consents/<int:consent_id>/evidence")
@require(ROLE_FOR_PEOPLE)
def put_evidence(person_id: int, consent_id: int) -> dict[str, Any]:
    """Keep the signed form (PDF, JPEG or PNG) of a consent, replacing any before."""
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType("Send the form as multipart/form-data with a 'file' part.")
    files = request.files.getlist("file")
    if len(files) != 1 or set(request.form):
        raise InvalidInput({"file": "send exactly one file, and no other field"})
    spool = files[0].stream
    assert isinstance(spool, Spool), "VitrineRequest spools every uploaded file"
    session = get_session()
    person = people.get_person(session, person_id)
    consent = consents.get_consent(session, person, consent_id)
    consent = consents.store_evidence(
        session, services().store, person, consent, spool,
        filename=files[0].filename, actor=current_caller().actor,
    )  # fmt: skip
    return consent_json(consent)


@bp.get("/people/<int:person_id>/consents/<int:consent_id>/evidence")
@require(ROLE_FOR_PEOPLE)
def get_evidence(person_id: int, consent_id: int) -> WerkzeugResponse:
    """The signed form as a download, never cached."""
    return streaming.evidence_download(person_id, consent_id)


# --- the takedown report ----------------------------------------------------------------


@bp.get("/people/<int:person_id>/takedown")
@require("contributor")
def get_takedown(person_id: int) -> Response | dict[str, Any]:
    """The exported and published posts showing the person, newest first; CSV with
    ``?format=csv`` or ``Accept: text/csv``. Names the person to the rights role only."""
    chosen = request.args.get("format")
    if chosen is not None and chosen not in FORMATS:
        raise InvalidInput({"format": f"must be one of {', '.join(FORMATS)}"})
    session = get_session()
    person = people.get_person(session, person_id)
    posts = takedown.posts_showing(session, person)
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    if chosen == "csv" or (chosen is None and best == "text/csv"):
        name = f"vitrine-person-{person.id}-takedown.csv"
        return Response(
            takedown.report_csv(posts),
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return {
        "person": people.person_values(person, named=False)
        | ({"display_name": person.display_name} if _named() else {}),
        "posts": [takedown.post_json(post) for post in posts],
    }


# --- who an asset depicts ---------------------------------------------------------------


def asset_people_json(asset_id: int, status: str, proposed: bool, found: list[Depiction]) -> Any:
    named = _named()
    return {
        "asset_id": asset_id,
        "status": status,
        "proposed": proposed,
        "count": len(found),
        "people": [depiction_json(depiction, named=named) for depiction in found],
    }


@bp.get("/assets/<int:asset_id>/people")
@require("viewer")
def get_asset_people(asset_id: int) -> dict[str, Any]:
    """Who the asset depicts: by name for the rights role, by number and role for others."""
    session = get_session()
    asset = assets.get_asset(session, asset_id)
    found = people.depictions_of(session, asset)
    result: dict[str, Any] = asset_people_json(
        asset.id, asset.people_status, asset.people_proposed, found
    )
    return result


@bp.put("/assets/<int:asset_id>/people")
@require(ROLE_FOR_PEOPLE)
def put_asset_people(asset_id: int) -> dict[str, Any]:
    """Say who the asset depicts, or that it shows no recognisable people."""
    body = request.get_json(silent=True)
    session = get_session()
    asset = assets.get_asset(session, asset_id)
    found = people.set_people(session, asset, body, actor=current_caller().actor)
    result: dict[str, Any] = asset_people_json(
        asset.id, asset.people_status, asset.people_proposed, found
    )
    return result
