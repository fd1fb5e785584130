"""Peak memory of one render, per source kind, each measured in a fresh process.

    .venv/bin/python bench/render_memory.py [--cases png-rgb,jpeg-24mp,...] [--presets x,web-large]

Sources (generated with Pillow, cached in the temp directory):

- png-rgb, png-rgba, png-l, png-i16: 12000x12000 (144 MP) PNGs of one flat colour, each well
  under 1 MB: what an attacker uploads to make a small request cost gigabytes;
- png-trns: the same RGB PNG with a tRNS colour key (transparency without an alpha channel);
- jpeg-24mp: bench/variants.py's 24 MP photograph (orientation 6, Adobe-RGB-like profile);
- tiff-100mp: a 12248x8165 RGB TIFF (LZW), orientation 6.

For each source and preset it prints the peak resident memory, above the baseline (interpreter
and imports), of rendering that one preset three ways: ``original``, straight from the original
(as every render did before working copies, and as a preset needing more pixels than the
working copy still does); ``first``, the first request for an asset (decode the original, keep
its working copy, render); ``working``, every later request (render from the working copy).
Peak is Linux's VmHWM, in a fresh process per figure.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from PIL import Image, PngImagePlugin, TiffImagePlugin

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from service.media import render  # noqa: E402
from service.media.imaging import identify  # noqa: E402
from service.rules.presets import DEFAULT_PRESETS  # noqa: E402

SIDE = 12000  # 144 MP
TIFF_SIZE = (12248, 8165)  # 100 MP
LIMIT = 150_000_000  # VITRINE_MAX_PIXELS' default
GENERATOR = 1  # bump when a source changes, so cached ones are made anew
STAMP = render.RightsStamp(
    credit_line="© Trustees of the British Museum",
    creator="Jane Photographer",
    title="Hoa Hakananai'a",
    object_number="1869,1005.1",
    licence_uri=None,
    alt_text="A stone figure.",
)


def _flat_png(mode: str, colour: object, **params: object) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        if mode == "I;16":
            image = Image.new("I;16", (SIDE, SIDE))
            image.paste(int(colour), (0, 0, SIDE, SIDE))  # type: ignore[call-overload]
        else:
            image = Image.new(mode, (SIDE, SIDE), colour)  # type: ignore[arg-type]
        image.save(path, "PNG", compress_level=9, **params)

    return make


def _trns_png(path: Path) -> None:
    image = Image.new("RGB", (SIDE, SIDE), (200, 30, 40))
    image.paste((0, 255, 0), (0, 0, SIDE // 2, SIDE))  # the left half is the transparent key
    info = PngImagePlugin.PngInfo()
    image.save(path, "PNG", compress_level=9, transparency=(0, 255, 0), pnginfo=info)


def _jpeg(path: Path) -> None:
    from bench import variants

    made = variants.source("24", path.parent)
    path.write_bytes(made.read_bytes())


def _tiff(path: Path) -> None:
    image = Image.linear_gradient("L").resize(TIFF_SIZE).convert("RGB")
    info = TiffImagePlugin.ImageFileDirectory_v2()
    info[0x0112] = 6
    image.save(path, "TIFF", compression="tiff_lzw", tiffinfo=info)


CASES: dict[str, tuple[str, Callable[[Path], None]]] = {
    "png-rgb": ("png", _flat_png("RGB", (180, 40, 30))),
    "png-rgba": ("png", _flat_png("RGBA", (180, 40, 30, 128))),
    "png-l": ("png", _flat_png("L", 90)),
    "png-i16": ("png", _flat_png("I;16", 40000)),
    "png-trns": ("png", _trns_png),
    "jpeg-24mp": ("jpg", _jpeg),
    "tiff-100mp": ("tif", _tiff),
}


def source(case: str, directory: Path) -> Path:
    suffix, make = CASES[case]
    path = directory / f"vitrine-memory-v{GENERATOR}-{case}.{suffix}"
    if not path.exists():
        partial = path.with_suffix(".part")
        make(partial)
        partial.replace(path)
    return path


def _peak_kib() -> int:
    """Peak resident memory (VmHWM, which exec resets), in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM: this bench needs Linux")


