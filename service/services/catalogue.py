"""The presets in force: the built-ins, the deployment's VITRINE_PRESETS, then admins' changes.

Platforms change their limits every year; an admin changes a preset through the API and every
web process and worker sees it on its next request, without a restart or a release. A change
is kept as the fields sent, over the configured preset of that name, so that a later release's
correction to a built-in still reaches the fields the admin did not touch.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import Any, Literal

from sqlalchemy import Result, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.rules.presets import DEFAULT_PRESETS, Preset, PresetError, parse_preset
from service.rules.problems import InvalidInput, NotFound
from service.storage.db import forget, remembered, savepoint, utcnow
from service.storage.models import PresetChange

log = logging.getLogger(__name__)

Origin = Literal["built-in", "config", "api"]


def _changes(session: Session) -> list[PresetChange]:
    """Read once per session, as the credit policy is (rights.current_policy)."""
    query = select(PresetChange).order_by(PresetChange.name)
    return remembered(session, "preset_changes", lambda: list(session.scalars(query)))


def _apply(configured: Mapping[str, Preset], name: str, fields: Mapping[str, Any]) -> Preset:
    """``fields`` over the configured preset ``name``, or as a whole new preset."""
    base = configured.get(name)
    return parse_preset(name, {**dataclasses.asdict(base), **fields} if base else fields)


def in_force(
    session: Session, configured: Mapping[str, Preset]
) -> dict[str, tuple[Preset, Origin]]:
    """Each preset in force with what made it as it is: shipped, the deployment's config, or
    the API. The configured ones first, in their order; new ones from the API last."""
    found: dict[str, tuple[Preset, Origin]] = {
        name: (preset, "built-in" if preset == DEFAULT_PRESETS.get(name) else "config")
        for name, preset in configured.items()
    }
    for change in _changes(session):
        try:
            found[change.name] = (_apply(configured, change.name, change.fields), "api")
        except PresetError as error:
            # A configuration changed since (min_quality now above quality, say): the stored
            # change no longer makes a valid preset. Keep serving the configured one.
            log.warning("ignoring the API change to preset %r: %s", change.name, error)
    return found


def presets_in_force(session: Session, configured: Mapping[str, Preset]) -> dict[str, Preset]:
    """The configured presets with the admins' changes applied; new ones listed last."""
    return {name: preset for name, (preset, _) in in_force(session, configured).items()}


def preset_in_force(session: Session, configured: Mapping[str, Preset], name: str) -> Preset:
    """The preset in force named ``name``; NotFound (404) names the known ones.

    Only the change to this preset is applied (a publish asks for one preset per request);
    the others are parsed only to name them in a 404.
    """
    change = next((row for row in _changes(session) if row.name == name), None)
    return preset_with(session, configured, name, change)


def preset_with(
    session: Session, configured: Mapping[str, Preset], name: str, change: PresetChange | None
) -> Preset:
    """The preset in force named ``name``, given the admin's change to it that the caller
    read (None: there is none); NotFound (404) names the known ones."""
    if change is not None:
        try:
            return _apply(configured, name, change.fields)
        except PresetError as error:
            log.warning("ignoring the API change to preset %r: %s", name, error)
    if name in configured:
        return configured[name]
    known = ", ".join(presets_in_force(session, configured))
    raise NotFound(f"There is no preset {name!r}; known presets: {known}.")


def change_preset(
    session: Session, configured: Mapping[str, Preset], name: str, body: Any, *, actor: str
) -> tuple[Preset, bool]:
    """Keep an admin's change (or new preset); (the preset now in force, whether it is new)."""
    if not isinstance(body, dict):
        raise InvalidInput({"body": "must be a JSON object of preset fields"})
    if "name" in body and body["name"] != name:
        raise InvalidInput({"name": f"does not match the preset's name in the URL, {name!r}"})
    fields = {key: value for key, value in body.items() if key != "name"}
    try:
        preset = _apply(configured, name, fields)
    except PresetError as error:
        raise InvalidInput({error.field: error.problem}) from None
    is_new = name not in presets_in_force(session, configured)
    values = {"fields": fields, "updated_by": actor, "updated_at": utcnow()}
    # An update, else an insert; an insert that loses a race with another admin's becomes an
    # update of the row that won (last write wins, as with two updates).
    updated = session.execute(
        update(PresetChange).where(PresetChange.name == name).values(**values)
    )
    if not _rows(updated):
        try:
            with savepoint(session):
                session.add(PresetChange(name=name, **values))
        except IntegrityError:
            session.execute(update(PresetChange).where(PresetChange.name == name).values(**values))
    forget(session, "preset_changes")
    return preset, is_new


def revert_preset(session: Session, name: str) -> None:
    """Drop the admin's change: the configured preset is in force again (a new one is gone)."""
    deleted = session.execute(delete(PresetChange).where(PresetChange.name == name))
    forget(session, "preset_changes")
    if not _rows(deleted):  # none, or another admin's request deleted it first
        raise NotFound(f"The preset {name!r} has no change made through the API.")


def _rows(result: Result[Any]) -> int:
    count: int = getattr(result, "rowcount", 0)
    return count
