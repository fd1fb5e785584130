"""an asset's own date, apart from the photograph's

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 12:20:00

Caption templates wrote the camera's capture date as `{date}`, as if the photograph's date
were the object's. The object's date is now a descriptive field of its own, empty until the
museum fills it in.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "assets",
        sa.Column("object_date", sa.String(100), nullable=False, server_default=""),
    )


def downgrade() -> None:
    with op.batch_alter_table("assets") as batch:
        batch.drop_column("object_date")
