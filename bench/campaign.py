"""A week's campaign: the plan import, the campaign audit and the bundle export, in process.

    .venv/bin/python bench/campaign.py [--backend sqlite|postgresql] [--store local|s3]
        [--days 7] [--posts-per-day 7] [--photos 16] [--repeat 10]

Builds an app (``create_app``) on a migrated SQLite file in a temp dir or a fresh database
on VITRINE_TEST_DATABASE_URL (dropped at the end), and a local store or a fresh key prefix
on the VITRINE_TEST_S3_* bucket (emptied at the end); no eager renders. Uploads PHOTOS
3000 x 2000 JPEGs with grain, EXIF, XMP and ICC through ``POST /api/v1/assets``, described
and cleared for social media by two holders (the British Museum, whose credit the policy
knows, and the V&A with its credit line). Then, through Flask's test client, with the SQL
statements counted by a ``before_cursor_execute`` listener on the app's engine:

1. ``campaign_plans.import_plan`` of a plan of DAYS days x POSTS-PER-DAY posts, 90 minutes
   apart on three sets of platforms, every seventh post a carousel of 4 (the first import
   is kept; REPEAT more, under other names, are rolled back: warm);
2. ``GET /api/v1/campaigns/{id}/audit``: the first request (cold) and REPEAT more (warm);
3. ``GET /api/v1/campaigns/{id}/bundle``, its body streamed and dropped: the first export
   (renders every variant), the second (all rendered), wall time to the headers (audit,
   renders, marking) and to the last byte, bytes, MB/s, process RSS growth (peak sampled
   every 10 ms); then a third with tracemalloc traced only while the body streams.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import psutil
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from service.app import create_app  # noqa: E402
from service.cli import upgrade_database  # noqa: E402
from service.http.transactions import transaction  # noqa: E402
from service.services import accounts, campaign_plans  # noqa: E402
from tests.support.database import counting_statements, migrated_postgres_database  # noqa: E402
from tests.support.photos import adobe_rgb_like_icc, make_exif, picture, rights_xmp  # noqa: E402
from tests.support.rights import CC_BY  # noqa: E402
from tests.support.services import postgres_test_url, s3_test_settings  # noqa: E402

SIZE = (3000, 2000)
VA = ("Victoria and Albert Museum", "© Victoria and Albert Museum, London")
PLATFORMS = (["x", "bluesky", "mastodon"], ["instagram", "facebook"], ["linkedin", "bluesky"])


def photograph() -> bytes:
    """A 6 MP JPEG (q90) that weighs like a photograph: content, grain, EXIF, XMP, ICC."""
    image = Image.blend(picture(*SIZE), Image.effect_noise(SIZE, 40).convert("RGB"), 0.4)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=make_exif(orientation=1), xmp=rights_xmp(),
               icc_profile=adobe_rgb_like_icc())  # fmt: skip
    return out.getvalue()


def distinct(jpeg: bytes, number: int) -> bytes:
    """The same picture as new bytes (another asset): a JPEG comment right after SOI."""
    comment = f"campaign bench {uuid.uuid4().hex} {number}".encode()
    return jpeg[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + jpeg[2:]


def week_plan(name: str, asset_ids: list[int], days: int, per_day: int) -> dict[str, Any]:
    """DAYS days from a week ahead, POSTS-PER-DAY posts each; every seventh a carousel of 4."""
    first, number, plan_days = date.today() + timedelta(days=7), 0, []
    for day in range(days):
        posts = []
        for slot in range(per_day):
            count = 4 if number % 7 == 3 else 1
            media = [{"asset_id": asset_ids[(number * 3 + k) % len(asset_ids)]}
                     for k in range(count)]  # fmt: skip
            minutes = 8 * 60 + slot * 90
            posts.append({"time": f"{minutes // 60:02d}:{minutes % 60:02d}",
                          "platforms": PLATFORMS[number % 3], "media": media})  # fmt: skip
            number += 1
        when = (first + timedelta(days=day)).isoformat()
        plan_days.append({"date": when, "theme": f"Day {day + 1}",
                          "hashtag": f"#day{day + 1}MW", "posts": posts})  # fmt: skip
    return {"name": name, "hashtag": "#MuseumWeek", "timezone": "Europe/London", "days": plan_days}


@contextlib.contextmanager
def settings(backend: str, store: str, workdir: Path) -> Iterator[dict[str, Any]]:
    """App settings on the chosen database and store; what they made is removed after."""
    found: dict[str, Any] = {"SECRET_KEY": uuid.uuid4().hex, "SPOOL_DIR": str(workdir / "spool"),
                             "EAGER_PRESETS": "", "EAGER_PREVIEWS": False}  # fmt: skip
    if store == "s3":
        s3 = s3_test_settings()
        if s3 is None:
            sys.exit("--store s3 needs VITRINE_TEST_S3_ENDPOINT (source the test env)")
        found |= {**s3, "S3_KEY_PREFIX": f"bench-campaign-{uuid.uuid4().hex[:10]}/"}
    else:
        found |= {"BLOB_BACKEND": "local", "BLOB_DIR": str(workdir / "blobs")}
    with contextlib.ExitStack() as stack:
        if backend == "postgresql":
            server = postgres_test_url()
            if server is None:
                sys.exit("--backend postgresql needs VITRINE_TEST_DATABASE_URL answering")
            found["DATABASE_URL"] = stack.enter_context(
                migrated_postgres_database(server, "vitrine_bench_campaign")
            )
        else:
            found["DATABASE_URL"] = f"sqlite:///{workdir / 'vitrine.db'}"
            upgrade_database(found["DATABASE_URL"])
        yield found


class RssPeak:
    """The process's resident memory, sampled every 10 ms while the block runs."""

    def __enter__(self) -> RssPeak:
        self.process, self.running = psutil.Process(), True
        self.before = self.peak = self.process.memory_info().rss
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self) -> None:
        while self.running:
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.01)

    def __exit__(self, *_: object) -> None:
        self.running = False
        self.thread.join()


