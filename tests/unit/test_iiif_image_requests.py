"""IIIF Image API 3.0 requests: every region, size and rotation form, their rounding, the
canonical form, the size limits, and the status of each refusal (all 400, as the spec asks).

Many expectations are the spec's own examples, on its 300x200 image
(https://iiif.io/api/image/3.0/#41-region and #42-size)."""

from __future__ import annotations

import pytest

from service.rules.iiif.image_requests import (
    BadImageRequest,
    ImageRequest,
    ImageRequestTooLarge,
    SizeLimits,
    UnsupportedImageRequest,
    parse,
    source_factor,
)
from service.rules.problems import Problem

ROOMY = SizeLimits(max_width=10_000, max_height=10_000, max_area=100_000_000)
W, H = 300, 200  # the spec's example image


def request(
    region: str = "full",
    size: str = "max",
    rotation: str = "0",
    quality_format: str = "default.jpg",
    *,
    width: int = W,
    height: int = H,
    limits: SizeLimits = ROOMY,
) -> ImageRequest:
    return parse(region, size, rotation, quality_format, width=width, height=height, limits=limits)


# --- regions ---------------------------------------------------------------------------------

REGIONS = [
    # (image, region, x y w h)
    ((300, 200), "full", (0, 0, 300, 200)),
    ((300, 200), "square", (50, 0, 200, 200)),  # centred on the longer side
    ((200, 300), "square", (0, 50, 200, 200)),
    ((301, 200), "square", (50, 0, 200, 200)),  # an odd margin: the extra pixel on the right
    ((300, 300), "square", (0, 0, 300, 300)),
    ((300, 200), "125,15,120,140", (125, 15, 120, 140)),  # spec example 3
    ((300, 200), "125,15,200,200", (125, 15, 175, 185)),  # spec example 5: cropped at the edge
    ((300, 200), "pct:41.6,7.5,40,70", (125, 15, 120, 140)),  # spec example 4
    ((300, 200), "pct:41.6,7.5,66.6,100", (125, 15, 175, 185)),  # spec example 6
    ((300, 200), "0,0,1,1", (0, 0, 1, 1)),
    ((300, 200), "299,199,10,10", (299, 199, 1, 1)),  # the last pixel
    ((300, 200), "0,0,300,200", (0, 0, 300, 200)),
    ((300, 200), "0,0,99999,99999", (0, 0, 300, 200)),
    ((300, 200), "pct:0,0,100,100", (0, 0, 300, 200)),
    ((300, 200), "pct:0,0,200,200", (0, 0, 300, 200)),
    ((1000, 1000), "pct:10.05,0,10,10", (101, 0, 100, 100)),  # 100.5 rounds half up, edges too
    ((1000, 1000), "pct:10.06,0,10.08,10", (101, 0, 100, 100)),  # edges 100.6, 201.4: not 100.8
    ((1000, 1000), "pct:.5,0.5,5.,5", (5, 5, 50, 50)),  # points the spec allows though frowns on
    ((1000, 1000), "pct:51,61,9,9", (510, 610, 90, 90)),  # the validator's region_percent
    ((3, 3), "pct:0,0,50,50", (0, 0, 2, 2)),  # 1.5 -> 2
]


@pytest.mark.parametrize(("image", "region", "expected"), REGIONS)
def test_a_region_is_cut_in_full_image_pixels_and_clipped_to_the_image(
    image: tuple[int, int], region: str, expected: tuple[int, int, int, int]
) -> None:
    assert request(region, width=image[0], height=image[1]).region == expected


BAD_REGIONS = [
    "",
    "ful",
    "Full",
    "full ",
    "0,0,0,10",  # no width
    "0,0,10,0",  # no height
    "300,0,10,10",  # starts right of the image
    "0,200,10,10",  # starts below it
    "pct:100,0,10,10",
    "pct:0,100,10,10",
    "pct:0,0,0.1,10",  # 0.3 pixels rounds to none
    "pct:0,0,0,0",
    "-1,0,10,10",
    "1,2,3",
    "1,2,3,4,5",
    "1.5,0,10,10",  # pixels are integers
    "pct:1,2,3",
    "PCT:1,2,3,4",
    "pct:1,2,3,4%",
    "pct:1e1,2,3,4",
    "１,2,3,4",  # a full-width digit
    "٣,0,10,10",  # an Arabic-Indic digit, which int() would read
    "1234567890,0,1,1",  # more digits than any image has pixels
    "x,y,w,h",
    "0, 0,10,10",
    "Y#k:@<",  # what the validator's region_error_random sends
]


