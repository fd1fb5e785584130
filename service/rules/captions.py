"""Captions per platform: templates, lengths counted as each platform counts, fitting, alt text.

Pure functions only (no I/O, clock, Flask or database), so the web UI's live counters, the API and
the audit all agree on one answer. Platform facts and their sources: shared/platform-specs.md §1.
"""

from __future__ import annotations

import difflib
import string
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

# `regex` ships no type information; it is here for \X (extended grapheme clusters) and emoji
# properties, which the standard `re` module lacks.
import regex  # type: ignore[import-untyped,unused-ignore]


@dataclass(frozen=True)
class Platform:
    """A platform's caption and alt-text limits and how it counts.

    counting: "twitter" (X weighted length), "graphemes", "characters" (code points),
    "characters_urls_23" (code points, each http(s) URL counts 23) or "characters_emoji_bytes"
    (code points, but each emoji counts its UTF-8 bytes, as Threads documents).
    """

    name: str
    caption_limit: int
    counting: str
    alt_text_limit: int | None
    source: str
    byte_limit: int | None = None  # Bluesky also caps a post at 3,000 UTF-8 bytes


# Where each limit comes from. "Checked" = when platform-specs.md was researched; [3rd] = secondary.
_SOURCES = {
    "x": "https://developer.x.com/en/docs/counting-characters ; https://github.com/twitter/"
    "twitter-text/blob/master/config/v3.json . Alt 1,000: pub.dev twitter_api_v2 MediaData.altText"
    " and Sprout Social [3rd]; a stale v1.1 doc says 420. Checked 2026-11.",
    "instagram": "https://developers.facebook.com/documentation/ads-commerce/instagram/ads-api/"
    "reference/media-requirements . Alt limit: not found. Checked 2026-11.",
    "facebook": "https://productlondondesign.com/bluesky-character-limit [3rd]; no official page."
    " Alt limit: not found (Sprout Social says 1,000 [3rd]). Checked 2026-11.",
    "linkedin": "https://ayrshare.com/docs/media-guidelines/linkedin [3rd]. Alt limit: not found"
    " (Sprout Social says 256 [3rd]). Checked 2026-11.",
    "bluesky": "https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/feed/post.json"
    " (300 graphemes, 3,000 bytes). Alt 2,000: https://github.com/bluesky-social/social-app/blob/"
    "main/src/lib/constants.ts (MAX_ALT_TEXT). Checked 2026-11.",
    "mastodon": "Server defaults; each server may differ: https://neet.github.io/masto.js/interfaces/"
    "mastodon.v2.InstanceStatusesConfiguration.html ; https://github.com/metabolist/metatext/issues/"
    "270 . Alt 1,500: https://github.com/mastodon/mastodon/blob/main/app/models/media_attachment.rb"
    " . Checked 2026-11.",
    "threads": "https://developers.facebook.com/documentation/threads/posts (updated 2026-04-14:"
    " 500 characters, emoji count their UTF-8 bytes). Alt limit: not found. Checked 2026-11.",
    # 2,200 is the smallest long-form caption limit (Instagram < LinkedIn < Facebook), so a default
    # caption pastes into any of them unchanged; alt 1,000 is the smallest documented alt limit
    # (X), so default alt text works on X, Bluesky and Mastodon alike.
    "default": "Derived: Instagram's caption limit and X's alt-text limit (see x, instagram).",
}
# The one table of limits: key, display name, caption limit, counting, alt limit, byte cap.
_TABLE: tuple[tuple[str, str, int, str, int | None, int | None], ...] = (
    ("x", "X", 280, "twitter", 1_000, None),
    ("instagram", "Instagram", 2_200, "characters", None, None),
    ("facebook", "Facebook", 63_206, "characters", None, None),
    ("linkedin", "LinkedIn", 3_000, "characters", None, None),
    ("bluesky", "Bluesky", 300, "graphemes", 2_000, 3_000),
    ("mastodon", "Mastodon", 500, "characters_urls_23", 1_500, None),
    ("threads", "Threads", 500, "characters_emoji_bytes", None, None),
    ("default", "the default caption", 2_200, "characters", 1_000, None),
)
PLATFORMS: Mapping[str, Platform] = MappingProxyType(
    {k: Platform(n, cap, how, alt, _SOURCES[k], byte) for k, n, cap, how, alt, byte in _TABLE}
)
_ALIASES = {"twitter": "x"}


