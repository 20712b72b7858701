"""Issuing certificates of attendance: what the meetings feature calls when a run's last session has ended.

For each person it makes, once (the run and person are unique together, so a second call changes nothing):
- the certificate row, with its own copy of what it shows and a fresh verification code;
- the congratulations card in their 1:1 chat (an outbox row, in the same transaction);
- an entry in their CPD log with the hours, made by the reflection feature's own ``cpd.add_entry`` (sealed like
  every entry): at once when the caller passes the ``Sealer`` (``REFLECTION_KEYS``), otherwise within a minute
  by the certificate feature's periodic job (``cpd_entries``), which has the keys.

Hours and dates count the sessions the person attended: every session of the run but those a trainer accepted
they would miss (a confirmed place's clash sessions). Each session counts its real length (``hours``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from classroom.certificates.codes import new_code
from classroom.certificates.cpd_entries import add_cpd_entry
from classroom.certificates.hours import minutes_of
from classroom.certificates.loading import details_of
from classroom.certificates.notices import CertificateIssuedNotice, issued_key
from classroom.outbox import enqueue
from classroom.privacy.personal_data import ERASED_NAME
from classroom.reflection.sealing import Sealer
from classroom.text import bounded, clean
from storage.models import Certificate, Course, CourseRun, Enrolment, EnrolmentStatus, Person

log = logging.getLogger(__name__)

LONDON = ZoneInfo("Europe/London")  # the bot's default TIMEZONE: the CPD entry's date is the last session's day
NAME_LIMIT = 200
UNKNOWN_NAME = "(name not recorded)"


async def issue_certificates(
    session: AsyncSession,
    *,
    run_id: int,
    person_ids: Sequence[int],
    now: datetime,
    sealer: Sealer | None = None,
    zone: ZoneInfo = LONDON,
) -> None:
    """Certificates for ``person_ids`` on run ``run_id``, in the caller's transaction (the caller commits).

    Idempotent: a person who already has this run's certificate is left as they are (no second card, no second
    CPD entry). Unknown people, and people whose every session was an accepted absence, get none. ``sealer``:
    the reflection keys, to make the CPD entry now (without it the certificate feature's job makes it); ``zone``:
    where the CPD entry's date is taken (the last session's day).
    """
    run = await session.scalar(
        select(CourseRun)
        .where(CourseRun.id == run_id)
        .options(
            selectinload(CourseRun.course).selectinload(Course.learning_outcomes),
            selectinload(CourseRun.sessions),
            selectinload(CourseRun.trainers),
        )
    )
    if run is None:
        log.warning("no certificates: run %s does not exist", run_id)
        return
    wanted = sorted(set(person_ids))
    already = set(
        await session.scalars(
            select(Certificate.person_id).where(Certificate.run_id == run_id, Certificate.person_id.in_(wanted))
        )
    )
    for person_id in wanted:
        if person_id in already:
            continue
        person = await session.get(Person, person_id)
        if person is None or _erased(person):
            log.warning("no certificate: person %s does not exist or was erased", person_id)
            continue
        await _issue_one(session, run, person, now=now, sealer=sealer, zone=zone)


async def _issue_one(
    session: AsyncSession, run: CourseRun, person: Person, *, now: datetime, sealer: Sealer | None, zone: ZoneInfo
) -> None:
    excused = await _excused_sessions(session, run.id, person.id)
    sessions = [(s.starts_at, s.ends_at) for s in sorted(run.sessions, key=lambda s: s.position) if s.id not in excused]
    if not sessions:
        log.info("no certificate for person %s on run %s: no session attended", person.id, run.code)
        return
    course = run.course
    outcomes = [o.text for o in sorted(course.learning_outcomes, key=lambda o: o.position)]
    trainers = [t.name for t in sorted(run.trainers, key=lambda t: t.position)]
    minutes = minutes_of(sessions)
    certificate = Certificate(
        person_id=person.id,
        run_id=run.id,
        code=await _unused_code(session),
        holder_name=bounded(clean(person.name), NAME_LIMIT) or UNKNOWN_NAME,
        course_code=course.code,
        course_title=course.title,
        run_code=run.code,
        minutes=minutes,
        first_starts_at=sessions[0][0],
        last_ends_at=sessions[-1][1],
        details=details_of(sessions, outcomes, trainers),
        issued_at=now,
    )
    session.add(certificate)
    await session.flush()
    if sealer is not None:
        await add_cpd_entry(session, certificate, sealer=sealer, zone=zone, now=now)
    await enqueue(
        session,
        CertificateIssuedNotice(
            certificate_id=certificate.id,
            code=certificate.code,
            course_title=course.title,
            course_code=course.code,
            run_code=run.code,
            first_starts_at=certificate.first_starts_at,
            last_ends_at=certificate.last_ends_at,
            session_count=len(sessions),
            minutes=minutes,
        ),
        due_at=now,
        dedupe_key=issued_key(certificate.id),
        recipient=person.aad_object_id,
    )


def _erased(person: Person) -> bool:
    """An anonymised person kept for a booking record (``forget``): a certificate would name nobody."""
    return person.name == ERASED_NAME and person.aad_object_id.startswith("erased-")


async def _excused_sessions(session: AsyncSession, run_id: int, person_id: int) -> set[int]:
    """The sessions the trainers accepted this person would miss (their confirmed place's clash sessions)."""
    enrolment = await session.scalar(
        select(Enrolment)
        .where(Enrolment.run_id == run_id, Enrolment.person_id == person_id)
        .options(selectinload(Enrolment.clash_sessions))
    )
    if enrolment is None or enrolment.status != EnrolmentStatus.CONFIRMED:
        return set()
    return {s.id for s in enrolment.clash_sessions}


async def _unused_code(session: AsyncSession) -> str:
    """A fresh code not yet taken (a clash is all but impossible; the unique constraint has the last word)."""
    while True:
        code = new_code()
        if await session.scalar(select(Certificate.id).where(Certificate.code == code)) is None:
            return code
