"""A correction after the run's last session can take a completion back: the completion goes, the certificate goes
(``certificate CODE`` finds none, its download links stop), its unsent congratulations are cancelled, and the
correction says so."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from classroom.certificates.notices import ISSUED as CERTIFICATE
from classroom.certificates.service import CertificateService
from classroom.errors import NotFound
from storage.models import AttendanceStatus, Certificate, CertificateLink, Completion, NotificationStatus, Person
from tests.support.enrolment import outbox
from tests.support.meetings import ALEX, LYNNE, MULTI_RUN, run_whole_session
from tests.support.polls import TRAINER_AAD

LONDON = ZoneInfo("Europe/London")


async def _completed(session_factory) -> list[str]:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        return sorted(
            await session.scalars(select(Person.aad_object_id).join(Completion, Completion.person_id == Person.id))
        )


async def test_correcting_someone_to_absent_after_the_last_session_withdraws_completion_and_certificate(
    meetings, session_factory, clock
) -> None:
    for position in (1, 2, 3, 4):
        await run_whole_session(meetings, clock, position, present={ALEX: (0, 300), LYNNE: (0, 300)})
    assert await _completed(session_factory) == sorted([ALEX, LYNNE])
    async with session_factory() as session:
        alex_id = await session.scalar(select(Person.id).where(Person.aad_object_id == ALEX))
        code = await session.scalar(select(Certificate.code).where(Certificate.person_id == alex_id))
    assert code is not None
    certificates = CertificateService(session_factory, clock, LONDON)
    assert (await certificates.verify(code)).holder_name == "Alex Wilber"
    [link] = await certificates.mine(ALEX, code)  # a download link issued before the correction
    clock.set(clock.now() + timedelta(minutes=5))

    # Alex was a colleague logged in on his account: the trainer marks him absent from session 2.
    corrected = await meetings.correct(
        MULTI_RUN, 2, {alex_id: AttendanceStatus.ABSENT}, by=TRAINER_AAD, by_name="Zoe Rosenfield"
    )
    assert corrected.changed == 1 and corrected.withdrawn == ("Alex Wilber",)
    assert await _completed(session_factory) == [LYNNE]
    report = await meetings.attendance(MULTI_RUN, by=TRAINER_AAD)
    assert {line.name: line.completed for line in report.people}["Alex Wilber"] is False
    with pytest.raises(NotFound):
        await certificates.verify(code)
    with pytest.raises(NotFound):
        await certificates.pdf(link.token)
    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(CertificateLink)) == 0
    congratulations = await outbox(session_factory, CERTIFICATE, status=None)
    by_recipient = {c.recipient_aad_object_id: c.status for c in congratulations}
    assert by_recipient == {ALEX: NotificationStatus.CANCELLED, LYNNE: NotificationStatus.PENDING}

    # Corrected back: he completes again, with a fresh certificate; a correction taking nothing back says nothing.
    corrected = await meetings.correct(
        MULTI_RUN, 2, {alex_id: AttendanceStatus.ATTENDED}, by=TRAINER_AAD, by_name="Zoe Rosenfield"
    )
    assert corrected.withdrawn == ()
    assert await _completed(session_factory) == sorted([ALEX, LYNNE])
    async with session_factory() as session:
        new_code = await session.scalar(select(Certificate.code).where(Certificate.person_id == alex_id))
    assert new_code is not None and new_code != code
