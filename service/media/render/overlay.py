"""The credit line burned into the pixels: the font, its size, fitting and drawing the text."""

from __future__ import annotations

import functools
import hashlib
import math
import unicodedata
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from service.media.render.errors import RenderError

# Credit overlay: white text on black at 72% opacity. Over the brightest possible pixel the box
# is (71, 71, 71), which gives white text a contrast ratio of about 9:1 (WCAG asks 4.5:1).
BOX_ALPHA = 184
TEXT_RGBA = (255, 255, 255, 255)
FONT_SCALE = 0.026  # of the geometric mean of the output's sides
MIN_FONT_PX = 10  # long credits shrink to this, then wrap; never smaller
# Pillow's bundled font has ASCII only ("Musée" came out "Mus▯e"). DejaVu Sans covers Latin,
# Greek, Cyrillic, Hebrew, Arabic and more; VITRINE_CREDIT_FONT names another (Noto Sans CJK
# for Chinese and Japanese credits, say). Text the font cannot draw is refused, never boxed.
DEFAULT_CREDIT_FONT = Path(__file__).parents[2] / "data" / "fonts" / "DejaVuSans.ttf"
# A private-use code point no font maps: what the font draws for a character it lacks.
_SURELY_MISSING = "\U0010fffd"


def load_font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    """The TrueType/OpenType font at ``path``; ValueError if it is not one."""
    try:
        return ImageFont.truetype(str(path), size)
    except OSError as error:
        raise ValueError(f"{path} is not a font Pillow can read: {error}") from None


def font_identity(path: Path) -> str:
    """Name and digest of a font file: a variant key changes when the font does, even when the
    file is replaced in place."""
    stat = path.stat()
    return _font_digest(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _font_digest(path: Path, _mtime_ns: int, _size: int) -> str:
    return f"{path.name}:{hashlib.sha256(path.read_bytes()).hexdigest()[:16]}"


def missing_glyphs(font: ImageFont.FreeTypeFont, text: str) -> str:
    """The characters of ``text`` (each once) that ``font`` would draw as its missing-glyph box."""

    def drawn(char: str) -> tuple[tuple[int, int], bytes]:
        mask = font.getmask(char)
        return mask.size, bytes(mask)

    box = drawn(_SURELY_MISSING)
    # Spaces, controls and format characters draw nothing whether the font has them or not;
    # private-use and (to this Python) unassigned characters are checked like any other.
    invisible = ("Zs", "Zl", "Zp", "Cc", "Cf")
    shown = (char for char in dict.fromkeys(text) if unicodedata.category(char) not in invisible)
    return "".join(char for char in shown if drawn(char) == box)


def credit_font_size(width: int, height: int) -> int:
    """Font pixel size for an output: 2.6% of sqrt(w*h), at least MIN_FONT_PX + 2.

    400x400 gets 12 px, 1080x1080 28 px, 1200x630 23 px, 2000x1500 45 px.
    """
    return max(MIN_FONT_PX + 2, round(FONT_SCALE * math.sqrt(width * height)))


def _fit_text(
    text: str, size: int, room: int, font_path: Path
) -> tuple[list[str], ImageFont.FreeTypeFont]:
    """Lines and font for ``text`` within ``room`` px: shrink (to MIN_FONT_PX), then wrap."""
    font = load_font(font_path, size)
    if missing := missing_glyphs(font, text):
        raise RenderError(
            f"the credit font {font_path.name} cannot draw {missing!r} of the credit line; "
            "set VITRINE_CREDIT_FONT to a font that can (such as Noto Sans CJK for Chinese "
            "and Japanese)"
        )
    length = font.getlength(text)
    if length > room:
        font = load_font(font_path, max(MIN_FONT_PX, math.floor(size * room / length * 0.98)))
    lines: list[str] = []
    for word in text.split():
        trial = f"{lines[-1]} {word}" if lines else word
        if lines and font.getlength(trial) <= room:
            lines[-1] = trial
        else:
            lines.append(word)
    if any(font.getlength(line) > room for line in lines):
        raise RenderError(f"the credit line does not fit legibly in {room} px: {text!r}")
    return lines, font


def burn_in_credit(
    image: Image.Image, text: str, placement: str, font_path: Path = DEFAULT_CREDIT_FONT
) -> None:
    """Draw ``text`` in white on a dark box (corner) or full-width band, in place."""
    if not text.strip():
        raise RenderError("the credit line to burn in is empty")
    width, height = image.size
    size = credit_font_size(width, height)
    margin, pad = max(4, round(size * 0.6)), max(3, round(size * 0.4))
    room = width - 2 * pad - (0 if placement == "band" else 2 * margin)
    lines, font = _fit_text(" ".join(text.split()), size, room, font_path)
    block = "\n".join(lines)
    spacing = max(2, round(font.size * 0.25))
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    bbox = probe.multiline_textbbox((0, 0), block, font=font, spacing=spacing)
    left, top, right, bottom = (math.floor(bbox[0]), math.floor(bbox[1]), *map(math.ceil, bbox[2:]))
    box_w = width if placement == "band" else right - left + 2 * pad
    box_h = bottom - top + 2 * pad
    if box_h > height // 3:
        raise RenderError(f"the credit line needs {box_h} px of a {height} px high image")
    x0 = {"band": 0, "bottom-left": margin}.get(placement, width - margin - box_w)
    y0 = height - box_h - (0 if placement == "band" else margin)
    layer = Image.new("RGBA", (box_w, box_h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    if placement == "band":
        draw.rectangle((0, 0, box_w - 1, box_h - 1), fill=(0, 0, 0, BOX_ALPHA))
        text_x = (box_w - (right - left)) // 2
    else:
        draw.rounded_rectangle((0, 0, box_w - 1, box_h - 1), radius=pad, fill=(0, 0, 0, BOX_ALPHA))
        text_x = pad
    align = "center" if placement == "band" else "left"
    draw.multiline_text(
        (text_x - left, pad - top), block, font=font, fill=TEXT_RGBA, spacing=spacing, align=align
    )
    if image.mode == "RGBA":
        image.alpha_composite(layer, (x0, y0))
    else:
        image.paste(layer, (x0, y0), layer)
