"""IIIF Image API answers for a 24 MP original: the pyramid, first tiles, kept tiles, sizes.

    .venv/bin/python bench/iiif.py [--setups sqlite-local,postgresql-s3] [--cached 300]

For each setup, builds an app (``create_app``) on a migrated SQLite file and a local store in
a temp dir, or on a fresh database on VITRINE_TEST_DATABASE_URL (dropped at the end) and a
fresh key prefix in the VITRINE_TEST_S3_* bucket (emptied at the end); postgresql-s3 runs by
default when those variables are set. Uploads a 6000 x 4000 photograph-like JPEG (q90, Adobe
RGB-like profile, grain; bench/variants.py's generator) through ``POST /api/v1/assets``,
clears it for the web, and then, each request as a route makes it (a session of its own, the
web gate ``iiif_gate.cleared_for_web``, then ``iiif_images``), prints milliseconds for:

- the gate alone, and info.json's facts (never waiting for the pyramid);
- the very first image request (builds the pyramid: one decode, every tile stored);
- the pyramid build alone (``iiif_images.prepare``), again from nothing (its blobs deleted),
  twice;
- first requests of tiles not yet kept, the pyramid built: at scale factor 1 (interior and
  edge tiles), 2, 4, and the top levels (8, 16: the whole image in one tile);
- kept tiles, p50/p95/max over --cached requests spread over the tiles asked above, and the
  blob read alone (what a kept tile costs beyond the gate);
- full/max (6000 x 4000) first and kept, and full/!1024,1024 (a size between levels, drawn
  afresh each time);
- the same kept tile through Flask's test client, when the lead's /iiif/3 routes exist.

Targets on the 2-CPU machine: first tile <= 300 ms, kept tile <= 20 ms p95.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from variants import photograph  # noqa: E402  (bench/variants.py)

from service.app import create_app  # noqa: E402
from service.cli import upgrade_database  # noqa: E402
from service.http import database as db  # noqa: E402
from service.http.transactions import transaction  # noqa: E402
from service.rules.iiif.image_requests import ImageRequest  # noqa: E402
from service.services import accounts, context, iiif_gate, iiif_images, iiif_pyramids  # noqa: E402
from tests.support.database import migrated_postgres_database  # noqa: E402
from tests.support.photos import adobe_rgb_like_icc, make_exif  # noqa: E402
from tests.support.rights import BM, CC_BY  # noqa: E402
from tests.support.services import postgres_test_url, s3_test_settings  # noqa: E402

WIDTH, HEIGHT = 6000, 4000
TILE = iiif_images.TILE
GENERATOR = 1  # bump when the photograph changes, so the cached source is made anew


def original(directory: Path) -> bytes:
    """The cached 24 MP JPEG: bench/variants.py's photograph, upright, Adobe-RGB-like."""
    path = directory / f"vitrine-bench-iiif-v{GENERATOR}-{WIDTH}x{HEIGHT}.jpg"
    if not path.exists():
        out = io.BytesIO()
        photograph(WIDTH, HEIGHT).save(out, "JPEG", quality=90, exif=make_exif(orientation=1),
                                       icc_profile=adobe_rgb_like_icc())  # fmt: skip
        partial = path.with_suffix(".part")
        partial.write_bytes(out.getvalue())
        partial.replace(path)
    return path.read_bytes()


