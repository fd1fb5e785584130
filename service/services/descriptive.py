"""An asset's descriptive fields: title, object number, description, alt text, tags and the
uploaded filename, checked and cleaned the same way for an upload, an import and an edit."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from service.rules.problems import InvalidInput
from service.rules.text import DIRECTION_CONTROLS, clean_field, clean_text

# Longest value of each descriptive field; far beyond real use, short of abuse.
FIELD_LIMITS = {
    "title": 500,
    "object_number": 100,
    "object_date": 100,
    "description": 10_000,
    "alt_text": 2_000,
    "record_url": 500,
}
# Fields that may hold several lines; the others fold line breaks and tabs into a space.
MULTILINE_FIELDS = frozenset({"description", "alt_text"})
MAX_TAGS = 50
MAX_TAG_LENGTH = 64
MAX_FILENAME_LENGTH = 255


def clean_filename(name: str | None) -> str:
    """The uploaded filename as a label: kept as data, shortened, never used as a path.

    Joiners and emoji sequences stay, so a Persian or emoji name reads as written; direction
    controls are dropped rather than refused (a label is not worth refusing the photo for),
    since "basket\u202egpj.exe" is the classic way to make a name show a false extension.
    """
    cleaned = clean_text(name or "", multiline=False)
    cleaned = "".join(char for char in cleaned if char not in DIRECTION_CONTROLS).strip()
    return cleaned[:MAX_FILENAME_LENGTH] or "upload"


def split_tags(values: Iterable[str]) -> list[str]:
    """Tags from form values that may each hold several, comma-separated; '#' is dropped."""
    tags: list[str] = []
    for value in values:
        tags.extend(part.strip().lstrip("#").strip() for part in value.split(","))
    return [tag for tag in tags if tag]


def validate_descriptive(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Check descriptive fields (title, object_number, description, alt_text, tags).

    Returns the cleaned values of the fields given; raises ``InvalidInput`` naming each bad one.
    """
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field, value in fields.items():
        if field in FIELD_LIMITS:
            if not isinstance(value, str):
                errors[field] = "must be a string"
                continue
            try:
                text = clean_field(value, multiline=field in MULTILINE_FIELDS)
            except ValueError as error:
                errors[field] = str(error)
                continue
            if len(text) > FIELD_LIMITS[field]:
                errors[field] = f"must be at most {FIELD_LIMITS[field]} characters"
            elif field == "record_url" and text and not is_web_address(text):
                errors[field] = "must be an http:// or https:// address, such as the object's page"
            else:
                cleaned[field] = text
        elif field == "tags":
            if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
                errors[field] = "must be a list of strings"
                continue
            try:
                tags = _unique_casefolded(
                    clean_field(tag, multiline=False).lstrip("#") for tag in value
                )
            except ValueError as error:
                errors[field] = str(error)
                continue
            if len(tags) > MAX_TAGS:
                errors[field] = f"at most {MAX_TAGS} tags"
            elif any(len(tag) > MAX_TAG_LENGTH or "," in tag for tag in tags):
                errors[field] = f"each tag at most {MAX_TAG_LENGTH} characters, without commas"
            else:
                cleaned[field] = tags
        else:
            errors[field] = "is not a descriptive field"
    if errors:
        raise InvalidInput(errors)
    return cleaned


def is_web_address(text: str) -> bool:
    """Whether ``text`` is an absolute http(s) URL with a host and nothing a browser would
    have to guess at (spaces, quotes, angle brackets)."""
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:  # "http://[::1" and the like
        return False
    unsafe = any(char.isspace() or char in '"<>\\`{}|^' for char in text)
    return parts.scheme in ("http", "https") and bool(host) and not unsafe


def _unique_casefolded(tags: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for tag in tags:
        if tag:
            # Spellings that differ only in Unicode composition are one tag.
            seen.setdefault(unicodedata.normalize("NFC", tag).casefold(), tag)
    return list(seen.values())
