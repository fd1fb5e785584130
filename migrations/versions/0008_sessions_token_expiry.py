"""session versions and token expiry

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 09:00:00

``users.session_version`` is named in every session cookie and bumped by a sign-out, a new
password, a change of role or disabling the user: older cookies stop working at once.
``api_tokens.expires_at`` is when a token stops working by itself (null: never).
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="1")
        )
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("expires_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_version")
