"""Transparency, however a file declares it, reaches the outputs: composited onto the preset's
padding colour in a JPEG, kept as alpha in WebP and AVIF.

Each source means the same picture: a transparent left third, a half-transparent middle third
(where the format has partial alpha) and an opaque right third, each with its own colour. The
table covers colour keys (PNG tRNS on 8-bit RGB, 1-, 2-, 4-, 8- and 16-bit grey, 16-bit RGB),
palettes (tRNS per entry), and alpha channels (LA, RGBA, 16-bit LA and RGBA, WebP, TIFF).
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat, features

from service.media import render
from service.media.render import RightsStamp, render_variants
from service.rules.presets import Preset

SIZE = (96, 64)
PADDING = "#3366cc"
PAD = (0x33, 0x66, 0xCC)
STAMP = RightsStamp("© Museum", "Jane Photographer", "Figure", "1869,1005.1", None, "A figure.")
FORMATS = ["jpeg", "webp"] + (["avif"] if features.check("avif") else [])
FITS = [("same", SIZE, "within"), ("cover", (40, 40), "cover"), ("contain", (120, 120), "contain")]
PRESETS = [
    Preset(f"{fit}-{fmt}", *box, fit, format=fmt, quality=95, padding=PADDING)  # type: ignore[arg-type]
    for name, box, fit in FITS
    for fmt in FORMATS
]


# ---------------------------------------------------------------- what each source means

RED, GREEN = (200, 40, 40), (40, 170, 60)


def thirds(middle: tuple[int, ...], right: tuple[int, ...]) -> Image.Image:
    """The picture a source stands for, as straight (not premultiplied) RGBA: a transparent
    left third, then ``middle`` and ``right`` (RGB or RGBA)."""
    image = Image.new("RGBA", SIZE, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    third = SIZE[0] // 3
    fill = middle if len(middle) == 4 else (*middle, 255)
    draw.rectangle((third, 0, 2 * third - 1, SIZE[1] - 1), fill=fill)
    draw.rectangle((2 * third, 0, SIZE[0] - 1, SIZE[1] - 1), fill=(*right[:3], 255))
    return image


def grey(value: int, alpha: int = 255) -> tuple[int, ...]:
    return (value, value, value, alpha)


def expected(preset: Preset, meaning: Image.Image) -> Image.Image:
    """What the preset should show: premultiplied resampling, on the padding for a JPEG."""
    box = (preset.width, preset.height)
    canvas = Image.new("RGBA", box, (*PAD, 255))
    if preset.fit == "cover":  # the middle 64x64 of the 96x64 source, focal point centred
        picture, offset = (
            meaning.crop((16, 0, 80, 64)).resize(box, Image.Resampling.BICUBIC),
            (0, 0),
        )
    elif preset.fit == "contain":
        picture, offset = meaning.resize((120, 80), Image.Resampling.BICUBIC), (0, 20)
    else:
        picture, offset = meaning, (0, 0)
    if preset.format == "jpeg":
        canvas.alpha_composite(picture, offset)
    else:  # the picture keeps its alpha; a contain canvas's padding is opaque
        canvas.paste(picture, offset)
    return canvas


# ---------------------------------------------------------------- sources


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(depth: int, colour_type: int, rows: list[bytes], trns: bytes | None = None) -> bytes:
    """A PNG written by hand, for the sample layouts Pillow cannot write (16-bit, 2-bit...)."""
    header = struct.pack(">IIBBBBB", SIZE[0], SIZE[1], depth, colour_type, 0, 0, 0)
    data = zlib.compress(b"".join(b"\x00" + row for row in rows))
    chunks = [_chunk(b"IHDR", header)]
    if trns is not None:
        chunks.append(_chunk(b"tRNS", trns))
    chunks += [_chunk(b"IDAT", data), _chunk(b"IEND", b"")]
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


def _thirds(left: object, middle: object, right: object) -> list[object]:
    third = SIZE[0] // 3
    return [left] * third + [middle] * third + [right] * (SIZE[0] - 2 * third)


def _pack_bits(values: list[int], depth: int) -> bytes:
    bits = "".join(format(value, f"0{depth}b") for value in values)
    bits += "0" * (-len(bits) % 8)
    return int(bits, 2).to_bytes(len(bits) // 8, "big")


def _save(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def rgb_key() -> bytes:
    image = Image.new("RGB", SIZE)
    for x, colour in enumerate(_thirds((0, 255, 0), (200, 40, 40), (40, 170, 60))):
        image.paste(colour, (x, 0, x + 1, SIZE[1]))  # type: ignore[arg-type]
    return _save(image, "PNG", transparency=(0, 255, 0))


def grey_key() -> bytes:
    image = Image.new("L", SIZE)
    for x, value in enumerate(_thirds(7, 120, 230)):
        image.paste(value, (x, 0, x + 1, SIZE[1]))  # type: ignore[arg-type]
    return _save(image, "PNG", transparency=7)


def grey_key_low_depth(depth: int) -> Callable[[], bytes]:
    """Grey of 1, 2 or 4 bits: Pillow scales the samples to 8 bits but not the tRNS key."""
    top = (1 << depth) - 1

    def make() -> bytes:
        middle = 120 * top // 255 if depth > 1 else top
        values = [int(v) for v in _thirds(0, middle, top)]  # type: ignore[call-overload]
        row = _pack_bits(values, depth)
        return png(depth, 0, [row] * SIZE[1], struct.pack(">H", 0))

    return make


def grey16_key() -> bytes:
    """16-bit grey keyed on 40000; its neighbours differ from the key in the low byte only."""
    values = [int(v) for v in _thirds(40000, 40001 - 9120, 59110)]  # type: ignore[call-overload]
    row = struct.pack(f">{SIZE[0]}H", *values)
    rows = [row] * (SIZE[1] - 1) + [struct.pack(f">{SIZE[0]}H", *[40001] * SIZE[0])]
    return png(16, 0, rows, struct.pack(">H", 40000))


def rgb16_key() -> bytes:
    key = (0x1234, 0xFF00, 0x5678)
    colours = _thirds(key, (200 * 257, 40 * 257, 40 * 257), (40 * 257, 170 * 257, 60 * 257))
    row = b"".join(struct.pack(">3H", *c) for c in colours)  # type: ignore[misc]
    return png(16, 2, [row] * SIZE[1], struct.pack(">3H", *key))


def palette_key() -> bytes:
    image = Image.new("P", SIZE)
    image.putpalette([0, 255, 0, 200, 40, 40, 40, 170, 60])
    for x, index in enumerate(_thirds(0, 1, 2)):
        image.paste(index, (x, 0, x + 1, SIZE[1]))  # type: ignore[arg-type]
    return _save(image, "PNG", transparency=bytes([0, 128, 255]))


def alpha_png(mode: str) -> Callable[[], bytes]:
    def make() -> bytes:
        if mode == "LA":
            return _save(thirds(grey(120, 128), grey(230)).convert("LA"), "PNG")
        return _save(thirds((*RED, 128), GREEN), "PNG")

    return make


def alpha16(is_grey: bool) -> bytes:
    """16-bit grey+alpha or RGBA, written by hand."""
    meaning = thirds(grey(120, 128), grey(230)) if is_grey else thirds((*RED, 128), GREEN)
    row = b""
    for x in range(SIZE[0]):
        r, g, b, a = meaning.getpixel((x, 0))  # type: ignore[misc]
        samples = (r, a) if is_grey else (r, g, b, a)
        row += struct.pack(f">{len(samples)}H", *(v * 257 for v in samples))
    return png(16, 4 if is_grey else 6, [row] * SIZE[1])


SOURCES: dict[str, tuple[Callable[[], bytes], Image.Image]] = {
    # name: (make the file, what it means)
    "png-rgb-trns": (rgb_key, thirds(RED, GREEN)),
    "png-grey-trns": (grey_key, thirds(grey(120), grey(230))),
    "png-grey1-trns": (grey_key_low_depth(1), thirds(grey(255), grey(255))),
    "png-grey2-trns": (grey_key_low_depth(2), thirds(grey(85), grey(255))),
    "png-grey4-trns": (grey_key_low_depth(4), thirds(grey(119), grey(255))),
    "png-grey16-trns": (grey16_key, thirds(grey(120), grey(230))),
    "png-rgb16-trns": (rgb16_key, thirds(RED, GREEN)),
    "png-palette-trns": (palette_key, thirds((*RED, 128), GREEN)),
    "png-la": (alpha_png("LA"), thirds(grey(120, 128), grey(230))),
    "png-rgba": (alpha_png("RGBA"), thirds((*RED, 128), GREEN)),
    "png-la16": (lambda: alpha16(True), thirds(grey(120, 128), grey(230))),
    "png-rgba16": (lambda: alpha16(False), thirds((*RED, 128), GREEN)),
    "webp-rgba": (
        lambda: _save(thirds((*RED, 128), GREEN), "WEBP", lossless=True),
        thirds((*RED, 128), GREEN),
    ),
    "tiff-rgba": (
        lambda: _save(thirds((*RED, 128), GREEN), "TIFF", compression="tiff_lzw"),
        thirds((*RED, 128), GREEN),
    ),
}
# 16-bit grey keyed on 40000: the last row is 40001, which differs from the key in its low
# byte only and must stay opaque (156 once scaled to 8 bits).
ImageDraw.Draw(SOURCES["png-grey16-trns"][1]).line(
    (0, SIZE[1] - 1, SIZE[0], SIZE[1] - 1), fill=grey(156)
)


def error(actual: Image.Image, wanted: Image.Image) -> float:
    """Mean difference of the premultiplied pixels and of the alpha, 0-255."""

    def premultiplied(image: Image.Image) -> Image.Image:
        rgba = image.convert("RGBA")
        black = Image.new("RGBA", rgba.size, (0, 0, 0, 255))
        flat = Image.alpha_composite(black, rgba).convert("RGB")
        return Image.merge("RGBA", (*flat.split(), rgba.getchannel("A")))

    assert actual.size == wanted.size
    difference = ImageChops.difference(premultiplied(actual), premultiplied(wanted))
    return max(ImageStat.Stat(difference).mean)


def render_all(path: Path) -> dict[str, Image.Image]:
    rendered = render_variants(path, PRESETS, focal=(0.5, 0.5), stamp=STAMP, max_pixels=10**8)
    return {name: Image.open(io.BytesIO(r.data)) for name, r in rendered.items()}


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_transparency_is_composited_onto_the_padding_for_jpeg_and_kept_as_alpha_elsewhere(
    name: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    path.write_bytes(SOURCES[name][0]())
    meaning = SOURCES[name][1]
    for preset_name, image in render_all(path).items():
        preset = next(p for p in PRESETS if p.name == preset_name)
        if preset.format == "jpeg":
            assert image.mode == "RGB"
        else:
            assert image.mode == "RGBA", f"{name} {preset_name} lost its alpha"
        tolerance = 3 if preset.fit == "same" and preset.format == "webp" else 8
        found = error(image, expected(preset, meaning))
        assert found < tolerance, f"{name} -> {preset_name}: {found:.1f}"


@pytest.mark.parametrize("name", ["png-rgb-trns", "png-grey16-trns", "png-rgba", "png-la16"])
def test_a_large_source_prepared_piece_by_piece_looks_as_if_prepared_whole(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The strip code a large decode takes gives the pixels the whole-image code gives."""
    path = tmp_path / name
    path.write_bytes(SOURCES[name][0]())
    whole = render_all(path)
    monkeypatch.setattr(render.strips, "STRIP_PIXELS", 500)  # a few rows a strip
    for preset_name, image in render_all(path).items():
        assert error(image, whole[preset_name]) < 0.5, preset_name
