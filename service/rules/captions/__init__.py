"""Captions per platform: templates, lengths counted as each platform counts, fitting, alt text;
and each platform's image limits.

Pure functions only (no I/O, clock, Flask or database), so the web UI's live counters, the API and
the audit all agree on one answer. Platform facts and their sources: shared/platform-specs.md §1
and shared/campaigns.md §1, §2, §7.

platforms holds the limits (captions, alt text, images per post, image sizes and shapes);
counting counts as each platform does; templates fills and tidies a template (and makes
hashtags and a post's credits); fitting cuts a caption to a platform and checks its credits;
alt_text checks alt text. This package re-exports what callers use, so
``captions.compose_caption(...)`` reads as it did when it was one module.
"""

from service.rules.captions.alt_text import alt_text_warnings
from service.rules.captions.counting import count_length
from service.rules.captions.fitting import (
    Caption,
    check_caption,
    check_caption_credits,
    compose_caption,
    compose_post_caption,
)
from service.rules.captions.platforms import (
    PLATFORMS,
    ImageFormat,
    Platform,
    RatioProblem,
    alt_required,
    aspect_ratio_problems,
    aspect_ratio_range,
    image_format,
    image_format_for,
    max_image_bytes,
    media_limit,
)
from service.rules.captions.templates import (
    CAMPAIGN_FIELDS,
    DEFAULT_POST_TEMPLATES,
    DEFAULT_TEMPLATES,
    TEMPLATE_FIELDS,
    TemplateError,
    credits_for,
    hashtags_from_tags,
    unique_credits,
    validate_template,
)

__all__ = [
    "CAMPAIGN_FIELDS",
    "DEFAULT_POST_TEMPLATES",
    "DEFAULT_TEMPLATES",
    "PLATFORMS",
    "TEMPLATE_FIELDS",
    "Caption",
    "ImageFormat",
    "Platform",
    "RatioProblem",
    "TemplateError",
    "alt_required",
    "alt_text_warnings",
    "aspect_ratio_problems",
    "aspect_ratio_range",
    "check_caption",
    "check_caption_credits",
    "compose_caption",
    "compose_post_caption",
    "count_length",
    "credits_for",
    "hashtags_from_tags",
    "image_format",
    "image_format_for",
    "max_image_bytes",
    "media_limit",
    "unique_credits",
    "validate_template",
]
