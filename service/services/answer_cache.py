"""The publish gate's answers, remembered by a digest of everything they were computed from.

A cached variant's JSON is asked for again and again (a scheduler polls, a campaign page
loads its posts), and each time the gate works out the caption, the credit and two audits
from the same rows: the asset (its people status among its columns), its rights record,
tags, stored caption and ready variants of the preset, the admin's caption template and
change to the preset, the credit policy in force, and the people it depicts with their
consents (a withdrawal, an expiry date moved or a new depiction is another digest).
PostgreSQL hashes those rows, whole and in one statement (``DIGEST``), and a publication
computed once is handed out again while the digest, the day and the request are the same.
Any change to any column of any of those rows, a column added later included, makes another
digest: nothing is invalidated by hand, so nothing can be forgotten.

Only what passed the gate with a variant that was already ready is remembered; an override,
a refusal or a render is computed every time. SQLite, the embedded default, is not asked for
digests: there every request computes its answer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

from sqlalchemy import text
from sqlalchemy.orm import Session

Answer = TypeVar("Answer")

# Rows as JSON (``json_build_array`` names every column of a row), hashed with SHA-256: the
# text fields are the users' own, and MD5 collisions can be made to order.
DIGEST = text(
    """
    SELECT encode(sha256(convert_to(json_build_array(
        a,
        (SELECT r FROM rights_records r WHERE r.asset_id = a.id),
        (SELECT json_agg(t ORDER BY t.id) FROM asset_tags t WHERE t.asset_id = a.id),
        (SELECT json_agg(v ORDER BY v.id) FROM variants v
          WHERE v.asset_id = a.id AND v.preset = :preset AND v.kind = :kind
            AND v.status = 'ready'),
        (SELECT c FROM captions c WHERE c.asset_id = a.id AND c.platform = :platform),
        (SELECT ct FROM caption_templates ct WHERE ct.platform = :platform),
        (SELECT pc FROM preset_changes pc WHERE pc.name = :preset),
        (SELECT p FROM credit_policy_versions p ORDER BY p.version DESC LIMIT 1),
        (SELECT json_agg(d ORDER BY d.id) FROM depictions d WHERE d.asset_id = a.id),
        (SELECT json_agg(pe ORDER BY pe.id) FROM people pe
          WHERE pe.id IN (SELECT d.person_id FROM depictions d WHERE d.asset_id = a.id)),
        (SELECT json_agg(co ORDER BY co.id) FROM consents co
          WHERE co.person_id IN (SELECT d.person_id FROM depictions d WHERE d.asset_id = a.id))
    )::text, 'UTF8')), 'hex')
    FROM assets a WHERE a.id = :asset_id
    """
)


def digest(
    session: Session, asset_id: int, preset_name: str, platform: str, kind: str
) -> str | None:
    """The digest of what the gate reads for this asset, preset and caption platform; None
    on SQLite, or when there is no such asset."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    values = {"asset_id": asset_id, "preset": preset_name, "platform": platform, "kind": kind}
    found: str | None = session.scalar(DIGEST, values)
    return found


class AnswerCache(Generic[Answer]):
    """The most recently used answers of one app, by key; safe to share between threads."""

    def __init__(self, size: int = 1024) -> None:
        self._size = size
        self._answers: OrderedDict[Hashable, Answer] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Answer | None:
        """The answer kept under ``key``, or None."""
        with self._lock:
            answer = self._answers.get(key)
            if answer is not None:
                self._answers.move_to_end(key)
            return answer

    def put(self, key: Hashable, answer: Answer) -> None:
        """Keep ``answer`` under ``key``, forgetting the least recently used beyond the size."""
        with self._lock:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > self._size:
                self._answers.popitem(last=False)
