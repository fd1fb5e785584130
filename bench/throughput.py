"""Requests per second and latency under gunicorn: cached variant JSON, /healthz, uploads.

    .venv/bin/python bench/throughput.py [--seconds 10] [--clients 8] [--preset x]

Starts gunicorn as production does (``gunicorn -c service/gunicorn_conf.py``) with 2 workers
(``VITRINE_WEB_WORKERS=2``; threads and the rest as the config's defaults or the
environment say) on a free port, on PostgreSQL and S3:

- with ``VITRINE_DATABASE_URL`` and ``VITRINE_BLOB_BACKEND=s3`` in the environment, those
  (migrated first, left in place);
- else the test suite's servers (``VITRINE_TEST_DATABASE_URL``, ``VITRINE_TEST_S3_*``, by
  default ``postgresql+psycopg://postgres@127.0.0.1:5432`` and the Ceph RGW on
  ``http://127.0.0.1:7480``): a fresh database and key prefix, dropped at the end.

Then, each for a fixed time (after a one-second warm-up that is not counted), CLIENTS
threads with a keep-alive ``requests.Session`` each send:

(a) ``GET /api/v1/assets/{id}/variants/{preset}`` for a cleared asset whose variant is
    already rendered: the token, the digest of what the gate reads, the gate's answer as it
    remembers it for that digest (``services/answer_cache``; computed once, on the first
    request after the render) and a signed URL; no render;
(b) ``GET /healthz``: the floor of a request through gunicorn and Flask;
(c) ``POST /api/v1/assets`` of distinct 2 MP JPEGs (each a new asset): ingest, metadata,
    S3 put. Eager renders after upload (the previews) are off (``VITRINE_EAGER_PREVIEWS``) unless
    ``--eager``: with a broker they are the workers' work, not the web tier's.

It prints requests/s (answers received within the window, as wrk counts them; requests
begun in it and answered after it are "late": their latencies count, they do not) and
p50/p95/p99/max for each, the ratio of (b) to (a), the client's own
CPU use (the client shares the machine: near 100 % of a CPU means it, not the server, was
the limit), the server's CPU per answer (gunicorn's processes, and the PostgreSQL backends of
its database when they run on this machine), and checks that ``/metrics`` (summed over the
workers through ``PROMETHEUS_MULTIPROC_DIR``) counted every upload's bytes. Any 5xx exits
non-zero.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import os
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests
from PIL import Image
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from serving import free_port, wait_ready  # noqa: E402

from tests.support.photos import adobe_rgb_like_icc, make_exif, picture, rights_xmp  # noqa: E402

BIN = ROOT / ".venv" / "bin"
CC_BY = "http://creativecommons.org/licenses/by/4.0/"
TEST_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TEST_S3 = {
    "VITRINE_TEST_S3_ENDPOINT": "http://127.0.0.1:7480",
    "VITRINE_TEST_S3_KEY": "rgwtestaccesskey",
    "VITRINE_TEST_S3_SECRET": "rgwtestsecretkey0123456789",
    "VITRINE_TEST_S3_BUCKET": "vitrine-test",
}
TWO_MP = (1732, 1155)  # 3:2, 2.0 megapixels


# ---------------------------------------------------------------- measuring


@dataclass
class Timings:
    seconds: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    sent_bytes: int = 0
    wall: float = 0.0
    late: int = 0
    client_cpu: float = 0.0
    server_cpu: dict[str, float] = field(default_factory=dict)  # seconds, over the window
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, status: int, sent: int, *, late: bool) -> None:
        """A request begun in the window; ``late`` if its answer came after the window."""
        with self.lock:
            self.seconds.append(seconds)
            self.statuses[status] += 1
            self.sent_bytes += sent
            self.late += late

    @property
    def rate(self) -> float:
        """Answers received within the window, per second (as wrk counts)."""
        return (len(self.seconds) - self.late) / self.wall

    def cpu_per_answer(self) -> str:
        """The server's CPU per answer within the window, by kind of process."""
        answers = len(self.seconds) - self.late
        return ", ".join(
            f"{name} {seconds / answers * 1000:.2f} ms" for name, seconds in self.server_cpu.items()
        )

    def percentile(self, p: int) -> float:
        """The p-th percentile in milliseconds."""
        return statistics.quantiles(self.seconds, n=100, method="inclusive")[p - 1] * 1000

    def line(self, name: str) -> str:
        statuses = ", ".join(
            f"{'failed' if code < 0 else code}: {n}" for code, n in sorted(self.statuses.items())
        )
        return (
            f"{name:<30} {len(self.seconds) - self.late:5d} in {self.wall:4.1f} s = "
            f"{self.rate:6.1f}/s   "
            f"p50 {self.percentile(50):6.1f} ms  p95 {self.percentile(95):6.1f} ms  "
            f"p99 {self.percentile(99):6.1f} ms  max {max(self.seconds) * 1000:6.0f} ms   "
            f"client CPU {self.client_cpu:3.0%}  ({statuses}; {self.late} answered late)"
        )


