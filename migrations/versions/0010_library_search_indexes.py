"""indexes for the library's searches and sorts at a million assets

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 09:00:00

Each sort of the library (newest, oldest, title, object number) gets an index on its key over
the live assets, tags an index on their folded form, rights records one on the licence. On
PostgreSQL, trigram indexes (extension ``pg_trgm``) serve the substring searches ``q`` and
``holder``, and a GIN index the channel filter. Where the extension cannot be created (a
role without the right to), the migration goes on without the trigram indexes and says how
to add them: searches stay correct, only slower on a large catalogue.
The plain indexes on ``assets.created_at`` and ``asset_tags.tag`` are replaced.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

LIVE = sa.text("deleted_at IS NULL")
TRIGRAM_COLUMNS = (
    ("assets", "title"),
    ("assets", "object_number"),
    ("assets", "description"),
    ("rights_records", "holder"),
)


def upgrade() -> None:
    op.drop_index("ix_assets_created_at", table_name="assets")
    op.drop_index("ix_asset_tags_tag", table_name="asset_tags")
    live = {"postgresql_where": LIVE, "sqlite_where": LIVE}
    op.create_index("ix_assets_live_newest", "assets", ["created_at", "id"], **live)
    for name in ("title", "object_number"):
        keys = [sa.text(f"({name} = '')"), sa.text(f"lower({name})"), "id"]
        op.create_index(f"ix_assets_live_{name}", "assets", keys, **live)
    op.create_index("ix_asset_tags_folded", "asset_tags", [sa.text("lower(tag)"), "asset_id"])
    op.create_index("ix_rights_records_licence_uri", "rights_records", ["licence_uri"])
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_indexes()


def _postgresql_indexes() -> None:
    op.create_index(
        "ix_rights_records_channels",
        "rights_records",
        ["channels"],
        postgresql_using="gin",
        postgresql_ops={"channels": "jsonb_path_ops"},
    )
    if not _trigrams_available():
        statements = "; ".join(_trigram_index_sql(table, column) for table, column in TRIGRAM_COLUMNS)
        print(
            "vitrine: the PostgreSQL extension pg_trgm could not be created by this role, so "
            "text searches (q, holder) will scan the table on a large catalogue. Ask a "
            "superuser to run: CREATE EXTENSION pg_trgm; " + statements
        )
        return
    for table, column in TRIGRAM_COLUMNS:
        op.execute(_trigram_index_sql(table, column))


def _trigrams_available() -> bool:
    """Create pg_trgm if this role may (it is a trusted extension since PostgreSQL 13)."""
    connection = op.get_bind()
    try:
        with connection.begin_nested():
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError:
        return False
    return True


def _trigram_index_sql(table: str, column: str) -> str:
    return (
        f"CREATE INDEX IF NOT EXISTS ix_{table}_{column}_trigram "
        f"ON {table} USING gin ({column} gin_trgm_ops)"
    )


def downgrade() -> None:
    for table, column in TRIGRAM_COLUMNS:
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_{column}_trigram")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_rights_records_channels", table_name="rights_records")
    op.drop_index("ix_rights_records_licence_uri", table_name="rights_records")
    op.drop_index("ix_asset_tags_folded", table_name="asset_tags")
    for name in ("object_number", "title", "newest"):
        op.drop_index(f"ix_assets_live_{name}", table_name="assets")
    op.create_index("ix_asset_tags_tag", "asset_tags", ["tag"])
    op.create_index("ix_assets_created_at", "assets", ["created_at"])
