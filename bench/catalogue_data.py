"""A synthetic museum catalogue for bench/catalogue.py, loaded with PostgreSQL COPY.

Every asset gets tags, a rights record and two history entries; some get captions and
ready variants. The names the benchmark searches for are made here and named by the
constants and functions below (COMMON_WORD, rare_word, rare_tag, AUDIT_TAG...), so a
database loaded by an earlier run can be measured again (``--reuse``).

The tables and their columns are read from ``service.storage.models``: a column the
models gain that is required and has no value here stops the load with its name, so the
loader follows the schema instead of silently drifting from it.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate, chain
from typing import Any

import psycopg
from sqlalchemy import JSON, Table

from service.rules.captions.platforms import PLATFORMS
from service.rules.presets import DEFAULT_PRESETS
from service.storage.db import Base

Row = dict[str, Any]

# ---------------------------------------------------------------- vocabulary

MATERIALS = "bronze porcelain silver earthenware oak stoneware glass marble ivory jade lacquer "
MATERIALS += "silk wool copper terracotta gold iron limestone alabaster paper"
OBJECTS = "figure bowl vase jar plate cup mask panel bust relief coin medal brooch dish box "
OBJECTS += "helmet teapot tile lamp mirror ring pendant ewer beaker candlestick casket fan"
MOTIFS = (
    "birds", "flowers", "dragons", "a hunting scene", "geometric pattern", "lotus scroll",
    "an inscription", "dancing figures", "waves", "horses", "deer", "a river landscape",
    "a portrait medallion", "vine leaves", "a procession", "cranes and pines",
)  # fmt: skip
PLACES = (
    "Egypt", "Iran", "China", "Japan", "Greece", "Italy", "Mexico", "Peru", "Nigeria",
    "England", "France", "Germany", "Iraq", "India", "Korea", "Syria", "Spain", "Ghana",
)  # fmt: skip
CENTURIES = ("5th", "8th", "12th", "15th", "16th", "17th", "18th", "19th", "20th")
UPLOADERS = "registrar photo-studio a.khan j.smith m.rossi l.chen s.okafor p.dubois k.tanaka "
UPLOADERS += "r.silva e.novak h.meyer d.osei f.ahmed t.larsen c.garcia b.ivanova n.kim o.walsh"
FIRST = "Ada Ben Clara Dev Elif Farid Greta Hugo Ines Jonas Kofi Lena Mira Nils Olga Pavel"
LAST = "Abara Brandt Castillo Dahl Ekwueme Fontaine Grieg Haddad Ivers Jansen Kowalski Lund"
LICENCES: dict[str | None, int] = {  # URI: weight; None is "no licence recorded"
    None: 25,
    "http://creativecommons.org/licenses/by/4.0/": 20,
    "http://creativecommons.org/licenses/by-nc/4.0/": 5,
    "http://creativecommons.org/publicdomain/zero/1.0/": 15,
    "http://rightsstatements.org/vocab/InC/1.0/": 25,
    "vitrine:all-rights-reserved": 10,
}
STATUSES = {"unknown": 35, "pending": 15, "cleared": 40, "restricted": 10}
CHANNEL_SETS: tuple[list[str], ...] = (
    [], ["web"], ["web", "social"], ["web", "social", "print"], ["print", "press"],
    ["web", "social", "print", "press"],
)  # fmt: skip

COMMON_WORD = "bronze"  # the most frequent material: in about a quarter of the titles
NO_MATCH_WORD = "qzxwvyk"
NO_MATCH_TAG = "no-such-tag"
AUDIT_TAG = "audit-campaign"
RARE_LICENCE = "http://creativecommons.org/licenses/by-nc/4.0/"
_CONSONANTS, _VOWELS = "bdfgklmnprstvz", "aeiou"
_SYLLABLES = [c + v for c in _CONSONANTS for v in _VOWELS]  # 70


def rare_word(k: int) -> str:
    """The k-th rare word: eight letters, consonant-vowel pairs, so no word holds another."""
    n = (k * 7_919_423) % len(_SYLLABLES) ** 4  # the multiplier is prime to 70: a bijection
    return "".join(_SYLLABLES[(n // len(_SYLLABLES) ** p) % len(_SYLLABLES)] for p in range(4))


def rare_tag(k: int) -> str:
    """The k-th rare tag: each is on about ten assets."""
    return f"loan-{k:06d}"


def zipf(names: Sequence[Any], s: float) -> tuple[list[Any], list[float]]:
    """Names with cumulative Zipf weights, for ``random.choices(..., cum_weights=)``."""
    return list(names), list(accumulate(1 / rank**s for rank in range(1, len(names) + 1)))


def holders() -> list[str]:
    """About 200 rights holders, the commonest first."""
    names = ["The Trustees of the Museum", "Bridgeman Images", "Museum Photo Studio"]
    names += [f"{last} Archive" for last in LAST.split()]
    names += [f"Estate of {first} {last}" for first in FIRST.split() for last in LAST.split()]
    return names[:200]


def common_tags() -> list[str]:
    """About 200 tags in Zipf order: a few on a quarter of the assets, most on a few."""
    named = "collection-online photography MuseumWeek conservation new-acquisition highlights"
    return (
        named.split()
        + [f"theme-{m}" for m in MATERIALS.split()]
        + [f"gallery-{n:03d}" for n in range(174)]
    )


# ---------------------------------------------------------------- the rows


@dataclass
class Catalogue:
    """What every table's rows are drawn from; decisions per asset are made once, here."""

    n: int
    audit_size: int
    seed: int = 13
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    rng: random.Random = field(init=False)
    deleted: set[int] = field(init=False)
    audited: set[int] = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        ids = range(1, self.n + 1)
        self.deleted = set(self.rng.sample(ids, self.n // 100))
        live = [i for i in ids if i not in self.deleted]
        size = min(self.audit_size, len(live))
        self.audited = {live[k * len(live) // size] for k in range(size)} if size else set()
        self.start = self.now - timedelta(days=3652)
        self.rare = max(1, self.n // 10)

    def created_at(self, i: int) -> datetime:
        """Spread over ten years in id order, as uploads come, with a little jitter."""
        share = (i - 1 + self.rng.random()) / self.n  # below 1: none in the future
        return self.start + timedelta(seconds=share * 3652 * 86400)


def _summary(rng: random.Random) -> tuple[str, str]:
    camera = rng.choice([("Phase One", "IQ4 150MP"), ("Hasselblad", "H6D-100c"),
                         ("Nikon", "D850"), ("Canon", "EOS R5")])  # fmt: skip
    creator = {"value": "Museum Photo Studio", "source": "xmp:dc:creator"}
    summary = {"creator": creator, "copyright_notice": None, "credit_line": None,
               "date_taken": f"{rng.randint(2005, 2024)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
               "camera_make": camera[0], "camera_model": camera[1], "orientation": 1,
               "gps": None, "has_gps": False, "icc_profile": "Adobe RGB (1998)"}  # fmt: skip
    raw = {"exif": {"Make": camera[0], "Model": camera[1]}, "iptc": {}, "xmp": {},
           "icc": {"description": "Adobe RGB (1998)"}}  # fmt: skip
    return json.dumps(summary), json.dumps(raw)


def asset_rows(cat: Catalogue) -> Iterator[Row]:
    rng = cat.rng
    materials, material_weights = zipf(MATERIALS.split(), 1.0)
    uploaders, uploader_weights = zipf(UPLOADERS.split(), 1.0)
    objects, summaries = OBJECTS.split(), [_summary(rng) for _ in range(40)]
    for i in range(1, cat.n + 1):
        material = rng.choices(materials, cum_weights=material_weights)[0]
        what = f"{material.capitalize()} {rng.choice(objects)}"
        title = f"{what} with {rng.choice(MOTIFS)}" if rng.random() < 0.7 else what
        place, year = rng.choice(PLACES), rng.randint(1850, 2020)
        word = rare_word((i + cat.rare // 2) % cat.rare)
        sha = hashlib.sha256(i.to_bytes(8, "big")).hexdigest()
        created = cat.created_at(i)
        uploader = rng.choices(uploaders, cum_weights=uploader_weights)[0]
        summary, raw = rng.choice(summaries)
        deleted = i in cat.deleted
        yield {
            "id": i, "sha256": sha, "blob_key": f"originals/{sha[:2]}/{sha[2:4]}/{sha}",
            "original_filename": f"IMG_{i:07d}.tif", "media_type": "image/tiff",
            "byte_size": rng.randint(2_000_000, 180_000_000),
            "width": 6000, "height": rng.choice((4000, 4500, 8000)), "title": title,
            "object_number": f"{1850 + i % 170},{(i // 170) % 10000:04d}"
            + (f".{i % 7 + 1}" if i % 3 == 0 else ""),
            "description": f"{title}. Made in {place}, {rng.choice(CENTURIES)} century. "
            f"Acquired {year}; collector's mark {word}. Photographed for the online catalogue.",
            "alt_text": "" if i % 3 == 1 else f"A {material} {rng.choice(objects)} on grey.",
            "uploaded_by": uploader, "created_at": created,
            "updated_at": created + timedelta(minutes=rng.randint(0, 600)),
            "metadata_summary": summary, "metadata_raw": raw, "metadata_warnings": "[]",
            "deleted_at": min(cat.now, created + timedelta(days=3)) if deleted else None,
            "deleted_by": "admin" if deleted else None, "focal_x": 0.5, "focal_y": 0.5,
        }  # fmt: skip


def tag_rows(cat: Catalogue) -> Iterator[Row]:
    rng = cat.rng
    tags, weights = zipf(common_tags(), 1.05)
    number = 0
    for i in range(1, cat.n + 1):
        picked = rng.choices(tags, cum_weights=weights, k=rng.choice((0, 1, 1, 2, 2, 2, 3)))
        picked = [*dict.fromkeys(picked), rare_tag(i % cat.rare)]
        if i in cat.audited:
            picked.append(AUDIT_TAG)
        for tag in picked:
            number += 1
            yield {"id": number, "asset_id": i, "tag": tag}


def rights_rows(cat: Catalogue) -> Iterator[Row]:
    rng, today = cat.rng, cat.now.date()
    names, name_weights = zipf(holders(), 1.1)
    statuses, status_weights = list(STATUSES), list(STATUSES.values())
    licences, licence_weights = list(LICENCES), list(LICENCES.values())
    for i in range(1, cat.n + 1):
        holder = rng.choices(names, cum_weights=name_weights)[0]
        status = rng.choices(statuses, weights=status_weights)[0]
        roll = rng.random()
        expires: date | None = None
        if roll < 0.02:
            expires = today + timedelta(days=rng.randint(1, 30))
        elif roll < 0.17:
            expires = today + timedelta(days=rng.randint(365, 1800))
        updated = cat.created_at(i) + timedelta(days=rng.randint(0, 30))
        yield {
            "asset_id": i, "holder": holder, "credit_line": f"Photo © {holder}",
            "licence_uri": rng.choices(licences, weights=licence_weights)[0],
            "creator": "", "source": "", "copyright_year": rng.choice((None, 2015, 2021)),
            "channels": json.dumps(rng.choice(CHANNEL_SETS)),
            "embargo_until": today + timedelta(days=rng.randint(1, 60)) if roll > 0.995 else None,
            "expires_at": expires, "status": status,
            "cleared_by": "rights-officer" if status == "cleared" else None,
            "cleared_at": updated if status == "cleared" else None, "notes": "",
            "proposed": status == "unknown", "revision": 1,
            "updated_by": "rights-officer", "updated_at": min(cat.now, updated),
        }  # fmt: skip


def caption_rows(cat: Catalogue) -> Iterator[Row]:
    platforms = list(PLATFORMS)
    for number, i in enumerate(range(3, cat.n + 1, 10), start=1):
        text = None if i % 20 == 3 else f"From the collection: object {i}. #MuseumWeek"
        yield {"id": number, "asset_id": i, "platform": cat.rng.choice(platforms),
               "text": text, "alt_text": None, "updated_by": "social-team",
               "updated_at": cat.created_at(i) + timedelta(days=1)}  # fmt: skip


def history_rows(cat: Catalogue) -> Iterator[Row]:
    for i in range(1, cat.n + 1):
        at = cat.created_at(i) + timedelta(hours=1)
        yield {
            "id": 2 * i - 1,
            "asset_id": i,
            "actor": "registrar",
            "at": at,
            "field": "title",
            "before": '""',
            "after": json.dumps(f"Object {i}"),
        }
        yield {"id": 2 * i, "asset_id": i, "actor": "rights-officer",
               "at": at + timedelta(days=2), "field": "status",
               "before": '"unknown"', "after": '"pending"'}  # fmt: skip


def variant_rows(cat: Catalogue) -> Iterator[Row]:
    presets = list(DEFAULT_PRESETS)
    for number, i in enumerate(range(7, cat.n + 1, 20), start=1):
        key = hashlib.sha256(f"variant {i}".encode()).hexdigest()
        claimed = cat.created_at(i) + timedelta(minutes=5)
        yield {
            "id": number, "key": key, "kind": "variant", "asset_id": i,
            "preset": cat.rng.choice(presets), "status": "ready",
            "blob_key": f"variants/{key[:2]}/{key}.jpg", "rights_revision": 1,
            "media_type": "image/jpeg", "width": 1080, "height": 1080,
            "byte_size": 300_000, "quality": 85, "burned_in": False, "upscale": 1.0,
            "output_facts": "{}", "claimed_at": claimed,
            "rendered_at": claimed + timedelta(seconds=2), "render_ms": 1800,
        }  # fmt: skip


ROWS: dict[str, Callable[[Catalogue], Iterator[Row]]] = {
    "assets": asset_rows,
    "asset_tags": tag_rows,
    "rights_records": rights_rows,
    "captions": caption_rows,
    "history": history_rows,
    "variants": variant_rows,
}

# ---------------------------------------------------------------- loading


def _columns(table: Table, first: Row) -> list[str]:
    """The table's columns this loader fills; SystemExit naming any it cannot."""
    names = [column.name for column in table.columns]
    unknown = set(first) - set(names)
    required = [
        column.name
        for column in table.columns
        if not column.nullable and column.server_default is None and column.computed is None
        and column.name not in first
    ]  # fmt: skip
    if unknown or required:
        raise SystemExit(
            f"bench/catalogue_data.py does not follow the schema of {table.name}: "
            f"no such columns {sorted(unknown)}, no values for {required}"
        )
    return [name for name in names if name in first]


def copy_rows(connection: psycopg.Connection[Any], table: Table, rows: Iterable[Row]) -> int:
    """COPY the rows into the table; how many there were."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    columns = _columns(table, first)
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    for name in json_columns & set(columns):  # the generators give JSON as text
        assert first[name] is None or isinstance(first[name], str), (table.name, name)
    count = 0
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in chain([first], rows):
            copy.write_row([row[name] for name in columns])
            count += 1
    return count


def load(conninfo: str, n: int, audit_size: int, *, seed: int = 13) -> None:
    """Fill a freshly migrated database; print rows and seconds per table."""
    cat = Catalogue(n, audit_size, seed)
    tables = Base.metadata.tables
    with psycopg.connect(conninfo, autocommit=False) as connection:
        for name, rows in ROWS.items():
            began = time.perf_counter()
            count = copy_rows(connection, tables[name], rows(cat))
            connection.commit()
            print(f"  {name:<15} {count:>10,} rows  {time.perf_counter() - began:6.1f} s")
        for name in ROWS:
            if "id" in tables[name].columns:
                connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {name}), false)"
                )
        connection.commit()
    analyse(conninfo)


def analyse(conninfo: str) -> None:
    """VACUUM ANALYZE the whole database, timed, as autovacuum would in time after a bulk
    load: the planner needs the new rows' statistics, the GIN indexes their pending entries
    merged, index-only scans the visibility map."""
    began = time.perf_counter()
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    print(f"  VACUUM ANALYZE                       {time.perf_counter() - began:6.1f} s")
