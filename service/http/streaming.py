"""What is streamed to the client (API and pages alike): audit documents a chunk of assets at
a time, a campaign's export bundle, and a consent's signed form."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

from flask import Flask, request, send_file
from werkzeug.wrappers import Response

from service.http.context import services
from service.http.database import get_session, new_session
from service.rules import audit
from service.rules.filenames import content_disposition
from service.rules.roles import Caller
from service.services import auditing as audits
from service.services import campaign_bundle, campaigns, consents, context, people

# Characters of the document gathered into one write: a few dozen reports, so that a large
# audit is not a write per asset, and the first write goes out with the first reports.
WRITE_SIZE = 64 * 1024


def audit_document(
    app: Flask,
    chosen: audits.Selection,
    document: Callable[[Iterator[audit.Report]], Iterator[str]],
    *,
    platform: str,
    channel: str,
    today: date,
    end: str = "",
) -> Iterator[str]:
    """The document, written a chunk of assets at a time while the client reads it.

    The request's session ends with the view, before the first byte is sent (the unit of
    work), so the stream reads through a session of its own, opened when the first byte is
    wanted and closed when the last is sent or the client goes away. It only reads, so it
    owns a transaction it never commits: one owner per transaction, and nothing that the
    request's transaction would have to wait for.
    """
    with new_session(app) as session:
        reports = audits.reports(
            session, chosen, platform=platform, channel=channel, today=today,
            people_unknown_blocks=context.of(app).people_unknown_blocks,
        )  # fmt: skip
        pending: list[str] = []
        size = 0
        for piece in document(reports):
            pending.append(piece)
            size += len(piece)
            if size >= WRITE_SIZE:
                yield "".join(pending)
                pending, size = [], 0
        yield "".join(pending) + end


def bundle_download(
    campaign_id: int, *, caller: Caller, date_format: str, override_reason: str | None
) -> Response:
    """The campaign's bundle as a ZIP download, audited, rendered and marked in the request's
    unit of work, then written from the blob store as the client reads it, with no session."""
    session = get_session()
    campaign = campaigns.get_campaign(session, campaign_id)
    bundle = campaign_bundle.build_bundle(
        session,
        services(),
        campaign,
        caller=caller,
        date_format=date_format,
        override_reason=override_reason,
        url_base=request.host_url,
    )
    return Response(
        campaign_bundle.stream(bundle, services().store),
        mimetype="application/zip",
        headers={"Content-Disposition": content_disposition(bundle.download_name)},
    )


def evidence_download(person_id: int, consent_id: int) -> Response:
    """A consent's signed form as an attachment, never cached (it names a person)."""
    session = get_session()
    person = people.get_person(session, person_id)
    consent = consents.get_consent(session, person, consent_id)
    response = send_file(
        consents.open_evidence(services().store, consent),
        mimetype=consent.evidence_media_type,
        as_attachment=True,
        download_name=consent.evidence_filename or f"consent-{consent.id}",
        conditional=False,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
