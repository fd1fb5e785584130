"""Campaign post captions: the campaign fields, every holder's credit once each in media order,
never cut; and a hand-written caption told which credit it lacks."""

from __future__ import annotations

import pytest

from service.rules.captions import (
    CAMPAIGN_FIELDS,
    DEFAULT_POST_TEMPLATES,
    DEFAULT_TEMPLATES,
    PLATFORMS,
    TEMPLATE_FIELDS,
    TemplateError,
    check_caption,
    check_caption_credits,
    compose_caption,
    compose_post_caption,
    count_length,
    credits_for,
    hashtags_from_tags,
    validate_template,
)
from tests.support.rights import BM  # as in shared/seed-museumweek.txt

HORNIMAN = "Courtesy of the Horniman Museum and Gardens"
PHOTO = "Photo: Sahara Dahir / ITP"
POST = {
    "title": "Somali wedding basket",
    "object_number": "Af1935,0711.1",
    "creator": "Unknown maker, Somalia",
    "date": "1935",
    "description": "What could be put inside this Somali wedding basket? We asked.",
    "hashtags": "#basketry #MuseumWeek",
    "theme": "Secrets",
    "day_hashtag": "#secretsMW",
    "campaign_hashtag": "#MuseumWeek",
}
# A four-image carousel with two holders and a photographer: BM twice, in media order.
MEDIA_CREDITS = [BM, HORNIMAN, BM, PHOTO]


# --- Credits ------------------------------------------------------------------------------------


def test_credits_are_each_line_once_in_media_order() -> None:
    assert credits_for(MEDIA_CREDITS) == f"{BM}\n{HORNIMAN}\n{PHOTO}"
    assert credits_for([f"  {HORNIMAN} ", "", BM, HORNIMAN]) == f"{HORNIMAN}\n{BM}"
    assert credits_for([]) == ""


def test_only_exactly_equal_lines_are_merged() -> None:
    # Another spelling is the policy's business, not the caption's: both are kept as given.
    assert credits_for([BM, BM.upper()]) == f"{BM}\n{BM.upper()}"


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_a_post_with_several_holders_carries_every_credit_once_in_media_order(
    platform: str,
) -> None:
    caption = compose_post_caption(DEFAULT_POST_TEMPLATES[platform], POST, MEDIA_CREDITS, platform)
    assert caption.fits and caption.problems == []
    for line in (BM, HORNIMAN, PHOTO):
        assert caption.text.count(line) == 1
    assert caption.text.index(BM) < caption.text.index(HORNIMAN) < caption.text.index(PHOTO)
    assert caption.text.startswith("Secrets: Somali wedding basket")
    assert check_caption_credits(caption.text, MEDIA_CREDITS) == []


def test_the_campaign_hashtag_is_written_once_though_the_asset_has_it_too() -> None:
    caption = compose_post_caption(DEFAULT_POST_TEMPLATES["x"], POST, [BM], "x")
    assert caption.text.endswith(f"{BM}\n\n#secretsMW #MuseumWeek #basketry")


def test_the_long_templates_add_the_object_number_creator_and_date() -> None:
    caption = compose_post_caption(
        DEFAULT_POST_TEMPLATES["instagram"], POST, MEDIA_CREDITS, "instagram"
    )
    assert caption.text.startswith(
        "Secrets: Somali wedding basket (Af1935,0711.1)\nUnknown maker, Somalia, 1935\n\n"
    )


def test_empty_campaign_fields_are_tidied_away() -> None:
    fields = {"title": "Somali wedding basket", "hashtags": "#basketry"}
    caption = compose_post_caption(DEFAULT_POST_TEMPLATES["x"], fields, [BM], "x")
    assert caption.text == f"Somali wedding basket\n\n{BM}\n\n#basketry"


# --- Never cut ----------------------------------------------------------------------------------

