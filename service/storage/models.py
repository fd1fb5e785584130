"""What Vitrine stores: assets, their tags, rights, captions and history; policy; tokens."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.storage.db import ONLY_ON, Base, JSONDocument, utcnow


class Asset(Base):
    """One original photograph, identified by the SHA-256 of its bytes."""

    __tablename__ = "assets"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The identifier of the asset's public (IIIF) URLs: random, so they cannot be counted.
    public_id: Mapped[str] = mapped_column(
        String(36), unique=True, index=True, default=lambda: str(uuid.uuid4())
    )
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
    # The object's own date as the museum writes it ("c. 1890", "Qing dynasty"), never the
    # photograph's: that is in metadata_summary.
    object_date: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    # The museum's own page for the object (a manifest's homepage), as the museum gives it.
    record_url: Mapped[str] = mapped_column(String(500), default="")
    alt_text: Mapped[str] = mapped_column(Text, default="")
    uploaded_by: Mapped[str] = mapped_column(String(100), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    metadata_summary: Mapped[dict[str, Any]]
    metadata_raw: Mapped[dict[str, Any]]
    metadata_warnings: Mapped[list[str]] = mapped_column(JSONDocument)
    # Set by a delete: the asset is hidden, and purged with its blobs after the retention.
    deleted_at: Mapped[datetime | None] = mapped_column(index=True)
    deleted_by: Mapped[str | None] = mapped_column(String(100))
    # Where cover crops centre, as fractions of the displayed width and height.
    focal_x: Mapped[float] = mapped_column(default=0.5)
    focal_y: Mapped[float] = mapped_column(default=0.5)
    # Who is in the photograph: "unknown" until someone (or the file's PLUS release status)
    # says "none" (no recognisable people) or "depicted" (the Depiction rows name them).
    people_status: Mapped[str] = mapped_column(String(20), default="unknown")
    # True while the status and depictions are only what the embedded metadata suggested.
    people_proposed: Mapped[bool] = mapped_column(default=False)

    tag_rows: Mapped[list[AssetTag]] = relationship(
        back_populates="asset",
        cascade="all, delete-orphan",
        order_by="AssetTag.id",
        lazy="selectin",
    )

    rights: Mapped[RightsRecord | None] = relationship(
        back_populates="asset", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def tags(self) -> list[str]:
        """The asset's tags, in the order they were given."""
        return [row.tag for row in self.tag_rows]


class AssetTag(Base):
    """A label such as ``MuseumWeek``, kept in the order given; a table so filters use an index."""

    __tablename__ = "asset_tags"
    __table_args__ = (UniqueConstraint("asset_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    tag: Mapped[str] = mapped_column(String(64))

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
    # When the token stops working by itself; None: never.
    expires_at: Mapped[datetime | None]


class RightsRecord(Base):
    """Who holds the rights to an asset, how it may be used, and whether it is cleared."""

    __tablename__ = "rights_records"

    asset_id: Mapped[int] = mapped_column(
        ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True
    )
    holder: Mapped[str] = mapped_column(String(300), default="")
    credit_line: Mapped[str] = mapped_column(String(300), default="")
    licence_uri: Mapped[str | None] = mapped_column(String(200))
    creator: Mapped[str] = mapped_column(String(300), default="")
    source: Mapped[str] = mapped_column(String(300), default="")
    copyright_year: Mapped[int | None]
    channels: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    embargo_until: Mapped[date | None]
    expires_at: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20), default="unknown", index=True)
    cleared_by: Mapped[str | None] = mapped_column(String(100))
    cleared_at: Mapped[datetime | None]
    notes: Mapped[str] = mapped_column(Text, default="")
    # True while the values are only what the embedded metadata suggested.
    proposed: Mapped[bool] = mapped_column(default=True)
    # Bumped on every change, so that rendered variants can be keyed by it.
    revision: Mapped[int] = mapped_column(default=1)
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    asset: Mapped[Asset] = relationship(back_populates="rights")


