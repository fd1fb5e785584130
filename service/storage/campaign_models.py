"""What a campaign stores: its days, posts, their ordered media, and its history."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.storage.db import Base, JSONDocument, utcnow

if TYPE_CHECKING:
    from service.storage.models import Asset


class Campaign(Base):
    """A planned week (or any run of days) of posts: #MuseumWeek, with a hashtag per day."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    hashtag: Mapped[str] = mapped_column(String(100), default="")
    cause_tag: Mapped[str] = mapped_column(String(100), default="")
    # An IANA zone name: the days are its dates, and a post's time is shown in it.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    days: Mapped[list[CampaignDay]] = relationship(
        back_populates="campaign",
        cascade="all, delete-orphan",
        order_by="CampaignDay.date",
        lazy="selectin",
    )


class CampaignDay(Base):
    """One day of a campaign: its date, theme, hashtag and the brief the team writes to."""

    __tablename__ = "campaign_days"
    __table_args__ = (UniqueConstraint("campaign_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    date: Mapped[date]
    theme: Mapped[str] = mapped_column(String(200), default="")
    hashtag: Mapped[str] = mapped_column(String(100), default="")
    brief: Mapped[str] = mapped_column(Text, default="")

    campaign: Mapped[Campaign] = relationship(back_populates="days")
    posts: Mapped[list[Post]] = relationship(
        back_populates="day",
        cascade="all, delete-orphan",
        order_by="(Post.scheduled_at, Post.id)",
        lazy="selectin",
    )


class Post(Base):
    """A post of a campaign day: when, to which platforms, its ordered media and captions."""

    __tablename__ = "campaign_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The campaign's id too, so that a post is found by its campaign without the day.
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    day_id: Mapped[int] = mapped_column(
        ForeignKey("campaign_days.id", ondelete="CASCADE"), index=True
    )
    scheduled_at: Mapped[datetime]
    platforms: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    channel: Mapped[str] = mapped_column(String(20), default="social")
    # Hand-written captions by platform; a platform not here has its caption composed.
    captions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    remote_url: Mapped[str] = mapped_column(String(1000), default="")
    exported_at: Mapped[datetime | None]
    exported_by: Mapped[str | None] = mapped_column(String(100))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    day: Mapped[CampaignDay] = relationship(back_populates="posts")
    media: Mapped[list[PostMedia]] = relationship(
        back_populates="post",
        cascade="all, delete-orphan",
        order_by="PostMedia.position",
        lazy="selectin",
    )


class PostMedia(Base):
    """One image of a post, in carousel order, with its alt text and preset per platform."""

    __tablename__ = "campaign_post_media"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(
        ForeignKey("campaign_posts.id", ondelete="CASCADE"), index=True
    )
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    # None: the asset's own alt text, so that a correction there reaches the post.
    alt_text: Mapped[str | None] = mapped_column(Text)
    # Platform -> preset name, where the post does not use the platform's default preset.
    presets: Mapped[dict[str, Any]] = mapped_column(default=dict)

    post: Mapped[Post] = relationship(back_populates="media")
    asset: Mapped[Asset] = relationship(lazy="joined")


class CampaignEvent(Base):
    """One change to a campaign, a day or a post. Never edited or deleted.

    Not foreign keys: the history outlives a deleted campaign or post.
    """

    __tablename__ = "campaign_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(index=True)
    post_id: Mapped[int | None]
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    field: Mapped[str] = mapped_column(String(100))
    before: Mapped[Any] = mapped_column(JSONDocument, nullable=True)
    after: Mapped[Any] = mapped_column(JSONDocument, nullable=True)
