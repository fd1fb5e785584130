"""soft delete

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 07:28:12.299683
"""

from alembic import op
import sqlalchemy as sa



revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deleted_by', sa.String(length=100), nullable=True))
        batch_op.create_index(batch_op.f('ix_assets_deleted_at'), ['deleted_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assets_deleted_at'))
        batch_op.drop_column('deleted_by')
        batch_op.drop_column('deleted_at')

