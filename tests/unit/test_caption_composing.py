"""Captions: composed from templates, fitted by cutting the description, then hashtags;
templates validated; hashtags and alt-text warnings.

Split from test_captions.py, which holds the counting.
"""

from __future__ import annotations

import pytest

from service.rules.captions import (
    DEFAULT_TEMPLATES,
    PLATFORMS,
    TEMPLATE_FIELDS,
    Caption,
    TemplateError,
    alt_text_warnings,
    compose_caption,
    count_length,
    hashtags_from_tags,
    validate_template,
)
from tests.support.rights import BM as CREDIT  # as in shared/seed-museumweek.txt

SEED = {
    "title": "Somali wedding basket",
    "object_number": "Af1935,0711.1",
    "description": "Dedicated to revealing the secrets and mysteries inside museums, we asked "
    "twitter users what they thought could be put inside this Somali wedding basket, an ITP "
    "Room 3 project by Sahara Dahir.",
    "credit_line": CREDIT,
    "hashtags": "#MuseumWeek",
}
PLAIN = "{title}\n\n{description}\n\n{credit_line}"  # fixed part weighs 1 + 2 + 2 + 32 = 37 on X


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
