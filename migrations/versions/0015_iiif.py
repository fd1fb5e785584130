"""a public identifier per asset for IIIF, and the object's collection record link

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 17:10:00

IIIF names an image by an identifier in its public URLs. The row id would let anyone count
the catalogue and probe for assets that are not cleared, so each asset gets a random UUID
(existing assets too, here). The record link is the museum's own page for the object (the
manifest's `homepage`), stored as the museum gives it: it cannot be derived from the number.
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Added in place (not a batch, which would rebuild the table without its expression
    # indexes on SQLite); filled before the unique index is made.
    op.add_column(
        "assets", sa.Column("public_id", sa.String(36), nullable=False, server_default="")
    )
    op.add_column(
        "assets", sa.Column("record_url", sa.String(500), nullable=False, server_default="")
    )
    assets = sa.table("assets", sa.column("id", sa.Integer), sa.column("public_id", sa.String))
    connection = op.get_bind()
    for (asset_id,) in connection.execute(sa.select(assets.c.id)).all():
        connection.execute(
            assets.update().where(assets.c.id == asset_id).values(public_id=str(uuid.uuid4()))
        )
    op.create_index("ix_assets_public_id", "assets", ["public_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_assets_public_id", table_name="assets")
    with op.batch_alter_table("assets") as batch:
        batch.drop_column("record_url")
        batch.drop_column("public_id")
