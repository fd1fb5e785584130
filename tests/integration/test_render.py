"""Rendering social variants from real photographs: pixels, geometry, colour and budgets.

The credit overlay is in test_render_credit.py; the metadata written out, the single decode
and the sources refused before decoding are in test_render_metadata_and_decoding.py.
"""

from __future__ import annotations

import dataclasses
import io
import math
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageCms, ImageStat

from service.media.render import (
    SRGB_ICC,
    RenderError,
    render_variants,
)
from service.rules import geometry
from service.rules.presets import DEFAULT_PRESETS
from tests.support import photos
from tests.support.render import (
    LIMIT,
    MAGENTA,
    RED,
    STAMP,
    close,
    count_colour,
    encode,
    pixels,
    preset,
    px,
    render_one,
    save,
)

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
    within = {
        "bluesky": (4000, 3000),  # never enlarged: the 4000 px box holds the whole source
        "bluesky-2000": (2000, 1500),
        "mastodon": (3325, 2494),
        "web-large": (2048, 1536),
    }

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
    bluesky = DEFAULT_PRESETS["bluesky-2000"]  # the pre-2026 limits, for older accounts
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
