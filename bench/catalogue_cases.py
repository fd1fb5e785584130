"""The cases bench/catalogue.py times, how it times them, and the table it prints.

Each case is one request (a list, a search, a report, a page, an audit), named with what it
asks for; the search terms are read from the loaded database (the commonest tag, the
rarest holder...) or are the rare and missing names bench/catalogue_data.py made. Next to
the timings: the SQL statements one request runs (counted in an in-process app on the same
database), the rows it answered, and how many assets match (counted in SQL here), so a
filter the API ignores shows up as rows that do not fit the matches.
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
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import catalogue_data as data
import psycopg
import requests
from flask import Flask
from flask.testing import FlaskClient

from service.app import create_app
from tests.support.database import counting_statements
from tests.support.photos import picture

PAGE = 50  # the API's default page size
LIBRARY_PAGE = 24  # service/web/library.py
ASSETS = "/api/v1/assets"
LIST_P95, LIBRARY_P95, EXPIRING_P95 = 50.0, 60.0, 100.0  # the targets, ms
AUDIT_FIRST_BYTE, AUDIT_TOTAL = 1000.0, 3000.0
EXPIRING = (
    "(r.expires_at BETWEEN current_date AND current_date + 14 "
    "OR r.embargo_until BETWEEN current_date AND current_date + 14)"
)
VARIANT_PRESET = "x"
CC_BY = "http://creativecommons.org/licenses/by/4.0/"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Bench:
    base: str
    conninfo: str
    viewer: str
    admin: str
    username: str
    password: str
    app_config: dict[str, Any]


@dataclass(frozen=True)
class Settings:
    requests: int
    warmup: int
    seconds: float
    clients: int
    audit_requests: int


@dataclass
class Case:
    name: str
    path: str
    auth: str = "viewer"  # viewer, admin (tokens), web (the signed-in admin), none
    target_ms: float | None = None
    max_statements: int | None = None
    where: str | None = None  # SQL over assets a and rights_records r: the matching assets
    params: tuple[Any, ...] = ()
    page: int = 1
    limit: int = PAGE
    sort: str | None = None
    body: dict[str, Any] | None = None  # a POST
    accept: str | None = None
    check_rows: bool = True  # whether the rows answered must fit the matches


@dataclass
class Result:
    case: Case
    totals: list[float] = field(default_factory=list)
    first_bytes: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    rows: int | None = None
    matches: int | None = None
    statements: int | None = None
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- the cases


def query_row(bench: Bench, sql: str, *params: Any) -> tuple[Any, ...]:
    with psycopg.connect(bench.conninfo) as connection:
        row = connection.execute(sql, params or None).fetchone()  # type: ignore[arg-type]
    assert row is not None, sql
    return tuple(row)


def query(bench: Bench, sql: str, *params: Any) -> Any:
    return query_row(bench, sql, *params)[0]


def api(**params: Any) -> str:
    return f"{ASSETS}?{urlencode(params)}" if params else ASSETS


def list_case(name: str, where: str | None, *params: Any, page: int = 1, **args: Any) -> Case:
    suffix = f" p{page}" if page > 1 else ""
    sort = args.get("sort")
    return Case(f"{name}{suffix}", api(**args), target_ms=LIST_P95, where=where,
                params=params, page=page, sort=sort)  # fmt: skip


def build_cases(bench: Bench) -> list[Case]:
    """Every case, with search terms read from the database."""
    q = lambda sql, *p: query(bench, sql, *p)  # noqa: E731
    common_tag = q(
        "SELECT tag FROM asset_tags WHERE tag <> %s GROUP BY tag ORDER BY count(*) DESC LIMIT 1",
        data.AUDIT_TAG,
    )
    by_count = "SELECT holder FROM rights_records GROUP BY holder ORDER BY count(*) {} LIMIT 1"
    common_holder, rare_holder = q(by_count.format("DESC")), q(by_count.format("ASC"))
    uploader = q(
        "SELECT uploaded_by FROM assets GROUP BY 1 ORDER BY count(*) DESC OFFSET 9 LIMIT 1"
    )
    asset_id, number = query_row(
        bench, "SELECT id, object_number FROM assets WHERE deleted_at IS NULL AND "
        "object_number LIKE '%.%' AND id >= (SELECT max(id) / 2 FROM assets) ORDER BY id LIMIT 1"
    )  # fmt: skip
    first, last = query_row(bench, "SELECT min(created_at), max(created_at) FROM assets")
    day = (first + (last - first) / 2).replace(hour=0, minute=0, second=0, microsecond=0)
    oldest = first + (last - first) * 0.02
    rare_tag, rare_word = data.rare_tag(7), data.rare_word(7)
    tag = "a.id IN (SELECT asset_id FROM asset_tags WHERE lower(tag) = lower(%s))"
    text = "(a.title ILIKE %s OR a.object_number ILIKE %s OR a.description ILIKE %s)"
    window = "a.created_at >= %s AND a.created_at < %s"

    def like(word: str) -> tuple[str, str, str]:
        return (f"%{word}%",) * 3  # type: ignore[return-value]

    cases = [
        Case("GET /healthz (floor)", "/healthz", auth="none"),
        list_case("list", "true"),
        list_case("list", "true", page=20),
        list_case(f"tag common ({common_tag})", tag, common_tag, tag=common_tag),
        list_case(f"tag common ({common_tag})", tag, common_tag, page=20, tag=common_tag),
        list_case(f"tag rare ({rare_tag})", tag, rare_tag, tag=rare_tag),
        list_case("tag none", tag, data.NO_MATCH_TAG, tag=data.NO_MATCH_TAG),
        list_case(f"q common ({data.COMMON_WORD})", text, *like(data.COMMON_WORD),
                  q=data.COMMON_WORD),
        list_case(f"q common ({data.COMMON_WORD})", text, *like(data.COMMON_WORD), page=20,
                  q=data.COMMON_WORD),
        list_case(f"q rare ({rare_word})", text, *like(rare_word), q=rare_word),
        list_case("q none", text, *like(data.NO_MATCH_WORD), q=data.NO_MATCH_WORD),
        list_case(f"q object number ({number})", text, *like(number), q=number),
        list_case(f"q number prefix ({number[:7]})", text, *like(number[:7]), q=number[:7]),
        list_case(f"holder common ({common_holder.lower()[:24]})", "r.holder ILIKE %s",
                  f"%{common_holder}%", holder=common_holder.lower()),
        list_case(f"holder rare ({rare_holder.lower()[:24]})", "r.holder ILIKE %s",
                  f"%{rare_holder}%", holder=rare_holder.lower()),
        list_case("rights_status=restricted", "r.status = 'restricted'",
                  rights_status="restricted"),
        list_case("licence=CC BY-NC", "r.licence_uri = %s", data.RARE_LICENCE,
                  licence=data.RARE_LICENCE),
        list_case("channel=print", "r.channels @> '[\"print\"]'", channel="print"),
        list_case(f"uploaded_by={uploader}", "a.uploaded_by = %s", uploader, uploaded_by=uploader),
        list_case(f"created one day ({day:%Y-%m-%d})", window, day, day + timedelta(days=1),
                  created_after=day.isoformat(),
                  created_before=(day + timedelta(days=1)).isoformat()),
        list_case("created one year", window, day, day + timedelta(days=365),
                  created_after=day.isoformat(),
                  created_before=(day + timedelta(days=365)).isoformat()),
        list_case("created_before oldest 2%", "a.created_at < %s", oldest,
                  created_before=oldest.isoformat()),
    ]  # fmt: skip
    for sort in ("newest", "oldest", "title", "object_number"):
        cases += [list_case(f"sort={sort}", "true", sort=sort),
                  list_case(f"sort={sort}", "true", page=20, sort=sort)]  # fmt: skip
    deleted = Case("deleted=true (admin)", api(deleted="true"), auth="admin",
                   target_ms=LIST_P95, where="DELETED")  # fmt: skip
    lib = "/library"
    cases += [
        deleted,
        Case(f"GET /assets/{asset_id}", f"{ASSETS}/{asset_id}", max_statements=8),
        Case(f"variant JSON, cached ({VARIANT_PRESET})", cached_variant_path(bench),
             max_statements=8),
        Case("rights/expiring?within_days=14", "/api/v1/rights/expiring?within_days=14",
             target_ms=EXPIRING_P95, max_statements=2, where=EXPIRING, check_rows=False),
        Case("library", lib, auth="web", target_ms=LIBRARY_P95, max_statements=10,
             where="true", limit=LIBRARY_PAGE),
        Case(f"library tag common ({common_tag})", f"{lib}?{urlencode({'tag': common_tag})}",
             auth="web", target_ms=LIBRARY_P95, max_statements=10, where=tag,
             params=(common_tag,), limit=LIBRARY_PAGE),
        Case(f"library tag rare ({rare_tag})", f"{lib}?tag={rare_tag}", auth="web",
             target_ms=LIBRARY_P95, max_statements=10, where=tag, params=(rare_tag,),
             limit=LIBRARY_PAGE),
        Case(f"library q rare ({rare_word})", f"{lib}?q={rare_word}", auth="web",
             target_ms=LIBRARY_P95, max_statements=10, where=text, params=like(rare_word),
             limit=LIBRARY_PAGE),
    ]  # fmt: skip
    audit = {"filter": {"tag": data.AUDIT_TAG}}
    for kind in ("application/json", "text/csv"):
        cases.append(Case(f"POST /audits tag={data.AUDIT_TAG} {kind}", "/api/v1/audits",
                          body=audit, accept=kind, where=tag, params=(data.AUDIT_TAG,),
                          target_ms=AUDIT_TOTAL, limit=10**9))  # fmt: skip
    return cases


def cached_variant_path(bench: Bench) -> str:
    """Upload a photograph, clear its rights and render a variant once: the path that then
    answers from the cache (the synthetic assets have no originals to render from)."""
    jpeg = io.BytesIO()
    picture(1200, 800).save(jpeg, "JPEG", quality=90)
    headers = {"Authorization": f"Bearer {bench.admin}"}
    base = bench.base + ASSETS
    upload = requests.post(base, headers=headers, timeout=120,
                           files={"file": ("bench.jpg", jpeg.getvalue(), "image/jpeg")},
                           data={"title": "Bench", "alt_text": "A test picture."})  # fmt: skip
    upload.raise_for_status()
    path = f"{ASSETS}/{upload.json()['id']}/variants/{VARIANT_PRESET}"
    rights = {"status": "cleared", "licence_uri": CC_BY, "channels": ["web", "social"],
              "holder": "Bench Studio", "credit_line": "Photo: Bench Studio"}  # fmt: skip
    requests.put(f"{base}/{upload.json()['id']}/rights", json=rights, headers=headers,
                 timeout=60).raise_for_status()  # fmt: skip
    requests.get(bench.base + path, headers=headers, timeout=300).raise_for_status()
    return path


def matching(bench: Bench, case: Case) -> int | None:
    """How many assets the case asks for, by SQL."""
    if case.where is None:
        return None
    if case.where == "DELETED":
        return int(query(bench, "SELECT count(*) FROM assets WHERE deleted_at IS NOT NULL"))
    sql = ("SELECT count(*) FROM assets a LEFT JOIN rights_records r ON r.asset_id = a.id "
           f"WHERE a.deleted_at IS NULL AND {case.where}")  # fmt: skip
    return int(query(bench, sql, *case.params))


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
        result.rows = response.text.count('class="asset-card"')
    elif kind.startswith("application/json"):
        body = response.json()
        items = body.get("items", body.get("reports"))
        result.rows = 1 if items is None else len(items)
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
        if only and only not in case.name and not case.name.startswith("GET /healthz"):
            continue
        result = time_case(clients, settings, case)
        result.statements = None if case.auth == "none" else counter.count(case)
        result.matches = matching(bench, case)
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
    expected = expected_rows(result)
    if result.rows is not None and expected is not None and result.rows != expected:
        found.append(f"{result.rows} rows, {expected} expected: filter ignored?")
    return found


HEADER = (f"{'case':<46} {'n':>4} {'p50':>8} {'p95':>8} {'p99':>8} {'stmts':>5} "
          f"{'rows':>6} {'matches':>9}  notes")  # fmt: skip


def line(result: Result) -> str:
    t = result.totals
    statuses = ",".join(f"{code}" for code in sorted(result.statuses))
    name = result.case.name if statuses == "200" else f"{result.case.name} [{statuses}]"
    cells = [f"{name[:46]:<46} {len(t):>4}",
             *(f"{percentile(t, p):>8.1f}" for p in (50, 95, 99)),
             f"{'' if result.statements is None else result.statements:>5}",
             f"{'' if result.rows is None else result.rows:>6}",
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
