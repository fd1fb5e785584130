"""The people register: who may appear in photographs, their consents, where they appear."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.storage.db import Base, JSONDocument, utcnow

if TYPE_CHECKING:
    pass


class Person(Base):
    """Someone who may appear in photographs: as little as the consent register needs.

    Erasure blanks the personal fields and keeps the row, so that the consents stay as an
    anonymised trail and the gate still refuses the photographs that show them.
    """

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20), default="other")
    external_ref: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    erased_at: Mapped[datetime | None]

    consents: Mapped[list[Consent]] = relationship(
        back_populates="person", order_by="Consent.id", lazy="selectin"
    )


class Consent(Base):
    """One person's consent to be shown: for which channels, platforms and purposes, from
    when until when, on what basis, and the evidence (a signed form in the blob store)."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    channels: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    # Empty: every platform of those channels ("all social").
    platforms: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    purposes: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    basis: Mapped[str] = mapped_column(String(30), default="consent")
    language: Mapped[str] = mapped_column(String(35), default="")
    guardian: Mapped[str] = mapped_column(String(200), default="")
    release_id: Mapped[str] = mapped_column(String(200), default="")
    # Whether the person's name may be written into published variants' metadata.
    name_in_metadata: Mapped[bool] = mapped_column(default=False)
    granted_at: Mapped[date]
    expires_at: Mapped[date | None] = mapped_column(index=True)
    withdrawn_at: Mapped[datetime | None]
    withdrawn_by: Mapped[str | None] = mapped_column(String(100))
    evidence_key: Mapped[str | None] = mapped_column(String(300))
    evidence_media_type: Mapped[str] = mapped_column(String(100), default="")
    evidence_filename: Mapped[str] = mapped_column(String(255), default="")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(back_populates="consents")


class Depiction(Base):
    """A person shown in an asset, optionally with a box on the upright image (fractions)."""

    __tablename__ = "depictions"
    __table_args__ = (UniqueConstraint("asset_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    region: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument, nullable=True)
    proposed: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(lazy="joined")


class PeopleEvent(Base):
    """One change to the people register: a person, a consent, a depiction. Never edited.

    Not foreign keys: the trail outlives an erasure or a deleted asset.
    """

    __tablename__ = "people_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(index=True)
    consent_id: Mapped[int | None]
    asset_id: Mapped[int | None]
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    field: Mapped[str] = mapped_column(String(100))
    before: Mapped[Any] = mapped_column(JSONDocument, nullable=True)
    after: Mapped[Any] = mapped_column(JSONDocument, nullable=True)
