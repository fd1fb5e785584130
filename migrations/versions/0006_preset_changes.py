"""preset changes made through the API

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 10:05:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "preset_changes",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("fields", JSON_DOCUMENT, nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_preset_changes")),
    )


def downgrade() -> None:
    op.drop_table("preset_changes")
