"""People and their roles: who may do what is decided here, from stored roles only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Connection, ScalarSelect, bindparam, delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter

from classroom.transactions import SessionFactory, in_transaction
from storage.base import utcnow
from storage.direct_statements import DirectStatement
from storage.models import Person, PersonRole, Role
from storage.upsert import insert_or_ignore


def holds_role(aad_object_id: str | ColumnElement[str], role: Role) -> ColumnElement[bool]:
    """The person has ``role``: a condition for a statement of one's own (a write that checks as it writes)."""
    return exists().where(
        Person.aad_object_id == aad_object_id, PersonRole.person_id == Person.id, PersonRole.role == role
    )


async def find_person(session: AsyncSession, aad_object_id: str) -> Person | None:
    return await session.scalar(select(Person).where(Person.aad_object_id == aad_object_id))


# One query, built once: this runs on every message.
_ROLES = (
    select(PersonRole.__table__.c.role)
    .join_from(PersonRole.__table__, Person.__table__)
    .where(Person.__table__.c.aad_object_id == bindparam("aad_object_id"))
)


def stored_roles(aad_object_id: BindParameter[str]) -> ScalarSelect[str]:
    """A person's stored roles as one comma-separated column (NULL for none), for a caller's one-row read of
    several things at once (a message turn's first read); :func:`roles_from` reads it."""
    return (
        select(func.aggregate_strings(PersonRole.__table__.c.role, ","))
        .join_from(PersonRole.__table__, Person.__table__)
        .where(Person.__table__.c.aad_object_id == aad_object_id)
        .scalar_subquery()
    )


def roles_from(stored: str | None) -> frozenset[Role]:
    """What :func:`stored_roles` read, as :func:`roles_of` returns it."""
    return frozenset(Role(role) for role in stored.split(",")) if stored else frozenset({Role.PARTICIPANT})


async def roles_of(session: AsyncSession, aad_object_id: str | None) -> frozenset[Role]:
    """The stored roles of a person; someone we have not met yet is a participant."""
    if not aad_object_id:
        return frozenset({Role.PARTICIPANT})
    roles = await session.scalars(_ROLES, {"aad_object_id": aad_object_id})
    return frozenset(roles) or frozenset({Role.PARTICIPANT})


async def ensure_person(
    session: AsyncSession,
    aad_object_id: str,
    name: str = "",
    email: str | None = None,
    first_roles: Iterable[Role] = (Role.PARTICIPANT,),
) -> Person:
    """Return the person with this Entra object id, creating them (a participant by default) on first contact.

    Safe when two turns of the same new person race: the insert is ON CONFLICT DO NOTHING.
    """
    now = utcnow()
    inserted = await insert_or_ignore(
        session,
        Person.__table__,  # type: ignore[arg-type]
        {"aad_object_id": aad_object_id, "name": name, "email": email, "created_at": now, "updated_at": now},
        ["aad_object_id"],
    )
    person = await find_person(session, aad_object_id)
    assert person is not None
    if inserted:
        await grant_roles(session, person, first_roles)
    elif name and person.name != name:
        person.name = name
    if email and not person.email:
        person.email = email
    return person


@dataclass(frozen=True)
class Met:
    """Someone as :func:`meet` left them: their stored name and roles."""

    name: str
    roles: frozenset[Role]


_PEOPLE, _PERSON_ROLES = Person.__table__.c, PersonRole.__table__.c
# Built once: what a person's name and roles are, one row per role (one row with no role for someone with none).
_NAME_AND_ROLES = DirectStatement(
    select(_PEOPLE.name, _PERSON_ROLES.role)
    .select_from(Person.__table__.outerjoin(PersonRole.__table__))
    .where(_PEOPLE.aad_object_id == bindparam("aad_object_id"))
)


async def meet(session: AsyncSession, aad_object_id: str, name: str = "") -> Met:
    """:func:`ensure_person` for work that needs only the person's name and roles afterwards (an install, say).

    Someone we know whose name is unchanged costs one read, where ``ensure_person`` costs an insert and two reads
    (the person, then their roles); a first meeting goes through ``ensure_person``, safe as it is against a race.
    """
    met = await session.run_sync(lambda synchronous: meet_known_on(synchronous.connection(), aad_object_id, name))
    return met if met is not None else await meet_first(session, aad_object_id, name)


