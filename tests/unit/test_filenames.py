"""The name a downloaded variant is saved under (rules/filenames)."""

from __future__ import annotations

import pytest

from service.rules.filenames import ascii_name, content_disposition, download_name, safe_stem


def _name(object_number: str | None, title: str | None = None, preset: str = "instagram-portrait",
          media_type: str = "image/jpeg") -> str:  # fmt: skip
    return download_name(
        object_number=object_number, title=title, asset_id=7, preset=preset, media_type=media_type
    )


@pytest.mark.parametrize(
    ("object_number", "expected"),
    [
        ("Af1935,0711.1", "Af1935-0711-1_instagram-portrait.jpg"),
        ("Af1935-0711-1", "Af1935-0711-1_instagram-portrait.jpg"),
        ("  EA 10470/3 ", "EA-10470-3_instagram-portrait.jpg"),
        ("../../etc/passwd", "etc-passwd_instagram-portrait.jpg"),
        ('a"b\r\nContent-Type: x', "a-b-Content-Type-x_instagram-portrait.jpg"),
        ("1,,,,2", "1-2_instagram-portrait.jpg"),
    ],
)
def test_the_object_number_is_made_safe_for_a_file_name(object_number: str, expected: str) -> None:
    assert _name(object_number) == expected


def test_the_title_then_the_id_stand_in_for_a_missing_object_number() -> None:
    assert _name(None, "Coiled basket, 1930s") == "Coiled-basket-1930s_instagram-portrait.jpg"
    assert _name(" ,;. ", "Basket") == "Basket_instagram-portrait.jpg"
    assert _name(None, None) == "asset-7_instagram-portrait.jpg"
    assert _name("", "!!!") == "asset-7_instagram-portrait.jpg"


def test_the_extension_follows_the_format() -> None:
    assert _name("A1", preset="thumb", media_type="image/webp") == "A1_thumb.webp"
    assert _name("A1", preset="web-large", media_type="image/avif") == "A1_web-large.avif"


def test_letters_of_any_script_are_kept_and_the_stem_is_bounded() -> None:
    assert _name(None, "博物館の籠") == "博物館の籠_instagram-portrait.jpg"
    assert len(safe_stem("x" * 500)) == 80


def test_an_ascii_name_is_sent_and_filename_star_only_when_needed() -> None:
    assert content_disposition("Af1935-0711-1_instagram-portrait.jpg") == (
        'attachment; filename="Af1935-0711-1_instagram-portrait.jpg"'
    )
    header = content_disposition("Café-basket_x.jpg")
    assert header == (
        "attachment; filename=\"Cafe-basket_x.jpg\"; filename*=UTF-8''Caf%C3%A9-basket_x.jpg"
    )
    assert ascii_name("博物館_x.jpg") == "x.jpg"
    assert ascii_name("博物館.jpg") == "download.jpg"
    assert content_disposition("博物館.jpg") == (
        "attachment; filename=\"download.jpg\"; filename*=UTF-8''%E5%8D%9A%E7%89%A9%E9%A4%A8.jpg"
    )
