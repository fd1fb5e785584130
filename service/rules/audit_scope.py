"""Where an audit looks: one platform (caption limits) and one channel (the rights' use)."""

from __future__ import annotations

from service.rules.captions import PLATFORMS
from service.rules.licences import CHANNELS


def unknown_scope(platform: str, channel: str) -> dict[str, tuple[str, ...]]:
    """For each of ``platform`` and ``channel`` that is not known, the choices it may take
    (empty when both are known); each caller words the message its own way."""
    choices: dict[str, tuple[str, ...]] = {}
    if platform not in PLATFORMS:
        choices["platform"] = tuple(PLATFORMS)
    if channel not in CHANNELS:
        choices["channel"] = CHANNELS
    return choices