async def meet_first(session: AsyncSession, aad_object_id: str, name: str = "") -> Met:
    """:func:`meet` for someone :func:`meet_known_on` found not stored: :func:`ensure_person`, safe against a race."""
    person = await ensure_person(session, aad_object_id, name)
    return Met(person.name, person.role_set or frozenset({Role.PARTICIPANT}))


# Through ``execute`` (rare): ``updated_at``'s Python-side ``onupdate`` is computed per run, which a
# ``DirectStatement`` does not cover.
_RENAME = (
    update(Person.__table__)  # type: ignore[arg-type]
    .where(_PEOPLE.aad_object_id == bindparam("person"))
    .values(name=bindparam("new_name"))
)


def meet_known_on(connection: Connection, aad_object_id: str, name: str = "") -> Met | None:
    """:func:`meet` for someone already stored, on the connection of a caller's transaction from synchronous code
    (``run_sync``); None for someone not stored (a first meeting: :func:`meet` handles it)."""
    rows = _NAME_AND_ROLES.execute(connection, {"aad_object_id": aad_object_id}).rows
    if not rows:
        return None
    stored = rows[0][0]
    if name and stored != name:
        connection.execute(_RENAME, {"person": aad_object_id, "new_name": name})
        stored = name
    roles = frozenset(role for _, role in rows if role is not None)
    return Met(stored, roles or frozenset({Role.PARTICIPANT}))


async def grant_roles(session: AsyncSession, person: Person, roles: Iterable[Role]) -> list[Role]:
    """Give ``person`` these roles; returns the ones they did not have before."""
    granted = []
    for role in roles:
        inserted = await insert_or_ignore(
            session,
            PersonRole.__table__,  # type: ignore[arg-type]
            {"person_id": person.id, "role": role.value},
            ["person_id", "role"],
        )
        if inserted:
            granted.append(role)
    await session.refresh(person, ["roles"])
    return granted


async def revoke_role(session: AsyncSession, person: Person, role: Role) -> bool:
    """Take ``role`` from ``person``; False when they did not hold it."""
    result = await session.execute(delete(PersonRole).where(PersonRole.person_id == person.id, PersonRole.role == role))
    await session.refresh(person, ["roles"])
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def lock_holders(session: AsyncSession, role: Role) -> int:
    """How many people hold ``role``, their rows locked until the transaction ends (PostgreSQL; SQLite writes one at a
    time anyway), so two admins revoking each other at once cannot both see another admin left."""
    rows = await session.scalars(select(PersonRole.person_id).where(PersonRole.role == role).with_for_update())
    return len(set(rows.all()))


async def role_holders(session: AsyncSession) -> list[Person]:
    """Everyone holding a role beyond participant, by name."""
    holders = select(PersonRole.person_id).where(PersonRole.role != Role.PARTICIPANT)
    people = await session.scalars(
        select(Person).where(Person.id.in_(holders)).order_by(func.lower(Person.name), Person.id)
    )
    return list(people.all())


async def assign_roles(
    session: AsyncSession, aad_object_id: str, roles: Iterable[Role], name: str = "", email: str | None = None
) -> Person:
    """Give a person (created if needed) these roles in addition to the ones they have."""
    roles = list(roles)
    person = await ensure_person(session, aad_object_id, name, email, first_roles=roles)
    await grant_roles(session, person, roles)
    return person


class PeopleService:
    """Who someone is and what they may do, each read or change in its own transaction."""

    def __init__(self, session_factory: SessionFactory) -> None:
        self._session_factory = session_factory

    async def roles_of(self, aad_object_id: str | None) -> frozenset[Role]:
        return await in_transaction(self._session_factory, lambda s: roles_of(s, aad_object_id))

    async def name_of(self, aad_object_id: str) -> str:
        """The stored display name ("" for someone we have not met)."""

        async def unit(session: AsyncSession) -> str:
            person = await find_person(session, aad_object_id)
            return person.name if person else ""

        return await in_transaction(self._session_factory, unit)
