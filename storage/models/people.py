"""Organisations and the people the bot knows, with their roles."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base, utcnow


class Role(enum.StrEnum):
    PARTICIPANT = "participant"
    TRAINER = "trainer"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class Organisation(Base):
    """An employer of participants; its price band (Tier 1-5) decides what a place costs."""

    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint("price_band BETWEEN 1 AND 5", name="price_band_tier"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    price_band: Mapped[int]

    people: Mapped[list[Person]] = relationship(back_populates="organisation")


class Person(Base):
    """Someone the bot has met, identified by their Entra (Azure AD) object id."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    aad_object_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation | None] = relationship(back_populates="people")
    roles: Mapped[list[PersonRole]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(r.role for r in self.roles)


class PersonRole(Base):
    __tablename__ = "person_roles"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(
        Enum(
            Role,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
            create_constraint=True,
            name="role",
        ),
        primary_key=True,
    )

    person: Mapped[Person] = relationship(back_populates="roles")
