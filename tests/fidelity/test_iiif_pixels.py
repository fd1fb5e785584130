"""IIIF answers show the pixels asked for: every region, size, rotation, mirroring and quality
drawn from the pyramid looks like the same request drawn by Pillow straight from the original.

The reference crops the decoded original and resizes it with LANCZOS; an answer comes from a
level of the pyramid (box-filtered by a power of two, stored as JPEG q95 4:4:4 tiles) and a
BICUBIC step of under 2x. On this test image (gradients, fractal detail, 400 sharp-edged
discs, lightly blurred) correct answers score 37-45 dB PSNR against the reference; the same
answer one output pixel off scores 25-35 dB: the 36 dB floor tells a right answer from a
misplaced one. The original is a PNG, so the reference is exact.
"""

from __future__ import annotations

import io
import math
import random
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageStat

from service.media import render
from service.rules.iiif.image_info import scale_factors
from service.rules.iiif.image_requests import ImageRequest
from service.services import iiif_images
from tests.support import photos
from tests.support.iiif_images import asked, cleared_image, info, pixels, serve

SQLITE_LOCAL = pytest.mark.parametrize(
    ("database_url", "blob_settings"), [("sqlite", "local")], indirect=True
)
pytestmark = SQLITE_LOCAL
WIDTH, HEIGHT = 1500, 1000  # scale factors 1, 2 and 4; tiles meet at 512 and 1024
FLOOR_DB = 36.0
_CLOCKWISE = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180,
              270: Image.Transpose.ROTATE_90}  # fmt: skip


def sample_image(mode: str = "RGB", size: tuple[int, int] = (WIDTH, HEIGHT)) -> Image.Image:
    """Gradients, fractal detail and sharp-edged discs, lightly blurred (a lens's softness)."""
    image = photos.picture(*size, mode)
    draw = ImageDraw.Draw(image)
    rng = random.Random(3)
    for _ in range(400):
        x, y = rng.uniform(0, size[0]), rng.uniform(0, size[1])
        w, h = rng.uniform(4, 60), rng.uniform(4, 60)
        colour = tuple(rng.randrange(256) for _ in range(3)) + ((255,) if mode == "RGBA" else ())
        draw.ellipse((x, y, x + w, y + h), fill=colour)
    return image.filter(ImageFilter.GaussianBlur(0.8))


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def psnr(a: Image.Image, b: Image.Image) -> float:
    assert a.size == b.size and a.mode == b.mode, (a.size, a.mode, b.size, b.mode)
    difference = ImageChops.difference(a, b)
    mse = sum(v**2 for v in ImageStat.Stat(difference).rms) / len(difference.getbands())
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)


def reference(image: Image.Image, request: ImageRequest) -> Image.Image:
    """The request drawn by Pillow from the original: crop, LANCZOS, mirror, turn."""
    x, y, w, h = request.region
    out = image.resize(request.size, Image.Resampling.LANCZOS, box=(x, y, x + w, y + h))
    if request.mirrored:
        out = out.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    if request.rotation:
        out = out.transpose(_CLOCKWISE[request.rotation])
    return out


@pytest.fixture
def original() -> Image.Image:
    return sample_image()


@pytest.fixture
def public_id(client: FlaskClient, tokens: Any, original: Image.Image) -> str:
    return cleared_image(client, tokens, png(original))


