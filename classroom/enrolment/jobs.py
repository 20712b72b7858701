"""The periodic job of enrolment, run once a minute across all replicas (see ``classroom.periodic``)."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from classroom.clock import Clock
from classroom.enrolment.calendar_links import purge_expired_links
from classroom.enrolment.policy import EnrolmentPolicy
from classroom.enrolment.reminders import plan_trainer_reminders, remember_unannounced_sessions
from classroom.enrolment.removed_sessions import confirm_emptied_reviews
from classroom.enrolment.session_moves import announce_moved_sessions
from classroom.enrolment.waitlist import expire_offers
from classroom.periodic import PeriodicJob

log = logging.getLogger(__name__)

HOUSEKEEPING_JOB = "enrolment-housekeeping"
HOUSEKEEPING_CRON = "* * * * *"  # every minute: offers lapse and trainer reminders go within a minute of time


def enrolment_housekeeping(clock: Clock, policy: EnrolmentPolicy) -> PeriodicJob:
    """Lapse offers past their time (passing each place on), announce sessions moved by a catalogue import (and
    record the times of new sessions, to notice their moves), confirm places whose clash it emptied, queue the
    trainers' reminders, and drop long-expired calendar links."""

    async def housekeeping(session: AsyncSession) -> None:
        now = clock.now()
        lapsed = await expire_offers(session, now, policy)
        told = await announce_moved_sessions(session, now, policy)
        confirmed = await confirm_emptied_reviews(session, now, policy)  # their clash's sessions were removed
        await remember_unannounced_sessions(session, now)  # so later moves of these are noticed too
        trainer_reminders = await plan_trainer_reminders(session, now, policy)
        purged = await purge_expired_links(session, now)
        if lapsed or told or confirmed or trainer_reminders or purged:
            log.info(
                "enrolment housekeeping: %d offers lapsed, %d told of moved sessions, %d places confirmed as their "
                "clash's sessions were removed, %d trainer reminders, %d calendar links purged",
                lapsed,
                told,
                confirmed,
                trainer_reminders,
                purged,
            )

    return housekeeping
