"""The trainers' clash review card: one copy per reviewer while the clash waits, every copy replaced by the
decided state (accepted or declined, by whom, withdrawn, or cleared by moves of its sessions) once it is settled.

A move of one of its sessions takes that session out of the clash (``moved_clashes``): the copies then name the
sessions left, still asking while the review waits.

Functions here take the caller's session and never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from classroom.enrolment.notices import (
    ClashReviewNotice,
    ReviewOutcome,
    SessionMovePart,
    clash_review_notice,
    clash_review_prefix,
)
from classroom.outbox import cancel_by_dedupe_prefix, replace_copies
from storage.models import CourseRun, Enrolment, EnrolmentStatus


def review_outcome(enrolment: Enrolment) -> ReviewOutcome | None:
    """What became of the enrolment's clash review in its current round (None: still waiting).

    Needs the enrolment loaded with its reviewer (``loading.load_enrolment``). A review cleared by moves leaves no
    clash to ask about, so callers do not ask for it.
    """
    if enrolment.status == EnrolmentStatus.PENDING_REVIEW:
        return None
    by = enrolment.reviewed_by.name if enrolment.reviewed_by else None
    if enrolment.reviewed_at is not None:  # decided (the place may have been given up since)
        declined = enrolment.status == EnrolmentStatus.DECLINED
        return ReviewOutcome(decision="declined" if declined else "accepted", by=by, at=enrolment.reviewed_at)
    return ReviewOutcome(decision="withdrawn", at=enrolment.ended_at or enrolment.updated_at)


def review_card(
    enrolment: Enrolment,
    run: CourseRun,
    outcome: ReviewOutcome | None,
    *,
    moved: SessionMovePart | None = None,
) -> ClashReviewNotice:
    """The review card for the enrolment's clash as it stands (person, organisation and clash sessions loaded)."""
    return clash_review_notice(
        enrolment,
        run,
        participant_name=enrolment.person.name,
        organisation_name=enrolment.organisation.name if enrolment.organisation else None,
        outcome=outcome,
        moved=moved,
    )


async def settle_review_cards(
    session: AsyncSession,
    enrolment: Enrolment,
    run: CourseRun,
    outcome: ReviewOutcome,
    now: datetime,
    *,
    moved: SessionMovePart | None = None,
) -> None:
    """The clash is settled (or, decided before, changed by a move): copies not sent yet are dropped, every sent
    copy shows ``outcome`` and the sessions the clash names now."""
    prefix = clash_review_prefix(enrolment.id, enrolment.round)
    await cancel_by_dedupe_prefix(session, prefix)
    await replace_copies(session, prefix, review_card(enrolment, run, outcome, moved=moved), now=now)


async def update_open_review_cards(
    session: AsyncSession, enrolment: Enrolment, run: CourseRun, moved: SessionMovePart, now: datetime
) -> None:
    """A review still waiting names fewer sessions after ``moved``: every copy (sent or not) shows the sessions
    left, still asking for a decision."""
    prefix = clash_review_prefix(enrolment.id, enrolment.round)
    await replace_copies(session, prefix, review_card(enrolment, run, None, moved=moved), now=now)
