"""The retention purge: each kind of data goes once older than its period (settings), what is younger or still in
use stays, and it reports what it removed; it runs once per day across processes, and from the command line."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from bot.assembly import build_services
from classroom.periodic import run_once_per_period
from classroom.privacy.audit import Actor
from classroom.privacy.export_links import issue_export_link
from classroom.privacy.personal_data import ERASED_NAME
from classroom.privacy.retention import KINDS
from dialogs.privacy import PURGE_JOB
from dialogs.services import Services
from storage.models import (
    AuditEntry,
    BotStateRecord,
    DataExportLink,
    Enquiry,
    EnquiryStatus,
    Enrolment,
    NotificationStatus,
    OutboxNotification,
    Person,
    PollVote,
    RunSession,
)
from tests.classroom.enrolment.conftest import FIRST_DAY
from tests.support.bot_harness import default_settings
from tests.support.enrolment import load_world, world
from tests.support.privacy import Someone, seed_everything

ALEX = Someone("alexandra", 41)
BEA = Someone("beatrix", 42)


@pytest.fixture
async def services(session_factory, clock) -> Services:
    await load_world(session_factory, world(FIRST_DAY))
    for someone in (ALEX, BEA):
        await seed_everything(session_factory, someone, clock.now())
    return build_services(default_settings(), session_factory, clock)


async def _count(session_factory, model, *where) -> int:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_each_kind_goes_after_its_period_and_the_rest_stays(services: Services, session_factory, clock) -> None:
    now = clock.now()
    async with session_factory.begin() as session:
        # Alex's data is old; Bea's is as new as the seed.
        await session.execute(
            update(Enquiry)
            .where(Enquiry.enquirer_aad_object_id == ALEX.aad)
            .values(status=EnquiryStatus.CLOSED, closed_at=now - timedelta(days=366))
        )
        await session.execute(
            update(Enquiry)
            .where(Enquiry.enquirer_aad_object_id == BEA.aad)
            .values(status=EnquiryStatus.CLOSED, closed_at=now - timedelta(days=364))
        )
        await session.execute(
            update(OutboxNotification)
            .where(OutboxNotification.recipient_aad_object_id == ALEX.aad)
            .values(status=NotificationStatus.SENT, updated_at=now - timedelta(days=91))
        )
        await session.execute(  # pending, however old: not finished, so not purged
            update(OutboxNotification)
            .where(OutboxNotification.recipient_aad_object_id == BEA.aad)
            .values(updated_at=now - timedelta(days=400))
        )
        await session.execute(
            update(BotStateRecord)
            .where(BotStateRecord.key.contains(ALEX.tag))
            .values(updated_at=now - timedelta(days=31))
        )
        await session.execute(
            update(DataExportLink)
            .where(DataExportLink.aad_object_id == ALEX.aad)
            .values(expires_at=now - timedelta(days=2))
        )
        await session.execute(
            update(AuditEntry).where(AuditEntry.subject_aad_object_id == ALEX.aad).values(at=now - timedelta(days=2191))
        )
    removed = await services.privacy.purge()

    assert set(removed) == set(KINDS)
    # Alex's notifications: a message and the card of his certificate.
    assert removed["closed_enquiries"] == 1 and removed["finished_notifications"] == 2
    assert removed["dialog_state"] == 1 and removed["download_links"] == 1 and removed["audit_entries"] == 2
    assert removed["poll_answers"] == 0 and removed["booking_records"] == 0
    assert removed["reflections_of_the_gone"] == 0  # both still have their chat with the bot
    assert await _count(session_factory, Enquiry, Enquiry.enquirer_aad_object_id == BEA.aad) == 1
    assert await _count(session_factory, OutboxNotification, OutboxNotification.recipient_aad_object_id == BEA.aad) == 2
    assert await _count(session_factory, BotStateRecord) == 1
    assert await _count(session_factory, DataExportLink) == 1
    assert await _count(session_factory, AuditEntry) == 2


async def test_answers_to_named_polls_closed_long_ago_lose_their_voter_but_count(services, session_factory, clock):  # type: ignore[no-untyped-def]
    from storage.models import Poll, PollStatus

    async with session_factory.begin() as session:
        await session.execute(
            update(Poll)
            .where(Poll.anonymous.is_(False))
            .values(status=PollStatus.CLOSED, closed_at=clock.now() - timedelta(days=366))
        )
    removed = await services.privacy.purge()

    assert removed["poll_answers"] == 6  # Alex's and Bea's answers to the three named polls
    assert await _count(session_factory, PollVote) == 8  # the counts stay
    assert await _count(session_factory, PollVote, PollVote.voter_name.is_not(None)) == 0
    assert await _count(session_factory, PollVote, PollVote.teams_user_id.is_not(None)) == 0


async def test_anonymised_bookings_go_after_the_records_period(services: Services, session_factory, clock) -> None:
    await services.privacy.forget(Actor(ALEX.aad, ALEX.name, ALEX.chat), ALEX.aad)
    async with session_factory() as session:
        run_id = await session.scalar(
            select(Enrolment.run_id).join(Person, Person.id == Enrolment.person_id).where(Person.name == ERASED_NAME)
        )
        last_session = await session.scalar(select(func.max(RunSession.ends_at)).where(RunSession.run_id == run_id))
    assert last_session is not None
    clock.set(last_session + timedelta(days=2189))
    assert (await services.privacy.purge())["booking_records"] == 0
    clock.set(last_session + timedelta(days=2191))
    assert (await services.privacy.purge())["booking_records"] == 1

    # Bea's booking, not anonymised, stays (the provider's records of living customers are not this purge's).
    assert await _count(session_factory, Enrolment) == 2  # Bea's booking and waitlist entry
    assert await _count(session_factory, Person, Person.aad_object_id.like("erased-%")) == 0


async def test_the_daily_job_runs_once_per_day_across_processes(services: Services, session_factory, clock) -> None:
    async with session_factory.begin() as session:
        await issue_export_link(session, BEA.aad, clock.now() - timedelta(days=10), timedelta(days=1))
    job = services.privacy.purge_job()
    day = clock.now().date().isoformat()
    assert await run_once_per_period(session_factory, PURGE_JOB, day, job, now=clock.now())
    assert not await run_once_per_period(session_factory, PURGE_JOB, day, job, now=clock.now())
    assert await _count(session_factory, DataExportLink) == 2  # the expired one went; each seeded one stays


async def test_reflections_stay_until_their_author_is_long_gone(services: Services, session_factory, clock) -> None:
    """A reflection is its author's record: kept however old while they can still reach it, and removed only once
    they have had no chat with the bot, and written nothing in their log, for the whole period."""
    from storage.models import ConversationRecord, CpdEntry, CpdExportLink, Person, Reflection

    long_ago = clock.now() - timedelta(days=1096)
    async with session_factory.begin() as session:
        await session.execute(update(Reflection).values(updated_at=long_ago))  # everyone's log is old
        await session.execute(update(CpdEntry).values(updated_at=long_ago))
        await session.execute(  # Alex removed the app long ago; Bea still has it
            update(ConversationRecord)
            .where(ConversationRecord.user_aad_object_id == ALEX.aad)
            .values(installed=False, updated_at=long_ago)
        )
    removed = await services.privacy.purge()

    assert removed["reflections_of_the_gone"] == 3  # Alex's reflection and CPD entries (its own, his certificate's)
    async with session_factory() as session:
        bea = await session.scalar(select(Person.id).where(Person.aad_object_id == BEA.aad))
    for table, left in ((Reflection, 1), (CpdEntry, 2), (CpdExportLink, 1)):
        assert await _count(session_factory, table) == left
        assert await _count(session_factory, table, table.person_id == bea) == left


async def test_join_and_leave_times_go_after_their_period_and_the_register_outcome_stays(  # type: ignore[no-untyped-def]
    services, session_factory, clock
):
    from sqlalchemy import func, select

    from storage.models import AttendanceCorrection, AttendanceEvent, Completion, RunSession

    async with session_factory() as session:
        session_id = await session.scalar(select(AttendanceEvent.session_id))
        ended = await session.scalar(select(RunSession.ends_at).where(RunSession.id == session_id))
    assert ended is not None
    clock.set(ended + timedelta(days=729))
    assert (await services.privacy.purge())["attendance_events"] == 0
    clock.set(ended + timedelta(days=731))
    assert (await services.privacy.purge())["attendance_events"] == 4  # a join and a leave of each person
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(AttendanceEvent)) == 0
        assert await session.scalar(select(func.count()).select_from(AttendanceCorrection)) == 2
        assert await session.scalar(select(func.count()).select_from(Completion)) == 2