@pytest.mark.parametrize("region", BAD_REGIONS)
def test_a_malformed_or_empty_region_is_a_400(region: str) -> None:
    with pytest.raises(BadImageRequest) as refused:
        request(region)
    assert refused.value.status == 400
    assert refused.value.extra["parameter"] == "region"


# --- sizes -----------------------------------------------------------------------------------

SIZES = [
    # (region, size, limits, output size), on the spec's 300x200 image
    ("full", "max", ROOMY, (300, 200)),
    ("full", "150,", ROOMY, (150, 100)),  # spec example 2
    ("full", ",150", ROOMY, (225, 150)),  # spec example 3
    ("full", "pct:50", ROOMY, (150, 100)),  # spec example 4
    ("full", "225,100", ROOMY, (225, 100)),  # spec example 5: distorted
    ("full", "!225,100", ROOMY, (150, 100)),  # spec example 6
    ("full", "^!360,360", ROOMY, (360, 240)),  # spec example 6, upscaled
    ("full", "^360,", ROOMY, (360, 240)),
    ("full", "^,240", ROOMY, (360, 240)),
    ("full", "^pct:120", ROOMY, (360, 240)),
    ("full", "^360,360", ROOMY, (360, 360)),
    ("full", "^150,", ROOMY, (150, 100)),  # ^ allows upscaling, it does not require it
    ("full", "^max", SizeLimits(600, 600, 10**8), (600, 400)),  # as large as the limits allow
    ("full", "^max", SizeLimits(600, 300, 10**8), (450, 300)),
    ("full", "^max", SizeLimits(600, 600, 120_000), (424, 282)),  # within the area: 119,568 px
    ("full", "^max", SizeLimits(300, 200, 60_000), (300, 200)),
    ("full", "max", SizeLimits(150, 150, 10**8), (150, 100)),  # max shrinks to the limits...
    ("full", "max", SizeLimits(10_000, 100, 10**8), (150, 100)),
    ("full", "max", SizeLimits(10_000, 10_000, 15_000), (150, 100)),
    ("full", "max", SizeLimits(10_000, 10_000, 15_001), (150, 100)),
    ("full", "!1000,100", ROOMY, (150, 100)),
    ("full", "!300,300", ROOMY, (300, 200)),  # fits at full size: no upscaling asked
    ("full", "!600,200", ROOMY, (300, 200)),
    ("full", "^!1000,1000", SizeLimits(400, 400, 100_000), (387, 258)),  # ...and so does !w,h
    ("full", "!300,200", SizeLimits(150, 150, 10**8), (150, 100)),
    ("full", "1,", ROOMY, (1, 1)),  # 0.67 rounds to 1
    ("full", "300,200", ROOMY, (300, 200)),
    ("full", "pct:100", ROOMY, (300, 200)),
    ("full", "pct:33.3", ROOMY, (100, 67)),  # 99.9 -> 100, 66.6 -> 67
    ("full", "pct:0.5", ROOMY, (2, 1)),  # 1.5 -> 2, 1.0 -> 1
    ("0,0,300,199", "150,", ROOMY, (150, 100)),  # 99.5 rounds half up
    ("0,0,299,200", ",100", ROOMY, (150, 100)),  # 149.5 too
    ("0,0,100,100", "35,35", ROOMY, (35, 35)),  # the validator's size_region
    ("square", "max", ROOMY, (200, 200)),
    ("125,15,200,200", "max", ROOMY, (175, 185)),  # the clipped region's size
    ("125,15,200,200", "^!350,350", ROOMY, (331, 350)),
]


@pytest.mark.parametrize(("region", "size", "limits", "expected"), SIZES)
def test_a_size_scales_the_region_as_the_spec_says(
    region: str, size: str, limits: SizeLimits, expected: tuple[int, int]
) -> None:
    w, h = request(region, size, limits=limits).size
    assert (w, h) == expected
    assert w <= limits.max_width and h <= limits.max_height and w * h <= limits.max_area


@pytest.mark.parametrize(
    ("size", "side"),
    [("450,", 450), (",750", 750), ("pct:45", 450), ("pct:75", 750), ("!350,750", 350),
     ("!750,350", 350), ("512,512", 512)],
)  # fmt: skip
def test_the_validators_sizes_of_its_square_image_come_out_exact(size: str, side: int) -> None:
    assert request("full", size, width=1000, height=1000).size == (side, side)