def tile(factor: int, column: int, row: int) -> ImageRequest:
    """The Image API tile of info.json's grid at this scale factor, as the parser resolves it."""
    span = TILE * factor
    x, y = column * span, row * span
    w, h = min(span, WIDTH - x), min(span, HEIGHT - y)
    return ImageRequest((x, y, w, h), (-(-w // factor), -(-h // factor)), False, 0, "default",
                        "jpg")  # fmt: skip


def whole(size: tuple[int, int]) -> ImageRequest:
    return ImageRequest((0, 0, WIDTH, HEIGHT), size, False, 0, "default", "jpg")


@contextlib.contextmanager
def setup(name: str, workdir: Path) -> Iterator[dict[str, Any]]:
    """App settings on SQLite and a local store, or PostgreSQL and S3; removed after."""
    found: dict[str, Any] = {"SECRET_KEY": uuid.uuid4().hex, "SPOOL_DIR": str(workdir / "spool"),
                             "EAGER_PRESETS": "", "EAGER_PREVIEWS": False}  # fmt: skip
    with contextlib.ExitStack() as stack:
        if name == "postgresql-s3":
            server, s3 = postgres_test_url(), s3_test_settings()
            if server is None or s3 is None:
                sys.exit("postgresql-s3 needs VITRINE_TEST_DATABASE_URL and VITRINE_TEST_S3_*")
            found |= {**s3, "S3_KEY_PREFIX": f"bench-iiif-{uuid.uuid4().hex[:10]}/"}
            found["DATABASE_URL"] = stack.enter_context(
                migrated_postgres_database(server, "vitrine_bench_iiif")
            )
        else:
            found |= {"BLOB_BACKEND": "local", "BLOB_DIR": str(workdir / "blobs")}
            found["DATABASE_URL"] = f"sqlite:///{workdir / 'vitrine.db'}"
            upgrade_database(found["DATABASE_URL"])
        yield found


def timed(run: Callable[[], object]) -> float:
    began = time.perf_counter()
    run()
    return (time.perf_counter() - began) * 1000


def line(label: str, *values: float) -> None:
    print(f"  {label:<46}" + "".join(f"{value:9.1f}" for value in values))


def percentiles(label: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    line(f"{label} (n={len(samples)})", statistics.median(ordered), p95, ordered[-1])


def run(app: Any, data: bytes, cached: int) -> None:
    with transaction(app) as session:
        _, token = accounts.create_token(session, name="bench", role="admin", created_by="bench")
    auth = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    form = {"file": (io.BytesIO(data), "stone.jpg"), "title": "Hoa Hakananai'a",
            "object_number": "1869,1005.1", "alt_text": "A tall dark stone figure."}  # fmt: skip
    answer = client.post("/api/v1/assets", data=form, headers=auth)
    assert answer.status_code == 201, answer.get_data(as_text=True)
    asset_id, public_id, sha = answer.json["id"], answer.json["public_id"], answer.json["sha256"]
    rights = {"status": "cleared", "licence_uri": CC_BY, "channels": ["web"],
              "holder": "Trustees of the British Museum", "credit_line": BM}  # fmt: skip
    answer = client.put(f"/api/v1/assets/{asset_id}/rights", json=rights, headers=auth)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    answer = client.put(f"/api/v1/assets/{asset_id}/people", json={"status": "none"},
                        headers=auth)  # fmt: skip
    assert answer.status_code == 200, answer.get_data(as_text=True)
    services = context.of(app)

    def ask(request: ImageRequest) -> iiif_images.Served:
        with app.app_context(), db.new_session(app) as session:
            cleared = iiif_gate.cleared_for_web(session, services, public_id)
            return iiif_images.image(session, services, cleared, request)

    def gate() -> None:
        with app.app_context(), db.new_session(app) as session:
            iiif_gate.cleared_for_web(session, services, public_id)

    def facts() -> None:
        with app.app_context(), db.new_session(app) as session:
            cleared = iiif_gate.cleared_for_web(session, services, public_id)
            iiif_images.info_facts(session, services, cleared)

    for _ in range(10):  # warm-up: connections, the credit policy, the first statements
        facts()
    print(f"  {'':<46}{'p50/ms':>9}{'p95/ms':>9}{'max/ms':>9}")
    percentiles("web gate alone", [timed(gate) for _ in range(50)])
    percentiles("gate + info.json facts", [timed(facts) for _ in range(50)])
    print(f"  {'':<46}{'ms':>9}")
    line("very first request: builds the pyramid", timed(lambda: ask(tile(1, 5, 3))))
    store = services.store
    blobs = list(store.keys(iiif_pyramids.spec_prefix(sha)))
    megabytes = sum(e.size for e in store.entries(iiif_pyramids.spec_prefix(sha))) / 2**20
    print(f"  pyramid: {len(blobs) - 1} tiles, {megabytes:.1f} MiB "
          f"(the original: {len(data) / 2**20:.1f} MiB)")  # fmt: skip
    asset = _cleared(app, services, public_id).asset
    for attempt in (1, 2):
        for key in store.keys(iiif_pyramids.spec_prefix(sha)):
            store.delete(key)
        iiif_pyramids.forget(sha)
        built = timed(lambda: iiif_images.prepare(services, asset))
        line(f"pyramid build from nothing, run {attempt}", built)
    firsts = [
        ("scale 1, interior tile", tile(1, 6, 4)),
        ("scale 1, another interior tile", tile(1, 2, 1)),
        ("scale 1, last column (368 px wide)", tile(1, 11, 2)),
        ("scale 1, corner tile (368 x 416)", tile(1, 11, 7)),
        ("scale 2, interior tile", tile(2, 3, 2)),
        ("scale 4, tile", tile(4, 1, 0)),
        ("scale 8, tile (750 x 500 level)", tile(8, 0, 0)),
        ("scale 16: the whole image, 375 x 250", tile(16, 0, 0)),
    ]
    for label, request in firsts:
        line(f"first {label}", timed(lambda request=request: ask(request)))
    asked = [request for _, request in firsts] + [tile(1, 5, 3)]
    samples = [timed(lambda i=i: ask(asked[i % len(asked)])) for i in range(cached)]
    print(f"  {'':<46}{'p50/ms':>9}{'p95/ms':>9}{'max/ms':>9}")
    percentiles("kept tiles", samples)
    kept = list(store.keys(iiif_pyramids.answers_prefix(sha)))

    def read(key: str) -> None:
        with store.open(key) as stream:
            stream.read()

    percentiles("of which the blob read alone", [timed(lambda k=k: read(k)) for k in kept * 20])
    print(f"  {'':<46}{'ms':>9}{'bytes':>12}")
    full = whole((WIDTH, HEIGHT))
    for label in ("full/max, first", "full/max, kept"):
        began = time.perf_counter()
        served = ask(full)
        print(f"  {label:<46}{(time.perf_counter() - began) * 1000:9.1f}{len(served.data):12,}")
    confined = whole((1024, 683))  # full/!1024,1024
    for label in ("full/!1024,1024 (drawn each time)", "full/!1024,1024 again"):
        began = time.perf_counter()
        served = ask(confined)
        print(f"  {label:<46}{(time.perf_counter() - began) * 1000:9.1f}{len(served.data):12,}")
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    if "/iiif/3/<public_id>/<region>/<size>/<rotation>/<quality_format>" in rules:
        url = f"/iiif/3/{public_id}/{TILE * 6},{TILE * 4},{TILE},{TILE}/{TILE},/0/default.jpg"
        first = client.get(url)
        assert first.status_code == 200, first.get_data(as_text=True)[:500]
        samples = [timed(lambda: client.get(url)) for _ in range(cached)]
        print(f"  {'':<46}{'p50/ms':>9}{'p95/ms':>9}{'max/ms':>9}")
        percentiles("kept tile through Flask's test client", samples)
    else:
        print("  (no /iiif/3 image route in this app: Flask's test client not measured)")


def _cleared(app: Any, services: Any, public_id: str) -> iiif_gate.Cleared:
    with app.app_context(), db.new_session(app) as session:
        cleared = iiif_gate.cleared_for_web(session, services, public_id)
        session.expunge_all()
        return cleared


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    default = "sqlite-local" + (",postgresql-s3" if s3_test_settings() else "")
    parser.add_argument("--setups", default=default, help=f"comma-separated (default {default})")
    parser.add_argument("--cached", type=int, default=300, help="kept-tile requests timed")
    args = parser.parse_args()
    cache = Path(tempfile.gettempdir())
    began = time.perf_counter()
    data = original(cache)
    with Image.open(io.BytesIO(data)) as image:
        print(f"original: {image.size[0]}x{image.size[1]} JPEG, {len(data) / 2**20:.1f} MiB "
              f"(ready in {time.perf_counter() - began:.1f} s)")  # fmt: skip
    for name in args.setups.split(","):
        workdir = Path(tempfile.mkdtemp(prefix="vitrine-bench-iiif-"))
        print(f"\n{name}")
        with setup(name, workdir) as config:
            app = create_app(config)
            try:
                run(app, data, args.cached)
            finally:
                with contextlib.suppress(Exception):
                    store = app.extensions["vitrine.store"]
                    for key in list(store.keys()):
                        store.delete(key)
                app.extensions["vitrine.engine"].dispose()
                shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
