"""{date} is the object's date, never the photograph's: the camera's date is {photo_date}."""

from __future__ import annotations

import pytest

from service.rules.captions import (
    DEFAULT_TEMPLATES,
    TEMPLATE_FIELDS,
    TemplateError,
    compose_caption,
    validate_template,
)
from service.services.captioning import fields_of
from service.storage.models import Asset, RightsRecord

CREDIT = "© Trustees of the British Museum"


def _photographed_basket() -> tuple[Asset, RightsRecord]:
    asset = Asset(
        title="Somali wedding basket",
        object_number="Af1935,0711.1",
        description="Woven grass.",
        metadata_summary={"date_taken": "2024-03-27T10:15:00"},
    )
    record = RightsRecord(credit_line=CREDIT, creator="Sahara Dahir")
    return asset, record


def test_the_photos_capture_date_is_photo_date_and_not_the_objects_date() -> None:
    asset, record = _photographed_basket()
    fields = fields_of(asset, record, None, tags=["MuseumWeek"])
    assert fields["photo_date"] == "2024-03-27"
    assert fields["date"] == ""  # the object's date is not known


def test_the_objects_own_date_is_date_in_the_long_default_captions() -> None:
    asset, record = _photographed_basket()
    asset.object_date = "c. 1935"
    fields = fields_of(asset, record, None, tags=["MuseumWeek"])
    assert fields["date"] == "c. 1935"
    caption = compose_caption(DEFAULT_TEMPLATES["instagram"], fields, "instagram")
    assert "Sahara Dahir, c. 1935" in caption.text
    assert "2024" not in caption.text


@pytest.mark.parametrize("platform", sorted(DEFAULT_TEMPLATES))
def test_default_captions_do_not_show_the_capture_date(platform: str) -> None:
    asset, record = _photographed_basket()
    fields = fields_of(asset, record, None, tags=["MuseumWeek"])
    caption = compose_caption(DEFAULT_TEMPLATES[platform], fields, platform)
    assert "2024" not in caption.text
    assert CREDIT in caption.text


def test_an_empty_object_date_is_tidied_away_after_the_creator() -> None:
    asset, record = _photographed_basket()
    fields = fields_of(asset, record, None, tags=[])
    caption = compose_caption(DEFAULT_TEMPLATES["instagram"], fields, "instagram")
    assert caption.text.split("\n")[1] == "Sahara Dahir"  # no dangling ", "


def test_the_object_date_shows_where_the_template_puts_it() -> None:
    fields = {"title": "Basket", "creator": "Sahara Dahir", "date": "1935", "credit_line": CREDIT}
    caption = compose_caption(DEFAULT_TEMPLATES["instagram"], fields, "instagram")
    assert caption.text.split("\n")[1] == "Sahara Dahir, 1935"


def test_a_template_may_name_the_photo_date_as_its_own_field() -> None:
    asset, record = _photographed_basket()
    assert "photo_date" in TEMPLATE_FIELDS
    template = "{title}\nPhotographed {photo_date}\n{credit_line}"
    validate_template(template)
    caption = compose_caption(template, fields_of(asset, record, None, tags=[]), "x")
    assert caption.text == f"Somali wedding basket\nPhotographed 2024-03-27\n{CREDIT}"


def test_a_misspelt_photo_date_is_refused_with_a_suggestion() -> None:
    with pytest.raises(TemplateError, match=r"Did you mean \{photo_date\}"):
        validate_template("{photodate} {credit_line}")