BAD_SIZES = [
    "",
    "full",  # 2.x's name for max, gone from 3.0 (the validator's size_nofull)
    "max ",
    "Max",
    "^",
    "^^max",
    "max^",
    "0,",
    ",0",
    "0,0",
    "0,10",
    "pct:0",
    "pct:0.1",  # 0.3 x 0.2 pixels
    "pct:",
    "pct:-5",
    "!0,100",
    "!100,0",
    "^!0,0",
    "1,1,1",
    "w,h",
    "1e3,",
    "Ab:y=0",  # what the validator's size_error_random sends
]


@pytest.mark.parametrize("size", BAD_SIZES)
def test_a_malformed_or_empty_size_is_a_400(size: str) -> None:
    with pytest.raises(BadImageRequest) as refused:
        request("full", size)
    assert refused.value.status == 400
    assert refused.value.extra["parameter"] == "size"


# Without ^, a size larger than the region is an error (§4.2), as the validator's size_noup
# checks: its sizes on its 1000x1000 image, then the same on the spec's.
UPSCALING_WITHOUT_CARET = [
    ((1000, 1000), "1100,1100"),
    ((1000, 1000), ",2000"),
    ((1000, 1000), "1500,"),
    ((1000, 1000), "pct:200"),
    ((1000, 1000), "!2000,3000"),  # a box the region would grow to fill (see _confined)
    ((300, 200), "301,"),
    ((300, 200), ",201"),
    ((300, 200), "301,200"),
    ((300, 200), "300,201"),
    ((300, 200), "pct:100.5"),
    ((300, 200), "!600,600"),
]


@pytest.mark.parametrize(("image", "size"), UPSCALING_WITHOUT_CARET)
def test_a_size_larger_than_the_region_without_caret_is_a_400(
    image: tuple[int, int], size: str
) -> None:
    with pytest.raises(BadImageRequest, match=r"\^") as refused:
        request("full", size, width=image[0], height=image[1])
    assert refused.value.status == 400
    assert request("full", "^" + size, width=image[0], height=image[1]).upscaled


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ("^1500,1500", (1500, 1500)),
        ("^,1500", (1500, 1500)),
        ("^1500,", (1500, 1500)),
        # As large as the limits allow (§4.2). The validator's size_up (level 3, not run at
        # level 2) expects 1000x1000 here, the image's own size, against the spec.
        ("^max", (4000, 4000)),
        ("^pct:200", (2000, 2000)),
        ("^!2000,500", (500, 500)),
        ("^!2000,3000", (2000, 2000)),
    ],
)
def test_the_validators_upscaling_requests_with_caret(size: str, expected: tuple[int, int]) -> None:
    limits = SizeLimits(max_width=4000, max_height=4000, max_area=16_000_000)
    made = request("full", size, width=1000, height=1000, limits=limits)
    assert made.size == expected


LIMITS = SizeLimits(max_width=400, max_height=400, max_area=100_000)


@pytest.mark.parametrize("size", ["^500,", "^,450", "^400,400", "^pct:200", "^401,1"])
def test_a_size_beyond_the_limits_is_a_400(size: str) -> None:
    with pytest.raises(ImageRequestTooLarge) as refused:
        request("full", size, limits=LIMITS)
    assert refused.value.status == 400
    assert refused.value.code == "image-request-too-large"


@pytest.mark.parametrize(
    ("size", "expected"),
    [("max", (300, 200)), ("^max", (387, 258)), ("^!1000,1000", (387, 258)),
     ("^400,250", (400, 250))],  # 100,000 px exactly: the area limit is inclusive
)  # fmt: skip
def test_max_and_confined_sizes_stay_within_the_limits_instead_of_failing(
    size: str, expected: tuple[int, int]
) -> None:
    assert request("full", size, limits=LIMITS).size == expected


@pytest.mark.parametrize(
    ("image", "limits"),
    [
        ((6000, 4000), SizeLimits(3000, 2000, 4_000_000)),
        ((4000, 6000), SizeLimits(3000, 3000, 4_000_000)),
        ((10_007, 13), SizeLimits(4096, 4096, 16_777_216)),
        ((13, 10_007), SizeLimits(4096, 4096, 16_777_216)),
        ((5000, 5000), SizeLimits(10_000, 10_000, 1_000_003)),  # a prime area
        ((4001, 2999), SizeLimits(10_000, 10_000, 7)),
    ],
)
def test_max_of_a_large_image_is_the_largest_size_within_every_limit(
    image: tuple[int, int], limits: SizeLimits
) -> None:
    w, h = request("full", "max", width=image[0], height=image[1], limits=limits).size
    assert w <= limits.max_width and h <= limits.max_height and w * h <= limits.max_area
    # As large as possible: one more pixel on the longer side would break a limit or the shape.
    assert (
        (w + 1 > limits.max_width)
        or (h + 1 > limits.max_height)
        or ((w + 1) * (h + 1) > limits.max_area)
    )
    # The image's shape, to rounding: at most a pixel off on either side.
    assert abs(w * image[1] - h * image[0]) <= image[0] + image[1]


