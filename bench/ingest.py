"""Upload generated photos through the API and print uploads/s and the server's peak RSS.

    .venv/bin/python bench/ingest.py [--count 20] [--megapixels 2 24] [--clients 2]

Starts its own server (`vitrine run`, SQLite and a local blob directory in a temp dir,
unless VITRINE_* variables say otherwise), makes an admin token, uploads COUNT distinct
photos of each size, and samples the server's resident memory every 20 ms.
"""

from __future__ import annotations

import argparse
import io
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import requests
from PIL import Image, ImageDraw
from serving import free_port

ROOT = Path(__file__).resolve().parent.parent
VITRINE = str(ROOT / ".venv" / "bin" / "vitrine")


def photo(megapixels: float, seed: int) -> bytes:
    """A JPEG of about this many megapixels with detail (so it compresses like a photo)."""
    width = int((megapixels * 1_000_000 * 3 / 2) ** 0.5)
    height = int(width * 2 / 3)
    noise = Image.effect_noise((width, height), 40 + seed % 20).convert("RGB")
    draw = ImageDraw.Draw(noise)
    box = (width // 4, height // 4, width * 3 // 4, height * 3 // 4)
    draw.ellipse(box, fill=(seed % 255, 90, 40))
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=90)
    return out.getvalue()


class RssSampler(threading.Thread):
    """Peak resident memory of a process and its children."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.peak = 0
        self.running = True

    def run(self) -> None:
        while self.running:
            try:
                procs = [self.process, *self.process.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs))
            except psutil.Error:
                pass
            time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=20, help="photos per size")
    parser.add_argument("--megapixels", type=float, nargs="+", default=[2, 24])
    parser.add_argument("--clients", type=int, default=2, help="concurrent uploaders")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="vitrine-bench-"))
    env = {
        "VITRINE_DATABASE_URL": f"sqlite:///{workdir}/vitrine.db",
        "VITRINE_BLOB_DIR": str(workdir / "blobs"),
        "VITRINE_SPOOL_DIR": str(workdir / "spool"),
        "VITRINE_SECRET_KEY": secrets.token_urlsafe(48),
        **os.environ,
    }
    subprocess.run([VITRINE, "db", "upgrade"], env=env, check=True, capture_output=True)
    made = subprocess.run(
        [VITRINE, "tokens", "create", "--role", "admin", "--name", "bench"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    headers = {"Authorization": f"Bearer {made.stdout.strip().splitlines()[-1]}"}
    port = free_port()
    server = subprocess.Popen(
        [VITRINE, "run", "--host", "127.0.0.1", "--port", str(port), "--with-threads"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(f"{base}/healthz", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        sampler = RssSampler(server.pid)
        sampler.start()
        idle = psutil.Process(server.pid).memory_info().rss
        print(f"server idle RSS: {idle / 2**20:.0f} MiB; clients: {args.clients}")
        for megapixels in args.megapixels:
            files = [photo(megapixels, seed) for seed in range(args.count)]
            sampler.peak = 0
            latencies: list[float] = []

            def send(data: bytes, latencies: list[float] = latencies) -> None:
                started = time.perf_counter()
                response = requests.post(
                    f"{base}/api/v1/assets",
                    headers=headers,
                    files={"file": ("bench.jpg", data, "image/jpeg")},
                    timeout=300,
                )
                latencies.append(time.perf_counter() - started)
                if response.status_code != 201:
                    sys.exit(f"upload failed: {response.status_code} {response.text[:200]}")

            started = time.perf_counter()
            with ThreadPoolExecutor(args.clients) as pool:
                list(pool.map(send, files))
            elapsed = time.perf_counter() - started
            size = statistics.mean(len(f) for f in files) / 2**20
            median_ms = statistics.median(latencies) * 1000
            print(
                f"{megapixels:>4g} MP ({size:.1f} MiB each): "
                f"{len(files) / elapsed:6.2f} uploads/s, {len(files) * size / elapsed:6.1f} MiB/s, "
                f"median {median_ms:.0f} ms, peak server RSS {sampler.peak / 2**20:.0f} MiB"
            )
        sampler.running = False
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