def _key(name: str) -> str:
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in PLATFORMS:
        raise ValueError(f"Unknown platform {name!r}; choose one of: {', '.join(PLATFORMS)}.")
    return key


# --- Counting -------------------------------------------------------------------------------------

_URL_WEIGHT = 23
_X_WEIGHT_ONE = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))  # twitter-text v3 ranges
_GRAPHEME = regex.compile(r"\X")
# An emoji *sequence* (ZWJ family, skin tone, flag, keycap, VS16) is one grapheme cluster that
# starts with an Emoji character and carries an emoji-presentation marker. A bare "©" has no
# marker, so X counts it by code point (1), as the X docs say.
_EMOJI_BASE = regex.compile(r"\p{Emoji}")
_EMOJI_MARK = regex.compile(
    r"[\p{Emoji_Presentation}\p{Emoji_Modifier}\p{Regional_Indicator}\uFE0F\u20E3]"
)

# URLs, after twitter-text: http(s) URLs, and bare domains with a known TLD. A bare "name.cc"
# with a two-letter country TLD and no path is not a link (twitter-text's invalidShortDomain),
# which keeps "Room 3.It" or "file.py" from being counted as links.
_PATH = r"[A-Za-z0-9\-._~!*';:=+,$/%#\[\]&|@?()\u00C0-\u024F\u0400-\u04FF]"
_GTLDS = (
    "com|org|net|edu|gov|int|mil|info|biz|name|pro|museum|art|gallery|app|dev|blog|news|online|"
    "site|social|xyz|page|link|photo|photography|travel|education|culture|design|media|shop|"
    "store|tech|world|london|wales|scot|cat|asia|eus|nyc|paris|berlin"
)
_URL = regex.compile(
    rf"(?<![\p{{L}}\p{{N}}@$#])(?P<proto>https?://{_PATH}+)"
    rf"|(?<![\p{{L}}\p{{N}}@$#_./-])(?P<domain>(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+"
    rf"(?:{_GTLDS}|(?P<cc>[a-z]{{2}})))(?![\p{{L}}\p{{N}}_-])(?::\d+)?(?P<path>[/?#]{_PATH}*)?",
    regex.IGNORECASE,
)


def _trim_url(url: str) -> str:
    # A URL ends on a letter, digit, one of "=_#/-+" or a balanced ")": sentence punctuation
    # after a link is not part of it.
    while url and not (url[-1].isalnum() or url[-1] in "=_#/-+"):
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _url_spans(text: str, *, bare_domains: bool) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for m in _URL.finditer(text):
        if m.group("proto") is not None:
            url = _trim_url(m.group(0))
            if len(url.split("://", 1)[1]) == 0:
                continue
        else:
            if not bare_domains:
                continue  # Mastodon only counts links written with http(s)://
            domain, path = m.group("domain"), _trim_url(m.group("path") or "")
            if m.group("cc") and domain.count(".") == 1 and not path and domain.lower() != "t.co":
                continue
            url = m.group(0)[: len(m.group(0)) - len(m.group("path") or "")] + path
        spans.append((m.start(), m.start() + len(url)))
    return spans


def _is_emoji(cluster: str) -> bool:
    # Astral pictographs (U+1F000 on, e.g. 🏛) show as emoji even without VS16.
    return bool(_EMOJI_BASE.match(cluster)) and (
        ord(cluster[0]) >= 0x1F000 or bool(_EMOJI_MARK.search(cluster))
    )


def _x_weight(segment: str) -> int:
    total = 0
    for cluster in _GRAPHEME.findall(segment):
        if _is_emoji(cluster):
            total += 2
        else:
            total += sum(
                1 if any(lo <= ord(c) <= hi for lo, hi in _X_WEIGHT_ONE) else 2 for c in cluster
            )
    return total


def _threads_weight(segment: str) -> int:
    return sum(len(c.encode()) if _is_emoji(c) else len(c) for c in _GRAPHEME.findall(segment))