# --- rotation, quality, format ------------------------------------------------------------------

ROTATIONS = [
    ("0", (False, 0)),
    ("90", (False, 90)),
    ("180", (False, 180)),
    ("270", (False, 270)),
    ("360", (False, 0)),  # a full turn is no turn
    ("90.0", (False, 90)),
    ("0.", (False, 0)),
    ("!0", (True, 0)),
    ("!90", (True, 90)),
    ("!180", (True, 180)),
    ("!270", (True, 270)),
    ("!360", (True, 0)),
]


@pytest.mark.parametrize(("rotation", "expected"), ROTATIONS)
def test_quarter_turns_and_mirroring_are_served(rotation: str, expected: tuple[bool, int]) -> None:
    made = request(rotation=rotation)
    assert (made.mirrored, made.rotation) == expected


@pytest.mark.parametrize("rotation", ["", "-90", "361", "!!0", "!", "1e2", "90deg", "90 ", "r+3;"])
def test_a_malformed_or_out_of_range_rotation_is_a_400(rotation: str) -> None:
    with pytest.raises(BadImageRequest) as refused:
        request(rotation=rotation)
    assert refused.value.status == 400
    assert refused.value.extra["parameter"] == "rotation"


@pytest.mark.parametrize("rotation", ["45", "22.5", "!345", "0.5", "359.999"])
def test_an_arbitrary_rotation_is_unsupported_and_a_400_as_the_spec_says(rotation: str) -> None:
    with pytest.raises(UnsupportedImageRequest) as refused:
        request(rotation=rotation)
    assert (refused.value.status, refused.value.code) == (400, "unsupported-image-request")


@pytest.mark.parametrize(
    ("quality_format", "quality", "image_format", "media_type"),
    [
        ("default.jpg", "default", "jpg", "image/jpeg"),
        ("color.png", "color", "png", "image/png"),
        ("gray.webp", "gray", "webp", "image/webp"),
        ("bitonal.jpg", "bitonal", "jpg", "image/jpeg"),
    ],
)
def test_qualities_and_formats(
    quality_format: str, quality: str, image_format: str, media_type: str
) -> None:
    made = request(quality_format=quality_format)
    assert (made.quality, made.format, made.media_type) == (quality, image_format, media_type)


@pytest.mark.parametrize(
    ("quality_format", "parameter"),
    [
        ("default", "format"),
        ("", "format"),
        (".jpg", "quality"),
        ("grey.jpg", "quality"),  # the validator sends gray for 3.0; grey is not a 3.0 quality
        ("Default.jpg", "quality"),
        ("native.jpg", "quality"),
        ("default.jpg.png", "quality"),
        ("a.b.c", "quality"),
        ("default.JPG", "format"),
        ("default.jpeg", "format"),
        ("default.", "format"),
        ("default.Y:z", "format"),
        ("default.bmp", "format"),
    ],
)
def test_an_unknown_quality_or_format_is_a_400(quality_format: str, parameter: str) -> None:
    with pytest.raises(BadImageRequest) as refused:
        request(quality_format=quality_format)
    assert refused.value.status == 400
    assert refused.value.extra["parameter"] == parameter


@pytest.mark.parametrize("image_format", ["tif", "gif", "jp2", "pdf"])
def test_a_format_the_spec_names_but_vitrine_does_not_encode_is_unsupported(
    image_format: str,
) -> None:
    with pytest.raises(UnsupportedImageRequest) as refused:
        request(quality_format=f"default.{image_format}")
    assert refused.value.status == 400
    assert refused.value.extra["parameter"] == "format"


def test_every_refusal_is_a_problem_with_status_400_and_its_own_code() -> None:
    classes = (BadImageRequest, UnsupportedImageRequest, ImageRequestTooLarge)
    assert all(issubclass(c, Problem) and c.status == 400 for c in classes)
    assert len({c.code for c in classes}) == 3


# --- canonical form --------------------------------------------------------------------------

