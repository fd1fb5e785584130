"""Time render_variants on generated 24, 12 and 2 MP photographs against its references.

    .venv/bin/python bench/variants.py [--repeat 3] [--sets 24,12,2] [--presets six|all]

Each source is a JPEG (q90) of photographic content (gradients, blotchy texture at three
scales, blurred shapes with edges, colour grain), stored landscape with EXIF orientation 6 and an
Adobe-RGB-like ICC profile, so decoding, turning and the colour conversion are all real work. It
is generated deterministically with Pillow alone and cached in the temp directory.

For every source it prints wall and CPU ms, as medians of --repeat rounds after one warm-up,
each round running every measurement once in turn:

- vitrine: ``render_variants`` for the whole set, and for each preset alone;
- naive: one full-size decode, colour conversion and turn, then LANCZOS from full size and
  the same encode for each preset;
- floor: decoding at the DCT scale the set needs plus encoding the outputs (each once, in turn,
  with vitrine's encoder and settings): what no pipeline that decodes and encodes can beat;
- pyvips (bench-only, never a runtime dependency): load once with shrink-on-load, turn, keep
  in memory, then ``thumbnail_image`` per preset (colour managed to sRGB) and a JPEG save;
- peak RSS of one vitrine set, measured in a fresh subprocess per source;
- working copy: the first request for the first preset through ``working_copy.render_presets``
  (decode the original, keep its working copy in a local store, render), a later request for it
  (from the copy where the copy holds enough pixels), and later requests for every preset.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from PIL import Image, ImageChops, ImageDraw, ImageFilter, features

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from service.media import imaging, render  # noqa: E402
from service.media.render import RightsStamp, render_variants  # noqa: E402
from service.rules import geometry  # noqa: E402
from service.rules.presets import DEFAULT_PRESETS, Preset  # noqa: E402
from service.services import working_copy  # noqa: E402
from service.storage.local import LocalBlobStore  # noqa: E402
from tests.support.photos import adobe_rgb_like_icc, make_exif  # noqa: E402

SIZES = {"24": (6000, 4000), "12": (4256, 2832), "2": (1728, 1152)}  # stored, 3:2 landscape
SIX = ("x", "instagram-square", "instagram-portrait", "instagram-story", "facebook", "linkedin")
FOCAL = (0.5, 0.5)
LIMIT = 100_000_000
GENERATOR = 1  # bump when photograph() changes, so cached sources are made anew
STAMP = RightsStamp(
    credit_line="© Trustees of the British Museum",
    creator="Jane Photographer",
    title="Hoa Hakananai'a",
    object_number="1869,1005.1",
    licence_uri="https://creativecommons.org/licenses/by-nc-sa/4.0/",
    alt_text="A tall dark stone figure with a heavy brow and long ears, seen from the front.",
)


# ---------------------------------------------------------------- sources


def _noise(size: tuple[int, int], sigma: float) -> Image.Image:
    return Image.effect_noise(size, sigma)


def _texture(size: tuple[int, int], cell: int, sigma: float) -> Image.Image:
    """Grey blotches about ``cell`` px across: noise at 1/cell scale, enlarged smoothly."""
    small = (max(2, size[0] // cell + 2), max(2, size[1] // cell + 2))
    return _noise(small, sigma).resize(size, Image.Resampling.BICUBIC)


def photograph(width: int, height: int, seed: int = 7) -> Image.Image:
    """A deterministic photograph-like RGB image: light, texture, edges and grain."""
    size = (width, height)
    # Light: a broad gradient per channel, in three directions, toned down towards stone colours.
    ramp = Image.linear_gradient("L")
    light = Image.merge(
        "RGB",
        (
            ramp.resize(size, Image.Resampling.BICUBIC),
            Image.radial_gradient("L").resize(size, Image.Resampling.BICUBIC),
            ramp.transpose(Image.Transpose.ROTATE_90).resize(size, Image.Resampling.BICUBIC),
        ),
    )
    light = Image.blend(light, Image.new("RGB", size, (150, 122, 96)), 0.55)
    # Texture at three scales, mostly in luminance, a little in colour.
    grey = Image.blend(_texture(size, 96, 60), _texture(size, 24, 50), 0.5)
    grey = Image.blend(grey, _texture(size, 5, 40), 0.35).convert("RGB")
    tint = Image.merge("RGB", [_texture(size, 64, 50) for _ in range(3)])
    texture = Image.blend(grey, tint, 0.3)
    picture = ImageChops.overlay(light, texture)
    # Objects: shapes with edges, slightly out of focus, as a lens draws them.
    rng = random.Random(seed)
    shapes = picture.copy()
    draw = ImageDraw.Draw(shapes)
    scale = min(size) / 40
    for _ in range(60):
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        w, h = rng.uniform(1, 8) * scale, rng.uniform(1, 8) * scale
        colour = tuple(rng.randrange(30, 230) for _ in range(3))
        box = (x, y, x + w, y + h)
        if rng.random() < 0.5:
            draw.ellipse(box, fill=colour, outline=(20, 20, 20), width=max(1, int(scale / 8)))
        else:
            draw.rectangle(box, fill=colour)
    shapes = shapes.filter(ImageFilter.GaussianBlur(1.2))
    picture = Image.blend(picture, ImageChops.multiply(shapes, texture.convert("RGB")), 0.45)
    picture = Image.blend(picture, shapes, 0.35)
    picture = picture.filter(ImageFilter.UnsharpMask(radius=2, percent=60, threshold=2))
    # Colour grain, as a sensor at ISO 800 leaves it.
    grain = Image.merge("RGB", [_noise(size, 9) for _ in range(3)])
    return ImageChops.add(picture, grain, scale=1.0, offset=-128)


def source(megapixels: str, directory: Path) -> Path:
    """The cached JPEG of this size (stored landscape, orientation 6, Adobe-RGB-like ICC)."""
    width, height = SIZES[megapixels]
    path = directory / f"vitrine-bench-v{GENERATOR}-{width}x{height}.jpg"
    if not path.exists():
        buffer = io.BytesIO()
        photograph(width, height).save(
            buffer,
            "JPEG",
            quality=90,
            icc_profile=adobe_rgb_like_icc(),
            exif=make_exif(orientation=6),
        )
        partial = path.with_suffix(".part")
        partial.write_bytes(buffer.getvalue())
        partial.replace(path)
    return path


# ---------------------------------------------------------------- timing


@dataclass(frozen=True)
class Timing:
    ms: float  # wall clock
    cpu: float  # CPU time of all the process's threads


def round_robin(runs: dict[str, Callable[[], object]], repeat: int) -> dict[str, Timing]:
    """Median wall and CPU ms of each run, ``repeat`` rounds after a warm-up.

    One round runs each once, in turn, so that whatever else the machine is doing weighs on
    every figure alike and the ratios hold even when the absolute times wander.
    """
    for run in runs.values():
        run()  # warm-up: fonts, profiles, page faults
    wall: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            run()
            wall[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - started_cpu)
    return {
        name: Timing(statistics.median(wall[name]) * 1000, statistics.median(cpu[name]) * 1000)
        for name in runs
    }


def vitrine(path: Path, presets: Sequence[Preset]) -> dict[str, render.Rendered]:
    return render_variants(path, presets, focal=FOCAL, stamp=STAMP, max_pixels=LIMIT)


def naive(path: Path, presets: Sequence[Preset]) -> None:
    """Full decode, colour and turn once, then crop and LANCZOS from full size per preset."""
    with Image.open(path) as image:
        orientation = imaging.exif_orientation(image)
        image.load()
        base = render.to_srgb(image)
    if orientation in render._TRANSPOSE:
        base = base.transpose(render._TRANSPOSE[orientation])
    exif, xmp = render.exif_block(STAMP), render.xmp_packet(STAMP)
    for preset in presets:
        plan = geometry.plan(base.size, preset, FOCAL)
        out = base.resize(plan.size, Image.Resampling.LANCZOS, box=plan.crop)
        if plan.canvas != plan.size:
            canvas = Image.new(out.mode, plan.canvas, preset.padding)
            canvas.paste(out, plan.offset)
            out = canvas
        render._encode_within_budget(out, preset, exif, xmp)


def working_copy_runs(
    path: Path, presets: Sequence[Preset], directory: Path
) -> tuple[Callable[[], None], Callable[[], None], Callable[[], None], tuple[int, int] | None]:
    """(the first request for the first preset: no working copy yet; a later request for it;
    later requests for every preset, one each; the working copy's size) through a local store,
    as the API renders them (service.services.working_copy.render_presets)."""
    info = imaging.identify(path, LIMIT)
    original = SimpleNamespace(
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        blob_key="originals/bench",
        media_type=info.media_type,
        width=info.width,
        height=info.height,
    )
    store = LocalBlobStore(directory)
    with path.open("rb") as stream:
        store.put(original.blob_key, stream, info.media_type)

    def request(chosen: Sequence[Preset]) -> None:
        with tempfile.TemporaryDirectory(prefix="vitrine-bench-") as workdir:
            working_copy.render_presets(
                store,
                original,
                chosen,
                focal=FOCAL,
                stamp=STAMP,
                limits=render.Limits(LIMIT),
                credit_font=render.DEFAULT_CREDIT_FONT,
                workdir=Path(workdir),
            )

    def first() -> None:
        store.delete(working_copy.blob_key(original.sha256))
        request(presets[:1])

    def later_set() -> None:
        for preset in presets:
            request([preset])

    return first, lambda: request(presets[:1]), later_set, working_copy.kept_size(original)


def draft_request(path: Path, presets: Sequence[Preset]) -> tuple[tuple[int, int], int]:
    """(the size render asks Image.draft for, in stored orientation; the DCT shrink 1/2/4/8)."""
    with Image.open(path) as image:
        width, height = image.size
        turned = imaging.exif_orientation(image) in (5, 6, 7, 8)
    full = (height, width) if turned else (width, height)
    want = geometry.draft_size(full, [geometry.plan(full, p, FOCAL) for p in presets])
    want = (want[1], want[0]) if turned else want
    shrink = max(
        k for k in (1, 2, 4, 8) if -(-width // k) >= want[0] and -(-height // k) >= want[1]
    )
    return want, shrink


def floor_runs(
    path: Path, presets: Sequence[Preset], outputs: dict[str, render.Rendered]
) -> tuple[Callable[[], None], Callable[[], None]]:
    """(decode at the set's DCT scale, encode the set's outputs one after another)."""
    want, _ = draft_request(path, presets)

    def decode() -> None:
        with Image.open(path) as image:
            image.draft(image.mode, want)
            image.load()

    images = []
    for preset in presets:
        with Image.open(io.BytesIO(outputs[preset.name].data)) as image:
            images.append((preset, outputs[preset.name].quality, image.convert("RGB")))
    exif, xmp = render.exif_block(STAMP), render.xmp_packet(STAMP)

    def encode() -> None:
        for preset, quality, image in images:
            render._encode(image, preset, quality, exif, xmp)

    return decode, encode


def pyvips_set(path: Path, presets: Sequence[Preset], shrink: int) -> Callable[[], None] | None:
    try:
        import pyvips  # type: ignore[import-not-found]
    except (ImportError, OSError):
        return None

    def run() -> None:
        # Converting once on the shrunk image beat thumbnail_image(export_profile="srgb") per
        # output here: libvips converts through float Lab, and six outputs outnumber its pixels.
        image = pyvips.Image.new_from_file(str(path), shrink=shrink).autorot()
        image = image.icc_transform("srgb", embedded=True, intent="relative").copy_memory()
        for preset in presets:
            if preset.fit == "cover":
                out = image.thumbnail_image(preset.width, height=preset.height, crop="centre")
            else:  # within and contain fit inside the box; within never enlarges
                size = "down" if preset.fit == "within" else "both"
                out = image.thumbnail_image(preset.width, height=preset.height, size=size)
            if preset.format == "jpeg":
                out.jpegsave_buffer(
                    Q=preset.quality, optimize_coding=True, interlace=True, keep="icc"
                )
            else:
                out.write_to_buffer(f".{preset.format}", Q=preset.quality)

    return run


# ---------------------------------------------------------------- peak RSS, in a fresh process


def _peak_kib() -> int:
    """This process's peak resident memory in KiB.

    Linux's VmHWM, which exec resets: ru_maxrss would also count the pages of the forked
    parent, which a child shares before it execs.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS


def rss_child(path: Path, names: Sequence[str]) -> None:
    presets = [DEFAULT_PRESETS[name] for name in names]
    before = _peak_kib()
    vitrine(path, presets)
    print(json.dumps({"baseline_kib": before, "peak_kib": _peak_kib()}))


def peak_rss(path: Path, names: Sequence[str]) -> tuple[float, float]:
    """(MiB before rendering — interpreter and imports —, peak MiB of one vitrine set)."""
    done = subprocess.run(
        [sys.executable, __file__, "--rss-child", str(path), "--presets", ",".join(names)],
        check=True,
        capture_output=True,
        text=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return figures["baseline_kib"] / 1024, figures["peak_kib"] / 1024


# ---------------------------------------------------------------- report


def ratio(numerator: float | None, denominator: float | None) -> str:
    if numerator is None or denominator is None or denominator == 0:
        return "-"
    return f"{numerator / denominator:.2f}x"


def bench_source(mp: str, path: Path, names: Sequence[str], repeat: int) -> dict[str, Any]:
    presets = [DEFAULT_PRESETS[name] for name in names]
    with Image.open(path) as image:
        stored = image.size
    data = path.read_bytes()
    _, shrink = draft_request(path, presets)
    outputs = vitrine(path, presets)
    decoded = next(iter(outputs.values())).decoded_size
    decode, encode = floor_runs(path, presets, outputs)
    runs: dict[str, Callable[[], object]] = {
        "set": lambda: vitrine(path, presets),
        "naive": lambda: naive(path, presets),
        "decode": decode,
        "encode": encode,
    }
    vips = pyvips_set(path, presets, shrink)
    if vips is not None:
        runs["pyvips"] = vips
    for preset in presets:
        runs[preset.name] = lambda preset=preset: vitrine(path, [preset])
    store_dir = tempfile.TemporaryDirectory(prefix="vitrine-bench-store-")
    first, later, later_set, kept = working_copy_runs(path, presets, Path(store_dir.name))
    # In this order: first makes the copy, which is stored on a thread of its own (not timed
    # as the request's, as it does not keep the request waiting: "settle" waits for it).
    runs |= {"first": first, "settle": working_copy.wait_until_kept, "later": later}
    runs["later set"] = later_set
    t = round_robin(runs, repeat)
    store_dir.cleanup()
    floor = Timing(t["decode"].ms + t["encode"].ms, t["decode"].cpu + t["encode"].cpu)
    baseline, peak = peak_rss(path, names)

    def line(label: str, timing: Timing, note: str = "") -> None:
        print(f"   {label:<38}{timing.ms:8.1f} ms {timing.cpu:8.1f} ms   {note}".rstrip())

    print(
        f"\n== {mp} MP: {stored[0]}x{stored[1]} stored, orientation 6, "
        f"{len(data) / 2**20:.1f} MiB ({8 * len(data) / (stored[0] * stored[1]):.2f} bit/px), "
        f"sha256 {hashlib.sha256(data).hexdigest()[:12]}; decoded at 1/{shrink}: "
        f"{decoded[0]}x{decoded[1]} (oriented)"
    )
    print(f"   {'':<38}{'wall':>11} {'CPU':>11}")
    line("vitrine set", t["set"], f"peak RSS {peak:.0f} MiB ({baseline:.0f} before rendering)")
    for preset in presets:
        r = outputs[preset.name]
        line(f"  {preset.name} {r.width}x{r.height} alone", t[preset.name])
    alone = Timing(sum(t[p.name].ms for p in presets), sum(t[p.name].cpu for p in presets))
    line("  sum of the presets alone", alone)
    lead = presets[0].name
    copy = f"working copy {kept[0]}x{kept[1]}" if kept else "no working copy (a JPEG within it)"
    line(f"  {lead}, first request", t["first"], f"decode, keep the {copy}, render")
    line(f"  {lead}, later requests", t["later"], "from the working copy where it serves")
    line("  set, later requests", t["later set"], "one request per preset, as the API renders")
    line("naive", t["naive"])
    line("floor", floor, f"decode {t['decode'].ms:.1f} + encode outputs {t['encode'].ms:.1f}")
    if vips is not None:
        line("pyvips load-once", t["pyvips"], f"shrink-on-load {shrink}")
    else:
        print(f"   {'pyvips load-once':<38}pyvips: not installed")
    return {
        "mp": mp,
        "alone": t[lead].ms,
        "first": t["first"].ms,
        "later": t["later"].ms,
        "set": t["set"].ms,
        "naive": t["naive"].ms,
        "floor": floor.ms,
        "pyvips": t["pyvips"].ms if vips is not None else None,
        "peak": peak,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs; the median is shown")
    parser.add_argument("--sets", default="24,12,2", help="source sizes in MP: 24, 12, 2")
    parser.add_argument("--presets", default="six", help="six (cover JPEGs), all, or names")
    parser.add_argument("--sources", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--rss-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.presets == "six":
        names: list[str] = list(SIX)
    elif args.presets == "all":
        names = list(DEFAULT_PRESETS)
    else:
        names = args.presets.split(",")
    unknown = [name for name in names if name not in DEFAULT_PRESETS]
    if unknown:
        parser.error(f"unknown presets: {', '.join(unknown)}")
    if args.rss_child:
        rss_child(args.rss_child, names)
        return
    sets = [s.strip() for s in args.sets.split(",")]
    if bad := [s for s in sets if s not in SIZES]:
        parser.error(f"unknown set sizes: {', '.join(bad)} (use {', '.join(SIZES)})")

    paths = {mp: source(mp, args.sources) for mp in sets}  # generated before any timing
    try:
        import pyvips

        vips_version = f"libvips {pyvips.version(0)}.{pyvips.version(1)}.{pyvips.version(2)}"
    except (ImportError, OSError):
        vips_version = "pyvips: not installed"
    print(
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"Pillow {Image.__version__} (libjpeg-turbo {features.version('libjpeg_turbo')}), "
        f"{vips_version}, {os.cpu_count()} CPUs; presets: {', '.join(names)}; "
        f"median of {args.repeat}"
    )
    rows = [bench_source(mp, paths[mp], names, args.repeat) for mp in sets]

    print()
    header = (
        f"{'source':<7}{'vitrine':>9}{'naive':>9}{'floor':>9}{'pyvips':>9}"
        f"{'vit/floor':>11}{'naive/vit':>11}{'vit/pyvips':>12}{'peak RSS':>10}"
        f"{'alone':>8}{'first':>8}{'later':>8}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        vips = f"{row['pyvips']:.0f}" if row["pyvips"] else "-"
        print(
            f"{row['mp'] + ' MP':<7}{row['set']:>9.0f}{row['naive']:>9.0f}{row['floor']:>9.0f}"
            f"{vips:>9}{ratio(row['set'], row['floor']):>11}"
            f"{ratio(row['naive'], row['set']):>11}{ratio(row['set'], row['pyvips']):>12}"
            f"{row['peak']:>6.0f} MiB{row['alone']:>8.0f}{row['first']:>8.0f}{row['later']:>8.0f}"
        )
    print("(ms, medians; target for 24 MP: vit/floor <= 2, naive/vit >= 4, peak RSS < 150 MB;")
    print(" alone/first/later: the first preset from the original, its first request keeping a")
    print(" working copy, its later requests from that copy)")


if __name__ == "__main__":
    main()
