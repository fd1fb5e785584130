"""campaigns: days, posts, their ordered media, and the campaign history

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 13:42:16

A campaign (#MuseumWeek) is the unit of work from plan to export: its days carry a theme and
a hashtag, its posts a time, platforms, captions and an ordered list of assets.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaign_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("field", sa.String(length=100), nullable=False),
        sa.Column("before", JSON_DOCUMENT, nullable=True),
        sa.Column("after", JSON_DOCUMENT, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_history")),
    )
    with op.batch_alter_table("campaign_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaign_history_campaign_id"), ["campaign_id"], unique=False
        )

    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("hashtag", sa.String(length=100), nullable=False),
        sa.Column("cause_tag", sa.String(length=100), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
        sa.UniqueConstraint("name", name=op.f("uq_campaigns_name")),
    )
    op.create_table(
        "campaign_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("theme", sa.String(length=200), nullable=False),
        sa.Column("hashtag", sa.String(length=100), nullable=False),
        sa.Column("brief", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_days_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_days")),
        sa.UniqueConstraint("campaign_id", "date", name=op.f("uq_campaign_days_campaign_id")),
    )
    with op.batch_alter_table("campaign_days", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaign_days_campaign_id"), ["campaign_id"], unique=False
        )

    op.create_table(
        "campaign_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("day_id", sa.Integer(), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("platforms", JSON_DOCUMENT, nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("captions", JSON_DOCUMENT, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("remote_url", sa.String(length=1000), nullable=False),
        sa.Column("exported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("exported_by", sa.String(length=100), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_posts_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["day_id"],
            ["campaign_days.id"],
            name=op.f("fk_campaign_posts_day_id_campaign_days"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_posts")),
    )
    with op.batch_alter_table("campaign_posts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaign_posts_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_campaign_posts_day_id"), ["day_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_campaign_posts_status"), ["status"], unique=False)

    op.create_table(
        "campaign_post_media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("alt_text", sa.Text(), nullable=True),
        sa.Column("presets", JSON_DOCUMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_campaign_post_media_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["campaign_posts.id"],
            name=op.f("fk_campaign_post_media_post_id_campaign_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_post_media")),
    )
    with op.batch_alter_table("campaign_post_media", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaign_post_media_asset_id"), ["asset_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_campaign_post_media_post_id"), ["post_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("campaign_post_media", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_post_media_post_id"))
        batch_op.drop_index(batch_op.f("ix_campaign_post_media_asset_id"))

    op.drop_table("campaign_post_media")
    with op.batch_alter_table("campaign_posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_posts_status"))
        batch_op.drop_index(batch_op.f("ix_campaign_posts_day_id"))
        batch_op.drop_index(batch_op.f("ix_campaign_posts_campaign_id"))

    op.drop_table("campaign_posts")
    with op.batch_alter_table("campaign_days", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_days_campaign_id"))

    op.drop_table("campaign_days")
    op.drop_table("campaigns")
    with op.batch_alter_table("campaign_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_history_campaign_id"))

    op.drop_table("campaign_history")
