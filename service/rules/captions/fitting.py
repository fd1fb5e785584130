"""Fitting a caption to a platform: the description cut, then the hashtags, never a credit; and
checking that a caption carries every credit its media require."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Mapping, Sequence
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
    credits_for,
    unique_credits,
    validate_template,
)
from service.rules.credits import CreditMatch, holder_of, match_credit


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


_KEPT = "The title, object number and credit line are never cut: shorten them."
_KEPT_IN_POST = (
    "The theme, title, credits and campaign hashtags are never cut: shorten them, or move an"
    " image to another post."
)


def _verdict(
    text: str,
    key: str,
    shortened: list[str],
    credit: str | None,
    *,
    required: Sequence[str] | None = None,
    kept: str = _KEPT,
) -> Caption:
    p = PLATFORMS[key]
    length = count_length(key, text)
    problems: list[str] = []
    if length > p.caption_limit:
        removed = "the " + " and ".join(shortened) if shortened else ""
        problems.append(
            f"Too long for {p.name} by {length - p.caption_limit:,}"
            + (f" even with {removed} removed." if removed else ".")
            + f" {kept}"
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
    if required is not None:
        problems += _credit_problems(text, required)
    return Caption(text, length, p.caption_limit, _fits(key, text), shortened, problems)


def _credit_problems(text: str, required: Sequence[str]) -> list[str]:
    """Sentences for each media item without a credit line, and each credit the text lacks."""
    problems = [
        f"Image {position} has no credit line; every published image must carry its credit."
        for position, line in enumerate(required, 1)
        if not line.strip()
    ]
    holders = {holder_of(line) for line in required} - {""}
    for line, match in _missing(text, required):
        at = [str(n) for n, given in enumerate(required, 1) if given.strip() == line]
        whose = f"image {at[0]}" if len(at) == 1 else f"images {', '.join(at[:-1])} and {at[-1]}"
        if match.found is None or holder_of(match.found) in holders - {holder_of(line)}:
            # What was found is another image's credit: the line is simply missing.
            problems.append(f'The caption lacks "{line}", the credit line of {whose}.')
        else:
            problems.append(f"{match.reason} (The credit line of {whose}.)")
    return problems


def _missing(text: str, required: Sequence[str]) -> list[tuple[str, CreditMatch]]:
    matches = ((line, match_credit(line, text)) for line in unique_credits(required))
    return [(line, match) for line, match in matches if match.outcome != "exact"]


def check_caption_credits(text: str, required: Sequence[str]) -> list[str]:
    """The required credit lines that `text` does not carry word for word, in order, once each.

    A credit counts only as the audit's credit check counts it (credits.match_credit "exact"):
    another spelling, a credit running on into more words or look-alike letters are missing.
    Blank lines are skipped (no credit is known to look for).
    """
    return [line for line, _match in _missing(text, required)]


def _clean(value: str | None) -> str:
    return _tidy((value or "").replace(_OPEN, "").replace(_CLOSE, ""))


def _hashtag_key(tag: str) -> str:
    return unicodedata.normalize("NFC", tag.lstrip("#")).casefold()


def _compose(
    template: str,
    fields: Mapping[str, str],
    platform: str,
    credit_lines: Sequence[str] | None,
    kept: str,
) -> Caption:
    used = validate_template(template)
    key = _key(platform)
    values = {f: _clean(fields.get(f)) for f in TEMPLATE_FIELDS}
    # {credits} carries every credit of the post's media, once each; without a post, the
    # asset's own. {credit_line} left empty in a post carries them too.
    lines = [values["credit_line"]] if credit_lines is None else list(credit_lines)
    values["credits"] = credits_for([_clean(line) for line in lines])
    values["credit_line"] = values["credit_line"] or values["credits"]
    # The campaign's and the day's hashtags are written once, by their own fields.
    shown = {
        _hashtag_key(tag)
        for field in ("campaign_hashtag", "day_hashtag")
        if field in used
        for tag in values[field].split()
    }
    tags = [tag for tag in values["hashtags"].split() if _hashtag_key(tag) not in shown]
    if len(tags) < len(values["hashtags"].split()):
        values["hashtags"] = " ".join(tags)
    description = values["description"]

    @functools.cache  # a caption that fits at once is asked for three times
    def render(desc: str, n_tags: int) -> str:
        kept_tags = values["hashtags"] if n_tags == len(tags) else " ".join(tags[:n_tags])
        return _render(template, {**values, "description": desc, "hashtags": kept_tags})

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
    text = render(desc, n_tags)
    if credit_lines is None:
        return _verdict(text, key, shortened, values["credit_line"], kept=kept)
    credit = "" if not credit_lines else None  # no credit given at all: say so, as for an asset
    return _verdict(text, key, shortened, credit, required=credit_lines, kept=kept)


def compose_caption(
    template: str,
    fields: Mapping[str, str],
    platform: str,
    credits: Sequence[str] | None = None,
) -> Caption:
    """Fill `template` from `fields` and fit it to `platform`, cutting description then hashtags.

    `credits`, when given, are the required credit lines of the post's media in media order:
    {credits} carries each once, nothing cuts them, and the verdict names any the text lacks.
    Without them, {credits} is the asset's own {credit_line}.
    """
    return _compose(template, fields, platform, credits, _KEPT)


def compose_post_caption(
    template: str, fields: Mapping[str, str], credits: Sequence[str], platform: str
) -> Caption:
    """A campaign post's caption for `platform`: `template` filled from the post's `fields`
    (the campaign fields among them) and the required credit lines of its media (in media
    order), fitted by cutting the description, then the objects' own hashtags. The theme,
    title, credits and the campaign's and day's hashtags are never cut; the verdict says if the
    post is too long without them, and names an image without a credit line or a credit
    the text lacks."""
    return _compose(template, fields, platform, credits, _KEPT_IN_POST)


def check_caption(text: str, platform: str, credits: Sequence[str] | None = None) -> Caption:
    """Count a hand-written caption for `platform`; the text is returned unchanged.

    With `credits` (the required credit lines of the post's media), the verdict also names
    each one the text does not carry word for word.
    """
    return _verdict(text, _key(platform), [], None, required=credits)
