"""Concurrent uploads (with duplicates) and variant requests: throughput and latencies.

    .venv/bin/python bench/load.py [--uploads 200] [--clients 8] [--variant-clients 8]
                                   [--variant-requests 25] [--test-services]

Starts its own server (gunicorn when installed, else ``vitrine run --with-threads``) with
the VITRINE_* settings of the environment; with none, SQLite and a local blob directory in
a temp dir. ``--test-services`` uses the PostgreSQL and S3 of the test suite instead
(VITRINE_TEST_DATABASE_URL / VITRINE_TEST_S3_*, as scripts/*-test-server.sh print them):
a fresh database, dropped at the end, and a fresh key prefix in the test bucket.

CLIENTS threads upload UPLOADS files between them (a quarter are duplicates of others,
sent from other clients) while VARIANT_CLIENTS threads each ask VARIANT_REQUESTS times for
variants of a few cleared assets in several presets. Prints requests/s and p50/p95/p99
per kind, then checks what the database holds: each distinct file is exactly one asset,
each variant key has exactly one row, ready; any 5xx or failed check exits non-zero.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests
from PIL import Image, ImageDraw
from sqlalchemy import create_engine, func, make_url, select, text

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from serving import free_port  # noqa: E402

from service.storage.models import Asset, Variant  # noqa: E402
from tests.support.photos import jpeg_with_rights  # noqa: E402

BIN = ROOT / ".venv" / "bin"
PRESETS = ("x", "instagram-square", "facebook", "linkedin", "thumb")
CC_BY = "http://creativecommons.org/licenses/by/4.0/"


def photo(seed: int, megapixels: float) -> bytes:
    """A distinct JPEG per seed, with detail so it compresses like a photo."""
    width = int((megapixels * 1_000_000 * 3 / 2) ** 0.5)
    height = int(width * 2 / 3)
    image = Image.effect_noise((width, height), 30 + seed % 40).convert("RGB")
    draw = ImageDraw.Draw(image)
    draw.rectangle((seed % width, 0, seed % width + 20, height), fill=(seed % 256, 80, 160))
    draw.text((10, 10), f"bench {seed}", fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


@dataclass
class Timings:
    seconds: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, status: int) -> None:
        with self.lock:
            self.seconds.append(seconds)
            self.statuses[status] += 1

    def line(self, name: str, wall: float) -> str:
        cuts = statistics.quantiles(self.seconds, n=100, method="inclusive")
        p50, p95, p99 = (cuts[i] * 1000 for i in (49, 94, 98))
        statuses = ", ".join(f"{code}: {n}" for code, n in sorted(self.statuses.items()))
        return (
            f"{name:<9} {len(self.seconds):5d} requests in {wall:6.1f} s = "
            f"{len(self.seconds) / wall:6.1f}/s   p50 {p50:6.0f} ms  p95 {p95:6.0f} ms  "
            f"p99 {p99:6.0f} ms   ({statuses})"
        )


def settings_for_test_services(env: dict[str, str]) -> tuple[dict[str, str], str]:
    """VITRINE_* for a fresh database and key prefix on the test suite's PostgreSQL and S3."""
    server = env.get("VITRINE_TEST_DATABASE_URL")
    endpoint = env.get("VITRINE_TEST_S3_ENDPOINT")
    if not server or not endpoint:
        sys.exit("--test-services needs VITRINE_TEST_DATABASE_URL and VITRINE_TEST_S3_*")
    name = f"vitrine_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    return {
        "VITRINE_DATABASE_URL": url,
        "VITRINE_BLOB_BACKEND": "s3",
        "VITRINE_S3_ENDPOINT_URL": endpoint,
        "VITRINE_S3_ACCESS_KEY": env.get("VITRINE_TEST_S3_KEY", ""),
        "VITRINE_S3_SECRET_KEY": env.get("VITRINE_TEST_S3_SECRET", ""),
        "VITRINE_S3_BUCKET": env.get("VITRINE_TEST_S3_BUCKET") or "vitrine-test",
        "VITRINE_S3_PATH_STYLE": "true",
        "VITRINE_S3_CREATE_BUCKET": "true",
        "VITRINE_S3_KEY_PREFIX": f"bench-{uuid.uuid4().hex[:10]}/",
    }, name


