"""The corpus's entry: one file, how it is made and what an upload of it must get."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image


@dataclass(frozen=True)
class Entry:
    """One corpus file and what an upload of it must get."""

    name: str  # file name under tests/data/hostile/
    kind: str  # what it attacks (README section)
    origin: str  # how the bytes are made
    build: Callable[[], bytes]
    status: int = 201  # 201: accepted; else the 4xx the upload must answer
    code: str | None = None  # the problem code of a refusal
    size: tuple[int, int] | None = None  # accepted: width x height as displayed
    media_type: str | None = None  # accepted: the media type decided from the bytes
    filename: str | None = None  # the name sent with the upload (default: ``name``)
    fields: dict[str, str] = field(default_factory=dict)  # form fields sent along
    subset: bool = False  # also run on PostgreSQL + S3
    # Accepted: the picture the file shows (as displayed), which a variant that keeps the size
    # must look like; None where the file's colours are not meant to survive as they are.
    pixels: Callable[[], Image.Image] | None = None
    # Accepted: False where rendering every preset is not yet bounded on this branch (the
    # 144-megapixel PNG: render's decoded-pixel budget belongs to another change).
    render: bool = True

    @property
    def accepted(self) -> bool:
        return self.status == 201

    @property
    def upload_name(self) -> str:
        return self.name if self.filename is None else self.filename


# The media types an accepted entry declares.
JPEG, PNG, TIFF, WEBP, GIF = "image/jpeg", "image/png", "image/tiff", "image/webp", "image/gif"