def export(client: Any, url: str, headers: dict[str, str], traced: bool = False) -> dict[str, Any]:
    """GET the bundle, its body streamed and dropped: seconds, bytes, memory."""
    with RssPeak() as rss:
        began = time.perf_counter()
        response = client.get(url, headers=headers, buffered=False)
        assert response.status_code == 200, response.get_data(as_text=True)[:2000]
        headed, sent = time.perf_counter() - began, 0
        if traced:
            tracemalloc.start()
        with open("/dev/null", "wb") as sink:
            for piece in response.response:
                sent += len(piece)
                sink.write(piece)
        response.close()
        total = time.perf_counter() - began
        peak = tracemalloc.get_traced_memory()[1] if traced else 0
        tracemalloc.stop()
    return {"headers": headed, "total": total, "bytes": sent, "traced": peak,
            "rss": (rss.peak - rss.before) / 2**20, "rss_peak": rss.peak / 2**20}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--store", choices=("local", "s3"), default="local")
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--posts-per-day", type=int, default=7)
    parser.add_argument("--photos", type=int, default=16, help="photographs uploaded")
    parser.add_argument("--repeat", type=int, default=10, help="warm runs (median printed)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="vitrine-bench-campaign-"))
    with settings(args.backend, args.store, workdir) as config:
        app = create_app(config)
        try:
            run(app, args)
        finally:
            with contextlib.suppress(Exception):
                store = app.extensions["vitrine.store"]
                for key in list(store.keys()):
                    store.delete(key)
            app.extensions["vitrine.engine"].dispose()
            shutil.rmtree(workdir, ignore_errors=True)


def run(app: Any, args: argparse.Namespace) -> None:
    with transaction(app) as session:
        _, token = accounts.create_token(session, name="bench", role="admin", created_by="bench")
    auth = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    print(f"{args.backend} + {args.store} store, in process (Flask test client), "
          f"{psutil.cpu_count()} CPUs shared with a running test suite")  # fmt: skip

    began, jpeg, asset_ids = time.perf_counter(), photograph(), []
    for number in range(args.photos):
        form = {"file": (io.BytesIO(distinct(jpeg, number)), f"object-{number}.jpg"),
                "title": f"Object {number}", "object_number": f"MW2026,{number:04d}",
                "alt_text": f"Object {number}, seen from the front on a grey ground."}  # fmt: skip
        answer = client.post("/api/v1/assets", data=form, headers=auth)
        assert answer.status_code == 201, answer.get_data(as_text=True)
        asset_id = answer.json["id"]
        rights = {"status": "cleared", "licence_uri": CC_BY, "channels": ["web", "social"]}
        if number % 2:
            rights |= {"holder": VA[0], "credit_line": VA[1]}
        answer = client.put(f"/api/v1/assets/{asset_id}/rights", json=rights, headers=auth)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        # The rights desk also says the photograph shows no recognisable people: an unknown
        # status is refused on social media (VITRINE_PEOPLE_UNKNOWN_BLOCKS).
        none = client.put(f"/api/v1/assets/{asset_id}/people", json={"status": "none"},
                          headers=auth)  # fmt: skip
        assert none.status_code == 200, none.get_data(as_text=True)
        asset_ids.append(asset_id)
    print(f"uploaded and cleared {args.photos} photos of {len(jpeg) / 2**20:.1f} MiB, "
          f"{SIZE[0]}x{SIZE[1]}, two holders, in {time.perf_counter() - began:.1f} s")  # fmt: skip

    posts = args.days * args.posts_per_day
    imports: list[tuple[float, int]] = []
    campaign_id = 0
    for attempt in range(args.repeat + 1):
        plan = week_plan(f"MuseumWeek {attempt}", asset_ids, args.days, args.posts_per_day)
        with contextlib.ExitStack() as stack:
            session = stack.enter_context(transaction(app))
            presets = app.extensions["vitrine.services"].presets_in_force(session)
            statements = stack.enter_context(counting_statements(app))
            began = time.perf_counter()
            campaign = campaign_plans.import_plan(session, plan, actor="bench", presets=presets)
            session.flush()
            imports.append((time.perf_counter() - began, len(statements)))
            if attempt:
                session.rollback()  # warm imports leave nothing
            else:
                campaign_id = campaign.id
    carousels = sum(len(p["media"]) == 4 for d in plan["days"] for p in d["posts"])
    print(f"\n{posts} posts ({carousels} carousels of 4)")
    print(f"{'':<34} {'ms':>8} {'statements':>10}")
    warm = statistics.median(seconds for seconds, _ in imports[1:]) if args.repeat else 0.0
    print(f"{'plan import, first (kept)':<34} {imports[0][0] * 1000:8.1f} {imports[0][1]:10d}")
    print(f"{'plan import, warm (median)':<34} {warm * 1000:8.1f} {imports[-1][1]:10d}")

    url = f"/api/v1/campaigns/{campaign_id}/audit"
    audits = []
    for _ in range(args.repeat + 1):
        with counting_statements(app) as statements:
            began = time.perf_counter()
            answer = client.get(url, headers=auth)
            audits.append((time.perf_counter() - began, len(statements)))
        assert answer.status_code == 200, answer.get_data(as_text=True)[:2000]
    summary = answer.json["summary"]
    print(f"{'audit, cold (first request)':<34} {audits[0][0] * 1000:8.1f} {audits[0][1]:10d}")
    warm = statistics.median(seconds for seconds, _ in audits[1:]) if args.repeat else 0.0
    print(f"{'audit, warm (median)':<34} {warm * 1000:8.1f} {audits[-1][1]:10d}")
    print(f"audit summary: {summary}")

    url = f"/api/v1/campaigns/{campaign_id}/bundle"
    print(f"\n{'bundle export':<26} {'to headers':>10} {'total':>8} {'MB':>7} {'MB/s':>7} "
          f"{'RSS +MB':>8} {'RSS peak':>9} {'traced peak':>12}")  # fmt: skip
    for name, traced in (("first (renders)", False), ("second (rendered)", False),
                         ("third, tracemalloc", True)):  # fmt: skip
        with counting_statements(app) as statements:
            got = export(client, url, auth, traced)
        mb = got["bytes"] / 1e6
        traced_peak = f"{got['traced'] / 2**20:9.2f} MiB" if traced else f"{'-':>12}"
        print(f"{name:<26} {got['headers']:9.2f}s {got['total']:7.2f}s {mb:7.1f} "
              f"{mb / got['total']:7.1f} {got['rss']:8.0f} {got['rss_peak']:8.0f}M "
              f"{traced_peak}  ({len(statements)} statements)")  # fmt: skip


if __name__ == "__main__":
    main()