def _with_urls(text: str, weigh: Callable[[str], int], *, bare_domains: bool) -> int:
    total, pos = 0, 0
    for start, end in _url_spans(text, bare_domains=bare_domains):
        total += weigh(text[pos:start]) + _URL_WEIGHT
        pos = end
    return total + weigh(text[pos:])


def count_length(platform: str, text: str) -> int:
    """Length of `text` as `platform` counts it, after NFC normalisation."""
    text = unicodedata.normalize("NFC", text)
    counting = PLATFORMS[_key(platform)].counting
    if counting == "twitter":
        return _with_urls(text, _x_weight, bare_domains=True)
    if counting == "graphemes":
        return len(_GRAPHEME.findall(text))
    if counting == "characters_urls_23":
        # Newer Mastodon servers count grapheme clusters, older ones code points; code points are
        # never fewer, so counting them is safe for both.
        return _with_urls(text, len, bare_domains=False)
    if counting == "characters_emoji_bytes":
        return _threads_weight(text)
    return len(text)


# --- Templates ------------------------------------------------------------------------------------

TEMPLATE_FIELDS = (
    "title", "object_number", "description", "credit_line", "hashtags", "creator", "date",
)  # fmt: skip
_SHORT = "{title} ({object_number})\n\n{description}\n\n{credit_line}\n\n{hashtags}"
_LONG = "{title} ({object_number})\n{creator}, {date}\n\n" + _SHORT.split("\n\n", 1)[1]
# Short-form platforms leave out creator and date so the description keeps more room.
DEFAULT_TEMPLATES: Mapping[str, str] = MappingProxyType(
    dict.fromkeys(("x", "bluesky", "mastodon", "threads"), _SHORT)
    | dict.fromkeys(("instagram", "facebook", "linkedin", "default"), _LONG)
)
_FIELD_LIST = ", ".join("{" + f + "}" for f in TEMPLATE_FIELDS)


class TemplateError(ValueError):
    """A caption template the user must fix; the message says how."""


def validate_template(template: str) -> None:
    """Raise TemplateError unless `template` uses only plain {field} names and has {credit_line}."""
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
    if "credit_line" not in seen:
        raise TemplateError("The template must contain {credit_line}: every caption carries it.")


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


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    # Kept as written, not NFC-normalised: NFC would rewrite some Devanagari and CJK
    # spellings, and the caption is the text that leaves the museum. Counting normalises.
    tidied: str = regex.sub(r"\n{3,}", "\n\n", text)
    return tidied.strip()


def _render(template: str, values: Mapping[str, str]) -> str:
    text = template.replace(_OPEN, "").replace(_CLOSE, "")
    text = text.format_map({k: _OPEN + v + _CLOSE for k, v in values.items()})
    for pattern, replacement in _TIDY:
        text = pattern.sub(replacement, text)
    return _tidy(text.replace(_OPEN, "").replace(_CLOSE, ""))


# --- Fitting --------------------------------------------------------------------------------------


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


_FILLER_OPENING = regex.compile(r"(?:an?\s+)?(?:image|picture|photo|photograph)\s+of\b", regex.I)


def alt_text_warnings(alt_text: str, *, filename: str = "", platform: str = "default") -> list[str]:
    """Problems with alt text, each a sentence; an empty list means none found."""
    p = PLATFORMS[_key(platform)]
    alt = unicodedata.normalize("NFC", alt_text).strip()
    if not alt:
        return ["Alt text is missing: describe what the image shows for people who cannot see it."]
    warnings: list[str] = []
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    stem = name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name
    if name and alt.casefold() in {name.casefold(), stem.casefold()}:
        warnings.append(f"The alt text is just the file name ({name}); describe what it shows.")
    opening = _FILLER_OPENING.match(alt)
    if opening:
        warnings.append(
            f'The alt text starts with "{opening.group(0)}"; screen readers already announce an '
            "image, so start with what it shows."
        )
    limit = p.alt_text_limit
    if limit is not None and len(alt) > limit:
        warnings.append(
            f"The alt text is {len(alt):,} characters; {p.name} allows {limit:,}, "
            f"so cut {len(alt) - limit:,}."
        )
    return warnings
