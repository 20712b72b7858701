"""Which organisation a participant works for: asked once, when they first enrol, then kept."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.enrolment.loading import load_person
from classroom.errors import InvalidInput, NotAllowed
from storage.models import Organisation


@dataclass(frozen=True)
class OrganisationChoice:
    id: int
    name: str


async def organisation_choices(session: AsyncSession) -> list[OrganisationChoice]:
    rows = await session.execute(select(Organisation.id, Organisation.name).order_by(Organisation.name))
    return [OrganisationChoice(id_, name) for id_, name in rows.all()]


async def choose_organisation(session: AsyncSession, aad_object_id: str, organisation_id: int) -> str:
    """Record the person's organisation (only when none is known); returns its name.

    Raises:
        InvalidInput: no such organisation.
        NotAllowed: a different organisation is recorded already; a coordinator changes it (it decides price
            and eligibility, so a participant cannot switch it to get a course or a price).
    """
    person = await load_person(session, aad_object_id)
    organisation = await session.get(Organisation, organisation_id)
    if organisation is None:
        raise InvalidInput(f"no organisation {organisation_id}")
    if person.organisation_id not in (None, organisation.id):
        raise NotAllowed("your organisation is already recorded; ask the training team to change it")
    person.organisation_id = organisation.id
    await session.flush()
    return organisation.name


async def assign_organisation_by_name(session: AsyncSession, aad_object_id: str, name: str) -> None:
    """Set a person's organisation by its name (demo seeding and administration)."""
    person = await load_person(session, aad_object_id)
    organisation_id = await session.scalar(select(Organisation.id).where(Organisation.name == name))
    if organisation_id is None:
        raise InvalidInput(f"no organisation named {name!r}")
    person.organisation_id = organisation_id
    await session.flush()
