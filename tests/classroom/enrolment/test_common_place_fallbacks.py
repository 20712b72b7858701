"""A free place taken on the catalogue kept in memory (``common_places``) is taken on what the database says now: a
copy kept before someone else's plain change to capacity, prices or who may enrol is never trusted (the catalogue
version, read under the run's lock, tells), and a run with people waiting or a person holding an offer is answered
as ``enrolments.enrol`` answers it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, insert, select, update

from classroom.enrolment import notices
from classroom.enrolment.errors import CourseFull, NotEligible, OfferExpired
from storage.models import CourseRun, Enrolment, EnrolmentStatus, Organisation, RunEligibleOrganisation, RunPrice
from tests.classroom.enrolment.conftest import ALEX, ISAIAH, LYNNE, PATTI
from tests.support.enrolment import BHCC, MULTI_RUN, ONE_DAY_RUN, SOUTHCOAST, delivered, outbox


async def _run_id(session, code: str) -> int:  # type: ignore[no-untyped-def]
    run_id = await session.scalar(select(CourseRun.id).where(CourseRun.code == code))
    assert run_id is not None
    return int(run_id)


async def _set_capacity(session_factory, code: str, capacity: int) -> None:  # type: ignore[no-untyped-def]
    async with session_factory.begin() as session:  # someone else's plain UPDATE: the trigger bumps the version
        await session.execute(update(CourseRun).where(CourseRun.code == code).values(capacity=capacity))


async def _round(session_factory, enrolment_id: int) -> int:  # type: ignore[no-untyped-def]
    async with session_factory() as session:
        return int(await session.scalar(select(Enrolment.round).where(Enrolment.id == enrolment_id)) or 0)


async def test_a_lower_capacity_made_since_the_copy_was_kept_is_respected(service, session_factory) -> None:
    await service.quote(ALEX, MULTI_RUN)  # the catalogue kept in memory: three places
    await service.enrol(ALEX, MULTI_RUN)
    await service.enrol(ISAIAH, MULTI_RUN)
    await _set_capacity(session_factory, MULTI_RUN, 2)
    with pytest.raises(CourseFull) as full:  # as the old path says it: the kept copy's third place is gone
        await service.enrol(PATTI, MULTI_RUN)
    assert (full.value.position, full.value.already_waitlisted) == (1, False)
    assert await service.my_enrolments(PATTI) == []
    waiting = await service.join_waitlist(PATTI, MULTI_RUN)
    assert (waiting.status, waiting.waitlist_position) == (EnrolmentStatus.WAITLISTED, 1)


async def test_a_price_changed_since_the_copy_was_kept_is_the_price_taken(service, session_factory) -> None:
    before = await service.quote(ALEX, MULTI_RUN)  # kept; Alex's council is in band 1
    async with session_factory.begin() as session:
        run_id = await _run_id(session, MULTI_RUN)
        await session.execute(
            update(RunPrice).where(RunPrice.run_id == run_id, RunPrice.band == 1).values(amount_pence=4242)
        )
    taken = await service.enrol(ALEX, MULTI_RUN)
    assert before.price_pence != 4242 and taken.price_pence == 4242
    async with session_factory() as session:
        stored = await session.scalar(select(Enrolment.price_pence).where(Enrolment.id == taken.id))
    assert stored == 4242


async def test_who_may_enrol_changed_since_the_copy_was_kept_is_what_counts(service, session_factory) -> None:
    await service.quote(ALEX, MULTI_RUN)  # kept: Brighton & Hove and Downland may enrol, Southcoast may not
    async with session_factory.begin() as session:
        run_id = await _run_id(session, MULTI_RUN)
        organisations = {name: id_ for name, id_ in await session.execute(select(Organisation.name, Organisation.id))}
        await session.execute(
            delete(RunEligibleOrganisation).where(
                RunEligibleOrganisation.run_id == run_id, RunEligibleOrganisation.organisation_id == organisations[BHCC]
            )
        )
    with pytest.raises(NotEligible):
        await service.enrol(ALEX, MULTI_RUN)
    assert await service.my_enrolments(ALEX) == []

    await service.quote(ISAIAH, MULTI_RUN)  # kept again, as it is now
    async with session_factory.begin() as session:
        await session.execute(
            insert(RunEligibleOrganisation).values(run_id=run_id, organisation_id=organisations[SOUTHCOAST])
        )
    taken = await service.enrol(LYNNE, MULTI_RUN)
    assert (taken.status, taken.organisation_name) == (EnrolmentStatus.CONFIRMED, SOUTHCOAST)


async def test_people_waiting_come_before_a_newcomer_on_a_free_place(service, session_factory) -> None:
    """A place freed while people wait (a larger capacity, not yet offered by the minutely job) goes to the first
    person waiting, even when the kept copy is up to date."""
    await service.enrol(ALEX, ONE_DAY_RUN)  # its only place
    await service.join_waitlist(ISAIAH, ONE_DAY_RUN)
    await _set_capacity(session_factory, ONE_DAY_RUN, 2)
    assert (await service.quote(PATTI, ONE_DAY_RUN)).places_left == 1  # kept again, with the second place
    with pytest.raises(CourseFull) as full:
        await service.enrol(PATTI, ONE_DAY_RUN)
    assert full.value.position == 1
    [isaiah] = await service.my_enrolments(ISAIAH)
    assert isaiah.status == EnrolmentStatus.OFFERED
    assert [row.recipient_aad_object_id for row in await outbox(session_factory, notices.WAITLIST_OFFER)] == [ISAIAH]
    waiting = await service.join_waitlist(PATTI, ONE_DAY_RUN)
    assert (waiting.status, waiting.waitlist_position) == (EnrolmentStatus.WAITLISTED, 1)


async def _offered_with_a_place_to_spare(service, session_factory) -> int:  # type: ignore[no-untyped-def]
    """Isaiah is offered Alex's place on ONEDAY-1 (its card in his chat), then a second place is added and kept: a
    free place, nobody waiting, the copy up to date. Returns Isaiah's enrolment id."""
    await service.enrol(ALEX, ONE_DAY_RUN)
    await service.join_waitlist(ISAIAH, ONE_DAY_RUN)
    await service.withdraw(ALEX, ONE_DAY_RUN)
    assert await delivered(session_factory, notices.WAITLIST_OFFER) == 1
    await _set_capacity(session_factory, ONE_DAY_RUN, 2)
    assert (await service.quote(PATTI, ONE_DAY_RUN)).places_left == 1
    [offer] = await service.my_enrolments(ISAIAH)
    assert offer.status == EnrolmentStatus.OFFERED
    return offer.id


async def test_confirming_with_a_live_offer_takes_the_offered_place(service, session_factory) -> None:
    offer_id = await _offered_with_a_place_to_spare(service, session_factory)
    taken = await service.enrol(ISAIAH, ONE_DAY_RUN)
    assert (taken.id, taken.status) == (offer_id, EnrolmentStatus.CONFIRMED)
    assert await _round(session_factory, offer_id) == 1  # the offer's round, not a new one
    [card] = await outbox(session_factory, notices.WAITLIST_OFFER, recipient=ISAIAH)  # the card replaced
    assert card.activity_id is not None and card.payload["outcome"] == "accepted"


async def test_confirming_with_an_offer_past_its_time_is_refused(service, session_factory, clock) -> None:
    offer_id = await _offered_with_a_place_to_spare(service, session_factory)
    clock.advance(timedelta(hours=48))
    with pytest.raises(OfferExpired):
        await service.enrol(ISAIAH, ONE_DAY_RUN)
    assert await service.my_enrolments(ISAIAH) == []
    assert await _round(session_factory, offer_id) == 1
    [told] = await outbox(session_factory, notices.OFFER_LAPSED)
    assert told.recipient_aad_object_id == ISAIAH
