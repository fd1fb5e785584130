"""Captions: counted the way each platform counts, fitted by cutting the description, then hashtags."""

from __future__ import annotations

import pytest

from service.rules.captions import (
    DEFAULT_TEMPLATES,
    PLATFORMS,
    TEMPLATE_FIELDS,
    Caption,
    TemplateError,
    alt_text_warnings,
    check_caption,
    compose_caption,
    count_length,
    hashtags_from_tags,
    validate_template,
)

CREDIT = "© Trustees of the British Museum"  # as in shared/seed-museumweek.txt
SEED = {
    "title": "Somali wedding basket",
    "object_number": "Af1935,0711.1",
    "description": "Dedicated to revealing the secrets and mysteries inside museums, we asked "
    "twitter users what they thought could be put inside this Somali wedding basket, an ITP "
    "Room 3 project by Sahara Dahir.",
    "credit_line": CREDIT,
    "hashtags": "#MuseumWeek",
}
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man, woman, girl joined by ZWJ
FLAG_GB = "\U0001f1ec\U0001f1e7"
THUMBS_MEDIUM = "\U0001f44d\U0001f3fd"
KEYCAP_ONE = "1\ufe0f\u20e3"
ENGLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"
PLAIN = "{title}\n\n{description}\n\n{credit_line}"  # fixed part weighs 1 + 2 + 2 + 32 = 37 on X


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


# --- Composing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_seed_caption_carries_the_credit_and_hashtag_verbatim_on_every_platform(
    platform: str,
) -> None:
    caption = compose_caption(DEFAULT_TEMPLATES[platform], SEED, platform)
    assert isinstance(caption, Caption)
    assert CREDIT in caption.text
    assert "#MuseumWeek" in caption.text
    assert caption.text.startswith("Somali wedding basket (Af1935,0711.1)\n\n")
    assert caption.fits and caption.problems == [] and caption.shortened == []
    assert caption.length == count_length(platform, caption.text)


@pytest.mark.parametrize("template", sorted(set(DEFAULT_TEMPLATES.values())))
def test_default_templates_are_valid(template: str) -> None:
    validate_template(template)


@pytest.mark.parametrize(
    ("template", "fields", "expected"),
    [
        pytest.param(
            DEFAULT_TEMPLATES["x"],
            {"title": "Basket", "credit_line": CREDIT},
            "Basket\n\n" + CREDIT,
            id="empty object number leaves no empty parentheses and no blank lines",
        ),
        pytest.param(
            DEFAULT_TEMPLATES["instagram"],
            {"title": "Basket", "credit_line": CREDIT, "date": "1935"},
            "Basket\n1935\n\n" + CREDIT,
            id="an empty creator leaves no dangling comma",
        ),
        pytest.param(
            DEFAULT_TEMPLATES["instagram"],
            {"title": "Basket", "credit_line": CREDIT, "creator": "Sahara Dahir"},
            "Basket\nSahara Dahir\n\n" + CREDIT,
            id="an empty date leaves no trailing comma",
        ),
        pytest.param(
            "{title} ({object_number}, {date}) made\n{credit_line}",
            {"title": "Basket", "credit_line": CREDIT, "date": "1935"},
            "Basket (1935) made\n" + CREDIT,
            id="a separator inside brackets goes with its empty field",
        ),
        pytest.param(
            "{title} [{object_number}] {creator} made\n{credit_line}",
            {"title": "Basket", "credit_line": CREDIT},
            "Basket made\n" + CREDIT,
            id="empty square brackets and doubled spaces are tidied",
        ),
        pytest.param(
            "Pair () of {title}\n{credit_line}",
            {"title": "Basket", "credit_line": CREDIT},
            "Pair () of Basket\n" + CREDIT,
            id="brackets the user wrote are kept",
        ),
        pytest.param(
            "{{{title}}}\n{credit_line}   \n\n\n\n{hashtags}",
            {"title": "Basket", "credit_line": CREDIT, "hashtags": None},
            "{Basket}\n" + CREDIT,
            id="literal braces kept, trailing spaces stripped, missing hashtags tidied away",
        ),
        pytest.param(
            "{title}\n{credit_line}",
            {"title": "Cafe\u0301  ", "credit_line": "  " + CREDIT + "\n"},
            "Cafe\u0301\n" + CREDIT,
            id="fields are trimmed and kept as written (not nfc normalised)",
        ),
    ],
)
def test_composition_tidies_what_empty_fields_leave(
    template: str, fields: dict[str, str], expected: str
) -> None:
    caption = compose_caption(template, fields, "x")
    assert caption.text == expected


