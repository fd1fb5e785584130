"""Captions: counted the way each platform counts them (X, Bluesky, Mastodon, Threads), each
platform's limits, and checking a hand-written caption.

Composing, fitting, templates, hashtags and alt text are in test_caption_composing.py.
"""

from __future__ import annotations

import pytest

from service.rules.captions import DEFAULT_TEMPLATES, PLATFORMS, check_caption, count_length
from tests.support.rights import BM as CREDIT  # as in shared/seed-museumweek.txt

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man, woman, girl joined by ZWJ
FLAG_GB = "\U0001f1ec\U0001f1e7"
THUMBS_MEDIUM = "\U0001f44d\U0001f3fd"
KEYCAP_ONE = "1\ufe0f\u20e3"
ENGLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"


# --- Counting on X ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("hello world", 11, id="ascii counts one each"),
        pytest.param("café crème", 10, id="latin-1 counts one each"),
        pytest.param("e\u0301", 1, id="a decomposed accent is NFC-composed first"),
        pytest.param("©", 1, id="the copyright sign counts one"),
        pytest.param("\u10d0", 1, id="georgian (below U+1100) counts one"),
        pytest.param("\u1100", 2, id="hangul jamo (U+1100) counts two"),
        pytest.param("\u1200", 2, id="ethiopic counts two"),
        pytest.param("博物館", 6, id="cjk counts two each"),
        pytest.param("はくぶつかん", 12, id="hiragana counts two each"),
        pytest.param("متحف", 4, id="arabic counts one each"),
        pytest.param("संग्रहालय", 9, id="devanagari counts one per code point"),
        pytest.param("\u201cquote\u201d", 7, id="curly quotes (U+2010-201F) count one"),
        pytest.param("\u2014", 1, id="em dash counts one"),
        pytest.param("\u2032", 1, id="prime (U+2032-2037) counts one"),
        pytest.param("\u2026", 2, id="the ellipsis counts two"),
        pytest.param("\U0001f600", 2, id="an emoji counts two"),
        pytest.param(FAMILY, 2, id="a zwj family sequence counts two in total"),
        pytest.param(FLAG_GB, 2, id="a flag counts two in total"),
        pytest.param(THUMBS_MEDIUM, 2, id="an emoji with a skin tone counts two in total"),
        pytest.param(KEYCAP_ONE, 2, id="a keycap counts two in total"),
        pytest.param(ENGLAND, 2, id="a subdivision flag counts two in total"),
        pytest.param("\u00a9\ufe0f", 2, id="copyright sign as emoji counts two"),
        pytest.param(FAMILY * 3 + "ab", 8, id="several emoji sequences count two each"),
        pytest.param("http://a.co", 23, id="a short url counts 23"),
        pytest.param("https://britishmuseum.org", 23, id="an https url counts 23"),
        pytest.param(
            "https://www.britishmuseum.org/collection/object/E_Af1935-0711-1?x=1&y=2#top",
            23,
            id="a long url counts 23",
        ),
        pytest.param("britishmuseum.org", 23, id="a bare domain counts 23"),
        pytest.param("see britishmuseum.org/collection.", 28, id="a full stop after a url is text"),
        pytest.param("bbc.co.uk", 23, id="a domain under a country tld counts 23"),
        pytest.param("(https://en.wikipedia.org/wiki/Basket_(bag))", 25, id="balanced parens"),
        pytest.param("Room 3.It", 9, id="a short country-tld name without a path is not a link"),
        pytest.param("file.py", 7, id="a file name is not a link"),
        pytest.param("mail me@example.com", 19, id="an email address is not a link"),
        pytest.param("a https://x.org b https://y.org/" + "z" * 50, 51, id="two urls"),
        pytest.param("博物館 https://example.com 😀", 33, id="cjk, a url and an emoji mixed"),
        pytest.param("", 0, id="empty text counts zero"),
    ],
)
def test_x_counts_weighted_length_like_twitter_text(text: str, expected: int) -> None:
    assert count_length("x", text) == expected


@pytest.mark.parametrize(
    ("text", "fits"),
    [
        pytest.param("a" * 280, True, id="280 ascii fits"),
        pytest.param("a" * 281, False, id="281 ascii does not fit"),
        pytest.param("博" * 140, True, id="140 cjk weigh 280 and fit"),
        pytest.param("博" * 140 + "a", False, id="140 cjk and one letter weigh 281"),
        pytest.param(FAMILY * 140, True, id="140 emoji sequences weigh 280 and fit"),
        pytest.param("https://example.com/" + "a" * 400 + " " + "b" * 256, True, id="url is 23"),
        pytest.param("https://example.com/ " + "b" * 257, False, id="url 23 plus 258 is over"),
    ],
)
def test_x_caption_of_exactly_280_fits_and_281_does_not(text: str, fits: bool) -> None:
    caption = check_caption(text, "x")
    assert caption.fits is fits
    assert caption.limit == 280
    assert (caption.problems == []) is fits


