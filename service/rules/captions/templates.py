"""Caption templates: checked, then filled with the asset's fields, empty fields tidied away;
and hashtags made from free-text tags.
"""

from __future__ import annotations

import difflib
import string
import unicodedata
from collections.abc import Mapping, Sequence
from types import MappingProxyType

# `regex` ships no type information; it is here for Unicode properties (\p{...}) and \X
# (extended grapheme clusters), which the standard `re` module lacks.
import regex  # type: ignore[import-untyped,unused-ignore]

# A campaign post's fields: its campaign's and day's hashtags, the day's theme, and the credit
# lines of all its media ({credits}); outside a campaign they are empty, and {credits} is the
# asset's own credit line.
CAMPAIGN_FIELDS = ("campaign_hashtag", "day_hashtag", "theme", "credits")
TEMPLATE_FIELDS = (
    "title", "object_number", "description", "credit_line", "hashtags", "creator", "date",
    "photo_date", *CAMPAIGN_FIELDS,
)  # fmt: skip
# The fields that carry credits: a template must have one of them.
CREDIT_FIELDS = ("credit_line", "credits")
# {date} is the object's own date (when it was made), empty when unknown; {photo_date} is when
# the photograph was taken. The defaults never use the photo's date: a 2024 shot of a 1935
# basket captioned "1935" would be right, captioned "2024" it is wrong.
_SHORT = "{title} ({object_number})\n\n{description}\n\n{credit_line}\n\n{hashtags}"
_LONG = "{title} ({object_number})\n{creator}, {date}\n\n" + _SHORT.split("\n\n", 1)[1]
# Short-form platforms leave out creator and date so the description keeps more room.
_SHORT_PLATFORMS = ("x", "bluesky", "mastodon", "threads")
_LONG_PLATFORMS = ("instagram", "facebook", "linkedin", "default")
DEFAULT_TEMPLATES: Mapping[str, str] = MappingProxyType(
    dict.fromkeys(_SHORT_PLATFORMS, _SHORT) | dict.fromkeys(_LONG_PLATFORMS, _LONG)
)
# A campaign post: the day's theme leads, every credit of its media, then the day's and the
# campaign's hashtags (the point of the post) before the objects' own.
_POST_TAGS = "{day_hashtag} {campaign_hashtag} {hashtags}"
_POST_SHORT = "{theme}: {title}\n\n{description}\n\n{credits}\n\n" + _POST_TAGS
_POST_LONG = (
    "{theme}: {title} ({object_number})\n{creator}, {date}\n\n{description}\n\n{credits}\n\n"
    + _POST_TAGS
)
DEFAULT_POST_TEMPLATES: Mapping[str, str] = MappingProxyType(
    dict.fromkeys(_SHORT_PLATFORMS, _POST_SHORT) | dict.fromkeys(_LONG_PLATFORMS, _POST_LONG)
)
_FIELD_LIST = ", ".join("{" + f + "}" for f in TEMPLATE_FIELDS)


class TemplateError(ValueError):
    """A caption template the user must fix; the message says how."""