Request = Callable[[requests.Session], tuple[int, int]]  # -> (status, bytes sent)
# Status 0: a 200 without the expected body; -1: no answer (connection dropped, timeout).


def hammer(
    request: Request,
    clients: int,
    seconds: float,
    warmup: float = 1.0,
    cpu: Callable[[], dict[str, float]] = dict,
) -> Timings:
    """CLIENTS threads send requests back to back; only those begun in the window count.
    ``cpu`` is read as the window begins and ends: the server's CPU seconds so far, by kind."""
    timings = Timings()
    start = threading.Barrier(clients + 1)
    window: dict[str, float] = {}

    def client() -> None:
        with requests.Session() as http:
            start.wait()
            while True:
                began = time.perf_counter()
                if began >= window["end"]:
                    return
                try:
                    status, sent = request(http)
                except requests.RequestException:  # a dropped connection, a timeout
                    status, sent = -1, 0
                if began >= window["begin"]:
                    ended = time.perf_counter()
                    timings.add(ended - began, status, sent, late=ended > window["end"])

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    now = time.perf_counter()
    window.update(begin=now + warmup, end=now + warmup + seconds)
    start.wait()
    time.sleep(warmup)
    client_cpu, server_cpu = time.process_time(), cpu()
    time.sleep(max(0.0, window["end"] - time.perf_counter()))
    server_after = cpu()
    timings.server_cpu = {name: server_after[name] - server_cpu[name] for name in server_cpu}
    for thread in threads:
        thread.join()
    timings.wall = seconds
    timings.client_cpu = (time.process_time() - client_cpu) / (
        time.perf_counter() - window["begin"]
    )
    return timings


# ---------------------------------------------------------------- photographs


def two_megapixel_photo() -> bytes:
    """A 2 MP JPEG with grain (so it weighs like a photograph), EXIF, XMP rights and ICC."""
    image = picture(*TWO_MP)
    grain = Image.effect_noise(TWO_MP, 24).convert("RGB")
    image = Image.blend(image, grain, 0.25)
    out = io.BytesIO()
    image.save(
        out,
        "JPEG",
        quality=90,
        exif=make_exif(orientation=1),
        xmp=rights_xmp(),
        icc_profile=adobe_rgb_like_icc(),
    )
    return out.getvalue()


def distinct(jpeg: bytes, number: int, run: str) -> bytes:
    """The same picture as new bytes (a new asset): a JPEG comment right after SOI."""
    comment = f"throughput {run} {number}".encode()
    return jpeg[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + jpeg[2:]


# ---------------------------------------------------------------- the server


@dataclass
class Services:
    env: dict[str, str]
    description: str
    cleanup: Callable[[], None] = lambda: None


def services(environ: dict[str, str]) -> Services:
    """PostgreSQL and S3 from VITRINE_*, else a fresh database and prefix on the test servers."""
    env = dict(environ)
    if env.get("VITRINE_DATABASE_URL") and env.get("VITRINE_BLOB_BACKEND") == "s3":
        return Services(env, "VITRINE_DATABASE_URL and VITRINE_S3_* from the environment")
    server = env.get("VITRINE_TEST_DATABASE_URL") or TEST_DATABASE
    s3 = {name: env.get(name) or default for name, default in TEST_S3.items()}
    name = f"vitrine_throughput_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    env.update(
        {
            "VITRINE_DATABASE_URL": make_url(server)
            .set(database=name)
            .render_as_string(hide_password=False),
            "VITRINE_BLOB_BACKEND": "s3",
            "VITRINE_S3_ENDPOINT_URL": s3["VITRINE_TEST_S3_ENDPOINT"],
            "VITRINE_S3_ACCESS_KEY": s3["VITRINE_TEST_S3_KEY"],
            "VITRINE_S3_SECRET_KEY": s3["VITRINE_TEST_S3_SECRET"],
            "VITRINE_S3_BUCKET": s3["VITRINE_TEST_S3_BUCKET"],
            "VITRINE_S3_PATH_STYLE": "true",
            "VITRINE_S3_CREATE_BUCKET": "true",
            "VITRINE_S3_KEY_PREFIX": f"throughput-{uuid.uuid4().hex[:10]}/",
        }
    )

    def cleanup() -> None:
        from service.config import load
        from service.storage.blobs import open_store

        store = open_store(load(environ=env))
        for key in list(store.keys()):
            store.delete(key)
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    where = make_url(server).set(database=name).render_as_string(hide_password=True)
    return Services(env, f"fresh {where}, S3 {s3['VITRINE_TEST_S3_ENDPOINT']}", cleanup)