# --- Counting elsewhere -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("e\u0301", 1, id="a letter and its combining mark are one grapheme"),
        pytest.param("a\u0301\u0327", 1, id="two combining marks stay with their letter"),
        pytest.param("नमस्ते", 3, id="devanagari conjuncts are graphemes"),
        pytest.param("博物館", 3, id="cjk counts one each"),
        pytest.param(FAMILY, 1, id="a zwj family is one grapheme"),
        pytest.param(FLAG_GB + "\U0001f1eb\U0001f1f7", 2, id="two flags are two graphemes"),
        pytest.param(THUMBS_MEDIUM, 1, id="skin tone joins its emoji"),
        pytest.param("https://example.com", 19, id="urls count as written"),
    ],
)
def test_bluesky_counts_graphemes(text: str, expected: int) -> None:
    assert count_length("bluesky", text) == expected


@pytest.mark.parametrize(
    ("text", "fits"),
    [
        pytest.param("e\u0301" * 300, True, id="300 graphemes with combining marks fit"),
        pytest.param("e\u0301" * 301, False, id="301 graphemes do not"),
        pytest.param(FAMILY * 300, False, id="300 emoji graphemes exceed the 3000-byte cap"),
    ],
)
def test_bluesky_limit_is_300_graphemes_and_3000_bytes(text: str, fits: bool) -> None:
    assert check_caption(text, "bluesky").fits is fits


def test_bluesky_byte_cap_is_explained() -> None:
    caption = check_caption(FAMILY * 200, "bluesky")
    assert caption.length == 200
    assert caption.problems == [
        "Too long for Bluesky: 3,600 bytes of UTF-8, over its 3,000-byte cap."
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("https://example.com/" + "a" * 100, 23, id="a long url counts 23"),
        pytest.param("http://x.co", 23, id="a short url counts 23 too"),
        pytest.param("see https://a.org/x and https://b.org/y", 55, id="every url counts 23"),
        pytest.param("britishmuseum.org", 17, id="a bare domain is not a link on mastodon"),
        pytest.param("博物館", 3, id="cjk counts one each"),
        pytest.param("e\u0301", 1, id="nfc first"),
    ],
)
def test_mastodon_counts_characters_with_each_url_as_23(text: str, expected: int) -> None:
    assert count_length("mastodon", text) == expected


@pytest.mark.parametrize(
    ("text", "fits"),
    [
        pytest.param("a" * 476 + " https://example.com/" + "b" * 80, True, id="477 plus url fits"),
        pytest.param("a" * 478 + " https://example.com/", False, id="478 plus url is over"),
    ],
)
def test_mastodon_limit_applies_after_urls_count_23(text: str, fits: bool) -> None:
    assert check_caption(text, "mastodon").fits is fits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("abc", 3, id="letters count one"),
        pytest.param("\U0001f3db", 4, id="an emoji counts its four utf-8 bytes"),
        pytest.param(THUMBS_MEDIUM, 8, id="a skin-toned emoji counts eight bytes"),
        pytest.param("©", 1, id="the copyright sign is a character, not an emoji"),
        pytest.param("\U0001f3db\ufe0f", 7, id="an emoji with VS16 counts seven bytes"),
    ],
)
def test_threads_counts_emoji_as_their_utf8_bytes(text: str, expected: int) -> None:
    assert count_length("threads", text) == expected


@pytest.mark.parametrize(
    ("platform", "caption_limit", "alt_limit"),
    [
        ("x", 280, 1_000),
        ("instagram", 2_200, None),
        ("facebook", 63_206, None),
        ("linkedin", 3_000, None),
        ("bluesky", 300, 2_000),
        ("mastodon", 500, 1_500),
        ("threads", 500, None),
        ("default", 2_200, 1_000),
    ],
)
def test_each_platform_has_its_limits_and_a_source(
    platform: str, caption_limit: int, alt_limit: int | None
) -> None:
    spec = PLATFORMS[platform]
    assert (spec.caption_limit, spec.alt_text_limit) == (caption_limit, alt_limit)
    assert "Checked 2026-11" in spec.source or "Derived" in spec.source
    assert check_caption("a" * caption_limit, platform).fits
    over = check_caption("a" * (caption_limit + 1), platform)
    assert not over.fits
    assert over.problems[0].startswith(f"Too long for {spec.name} by 1.")


def test_platforms_table_covers_exactly_the_platforms_with_templates() -> None:
    expected = {
        "x", "instagram", "facebook", "linkedin", "bluesky", "mastodon", "threads", "default",
    }  # fmt: skip
    assert set(PLATFORMS) == expected
    assert set(DEFAULT_TEMPLATES) == expected


def test_twitter_is_another_name_for_x_and_unknown_platforms_are_refused() -> None:
    assert count_length("Twitter", "博") == 2
    with pytest.raises(ValueError, match="Unknown platform 'myspace'"):
        count_length("myspace", "hello")


def test_check_caption_never_changes_a_hand_written_caption() -> None:
    text = "  Basket e\u0301  \n\n\n\n" + CREDIT + "  "
    caption = check_caption(text, "x")
    assert caption.text == text
    assert caption.shortened == []


def test_check_caption_says_an_empty_caption_is_empty() -> None:
    assert check_caption("  ", "x").problems == ["The caption is empty."]
