"""The consent register's pages (the rights role's, ``rules/consent.ROLE_FOR_PEOPLE``): the
register (searched, filtered to consents expiring within 30 days or withdrawn) with a form to
add a person, and a person's page: their consents (a new one, its signed form, withdrawal
once its box is ticked), the assets depicting them and the takedown report (CSV too).

Forms answer as the asset page's do: invalid input re-renders the page with each message
beside its field (HTTP 422, nothing changed), success redirects to where the user was, whose
confirmation is shown there once. Everything is written through ``services/people`` and
``services/consents``; the report is ``services/takedown``'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Response as FlaskResponse
from flask import current_app, render_template, request, url_for
from werkzeug.wrappers import Response

from service.http import streaming
from service.http.database import get_session
from service.http.transactions import after_commit
from service.rules import consent as rules
from service.rules.ids import is_id
from service.rules.licences import CHANNELS
from service.rules.problems import InvalidInput
from service.services import consents, people, takedown
from service.storage.db import utcnow
from service.storage.models import Person
from service.storage.spool import Spool
from service.web import bp
from service.web.campaign_common import platform_name
from service.web.common import actor, as_sentences, store
from service.web.people_common import STATE_NAMES, notice, person_label, saved
from service.web.session import login_required, takes_files

ROLE = rules.ROLE_FOR_PEOPLE
PAGE_SIZE = 100
EXPIRING_DAYS = 30
FILTERS = {"": "Everyone", "expiring": "Consent expiring within 30 days", "withdrawn": "Withdrawn"}
PERSON_FORM = ("display_name", "role", "external_ref")
CONSENT_TEXTS = ("basis", "language", "guardian", "release_id", "granted_at", "expires_at")
UNCONFIRMED = "Tick the box to confirm the withdrawal; nothing was withdrawn."


# --- the register ---------------------------------------------------------------------------


def _render_register(
    errors: Mapping[str, str] | None = None, values: Mapping[str, str] | None = None
) -> Response:
    session = get_session()
    today = utcnow().date()
    query = request.args.get("q", "")
    chosen = request.args.get("filter", "")
    filter_error = None
    if chosen not in FILTERS:
        filter_error, chosen = f"Choose one of: {', '.join(FILTERS.values())}.", ""
    raw = request.args.get("after", "")
    only: list[int] | None = None
    if chosen == "expiring":
        ending = consents.expiring(session, today=today, within_days=EXPIRING_DAYS)
        only = [item.person_id for item in ending]
    elif chosen == "withdrawn":
        only = consents.withdrawn_people(session)
    after = int(raw) if is_id(raw) else None
    found, last = people.list_people(session, search=query, limit=PAGE_SIZE, after=after, only=only)
    rows = [
        (person, consents.person_state(person, today),
         [(c.id, consents.state_of(c, today)) for c in person.consents])
        for person in found
    ]  # fmt: skip
    page = render_template(
        "people.html",
        rows=rows,
        query=query,
        chosen=chosen,
        filters=FILTERS,
        filter_error=filter_error,
        next_after=last,
        roles=rules.PERSON_ROLES,
        state_names=STATE_NAMES,
        label=person_label,
        errors=dict(errors or {}),
        values=dict(values or {}),
        notice=notice() if not errors else None,
    )
    status = 422 if errors or filter_error else 200
    return current_app.response_class(page, status=status)


@bp.get("/people")
@login_required(ROLE)
def people_page() -> Response:
    """The register: search, the expiring and withdrawn filters, and adding a person."""
    return _render_register()


@bp.post("/people")
@login_required(ROLE)
def add_person() -> Response:
    """Add a person to the register; on to their page, to record their consent."""
    values = {name: request.form.get(name, "") for name in PERSON_FORM}
    try:
        person = people.create_person(get_session(), values, actor=actor())
    except InvalidInput as error:
        return _render_register(as_sentences(error.extra["errors"]), values)
    url = url_for("web.person_page", person_id=person.id)
    return saved(url, "consents", f"{person.display_name} added to the register.")


# --- a person -------------------------------------------------------------------------------


def _render_person(
    person: Person, form: str = "", errors: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
) -> Response:  # fmt: skip
    session = get_session()
    today = utcnow().date()
    page = render_template(
        "person.html",
        person=person,
        name=person_label(person),
        state=consents.person_state(person, today),
        consents=[consents.consent_values(c, on=today) for c in person.consents],
        depicted=people.depicted_assets(session, person),
        takedown=takedown.posts_showing(session, person),
        channels=CHANNELS,
        platforms=[(key, platform_name(key)) for key in consents.CONSENT_PLATFORMS],
        purposes=rules.PURPOSES,
        bases=rules.BASES,
        state_names=STATE_NAMES,
        platform_name=platform_name,
        form=form,
        errors=dict(errors or {}),
        values=dict(values or {}),
        notice=notice() if not errors else None,
        today=today.isoformat(),
    )
    return current_app.response_class(page, status=422 if errors else 200)


def _person_url(person: Person) -> str:
    return url_for("web.person_page", person_id=person.id)


@bp.get("/people/<int:person_id>")
@login_required(ROLE)
def person_page(person_id: int) -> Response:
    """A person: their consents, where they are depicted, the posts to take down."""
    return _render_person(people.get_person(get_session(), person_id))


def _consent_form(form: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(what was typed, the consent's fields): lists from the checkboxes, empty dates and
    texts left out so that the service's defaults apply."""
    values: dict[str, Any] = {name: form.get(name, "") for name in CONSENT_TEXTS}
    for name in ("channels", "platforms", "purposes"):
        values[name] = form.getlist(name)  # type: ignore[attr-defined]
    values["name_in_metadata"] = form.get("name_in_metadata") == "yes"
    fields: dict[str, Any] = {
        name: values[name] for name in ("channels", "platforms", "purposes", "name_in_metadata")
    }
    for name in CONSENT_TEXTS:  # an empty granted_at is left out: "is required"
        if values[name].strip():
            fields[name] = values[name]
    return values, fields