def test_a_caption_without_a_credit_line_is_flagged() -> None:
    caption = compose_caption(DEFAULT_TEMPLATES["x"], {"title": "Basket"}, "x")
    assert caption.problems == [
        "No credit line was given; every published image must carry its credit."
    ]


# --- Fitting ------------------------------------------------------------------------------------


def _fields(description: str, hashtags: str = "", title: str = "T") -> dict[str, str]:
    return {"title": title, "description": description, "credit_line": CREDIT, "hashtags": hashtags}


@pytest.mark.parametrize(
    ("description", "expected_description", "shortened"),
    [
        pytest.param("a" * 243, "a" * 243, [], id="a caption of exactly 280 is left alone"),
        pytest.param("a" * 241 + " bbb", "a" * 241 + "…", ["description"], id="cut to exactly 280"),
        pytest.param("a" * 242 + " bbb", "", ["description"], id="cut would be 281 so it goes"),
        pytest.param("a" * 244, "", ["description"], id="one word 281 long is dropped whole"),
    ],
)
def test_fitting_is_exact_at_the_limit(
    description: str, expected_description: str, shortened: list[str]
) -> None:
    caption = compose_caption(PLAIN, _fields(description), "x")
    assert caption.text == "\n\n".join(s for s in ("T", expected_description, CREDIT) if s)
    assert caption.shortened == shortened
    assert caption.fits and caption.length <= 280


@pytest.mark.parametrize(
    "description",
    [
        pytest.param(SEED["description"] * 4, id="latin text cut at a space"),
        pytest.param(
            "この籠はソマリアの結婚式で使われました。" * 12, id="japanese cut between chars"
        ),
        pytest.param("这个篮子用于索马里婚礼，" * 20, id="chinese cut before a comma"),
        pytest.param("words " * 10 + "ع" * 300, id="a long arabic word falls back to a space"),
    ],
)
def test_description_is_shortened_first_at_a_word_boundary_with_an_ellipsis(
    description: str,
) -> None:
    fields = {**SEED, "description": description, "hashtags": "#MuseumWeek #博物館"}
    caption = compose_caption(DEFAULT_TEMPLATES["x"], fields, "x")
    assert caption.fits and caption.shortened == ["description"]
    assert caption.text.endswith(f"…\n\n{CREDIT}\n\n#MuseumWeek #博物館")
    kept = caption.text.split("\n\n")[1].removesuffix("…")
    assert description.startswith(kept)
    following = description[len(kept) :]
    cjk = "\u3040" <= following[0] <= "\u9fff" or following[0] in "。，"
    assert following[0].isspace() or cjk
    # The longest such cut was taken: the next word (or CJK character) no longer fits.
    if cjk:
        end = len(kept) + 1
        while description[:end].rstrip("。，") == kept:
            end += 1
    else:
        word = following.split()[0]
        end = len(kept) + following.index(word) + len(word)
    longer = caption.text.replace(kept + "…", description[:end].rstrip("。，.,") + "…")
    assert count_length("x", longer) > 280