def child(path: Path, preset_name: str, way: str, info: dict[str, Any]) -> None:
    """Render one preset one way, printing the peak above what the imports took."""
    preset = DEFAULT_PRESETS[preset_name]
    kwargs: dict[str, Any] = {"focal": (0.5, 0.5), "stamp": STAMP}
    if way == "working":  # from the working copy a "first" run left next to the source
        full = json.loads(working_file(path).with_suffix(".json").read_text())["full"]
        before = _peak_kib()
        render.render_variants(
            working_file(path), [preset], max_pixels=LIMIT, full_size=tuple(full), **kwargs
        )
    elif way == "first":  # what the first request costs: decode, keep a working copy, render
        from service.services import working_copy
        from service.storage.local import LocalBlobStore

        original = SimpleNamespace(sha256="0" * 64, blob_key="originals/source", **info)
        store = LocalBlobStore(tempfile.mkdtemp())
        with path.open("rb") as stream:
            store.put(original.blob_key, stream, original.media_type)
        with tempfile.TemporaryDirectory() as workdir:
            before = _peak_kib()
            working_copy.render_presets(
                store,
                original,
                [preset],
                limits=render.Limits(LIMIT),
                credit_font=render.DEFAULT_CREDIT_FONT,
                workdir=Path(workdir),
                **kwargs,
            )
            working_copy.wait_until_kept()  # stored on a thread of its own, counted too
            peak = _peak_kib()
        key = working_copy.blob_key(original.sha256)
        if store.exists(key):
            with store.open(key) as stream:
                working_file(path).write_bytes(stream.read())
            full = [original.width, original.height]
            working_file(path).with_suffix(".json").write_text(json.dumps({"full": full}))
        print(json.dumps({"baseline_kib": before, "peak_kib": peak}))
        return
    else:  # from the original, as every render did before working copies
        before = _peak_kib()
        render.render_variants(path, [preset], max_pixels=LIMIT, **kwargs)
    print(json.dumps({"baseline_kib": before, "peak_kib": _peak_kib()}))


def working_file(path: Path) -> Path:
    return path.with_name(path.name + ".working")


def measure(path: Path, preset: str, way: str, info: dict[str, Any]) -> dict[str, object]:
    command = [sys.executable, __file__, "--child", str(path), "--presets", preset]
    done = subprocess.run(
        [*command, "--way", way, "--info", json.dumps(info)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["?"])[-1][:120]}
    figures: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _has_working_copies() -> bool:
    return (ROOT / "service" / "working_copy.py").exists()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--presets", default="x,web-large")
    parser.add_argument("--sources", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--way", default="original", help=argparse.SUPPRESS)
    parser.add_argument("--info", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the sources are meant big
    if args.child:
        child(args.child, args.presets, args.way, json.loads(args.info))
        return
    ways = ["original", "first", "working"] if _has_working_copies() else ["original"]
    print(f"peak RSS above the baseline, MiB, one preset a process (Pillow {Image.__version__})")
    header = f"{'source':<12}{'size':>14}{'file':>10}  {'preset':<11}"
    print(header + "".join(f"{way:>11}" for way in ways))
    for case in args.cases.split(","):
        path = source(case, args.sources)
        shown = identify(path, LIMIT)  # here: it decodes the whole image, as ingest does
        info = {"media_type": shown.media_type, "width": shown.width, "height": shown.height}
        size = f"{shown.width}x{shown.height}"
        kib = path.stat().st_size / 1024
        file = f"{kib:.0f} KiB" if kib < 1024 else f"{kib / 1024:.1f} MiB"
        for preset in args.presets.split(","):
            cells = []
            working_file(path).unlink(missing_ok=True)
            for way in ways:
                if way == "working" and not working_file(path).exists():
                    cells.append("none kept")
                    continue
                figures = measure(path, preset, way, info)
                if "error" in figures:
                    cells.append("refused")
                    print(f"    ({case} {preset} {way}: {figures['error']})", file=sys.stderr)
                    continue
                peak = (int(str(figures["peak_kib"])) - int(str(figures["baseline_kib"]))) / 1024
                cells.append(f"{peak:.0f}")
            row = f"{case:<12}{size:>14}{file:>10}  {preset:<11}"
            print(row + "".join(f"{cell:>11}" for cell in cells))
            case, size, file = "", "", ""


if __name__ == "__main__":
    main()
