"""On PostgreSQL, the library's selective searches read an index, not the whole table.

A catalogue of 20,000 synthetic assets is enough for the planner to cost a sequential scan
above an index; the query asked is the one the API runs (``asset_queries.page_query``).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, Select, create_engine, insert, text

from service.services.asset_queries import AssetFilters, encode_cursor, page_query
from service.services.rights import Deadline, deadlines_query
from service.storage.models import Asset, AssetTag, RightsRecord
from tests.support.database import migrated_postgres_database
from tests.support.services import postgres_test_url, require_or_skip

ASSETS = 20_000
WORDS = ("vase", "basket", "coin", "print", "drawing", "mask", "bowl", "textile", "seal")
START = datetime(2016, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def catalogue() -> Iterator[Engine]:
    server = postgres_test_url()
    require_or_skip("PostgreSQL (VITRINE_TEST_DATABASE_URL)", server)
    assert server is not None
    with migrated_postgres_database(server, "vitrine_plans") as url:
        engine = create_engine(url)
        _load(engine)
        yield engine
        engine.dispose()


def _load(engine: Engine) -> None:
    chance = random.Random(13)
    assets, tags, records = [], [], []
    for number in range(1, ASSETS + 1):
        title = f"{chance.choice(WORDS).title()} {chance.choice(WORDS)} {number}"
        if number % 5_000 == 0:
            title = f"Aquamanile in the form of a lion {number}"  # the rare word
        assets.append(_asset(number, title, START + timedelta(hours=4 * number)))
        tags.append({"asset_id": number, "tag": "collection"})  # on every asset
        if number % 4_000 == 0:
            tags.append({"asset_id": number, "tag": "Conservation2026"})  # on five
        records.append(
            {
                "asset_id": number,
                "holder": chance.choice(WORDS),
                "channels": ["web"],
                "expires_at": (START + timedelta(days=number % 3_650)).date(),
                "embargo_until": (START + timedelta(days=number % 3_000)).date(),
            }
        )
    with engine.begin() as connection:
        connection.execute(insert(Asset), assets)
        connection.execute(insert(AssetTag), tags)
        connection.execute(insert(RightsRecord), records)
    # As autovacuum would, in time: statistics, and the GIN indexes' pending entries merged
    # (until then the planner rightly costs a trigram search above a scan).
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def _asset(number: int, title: str, created_at: datetime) -> dict[str, Any]:
    return {
        "id": number,
        "sha256": f"{number:064x}",
        "blob_key": f"originals/{number}",
        "original_filename": f"{number}.jpg",
        "media_type": "image/jpeg",
        "byte_size": 1,
        "width": 1,
        "height": 1,
        "title": title,
        "object_number": f"{1900 + number % 100},{number:04d}.1",
        "description": "A photograph of the object from the front, in raking light.",
        "uploaded_by": "token:loader",
        "created_at": created_at,
        "updated_at": created_at,
        "metadata_summary": {},
        "metadata_raw": {},
        "metadata_warnings": [],
    }


def _plan(
    engine: Engine, filters: AssetFilters, sort: str = "newest", cursor: str | None = None
) -> dict[str, Any]:
    return _explain(engine, page_query(filters, limit=51, sort=sort, cursor=cursor))


def _explain(engine: Engine, query: Select[Any]) -> dict[str, Any]:
    compiled = query.compile(dialect=engine.dialect)
    with engine.connect() as connection:
        [[document]] = connection.exec_driver_sql(
            f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params
        ).all()
    return document[0]["Plan"]


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _indexes_read(plan: dict[str, Any]) -> set[str]:
    """The indexes a plan reads; it fails if the plan reads any table from end to end."""
    scanned = [node["Relation Name"] for node in _nodes(plan) if node["Node Type"] == "Seq Scan"]
    indexes = {node["Index Name"] for node in _nodes(plan) if "Index Name" in node}
    assert not scanned, (scanned, indexes)
    return indexes


def test_a_rare_tag_is_found_through_the_folded_tag_index(catalogue: Engine) -> None:
    indexes = _indexes_read(_plan(catalogue, AssetFilters(tag="#conservation2026")))
    assert "ix_asset_tags_folded" in indexes, indexes


def test_a_rare_word_is_found_through_the_trigram_indexes(catalogue: Engine) -> None:
    indexes = _indexes_read(_plan(catalogue, AssetFilters(text="aquamanile")))
    trigrams = {f"ix_assets_{name}_trigram" for name in ("title", "object_number", "description")}
    assert trigrams <= indexes, indexes


def test_a_rare_holder_is_found_through_its_trigram_index(catalogue: Engine) -> None:
    indexes = _indexes_read(_plan(catalogue, AssetFilters(holder="nobody-holds-this")))
    assert "ix_rights_records_holder_trigram" in indexes, indexes


def test_a_date_window_reads_a_range_of_the_newest_first_index(catalogue: Engine) -> None:
    window = AssetFilters(
        created_after=START + timedelta(days=100), created_before=START + timedelta(days=101)
    )
    for sort in ("newest", "oldest"):
        assert _indexes_read(_plan(catalogue, window, sort)) == {"ix_assets_live_newest"}


@pytest.mark.parametrize("sort", ["newest", "oldest", "title", "object_number"])
def test_every_sort_reads_its_own_index_in_order_without_sorting(
    catalogue: Engine, sort: str
) -> None:
    index = "ix_assets_live_newest" if sort in ("newest", "oldest") else f"ix_assets_live_{sort}"
    key = (START + timedelta(days=900), 9_000) if "est" in sort else (False, "mask", 9_000)
    for cursor in (None, encode_cursor(sort, key)):  # the first page, and one deep in
        plan = _plan(catalogue, AssetFilters(), sort, cursor)
        assert _indexes_read(plan) == {index}
        assert "Sort" not in {node["Node Type"] for node in _nodes(plan)}


def test_a_channel_few_allow_is_found_through_the_channels_index(catalogue: Engine) -> None:
    indexes = _indexes_read(_plan(catalogue, AssetFilters(channel="press")))
    assert "ix_rights_records_channels" in indexes, indexes


def test_a_page_of_deadlines_reads_the_deadline_indexes_alone(catalogue: Engine) -> None:
    today = (START + timedelta(days=400)).date()
    for after in (None, Deadline(9_000, "", "", "licence_expires", today)):
        query = deadlines_query(today=today, within_days=14, limit=201, after=after)
        indexes = _indexes_read(_explain(catalogue, query))
        assert {"ix_rights_records_expires", "ix_rights_records_embargo_lifts"} <= indexes