class CreditPolicyVersion(Base):
    """One complete, immutable version of the credit policy; the newest is in force."""

    __tablename__ = "credit_policy_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PresetChange(Base):
    """An admin's change to a preset, or a preset of their own, made through the API.

    ``fields`` are the fields as sent: applied over the configured preset of that name (a
    built-in, or one from VITRINE_PRESETS), or, for a new name, the whole preset.
    """

    __tablename__ = "preset_changes"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    fields: Mapped[dict[str, Any]]
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaptionTemplate(Base):
    """An admin's template for a platform, replacing the shipped default."""

    __tablename__ = "caption_templates"

    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    template: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Caption(Base):
    """An asset's caption for a platform: hand-written text, or composed from the template."""

    __tablename__ = "captions"
    __table_args__ = (UniqueConstraint("asset_id", "platform"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(20))
    # None means "compose from the template", so later edits to the title flow through.
    text: Mapped[str | None] = mapped_column(Text)
    # Platform-specific alt text; None falls back to the asset's.
    alt_text: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class HistoryEntry(Base):
    """One change to an asset's rights, captions or description. Never edited or deleted.

    ``asset_id`` is deliberately not a foreign key: the history outlives a deleted asset.
    """

    __tablename__ = "history"

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    field: Mapped[str] = mapped_column(String(100))
    before: Mapped[Any] = mapped_column(JSONDocument, nullable=True)
    after: Mapped[Any] = mapped_column(JSONDocument, nullable=True)


class Variant(Base):
    """A rendered variant of an asset for a preset, identified by everything that shaped it.

    ``key`` digests the original's hash, the preset's spec, the focal point, the rights that
    were written in and the rights revision; any change makes a new key. The row is inserted
    before rendering, so that concurrent requests for the same key render it once.
    ``kind`` is "variant" (publishable, through the gate) or "preview" (internal).
    """

    __tablename__ = "variants"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10), default="variant")
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    preset: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="rendering")  # or "ready"
    # Indexed: a signed /blobs URL is served only while its row says the variant is current.
    blob_key: Mapped[str] = mapped_column(String(300), index=True)
    # The asset's rights revision the variant was rendered under (0 for previews).
    rights_revision: Mapped[int] = mapped_column(default=0)
    media_type: Mapped[str] = mapped_column(String(30), default="")
    width: Mapped[int] = mapped_column(default=0)
    height: Mapped[int] = mapped_column(default=0)
    byte_size: Mapped[int] = mapped_column(default=0)
    quality: Mapped[int] = mapped_column(default=0)
    burned_in: Mapped[bool] = mapped_column(default=False)
    upscale: Mapped[float] = mapped_column(default=1.0)
    # What was read back from the rendered file, for the audit's image checks.
    output_facts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    rendered_at: Mapped[datetime | None]
    render_ms: Mapped[int] = mapped_column(default=0)


class User(Base):
    """A person who signs in to the web UI; the password is kept only as a scrypt hash."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    disabled: Mapped[bool] = mapped_column(default=False)
    # Named in each session cookie; bumped by sign-out, a new password, a new role or
    # disabling, so that every cookie issued before stops working at once.
    session_version: Mapped[int] = mapped_column(default=1)


# The library's sorts and searches (migration 0010). Each sort's key, as
# services/asset_queries.py orders by it, is indexed over the live assets, so that a page,
# however deep, reads a few index entries.
BY_CREATED = (Asset.created_at, Asset.id)


def blanks_last(column: Any) -> tuple[Any, ...]:
    """The sort key of a text column: blank values last, then any case, then by id."""
    return (column == "", func.lower(column), Asset.id)


_LIVE = Asset.deleted_at.is_(None)
Index("ix_assets_live_newest", *BY_CREATED, postgresql_where=_LIVE, sqlite_where=_LIVE)
for _column in (Asset.title, Asset.object_number):
    Index(
        f"ix_assets_live_{_column.key}",
        *blanks_last(_column),
        postgresql_where=_LIVE,
        sqlite_where=_LIVE,
    )
Index("ix_asset_tags_folded", func.lower(AssetTag.tag), AssetTag.asset_id)
Index("ix_rights_records_licence_uri", RightsRecord.licence_uri)
# The expiring report reads each kind of deadline in order, with its asset, from the index.
Index("ix_rights_records_expires", RightsRecord.expires_at, RightsRecord.asset_id)
Index("ix_rights_records_embargo_lifts", RightsRecord.embargo_until, RightsRecord.asset_id)
# PostgreSQL only: trigram indexes for the substring searches (q, holder), which a B-tree
# cannot serve, and a GIN index for "the rights allow this channel".
for _column in (Asset.title, Asset.object_number, Asset.description, RightsRecord.holder):
    Index(
        f"ix_{_column.class_.__tablename__}_{_column.key}_trigram",
        _column,
        postgresql_using="gin",
        postgresql_ops={_column.key: "gin_trgm_ops"},
        info={ONLY_ON: "postgresql"},
    ).ddl_if(dialect="postgresql")
Index(
    "ix_rights_records_channels",
    RightsRecord.channels,
    postgresql_using="gin",
    postgresql_ops={"channels": "jsonb_path_ops"},
    info={ONLY_ON: "postgresql"},
).ddl_if(dialect="postgresql")

# The campaign and people tables live in modules of their own; imported here so that every
# table is on Base.metadata whichever module a caller imports, and named from here as before.
from service.storage.campaign_models import Campaign as Campaign  # noqa: E402
from service.storage.campaign_models import CampaignDay as CampaignDay  # noqa: E402
from service.storage.campaign_models import CampaignEvent as CampaignEvent  # noqa: E402
from service.storage.campaign_models import Post as Post  # noqa: E402
from service.storage.campaign_models import PostMedia as PostMedia  # noqa: E402
from service.storage.people_models import Consent as Consent  # noqa: E402
from service.storage.people_models import Depiction as Depiction  # noqa: E402
from service.storage.people_models import PeopleEvent as PeopleEvent  # noqa: E402
from service.storage.people_models import Person as Person  # noqa: E402
