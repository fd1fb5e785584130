"""The app's services, built once when it starts: what every use case needs from the deployment.

The blob store, the configured presets, how variants are rendered, how long a signed URL
lasts, the upload limits, the retention of deleted assets and how background work is queued.
``create_app`` builds one ``Services`` and keeps it on the app (``install``); the API, the
pages, the commands and the tasks all read that one object and hand it to the use cases, so
none of them assembles this plumbing again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from service.config import ConfigError
from service.rules.licences import CHANNELS
from service.rules.presets import Preset
from service.services import catalogue
from service.services.answer_cache import AnswerCache
from service.services.variants import RenderSettings
from service.storage.blobs import BlobStore
from service.storage.spool import Spool

# Where an app keeps its Services.
EXTENSION = "vitrine.services"
# The same store and presets under their older names, for tests and an operator's shell.
STORE_ALIAS = "vitrine.store"
PRESETS_ALIAS = "vitrine.presets"


def _no_queue(name: str, *ids: int | str) -> None:
    """Queue nothing: the default of Services built outside an app."""


@dataclass(frozen=True)
class Services:
    """What the use cases need from this deployment, built once from its configuration."""

    store: BlobStore
    presets: Mapping[str, Preset]  # built-ins with VITRINE_PRESETS, as loaded at start
    rendering: RenderSettings = field(repr=False)
    signed_url_seconds: int
    max_pixels: int
    max_upload_bytes: int
    spool_dir: str | None  # None: the system's temporary directory
    deleted_retention: timedelta
    enqueue: Callable[..., None] = _no_queue  # enqueue(task_name, *ids), after the commit
    # The channels where an unknown people status fails the gate (VITRINE_PEOPLE_UNKNOWN_BLOCKS).
    people_unknown_blocks: frozenset[str] = frozenset({"social"})
    # The publish gate's answers, by what they were computed from (publishing.publish_by_id).
    answers: AnswerCache[Any] = field(default_factory=AnswerCache, repr=False, compare=False)
    # IIIF: the shortest edge of an image served with the credit burned in
    # (VITRINE_IIIF_CREDIT_MIN_EDGE, services/iiif_images).
    iiif_credit_min_edge: int = 400

    @classmethod
    def of_config(
        cls,
        config: Mapping[str, Any],
        *,
        store: BlobStore,
        presets: Mapping[str, Preset],
        enqueue: Callable[..., None] = _no_queue,
    ) -> Services:
        """The services a configuration describes, around an opened store and loaded presets."""
        return cls(
            store=store,
            presets=presets,
            rendering=RenderSettings.of(config),
            signed_url_seconds=int(config["SIGNED_URL_SECONDS"]),
            max_pixels=int(config["MAX_PIXELS"]),
            max_upload_bytes=int(config["MAX_UPLOAD_BYTES"]),
            spool_dir=config["SPOOL_DIR"],
            deleted_retention=timedelta(days=config["DELETED_RETENTION_DAYS"]),
            enqueue=enqueue,
            people_unknown_blocks=people_unknown_blocks(config),
            iiif_credit_min_edge=iiif_credit_min_edge(config),
        )

    def presets_in_force(self, session: Session) -> dict[str, Preset]:
        """The configured presets with the admins' changes applied."""
        return catalogue.presets_in_force(session, self.presets)

    def preset(self, session: Session, name: str) -> Preset:
        """The preset in force named ``name``; NotFound (404) names the known ones."""
        return catalogue.preset_in_force(session, self.presets, name)

    def new_spool(self) -> Spool:
        """An empty spool for one uploaded file, refusing more than the upload limit."""
        return Spool(self.spool_dir, self.max_upload_bytes)

    def with_store(self, store: BlobStore) -> Services:
        """The same services around another store (a forked worker opens its own)."""
        return dataclasses.replace(self, store=store)


def people_unknown_blocks(config: Mapping[str, Any]) -> frozenset[str]:
    """The channels VITRINE_PEOPLE_UNKNOWN_BLOCKS names, comma-separated (or listed, in a
    test's overrides), in any case (default: social); ConfigError names any that is not a
    channel."""
    value = config.get("PEOPLE_UNKNOWN_BLOCKS", "social")
    items = value.split(",") if isinstance(value, str) else list(value or ())
    named = [name for name in (str(item).strip().lower() for item in items) if name]
    unknown = [name for name in named if name not in CHANNELS]
    if unknown:
        raise ConfigError(
            f"VITRINE_PEOPLE_UNKNOWN_BLOCKS names unknown channel(s): {', '.join(unknown)} "
            f"(the channels are {', '.join(CHANNELS)})"
        )
    return frozenset(named)


def iiif_credit_min_edge(config: Mapping[str, Any]) -> int:
    """VITRINE_IIIF_CREDIT_MIN_EDGE, checked: at least 1 px."""
    value = int(config.get("IIIF_CREDIT_MIN_EDGE", 400))
    if value < 1:
        raise ConfigError(f"VITRINE_IIIF_CREDIT_MIN_EDGE must be at least 1 px, not {value}")
    return value


def install(app: Any, services: Services) -> None:
    """Keep ``services`` on the app (a Flask app, or anything with ``extensions``)."""
    app.extensions[EXTENSION] = services
    app.extensions[STORE_ALIAS] = services.store
    app.extensions[PRESETS_ALIAS] = services.presets


def of(app: Any) -> Services:
    """The services kept on ``app`` by ``install``."""
    services: Services = app.extensions[EXTENSION]
    return services
