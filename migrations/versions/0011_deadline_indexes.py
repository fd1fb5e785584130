"""the expiring report's indexes carry the asset

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 10:00:00

The report of licences expiring and embargoes lifting pages through each kind of deadline
in date order: an index on (date, asset id) gives it that order and the asset without
reading the table. They replace the indexes on the dates alone.
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_rights_records_expires", "rights_records", ["expires_at", "asset_id"])
    op.create_index(
        "ix_rights_records_embargo_lifts", "rights_records", ["embargo_until", "asset_id"]
    )
    op.drop_index("ix_rights_records_expires_at", table_name="rights_records")
    op.drop_index("ix_rights_records_embargo_until", table_name="rights_records")


def downgrade() -> None:
    op.create_index("ix_rights_records_embargo_until", "rights_records", ["embargo_until"])
    op.create_index("ix_rights_records_expires_at", "rights_records", ["expires_at"])
    op.drop_index("ix_rights_records_embargo_lifts", table_name="rights_records")
    op.drop_index("ix_rights_records_expires", table_name="rights_records")
