"""How this deployment renders (limits, timeouts, the naming key, the credit font), and the
process's render slots, which make a burst of renders queue briefly instead of holding every
decode in memory at once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.config import ConfigError
from service.media import render
from service.rules import keys
from service.rules.problems import Problem


class RenderBusy(Problem):
    """No render slot freed in time, or another request is rendering: retry (503)."""

    status, code, title = 503, "render-busy", "The variant is still being rendered"
    headers = {"Retry-After": "2"}


@dataclass(frozen=True)
class RenderSettings:
    """How this deployment renders: the source pixel and decoded-byte limits, how long a render
    claim may last before another request takes it over, the key blob names are made with, the
    font credit lines are burned in with, and how many renders one process runs at once and
    how long a request waits for one."""

    max_pixels: int
    timeout: float
    naming_key: bytes = field(repr=False)
    credit_font: Path = render.DEFAULT_CREDIT_FONT
    max_decoded_bytes: int | None = None
    concurrent_renders: int = 1
    wait: float = 10.0

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> RenderSettings:
        """The render settings of the app's configuration, checked."""
        font = config.get("CREDIT_FONT")
        concurrent = config.get("MAX_CONCURRENT_RENDERS")
        concurrent = render.cpus() if concurrent is None else concurrent
        decoded = config.get("MAX_DECODED_BYTES")
        settings = cls(
            max_pixels=int(config["MAX_PIXELS"]),
            timeout=float(config["RENDER_TIMEOUT_SECONDS"]),
            naming_key=keys.derived_key(str(config["SECRET_KEY"]), keys.VARIANT_NAME),
            credit_font=Path(font) if font else render.DEFAULT_CREDIT_FONT,
            max_decoded_bytes=int(decoded) if decoded else None,
            concurrent_renders=int(concurrent),
            wait=float(config.get("RENDER_WAIT_SECONDS", 10.0)),
        )
        if settings.concurrent_renders < 1 or settings.wait < 0:
            raise ConfigError(
                "VITRINE_MAX_CONCURRENT_RENDERS must be at least 1 and "
                "VITRINE_RENDER_WAIT_SECONDS at least 0"
            )
        return settings

    @property
    def limits(self) -> render.Limits:
        """The limits a source is decoded within: pixels and decoded bytes."""
        return render.Limits(self.max_pixels, self.max_decoded_bytes)


# One set of render slots per process (and per configured size), shared by its threads.
_SLOTS: dict[int, threading.BoundedSemaphore] = {}
_SLOTS_GUARD = threading.Lock()


@contextmanager
def render_slot(
    settings: RenderSettings, on_busy: Callable[[], None] = lambda: None
) -> Iterator[None]:
    """Hold one of this process's VITRINE_MAX_CONCURRENT_RENDERS render slots.

    Waits at most ``settings.wait`` seconds for one to free, then calls ``on_busy`` and raises
    RenderBusy (503 with Retry-After): a burst of renders queues briefly instead of holding
    every decode in memory at once.
    """
    with _SLOTS_GUARD:
        slots = _SLOTS.setdefault(
            settings.concurrent_renders, threading.BoundedSemaphore(settings.concurrent_renders)
        )
    if not slots.acquire(timeout=settings.wait):
        on_busy()
        raise RenderBusy("Every render slot of this server is busy; try again shortly.")
    try:
        yield
    finally:
        slots.release()
