"""The request class: uploads stream into spools, JSON bodies are bounded in size and depth."""

from __future__ import annotations

from typing import IO, Any

from flask import current_app, request
from flask.wrappers import Request
from werkzeug.exceptions import RequestEntityTooLarge

from service.http.context import services
from service.rules.problems import InvalidInput, JsonTooDeep, JsonTooLarge

# Deeper than any body the API takes (a few levels); far below what exhausts the stack.
MAX_JSON_DEPTH = 32


class VitrineRequest(Request):
    """A request whose uploaded files stream into hashing spools instead of memory, and whose
    JSON body, on every route that reads one, is bounded in size and depth: one place, so no
    route can forget it."""

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        """The JSON body, or 413 ``json-too-large`` past ``MAX_JSON_BYTES`` (before reading
        it) and 400 ``json-too-deep`` past ``MAX_JSON_DEPTH`` levels, silent or not."""
        if force or self.is_json:
            limit: int = current_app.config["MAX_JSON_BYTES"]
            too_large = JsonTooLarge(f"A JSON body may have at most {limit:,} bytes.")
            if self.content_length is not None and self.content_length > limit:
                raise too_large
            # A body without a length (chunked) stops being read past the limit.
            ceiling = self.max_content_length
            self.max_content_length = limit if ceiling is None else min(ceiling, limit)
            too_deep = JsonTooDeep(f"JSON may be nested at most {MAX_JSON_DEPTH} levels deep.")
            try:
                value = super().get_json(force=force, silent=silent, cache=cache)
            except RequestEntityTooLarge:
                raise too_large from None
            except RecursionError:  # the parser ran out of stack: deeper than any limit
                raise too_deep from None
            if _nested_deeper_than(value, MAX_JSON_DEPTH):
                raise too_deep
            return value
        return super().get_json(force=force, silent=silent, cache=cache)

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        spool = services().new_spool()
        return spool  # type: ignore[return-value]


def _nested_deeper_than(value: Any, limit: int) -> bool:
    """True when arrays and objects nest more than ``limit`` levels (without recursing)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def page_limit(default: int = 50) -> int:
    """The ``limit`` query argument of a paged listing: 1 to the configured MAX_PAGE_SIZE."""
    ceiling: int = current_app.config["MAX_PAGE_SIZE"]
    raw = request.args.get("limit", str(min(default, ceiling)))
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= ceiling:
        raise InvalidInput({"limit": f"must be a whole number from 1 to {ceiling}"})
    return int(raw)
