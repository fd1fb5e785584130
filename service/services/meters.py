"""What the use cases report to be counted: uploads, renders, variant lookups.

The services only know this protocol; ``service.ops.metrics`` implements it and the app
installs it when it starts (``use_meter``). Until then, and in code that runs without an
app, nothing is counted.
"""

from __future__ import annotations

from typing import Protocol


class Meter(Protocol):
    """Receives the counts the use cases report."""

    def observe_upload(self, size: int) -> None:
        """An upload of ``size`` bytes arrived."""

    def observe_render(self, preset: str, seconds: float, *, kind: str) -> None:
        """A variant or preview of ``preset`` took ``seconds`` to render."""

    def count_variant_lookup(self, preset: str, *, kind: str, hit: bool) -> None:
        """A variant was looked up; ``hit`` when it was ready."""


class NoMeter:
    """Counts nothing: the meter before an app installs its own."""

    def observe_upload(self, size: int) -> None:
        """Count nothing."""

    def observe_render(self, preset: str, seconds: float, *, kind: str) -> None:
        """Count nothing."""

    def count_variant_lookup(self, preset: str, *, kind: str, hit: bool) -> None:
        """Count nothing."""


_installed: list[Meter] = [NoMeter()]


def use_meter(meter: Meter) -> None:
    """Report to ``meter`` from now on (the app's metrics install theirs at start)."""
    _installed[0] = meter


def meter() -> Meter:
    """The meter the use cases report to."""
    return _installed[0]
