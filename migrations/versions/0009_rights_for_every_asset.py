"""a rights record for every asset

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 12:00:00

Reading an asset's rights used to make its record on first read (from the embedded
metadata). Now the upload makes it with the asset, and reading is a pure read: this backfills
the record, proposed from the embedded metadata as the first read did, for every asset that
has none. The downgrade keeps the records (the older code reads them as its own).
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from service.services.rights import propose_rights

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BATCH = 500


def upgrade() -> None:
    connection = op.get_bind()
    metadata = sa.MetaData()
    assets = sa.Table("assets", metadata, autoload_with=connection)
    records = sa.Table("rights_records", metadata, autoload_with=connection)
    lacking = (
        sa.select(assets.c.id, assets.c.metadata_summary)
        .where(~sa.exists().where(records.c.asset_id == assets.c.id))
        .order_by(assets.c.id)
    )
    now = datetime.now(UTC)
    rows = [
        {
            "source": "",
            "notes": "",
            **propose_rights(summary or {}),
            "asset_id": asset_id,
            "channels": [],
            "status": "unknown",
            "proposed": True,
            "revision": 1,
            "updated_by": "embedded metadata",
            "updated_at": now,
        }
        for asset_id, summary in connection.execute(lacking)
    ]
    for start in range(0, len(rows), BATCH):
        connection.execute(records.insert(), rows[start : start + BATCH])


def downgrade() -> None:
    pass
