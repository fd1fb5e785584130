"""Migration 0009 gives every asset a rights record, as its first read used to, on SQLite and
PostgreSQL; reading rights afterwards writes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from service.cli.database import alembic_config
from tests.support.database import migrated_postgres_database
from tests.support.services import postgres_test_url, require_or_skip

SUMMARY = {
    "copyright_notice": {"value": "© Ada Archive"},
    "creator": {"value": "Ada Lovelace"},
}


@pytest.fixture(params=["sqlite", "postgresql"])
def url_at_0008(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database migrated up to 0008, the revision before the backfill."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'backfill.db'}"
        command.upgrade(alembic_config(url), "0008")
        yield url
        return
    server = postgres_test_url()
    require_or_skip("PostgreSQL (VITRINE_TEST_DATABASE_URL)", server)
    assert server is not None
    with migrated_postgres_database(server, "vitrine_backfill") as url:
        command.downgrade(alembic_config(url), "0008")
        yield url


def _insert_asset(connection: object, asset_id: int, summary: object) -> None:
    connection.execute(  # type: ignore[attr-defined]
        text(
            "INSERT INTO assets (id, sha256, blob_key, original_filename, media_type, byte_size,"
            " width, height, uploaded_by, created_at, updated_at, title, object_number,"
            " description, alt_text, focal_x, focal_y, metadata_summary, metadata_raw,"
            " metadata_warnings) VALUES (:id, :sha, :key, 'a.jpg', 'image/jpeg', 1, 1, 1, 't',"
            " :now, :now, '', '', '', '', 0.5, 0.5, :summary, '{}', '[]')"
        ),
        {
            "id": asset_id,
            "sha": f"{asset_id:064x}",
            "key": f"originals/{asset_id}",
            "now": datetime.now(UTC),
            "summary": json.dumps(summary),
        },
    )


def test_every_asset_without_a_record_gets_the_proposal_its_metadata_makes(
    url_at_0008: str,
) -> None:
    engine = create_engine(url_at_0008)
    try:
        with engine.begin() as connection:
            _insert_asset(connection, 1, SUMMARY)
            _insert_asset(connection, 2, {})
            _insert_asset(connection, 3, {})
            connection.execute(
                text(
                    "INSERT INTO rights_records (asset_id, holder, credit_line, creator, source,"
                    " channels, status, notes, proposed, revision, updated_by, updated_at)"
                    " VALUES (3, 'Kept', 'Kept', '', '', '[]', 'cleared', '', false, 4, 'desk',"
                    " :now)"
                ),
                {"now": datetime.now(UTC)},
            )
        command.upgrade(alembic_config(url_at_0008), "head")
        with engine.connect() as connection:
            rows = {
                row.asset_id: row
                for row in connection.execute(text("SELECT * FROM rights_records"))
            }
    finally:
        engine.dispose()
    assert set(rows) == {1, 2, 3}
    assert (rows[1].holder, rows[1].creator, rows[1].status) == (
        "Ada Archive",
        "Ada Lovelace",
        "unknown",
    )
    assert rows[1].proposed and rows[1].revision == 1
    assert (rows[2].holder, rows[2].status, rows[2].proposed) == ("", "unknown", True)
    assert (rows[3].holder, rows[3].status, rows[3].revision) == ("Kept", "cleared", 4)
