"""Streamed audits over HTTP on PostgreSQL: time to first byte, total time, server memory.

    .venv/bin/python bench/audits.py [--assets 10000] [--sizes 1000,10000] [--repeat 3]

Makes a fresh database on the test suite's PostgreSQL (``VITRINE_TEST_DATABASE_URL``, by
default ``postgresql+psycopg://postgres@127.0.0.1:5432``), migrates it and loads ASSETS
synthetic assets in bulk through the project's own tables (multi-row INSERTs, not uploads):
each with three tags, most with a rights record (cleared, pending or restricted, some held
by the British Museum whose credit the policy knows), a tenth with a hand-written caption,
and raw metadata the size a camera writes. Every asset has the tag ``campaign``; the first
SIZE of them also ``first-SIZE``.

Then starts gunicorn as production does (``gunicorn -c service/gunicorn_conf.py``, one
worker, so that one process's memory is the server's) and, for each size and each of JSON
and CSV, POSTs ``/api/v1/audits`` for the tag and reads the answer as it streams: time to
the first byte of the body, total time, bytes, and the worker's resident memory (sampled
every 10 ms from /proc while the answer streams) before and at its peak: the audits run
smallest first, so a peak that grew with the number of assets would show. The answer is
checked (one report per asset, the summary adding up; CSV rows). Drops the database at the
end. The figures printed are the median of REPEAT runs.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, insert, make_url, text

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from serving import free_port, wait_ready  # noqa: E402

from service.cli.database import upgrade_database  # noqa: E402
from service.storage.models import Asset, AssetTag, Caption, RightsRecord  # noqa: E402

BIN = ROOT / ".venv" / "bin"
TEST_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CC_BY = "http://creativecommons.org/licenses/by/4.0/"
BM_HOLDER = "Trustees of the British Museum"
BM = "© Trustees of the British Museum"
BATCH = 2_000


# ---------------------------------------------------------------- the catalogue


def asset_row(number: int, now: datetime) -> dict[str, Any]:
    """One synthetic asset as ingest would have written it."""
    notice = {"value": BM, "source": "IPTC"} if number % 3 == 0 else None
    summary: dict[str, Any] = {"date_taken": "2024-05-01T10:00:00"}
    if notice:
        summary["copyright_notice"] = notice
    raw = {f"EXIF:Tag{tag}": f"value {tag} of asset {number}" for tag in range(40)}
    return {
        "id": number,
        "sha256": f"{number:064x}",
        "blob_key": f"originals/{number:064x}",
        "original_filename": f"object-{number}.jpg",
        "media_type": "image/jpeg",
        "byte_size": 2_000_000,
        "width": 3000,
        "height": 2000,
        "title": f"Object {number}: a woven basket with a conical lid",
        "object_number": f"Af1935,{number:07d}",
        "description": "Made for a wedding in Somalia. " * 6,
        "alt_text": "" if number % 11 == 0 else "A woven basket with a conical lid.",
        "uploaded_by": "bench",
        "created_at": now + timedelta(seconds=number),
        "updated_at": now + timedelta(seconds=number),
        "metadata_summary": summary,
        "metadata_raw": raw,
        "metadata_warnings": [],
        "focal_x": 0.5,
        "focal_y": 0.5,
    }


def rights_row(number: int, now: datetime) -> dict[str, Any] | None:
    """Most assets have a record: cleared, pending or restricted; a few have none."""
    kind = number % 10
    if kind == 9:
        return None  # audited with the proposal its embedded metadata makes
    status = "cleared" if kind < 6 else "pending" if kind < 8 else "restricted"
    british = number % 2 == 0
    return {
        "asset_id": number,
        "holder": BM_HOLDER if british else f"Photographer {number % 50}",
        "credit_line": BM if british else f"Photo: Photographer {number % 50}",
        "licence_uri": CC_BY if kind < 7 else None,
        "creator": "",
        "source": "",
        "copyright_year": 2020,
        "channels": ["web", "social"] if kind < 5 else ["web"],
        "embargo_until": None,
        "expires_at": date(2030, 1, 1) if kind == 1 else None,
        "status": status,
        "cleared_by": "bench" if status == "cleared" else None,
        "cleared_at": now if status == "cleared" else None,
        "notes": "",
        "proposed": False,
        "revision": 2,
        "updated_by": "bench",
        "updated_at": now,
    }


def load(url: str, assets: int, sizes: list[int]) -> float:
    """Insert the catalogue in batches; answer the seconds it took."""
    started = time.perf_counter()
    now = datetime.now(UTC) - timedelta(days=365)
    rng = random.Random(13)
    engine = create_engine(url)
    with engine.begin() as connection:
        for first in range(1, assets + 1, BATCH):
            numbers = range(first, min(first + BATCH, assets + 1))
            connection.execute(insert(Asset), [asset_row(n, now) for n in numbers])
            tags = []
            for n in numbers:
                tags.append({"asset_id": n, "tag": "campaign"})
                tags.append({"asset_id": n, "tag": rng.choice(("baskets", "textiles", "Somalia"))})
                tags += [{"asset_id": n, "tag": f"first-{size}"} for size in sizes if n <= size]
            connection.execute(insert(AssetTag), tags)
            records = [row for n in numbers if (row := rights_row(n, now)) is not None]
            connection.execute(insert(RightsRecord), records)
            captions = [
                {"asset_id": n, "platform": "default", "updated_by": "bench", "updated_at": now,
                 "text": f"Object {n}, by hand. {BM if n % 20 else ''}", "alt_text": None}
                for n in numbers if n % 10 == 3
            ]  # fmt: skip
            connection.execute(insert(Caption), captions)
        connection.execute(text("SELECT setval('assets_id_seq', :n)"), {"n": assets})
        connection.execute(text("ANALYZE"))
    engine.dispose()
    return time.perf_counter() - started


# ---------------------------------------------------------------- the server


def rss_kib(pid: int) -> int:
    """Resident memory of a process, in KiB (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def worker_pids(master: int) -> list[int]:
    """The gunicorn master's worker processes."""
    found = subprocess.run(
        ["pgrep", "-P", str(master)], capture_output=True, text=True, check=False
    )
    return [int(pid) for pid in found.stdout.split()]


# ---------------------------------------------------------------- one audit


def audit_once(
    base: str, headers: dict[str, str], tag: str, kind: str, worker: int
) -> dict[str, float]:
    """POST the audit of a tag and read the answer as it streams; check it; time it."""
    accept = "text/csv" if kind == "csv" else "application/json"
    before = rss_kib(worker)
    peak = before
    sampling = True

    def sample() -> None:
        nonlocal peak
        while sampling:
            peak = max(peak, rss_kib(worker))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    body = io.BytesIO()
    started = time.perf_counter()
    first = None
    with requests.post(
        f"{base}/api/v1/audits",
        json={"filter": {"tag": tag}},
        headers={**headers, "Accept": accept},
        stream=True,
        timeout=120,
    ) as answer:
        answer.raise_for_status()
        for piece in answer.iter_content(chunk_size=None):
            if first is None and piece:
                first = time.perf_counter() - started
            body.write(piece)
    total = time.perf_counter() - started
    sampling = False
    sampler.join()
    data = body.getvalue()
    if kind == "json":
        document = json.loads(data)
        reports = len(document["reports"])
        summary = document["summary"]
        assert summary["assets"] == reports, summary
        assert summary["passed"] + summary["warned"] + summary["failed"] == reports, summary
    else:
        rows = list(csv.reader(io.StringIO(data.decode())))
        reports = len({row[0] for row in rows[1:]})
    return {
        "first": first or total,
        "total": total,
        "bytes": len(data),
        "reports": reports,
        "rss_before": before / 1024,
        "rss_peak": peak / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--assets", type=int, default=10_000, help="assets in the catalogue")
    parser.add_argument("--sizes", default="1000", help="smaller audits too, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (median printed)")
    args = parser.parse_args()
    sizes = sorted({int(size) for size in args.sizes.split(",") if size} - {args.assets})
    sizes = [size for size in sizes if size < args.assets]

    server_url = os.environ.get("VITRINE_TEST_DATABASE_URL") or TEST_DATABASE
    name = f"vitrine_audits_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    workdir = Path(tempfile.mkdtemp(prefix="vitrine-audits-"))
    log = workdir / "gunicorn.log"
    server = None
    try:
        upgrade_database(url)
        seconds = load(url, args.assets, sizes)
        print(f"loaded {args.assets:,} assets (tags, rights, captions) in {seconds:.1f} s")
        port = free_port()
        env = {
            **os.environ,
            "VITRINE_DATABASE_URL": url,
            "VITRINE_BLOB_BACKEND": "local",
            "VITRINE_BLOB_DIR": str(workdir / "blobs"),
            "VITRINE_SPOOL_DIR": str(workdir / "spool"),
            "VITRINE_SECRET_KEY": uuid.uuid4().hex,
            "VITRINE_MAX_AUDIT_ASSETS": str(max(args.assets, 1)),
            "VITRINE_WEB_WORKERS": "1",
            "VITRINE_BIND": f"127.0.0.1:{port}",
            "VITRINE_WEB_LOG_LEVEL": "warning",
            "VITRINE_EAGER_PREVIEWS": "false",
        }
        made = subprocess.run(
            [str(BIN / "vitrine"), "tokens", "create", "--role", "viewer", "--name", "bench"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        headers = {"Authorization": f"Bearer {made.stdout.strip().splitlines()[-1]}"}
        with log.open("wb") as sink:
            server = subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", "service/gunicorn_conf.py"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=sink,
            )
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, server, log)
        [worker] = worker_pids(server.pid)
        print(f"gunicorn -c service/gunicorn_conf.py, 1 worker, on {os.cpu_count()} CPUs "
              f"(shared with this client); PostgreSQL {make_url(url).host}")  # fmt: skip
        print(f"worker RSS when ready: {rss_kib(worker) / 1024:.0f} MB")
        smallest = f"first-{sizes[0]}" if sizes else "campaign"
        audit_once(base, headers, smallest, "json", worker)  # warm: imports, connections
        print(f"{'audit':<16} {'first byte':>10} {'total':>8} {'MB sent':>8} "
              f"{'RSS before':>10} {'RSS peak':>9}")  # fmt: skip
        for size in [*sizes, args.assets]:
            tag = "campaign" if size == args.assets else f"first-{size}"
            for kind in ("json", "csv"):
                runs = [audit_once(base, headers, tag, kind, worker) for _ in range(args.repeat)]
                if any(run["reports"] != size for run in runs):
                    sys.exit(f"expected {size} reports, got {[run['reports'] for run in runs]}")

                def median(key: str, runs: list[dict[str, float]] = runs) -> float:
                    return statistics.median(run[key] for run in runs)

                print(
                    f"{size:>7,} {kind:<8} {median('first') * 1000:>7.0f} ms "
                    f"{median('total'):>6.2f} s {median('bytes') / 1e6:>8.1f} "
                    f"{median('rss_before'):>7.0f} MB {max(r['rss_peak'] for r in runs):>6.0f} MB"
                )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        print(f"dropped {name}")


if __name__ == "__main__":
    main()