@bp.post("/people/<int:person_id>/consents")
@login_required(ROLE)
def add_consent(person_id: int) -> Response:
    """Record a consent of the person: channels, platforms, purposes, dates, basis..."""
    session = get_session()
    person = people.get_person(session, person_id)
    values, fields = _consent_form(request.form)
    try:
        consent = consents.create_consent(session, person, fields, actor=actor())
    except InvalidInput as error:
        return _render_person(person, "consent", as_sentences(error.extra["errors"]), values)
    return saved(_person_url(person), f"consent-{consent.id}", f"Consent #{consent.id} recorded.")


@bp.post("/people/<int:person_id>/consents/<int:consent_id>/withdraw")
@login_required(ROLE)
def withdraw_consent(person_id: int, consent_id: int) -> Response:
    """Withdraw a consent from now on, once its box is ticked."""
    session = get_session()
    person = people.get_person(session, person_id)
    consent = consents.get_consent(session, person, consent_id)
    if request.form.get("confirm") != "yes":
        return _render_person(person, f"withdraw-{consent.id}", {"confirm": UNCONFIRMED}, {})
    consents.withdraw(session, person, consent, actor=actor(), now=utcnow())
    after_commit(takedown.iiif_takedown(session, store(), person))
    count = len(takedown.posts_showing(session, person))
    after = f" {count} post{'s' if count != 1 else ''} to take down." if count else ""
    return saved(_person_url(person), "takedown", f"Consent #{consent.id} withdrawn.{after}",
                 "warning" if count else "success")  # fmt: skip


@bp.post("/people/<int:person_id>/consents/<int:consent_id>/evidence")
@takes_files
@login_required(ROLE)
def upload_evidence(person_id: int, consent_id: int) -> Response:
    """Keep the signed form of a consent (PDF, JPEG or PNG), replacing any before."""
    session = get_session()
    person = people.get_person(session, person_id)
    consent = consents.get_consent(session, person, consent_id)
    part = request.files.get("file")
    form = f"evidence-{consent.id}"
    if part is None or not part.filename:
        return _render_person(person, form, {"file": "Choose the signed form's file."}, {})
    spool = part.stream
    assert isinstance(spool, Spool), "VitrineRequest spools every uploaded file"
    try:
        consents.store_evidence(session, store(), person, consent, spool,
                                filename=part.filename, actor=actor())  # fmt: skip
    except InvalidInput as error:
        return _render_person(person, form, as_sentences(error.extra["errors"]), {})
    return saved(_person_url(person), f"consent-{consent.id}",
                 f"Signed form of consent #{consent.id} kept.")  # fmt: skip


@bp.get("/people/<int:person_id>/consents/<int:consent_id>/evidence")
@login_required(ROLE)
def evidence_download(person_id: int, consent_id: int) -> Response:
    """The signed form as a download, never cached."""
    return streaming.evidence_download(person_id, consent_id)


@bp.get("/people/<int:person_id>/takedown.csv")
@login_required(ROLE)
def takedown_csv(person_id: int) -> FlaskResponse:
    """The takedown report as CSV: the exported and published posts showing the person."""
    session = get_session()
    person = people.get_person(session, person_id)
    name = f"vitrine-person-{person.id}-takedown.csv"
    return FlaskResponse(
        takedown.report_csv(takedown.posts_showing(session, person)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"',
                 "Cache-Control": "private, no-store"},
    )  # fmt: skip
