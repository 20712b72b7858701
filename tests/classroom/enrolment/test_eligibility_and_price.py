"""Who may enrol and what it costs: the run's organisations decide eligibility, the organisation's band the price."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from classroom.catalogue.queries import course_by_code
from classroom.enrolment.errors import EnrolmentClosed, NotEligible, OrganisationNeeded, OrganisationUnconfirmed
from classroom.errors import NotAllowed
from storage.models import Enrolment, EnrolmentStatus
from tests.classroom.enrolment.conftest import ALEX, ISAIAH, LYNNE, NOBODY
from tests.support.enrolment import BHCC, DOWNLAND, MULTI, MULTI_RUN, ONE_DAY_RUN


async def test_price_follows_the_organisations_band(service) -> None:
    alex = await service.quote(ALEX, MULTI_RUN)
    isaiah = await service.quote(ISAIAH, MULTI_RUN)
    assert (alex.organisation_name, alex.price_band, alex.price_pence) == (BHCC, 1, 32000)
    assert (isaiah.organisation_name, isaiah.price_band, isaiah.price_pence) == (DOWNLAND, 2, 36000)
    assert alex.places_left == 3 and not alex.full and alex.existing is None

    enrolled = await service.enrol(ISAIAH, MULTI_RUN)
    assert (enrolled.status, enrolled.price_band, enrolled.price_pence) == (EnrolmentStatus.CONFIRMED, 2, 36000)
    assert enrolled.organisation_name == DOWNLAND


async def test_a_band_without_a_price_is_quoted_as_unknown(service) -> None:
    quote = await service.quote(LYNNE, ONE_DAY_RUN)  # the one-day run prices bands 1 and 2 only
    assert quote.price_band == 5 and quote.price_pence is None


async def test_someone_outside_the_runs_organisations_is_refused_with_the_reason(service, session_factory) -> None:
    with pytest.raises(NotEligible) as refused:
        await service.quote(LYNNE, MULTI_RUN)
    reason = str(refused.value)
    assert "Children's Services staff of two councils" in reason
    assert BHCC in reason and DOWNLAND in reason and "Southcoast Independent Fostering Agency" in reason
    with pytest.raises(NotEligible):
        await service.enrol(LYNNE, MULTI_RUN)
    with pytest.raises(NotEligible):
        await service.join_waitlist(LYNNE, MULTI_RUN)
    async with session_factory() as session:
        assert await session.scalar(select(func.count(Enrolment.id))) == 0


async def test_an_unknown_organisation_is_asked_for_once_then_kept(service) -> None:
    assert await service.needs_organisation(NOBODY)
    with pytest.raises(OrganisationNeeded):
        await service.quote(NOBODY, MULTI_RUN)
    choices = {c.name: c.id for c in await service.organisations()}
    assert await service.choose_organisation(NOBODY, choices[DOWNLAND]) == DOWNLAND
    assert not await service.needs_organisation(NOBODY)
    # Their own word, not yet confirmed: the price is quoted as to be confirmed, a restricted run waits.
    quote = await service.quote(NOBODY, ONE_DAY_RUN)
    assert (quote.price_band, quote.organisation_confirmed) == (2, False)
    with pytest.raises(OrganisationUnconfirmed):
        await service.quote(NOBODY, MULTI_RUN)
    # Organisation decides price and eligibility, so a participant cannot switch it themselves.
    with pytest.raises(NotAllowed):
        await service.choose_organisation(NOBODY, choices[BHCC])
    assert await service.choose_organisation(NOBODY, choices[DOWNLAND]) == DOWNLAND  # the same answer again is fine


async def test_places_left_in_the_catalogue_count_held_places(service, session_factory, clock) -> None:
    await service.enrol(ALEX, MULTI_RUN)
    await service.enrol(ISAIAH, MULTI_RUN)
    async with session_factory() as session:
        overview = await course_by_code(session, MULTI, clock.now())
    assert overview.upcoming_runs[0].places_left == 1
    assert (await service.quote(ALEX, MULTI_RUN)).existing.status == EnrolmentStatus.CONFIRMED


async def test_a_run_that_has_started_takes_no_enrolments(service, clock) -> None:
    clock.advance(timedelta(days=21, hours=2))  # into the first session
    with pytest.raises(EnrolmentClosed):
        await service.quote(ALEX, MULTI_RUN)
    with pytest.raises(EnrolmentClosed):
        await service.enrol(ALEX, MULTI_RUN)
    assert await service.open_runs(MULTI) == []
