"""Captions per platform: templates, lengths counted as each platform counts, fitting, alt text.

Pure functions only (no I/O, clock, Flask or database), so the web UI's live counters, the API and
the audit all agree on one answer. Platform facts and their sources: shared/platform-specs.md §1.

platforms holds the limits; counting counts as each platform does; templates fills and tidies a
template (and makes hashtags); fitting cuts a caption to a platform; alt_text checks alt text.
This package re-exports what callers use, so ``captions.compose_caption(...)`` reads as it did
when it was one module.
"""

from service.rules.captions.alt_text import alt_text_warnings
from service.rules.captions.counting import count_length
from service.rules.captions.fitting import Caption, check_caption, compose_caption
from service.rules.captions.platforms import PLATFORMS, Platform
from service.rules.captions.templates import (
    DEFAULT_TEMPLATES,
    TEMPLATE_FIELDS,
    TemplateError,
    hashtags_from_tags,
    validate_template,
)

__all__ = [
    "DEFAULT_TEMPLATES",
    "PLATFORMS",
    "TEMPLATE_FIELDS",
    "Caption",
    "Platform",
    "TemplateError",
    "alt_text_warnings",
    "check_caption",
    "compose_caption",
    "count_length",
    "hashtags_from_tags",
    "validate_template",
]
