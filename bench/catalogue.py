"""Lists, searches, reports and audits over a large catalogue on PostgreSQL, under gunicorn.

    .venv/bin/python bench/catalogue.py [--assets 10000] [--requests 200] [--clients 1]
        [--audit-tag-size 10000] [--keep] [--name DB] [--reuse DB] [--case-seconds 60]

1. Makes a fresh database ``vitrine_bench_<random>`` (or ``--name``) on the PostgreSQL
   server of VITRINE_TEST_DATABASE_URL (default ``postgresql+psycopg://postgres@127.0.0.1
   :5432/test``), migrates it with the project's Alembic migrations, and loads ``--assets``
   synthetic assets with their tags, rights, captions, history and variants by COPY
   (bench/catalogue_data.py), then VACUUM ANALYZE. ``--reuse DB`` skips the load: it migrates an
   existing loaded database to head (timed: new indexes are built then) and analyses it.
2. Makes a web user (admin) and viewer and admin API tokens through the account services.
3. Starts gunicorn as production does (``gunicorn -c service/gunicorn_conf.py``, 2 workers,
   a local blob store in a temp dir) on a free port.
4. Times each case (``catalogue_cases.py``; how: ``catalogue_timing.py``): after a warm-up,
   ``--requests`` requests (at most ``--case-seconds`` each, at least 10) from keep-alive
   clients, sequential unless ``--clients``; and counts the SQL statements of one request
   of each case through an in-process app on the same database (``before_cursor_execute``).
5. Prints p50/p95/p99, statements, rows on the page and matching assets per case, marks
   what misses the issue's targets, and drops the database (also on Ctrl-C or failure)
   unless ``--keep`` or ``--reuse``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import create_engine, make_url, text

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import catalogue_cases as cases  # noqa: E402
import catalogue_data as data  # noqa: E402
import catalogue_timing as timing  # noqa: E402
from serving import free_port, wait_ready  # noqa: E402

from service.cli import upgrade_database  # noqa: E402
from service.rules.problems import NotFound  # noqa: E402
from service.services import accounts  # noqa: E402
from service.storage.db import Database, transaction  # noqa: E402

BIN = ROOT / ".venv" / "bin"
TEST_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ADMIN_USER = "bench-admin"

# ---------------------------------------------------------------- the database


def server_url() -> str:
    return os.environ.get("VITRINE_TEST_DATABASE_URL") or TEST_DATABASE


def database_url(name: str) -> str:
    return make_url(server_url()).set(database=name).render_as_string(hide_password=False)


def conninfo(url: str) -> str:
    """The SQLAlchemy URL as libpq takes it (psycopg without SQLAlchemy's driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def administer(statement: str) -> None:
    """Run CREATE or DROP DATABASE on the server, outside a transaction."""
    admin = create_engine(server_url(), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(statement))
    finally:
        admin.dispose()


def migrate(url: str) -> None:
    began = time.perf_counter()
    upgrade_database(url)
    print(f"  alembic upgrade head                 {time.perf_counter() - began:6.1f} s")


def load_fresh(name: str, assets: int, audit_size: int) -> None:
    print(f"database {name}: {assets:,} assets")
    administer(f'CREATE DATABASE "{name}"')
    migrate(database_url(name))
    began = time.perf_counter()
    data.load(conninfo(database_url(name)), assets, audit_size)
    print(f"  loaded in {time.perf_counter() - began:.0f} s")


def reuse(name: str) -> None:
    print(f"database {name} (reused)")
    migrate(database_url(name))
    data.analyse(conninfo(database_url(name)))


def database_size(name: str) -> str:
    with psycopg.connect(conninfo(database_url(name))) as connection:
        row = connection.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        return str(row.fetchone()[0])  # type: ignore[index]


# ---------------------------------------------------------------- accounts


@dataclass(frozen=True)
class Accounts:
    username: str
    password: str
    viewer_token: str
    admin_token: str


def make_accounts(url: str) -> Accounts:
    """The web admin (made, or given a new password on a reused database) and two tokens."""
    password = uuid.uuid4().hex
    database = Database(url)
    try:
        with transaction(database.sessions) as session:
            try:
                accounts.find_user(session, ADMIN_USER)
                accounts.set_password(session, ADMIN_USER, password)
            except NotFound:
                accounts.create_user(session, username=ADMIN_USER, password=password, role="admin")
            tokens = [
                accounts.create_token(session, name=f"bench-{role}", role=role, created_by="bench")
                for role in ("viewer", "admin")
            ]
    finally:
        database.engine.dispose()
    return Accounts(ADMIN_USER, password, tokens[0][1], tokens[1][1])


# ---------------------------------------------------------------- the server


def server_environment(url: str, workdir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VITRINE_")}
    env.update(
        VITRINE_DATABASE_URL=url,
        VITRINE_BLOB_BACKEND="local",
        VITRINE_BLOB_DIR=str(workdir / "blobs"),
        VITRINE_SPOOL_DIR=str(workdir / "spool"),
        VITRINE_SECRET_KEY=uuid.uuid4().hex + uuid.uuid4().hex,
        VITRINE_WEB_WORKERS="2",
        VITRINE_BIND=f"127.0.0.1:{port}",
        VITRINE_WEB_LOG_LEVEL="warning",
        VITRINE_EAGER_PRESETS="",
        VITRINE_EAGER_PREVIEWS="false",
        # A worker replaced mid-case would put its start-up into the percentiles.
        VITRINE_WEB_MAX_REQUESTS="0",
        PROMETHEUS_MULTIPROC_DIR=str(workdir / "prometheus"),
    )
    (workdir / "prometheus").mkdir(exist_ok=True)
    return env


def start_server(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "service/gunicorn_conf.py"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,  # the access log
            stderr=sink,
        )
    wait_ready(f"http://{env['VITRINE_BIND']}", server, log)
    return server


def stop(server: subprocess.Popen[bytes] | None) -> None:
    if server is not None and server.poll() is None:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()


# ---------------------------------------------------------------- the run


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--assets", type=int, default=10_000, help="synthetic assets to load")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per case")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per case")
    parser.add_argument("--case-seconds", type=float, default=60.0, help="time budget per case")
    parser.add_argument("--clients", type=int, default=1, help="concurrent keep-alive clients")
    parser.add_argument("--audit-tag-size", type=int, default=10_000, help="assets audited")
    parser.add_argument("--audit-requests", type=int, default=5, help="timed audits per case")
    parser.add_argument("--name", help="name of the new database (default: random)")
    parser.add_argument("--keep", action="store_true", help="keep the new database")
    parser.add_argument("--reuse", metavar="DB", help="measure this loaded database")
    parser.add_argument("--only", help="only cases whose name holds one of these (a,b,...)")
    return parser.parse_args()


def main() -> None:
    args = arguments()
    # SIGTERM ends the run as Ctrl-C does: through the finally clauses that drop the database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    name = args.reuse or args.name or f"vitrine_bench_{uuid.uuid4().hex[:10]}"
    made = False
    workdir = Path(tempfile.mkdtemp(prefix="vitrine-catalogue-"))
    server = None
    try:
        if args.reuse:
            reuse(name)
        else:
            made = True
            load_fresh(name, args.assets, args.audit_tag_size)
        url = database_url(name)
        print(f"  database size {database_size(name)}")
        people = make_accounts(url)
        env = server_environment(url, workdir, free_port())
        server = start_server(env, workdir / "gunicorn.log")
        print(f"gunicorn -c service/gunicorn_conf.py: 2 workers x "
              f"{env.get('VITRINE_WEB_THREADS', '4')} threads on {os.cpu_count()} CPUs "
              f"(shared with this client), {args.clients} client(s)")  # fmt: skip
        bench = cases.Bench(
            base=f"http://{env['VITRINE_BIND']}",
            conninfo=conninfo(url),
            viewer=people.viewer_token,
            admin=people.admin_token,
            username=people.username,
            password=people.password,
            app_config=app_config(env),
        )
        settings = timing.Settings(
            requests=args.requests,
            warmup=args.warmup,
            seconds=args.case_seconds,
            clients=args.clients,
            audit_requests=args.audit_requests,
        )
        results = timing.run_all(bench, settings, only=args.only)
        print()
        timing.print_table(results)
    finally:
        stop(server)
        shutil.rmtree(workdir, ignore_errors=True)
        if made and not args.keep:
            administer(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            print(f"dropped {name}")
        elif made:
            print(f"kept {name}: measure it again with --reuse {name}")


def app_config(env: dict[str, str]) -> dict[str, Any]:
    """The in-process app's settings: the server's database, blobs and secret key."""
    return {
        "DATABASE_URL": env["VITRINE_DATABASE_URL"],
        "BLOB_BACKEND": "local",
        "BLOB_DIR": env["VITRINE_BLOB_DIR"],
        "SPOOL_DIR": env["VITRINE_SPOOL_DIR"],
        "SECRET_KEY": env["VITRINE_SECRET_KEY"],
        "EAGER_PREVIEWS": False,
        "EAGER_PRESETS": "",
        "BROKER_URL": None,
        "PROMETHEUS_MULTIPROC_DIR": None,
    }


if __name__ == "__main__":
    main()
