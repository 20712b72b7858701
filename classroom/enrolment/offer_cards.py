"""The card offering a freed place to someone from the waitlist: open while the place is held, replaced by its
decided state (taken, turned down, lapsed) once that is settled.

Functions here take the caller's session and never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from classroom.enrolment.eligibility import price_for
from classroom.enrolment.notices import OfferOutcome, RunNotice, WaitlistOfferNotice, offer_key, sessions_of
from classroom.outbox import cancel_by_dedupe_prefix, replace_copies
from storage.models import CourseRun, Enrolment, EnrolmentStatus, Organisation


def offer_notice(
    run: CourseRun,
    organisation: Organisation | None,
    expires_at: datetime | None,
    outcome: OfferOutcome | None = None,
) -> WaitlistOfferNotice:
    return WaitlistOfferNotice(
        run=RunNotice.of(run),
        sessions=sessions_of(run),
        expires_at=expires_at,
        price_pence=price_for(run, organisation) if organisation else None,
        outcome=outcome,
    )


def offer_outcome(enrolment: Enrolment) -> OfferOutcome | None:
    """What became of the place last offered to this person on this run (None: it is still held for them)."""
    status = enrolment.status
    if status == EnrolmentStatus.OFFERED:
        return None
    if status == EnrolmentStatus.OFFER_LAPSED:
        return "lapsed"
    if status == EnrolmentStatus.PENDING_REVIEW:
        return "under_review"
    if status in (EnrolmentStatus.CONFIRMED, EnrolmentStatus.DECLINED):
        return "accepted"  # a declined clash came after the place was taken
    if status == EnrolmentStatus.CANCELLED:
        taken = enrolment.confirmed_at is not None or bool(enrolment.clash_sessions)
        return "accepted" if taken else "declined"
    return "closed"  # back on the waitlist (a later round), or never offered


async def settle_offer_cards(
    session: AsyncSession,
    enrolment: Enrolment,
    run: CourseRun,
    organisation: Organisation | None,
    outcome: OfferOutcome,
    now: datetime,
) -> None:
    """The offer is settled: a copy not sent yet is dropped, a sent one shows ``outcome`` instead of its buttons.

    The key of the enrolment's current round is used as a prefix; it matches no other offer, since a later
    round (whose key would extend it, round 1 then 10) does not exist yet while this one is current.
    """
    key = offer_key(enrolment.id, enrolment.round)
    await cancel_by_dedupe_prefix(session, key)
    await replace_copies(session, key, offer_notice(run, organisation, None, outcome), now=now)
