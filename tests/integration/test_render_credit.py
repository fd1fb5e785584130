"""Rendering: the credit burned into the picture, sized, placed, legible, in every script.

Split from test_render.py, whose helpers are in tests/support/render.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageFont

from service.media.render import (
    DEFAULT_CREDIT_FONT,
    MIN_FONT_PX,
    RenderError,
    credit_font_size,
    font_identity,
    load_font,
    missing_glyphs,
    render_variants,
)
from service.rules.presets import DEFAULT_PRESETS
from tests.support import photos
from tests.support.render import LIMIT, STAMP, encode, pixels, preset, render_one, save

# ---------------------------------------------------------------- credit overlay


def _luminance(rgb: tuple[int, ...]) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize(
    ("placement", "region"),
    [
        ("bottom-right", lambda w, h: (w // 2, int(h * 0.85), w, h)),
        ("bottom-left", lambda w, h: (0, int(h * 0.85), w // 2, h)),
        ("band", lambda w, h: (0, int(h * 0.85), w, h)),
    ],
)
def test_the_burned_in_credit_changes_only_its_corner_or_band_with_light_text_on_dark(
    tmp_path: Path, placement: str, region: Callable[[int, int], tuple[int, int, int, int]]
) -> None:
    # A white source is the worst case for white text: only the box gives it contrast.
    path = save(tmp_path, encode(Image.new("RGB", (1600, 1600), "white"), quality=95))
    square = DEFAULT_PRESETS["instagram-square"]
    plain = render_one(path, square)
    credited = render_one(
        path, square, stamp=dataclasses.replace(STAMP, burn_in=True, placement=placement)
    )

    assert not plain.burned_in and credited.burned_in
    before, after = pixels(plain), pixels(credited)
    changed = (
        ImageChops.difference(before, after).convert("L").point(lambda v: 255 if v > 40 else 0)
    )
    bbox = changed.getbbox()
    assert bbox is not None
    left, top, right, bottom = region(*after.size)
    assert left <= bbox[0] and top <= bbox[1] and bbox[2] <= right and bbox[3] <= bottom, bbox
    changed_count = changed.histogram()[255]
    assert changed_count > 0.01 * after.width * after.height  # substantial, not a speck
    if placement == "band":
        assert bbox[0] == 0 and bbox[2] == after.width
    box = after.crop(bbox).convert("RGB")
    luminances = sorted(_luminance(p) for p in box.get_flattened_data())  # type: ignore[arg-type]
    dark, light = luminances[len(luminances) // 2], luminances[-len(luminances) // 50]
    assert dark < 0.1 and light > 0.8  # mostly dark box, with white text on it
    assert (light + 0.05) / (dark + 0.05) >= 4.5


def test_a_preset_that_requires_the_credit_burns_it_in_even_when_the_stamp_does_not(
    tmp_path: Path,
) -> None:
    path = save(tmp_path, photos.jpeg_plain(800, 800))
    rendered = render_one(path, preset(burn_in_credit=True))
    assert rendered.burned_in and not STAMP.burn_in


def test_the_credit_is_sized_to_the_image_and_a_long_credit_shrinks_to_fit_a_thumbnail(
    tmp_path: Path,
) -> None:
    assert credit_font_size(400, 400) >= 12 and credit_font_size(2000, 1500) >= 40
    path = save(tmp_path, encode(Image.new("RGB", (800, 800), "white"), quality=95))
    long_credit = (
        "© Trustees of the British Museum; photograph by the Department of Photography and "
        "Imaging, courtesy of the Chhatrapati Shivaji Maharaj Vastu Sangrahalaya"
    )
    stamp = dataclasses.replace(STAMP, credit_line=long_credit, burn_in=True)
    thumb = DEFAULT_PRESETS["thumb"]

    rendered = render_one(path, thumb, stamp=stamp)

    image = pixels(rendered).convert("L")
    dark = image.point(lambda v: 255 if v < 160 else 0).getbbox()
    assert dark is not None
    assert dark[0] > 0 and dark[2] < 400 and dark[3] < 400  # inside the frame, with margins
    assert 400 - dark[1] < 400 // 3  # a few lines at the bottom, not the whole picture
    assert MIN_FONT_PX >= 10


def test_a_credit_too_long_to_be_legible_is_refused_not_cut(tmp_path: Path) -> None:
    path = save(tmp_path, photos.jpeg_plain(200, 200))
    stamp = dataclasses.replace(STAMP, credit_line="©" + "x" * 60, burn_in=True)
    with pytest.raises(RenderError, match="does not fit legibly"):
        render_one(path, preset(width=120, height=120), stamp=stamp)


MUSEUM_CREDITS = [
    "© Musée du Louvre, Dist. GrandPalaisRmn / Hervé Lewandowski",
    "© Staatliche Museen zu Berlin, Ägyptisches Museum / Jürgen Liepe",
    "© Museo Nacional del Prado, Año 2026",
    "© Národní galerie v Praze / Łukasz Dębski",
    "© Εθνικό Αρχαιολογικό Μουσείο",
    "© Государственный Эрмитаж",
    "© متحف الفن الإسلامي",
    "© מוזיאון ישראל",
]


@pytest.mark.parametrize("credit", MUSEUM_CREDITS)
def test_credits_in_european_and_middle_eastern_scripts_are_drawn_not_boxed(
    tmp_path: Path, credit: str
) -> None:
    assert missing_glyphs(load_font(DEFAULT_CREDIT_FONT, 28), credit) == ""
    path = save(tmp_path, photos.jpeg_plain(1600, 1600))
    stamp = dataclasses.replace(STAMP, credit_line=credit, burn_in=True)
    assert render_one(path, DEFAULT_PRESETS["instagram-square"], stamp=stamp).burned_in


def test_pillows_bundled_font_would_box_the_accents_that_the_credit_font_draws() -> None:
    # Why the credit font is not Pillow's default: that one has ASCII only.
    assert missing_glyphs(ImageFont.load_default(28), "© Musée, Jürgen") == "éü"
    assert missing_glyphs(load_font(DEFAULT_CREDIT_FONT, 28), "© Musée, Jürgen") == ""


def test_a_credit_the_font_cannot_draw_is_refused_naming_the_characters_and_the_setting(
    tmp_path: Path,
) -> None:
    path = save(tmp_path, photos.jpeg_plain(1600, 1600))
    square = DEFAULT_PRESETS["instagram-square"]
    tokyo = dataclasses.replace(STAMP, credit_line="© 東京国立博物館", burn_in=True)
    with pytest.raises(RenderError, match=r"cannot draw '東京国立博物館'.*VITRINE_CREDIT_FONT"):
        render_one(path, square, stamp=tokyo)
    # Not burned in, the credit is only written into the metadata, where any script goes.
    assert not render_one(path, square, stamp=dataclasses.replace(tokyo, burn_in=False)).burned_in
    # A private-use character (a museum's logo glyph in its own font, say) is checked too.
    logo = dataclasses.replace(tokyo, credit_line="\ue000 British Museum")
    with pytest.raises(RenderError, match=r"cannot draw '\\ue000'"):
        render_one(path, square, stamp=logo)


def test_the_font_identity_changes_when_the_font_file_is_replaced_in_place(
    tmp_path: Path,
) -> None:
    font = tmp_path / "credit.ttf"
    font.write_bytes(DEFAULT_CREDIT_FONT.read_bytes())
    before = font_identity(font)
    assert before == font_identity(font)
    font.write_bytes(DEFAULT_CREDIT_FONT.read_bytes() + b"\0")
    assert font_identity(font) != before


def test_a_configured_credit_font_is_the_one_the_credit_is_drawn_with(tmp_path: Path) -> None:
    ascii_only = tmp_path / "aileron.otf"
    bundled = ImageFont.load_default(12)
    assert isinstance(bundled, ImageFont.FreeTypeFont) and bundled.font_bytes
    ascii_only.write_bytes(bundled.font_bytes)
    path = save(tmp_path, photos.jpeg_plain(1600, 1600))
    louvre = dataclasses.replace(STAMP, credit_line="© Musée du Louvre", burn_in=True)
    square = [DEFAULT_PRESETS["instagram-square"]]
    with pytest.raises(RenderError, match=r"aileron.otf cannot draw 'é'"):
        render_variants(
            path, square, focal=(0.5, 0.5), stamp=louvre, max_pixels=LIMIT, credit_font=ascii_only
        )
    drawn = render_variants(path, square, focal=(0.5, 0.5), stamp=louvre, max_pixels=LIMIT)
    assert drawn["instagram-square"].burned_in
