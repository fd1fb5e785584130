"""Post to the test Bluesky PDS as a publisher would (``scripts/pds-test-server.sh``).

The PDS validates every record against the lexicons it ships (byte and grapheme limits, required
alt text, blob sizes), so a record it accepts is one Bluesky accepts. Only the PDS's own XRPC
methods are used: no AppView runs, so calls it would proxy (profiles, feeds, the ``atproto``
client's ``login()``) answer 502.

    session = create_account(pds_url)                     # a new account on every call
    blob = upload_blob(session, jpeg_bytes, "image/jpeg")
    reply = create_record(session, {
        "$type": "app.bsky.feed.post", "text": "…", "createdAt": "2026-03-30T09:00:00+01:00",
        "embed": {"$type": "app.bsky.embed.images", "images": [
            {"image": blob, "alt": "…", "aspectRatio": {"width": 1200, "height": 900}}]},
    })
    assert reply.status == 200, reply.message             # refusals: 400, message verbatim
    get_record(session, reply.json["uri"]).json["value"]  # the record as stored
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, NamedTuple

import requests

TIMEOUT = 30  # seconds; the first blob of a fresh PDS takes longer than the rest
PASSWORD = "test-password-not-secret"


@dataclass(frozen=True)
class Session:
    """An account on the PDS at ``url``, signed in."""

    url: str
    did: str
    handle: str
    access_jwt: str


class Reply(NamedTuple):
    """The PDS's answer: HTTP status and JSON body (``{"error", "message"}`` on a refusal)."""

    status: int
    json: dict[str, Any]

    @property
    def message(self) -> str:
        """Why the PDS refused, verbatim (for example
        ``grapheme too big (maximum 300, got 301) at $.record.text``); empty on success."""
        return str(self.json.get("message", "")) if self.status >= 400 else ""


def create_account(url: str, handle: str | None = None) -> Session:
    """Create an account (a fresh ``*.test`` handle unless one is given) and sign it in."""
    handle = handle or f"t{uuid.uuid4().hex[:12]}.test"
    reply = _call(
        url,
        "POST",
        "com.atproto.server.createAccount",
        json={"handle": handle, "email": f"{handle}@example.com", "password": PASSWORD},
    )
    assert reply.status == 200, f"createAccount answered {reply.status}: {reply.json}"
    return Session(url, reply.json["did"], reply.json["handle"], reply.json["accessJwt"])


def upload_blob(session: Session, data: bytes, mime_type: str) -> dict[str, Any]:
    """Upload an image (or any blob); return the blob reference a record embeds, e.g.
    ``{"$type": "blob", "ref": {"$link": "bafk…"}, "mimeType": "image/jpeg", "size": 123}``.
    The PDS takes blobs of any size here: the record's lexicon limits them when it is created."""
    reply = _call(
        session.url,
        "POST",
        "com.atproto.repo.uploadBlob",
        session,
        data=data,
        headers={"Content-Type": mime_type},
    )
    assert reply.status == 200, f"uploadBlob answered {reply.status}: {reply.json}"
    blob: dict[str, Any] = reply.json["blob"]
    return blob


def create_record(session: Session, record: dict[str, Any], collection: str | None = None) -> Reply:
    """Create ``record`` in the account's repository, in the collection its ``$type`` names
    (``app.bsky.feed.post``) unless another is given. 200 with ``{"uri", "cid"}`` when accepted,
    400 ``InvalidRequest`` with the lexicon's reason when refused."""
    return _call(
        session.url,
        "POST",
        "com.atproto.repo.createRecord",
        session,
        json={
            "repo": session.did,
            "collection": collection or record["$type"],
            "record": record,
        },
    )


def get_record(session: Session, uri: str) -> Reply:
    """Read back a record by its ``at://did/collection/rkey`` URI; the record is ``json["value"]``."""
    repo, collection, rkey = uri.removeprefix("at://").split("/")
    return _call(
        session.url,
        "GET",
        "com.atproto.repo.getRecord",
        session,
        params={"repo": repo, "collection": collection, "rkey": rkey},
    )


def _call(url: str, verb: str, method: str, session: Session | None = None, **kwargs: Any) -> Reply:
    headers = kwargs.pop("headers", {})
    if session is not None:
        headers["Authorization"] = f"Bearer {session.access_jwt}"
    response = requests.request(
        verb, f"{url.rstrip('/')}/xrpc/{method}", headers=headers, timeout=TIMEOUT, **kwargs
    )
    try:
        body = response.json() if response.content else {}
    except ValueError:  # a proxy's or a crash's page, not XRPC
        body = {"message": response.text}
    return Reply(response.status_code, body)