# Devanagari: about two code points per grapheme, so a caption that fits Bluesky's 300 graphemes
# is well over 300 code points, and the 3,000-byte cap does not bind first.
HINDI = "यह टोकरी सोमालिया की एक शादी के लिए बनाई गई थी और इसमें कई रहस्य छिपे हैं। "


@pytest.mark.parametrize(
    ("platform", "description"),
    [
        ("x", "Dedicated to revealing the secrets and mysteries inside museums. " * 40),
        ("bluesky", "Dedicated to revealing the secrets and mysteries inside museums. " * 40),
        ("bluesky", HINDI * 30),
    ],
)
def test_a_long_description_is_cut_but_never_a_credit_the_theme_or_a_campaign_hashtag(
    platform: str, description: str
) -> None:
    fields = {
        **POST,
        "description": description,
        "hashtags": hashtags_from_tags([f"object{i}" for i in range(30)]),
    }
    caption = compose_post_caption(
        DEFAULT_POST_TEMPLATES[platform], fields, MEDIA_CREDITS, platform
    )
    assert caption.fits and caption.problems == []
    assert "description" in caption.shortened
    assert (
        caption.length == count_length(platform, caption.text) <= PLATFORMS[platform].caption_limit
    )
    assert caption.text.startswith("Secrets: Somali wedding basket\n\n")
    assert f"{BM}\n{HORNIMAN}\n{PHOTO}\n\n#secretsMW #MuseumWeek" in caption.text
    assert check_caption_credits(caption.text, MEDIA_CREDITS) == []


def test_bluesky_counts_graphemes_so_a_cut_devanagari_caption_keeps_more_than_300_code_points() -> (
    None
):
    fields = {**POST, "description": HINDI * 30}
    caption = compose_post_caption(DEFAULT_POST_TEMPLATES["bluesky"], fields, [BM], "bluesky")
    assert caption.fits and caption.shortened == ["description"]
    assert len(caption.text) > 300 >= caption.length
    assert caption.length >= 290  # cut close to the limit, not far short of it
    assert len(caption.text.encode()) <= 3_000


def test_the_objects_hashtags_go_before_any_campaign_hashtag() -> None:
    tags = [f"#object{i}{'x' * 20}" for i in range(10)]
    fields = {**POST, "description": "", "hashtags": " ".join(tags)}
    caption = compose_post_caption(DEFAULT_POST_TEMPLATES["x"], fields, MEDIA_CREDITS, "x")
    assert caption.fits and caption.shortened == ["hashtags"]
    kept = caption.text.split(f"{PHOTO}\n\n#secretsMW #MuseumWeek")[1].split()
    assert 0 < len(kept) < len(tags) and kept == tags[: len(kept)]  # the last ones went first


def test_a_post_too_long_even_without_description_and_hashtags_says_what_is_never_cut() -> None:
    credits = [f"© Lender number {i} of a long loan agreement" for i in range(8)]
    caption = compose_post_caption(DEFAULT_POST_TEMPLATES["x"], POST, credits, "x")
    assert not caption.fits
    assert all(line in caption.text for line in credits)
    assert "#secretsMW #MuseumWeek" in caption.text
    assert caption.problems[0].startswith("Too long for X by ")
    assert "The theme, title, credits and campaign hashtags are never cut" in caption.problems[0]


def test_an_image_without_a_credit_line_is_named() -> None:
    caption = compose_post_caption(DEFAULT_POST_TEMPLATES["x"], POST, [BM, " "], "x")
    assert caption.problems == [
        "Image 2 has no credit line; every published image must carry its credit."
    ]
    empty = compose_post_caption(DEFAULT_POST_TEMPLATES["x"], POST, [], "x")
    assert empty.problems == [
        "No credit line was given; every published image must carry its credit."
    ]


# --- Templates ----------------------------------------------------------------------------------


def test_the_campaign_fields_are_template_fields() -> None:
    assert set(CAMPAIGN_FIELDS) == {"campaign_hashtag", "day_hashtag", "theme", "credits"}
    assert set(CAMPAIGN_FIELDS) <= set(TEMPLATE_FIELDS)


