"""The cases bench/catalogue.py times: each one request (a list, a search, a report, a page,
an audit), named with what it asks for, with the issue's target and the SQL that counts the
assets it should find.

The search terms are read from the loaded database (the commonest tag, the rarest
holder...) or are the rare and missing names bench/catalogue_data.py made. A filter the API
ignores shows up as rows answered that do not fit the matching assets counted here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import catalogue_data as data
import psycopg
import requests

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


@dataclass(frozen=True)
class Bench:
    base: str
    conninfo: str
    viewer: str
    admin: str
    username: str
    password: str
    app_config: dict[str, Any]


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
    live: bool = True  # only assets not deleted match


# ---------------------------------------------------------------- the cases


def query_row(bench: Bench, sql: str, *params: Any) -> tuple[Any, ...]:
    with psycopg.connect(bench.conninfo) as connection:
        row = connection.execute(sql, params or None).fetchone()
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


TAG = "a.id IN (SELECT asset_id FROM asset_tags WHERE lower(tag) = lower(%s))"
TEXT = "(a.title ILIKE %s OR a.object_number ILIKE %s OR a.description ILIKE %s)"
WINDOW = "a.created_at >= %s AND a.created_at < %s"


def like(word: str) -> tuple[str, str, str]:
    return (f"%{word}%",) * 3


@dataclass(frozen=True)
class Terms:
    """What the cases search for: read from the database, or made rare by the loader."""

    common_tag: str
    common_holder: str
    rare_holder: str
    uploader: str  # the tenth commonest
    asset_id: int  # a live asset half-way, with a part number: 1921,0029.4
    object_number: str
    day: datetime  # the middle of the ten years
    oldest: datetime  # two per cent of the way
    rare_tag: str = data.rare_tag(7)
    rare_word: str = data.rare_word(7)


def find_terms(bench: Bench) -> Terms:

    def q(sql: str, *params: Any) -> Any:
        return query(bench, sql, *params)

    by_count = (
        "SELECT holder FROM rights_records WHERE holder = ANY(%s) GROUP BY holder "
        "ORDER BY count(*) {} LIMIT 1"
    )  # the loader's holders, not the bench upload's
    asset_id, number = query_row(
        bench, "SELECT id, object_number FROM assets WHERE deleted_at IS NULL AND "
        "object_number LIKE '%.%' AND id >= (SELECT max(id) / 2 FROM assets) ORDER BY id LIMIT 1"
    )  # fmt: skip
    first, last = query_row(bench, "SELECT min(created_at), max(created_at) FROM assets")
    return Terms(
        common_tag=q("SELECT tag FROM asset_tags WHERE tag <> %s GROUP BY tag "
                     "ORDER BY count(*) DESC LIMIT 1", data.AUDIT_TAG),
        common_holder=q(by_count.format("DESC"), data.holders()),
        rare_holder=q(by_count.format("ASC"), data.holders()),
        uploader=q("SELECT uploaded_by FROM assets GROUP BY 1 ORDER BY count(*) DESC "
                   "OFFSET 9 LIMIT 1"),
        asset_id=asset_id,
        object_number=number,
        day=(first + (last - first) / 2).replace(hour=0, minute=0, second=0, microsecond=0),
        oldest=first + (last - first) * 0.02,
    )  # fmt: skip


def filter_cases(t: Terms) -> list[Case]:
    """The list of assets, searched and filtered: common, rare, none."""
    number, common, none = t.object_number, data.COMMON_WORD, data.NO_MATCH_WORD
    one_day, one_year = t.day + timedelta(days=1), t.day + timedelta(days=365)
    return [
        list_case(f"tag common ({t.common_tag})", TAG, t.common_tag, tag=t.common_tag),
        list_case(f"tag common ({t.common_tag})", TAG, t.common_tag, page=20, tag=t.common_tag),
        list_case(f"tag rare ({t.rare_tag})", TAG, t.rare_tag, tag=t.rare_tag),
        list_case("tag none", TAG, data.NO_MATCH_TAG, tag=data.NO_MATCH_TAG),
        list_case(f"q common ({common})", TEXT, *like(common), q=common),
        list_case(f"q common ({common})", TEXT, *like(common), page=20, q=common),
        list_case(f"q rare ({t.rare_word})", TEXT, *like(t.rare_word), q=t.rare_word),
        list_case("q none", TEXT, *like(none), q=none),
        list_case(f"q object number ({number})", TEXT, *like(number), q=number),
        list_case(f"q number prefix ({number[:7]})", TEXT, *like(number[:7]), q=number[:7]),
        list_case(f"holder common ({t.common_holder.lower()[:24]})", "r.holder ILIKE %s",
                  f"%{t.common_holder}%", holder=t.common_holder.lower()),
        list_case(f"holder rare ({t.rare_holder.lower()[:24]})", "r.holder ILIKE %s",
                  f"%{t.rare_holder}%", holder=t.rare_holder.lower()),
        list_case("rights_status=restricted", "r.status = 'restricted'",
                  rights_status="restricted"),
        list_case("licence=CC BY-NC", "r.licence_uri = %s", data.RARE_LICENCE,
                  licence=data.RARE_LICENCE),
        list_case("channel=print", "r.channels @> '[\"print\"]'", channel="print"),
        list_case(f"uploaded_by={t.uploader}", "a.uploaded_by = %s", t.uploader,
                  uploaded_by=t.uploader),
        list_case(f"created one day ({t.day:%Y-%m-%d})", WINDOW, t.day, one_day,
                  created_after=t.day.isoformat(), created_before=one_day.isoformat()),
        list_case("created one year", WINDOW, t.day, one_year,
                  created_after=t.day.isoformat(), created_before=one_year.isoformat()),
        list_case("created_before oldest 2%", "a.created_at < %s", t.oldest,
                  created_before=t.oldest.isoformat()),
        Case("deleted=true (admin)", api(deleted="true"), auth="admin", target_ms=LIST_P95,
             where="a.deleted_at IS NOT NULL", live=False),
    ]  # fmt: skip


def library_case(name: str, query: str, where: str, *params: Any) -> Case:
    return Case(name, f"/library{query}", auth="web", target_ms=LIBRARY_P95, max_statements=10,
                where=where, params=params, limit=LIBRARY_PAGE)  # fmt: skip


def page_cases(t: Terms, variant_path: str) -> list[Case]:
    """One asset, a cached variant, the expiring report, the library page, audits."""
    audit = {"filter": {"tag": data.AUDIT_TAG}}
    return [
        Case(f"GET /assets/{t.asset_id}", f"{ASSETS}/{t.asset_id}", max_statements=8),
        Case(f"variant JSON, cached ({VARIANT_PRESET})", variant_path, max_statements=8),
        Case("rights/expiring?within_days=14", "/api/v1/rights/expiring?within_days=14",
             target_ms=EXPIRING_P95, max_statements=2, where=EXPIRING, check_rows=False),
        library_case("library", "", "true"),
        library_case(f"library tag common ({t.common_tag})", f"?tag={t.common_tag}", TAG,
                     t.common_tag),
        library_case(f"library tag rare ({t.rare_tag})", f"?tag={t.rare_tag}", TAG, t.rare_tag),
        library_case(f"library q rare ({t.rare_word})", f"?q={t.rare_word}", TEXT,
                     *like(t.rare_word)),
        *(Case(f"POST /audits tag={data.AUDIT_TAG} {name}", "/api/v1/audits", body=audit,
               accept=kind, where=TAG, params=(data.AUDIT_TAG,), target_ms=AUDIT_TOTAL,
               limit=10**9) for name, kind in (("JSON", "application/json"), ("CSV", "text/csv"))),
    ]  # fmt: skip


def build_cases(bench: Bench) -> list[Case]:
    """Every case, with search terms read from the database."""
    terms = find_terms(bench)
    cases = [
        Case("GET /healthz (floor)", "/healthz", auth="none"),
        list_case("list", "true"),
        list_case("list", "true", page=20),
        *filter_cases(terms),
    ]
    for sort in ("newest", "oldest", "title", "object_number"):
        cases += [list_case(f"sort={sort}", "true", sort=sort),
                  list_case(f"sort={sort}", "true", page=20, sort=sort)]  # fmt: skip
    return cases + page_cases(terms, cached_variant_path(bench))


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


def matching(bench: Bench, case: Case, among: list[int] | None = None) -> int | None:
    """How many assets the case asks for, by SQL; ``among``: how many of these ids."""
    if case.where is None:
        return None
    sql = ("SELECT count(*) FROM assets a LEFT JOIN rights_records r ON r.asset_id = a.id "
           f"WHERE {'a.deleted_at IS NULL' if case.live else 'true'} AND {case.where}")  # fmt: skip
    if among is not None:
        return int(query(bench, f"{sql} AND a.id = ANY(%s)", *case.params, among))
    return int(query(bench, sql, *case.params))
