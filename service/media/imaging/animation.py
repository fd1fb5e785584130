"""Animations (GIF, WebP, AVIF): the frames after the first decoded, a GIF's blocks walked."""

from __future__ import annotations

import warnings
from pathlib import Path

from PIL import Image

# Frames after the first of a GIF, WebP or AVIF animation are decoded, one at a time, up to this
# many pixels in all (about a second); past it, a GIF's later frames are only walked to check
# that their data is all there. libwebp and libavif check the whole container as they open it.
ANIMATION_CHECK_PIXELS = 150_000_000


def animation_problem(path: Path) -> str | None:
    """The first frame after the first that does not decode, or None (GIF, WebP, AVIF)."""
    checked = 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path, formats=["GIF", "WEBP", "AVIF"]) as image:
                frames = getattr(image, "n_frames", 1)
                for frame in range(1, frames):
                    checked += image.width * image.height
                    if checked > ANIMATION_CHECK_PIXELS:
                        break
                    image.seek(frame)
                    image.load()
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        return f"has a frame that does not decode ({error})"
    with path.open("rb") as fp:
        gif = fp.read(3) == b"GIF"
    return gif_problem(path) if gif else None


def gif_problem(path: Path) -> str | None:
    """Where the GIF's blocks end before their data does, or None. A missing trailer byte
    (0x3B) after complete frames is forgiven: every pixel is there."""
    try:
        with path.open("rb") as fp:
            header = fp.read(13)
            if len(header) < 13:
                return "is cut off in its header"
            if header[10] & 0x80:
                fp.seek(3 << ((header[10] & 7) + 1), 1)
            frame = 0
            while block := fp.read(1):
                if block == b"\x3b":
                    return None
                if block == b"\x21":
                    if not fp.read(1):
                        return "is cut off in an extension"
                elif block == b"\x2c":
                    frame += 1
                    descriptor = fp.read(9)
                    if len(descriptor) < 9:
                        return f"is cut off in frame {frame}"
                    if descriptor[8] & 0x80:
                        fp.seek(3 << ((descriptor[8] & 7) + 1), 1)
                    if not fp.read(1):  # LZW minimum code size
                        return f"is cut off in frame {frame}"
                else:
                    return f"has an unknown block (0x{block[0]:02x}) after frame {frame}"
                while True:
                    size = fp.read(1)
                    if not size:
                        return f"is cut off after frame {frame}" if frame else "is cut off"
                    if size == b"\0":
                        break
                    data = fp.read(size[0])
                    if len(data) < size[0]:
                        return f"is cut off in frame {frame}" if frame else "is cut off"
    except OSError as error:
        return f"cannot be read ({error})"
    return None
