"""STAND-IN (helper PYR) for the IMG helper's module: only the request's shape, no parser.

The lead merges IMG's real module over this one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MEDIA_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


@dataclass(frozen=True)
class ImageRequest:
    """An Image API request resolved against the image's size."""

    region: tuple[int, int, int, int]  # x, y, w, h in full-image pixels, clipped
    size: tuple[int, int]  # output width, height before rotation
    mirrored: bool
    rotation: int  # 0, 90, 180, 270 clockwise
    quality: str  # "default" | "color" | "gray" | "bitonal"
    format: str  # "jpg" | "png" | "webp"

    def canonical(self, width: int, height: int) -> str:
        """The canonical path of this request on a ``width`` x ``height`` image."""
        x, y, w, h = self.region
        region = "full" if (x, y, w, h) == (0, 0, width, height) else f"{x},{y},{w},{h}"
        size = "max" if self.size == (w, h) else f"{self.size[0]},{self.size[1]}"
        rotation = f"{'!' if self.mirrored else ''}{self.rotation}"
        return f"{region}/{size}/{rotation}/{self.quality}.{self.format}"

    @property
    def media_type(self) -> str:
        """The media type of the answer."""
        return MEDIA_TYPES[self.format]


def source_factor(request: ImageRequest, scale_factors: Sequence[int]) -> int:
    """The largest scale factor whose level still has the pixels the request's size needs."""
    _, _, w, h = request.region
    fitting = [f for f in scale_factors if w / f >= request.size[0] and h / f >= request.size[1]]
    return max(fitting, default=1)