@pytest.mark.parametrize("platform", sorted(PLATFORMS))
def test_the_default_post_templates_are_valid_and_carry_the_campaign(platform: str) -> None:
    template = DEFAULT_POST_TEMPLATES[platform]
    assert validate_template(template) >= {"credits", "theme", "day_hashtag", "campaign_hashtag"}
    assert set(DEFAULT_POST_TEMPLATES) == set(DEFAULT_TEMPLATES)


@pytest.mark.parametrize("template", ["{title}\n{credits}", "{title}\n{credit_line}"])
def test_a_template_needs_credit_line_or_credits(template: str) -> None:
    validate_template(template)


def test_a_template_with_neither_is_refused_saying_both() -> None:
    with pytest.raises(TemplateError, match=r"must contain \{credit_line\} or \{credits\}"):
        validate_template("{theme}: {title} {campaign_hashtag}")


def test_outside_a_campaign_credits_is_the_assets_credit_line() -> None:
    fields = {"title": "Somali wedding basket", "credit_line": BM}
    caption = compose_caption("{theme}: {title}\n\n{credits}\n\n{campaign_hashtag}", fields, "x")
    assert caption.text == f"Somali wedding basket\n\n{BM}"
    assert caption.problems == []


def test_a_post_template_with_credit_line_carries_every_credit_too() -> None:
    caption = compose_post_caption("{title}\n\n{credit_line}", POST, MEDIA_CREDITS, "mastodon")
    assert caption.text == f"Somali wedding basket\n\n{BM}\n{HORNIMAN}\n{PHOTO}"
    # ... unless the caller gave one credit line, which leaves the others missing.
    one = compose_post_caption(
        "{title}\n\n{credit_line}", {**POST, "credit_line": BM}, MEDIA_CREDITS, "mastodon"
    )
    assert one.problems == [
        f'The caption lacks "{HORNIMAN}", the credit line of image 2.',
        f'The caption lacks "{PHOTO}", the credit line of image 4.',
    ]


# --- A hand-written caption ---------------------------------------------------------------------

WRITTEN = f"Secrets: what is inside this basket?\n\n{BM}\n\n#secretsMW #MuseumWeek"


def test_a_hand_written_caption_missing_the_second_holders_credit_is_told_so() -> None:
    assert check_caption_credits(WRITTEN, [BM, HORNIMAN]) == [HORNIMAN]
    caption = check_caption(WRITTEN, "bluesky", [BM, HORNIMAN, BM])
    assert caption.text == WRITTEN and caption.fits
    assert caption.problems == [f'The caption lacks "{HORNIMAN}", the credit line of image 2.']


def test_a_credit_missing_from_several_images_names_them_all() -> None:
    caption = check_caption(WRITTEN, "x", [BM, HORNIMAN, BM, HORNIMAN])
    assert caption.problems == [
        f'The caption lacks "{HORNIMAN}", the credit line of images 2 and 4.'
    ]


def test_only_the_required_wording_counts_as_the_audits_credit_check_counts_it() -> None:
    respelled = WRITTEN.replace(BM, "(c) Trustees of the British Museum") + f"\n{HORNIMAN}"
    assert check_caption_credits(respelled, [BM, HORNIMAN]) == [BM]
    [problem] = check_caption(respelled, "x", [BM, HORNIMAN]).problems
    assert problem.startswith("Credit line differs from the required wording")
    assert problem.endswith("(The credit line of image 1.)")
    running_on = f"Basket\n\n{BM} and friends\n{HORNIMAN}"
    assert check_caption_credits(running_on, [BM, HORNIMAN]) == [BM]
    assert check_caption_credits(f"{HORNIMAN}\n{BM}", [BM, HORNIMAN]) == []  # any order


def test_without_required_credits_a_hand_written_caption_is_only_counted() -> None:
    assert check_caption(WRITTEN, "x").problems == []
    assert check_caption_credits(WRITTEN, ["", "  "]) == []