class ServerCPU:
    """CPU seconds used so far by gunicorn (its master, its workers, and the workers it has
    already replaced and reaped) and by the PostgreSQL backends serving the bench's database,
    when they run on this machine. A backend that closes between two readings takes the CPU
    it used since the first with it (a replaced worker's connections): PostgreSQL's figure is
    a floor."""

    def __init__(self, server_pid: int, database: str | None) -> None:
        self.gunicorn = psutil.Process(server_pid)
        self.database = database
        self.backends: dict[int, psutil.Process] = {}
        self.seen: dict[int, float] = {}  # each backend's CPU seconds when last read

    def __call__(self) -> dict[str, float]:
        master = self.gunicorn.cpu_times()
        used = {"gunicorn": master.user + master.system + master.children_user
                + master.children_system}  # fmt: skip
        for worker in self.gunicorn.children():
            with contextlib.suppress(psutil.Error):
                times = worker.cpu_times()
                used["gunicorn"] += times.user + times.system
        if self.database:
            used["PostgreSQL"] = sum(self._backend_seconds())
        return used

    def _backend_seconds(self) -> Iterator[float]:
        for process in psutil.process_iter(["name", "cmdline"]):
            title = " ".join(process.info["cmdline"] or [])
            if process.info["name"] == "postgres" and f" {self.database} " in f"{title} ":
                self.backends.setdefault(process.pid, process)
        for pid, backend in self.backends.items():
            with contextlib.suppress(psutil.Error):  # closed: what it used since is lost
                times = backend.cpu_times()
                self.seen[pid] = times.user + times.system
            yield self.seen.get(pid, 0.0)


def scrape(base: str) -> dict[str, float]:
    """Unlabelled samples and label-summed totals of /metrics, by sample name."""
    totals: defaultdict[str, float] = defaultdict(float)
    body = requests.get(f"{base}/metrics", timeout=30).text
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            totals[sample.name] += sample.value
    return totals


