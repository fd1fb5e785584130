"""Helpers of the render tests: a rights stamp, presets, sources on disk, pixels read back."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageChops

from service.media.render import Rendered, RightsStamp, render_variants
from service.rules.presets import Preset

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
    """A preset with the given size and fit, the rest as the defaults."""
    return Preset(name, width, height, fit, **kw)  # type: ignore[arg-type]


def save(tmp_path: Path, data: bytes, name: str = "source") -> Path:
    """Write a source file into the test's directory."""
    path = tmp_path / name
    path.write_bytes(data)
    return path


def encode(image: Image.Image, fmt: str = "JPEG", **params: object) -> bytes:
    """The image encoded by Pillow."""
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def render_one(
    source: Path, p: Preset, *, focal: tuple[float, float] = (0.5, 0.5), stamp: RightsStamp = STAMP
) -> Rendered:
    """Render one preset with the stamp, the way the service renders a set."""
    return render_variants(source, [p], focal=focal, stamp=stamp, max_pixels=LIMIT)[p.name]


def pixels(rendered: Rendered) -> Image.Image:
    """The rendered bytes, decoded."""
    image = Image.open(io.BytesIO(rendered.data))
    image.load()
    return image


def px(image: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    """One pixel, as a tuple of channels."""
    value = image.getpixel(xy)
    assert isinstance(value, tuple)
    return value


def close(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 12) -> bool:
    """Each channel within ``tolerance``."""
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=True))


def count_colour(image: Image.Image, colour: tuple[int, int, int], tolerance: int = 40) -> int:
    """How many pixels are within ``tolerance`` of ``colour`` on every channel."""
    diff = ImageChops.difference(image.convert("RGB"), Image.new("RGB", image.size, colour))
    worst = ImageChops.lighter(ImageChops.lighter(*diff.split()[:2]), diff.split()[2])
    return sum(worst.point(lambda v: 255 if v <= tolerance else 0).histogram()[255:])