def drop_database(server: str, name: str) -> None:
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def remove_blobs(env: dict[str, str]) -> None:
    """Empty the run's key prefix in the test bucket."""
    from service.config import load
    from service.storage.blobs import open_store

    store = open_store(load(environ=env))
    for key in list(store.keys()):
        store.delete(key)


def start_server(
    env: dict[str, str], port: int, threads: int
) -> tuple[subprocess.Popen[bytes], str]:
    gunicorn = BIN / "gunicorn"
    if gunicorn.exists():
        command = [str(gunicorn), "-w", "2", "--threads", str(threads), "-b",
                   f"127.0.0.1:{port}", "service.app:create_app()"]  # fmt: skip
        kind = f"gunicorn, 2 workers x {threads} threads"
    else:
        command = [str(BIN / "vitrine"), "run", "--host", "127.0.0.1", "--port", str(port),
                   "--with-threads"]  # fmt: skip
        kind = "vitrine run --with-threads (werkzeug; gunicorn is not installed)"
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return process, kind


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--uploads", type=int, default=200, help="files sent, duplicates included")
    parser.add_argument("--clients", type=int, default=8, help="concurrent uploaders")
    parser.add_argument("--variant-clients", type=int, default=8, help="concurrent variant askers")
    parser.add_argument("--variant-requests", type=int, default=25, help="requests per asker")
    parser.add_argument("--assets", type=int, default=4, help="cleared assets for variants")
    parser.add_argument("--megapixels", type=float, default=0.5, help="size of each upload")
    parser.add_argument("--duplicates", type=float, default=0.25, help="share of duplicates")
    parser.add_argument("--test-services", action="store_true", help="use VITRINE_TEST_* services")
    args = parser.parse_args()

    env = dict(os.environ)
    workdir = Path(tempfile.mkdtemp(prefix="vitrine-load-"))
    env.setdefault("VITRINE_SPOOL_DIR", str(workdir / "spool"))
    env.setdefault("VITRINE_SECRET_KEY", uuid.uuid4().hex)
    made_database = None
    if args.test_services:
        services, made_database = settings_for_test_services(env)
        env.update(services)
    env.setdefault("VITRINE_DATABASE_URL", f"sqlite:///{workdir}/vitrine.db")
    env.setdefault("VITRINE_BLOB_DIR", str(workdir / "blobs"))
    database_url = env["VITRINE_DATABASE_URL"]
    server = None
    try:
        vitrine = str(BIN / "vitrine")
        subprocess.run([vitrine, "db", "upgrade"], env=env, check=True, capture_output=True)
        name = f"load-{uuid.uuid4().hex[:6]}"
        made = subprocess.run(
            [vitrine, "tokens", "create", "--role", "admin", "--name", name],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        headers = {"Authorization": f"Bearer {made.stdout.strip().splitlines()[-1]}"}
        port = free_port()
        server, kind = start_server(env, port, max(args.clients + args.variant_clients, 8))
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                if requests.get(f"{base}/healthz", timeout=5).ok:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.1)
        backend = make_url(database_url).get_backend_name()
        blobs = env.get("VITRINE_BLOB_BACKEND", "local")
        print(f"server: {kind}; database: {backend}; blobs: {blobs}")

        run_id = random.randrange(1 << 30)
        cleared = []
        for n in range(args.assets):
            data = jpeg_with_rights(
                width=2400 - 8 * n - (run_id % 64) * 2, height=1800, orientation=1
            )
            response = requests.post(
                f"{base}/api/v1/assets", headers=headers, timeout=120,
                files={"file": ("cleared.jpg", data, "image/jpeg")},
                data={"title": f"Cleared {n}", "alt_text": "A woven basket with a lid."},
            )  # fmt: skip
            response.raise_for_status()
            asset_id = response.json()["id"]
            rights = {"status": "cleared", "licence_uri": CC_BY, "channels": ["web", "social"]}
            requests.put(
                f"{base}/api/v1/assets/{asset_id}/rights", json=rights, headers=headers, timeout=60
            ).raise_for_status()
            # No recognisable people: an unknown status is refused on social media.
            requests.put(
                f"{base}/api/v1/assets/{asset_id}/people",
                json={"status": "none"},
                headers=headers,
                timeout=60,
            ).raise_for_status()
            cleared.append(asset_id)
        wanted = [(asset_id, preset) for asset_id in cleared for preset in PRESETS]

        distinct_count = max(1, round(args.uploads * (1 - args.duplicates)))
        distinct = [photo(run_id + n, args.megapixels) for n in range(distinct_count)]
        rng = random.Random(run_id)
        sends = distinct + [rng.choice(distinct) for _ in range(args.uploads - distinct_count)]
        rng.shuffle(sends)
        size = statistics.mean(len(d) for d in distinct) / 2**20
        print(
            f"{len(sends)} uploads ({distinct_count} distinct, {size:.2f} MiB each) from "
            f"{args.clients} clients; {args.variant_clients} x {args.variant_requests} variant "
            f"requests over {len(wanted)} variants ({len(cleared)} assets x {len(PRESETS)} presets)"
        )

        uploads, variants = Timings(), Timings()
        start = threading.Barrier(args.clients + args.variant_clients + 1)
        ends: dict[str, float] = {}

        def uploader(number: int) -> None:
            with requests.Session() as http:
                start.wait()
                for data in sends[number :: args.clients]:
                    began = time.perf_counter()
                    response = http.post(
                        f"{base}/api/v1/assets", headers=headers, timeout=300,
                        files={"file": ("load.jpg", data, "image/jpeg")},
                    )  # fmt: skip
                    uploads.add(time.perf_counter() - began, response.status_code)
            ends[f"u{number}"] = time.perf_counter()

        def asker(number: int) -> None:
            with requests.Session() as http:
                start.wait()
                for step in range(args.variant_requests):
                    asset_id, preset = wanted[(number * 3 + step) % len(wanted)]
                    began = time.perf_counter()
                    response = http.get(
                        f"{base}/api/v1/assets/{asset_id}/variants/{preset}",
                        headers=headers, timeout=300,
                    )  # fmt: skip
                    variants.add(time.perf_counter() - began, response.status_code)
            ends[f"v{number}"] = time.perf_counter()

        threads = [threading.Thread(target=uploader, args=(n,)) for n in range(args.clients)]
        threads += [threading.Thread(target=asker, args=(n,)) for n in range(args.variant_clients)]
        for thread in threads:
            thread.start()
        start.wait()
        began = time.perf_counter()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - began
        upload_wall = max(v for k, v in ends.items() if k.startswith("u")) - began
        variant_wall = max(v for k, v in ends.items() if k.startswith("v")) - began
        print(uploads.line("uploads", upload_wall))
        print(variants.line("variants", variant_wall))
        print(f"all       {len(sends) + len(variants.seconds):5d} requests in {wall:6.1f} s")

        problems = []
        if any(code >= 500 for code in [*uploads.statuses, *variants.statuses]):
            problems.append("some requests answered 5xx")
        if uploads.statuses[201] != distinct_count:
            problems.append(
                f"{uploads.statuses[201]} uploads created an asset, not {distinct_count}"
            )
        engine = create_engine(database_url)
        with engine.connect() as connection:
            per_sha = connection.execute(
                select(Asset.sha256, func.count()).group_by(Asset.sha256)
            ).all()
            rows = connection.execute(select(Variant.key, Variant.status)).all()
        engine.dispose()
        if len(per_sha) != distinct_count + len(cleared) or any(n != 1 for _, n in per_sha):
            problems.append(
                f"{len(per_sha)} distinct originals stored, not {distinct_count + len(cleared)}"
            )
        per_key = Counter(key for key, _ in rows)
        if (
            len(rows) != len(wanted)
            or max(per_key.values()) != 1
            or {s for _, s in rows} != {"ready"}
        ):
            problems.append(
                f"variant rows {len(rows)} for {len(wanted)} keys: {Counter(s for _, s in rows)}"
            )
        verdict = "each distinct file is one asset, each variant key one ready row, no 5xx"
        print("checks: " + ("; ".join(problems) if problems else verdict))
        if problems:
            sys.exit(1)
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        if made_database is not None:
            drop_database(os.environ["VITRINE_TEST_DATABASE_URL"], made_database)
            remove_blobs(env)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
