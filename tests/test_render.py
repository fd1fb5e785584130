"""Rendering social variants from real photographs: pixels, colour, budgets and the rights they carry."""

from __future__ import annotations

import dataclasses
import io
import math
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import exifread
import pytest
from PIL import Image, ImageChops, ImageCms, ImageFont, ImageStat, IptcImagePlugin

from service.media import imaging
from service.media.metadata import read_metadata
from service.media.render import (
    DEFAULT_CREDIT_FONT,
    MIN_FONT_PX,
    SRGB_ICC,
    Rendered,
    RenderError,
    RightsStamp,
    credit_font_size,
    font_identity,
    load_font,
    missing_glyphs,
    render_variants,
)
from service.rules import geometry
from service.rules.presets import DEFAULT_PRESETS, Preset
from tests import photos

CREDIT = "© Trustees of the British Museum"
LICENCE = "https://creativecommons.org/licenses/by-nc-sa/4.0/"
STAMP = RightsStamp(
    credit_line=CREDIT,
    creator="Jane Photographer",
    title="Hoa Hakananai'a",
    object_number="1869,1005.1",
    licence_uri=LICENCE,
    alt_text="A tall dark stone figure with a heavy brow and long ears, seen from the front.",
)
LIMIT = 100_000_000
RED, MAGENTA = (255, 0, 0), (255, 0, 255)


def preset(
    name: str = "t", width: int = 400, height: int = 400, fit: str = "within", **kw: object
) -> Preset:
    return Preset(name, width, height, fit, **kw)  # type: ignore[arg-type]


