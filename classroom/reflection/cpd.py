"""A person's CPD log: their entries by registration year; ``cpd add`` for other CPD; edit and delete. Every call
is the author's own: the entries of anyone else are neither shown nor said to exist."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.errors import InvalidInput, NotFound
from classroom.people import find_person
from classroom.reflection.cpd_fields import from_sealed, seal_ready
from classroom.reflection.registration_year import registration_year_of
from classroom.reflection.sealing import Sealer
from classroom.reflection.views import CpdEntryView, CpdFields, CpdLogView
from classroom.text import clean
from storage.models import CpdEntry, Person

CPD_TYPES = (
    "Course or training (online)",
    "Course or training (in person)",
    "Reading or research",
    "Supervision",
    "Shadowing or observation",
    "Peer discussion or reflective group",
    "Conference or webinar",
    "Other",
)
MAX_MINUTES = 24 * 60 * 14


def entry_view(entry: CpdEntry, sealer: Sealer) -> CpdEntryView:
    return CpdEntryView(
        id=entry.id,
        registration_year=entry.registration_year,
        activity_date=entry.activity_date,
        cpd_type=entry.cpd_type,
        minutes=entry.minutes,
        fields=from_sealed(sealer.open(entry.sealed_fields)),
        from_course=entry.reflection_id is not None,
    )


async def _author(session: AsyncSession, aad_object_id: str) -> Person | None:
    return await find_person(session, aad_object_id)


async def cpd_log(session: AsyncSession, aad_object_id: str, year: int, sealer: Sealer) -> CpdLogView:
    person = await _author(session, aad_object_id)
    if person is None:
        return CpdLogView(year, (), 0, ())
    entries = (
        await session.scalars(
            select(CpdEntry)
            .where(CpdEntry.person_id == person.id, CpdEntry.registration_year == year)
            .order_by(CpdEntry.activity_date, CpdEntry.id)
        )
    ).all()
    years = (
        await session.scalars(select(CpdEntry.registration_year).where(CpdEntry.person_id == person.id).distinct())
    ).all()
    views = tuple(entry_view(e, sealer) for e in entries)
    return CpdLogView(
        registration_year=year,
        entries=views,
        with_peer_reflection=sum(1 for e in entries if e.has_peer_reflection),
        other_years=tuple(sorted((y for y in years if y != year), reverse=True)),
    )


async def _own_entry(session: AsyncSession, aad_object_id: str, entry_id: int) -> CpdEntry:
    person = await _author(session, aad_object_id)
    entry = await session.get(CpdEntry, entry_id)
    if person is None or entry is None or entry.person_id != person.id:
        raise NotFound("no such CPD entry of yours")
    return entry


async def cpd_entry(session: AsyncSession, aad_object_id: str, entry_id: int, sealer: Sealer) -> CpdEntryView:
    return entry_view(await _own_entry(session, aad_object_id, entry_id), sealer)


def _checked(cpd_type: str, minutes: int, activity_date: date) -> str:
    kind = clean(cpd_type)
    if kind not in CPD_TYPES:
        raise InvalidInput("choose a type of CPD from the list")
    if not 0 <= minutes <= MAX_MINUTES:
        raise InvalidInput("hours must be between 0 and 336")
    if activity_date.year < 2000:
        raise InvalidInput("that date looks wrong")
    return kind


async def add_entry(
    session: AsyncSession,
    aad_object_id: str,
    *,
    activity_date: date,
    cpd_type: str,
    minutes: int,
    fields: CpdFields,
    sealer: Sealer,
    now: datetime,
) -> CpdEntryView:
    person = await _author(session, aad_object_id)
    if person is None:
        raise NotFound("say hello to the bot first")
    entry = CpdEntry(
        person_id=person.id,
        registration_year=registration_year_of(activity_date),
        activity_date=activity_date,
        cpd_type=_checked(cpd_type, minutes, activity_date),
        minutes=minutes,
        has_peer_reflection=bool(fields.peer),
        sealed_fields=sealer.seal(seal_ready(fields)),
        created_at=now,
        updated_at=now,
    )
    session.add(entry)
    await session.flush()
    return entry_view(entry, sealer)


async def edit_entry(
    session: AsyncSession,
    aad_object_id: str,
    entry_id: int,
    *,
    activity_date: date,
    cpd_type: str,
    minutes: int,
    fields: CpdFields,
    sealer: Sealer,
    now: datetime,
) -> CpdEntryView:
    entry = await _own_entry(session, aad_object_id, entry_id)
    old = from_sealed(sealer.open(entry.sealed_fields))
    entry.activity_date = activity_date
    entry.registration_year = registration_year_of(activity_date)
    entry.cpd_type = _checked(cpd_type, minutes, activity_date)
    entry.minutes = minutes
    entry.has_peer_reflection = bool(fields.peer)
    kept = replace(fields, outcomes=old.outcomes)  # the course's outcomes are not typed
    entry.sealed_fields = sealer.seal(seal_ready(kept))
    entry.updated_at = now
    await session.flush()
    return entry_view(entry, sealer)


async def delete_entry(session: AsyncSession, aad_object_id: str, entry_id: int) -> None:
    entry = await _own_entry(session, aad_object_id, entry_id)
    await session.execute(delete(CpdEntry).where(CpdEntry.id == entry.id))
