"""Organisations and the people the bot knows, with their roles."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.base import Base, text_enum, utcnow


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

    people: Mapped[list[Person]] = relationship(back_populates="organisation", foreign_keys="Person.organisation_id")


class EvidenceKind(enum.StrEnum):
    TENANT = "tenant"  # an Entra tenant id (Teams sends it with every activity)
    EMAIL_DOMAIN = "email_domain"  # the part of a member's email after the @


class OrganisationEvidence(Base):
    """What shows that someone works for an organisation: its Entra tenant ids and email domains, from the
    catalogue. A value belongs to at most one organisation (unique), so a match names one organisation."""

    __tablename__ = "organisation_evidence"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EvidenceKind] = mapped_column(text_enum(EvidenceKind, "evidence_kind"))
    value: Mapped[str] = mapped_column(String(255))  # lower-case

    organisation: Mapped[Organisation] = relationship()


class OrganisationStatus(enum.StrEnum):
    """How we know a person's organisation (it decides their price and the courses open to them)."""

    EVIDENCE = "evidence"  # their Teams tenant or email domain is listed for it in the catalogue
    COORDINATOR = "coordinator"  # a coordinator confirmed or corrected it (or an administrator set it)
    PENDING = "pending"  # they chose it themselves; a coordinator has yet to confirm it


# Settled: nothing more to look for (their own choice still waits for a coordinator).
SETTLED_ORGANISATION = frozenset({OrganisationStatus.EVIDENCE, OrganisationStatus.COORDINATOR})


class Person(Base):
    """Someone the bot has met, identified by their Entra (Azure AD) object id."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    aad_object_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    # None while no organisation is known; see OrganisationStatus.
    organisation_status: Mapped[OrganisationStatus | None] = mapped_column(
        text_enum(OrganisationStatus, "organisation_status")
    )
    # The coordinator who confirmed or corrected it (None: by evidence, pending, or set by an administrator).
    organisation_confirmed_by_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    organisation_confirmed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation | None] = relationship(back_populates="people", foreign_keys=[organisation_id])
    organisation_confirmed_by: Mapped[Person | None] = relationship(
        remote_side=[id], foreign_keys=[organisation_confirmed_by_person_id]
    )
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
        text_enum(Role, "role"),
        primary_key=True,
    )

    person: Mapped[Person] = relationship(back_populates="roles")