def save(tmp_path: Path, data: bytes, name: str = "source") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def encode(image: Image.Image, fmt: str = "JPEG", **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def render_one(
    source: Path, p: Preset, *, focal: tuple[float, float] = (0.5, 0.5), stamp: RightsStamp = STAMP
) -> Rendered:
    return render_variants(source, [p], focal=focal, stamp=stamp, max_pixels=LIMIT)[p.name]


def pixels(rendered: Rendered) -> Image.Image:
    image = Image.open(io.BytesIO(rendered.data))
    image.load()
    return image


def px(image: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    value = image.getpixel(xy)
    assert isinstance(value, tuple)
    return value


def close(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 12) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


def count_colour(image: Image.Image, colour: tuple[int, int, int], tolerance: int = 40) -> int:
    """How many pixels are within ``tolerance`` of ``colour`` on every channel."""
    diff = ImageChops.difference(image.convert("RGB"), Image.new("RGB", image.size, colour))
    worst = ImageChops.lighter(ImageChops.lighter(*diff.split()[:2]), diff.split()[2])
    return sum(worst.point(lambda v: 255 if v <= tolerance else 0).histogram()[255:])


# ---------------------------------------------------------------- orientation and geometry

# Where the stored top-left corner is shown once each EXIF orientation is applied.
SHOWN_CORNER = {1: "tl", 2: "tr", 3: "br", 4: "bl", 5: "tl", 6: "tr", 7: "br", 8: "bl"}


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_turns_the_pixels_and_the_marked_corner_lands_where_a_viewer_shows_it(
    tmp_path: Path, orientation: int
) -> None:
    stored = photos.picture(1600, 1200)
    stored.paste(RED, (0, 0, 200, 200))  # the stored top-left corner
    data = encode(stored, quality=95, exif=photos.make_exif(orientation=orientation))

    rendered = render_one(save(tmp_path, data), preset(width=400, height=400))

    turned = orientation in (5, 6, 7, 8)
    assert (rendered.width, rendered.height) == ((300, 400) if turned else (400, 300))
    image = pixels(rendered)
    w, h = image.size
    corners = {"tl": (10, 10), "tr": (w - 11, 10), "bl": (10, h - 11), "br": (w - 11, h - 11)}
    for name, xy in corners.items():
        is_red = close(px(image, xy), RED, 40)
        assert is_red == (name == SHOWN_CORNER[orientation]), (name, px(image, xy))
    assert image.getexif().get(0x0112, 1) == 1


def test_cover_crops_around_a_focal_point_near_a_corner_and_keeps_the_marked_region(
    tmp_path: Path,
) -> None:
    source = photos.picture(4000, 3000)
    source.paste(MAGENTA, (3600, 200, 3800, 400))  # centred on (0.925, 0.1)
    path = save(tmp_path, encode(source, quality=92))
    story = DEFAULT_PRESETS["instagram-story"]

    at_focal = pixels(render_one(path, story, focal=(0.925, 0.1)))
    centred = pixels(render_one(path, story, focal=(0.5, 0.5)))

    assert at_focal.size == centred.size == (1080, 1920)
    # The 200 px square is ~130 px at this scale: about 17,000 pixels, all of it in frame.
    assert count_colour(at_focal, MAGENTA) > 14_000
    assert count_colour(centred, MAGENTA) == 0


def test_contain_pads_to_the_whole_box_with_the_padding_colour(tmp_path: Path) -> None:
    path = save(tmp_path, photos.jpeg_plain(800, 600, quality=95))
    boxed = preset("boxed", 600, 600, "contain", padding="#ff00ff")

    rendered = render_one(path, boxed)

    image = pixels(rendered)
    assert image.size == (600, 600)
    # 800x600 in a 600 box is 600x450, centred: 75 px bands above and below.
    for xy in [(5, 5), (300, 60), (595, 70), (5, 530), (300, 594)]:
        assert close(px(image, xy), MAGENTA), xy
    for xy in [(300, 300), (5, 90), (595, 510)]:
        assert not close(px(image, xy), MAGENTA, 60), xy


def test_every_built_in_preset_has_its_exact_size_and_format_from_a_4000x3000_source(
    tmp_path: Path,
) -> None:
    path = save(tmp_path, photos.jpeg_with_rights(4000, 3000, orientation=1))
    within = {"bluesky": (2000, 1500), "mastodon": (3325, 2494), "web-large": (2048, 1536)}

    out = render_variants(
        path, list(DEFAULT_PRESETS.values()), focal=(0.5, 0.5), stamp=STAMP, max_pixels=LIMIT
    )

    assert set(out) == set(DEFAULT_PRESETS)
    for name, p in DEFAULT_PRESETS.items():
        expected = within.get(name, (p.width, p.height))
        image = pixels(out[name])
        assert (out[name].width, out[name].height) == image.size == expected, name
        assert image.format == p.format.upper() and out[name].media_type == p.media_type
        assert image.mode == "RGB"
    assert (DEFAULT_PRESETS["mastodon"].max_pixels or 0) >= 3325 * 2494
    # One decode served all of them: Mastodon needs nearly every pixel, so it was full size.
    assert {r.decoded_size for r in out.values()} == {(4000, 3000)}


# ---------------------------------------------------------------- decoding at reduced scale


def test_a_jpeg_is_decoded_at_the_smallest_dct_scale_that_serves_every_preset(
    tmp_path: Path,
) -> None:
    path = save(tmp_path, photos.jpeg_plain(6000, 4000, quality=90))
    thumb, square, x = (DEFAULT_PRESETS[n] for n in ("thumb", "instagram-square", "x"))

    alone = render_variants(path, [thumb], focal=(0.5, 0.5), stamp=STAMP, max_pixels=LIMIT)
    together = render_variants(
        path, [thumb, square, x], focal=(0.5, 0.5), stamp=STAMP, max_pixels=LIMIT
    )

    # The 400 px thumbnail is served by a 1/8 decode; X's 1600x900 needs 1/2.
    assert alone["thumb"].decoded_size == (750, 500)
    assert {r.decoded_size for r in together.values()} == {(3000, 2000)}
    needed = geometry.draft_size(
        (6000, 4000), [geometry.plan((6000, 4000), p) for p in (square, x)]
    )
    assert needed[0] <= 3000 and needed[1] <= 2000
    assert [(r.width, r.height) for r in together.values()] == [
        (400, 400),
        (1080, 1080),
        (1600, 900),
    ]
    # The reduced decode loses nothing visible against resampling from the full-size decode.
    with Image.open(path) as full:
        reference = full.convert("RGB").resize(
            (400, 400), Image.Resampling.LANCZOS, box=(1000, 0, 5000, 4000)
        )
    stat = ImageStat.Stat(ImageChops.difference(pixels(alone["thumb"]).convert("RGB"), reference))
    assert max(stat.mean) < 2.5  # mean error per channel, in 8-bit levels (WebP q80 included)
    assert min(10 * math.log10(255**2 / rms**2) for rms in stat.rms) > 30  # PSNR, dB


@pytest.mark.parametrize("side", [12_000, 30_000])
def test_sources_over_max_pixels_are_refused_from_the_header_before_any_decode(
    tmp_path: Path, side: int
) -> None:
    # A few hundred bytes declaring side x side grey pixels: a decode would fail differently.
    # 30000x30000 is also over Pillow's own cap, which refuses it inside Image.open.
    path = save(tmp_path, photos.png_bomb_header(side, side))
    with pytest.raises(RenderError, match=r"pixels.*the limit is 50,000,000"):
        render_variants(path, [preset()], focal=(0.5, 0.5), stamp=STAMP, max_pixels=50_000_000)


def test_a_source_that_does_not_decode_is_a_render_error(tmp_path: Path) -> None:
    path = save(tmp_path, photos.truncated_jpeg())
    with pytest.raises(RenderError, match="cannot be decoded"):
        render_one(path, preset())


# ---------------------------------------------------------------- colour


def test_an_adobe_rgb_source_is_converted_to_srgb_not_relabelled_and_carries_srgb(
    tmp_path: Path,
) -> None:
    adobe_red = (200, 60, 60)
    source = Image.new("RGB", (800, 600), adobe_red)
    path = save(tmp_path, encode(source, quality=98, icc_profile=photos.adobe_rgb_like_icc()))
    # What littleCMS makes of that colour, computed here independently of the renderer.
    transform = ImageCms.buildTransform(
        ImageCms.ImageCmsProfile(io.BytesIO(photos.adobe_rgb_like_icc())),
        ImageCms.createProfile("sRGB"),
        "RGB",
        "RGB",
    )
    converted = ImageCms.applyTransform(Image.new("RGB", (1, 1), adobe_red), transform)
    assert converted is not None
    expected = px(converted, (0, 0))
    assert expected[0] - adobe_red[0] > 25  # the same numbers mean a more saturated red in sRGB

    image = pixels(render_one(path, preset()))

    centre = px(image, (200, 150))
    assert close(centre, expected, 4), (centre, expected)
    assert not close(centre, adobe_red, 20)  # what convert() alone would have kept
    assert image.info["icc_profile"] == SRGB_ICC
    profile = ImageCms.ImageCmsProfile(io.BytesIO(image.info["icc_profile"]))
    assert "sRGB" in ImageCms.getProfileDescription(profile)


def _cmyk_red() -> bytes:
    # Pillow writes CMYK JPEGs the Adobe way (inverted, APP14): a wrong reading shows cyan.
    return encode(Image.new("CMYK", (320, 240), (0, 255, 255, 0)), quality=95)


def _grey16_png() -> bytes:
    ramp = Image.linear_gradient("L").resize((256, 256)).convert("I").point(lambda v: v * 257)
    return encode(ramp.convert("I;16"), "PNG")


SOURCES: dict[str, tuple[Callable[[], bytes], tuple[int, int]]] = {
    "16-bit RGB TIFF": (photos.tiff_16bit, (320, 240)),
    "16-bit grey PNG": (_grey16_png, (256, 256)),
    "CMYK JPEG": (lambda: encode(photos.picture(320, 240).convert("CMYK"), quality=95), (320, 240)),
    "palette PNG": (lambda: encode(photos.picture(320, 240).convert("P"), "PNG"), (320, 240)),
    "RGBA PNG": (photos.png_with_alpha, (320, 240)),
    "LA PNG": (lambda: encode(photos.picture(320, 240, "RGBA").convert("LA"), "PNG"), (320, 240)),
    "grey JPEG": (lambda: encode(photos.picture(320, 240, "L"), quality=90), (320, 240)),
    "animated GIF": (photos.gif_animated, (160, 120)),
    # These two carry EXIF orientation 6: shown as portraits.
    "WebP": (lambda: photos.webp(rights=True), (240, 320)),
    "AVIF": (lambda: photos.avif(rights=True), (240, 320)),
}


@pytest.mark.parametrize("kind", SOURCES)
def test_sources_of_every_mode_render_to_8_bit_srgb(tmp_path: Path, kind: str) -> None:
    build, size = SOURCES[kind]
    rendered = render_one(save(tmp_path, build()), preset(width=400, height=400))
    image = pixels(rendered)
    assert image.size == size and image.mode == "RGB"
    assert image.info["icc_profile"] == SRGB_ICC
    assert any(high - low > 50 for low, high in image.getextrema()), "not a flat image"  # type: ignore[misc]


def test_a_16_bit_grey_source_is_scaled_to_8_bits_not_clipped(tmp_path: Path) -> None:
    image = pixels(render_one(save(tmp_path, _grey16_png()), preset()))
    middle = px(image, (10, 128))
    assert close(middle, (128, 128, 128), 6), middle


def test_an_inverted_adobe_cmyk_jpeg_keeps_its_colour(tmp_path: Path) -> None:
    image = pixels(render_one(save(tmp_path, _cmyk_red()), preset()))
    assert close(px(image, (100, 100)), RED, 20)


def test_an_animated_gif_renders_its_first_frame(tmp_path: Path) -> None:
    path = save(tmp_path, photos.gif_animated())
    image = pixels(render_one(path, preset(width=160, height=160))).convert("RGB")
    with Image.open(path) as gif:
        first = gif.convert("RGB")
        gif.seek(1)
        second = gif.convert("RGB")

    def mean_difference(a: Image.Image, b: Image.Image) -> float:
        return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / 3

    # The frames are dithered to the web palette, which JPEG smooths: ~13 levels off frame 0.
    assert mean_difference(image, first) < mean_difference(image, second) / 2


def test_alpha_is_flattened_onto_the_padding_colour_for_jpeg_and_kept_for_webp(
    tmp_path: Path,
) -> None:
    source = Image.new("RGBA", (400, 300), (0, 0, 255, 255))
    source.paste((255, 0, 0, 0), (0, 0, 200, 300))  # left half: red, fully transparent
    path = save(tmp_path, encode(source, "PNG"))

    jpeg = pixels(render_one(path, preset(padding="#00ff00")))
    webp = pixels(render_one(path, preset(format="webp", padding="#00ff00")))

    assert jpeg.mode == "RGB"
    assert close(px(jpeg, (50, 150)), (0, 255, 0))  # the padding colour, not red or black
    assert close(px(jpeg, (350, 150)), (0, 0, 255))
    assert webp.mode == "RGBA"
    assert px(webp, (50, 150))[3] == 0 and px(webp, (350, 150))[3] == 255


# ---------------------------------------------------------------- byte budget


def _noisy_photo(width: int, height: int) -> bytes:
    """A photograph with sensor-like noise, which JPEG cannot squeeze: ~1.1 MB at q85."""
    noise = Image.frombytes("RGB", (width, height), random.Random(7).randbytes(width * height * 3))
    return encode(Image.blend(photos.picture(width, height), noise, 0.35), quality=95)


def test_the_bluesky_budget_is_met_at_the_highest_quality_that_fits(tmp_path: Path) -> None:
    path = save(tmp_path, _noisy_photo(2000, 1500))
    bluesky = DEFAULT_PRESETS["bluesky"]
    budget = bluesky.max_bytes
    assert budget == 976_560

    unbounded = render_one(path, dataclasses.replace(bluesky, max_bytes=None))
    fitted = render_one(path, bluesky)

    assert len(unbounded.data) > budget  # at quality 85 it does not fit
    assert len(fitted.data) <= budget
    assert bluesky.min_quality <= fitted.quality < bluesky.quality
    one_better = dataclasses.replace(bluesky, quality=fitted.quality + 1, max_bytes=None)
    assert len(render_one(path, one_better).data) > budget
    assert pixels(fitted).size == (2000, 1500)


def test_a_budget_that_even_the_minimum_quality_cannot_meet_is_refused_with_the_reason(
    tmp_path: Path,
) -> None:
    path = save(tmp_path, _noisy_photo(2000, 1500))
    tiny = dataclasses.replace(DEFAULT_PRESETS["bluesky"], max_bytes=20_000)
    with pytest.raises(
        RenderError,
        match=r"'bluesky'.* bytes at the minimum quality 60, over the 20,000-byte budget",
    ):
        render_one(path, tiny)


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


# ---------------------------------------------------------------- metadata out


def _private_exif() -> Image.Exif:
    exif = photos.make_exif(orientation=6)
    exif.get_ifd(0x8769)[0x927C] = b"Canon maker note with a serial"  # MakerNote
    exif.get_ifd(0x8769)[0xA431] = "0123456789"  # BodySerialNumber
    return exif


def _exifread_tags(data: bytes, fmt: str) -> dict[str, str]:
    """exifread's view: the file itself for JPEG; the EXIF block Pillow finds for WebP/AVIF."""
    if fmt == "jpeg":
        stream = io.BytesIO(data)
    else:  # exifread 3.5 reads no EXIF from a WebP/AVIF file itself
        with Image.open(io.BytesIO(data)) as image:
            stream = io.BytesIO(image.info["exif"].removeprefix(b"Exif\0\0"))
    tags = exifread.process_file(stream, details=True, extract_thumbnail=True)
    return {key: str(value) for key, value in tags.items()}


@pytest.mark.parametrize("fmt", ["jpeg", "webp", "avif"])
def test_the_output_carries_the_rights_and_no_private_metadata(tmp_path: Path, fmt: str) -> None:
    source = photos.jpeg_with_rights(800, 600, exif=_private_exif())
    path = save(tmp_path, source)
    stamp = dataclasses.replace(
        STAMP,
        title='Bowl & cover, "Lotus" <lid>',
        alt_text="A bowl & its lid <painted> with 'lotus' flowers",
    )
    before = sorted(p.name for p in tmp_path.iterdir())

    rendered = render_one(path, preset(width=600, height=600, format=fmt), stamp=stamp)

    assert sorted(p.name for p in tmp_path.iterdir()) == before  # bytes only, no files
    data = rendered.data
    # exifread decodes the UTF-8 bytes in these ASCII tags as UTF-8, as exiftool does.
    tags = _exifread_tags(data, fmt)
    assert tags["Image Copyright"] == CREDIT
    assert tags["Image Artist"] == "Jane Photographer"
    assert tags["Image ImageDescription"] == 'Bowl & cover, "Lotus" <lid> (1869,1005.1)'
    assert tags.get("Image Orientation", "Horizontal (normal)") == "Horizontal (normal)"
    assert not [k for k in tags if k.startswith(("GPS", "MakerNote", "Thumbnail", "JPEGThumbnail"))]
    assert not [k for k in tags if "MakerNote" in k or "Serial" in k or "Make" in k or "Model" in k]

    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        # Pillow decodes ASCII tags as Latin-1: it shows "Â©"; the bytes are UTF-8.
        assert exif[0x8298].encode("latin-1").decode("utf-8") == CREDIT
        assert exif.get(0x0112, 1) == 1
        assert not exif.get_ifd(0x8825) and not exif.get_ifd(0x8769)  # no GPS, no Exif IFD
        assert image.info["icc_profile"] == SRGB_ICC
        assert "photoshop" not in image.info and IptcImagePlugin.getiptcinfo(image) is None
        xmp = image.info["xmp"]
        xmp = xmp if isinstance(xmp, bytes) else xmp.encode()
    assert photos.USAGE_TERMS.encode() not in xmp and b"figure en basalte" not in xmp
    assert b"&amp; its lid &lt;painted&gt;" in xmp

    meta = read_metadata(save(tmp_path, data, f"out.{fmt}"))
    summary, xmp_raw = meta.summary, meta.raw["xmp"]
    assert xmp_raw["dc:rights"] == xmp_raw["photoshop:Credit"] == CREDIT
    assert xmp_raw["dc:creator"] == "Jane Photographer"
    assert xmp_raw["xmpRights:WebStatement"] == LICENCE
    assert xmp_raw["Iptc4xmpCore:AltTextAccessibility"] == stamp.alt_text
    assert xmp_raw["dc:title"] == stamp.title
    assert summary["has_gps"] is False and summary["gps"] is None
    assert summary["camera_make"] is None and summary["date_taken"] is None
    assert summary["icc_profile"] == "sRGB built-in"
    assert meta.warnings == []


def test_a_stamp_without_a_licence_writes_no_web_statement(tmp_path: Path) -> None:
    path = save(tmp_path, photos.jpeg_plain())
    rendered = render_one(path, preset(), stamp=dataclasses.replace(STAMP, licence_uri=None))
    meta = read_metadata(save(tmp_path, rendered.data, "out.jpg"))
    assert "xmpRights:WebStatement" not in meta.raw["xmp"]
    assert meta.summary["credit_line"]["value"] == CREDIT


def test_an_unknown_placement_is_refused(tmp_path: Path) -> None:
    path = save(tmp_path, photos.jpeg_plain())
    with pytest.raises(RenderError, match="placement"):
        render_one(path, preset(), stamp=dataclasses.replace(STAMP, placement="top"))


def test_one_call_opens_and_decodes_the_source_once_for_all_presets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = save(tmp_path, photos.jpeg_with_rights(1200, 900))
    opened: list[object] = []
    real_open = Image.open

    def counting_open(*args: object, **kwargs: object) -> Image.Image:
        opened.append(args[0])
        return real_open(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Image, "open", counting_open)
    out = render_variants(
        path,
        [DEFAULT_PRESETS[n] for n in ("thumb", "x", "og")],
        focal=(0.5, 0.5),
        stamp=STAMP,
        max_pixels=LIMIT,
    )
    assert len(out) == 3 and opened == [path]


@pytest.mark.parametrize("focal_y", [0.5, 0.2, 0.9])
def test_presets_of_one_scale_are_resized_once_and_look_as_if_resized_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, focal_y: float
) -> None:
    # A tall photograph: Instagram's square and 4:5 portrait are both 1080 wide from its width.
    path = save(tmp_path, photos.jpeg_plain(2000, 3000, quality=90))
    square, portrait = DEFAULT_PRESETS["instagram-square"], DEFAULT_PRESETS["instagram-portrait"]
    focal = (0.5, focal_y)
    alone = render_variants(path, [square], focal=focal, stamp=STAMP, max_pixels=LIMIT)
    resizes: list[tuple[int, int]] = []
    real_resize = Image.Image.resize

    def counting_resize(image: Image.Image, size: tuple[int, int], *a: object, **k: object) -> Any:
        resizes.append(tuple(size))
        return real_resize(image, size, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(Image.Image, "resize", counting_resize)
    both = render_variants(path, [square, portrait], focal=focal, stamp=STAMP, max_pixels=LIMIT)

    assert resizes == [(1080, 1350)]
    assert (both["instagram-square"].width, both["instagram-square"].height) == (1080, 1080)
    diff = ImageChops.difference(
        pixels(both["instagram-square"]).convert("RGB"),
        pixels(alone["instagram-square"]).convert("RGB"),
    )
    stat = ImageStat.Stat(diff)
    assert max(stat.mean) < 0.5  # 8-bit levels: the same picture, bar JPEG noise
    assert min(10 * math.log10(255**2 / max(rms, 1e-9) ** 2) for rms in stat.rms) > 40


def test_a_progressive_jpeg_of_thousands_of_scans_stored_before_ingest_refused_them_is_not_decoded(
    tmp_path: Path,
) -> None:
    path = Path(__file__).parent / "data" / "hostile" / "jpeg-3000-scans.jpg"
    with pytest.raises(RenderError, match=r"3,0\d\d or more JPEG scans; at most 256"):
        render_one(path, DEFAULT_PRESETS["thumb"])


def test_a_progressive_mpo_has_its_scans_counted_like_any_progressive_jpeg(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A camera's multi-picture JPEG opens as MPO; a scan bomb inside one must not escape.
    frames = [photos.picture(64, 48), photos.picture(64, 48)]
    path = save(tmp_path, encode(frames[0], "MPO", save_all=True, append_images=frames[1:],
                                 progressive=True))  # fmt: skip
    with Image.open(path) as opened:
        assert opened.format == "MPO" and opened.info.get("progressive")
    counted: list[Path] = []

    def counting(source: Path, limit: int = 256) -> int:
        counted.append(source)
        return 100_000

    monkeypatch.setattr(imaging.bombs, "jpeg_scans", counting)
    with pytest.raises(RenderError, match="100,000 or more JPEG scans"):
        render_one(path, DEFAULT_PRESETS["thumb"])
    assert counted == [path]


def test_a_png_flooded_with_tiny_chunks_is_refused_before_pillow_reads_them(tmp_path: Path) -> None:
    hostile = Path(__file__).parent / "data" / "hostile"
    with pytest.raises(RenderError, match=r"10,001 or more PNG chunks of under 1,024 bytes"):
        render_one(hostile / "png-chunk-flood.png", DEFAULT_PRESETS["thumb"])
    # An APNG of 2000 tiny frames has 4,002 small chunks: under the limit, it renders.
    assert render_one(hostile / "apng-2000-frames.png", DEFAULT_PRESETS["thumb"]).width > 0


def test_a_focal_point_outside_the_image_and_a_format_ingest_refuses_are_render_errors(
    tmp_path: Path,
) -> None:
    path = save(tmp_path, photos.jpeg_plain())
    with pytest.raises(RenderError, match="focal x"):
        render_variants(path, [preset()], focal=(1.5, 0.5), stamp=STAMP, max_pixels=LIMIT)
    bmp = save(tmp_path, encode(photos.picture(64, 48), "BMP"), "source.bmp")
    with pytest.raises(RenderError, match="cannot be decoded"):
        render_one(bmp, preset())
    assert render_variants(path, [], focal=(0.5, 0.5), stamp=STAMP, max_pixels=LIMIT) == {}
