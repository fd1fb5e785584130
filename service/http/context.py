"""The app's services at the HTTP edge: the one ``Services`` built by ``create_app``."""

from __future__ import annotations

from flask import current_app

from service.services import context
from service.services.context import Services


def services() -> Services:
    """The current app's services (store, presets, render settings, signing, limits)."""
    return context.of(current_app)
