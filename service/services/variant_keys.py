"""What names a variant: the rights stamped into it, the key that digests everything shaping
its bytes, and the blob name keyed with the server's secret, for both kinds (a publishable
variant and an internal preview)."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.orm import Session

from service.media import render
from service.rules import consent, credits, embedded_people
from service.rules.presets import Preset
from service.services import captioning
from service.services.people_facts import people_facts
from service.services.render_settings import RenderSettings
from service.services.rights import rights_of
from service.storage.db import utcnow
from service.storage.models import Asset, RightsRecord

Kind = Literal["variant", "preview"]
VARIANT: Kind = "variant"  # publishable: only through the publish gate
PREVIEW: Kind = "preview"  # internal: only to a signed-in session
BLOB_PREFIXES: dict[str, str] = {VARIANT: "variants", PREVIEW: "previews"}
PEOPLE_STAMP_FIELDS = ("release_status", "release_ids", "person_names")
# What a preview carries: no rights, since nothing in it is for publishing.
NO_RIGHTS = render.RightsStamp(
    credit_line="", creator="", title="", object_number="", licence_uri=None, alt_text=""
)


def stamp_for(session: Session, asset: Asset) -> render.RightsStamp:
    """The rights to write into (and maybe burn onto) the asset's variants."""
    record, rule = rights_of(session, asset), captioning.credit_rule_for(session, asset)
    return stamp_of(asset, record, rule, people_facts(session, asset))


def stamp_of(
    asset: Asset,
    record: RightsRecord,
    rule: credits.CreditRule | None,
    people: consent.PeopleFacts,
    today: date | None = None,
) -> render.RightsStamp:
    """``stamp_for`` from values already read: the asset's rights record, the policy's rule
    for its holder and the people it shows (their release ids, and the names a consent lets
    a published file carry)."""
    release_status, release_ids = embedded_people.release_for(
        asset.people_status, (asset.metadata_summary or {}).get("people")
    )
    registered_ids, person_names = consent.for_published_files(people, today or utcnow().date())
    release_ids = tuple(dict.fromkeys(release_ids + registered_ids))
    return render.RightsStamp(
        credit_line=credits.required_credit_line(rule, record.credit_line),
        creator=record.creator,
        title=asset.title,
        object_number=asset.object_number,
        licence_uri=record.licence_uri,
        alt_text=asset.alt_text,
        burn_in=bool(rule and rule.burn_in),
        placement=rule.placement if rule else "bottom-right",
        release_status=release_status,
        release_ids=release_ids,
        person_names=person_names,
    )


def variant_key(
    asset: Asset,
    preset: Preset,
    stamp: render.RightsStamp,
    credit_font: Path,
    *,
    kind: Kind = VARIANT,
    rights_revision: int = 0,
) -> str:
    """The digest that names a variant; it changes whenever the output would, and for a
    publishable variant whenever the asset's rights record changes."""
    shaping: dict[str, Any] = {
        "original": asset.sha256,
        "preset": preset.spec(),
        "focal": [round(asset.focal_x, 4), round(asset.focal_y, 4)],
        # The people fields only when there are any: a stamp without them keys as before.
        "stamp": {
            **{k: v for k, v in asdict(stamp).items() if k not in PEOPLE_STAMP_FIELDS},
            **stamp.people_fields(),
        },
    }
    if kind != VARIANT:
        shaping["kind"] = kind
    if rights_revision:
        shaping["rights_revision"] = rights_revision
    if render.burns_in(stamp, preset):  # only then does the font reach the pixels
        shaping["credit_font"] = render.font_identity(credit_font)
    return hashlib.sha256(json.dumps(shaping, sort_keys=True).encode()).hexdigest()


def variant_blob_key(preset: Preset, key: str, naming_key: bytes, kind: Kind = VARIANT) -> str:
    """Where a variant's bytes are stored: a name keyed with the server's secret, so that it
    cannot be computed from the asset's hash and the preset's spec, which viewers can read."""
    if not naming_key:
        raise ValueError("blob names need a key; set VITRINE_SECRET_KEY")
    name = hmac.new(naming_key, key.encode(), hashlib.sha256).hexdigest()
    extension = {"jpeg": "jpg", "webp": "webp", "avif": "avif"}[preset.format]
    return f"{BLOB_PREFIXES[kind]}/{name[:2]}/{name}.{extension}"


@dataclass(frozen=True)
class Wanted:
    """The variant a request wants: its key, kind, stamp and the rights revision it carries."""

    key: str
    kind: Kind
    stamp: render.RightsStamp
    rights_revision: int


def wanted(
    session: Session,
    asset: Asset,
    preset: Preset,
    settings: RenderSettings,
    kind: Kind = VARIANT,
    *,
    stamp: render.RightsStamp | None = None,
) -> Wanted:
    """The variant (or preview) of the asset's current state: its key, stamp and revision
    (``stamp``: the asset's ``stamp_for``, when the caller has it already)."""
    if kind == PREVIEW:
        key = variant_key(asset, preset, NO_RIGHTS, settings.credit_font, kind=PREVIEW)
        return Wanted(key, PREVIEW, NO_RIGHTS, 0)
    stamp = stamp or stamp_for(session, asset)
    revision = rights_of(session, asset).revision
    key = variant_key(asset, preset, stamp, settings.credit_font, rights_revision=revision)
    return Wanted(key, VARIANT, stamp, revision)
