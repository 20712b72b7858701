"""What people are told when enrolment says no: one sentence per refusal, with what they can do instead."""

from __future__ import annotations

from classroom.enrolment.errors import (
    AlreadyDecided,
    AlreadyEnrolled,
    CourseFull,
    EnrolmentClosed,
    NoEnrolment,
    NotEligible,
    OfferExpired,
    OrganisationNeeded,
)
from classroom.errors import ClassroomError, InvalidInput, NotAllowed, NotFound, TryAgain
from storage.models import EnrolmentStatus

NOT_SIGNED_IN = "I can only do that for someone signed in to Microsoft Teams with a work account."


def explain(error: ClassroomError, code: str) -> str:
    """Words for a refusal about the course or run ``code``."""
    code = code.strip().upper()[:48] or "that course"
    course = code.split("-")[0]
    if isinstance(error, NotEligible):
        return (
            f"Sorry, you can't enrol on {code}. {error} If you think that's wrong, or you'd like this course "
            f"for your organisation, type **enquire {course}**."
        )
    if isinstance(error, OrganisationNeeded):
        return f"I need to know which organisation you work for first. Type **enrol {code}** and I'll ask."
    if isinstance(error, EnrolmentClosed):
        return f"{code} has already started, so it no longer takes enrolments or changes. Type **courses** for others."
    if isinstance(error, AlreadyEnrolled):
        pending = error.status == EnrolmentStatus.PENDING_REVIEW
        state = "is waiting for the trainers' decision" if pending else "is confirmed"
        return f"You already have a place on {code}: it {state}. Type **my courses** to see it."
    if isinstance(error, CourseFull):
        if error.already_waitlisted:
            return f"{code} is still full. You are number {error.position} on its waitlist; I'll message you here."
        return f"{code} is full. Type **enrol {code}** to join its waitlist (you'd be number {error.position})."
    if isinstance(error, OfferExpired):
        return (
            f"Sorry, the place held for you on {code} has expired and gone to the next person waiting. Type "
            f"**enrol {code}** to join the waitlist again."
        )
    if isinstance(error, NoEnrolment):
        return f"You have no place, offer or waitlist entry on {code}. Type **my courses** to see yours."
    if isinstance(error, AlreadyDecided):
        return _already_decided(error)
    if isinstance(error, NotAllowed):
        return f"Sorry, {error}."
    if isinstance(error, TryAgain):
        return "I'm very busy right now and nothing was changed. Please try again in a moment."
    if isinstance(error, NotFound):
        return f"I can't find a course or run with the code {code}. Type **courses** to see every code."
    if isinstance(error, InvalidInput):
        return f"That didn't work: {error}."
    return "Sorry, that didn't work. Please try again, or ask the training team."


def _already_decided(error: AlreadyDecided) -> str:
    if error.status == EnrolmentStatus.CONFIRMED:
        outcome = "accepted"
    elif error.status == EnrolmentStatus.DECLINED:
        outcome = "declined"
    else:
        return "This request is no longer waiting for a decision: the participant has withdrawn it."
    by = f" by {error.decided_by}" if error.decided_by else ""
    return f"This clash was already {outcome}{by}; nothing was changed."
