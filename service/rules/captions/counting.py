"""Caption lengths as each platform counts them (X weights, graphemes, URLs, emoji bytes)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

# `regex` ships no type information; it is here for Unicode properties (\p{...}) and \X
# (extended grapheme clusters), which the standard `re` module lacks.
import regex  # type: ignore[import-untyped,unused-ignore]

from service.rules.captions.platforms import PLATFORMS, _key

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


# Below U+1100 every code point weighs 1 on X, and no cluster of them is an emoji (each
# emoji base or marker lies above): such text weighs its length, without segmenting it.
_BEYOND_WEIGHT_ONE = regex.compile(r"[^\u0000-\u10ff]")


def _x_weight(segment: str) -> int:
    if _BEYOND_WEIGHT_ONE.search(segment) is None:
        return len(segment)
    return _x_weight_by_cluster(segment)


def _x_weight_by_cluster(segment: str) -> int:
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
