"""How bench/catalogue.py times its cases, counts their statements, and prints the table.

Each case is timed from keep-alive clients against gunicorn (sequentially, or from
``clients`` threads), after a warm-up; its SQL statements are counted for one request
through an in-process app on the same database (SQLAlchemy's ``before_cursor_execute``, as
the tests count them).
"""

from __future__ import annotations

import csv
import io
import re
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests
from catalogue_cases import AUDIT_FIRST_BYTE, Bench, Case, build_cases, matching
from flask import Flask
from flask.testing import FlaskClient

from service.app import create_app
from tests.support.database import counting_statements

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CARD = re.compile(r'class="asset-card" data-asset-id="(\d+)"')


@dataclass(frozen=True)
class Settings:
    requests: int
    warmup: int
    seconds: float
    clients: int
    audit_requests: int


@dataclass
class Result:
    case: Case
    totals: list[float] = field(default_factory=list)
    first_bytes: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    rows: int | None = None
    ids: list[int] = field(default_factory=list)  # of the assets answered
    fitting: int | None = None  # how many of them match the case's filter (SQL)
    matches: int | None = None
    statements: int | None = None
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- timing


def sign_in(base: str, username: str, password: str) -> requests.Session:
    """A keep-alive client signed in through the login form, as a browser is."""
    http = requests.Session()
    page = http.get(f"{base}/login", timeout=30)
    token = CSRF.search(page.text)
    assert token is not None, "no CSRF field on the sign-in page"
    form = {"username": username, "password": password, "csrf_token": token[1]}
    answer = http.post(f"{base}/login", data=form, allow_redirects=False, timeout=30)
    if answer.status_code != 302:
        raise SystemExit(f"signing in answered {answer.status_code}")
    return http


class Clients:
    """Keep-alive clients for each kind of caller."""

    def __init__(self, bench: Bench) -> None:
        self.bench = bench
        self.web_cookies = sign_in(bench.base, bench.username, bench.password).cookies

    def new(self, auth: str) -> requests.Session:
        http = requests.Session()
        if auth in ("viewer", "admin"):
            token = self.bench.viewer if auth == "viewer" else self.bench.admin
            http.headers["Authorization"] = f"Bearer {token}"
        elif auth == "web":
            http.cookies.update(self.web_cookies)
        return http


def send(http: requests.Session, base: str, case: Case) -> tuple[float, float, requests.Response]:
    """One request: seconds to the first byte (the headers), seconds to the last."""
    began = time.perf_counter()
    if case.body is not None:
        headers = {"Accept": case.accept or "application/json"}
        response = http.post(base + case.path, json=case.body, headers=headers, stream=True,
                             timeout=900)  # fmt: skip
    else:
        response = http.get(base + case.path, stream=True, timeout=900)
    first = time.perf_counter() - began
    _ = response.content
    return first, time.perf_counter() - began, response


def walk_to_page(http: requests.Session, base: str, case: Case) -> str | None:
    """Point a page-N case at its page by following the cursors; a note if there are fewer."""
    for page in range(1, case.page):
        response = http.get(base + case.path, timeout=900)
        cursor = response.json().get("next_cursor") if response.status_code == 200 else None
        if not cursor:
            case.page = page
            return f"no page {page + 1} ({response.status_code}): timed page {page}"
        path = re.sub(r"[?&]cursor=[^&]*", "", case.path)
        case.path = f"{path}{'&' if '?' in path else '?'}cursor={cursor}"
    return None


def time_case(clients: Clients, settings: Settings, case: Case) -> Result:
    result = Result(case)
    base = clients.bench.base
    with clients.new(case.auth) as http:
        if note := walk_to_page(http, base, case):
            result.notes.append(note)
        for _ in range(1 if case.body else settings.warmup):
            send(http, base, case)
    wanted = settings.audit_requests if case.body else settings.requests
    deadline = time.perf_counter() + settings.seconds
    lock = threading.Lock()
    issued = 0

    def client(_: int) -> requests.Response | None:
        nonlocal issued
        response = None
        with clients.new(case.auth) as http:
            while True:
                with lock:
                    late = time.perf_counter() > deadline and len(result.totals) >= 10
                    if issued >= wanted or late:
                        return response
                    issued += 1
                first, total, response = send(http, base, case)
                with lock:
                    result.first_bytes.append(first * 1000)
                    result.totals.append(total * 1000)
                    result.statuses[response.status_code] += 1

    with ThreadPoolExecutor(settings.clients) as pool:
        last = [r for r in pool.map(client, range(settings.clients)) if r is not None][-1]
    describe(result, last)
    return result


def describe(result: Result, response: requests.Response) -> None:
    """Rows answered, and a note when the answer is not a success or not sorted."""
    kind = response.headers.get("Content-Type", "")
    if response.status_code != 200:
        result.notes.append(f"{response.status_code}: {response.text[:140]!r}")
        return
    if kind.startswith("text/csv"):  # a line per check per asset: count the assets
        result.rows = len({row[0] for row in csv.reader(io.StringIO(response.text))}) - 1
    elif kind.startswith("text/html"):
        result.ids = [int(found) for found in CARD.findall(response.text)]
        result.rows = len(result.ids)
    elif kind.startswith("application/json"):
        body = response.json()
        items = body.get("items", body.get("reports"))
        result.rows = 1 if items is None else len(items)
        if "items" in body and result.case.where is not None:
            result.ids = [item["asset_id" if "asset_id" in item else "id"] for item in items]
        if result.case.sort and items and not in_order(items, result.case.sort):
            result.notes.append(f"not in {result.case.sort} order")