def test_hashtags_are_dropped_from_the_end_once_the_description_is_gone() -> None:
    tags = " ".join(f"#Tag{i:02d}" for i in range(30))
    fields = {**SEED, "title": "Somali wedding basket " * 3, "hashtags": tags}
    caption = compose_caption(DEFAULT_TEMPLATES["x"], fields, "x")
    assert caption.fits and caption.shortened == ["description", "hashtags"]
    last_line = caption.text.rsplit("\n\n", 1)[1]
    kept = last_line.split()
    assert kept == tags.split()[: len(kept)] and 0 < len(kept) < 30
    for field in ("title", "object_number", "credit_line"):
        assert fields[field].strip() in caption.text


def test_room_freed_by_a_dropped_hashtag_goes_back_to_the_description() -> None:
    fields = _fields("one two three four", "#" + "a" * 150 + " #" + "b" * 100, title="T")
    caption = compose_caption(PLAIN + "\n\n{hashtags}", fields, "x")
    assert caption.shortened == ["hashtags"]
    assert caption.text == f"T\n\none two three four\n\n{CREDIT}\n\n#{'a' * 150}"


@pytest.mark.parametrize("platform", ["x", "bluesky", "mastodon", "threads"])
def test_title_object_number_and_credit_line_are_never_cut(platform: str) -> None:
    fields = {
        **SEED,
        "description": "Long words here. " * 100,
        "hashtags": hashtags_from_tags([f"tag{i}" for i in range(40)]),
    }
    caption = compose_caption(DEFAULT_TEMPLATES[platform], fields, platform)
    assert caption.fits
    assert caption.text.startswith("Somali wedding basket (Af1935,0711.1)\n\n")
    assert CREDIT in caption.text
    assert (
        caption.length == count_length(platform, caption.text) <= PLATFORMS[platform].caption_limit
    )


def test_an_impossible_fit_is_reported_with_the_overshoot() -> None:
    fields = {**SEED, "title": "T" * 300}
    caption = compose_caption(DEFAULT_TEMPLATES["x"], fields, "x")
    assert not caption.fits
    assert caption.text == f"{'T' * 300} (Af1935,0711.1)\n\n{CREDIT}"
    overshoot = count_length("x", caption.text) - 280
    assert caption.shortened == ["description", "hashtags"]
    assert caption.problems == [
        f"Too long for X by {overshoot} even with the description and hashtags removed. "
        "The title, object number and credit line are never cut: shorten them."
    ]


def test_an_impossible_fit_with_nothing_to_remove_says_so() -> None:
    caption = compose_caption(
        "{title} {credit_line}", {"title": "博" * 200, "credit_line": CREDIT}, "x"
    )
    assert not caption.fits and caption.shortened == []
    assert caption.problems[0].startswith("Too long for X by 153. The title")


# --- Templates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "message"),
    [
        pytest.param("{titel} {credit_line}", "{titel} is not a caption field. Did you mean {title}?",
                     id="unknown field with a suggestion"),
        pytest.param("{price} {credit_line}", "{price} is not a caption field. Use: {title},",
                     id="unknown field"),
        pytest.param("{title:>20} {credit_line}", "{title:>20} has a format spec", id="format spec"),
        pytest.param("{title!r} {credit_line}", "{title!r} has a format spec or conversion",
                     id="conversion"),
        pytest.param("{title.upper} {credit_line}", "attributes or items; write {title}.",
                     id="attribute access"),
        pytest.param("{title[0]} {credit_line}", "reaches into a field's attributes or items",
                     id="index access"),
        pytest.param("{} {credit_line}", "{} is a positional placeholder", id="empty positional"),
        pytest.param("{0} {credit_line}", "{0} is a positional placeholder", id="numbered positional"),
        pytest.param("{title}\n\n{description}", "must contain {credit_line}", id="no credit line"),
        pytest.param("{title} } {credit_line}", 'unmatched "{" or "}"', id="stray brace"),
        pytest.param("{title {credit_line}", "", id="unclosed brace"),
    ],
)  # fmt: skip
def test_invalid_templates_are_refused_with_a_message_a_user_can_act_on(
    template: str, message: str
) -> None:
    with pytest.raises(TemplateError) as raised:
        validate_template(template)
    assert message in str(raised.value)
    assert isinstance(raised.value, ValueError)
    with pytest.raises(TemplateError):
        compose_caption(template, SEED, "x")


