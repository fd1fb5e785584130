"""What Vitrine stores: assets (one per distinct original), their tags, and API tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .db import Base, JSONDocument, utcnow


class Asset(Base):
    """One original photograph, identified by the SHA-256 of its bytes."""

    __tablename__ = "assets"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    blob_key: Mapped[str] = mapped_column(String(200))
    original_filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(50))
    byte_size: Mapped[int] = mapped_column(BigInteger)
    # As displayed, after EXIF orientation: a portrait shot stored sideways is portrait here.
    width: Mapped[int]
    height: Mapped[int]
    title: Mapped[str] = mapped_column(String(500), default="")
    object_number: Mapped[str] = mapped_column(String(100), default="", index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    alt_text: Mapped[str] = mapped_column(Text, default="")
    uploaded_by: Mapped[str] = mapped_column(String(100), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    metadata_summary: Mapped[dict[str, Any]]
    metadata_raw: Mapped[dict[str, Any]]
    metadata_warnings: Mapped[list[str]] = mapped_column(JSONDocument)

    tag_rows: Mapped[list[AssetTag]] = relationship(
        back_populates="asset",
        cascade="all, delete-orphan",
        order_by="AssetTag.id",
        lazy="selectin",
    )

    @property
    def tags(self) -> list[str]:
        return [row.tag for row in self.tag_rows]


class AssetTag(Base):
    """A label such as ``MuseumWeek``, kept in the order given; a table so filters use an index."""

    __tablename__ = "asset_tags"
    __table_args__ = (UniqueConstraint("asset_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    tag: Mapped[str] = mapped_column(String(64), index=True)

    asset: Mapped[Asset] = relationship(back_populates="tag_rows")


class ApiToken(Base):
    """A bearer token. Only a hash of its secret is kept; the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The public half of the token, used to find the row before comparing hashes.
    lookup: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