def in_order(items: list[dict[str, Any]], sort: str) -> bool:
    """Whether the page is in the sort's order (by a prefix the collation cannot reorder)."""
    keys = {"newest": ("created_at", True), "oldest": ("created_at", False),
            "title": ("title", False), "object_number": ("object_number", False)}  # fmt: skip
    name, descending = keys[sort]
    width = None if name == "created_at" else 4
    values = [str(item[name])[:width].casefold() for item in items]
    return values == sorted(values, reverse=descending)


# ---------------------------------------------------------------- statements


class StatementCounter:
    """An in-process app on the same database: the SQL statements of one request."""

    def __init__(self, bench: Bench) -> None:
        self.app: Flask = create_app(bench.app_config)
        self.api = self.app.test_client()
        self.web = self.app.test_client()
        page = self.web.get("/login").get_data(as_text=True)
        token = CSRF.search(page)
        assert token is not None
        form = {"username": bench.username, "password": bench.password, "csrf_token": token[1]}
        assert self.web.post("/login", data=form).status_code == 302
        self.tokens = {"viewer": bench.viewer, "admin": bench.admin}

    def count(self, case: Case) -> int:
        """The fewer of two requests': a token's last use is written at most once a minute."""
        return min(self.count_once(case), self.count_once(case))

    def count_once(self, case: Case) -> int:
        client: FlaskClient = self.web if case.auth == "web" else self.api
        headers = {"Accept": case.accept or "application/json"}
        if case.auth in self.tokens:
            headers["Authorization"] = f"Bearer {self.tokens[case.auth]}"
        with counting_statements(self.app) as statements:
            if case.body is not None:
                client.post(case.path, json=case.body, headers=headers).get_data()
            else:
                client.get(case.path, headers=headers).get_data()
        return len(statements)


# ---------------------------------------------------------------- the run and the table


def run_all(bench: Bench, settings: Settings, only: str | None = None) -> list[Result]:
    clients, counter = Clients(bench), StatementCounter(bench)
    results = []
    print(HEADER)
    for case in build_cases(bench):
        wanted = not only or any(part in case.name for part in only.split(","))
        if not wanted and not case.name.startswith("GET /healthz"):
            continue
        result = time_case(clients, settings, case)
        result.statements = None if case.auth == "none" else counter.count(case)
        result.matches = matching(bench, case)
        result.fitting = matching(bench, case, result.ids) if result.ids else None
        results.append(result)
        print(line(result), flush=True)
    return results


def percentile(values: list[float], p: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def expected_rows(result: Result) -> int | None:
    case = result.case
    if result.matches is None or not case.check_rows:
        return None
    return min(max(result.matches - (case.page - 1) * case.limit, 0), case.limit)


def misses(result: Result) -> list[str]:
    """What misses the issue's targets, or does not add up."""
    case, found = result.case, []
    if case.target_ms is not None and percentile(result.totals, 95) > case.target_ms:
        found.append(f"p95 > {case.target_ms:.0f} ms")
    if case.body is not None and percentile(result.first_bytes, 95) > AUDIT_FIRST_BYTE:
        found.append(f"first byte > {AUDIT_FIRST_BYTE:.0f} ms")
    if case.max_statements is not None and (result.statements or 0) > case.max_statements:
        found.append(f"> {case.max_statements} statements")
    if result.fitting is not None and result.fitting < len(result.ids):
        found.append(f"{len(result.ids) - result.fitting} rows do not fit: filter ignored?")
    expected = expected_rows(result)
    if result.rows is not None and expected is not None and result.rows != expected:
        found.append(f"{result.rows} rows, {expected} expected: filter ignored?")
    return found


HEADER = (f"{'case':<44} {'status':>7} {'n':>4} {'p50':>7} {'p95':>7} {'p99':>7} "
          f"{'stmts':>5} {'rows':>5} {'matches':>9}  notes")  # fmt: skip


def line(result: Result) -> str:
    t = result.totals
    statuses = ",".join(f"{code}" for code in sorted(result.statuses))
    cells = [f"{result.case.name[:44]:<44} {statuses:>7} {len(t):>4}",
             *(f"{percentile(t, p):>7.1f}" for p in (50, 95, 99)),
             f"{'' if result.statements is None else result.statements:>5}",
             f"{'' if result.rows is None else result.rows:>5}",
             f"{'' if result.matches is None else f'{result.matches:,}':>9}"]  # fmt: skip
    notes = [*(f"OVER: {miss}" for miss in misses(result)), *result.notes]
    if result.case.body is not None:
        first = [percentile(result.first_bytes, p) for p in (50, 95)]
        notes.insert(0, f"first byte p50 {first[0]:.0f} / p95 {first[1]:.0f} ms")
    return " ".join(cells) + ("  " + "; ".join(notes) if notes else "")


def print_table(results: list[Result]) -> None:
    print("times in ms; rows: on the page answered; matches: live assets that fit (SQL)")
    print(HEADER)
    for result in results:
        print(line(result))
    over = sum(1 for result in results if misses(result))
    print(f"{over} of {len(results)} cases miss a target or do not add up")
