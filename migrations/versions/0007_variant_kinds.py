"""variant kinds (publishable or preview), rights revision, blob key index

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 09:00:00

Rows made before this migration get rights_revision 0, which no rights record has: their
signed URLs stop working, and each is replaced on its next request (under a secret blob name).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("variants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=10), nullable=False, server_default="variant")
        )
        batch_op.add_column(
            sa.Column("rights_revision", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.create_index(batch_op.f("ix_variants_blob_key"), ["blob_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("variants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_variants_blob_key"))
        batch_op.drop_column("rights_revision")
        batch_op.drop_column("kind")
