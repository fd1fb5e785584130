"""The pixel limit is Vitrine's setting alone: Pillow's process-wide guard neither refuses what
VITRINE_MAX_PIXELS admits (a 200 MP scan) nor is changed by creating an app."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image

from service.media.imaging import identify
from service.rules.problems import TooManyPixels
from tests.support.api import upload

ON_SQLITE_AND_LOCAL = [
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
    pytest.mark.parametrize("blob_settings", ["local"], indirect=True),
]

WIDTH, HEIGHT = 20_000, 10_000  # 200 MP: past Pillow's own refusal at about 179 MP


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A complete black-and-white PNG of ``width`` x ``height`` pixels (1 bit each, so a
    200 MP picture is 25 MB of rows, which compress to a few hundred kilobytes)."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte, then the packed pixels
    packer = zlib.compressobj(9)
    rows = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", rows)
        + _chunk(b"IEND", b"")
    )


def test_the_limit_named_in_a_refusal_is_vitrines(tmp_path: Path) -> None:
    path = tmp_path / "scan.png"
    path.write_bytes(png_declaring(WIDTH, HEIGHT))
    with pytest.raises(TooManyPixels, match="the limit is 150,000,000"):
        identify(path, 150_000_000)
    info = identify(path, 250_000_000)
    assert (info.width, info.height) == (WIDTH, HEIGHT)


@ON_SQLITE_AND_LOCAL[0]
@ON_SQLITE_AND_LOCAL[1]
def test_an_app_admits_scans_above_pillows_default_and_leaves_pillow_as_it_was(
    make_app: Callable[..., Flask], tokens: dict[str, dict[str, str]], app: Flask
) -> None:
    before = Image.MAX_IMAGE_PIXELS
    roomy = make_app(MAX_PIXELS=300_000_000)
    make_app(MAX_PIXELS=10_000_000)  # a second app with a lower limit changes nothing for it
    assert before == Image.MAX_IMAGE_PIXELS
    answer: Any = upload(
        roomy.test_client(), tokens["contributor"], png_declaring(WIDTH, HEIGHT), "scan.png"
    )
    assert answer.status_code == 201, answer.get_json()
    assert (answer.get_json()["width"], answer.get_json()["height"]) == (WIDTH, HEIGHT)
    refused = upload(
        app.test_client(), tokens["contributor"], png_declaring(WIDTH, HEIGHT + 1), "scan.png"
    )
    assert refused.status_code == 413
    assert "150,000,000" in refused.get_json()["detail"]
