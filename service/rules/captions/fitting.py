"""Fitting a caption to a platform: the description cut, then the hashtags, never the credit."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

# `regex` ships no type information; it is here for Unicode properties (\p{...}) and \X
# (extended grapheme clusters), which the standard `re` module lacks.
import regex  # type: ignore[import-untyped,unused-ignore]

from service.rules.captions.counting import _GRAPHEME, count_length
from service.rules.captions.platforms import PLATFORMS, _key
from service.rules.captions.templates import (
    _CLOSE,
    _OPEN,
    TEMPLATE_FIELDS,
    _render,
    _tidy,
    validate_template,
)


@dataclass(frozen=True)
class Caption:
    """A caption and its verdict for one platform."""

    text: str
    length: int
    limit: int
    fits: bool
    shortened: list[str]  # what was cut: "description", "hashtags"
    problems: list[str]  # sentences for the user


_ELLIPSIS = "…"
_TRIM_BEFORE_ELLIPSIS = " \t\n,;:.\u2013\u2014-\u3001\u3002\uff0c\uff1b\uff1a"  # and CJK stops
# Scripts written without spaces may break between any two characters. (Thai, Lao, Khmer and
# Myanmar need a dictionary to find words; their descriptions are dropped rather than cut.)
_NO_SPACE_SCRIPT = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\u3000-\u303F\uFF00-\uFFEF]")


def _cut_points(text: str) -> list[int]:
    """Prefix lengths, ascending, at which `text` may be cut at a word boundary."""
    boundaries = {m.start() for m in _GRAPHEME.finditer(text)}
    cuts = []
    for k in sorted(boundaries - {0}):
        at_space = text[k].isspace() and not text[k - 1].isspace()
        in_cjk = bool(_NO_SPACE_SCRIPT.match(text[k - 1]) or _NO_SPACE_SCRIPT.match(text[k]))
        if (at_space or in_cjk) and text[:k].rstrip(_TRIM_BEFORE_ELLIPSIS):
            cuts.append(k)
    return cuts


def _cut(text: str, k: int) -> str:
    return text if k >= len(text) else text[:k].rstrip(_TRIM_BEFORE_ELLIPSIS) + _ELLIPSIS


def _longest_fitting(description: str, fits: Callable[[str], bool], *, whole: bool) -> str:
    """The longest cut (or, if `whole`, the full text) of `description` that fits, else ""."""
    cuts = _cut_points(description) + ([len(description)] if whole else [])
    best, lo, hi = "", 0, len(cuts) - 1
    while lo <= hi:  # binary search: a longer prefix never counts shorter (URLs aside)
        mid = (lo + hi) // 2
        candidate = _cut(description, cuts[mid])
        if fits(candidate):
            best, lo = candidate, mid + 1
        else:
            hi = mid - 1
    return best


def _fits(key: str, text: str) -> bool:
    p = PLATFORMS[key]
    size_ok = p.byte_limit is None or len(text.encode()) <= p.byte_limit
    return size_ok and count_length(key, text) <= p.caption_limit


def _verdict(text: str, key: str, shortened: list[str], credit: str | None) -> Caption:
    p = PLATFORMS[key]
    length = count_length(key, text)
    problems: list[str] = []
    if length > p.caption_limit:
        removed = "the " + " and ".join(shortened) if shortened else ""
        problems.append(
            f"Too long for {p.name} by {length - p.caption_limit:,}"
            + (f" even with {removed} removed." if removed else ".")
            + " The title, object number and credit line are never cut: shorten them."
        )
    size = len(text.encode())
    if p.byte_limit is not None and size > p.byte_limit:
        problems.append(
            f"Too long for {p.name}: {size:,} bytes of UTF-8, over its {p.byte_limit:,}-byte cap."
        )
    if not text.strip():
        problems.append("The caption is empty.")
    if credit is not None and not credit:
        problems.append("No credit line was given; every published image must carry its credit.")
    return Caption(text, length, p.caption_limit, _fits(key, text), shortened, problems)


def compose_caption(template: str, fields: Mapping[str, str], platform: str) -> Caption:
    """Fill `template` from `fields` and fit it to `platform`, cutting description then hashtags."""
    validate_template(template)
    key = _key(platform)
    values = {
        f: _tidy((fields.get(f) or "").replace(_OPEN, "").replace(_CLOSE, ""))
        for f in TEMPLATE_FIELDS
    }
    description, tags = values["description"], values["hashtags"].split()

    @functools.cache  # a caption that fits at once is asked for three times
    def render(desc: str, n_tags: int) -> str:
        kept = values["hashtags"] if n_tags == len(tags) else " ".join(tags[:n_tags])
        return _render(template, {**values, "description": desc, "hashtags": kept})

    def fits(text: str) -> bool:
        return _fits(key, text)

    desc, n_tags = description, len(tags)
    if not fits(render(desc, n_tags)) and desc:
        desc = _longest_fitting(description, lambda d: fits(render(d, n_tags)), whole=False)
    while n_tags > 0 and not fits(render(desc, n_tags)):
        n_tags -= 1  # desc is "" here: hashtags go only once the description has gone
    if n_tags < len(tags) and description and fits(render("", n_tags)):
        # Dropping a hashtag may free more room than it needed: give it back to the description.
        desc = _longest_fitting(description, lambda d: fits(render(d, n_tags)), whole=True)
    shortened = (["description"] if desc != description else []) + (
        ["hashtags"] if n_tags < len(tags) else []
    )
    return _verdict(render(desc, n_tags), key, shortened, values["credit_line"])


def check_caption(text: str, platform: str) -> Caption:
    """Count a hand-written caption for `platform`; the text is returned unchanged."""
    return _verdict(text, _key(platform), [], None)
