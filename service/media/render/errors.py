"""Why a variant cannot be made: the one exception every stage of a render raises."""

from __future__ import annotations


class RenderError(Exception):
    """A variant cannot be made as asked (e.g. over its byte budget); the message says why."""