@pytest.mark.parametrize(
    ("width", "height"),
    [(WIDTH, HEIGHT), (1201, 801)],  # the second's levels end in a partial pixel: 601 x 401...
)
def test_every_tile_at_every_scale_factor_assembles_into_the_reduced_image(
    app: Flask, client: FlaskClient, tokens: Any, width: int, height: int
) -> None:
    original = sample_image(size=(width, height))
    public_id = cleared_image(client, tokens, png(original))
    facts = info(app, public_id)
    assert (facts.width, facts.height, facts.scale_factors) == (width, height, [1, 2, 4])
    for factor in facts.scale_factors:
        span = iiif_images.TILE * factor
        level = Image.new("RGB", (-(-width // factor), -(-height // factor)))
        for y in range(0, height, span):
            for x in range(0, width, span):
                w, h = min(span, width - x), min(span, height - y)
                size = (-(-w // factor), -(-h // factor))
                tile = pixels(serve(app, public_id, asked((x, y, w, h), size, format="png")))
                assert tile.size == size and tile.mode == "RGB"
                level.paste(tile, (x // factor, y // factor))
        # The same box filter, straight from the original: only the tiles' JPEG q95 stands
        # between (38-42 dB here; a tile one pixel off would score under 35).
        assert psnr(level, original.reduce(factor)) >= 37, factor


@pytest.mark.parametrize(
    ("region", "size"),
    [
        ((0, 0, WIDTH, HEIGHT), (WIDTH, HEIGHT)),  # full/max
        ((0, 0, WIDTH, HEIGHT), (375, 250)),  # the coarsest level's size
        ((0, 0, WIDTH, HEIGHT), (500, 333)),  # between levels
        ((100, 200, 700, 300), (350, 150)),
        ((517, 33, 400, 400), (400, 400)),  # across a tile edge, at full size
        ((1000, 500, 500, 500), (130, 130)),  # across four tiles, reduced by 3.8
        ((1024, 0, 476, 1000), (119, 250)),  # the last column of tiles at factor 4
        ((1, 1, 1499, 999), (1499, 999)),  # one pixel in from the corner
        ((0, 0, 100, 100), (300, 300)),  # enlarged
    ],
)
def test_a_region_at_a_size_looks_like_pillow_drawing_it_from_the_original(
    app: Flask,
    public_id: str,
    original: Image.Image,
    region: tuple[int, int, int, int],
    size: tuple[int, int],
) -> None:
    request = asked(region, size, format="png")
    got = pixels(serve(app, public_id, request))
    assert got.size == size
    assert psnr(got.convert("RGB"), reference(original, request)) >= FLOOR_DB


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
@pytest.mark.parametrize("mirrored", [False, True], ids=["plain", "mirrored"])
def test_mirroring_comes_before_a_clockwise_turn_as_the_image_api_says(
    app: Flask, public_id: str, original: Image.Image, rotation: int, mirrored: bool
) -> None:
    request = asked((517, 33, 600, 300), (300, 150), rotation=rotation, mirrored=mirrored,
                    format="png")  # fmt: skip
    got = pixels(serve(app, public_id, request))
    assert got.size == ((150, 300) if rotation in (90, 270) else (300, 150))
    assert psnr(got.convert("RGB"), reference(original, request)) >= FLOOR_DB


def test_gray_is_the_luma_of_the_colour_and_bitonal_only_black_and_white(
    app: Flask, public_id: str, original: Image.Image
) -> None:
    region, size = (200, 100, 1000, 800), (500, 400)
    want = reference(original, asked(region, size)).convert("L")
    gray = pixels(serve(app, public_id, asked(region, size, quality="gray", format="png")))
    assert gray.mode == "L" and psnr(gray, want) >= FLOOR_DB
    bitonal = pixels(serve(app, public_id, asked(region, size, quality="bitonal", format="png")))
    assert bitonal.mode == "1"
    differ = ImageChops.logical_xor(bitonal, want.point(lambda v: 255 if v >= 128 else 0, "1"))
    assert differ.histogram()[255] <= 0.02 * size[0] * size[1]  # pixels near mid-grey may flip
    for image_format in ("jpg", "webp"):  # formats without a 1-bit mode: nearly black or white
        answer = serve(app, public_id, asked(region, size, quality="bitonal", format=image_format))
        levels = pixels(answer).convert("L").histogram()
        assert sum(levels[:40]) + sum(levels[216:]) >= 0.97 * size[0] * size[1], image_format
    colour = pixels(serve(app, public_id, asked(region, size, quality="color", format="png")))
    assert colour.mode == "RGB"
    assert psnr(colour, reference(original, asked(region, size))) >= FLOOR_DB


def test_a_transparent_original_keeps_its_alpha_in_png_and_webp_and_is_flattened_in_jpeg(
    app: Flask, client: FlaskClient, tokens: Any
) -> None:
    image = sample_image("RGBA")
    public_id = cleared_image(client, tokens, png(image))
    region, size = (300, 0, 1200, 1000), (600, 500)
    want = reference(image, asked(region, size))
    as_png = pixels(serve(app, public_id, asked(region, size, format="png")))
    assert as_png.mode == "RGBA"
    assert psnr(as_png.getchannel("A"), want.getchannel("A")) >= 45
    as_webp = pixels(serve(app, public_id, asked(region, size, format="webp")))
    assert as_webp.mode == "RGBA"
    assert psnr(as_webp.getchannel("A"), want.getchannel("A")) >= 30
    as_jpeg = pixels(serve(app, public_id, asked(region, size, format="jpg")))
    assert as_jpeg.mode == "RGB"
    on_white = Image.new("RGB", size, "white")
    on_white.paste(want, (0, 0), want)
    assert psnr(as_jpeg, on_white) >= 30  # a q85 JPEG of it


def test_an_original_turned_by_its_exif_and_in_another_colour_space_is_served_upright_in_srgb(
    app: Flask, client: FlaskClient, tokens: Any
) -> None:
    data = photos.jpeg_with_rights(width=1200, height=800, orientation=6, quality=95)
    public_id = cleared_image(client, tokens, data, "turned.jpg")
    facts = info(app, public_id)
    assert (facts.width, facts.height) == (800, 1200)
    with Image.open(io.BytesIO(data)) as stored:  # orientation 6: turn a quarter clockwise
        upright = render.to_srgb(stored).transpose(Image.Transpose.ROTATE_270)
    got = pixels(serve(app, public_id, asked((0, 0, 800, 1200), (400, 600), format="png")))
    assert psnr(got, upright.resize((400, 600), Image.Resampling.LANCZOS)) >= FLOOR_DB
    assert scale_factors(800, 1200, iiif_images.TILE) == facts.scale_factors
