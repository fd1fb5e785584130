"""rights, credit policy, captions and history

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 06:31:45.613784
"""

from alembic import op
import sqlalchemy as sa

from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table('caption_templates',
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('template', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('platform', name=op.f('pk_caption_templates'))
    )
    op.create_table('credit_policy_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('rules', JSON_DOCUMENT, nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_policy_versions')),
    sa.UniqueConstraint('version', name=op.f('uq_credit_policy_versions_version'))
    )
    op.create_table('history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('field', sa.String(length=100), nullable=False),
    sa.Column('before', JSON_DOCUMENT, nullable=True),
    sa.Column('after', JSON_DOCUMENT, nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_history'))
    )
    with op.batch_alter_table('history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_history_asset_id'), ['asset_id'], unique=False)

    op.create_table('captions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('alt_text', sa.Text(), nullable=True),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_captions_asset_id_assets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_captions')),
    sa.UniqueConstraint('asset_id', 'platform', name=op.f('uq_captions_asset_id'))
    )
    with op.batch_alter_table('captions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_captions_asset_id'), ['asset_id'], unique=False)

    op.create_table('rights_records',
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('holder', sa.String(length=300), nullable=False),
    sa.Column('credit_line', sa.String(length=300), nullable=False),
    sa.Column('licence_uri', sa.String(length=200), nullable=True),
    sa.Column('creator', sa.String(length=300), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('copyright_year', sa.Integer(), nullable=True),
    sa.Column('channels', JSON_DOCUMENT, nullable=False),
    sa.Column('embargo_until', sa.Date(), nullable=True),
    sa.Column('expires_at', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('cleared_by', sa.String(length=100), nullable=True),
    sa.Column('cleared_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('proposed', sa.Boolean(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_rights_records_asset_id_assets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('asset_id', name=op.f('pk_rights_records'))
    )
    with op.batch_alter_table('rights_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rights_records_embargo_until'), ['embargo_until'], unique=False)
        batch_op.create_index(batch_op.f('ix_rights_records_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_rights_records_status'), ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('rights_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rights_records_status'))
        batch_op.drop_index(batch_op.f('ix_rights_records_expires_at'))
        batch_op.drop_index(batch_op.f('ix_rights_records_embargo_until'))

    op.drop_table('rights_records')
    with op.batch_alter_table('captions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_captions_asset_id'))

    op.drop_table('captions')
    with op.batch_alter_table('history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_history_asset_id'))

    op.drop_table('history')
    op.drop_table('credit_policy_versions')
    op.drop_table('caption_templates')