@pytest.mark.parametrize(
    "template",
    [
        "{credit_line}",
        "{{not a field}} {credit_line}",
        "".join("{" + f + "}" for f in TEMPLATE_FIELDS),
    ],
)
def test_templates_with_only_plain_known_fields_are_accepted(template: str) -> None:
    validate_template(template)


# --- Hashtags and alt text ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        pytest.param(["MuseumWeek", "basketry"], "#MuseumWeek #basketry", id="plain tags"),
        pytest.param(["#MuseumWeek", "museumweek"], "#MuseumWeek", id="duplicates in any case"),
        pytest.param(["Somali wedding"], "#SomaliWedding", id="spaces dropped, words camel-cased"),
        pytest.param(["C'est la vie!"], "#CestLaVie", id="punctuation dropped"),
        pytest.param(["ITP 2015", "2015"], "#ITP2015", id="all-digit tags are left out"),
        pytest.param(["snake_case"], "#snake_case", id="underscore kept"),
        pytest.param(["संग्रहालय", "博物館", "متحف"], "#संग्रहालय #博物館 #متحف", id="non-latin kept"),
        pytest.param(["", "  ", "!!"], "", id="nothing usable gives nothing"),
    ],
)
def test_hashtags_from_tags_are_hashtag_safe(tags: list[str], expected: str) -> None:
    assert hashtags_from_tags(tags) == expected


@pytest.mark.parametrize(
    ("alt", "filename", "platform", "expected"),
    [
        pytest.param("", "", "x", ["missing"], id="empty"),
        pytest.param("   ", "", "x", ["missing"], id="whitespace only"),
        pytest.param("IMG_0042", "IMG_0042.jpg", "x", ["file name"], id="filename stem"),
        pytest.param("img_0042.JPG", "uploads/IMG_0042.jpg", "x", ["file name"], id="filename"),
        pytest.param("Image of a basket", "", "x", ['starts with "Image of"'], id="image of"),
        pytest.param("PHOTO OF a basket", "", "x", ['starts with "PHOTO OF"'], id="photo of"),
        pytest.param("picture of a lid", "", "x", ['starts with "picture of"'], id="picture of"),
        pytest.param("Photographer at work", "", "x", [], id="photographer is fine"),
        pytest.param("A woven basket with a lid", "basket.jpg", "x", [], id="good alt text"),
        pytest.param("a" * 1000, "", "x", [], id="1000 on x fits"),
        pytest.param("a" * 1001, "", "x", ["X allows 1,000, so cut 1."], id="1001 on x"),
        pytest.param("a" * 2001, "", "bluesky", ["Bluesky allows 2,000"], id="2001 on bluesky"),
        pytest.param("a" * 1501, "", "mastodon", ["Mastodon allows 1,500"], id="1501 on mastodon"),
        pytest.param("a" * 1001, "", "default", ["allows 1,000"], id="1001 by default"),
        pytest.param("a" * 5000, "", "instagram", [], id="no documented limit on instagram"),
        pytest.param("Image of IMG_1", "Image of IMG_1.png", "x", ["file name", "starts with"],
                     id="several warnings"),
    ],
)  # fmt: skip
def test_alt_text_warnings(alt: str, filename: str, platform: str, expected: list[str]) -> None:
    warnings = alt_text_warnings(alt, filename=filename, platform=platform)
    assert len(warnings) == len(expected)
    for warning, fragment in zip(warnings, expected, strict=True):
        assert fragment in warning
        assert warning.endswith(".")