def validate_template(template: str) -> frozenset[str]:
    """Raise TemplateError unless `template` uses only plain {field} names and has
    {credit_line} or {credits}; return the fields it uses."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:
        raise TemplateError(
            'The template has an unmatched "{" or "}". Write "{{" or "}}" for a literal brace.'
        ) from None
    seen: set[str] = set()
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
        shown += "}"
        if name == "" or name.isdigit():
            raise TemplateError(
                f"{shown} is a positional placeholder; name a field: {_FIELD_LIST}."
            )
        if "." in name or "[" in name:
            base = name.split(".")[0].split("[")[0]
            raise TemplateError(
                f"{shown} reaches into a field's attributes or items; write {{{base}}}."
            )
        if name not in TEMPLATE_FIELDS:
            close = difflib.get_close_matches(name.strip(), TEMPLATE_FIELDS, n=1)
            hint = f" Did you mean {{{close[0]}}}?" if close else ""
            raise TemplateError(f"{shown} is not a caption field.{hint} Use: {_FIELD_LIST}.")
        if spec or conversion:
            raise TemplateError(f"{shown} has a format spec or conversion; write just {{{name}}}.")
        seen.add(name)
    if seen.isdisjoint(CREDIT_FIELDS):
        raise TemplateError(
            "The template must contain {credit_line} or {credits}: every caption carries its"
            " credits."
        )
    return frozenset(seen)


def credits_for(lines: Sequence[str]) -> str:
    """The credit lines of a post's media, once each in media order, one a line.

    Lines are trimmed; an exact repeat (two photos of one holder) is left out, blank lines too.
    """
    return "\n".join(unique_credits(lines))


def unique_credits(lines: Sequence[str]) -> list[str]:
    """The credit lines trimmed, blank ones and exact repeats left out, in their order."""
    return list(dict.fromkeys(line.strip() for line in lines if line.strip()))


# Fields are rendered between private-use markers so that tidying can tell an empty *field* from
# text the user wrote: "Title ()" is removed only when the brackets held nothing but empty fields.
_OPEN, _CLOSE = "\ue000", "\ue001"
_E = regex.escape(_OPEN + _CLOSE)
_SEP = "[,;:\u00b7|/\u2013\u2014-]"  # middle dot, en and em dashes, hyphen
_FILLER = rf"(?:{_E}|[ \t]|{_SEP})*"
_TIDY = (
    (regex.compile(rf"[ \t]*(?:\({_FILLER}{_E}{_FILLER}\)|\[{_FILLER}{_E}{_FILLER}\])"), ""),
    # A separator left dangling by an empty field at a line's or a bracket's start or end.
    (regex.compile(rf"(?m)(?:^|(?<=[(\[]))[ \t]*(?:{_E}[ \t]*{_SEP}?[ \t]*)+"), ""),
    (regex.compile(rf"(?m)(?:[ \t]*{_SEP}?[ \t]*{_E})+[ \t]*(?=$|[)\]])"), ""),
    (regex.compile(rf"[ \t]*{_SEP}[ \t]*{_E}(?=[ \t]*{_SEP})"), ""),
    (regex.compile(rf"[ \t]+{_E}(?:[ \t]*{_E})*[ \t]+"), " "),
)


_BLANK_LINES = regex.compile(r"\n{3,}")


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    # Kept as written, not NFC-normalised: NFC would rewrite some Devanagari and CJK
    # spellings, and the caption is the text that leaves the museum. Counting normalises.
    tidied: str = _BLANK_LINES.sub("\n\n", text)
    return tidied.strip()


def _render(template: str, values: Mapping[str, str]) -> str:
    text = template.replace(_OPEN, "").replace(_CLOSE, "")
    text = text.format_map({k: _OPEN + v + _CLOSE for k, v in values.items()})
    for pattern, replacement in _TIDY:
        text = pattern.sub(replacement, text)
    return _tidy(text.replace(_OPEN, "").replace(_CLOSE, ""))


_NOT_IN_HASHTAG = regex.compile(r"[^\p{L}\p{M}\p{Nd}_\u200c\u200d]+")
_LETTER = regex.compile(r"\p{L}")


def hashtags_from_tags(tags: Sequence[str]) -> str:
    """Hashtags from free-text tags: "#MuseumWeek #basketry"; duplicates (any case) dropped."""
    seen: set[str] = set()
    out: list[str] = []
    for tag in tags:
        # Letters, combining marks (Devanagari vowel signs), digits, "_" and ZWJ/ZWNJ (needed in
        # Persian and Indic words) are what platforms keep inside a hashtag.
        tag = tag.replace("'", "").replace("\u2019", "")
        parts = [w for w in _NOT_IN_HASHTAG.split(tag) if w]  # "C'est la vie" -> CestLaVie
        # Later words are capitalised ("Somali wedding" -> SomaliWedding) because screen readers
        # read a CamelCase hashtag word by word; scripts without case are unaffected.
        word = "".join(w if i == 0 else w[0].upper() + w[1:] for i, w in enumerate(parts))
        key = unicodedata.normalize("NFC", word).casefold()
        if not _LETTER.search(word) or key in seen:
            continue  # platforms do not link all-digit tags such as #2015
        seen.add(key)
        out.append("#" + word)
    return " ".join(out)
