"""people in photographs: the register, consents, depictions and their history

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 14:45:00

An asset's people status starts "unknown" for every existing photograph: nobody has said yet
whether it shows recognisable people, and the gate treats that as the policy says.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('external_ref', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people'))
    )
    op.create_table('people_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('consent_id', sa.Integer(), nullable=True),
    sa.Column('asset_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('field', sa.String(length=100), nullable=False),
    sa.Column('before', JSON_DOCUMENT, nullable=True),
    sa.Column('after', JSON_DOCUMENT, nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people_history'))
    )
    with op.batch_alter_table('people_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_people_history_person_id'), ['person_id'], unique=False)

    op.create_table('consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('channels', JSON_DOCUMENT, nullable=False),
    sa.Column('platforms', JSON_DOCUMENT, nullable=False),
    sa.Column('purposes', JSON_DOCUMENT, nullable=False),
    sa.Column('basis', sa.String(length=30), nullable=False),
    sa.Column('language', sa.String(length=35), nullable=False),
    sa.Column('guardian', sa.String(length=200), nullable=False),
    sa.Column('release_id', sa.String(length=200), nullable=False),
    sa.Column('name_in_metadata', sa.Boolean(), nullable=False),
    sa.Column('granted_at', sa.Date(), nullable=False),
    sa.Column('expires_at', sa.Date(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by', sa.String(length=100), nullable=True),
    sa.Column('evidence_key', sa.String(length=300), nullable=True),
    sa.Column('evidence_media_type', sa.String(length=100), nullable=False),
    sa.Column('evidence_filename', sa.String(length=255), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_consents_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents'))
    )
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consents_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_consents_person_id'), ['person_id'], unique=False)

    op.create_table('depictions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('region', JSON_DOCUMENT, nullable=True),
    sa.Column('proposed', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['assets.id'], name=op.f('fk_depictions_asset_id_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_depictions_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_depictions')),
    sa.UniqueConstraint('asset_id', 'person_id', name=op.f('uq_depictions_asset_id'))
    )
    with op.batch_alter_table('depictions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_depictions_asset_id'), ['asset_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_depictions_person_id'), ['person_id'], unique=False)

    # Added in place (not a batch, which would rebuild the table without its expression
    # indexes on SQLite).
    op.add_column(
        'assets',
        sa.Column('people_status', sa.String(length=20), nullable=False, server_default='unknown'),
    )
    op.add_column(
        'assets',
        sa.Column('people_proposed', sa.Boolean(), nullable=False, server_default=sa.false()),
    )



def downgrade() -> None:
    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.drop_column('people_proposed')
        batch_op.drop_column('people_status')

    with op.batch_alter_table('depictions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_depictions_person_id'))
        batch_op.drop_index(batch_op.f('ix_depictions_asset_id'))

    op.drop_table('depictions')
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consents_person_id'))
        batch_op.drop_index(batch_op.f('ix_consents_expires_at'))

    op.drop_table('consents')
    with op.batch_alter_table('people_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_people_history_person_id'))

    op.drop_table('people_history')
    op.drop_table('people')
