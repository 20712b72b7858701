"""Issuing: one certificate per person and run however often the meetings feature asks, each with a unique code,
its card in the holder's 1:1 chat and an entry in their CPD log; hours from the sessions' real lengths (a change
of the clocks included), sessions a trainer excused left out. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from classroom.certificates.codes import ALPHABET, LENGTH
from classroom.certificates.notices import ISSUED, CertificateIssuedNotice
from classroom.certificates.service import CertificateService
from classroom.privacy.personal_data import ERASED_NAME
from classroom.reflection.reflections import COURSE_CPD_TYPE
from storage.models import (
    Certificate,
    CpdEntry,
    Enrolment,
    EnrolmentClashSession,
    OutboxNotification,
    Person,
    RunSession,
)
from tests.classroom.certificates.conftest import ALEX, ISAIAH, PATTI, ids, issue
from tests.support.enrolment import LONDON, MULTI_RUN

AFTER_THE_LAST_SESSION = datetime(2027, 1, 4, 15, 30, tzinfo=UTC)  # four sessions of 10:00-15:00 from 14 Dec


async def _count(session_factory, model, *where) -> int:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_issuing_twice_makes_one_certificate_one_card_and_one_cpd_entry(
    enrolment, reflection, sealer, session_factory, clock
) -> None:
    await enrolment.enrol(ALEX, MULTI_RUN)
    clock.set(AFTER_THE_LAST_SESSION)
    await issue(session_factory, ALEX, now=clock.now(), sealer=sealer)
    await issue(session_factory, ALEX, ALEX, now=clock.now() + timedelta(minutes=5), sealer=sealer)

    async with session_factory() as session:
        [certificate] = (await session.scalars(select(Certificate))).all()
        [row] = (await session.scalars(select(OutboxNotification).where(OutboxNotification.kind == ISSUED))).all()
    assert certificate.holder_name == "Alex Wilber" and certificate.run_code == MULTI_RUN
    assert certificate.minutes == 4 * 5 * 60 and certificate.issued_at == AFTER_THE_LAST_SESSION
    assert len(certificate.details["sessions"]) == 4 and certificate.details["trainers"][0] == "Zoe Rosenfield"
    assert row.recipient_aad_object_id == ALEX
    notice = CertificateIssuedNotice.from_payload(row.payload)
    assert (notice.code, notice.minutes, notice.session_count) == (certificate.code, 1200, 4)

    log = await reflection.cpd_log(ALEX, 2026)
    [entry] = log.entries
    assert certificate.cpd_entry_id == entry.id
    assert (entry.cpd_type, entry.minutes, entry.activity_date.isoformat()) == (COURSE_CPD_TYPE, 1200, "2027-01-04")
    assert entry.fields.title == "Permanence in four sessions" and entry.fields.outcomes
    assert "Certificate of attendance" in entry.fields.description
    assert await _count(session_factory, CpdEntry) == 1


async def test_each_certificate_has_its_own_code_and_the_database_refuses_a_second_of_one(
    enrolment, session_factory, clock
) -> None:
    await issue(session_factory, ALEX, ISAIAH, PATTI, now=clock.now())
    async with session_factory() as session:
        codes = list(await session.scalars(select(Certificate.code)))
    assert len(set(codes)) == 3
    assert all(len(code) == LENGTH and set(code) <= set(ALPHABET) for code in codes)

    with pytest.raises(IntegrityError):
        async with session_factory.begin() as session:
            await session.execute(update(Certificate).where(Certificate.code == codes[1]).values(code=codes[0]))


async def test_hours_are_the_time_that_passed_across_a_change_of_the_clocks(enrolment, session_factory, clock) -> None:
    run_id, _ = await ids(session_factory, ALEX)
    # 00:00-03:00 London on the night the clocks go forward is two hours; 00:00-03:00 when they go back, four.
    spring = (datetime(2027, 3, 28, 0, 0, tzinfo=UTC), datetime(2027, 3, 28, 2, 0, tzinfo=UTC))
    autumn = (datetime(2027, 10, 30, 23, 0, tzinfo=UTC), datetime(2027, 10, 31, 3, 0, tzinfo=UTC))
    later = [(datetime(2027, 11, d, 10, tzinfo=UTC), datetime(2027, 11, d, 15, tzinfo=UTC)) for d in (8, 15)]
    async with session_factory.begin() as session:
        for position, (start, end) in enumerate((spring, autumn, *later), start=1):
            await session.execute(
                update(RunSession)
                .where(RunSession.run_id == run_id, RunSession.position == position)
                .values(starts_at=start, ends_at=end)
            )
    await issue(session_factory, ALEX, now=clock.now())
    async with session_factory() as session:
        certificate = await session.scalar(select(Certificate))
    assert certificate is not None
    assert certificate.minutes == 120 + 240 + 2 * 300


async def test_a_session_the_trainers_excused_is_left_out_of_dates_and_hours(enrolment, session_factory, clock) -> None:
    await enrolment.enrol(ALEX, MULTI_RUN)
    run_id, [alex] = await ids(session_factory, ALEX)
    async with session_factory.begin() as session:
        place = await session.scalar(select(Enrolment.id).where(Enrolment.person_id == alex))
        second = await session.scalar(
            select(RunSession.id).where(RunSession.run_id == run_id, RunSession.position == 2)
        )
        session.add(EnrolmentClashSession(enrolment_id=place, session_id=second))
    await issue(session_factory, ALEX, now=clock.now())
    async with session_factory() as session:
        certificate = await session.scalar(select(Certificate))
    assert certificate is not None
    assert certificate.minutes == 3 * 5 * 60 and len(certificate.details["sessions"]) == 3


async def test_issued_without_the_keys_the_cpd_entry_comes_from_the_job_once(
    enrolment, reflection, sealer, session_factory, clock
) -> None:
    await issue(session_factory, ALEX, now=clock.now())  # as the meetings feature may: no keys at hand
    assert await _count(session_factory, Certificate) == 1
    assert await _count(session_factory, CpdEntry) == 0

    job = CertificateService(session_factory, clock, LONDON, sealer).cpd_job()
    for _ in range(2):
        async with session_factory.begin() as session:
            await job(session)
    [entry] = (await reflection.cpd_log(ALEX, 2026)).entries
    assert entry.minutes == 1200 and entry.fields.title == "Permanence in four sessions"

    await reflection.delete_cpd(ALEX, entry.id)  # the holder's log is theirs: a deleted entry is not made again
    async with session_factory.begin() as session:
        await job(session)
    assert await _count(session_factory, CpdEntry) == 0


async def test_unknown_or_erased_people_and_unknown_runs_get_nothing_and_break_nothing(
    enrolment, session_factory, clock
) -> None:
    from classroom.certificates.issuing import issue_certificates

    run_id, [alex, isaiah] = await ids(session_factory, ALEX, ISAIAH)
    async with session_factory.begin() as session:  # Isaiah was erased; his booking is kept without his name
        await session.execute(
            update(Person).where(Person.id == isaiah).values(name=ERASED_NAME, aad_object_id="erased-0001")
        )
    async with session_factory.begin() as session:
        await issue_certificates(session, run_id=run_id, person_ids=[alex, isaiah, 999_999], now=clock.now())
        await issue_certificates(session, run_id=999_999, person_ids=[alex], now=clock.now())
    assert await _count(session_factory, Certificate) == 1


async def test_two_overlapping_cpd_jobs_make_each_entry_once(
    enrolment, reflection, sealer, session_factory, db_url, clock
) -> None:
    import asyncio

    from storage.engine import create_engine, create_session_factory

    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite runs one transaction at a time: no two jobs overlap")
    await issue(session_factory, ALEX, now=clock.now())  # no keys: the job makes the entry
    job = CertificateService(session_factory, clock, LONDON, sealer).cpd_job()
    other_engine = create_engine(db_url)
    try:
        other_process = create_session_factory(other_engine)

        async def overlapping() -> None:
            async with other_process.begin() as session:
                await job(session)

        async with session_factory.begin() as session:
            await job(session)  # made, not committed yet: the second run starts meanwhile
            # It passes the claimed row over at once (without the claim it would wait on the row, then add a twin).
            await asyncio.wait_for(overlapping(), 10)
        assert await _count(session_factory, CpdEntry) == 1
    finally:
        await other_engine.dispose()
