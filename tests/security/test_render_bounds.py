"""Rendering is bounded: render slots per process, a decoded-byte budget checked from the
header, one full-size decode per render, and a working copy so that later renders do not decode
a huge original again."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image, TiffImagePlugin

from service.config import ConfigError
from service.http import database as db
from service.media import render
from service.services import variants, working_copy
from service.storage.models import Variant
from tests.support import photos
from tests.support.api import clear, upload

Tokens = dict[str, dict[str, str]]
ROOT = Path(__file__).resolve().parents[2]


def cleared(client: FlaskClient, tokens: Tokens, data: bytes) -> dict[str, Any]:
    response = upload(
        client,
        tokens["contributor"],
        data,
        title="Hoa Hakananai'a",
        object_number="1869,1005.1",
        alt_text="A tall dark stone figure.",
    )
    assert response.status_code == 201, response.json
    rights = {"holder": "Trustees of the British Museum", "credit_line": "© The Trustees"}
    assert clear(client, tokens, int(response.json["id"]), **rights).status_code == 200
    body: dict[str, Any] = response.json
    return body


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    photos.picture(240, 160).resize((width, height), Image.Resampling.BICUBIC).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    picture = photos.picture(240, 160).resize((width, height), Image.Resampling.BICUBIC)
    picture.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def variant_rows(app: Flask) -> list[Variant]:
    with app.app_context(), db.new_session() as session:
        return list(session.query(Variant))


# ---------------------------------------------------------------- (a) render slots


def test_a_request_finding_every_render_slot_busy_waits_then_answers_503_render_busy(
    make_app: Callable[..., Flask], tokens: Tokens
) -> None:
    app = make_app(MAX_CONCURRENT_RENDERS=1, RENDER_WAIT_SECONDS=0.2)
    client = app.test_client()
    asset = cleared(client, tokens, png(300, 200))
    url = f"/api/v1/assets/{asset['id']}/variants/x"
    settings = variants.RenderSettings.of(app.config)
    with variants.render_slot(settings):  # another request's render holds the only slot
        busy = client.get(url, headers=tokens["viewer"])
    assert busy.status_code == 503
    assert busy.mimetype == "application/problem+json"
    assert busy.json["code"] == "render-busy"
    assert int(busy.headers["Retry-After"]) > 0
    assert variant_rows(app) == []  # the claim was given back: the next request renders
    assert client.get(url, headers=tokens["viewer"]).status_code == 200


def test_no_more_renders_run_at_once_than_the_process_has_slots(
    make_app: Callable[..., Flask], tokens: Tokens, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(MAX_CONCURRENT_RENDERS=2, RENDER_WAIT_SECONDS=60)
    asset = cleared(app.test_client(), tokens, png(300, 200))
    running, most = 0, 0
    guard = threading.Lock()
    real = render.decode

    def decode(*args: Any, **kwargs: Any) -> Any:
        nonlocal running, most
        with guard:
            running += 1
            most = max(most, running)
        try:
            time.sleep(0.2)  # long enough for the other requests to pile up
            return real(*args, **kwargs)
        finally:
            with guard:
                running -= 1

    monkeypatch.setattr(render, "decode", decode)
    results: list[int] = []
    names = ["x", "facebook", "linkedin", "instagram-square", "instagram-story", "og"]

    def ask(name: str) -> None:
        url = f"/api/v1/assets/{asset['id']}/variants/{name}"
        results.append(app.test_client().get(url, headers=tokens["viewer"]).status_code)

    threads = [threading.Thread(target=ask, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert results == [200] * len(names)
    assert most <= 2


@pytest.mark.parametrize("setting", [{"MAX_CONCURRENT_RENDERS": 0}, {"RENDER_WAIT_SECONDS": -1}])
def test_render_settings_that_cannot_work_stop_the_app_starting(
    make_app: Callable[..., Flask], setting: dict[str, Any]
) -> None:
    with pytest.raises(ConfigError):
        make_app(**setting)


# ---------------------------------------------------------------- (b) decoded bytes


def png_header_only(width: int, height: int, depth: int, colour_type: int) -> bytes:
    """A PNG that declares its size and holds no pixel data: only its header can be read."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("depth", "colour_type", "per_pixel"),
    [(8, 2, 4), (8, 6, 4), (8, 0, 1), (16, 0, 2), (8, 3, 1), (8, 4, 4)],
    ids=["rgb", "rgba", "grey", "grey16", "palette", "grey-alpha"],
)
def test_a_source_over_the_decoded_byte_budget_is_refused_from_its_header(
    tmp_path: Path, depth: int, colour_type: int, per_pixel: int
) -> None:
    path = tmp_path / "declared.png"
    path.write_bytes(png_header_only(12000, 12000, depth, colour_type))
    cost = 12000 * 12000 * per_pixel
    with pytest.raises(render.RenderError, match="VITRINE_MAX_DECODED_BYTES") as refused:
        render.decode(path, render.Limits(150_000_000, cost - 1), needs=lambda full: full)
    assert f"{cost:,} bytes" in str(refused.value)
    # Within the budget the header passes, and only then is the missing data found.
    with pytest.raises(render.RenderError, match="cannot be decoded"):
        render.decode(path, render.Limits(150_000_000, cost), needs=lambda full: full)


