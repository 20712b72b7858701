"""The trainers' clash review card: one copy per reviewer while the clash waits, every copy replaced by the
decided state (accepted or declined, by whom, withdrawn, or cleared by a move of the session) once it is settled.

Functions here take the caller's session and never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from classroom.enrolment.notices import (
    ClashReviewNotice,
    ReviewOutcome,
    RunNotice,
    SessionNotice,
    clash_review_prefix,
)
from classroom.outbox import cancel_by_dedupe_prefix, replace_copies
from storage.models import CourseRun, Enrolment, EnrolmentStatus, RunSession


def review_notice(
    enrolment: Enrolment,
    run: CourseRun,
    clash_session: RunSession | SessionNotice,
    *,
    participant_name: str,
    organisation_name: str | None,
    outcome: ReviewOutcome | None = None,
) -> ClashReviewNotice:
    return ClashReviewNotice(
        enrolment_id=enrolment.id,
        round=enrolment.round,
        run=RunNotice.of(run),
        clash_session=clash_session
        if isinstance(clash_session, SessionNotice)
        else SessionNotice.of(clash_session, len(run.sessions)),
        participant_name=participant_name or "A participant",
        organisation_name=organisation_name,
        reason=enrolment.clash_reason or "",
        outcome=outcome,
    )


def review_outcome(enrolment: Enrolment) -> ReviewOutcome | None:
    """What became of the enrolment's clash review in its current round (None: still waiting).

    Needs the enrolment loaded with its reviewer (``loading.load_enrolment``).
    """
    if enrolment.status == EnrolmentStatus.PENDING_REVIEW:
        return None
    by = enrolment.reviewed_by.name if enrolment.reviewed_by else None
    if enrolment.reviewed_at is not None:  # decided (the place may have been given up since)
        declined = enrolment.status == EnrolmentStatus.DECLINED
        return ReviewOutcome(decision="declined" if declined else "accepted", by=by, at=enrolment.reviewed_at)
    return ReviewOutcome(decision="withdrawn", at=enrolment.ended_at or enrolment.updated_at)


async def settle_review_cards(
    session: AsyncSession,
    enrolment: Enrolment,
    run: CourseRun,
    outcome: ReviewOutcome,
    now: datetime,
    *,
    clash: SessionNotice | None = None,
) -> None:
    """The clash is settled: copies not sent yet are dropped, every sent copy shows ``outcome``.

    ``clash``: the session as the reviewers were asked about it, when it has moved since (else it is read from
    the run)."""
    prefix = clash_review_prefix(enrolment.id, enrolment.round)
    await cancel_by_dedupe_prefix(session, prefix)
    clash_session = clash or next((s for s in run.sessions if s.id == enrolment.clash_session_id), None)
    if clash_session is None:  # the session left the run meanwhile: the card cannot be drawn again
        return
    notice = review_notice(
        enrolment,
        run,
        clash_session,
        participant_name=enrolment.person.name,
        organisation_name=enrolment.organisation.name if enrolment.organisation else None,
        outcome=outcome,
    )
    await replace_copies(session, prefix, notice, now=now)
