"""What people are told when enrolment says no: one sentence per refusal, with what they can do instead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from classroom.enrolment.errors import (
    AlreadyDecided,
    AlreadyEnrolled,
    CourseFull,
    EnrolmentClosed,
    NoEnrolment,
    NotEligible,
    NothingToDecide,
    OfferExpired,
    OfferNotOpen,
    OrganisationNeeded,
    OrganisationUnconfirmed,
)
from classroom.errors import ClassroomError, InvalidInput, NotAllowed, NotFound, TryAgain
from dialogs.cards.formatting import shown_code
from storage.models import EnrolmentStatus

UNNAMED = "that course"  # what a code is called that is not repeated back (it does not look like one)
NOT_SIGNED_IN = "I can only do that for someone signed in to Microsoft Teams with a work account."


def explain(error: ClassroomError, code: str) -> str:
    """Words for a refusal about the course or run ``code``."""
    code = shown_code(code, UNNAMED)
    for error_type, words in _EXPLANATIONS:
        if isinstance(error, error_type):
            return words(error, code)
    return "Sorry, that didn't work. Please try again, or ask the training team."


def _not_eligible(error: NotEligible, code: str) -> str:
    course = code.split("-")[0]
    return (
        f"Sorry, you can't enrol on {code}. {error} If you think that's wrong, or you'd like this course "
        f"for your organisation, type **enquire {course}**."
    )


def _organisation_unconfirmed(error: OrganisationUnconfirmed, code: str) -> str:
    return f"You can't enrol on {code} just yet. {error}"


def _organisation_needed(_error: OrganisationNeeded, code: str) -> str:
    return f"I need to know which organisation you work for first. Type **enrol {code}** and I'll ask."


def _enrolment_closed(_error: EnrolmentClosed, code: str) -> str:
    return f"{code} has already started, so it no longer takes enrolments or changes. Type **courses** for others."


def _already_enrolled(error: AlreadyEnrolled, code: str) -> str:
    pending = error.status == EnrolmentStatus.PENDING_REVIEW
    state = "is waiting for the trainers' decision" if pending else "is confirmed"
    return f"You already have a place on {code}: it {state}. Type **my courses** to see it."


def _course_full(error: CourseFull, code: str) -> str:
    if error.already_waitlisted:
        return f"{code} is still full. You are number {error.position} on its waitlist; I'll message you here."
    return f"{code} is full. Type **enrol {code}** to join its waitlist (you'd be number {error.position})."


def _offer_expired(_error: OfferExpired, code: str) -> str:
    return (
        f"Sorry, the place held for you on {code} has expired and gone to the next person waiting. Type "
        f"**enrol {code}** to join the waitlist again."
    )


def _offer_not_open(_error: OfferNotOpen, code: str) -> str:
    return f"No place is being held for you on {code} now. Type **my courses** to see where you stand."


def _no_enrolment(_error: NoEnrolment, code: str) -> str:
    return f"You have no place, offer or waitlist entry on {code}. Type **my courses** to see yours."


def _already_decided(error: AlreadyDecided, _code: str) -> str:
    if error.status == EnrolmentStatus.CONFIRMED and not error.decided_by:
        # Confirmed without a reviewer: the clash was cleared, e.g. the session moved away from the clash.
        return "This clash no longer needs a decision: the participant's place is confirmed. Nothing was changed."
    if error.status == EnrolmentStatus.CONFIRMED:
        outcome = "accepted"
    elif error.status == EnrolmentStatus.DECLINED:
        outcome = "declined"
    else:
        return "This request is no longer waiting for a decision: the participant has withdrawn it."
    by = f" by {error.decided_by}" if error.decided_by else ""
    return f"This clash was already {outcome}{by}; nothing was changed."


def _nothing_to_decide(_error: NothingToDecide, _code: str) -> str:
    # The same words whether the number does not exist or is someone else's to decide: nothing is given away.
    return (
        "There is no clash request with that number that you can decide. Use the buttons on the clash card "
        "you were sent."
    )


def _not_allowed(error: NotAllowed, _code: str) -> str:
    return f"Sorry, {error}."


def _try_again(_error: TryAgain, _code: str) -> str:
    return "I'm very busy right now and nothing was changed. Please try again in a moment."


def _not_found(_error: NotFound, code: str) -> str:
    what = "that course or run" if code == UNNAMED else f"a course or run with the code {code}"
    return f"I can't find {what}. Type **courses** to see every code."


def _invalid_input(error: InvalidInput, _code: str) -> str:
    return f"That didn't work: {error}."


# The first entry whose type the error is an instance of decides the words, so a subclass must come before its
# base (NoEnrolment is a NotFound, NothingToDecide a NotAllowed).
_EXPLANATIONS: tuple[tuple[type[ClassroomError], Callable[[Any, str], str]], ...] = (
    (NotEligible, _not_eligible),
    (OrganisationNeeded, _organisation_needed),
    (OrganisationUnconfirmed, _organisation_unconfirmed),
    (EnrolmentClosed, _enrolment_closed),
    (AlreadyEnrolled, _already_enrolled),
    (CourseFull, _course_full),
    (OfferExpired, _offer_expired),
    (OfferNotOpen, _offer_not_open),
    (NoEnrolment, _no_enrolment),
    (AlreadyDecided, _already_decided),
    (NothingToDecide, _nothing_to_decide),
    (NotAllowed, _not_allowed),
    (TryAgain, _try_again),
    (NotFound, _not_found),
    (InvalidInput, _invalid_input),
)