CANONICAL = [
    # (region, size, rotation, quality.format, limits, canonical)
    ("full", "max", "0", "default.jpg", ROOMY, "full/max/0/default.jpg"),
    ("0,0,300,200", "300,", "0", "default.jpg", ROOMY, "full/max/0/default.jpg"),
    ("pct:0,0,100,100", "pct:100", "360", "default.jpg", ROOMY, "full/max/0/default.jpg"),
    ("pct:0,0,100,100", "pct:50", "!90", "gray.png", ROOMY, "full/150,100/!90/gray.png"),
    ("125,15,200,200", "max", "0", "color.webp", ROOMY, "125,15,175,185/max/0/color.webp"),
    ("pct:41.6,7.5,40,70", "60,", "180", "bitonal.jpg", ROOMY, "125,15,120,140/60,70/180/bitonal.jpg"),
    ("square", "100,100", "270", "default.png", ROOMY, "50,0,200,200/100,100/270/default.png"),
    ("full", "!225,100", "0", "default.jpg", ROOMY, "full/150,100/0/default.jpg"),
    ("full", ",150", "90.0", "default.jpg", ROOMY, "full/225,150/90/default.jpg"),
    ("full", "225,100", "0", "default.jpg", ROOMY, "full/225,100/0/default.jpg"),
    ("full", "^360,", "0", "default.jpg", ROOMY, "full/^360,240/0/default.jpg"),
    ("full", "^150,", "0", "default.jpg", ROOMY, "full/150,100/0/default.jpg"),
    ("full", "^300,300", "0", "default.jpg", ROOMY, "full/^300,300/0/default.jpg"),
    ("full", "^max", "0", "default.jpg", SizeLimits(600, 600, 10**8), "full/^max/0/default.jpg"),
    ("full", "^max", "0", "default.jpg", SizeLimits(300, 200, 10**8), "full/max/0/default.jpg"),
    ("full", "max", "0", "default.jpg", SizeLimits(150, 150, 10**8), "full/max/0/default.jpg"),
    ("full", "150,100", "0", "default.jpg", SizeLimits(150, 150, 10**8), "full/150,100/0/default.jpg"),
]  # fmt: skip


@pytest.mark.parametrize(("region", "size", "rotation", "qf", "limits", "expected"), CANONICAL)
def test_the_canonical_form_is_the_specs(
    region: str, size: str, rotation: str, qf: str, limits: SizeLimits, expected: str
) -> None:
    assert request(region, size, rotation, qf, limits=limits).canonical(W, H) == expected


@pytest.mark.parametrize(("region", "size", "rotation", "qf", "limits", "expected"), CANONICAL)
def test_the_canonical_form_asks_for_the_same_image(
    region: str, size: str, rotation: str, qf: str, limits: SizeLimits, expected: str
) -> None:
    made = request(region, size, rotation, qf, limits=limits)
    again = request(*made.canonical(W, H).split("/"), limits=limits)
    assert (again.region, again.size, again.mirrored, again.rotation) == (
        made.region, made.size, made.mirrored, made.rotation,
    )  # fmt: skip
    assert (again.quality, again.format) == (made.quality, made.format)
    assert again.canonical(W, H) == expected


# --- the pyramid level to cut from ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "size", "factors", "expected"),
    [
        ("full", "max", [1, 2, 4], 1),
        ("full", "500,", [1, 2, 4], 2),
        ("full", "250,", [1, 2, 4], 4),
        ("full", "251,", [1, 2, 4], 2),  # 1000 / 4 = 250 < 251: level 4 would be enlarged
        ("full", "300,", [1, 2, 4], 2),
        ("full", "100,600", [1, 2, 4, 8], 1),  # distorted: the taller side decides
        ("full", "^2000,", [1, 2, 4], 1),  # upscaling starts from the full image
        ("full", "125,", [4, 1, 2, 8], 8),  # in any order
        ("full", "125,", [], 1),
        ("0,0,512,512", "128,", [1, 2, 4, 8], 4),  # a tile at factor 4
        ("0,0,1,1", "max", [1, 2, 4], 1),  # one pixel: exact, never a level's average
    ],
)
def test_the_source_factor_is_the_smallest_level_that_still_has_the_pixels(
    region: str, size: str, factors: list[int], expected: int
) -> None:
    made = request(region, size, width=1000, height=1000)
    assert source_factor(made, factors) == expected


def test_a_one_pixel_region_at_the_edge_comes_from_the_level_whose_last_pixel_it_is() -> None:
    made = request("1000,0,1,1", "max", width=1001, height=1000)
    assert (
        source_factor(made, [1, 2, 4], image_size=(1001, 1000)) == 1
    )  # its row is not at the edge
    corner = request("1000,999,1,1", "max", width=1001, height=1000)
    # Level 2's last column is source column 1000 alone; its last row averages rows 998-999.
    assert source_factor(corner, [1, 2, 4], image_size=(1001, 1000)) == 1
    column = request("1000,0,1,1000", "1,500", width=1001, height=1000)
    assert source_factor(column, [1, 2, 4], image_size=(1001, 1000)) == 2