# ---------------------------------------------------------------- the run


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per kind")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--preset", default="x", help="preset of the cached variant")
    parser.add_argument("--eager", action="store_true", help="keep eager renders after upload")
    args = parser.parse_args()

    found = services(dict(os.environ))
    env = found.env
    workdir = Path(tempfile.mkdtemp(prefix="vitrine-throughput-"))
    multiproc = workdir / "prometheus"
    multiproc.mkdir()
    port = free_port()
    env.update(
        {
            "VITRINE_WEB_WORKERS": "2",
            "VITRINE_BIND": f"127.0.0.1:{port}",
            "VITRINE_WEB_LOG_LEVEL": "warning",
            "VITRINE_SPOOL_DIR": env.get("VITRINE_SPOOL_DIR") or str(workdir / "spool"),
            "VITRINE_SECRET_KEY": env.get("VITRINE_SECRET_KEY") or uuid.uuid4().hex,
            "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
        }
    )
    env.pop("VITRINE_METRICS_TOKEN", None)
    if not args.eager:
        env["VITRINE_EAGER_PRESETS"] = ""
        env["VITRINE_EAGER_PREVIEWS"] = "false"
    server = None
    log = workdir / "gunicorn.log"
    try:
        vitrine = str(BIN / "vitrine")
        subprocess.run([vitrine, "db", "upgrade"], env=env, check=True, capture_output=True)
        made = subprocess.run(
            [vitrine, "tokens", "create", "--role", "admin", "--name", f"bench-{port}"],
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
                stdout=subprocess.DEVNULL,  # gunicorn's access log
                stderr=sink,
            )
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, server, log)
        threads = env.get("VITRINE_WEB_THREADS") or "4 (default)"
        print(
            f"gunicorn -c service/gunicorn_conf.py: 2 workers x {threads} threads on "
            f"{os.cpu_count()} CPUs (shared with this client); {found.description}"
        )

        photo = two_megapixel_photo()
        run = uuid.uuid4().hex[:8]
        cleared = requests.post(
            f"{base}/api/v1/assets",
            headers=headers,
            files={"file": ("cleared.jpg", distinct(photo, 0, run), "image/jpeg")},
            data={"title": "Cleared", "alt_text": "A woven basket with a conical lid."},
            timeout=120,
        )
        cleared.raise_for_status()
        asset_id = cleared.json()["id"]
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
        variant_url = f"{base}/api/v1/assets/{asset_id}/variants/{args.preset}"
        first = time.perf_counter()
        requests.get(variant_url, headers=headers, timeout=300).raise_for_status()
        print(f"first request of the {args.preset!r} variant (renders): "
              f"{(time.perf_counter() - first) * 1000:.0f} ms")  # fmt: skip

        def variant(http: requests.Session) -> tuple[int, int]:
            response = http.get(variant_url, headers=headers, timeout=60)
            if response.status_code == 200 and "caption" not in response.json():
                return 0, 0
            return response.status_code, 0

        def healthz(http: requests.Session) -> tuple[int, int]:
            return http.get(f"{base}/healthz", timeout=60).status_code, 0

        numbers = itertools.count(1)
        counting = threading.Lock()

        def upload(http: requests.Session) -> tuple[int, int]:
            with counting:
                number = next(numbers)
            data = distinct(photo, number, run)
            response = http.post(
                f"{base}/api/v1/assets",
                headers=headers,
                files={"file": (f"bench-{number}.jpg", data, "image/jpeg")},
                timeout=300,
            )
            return response.status_code, len(data)

        cpu = ServerCPU(server.pid, make_url(env["VITRINE_DATABASE_URL"]).database)
        before = scrape(base)
        kinds = {
            f"(a) variant JSON ({args.preset})": hammer(
                variant, args.clients, args.seconds, cpu=cpu
            ),
            "(b) /healthz": hammer(healthz, args.clients, args.seconds, cpu=cpu),
        }
        uploads = hammer(upload, args.clients, args.seconds, cpu=cpu)
        kinds[f"(c) uploads, 2 MP ({len(photo) / 2**20:.2f} MiB)"] = uploads
        after = scrape(base)

        print()
        for name, timings in kinds.items():
            print(timings.line(name))
        print("\nserver CPU per answer (PostgreSQL: a floor, see ServerCPU):")
        for name, timings in kinds.items():
            print(f"  {name:<30} {timings.cpu_per_answer()}")
        cached, floor = kinds[f"(a) variant JSON ({args.preset})"], kinds["(b) /healthz"]
        print(
            f"\n/healthz : variant JSON = {floor.rate / cached.rate:.1f} x the requests/s; "
            f"variant p50 = {cached.percentile(50) / floor.percentile(50):.1f} x /healthz p50"
        )
        print(
            f"uploads: {uploads.rate:.1f} photos/s = "
            f"{uploads.rate * len(photo) / 2**20:.1f} MiB/s of 2 MP JPEG"
        )

        problems = []
        statuses = [code for timings in kinds.values() for code in timings.statuses]
        if any(code >= 500 or code <= 0 for code in statuses):
            problems.append("some requests failed, answered 5xx or a wrong body")
        if set(uploads.statuses) != {201}:
            problems.append(f"uploads answered {dict(uploads.statuses)}, not only 201")
        # Warm-up and trailing uploads are sent but not timed: /metrics saw at least these.
        counted = after["vitrine_upload_bytes_total"] - before["vitrine_upload_bytes_total"]
        misses = after["vitrine_variant_cache_total"] - before["vitrine_variant_cache_total"]
        print(
            f"/metrics (both workers): {counted / 2**20:.1f} MiB of uploads counted for "
            f"{uploads.sent_bytes / 2**20:.1f} MiB timed; {misses:.0f} variant lookups"
        )
        if counted < uploads.sent_bytes:
            problems.append("/metrics counted fewer upload bytes than were sent")
        print("checks: " + ("; ".join(problems) if problems else "no 5xx, /metrics adds up"))
        if problems:
            sys.exit(1)
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        found.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