def test_a_jpeg_is_budgeted_at_the_scale_it_is_decoded_and_a_turned_tiff_twice(
    tmp_path: Path,
) -> None:
    path = tmp_path / "big.jpg"
    path.write_bytes(jpeg(4000, 3000))
    whole = 4000 * 3000 * 4
    eighth = 500 * 375 * 4
    limits = render.Limits(10**8, eighth)
    decoded = render.decode(path, limits, needs=lambda full: (full[0] // 8, full[1] // 8))
    assert decoded.image.size == (500, 375)
    with pytest.raises(render.RenderError, match=f"{whole:,} bytes"):
        render.decode(path, limits, needs=lambda full: full)
    tiff = tmp_path / "turned.tif"
    info = TiffImagePlugin.ImageFileDirectory_v2()
    info[0x0112] = 6
    Image.new("RGB", (300, 200)).save(tiff, "TIFF", tiffinfo=info)
    with pytest.raises(render.RenderError, match=f"{2 * 300 * 200 * 4:,} bytes"):
        render.decode(tiff, render.Limits(10**8, 300 * 200 * 4), needs=lambda full: full)


def test_a_variant_over_the_budget_is_a_422_naming_the_setting(
    make_app: Callable[..., Flask], tokens: Tokens
) -> None:
    app = make_app(MAX_DECODED_BYTES=1_000_000)  # 250,000 RGB pixels
    client = app.test_client()
    asset = cleared(client, tokens, png(600, 600))
    refused = client.get(f"/api/v1/assets/{asset['id']}/variants/x", headers=tokens["viewer"])
    assert refused.status_code == 422
    assert refused.json["code"] == "variant-impossible"
    assert "VITRINE_MAX_DECODED_BYTES" in refused.json["detail"]
    assert variant_rows(app) == []


MEMORY_CHILD = """
import json, sys
sys.path.insert(0, {root!r})
from pathlib import Path
from service.media import render
from service.rules.presets import DEFAULT_PRESETS
def peak():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
stamp = render.RightsStamp("(c) Museum", "Jane", "Figure", "1", None, "A figure.")
before = peak()
render.render_variants(Path({path!r}), [DEFAULT_PRESETS[name] for name in {presets!r}],
                       focal=(0.5, 0.5), stamp=stamp, max_pixels=10**9)
print(json.dumps({{"before": before, "peak": peak()}}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux's VmHWM")
@pytest.mark.parametrize(
    ("mode", "colour", "per_pixel"),
    [("RGBA", (180, 40, 30, 128), 4), ("I;16", 40000, 2), ("RGB", (0, 255, 0), 4)],
)
def test_a_render_holds_one_full_size_decode_and_bounded_working_images(
    tmp_path: Path, mode: str, colour: object, per_pixel: int
) -> None:
    """A 64 MP flat PNG (a few kB) costs about its decode, not a multiple of it: before, an
    RGBA source took three full-size copies (797 MiB for a 244 MiB decode) and a 16-bit one
    five. The bound is generous (decode + 256 MiB, measured: + 80-140 MiB) so that it holds on
    any machine: bench/render_memory.py gives the figures."""
    size = (8000, 8000)
    path = tmp_path / "flat.png"
    if mode == "I;16":
        grey16 = Image.new("I;16", size)
        grey16.paste(colour, (0, 0, *size))  # type: ignore[arg-type]
        grey16.save(path, "PNG")
        del grey16
    else:
        params = {"transparency": (0, 255, 0)} if mode == "RGB" else {}
        Image.new(mode, size, colour).save(path, "PNG", **params)  # type: ignore[arg-type]
    code = MEMORY_CHILD.format(root=str(ROOT), path=str(path), presets=["web-large"])
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    decoded = size[0] * size[1] * per_pixel
    used = figures["peak"] - figures["before"]
    assert used < decoded + 256 * 2**20, (
        f"{used / 2**20:.0f} MiB for a {decoded / 2**20:.0f} MiB decode"
    )


# ---------------------------------------------------------------- (c) the working copy


def fetched(client: FlaskClient, url: str, headers: dict[str, str]) -> Any:
    """GET, then wait for the working copy the request stores on a thread of its own."""
    response = client.get(url, headers=headers)
    working_copy.wait_until_kept()
    return response


def store_of(app: Flask) -> Any:
    return app.extensions["vitrine.store"]


def original_key(asset: dict[str, Any]) -> str:
    digest = asset["sha256"]
    return f"originals/{digest[:2]}/{digest[2:4]}/{digest}"


def test_a_focal_point_change_renders_from_the_working_copy_without_the_original(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    asset = cleared(client, tokens, png(900, 600))
    url = f"/api/v1/assets/{asset['id']}/variants/instagram-square"
    assert fetched(client, url, headers=tokens["viewer"]).status_code == 200
    store = store_of(app)
    key = working_copy.blob_key(asset["sha256"])
    assert store.exists(key)
    with store.open(key) as stream, Image.open(stream) as copy:
        assert (copy.format, copy.size, copy.mode) == ("JPEG", (900, 600), "RGB")
    store.delete(original_key(asset))
    moved = client.put(
        f"/api/v1/assets/{asset['id']}/focal-point",
        json={"x": 0.2, "y": 0.8},
        headers=tokens["contributor"],
    )
    assert moved.status_code == 200
    again = fetched(client, url, headers=tokens["viewer"])  # the original is gone: only the copy
    assert again.status_code == 200, again.json
    previews = fetched(
        client, f"/api/v1/assets/{asset['id']}/variants/thumb", headers=tokens["viewer"]
    )
    assert previews.status_code == 200


def test_a_missing_or_damaged_working_copy_is_made_again_from_the_original(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    asset = cleared(client, tokens, png(900, 600))
    store = store_of(app)
    key = working_copy.blob_key(asset["sha256"])
    for name, spoil in (("x", store.delete), ("facebook", None), ("linkedin", "garbage")):
        if spoil == "garbage":
            store.put(key, io.BytesIO(b"not an image at all"), "image/jpeg")
        elif callable(spoil):
            spoil(key)
        response = fetched(
            client, f"/api/v1/assets/{asset['id']}/variants/{name}", headers=tokens["viewer"]
        )
        assert response.status_code == 200, response.json
        with store.open(key) as stream, Image.open(stream) as copy:
            assert copy.size == (900, 600)


def test_a_preset_needing_more_pixels_than_the_working_copy_renders_from_the_original(
    make_app: Callable[..., Flask], tokens: Tokens
) -> None:
    app = make_app(PRESETS=json.dumps({"huge": {"width": 4800, "height": 4800, "fit": "within"}}))
    client = app.test_client()
    asset = cleared(client, tokens, jpeg(5000, 3000))
    store = store_of(app)
    key = working_copy.blob_key(asset["sha256"])
    small = fetched(client, f"/api/v1/assets/{asset['id']}/variants/x", headers=tokens["viewer"])
    assert small.status_code == 200
    with store.open(key) as stream, Image.open(stream) as copy:
        assert copy.size == (2500, 1500)  # halved: within 4096
    large = fetched(client, f"/api/v1/assets/{asset['id']}/variants/huge", headers=tokens["viewer"])
    assert large.status_code == 200, large.json
    assert (large.json["width"], large.json["height"]) == (4800, 2880)
    store.delete(original_key(asset))
    moved = client.put(
        f"/api/v1/assets/{asset['id']}/focal-point",
        json={"x": 0.2, "y": 0.8},
        headers=tokens["contributor"],
    )
    assert moved.status_code == 200
    # The copy serves x; "huge" needs the original, which is gone.
    assert (
        fetched(
            client, f"/api/v1/assets/{asset['id']}/variants/x", headers=tokens["viewer"]
        ).status_code
        == 200
    )
    assert (
        fetched(
            client, f"/api/v1/assets/{asset['id']}/variants/huge", headers=tokens["viewer"]
        ).status_code
        == 404
    )


def test_no_working_copy_is_kept_for_a_jpeg_already_within_its_size(
    app: Flask, client: FlaskClient, tokens: Tokens
) -> None:
    asset = cleared(client, tokens, jpeg(1600, 1200))
    assert (
        fetched(
            client, f"/api/v1/assets/{asset['id']}/variants/x", headers=tokens["viewer"]
        ).status_code
        == 200
    )
    assert list(store_of(app).keys(working_copy.PREFIX)) == []


def test_the_working_copy_is_purged_with_its_asset_and_storage_check_finds_only_unowned_ones(
    app: Flask,
    make_app: Callable[..., Flask],
    runner: Any,
    client: FlaskClient,
    tokens: Tokens,
) -> None:
    store = store_of(app)
    kept = cleared(client, tokens, png(300, 200))
    gone = cleared(client, tokens, png(301, 200))
    for asset in (kept, gone):
        url = f"/api/v1/assets/{asset['id']}/variants/x"
        assert fetched(client, url, headers=tokens["viewer"]).status_code == 200
        assert store.exists(working_copy.blob_key(asset["sha256"]))
    stale = working_copy.prefix(kept["sha256"]) + "upright-srgb-2048-q90-v0"
    store.put(stale, io.BytesIO(b"an older spec"), "image/jpeg")
    unowned = working_copy.blob_key("f" * 64)
    store.put(unowned, io.BytesIO(b"no such original"), "image/jpeg")

    checked = runner.invoke(args=["storage", "check", "--grace-minutes", "0"])
    assert checked.exit_code == 1
    assert f"orphan blob: {unowned}" in checked.output
    assert f"orphan blob: {stale}" in checked.output
    assert working_copy.blob_key(kept["sha256"]) not in checked.output
    assert working_copy.blob_key(gone["sha256"]) not in checked.output
    fixed = runner.invoke(args=["storage", "check", "--fix", "--grace-minutes", "0"])
    assert "removed 2 orphan blob(s)" in fixed.output
    assert store.exists(working_copy.blob_key(kept["sha256"]))

    assert client.delete(f"/api/v1/assets/{gone['id']}", headers=tokens["admin"]).status_code == 204
    purged = make_app(DELETED_RETENTION_DAYS=0).test_cli_runner().invoke(args=["purge"])
    assert f"purged 1 asset(s): {gone['id']}" in purged.output
    assert not store.exists(working_copy.blob_key(gone["sha256"]))
    assert store.exists(working_copy.blob_key(kept["sha256"]))
    assert runner.invoke(args=["storage", "check", "--grace-minutes", "0"]).exit_code == 0
