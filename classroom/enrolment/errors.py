"""Why an enrolment request was refused; dialogs turn each into words."""

from __future__ import annotations

from datetime import datetime

from classroom.enrolment.views import SessionTime
from classroom.errors import ClassroomError, NotAllowed, NotFound


class EnrolmentRefused(ClassroomError):
    """Base of the refusals below."""


class OrganisationNeeded(EnrolmentRefused):
    """We do not know the person's organisation, which decides eligibility and price."""


class OrganisationUnconfirmed(EnrolmentRefused):
    """The run is limited to certain organisations and the person's (one of them) waits for a coordinator's
    confirmation: no place is taken or held until it is confirmed."""


class NotEligible(EnrolmentRefused):
    """The run is limited to an audience the person is not part of; ``str(error)`` explains it."""


class EnrolmentClosed(EnrolmentRefused):
    """The run has started (or finished), so it no longer takes enrolments or changes."""


class CourseFull(EnrolmentRefused):
    """Every place is taken; ``position`` is where the person would be (or is) on the waitlist."""

    def __init__(self, message: str, *, position: int, already_waitlisted: bool = False) -> None:
        super().__init__(message)
        self.position = position
        self.already_waitlisted = already_waitlisted


class AlreadyEnrolled(EnrolmentRefused):
    """The person already has a place (or a place under review) on this run."""

    def __init__(self, message: str, *, status: str) -> None:
        super().__init__(message)
        self.status = status


class OfferExpired(EnrolmentRefused):
    """The place offered from the waitlist was not taken up in time and has passed to the next person."""


class OfferNotOpen(EnrolmentRefused):
    """No place is held for the person on this run now (taken, turned down, lapsed, or never offered)."""


class AlreadyDecided(EnrolmentRefused):
    """A clash review was decided already (or the request was withdrawn)."""

    def __init__(self, message: str, *, status: str, decided_by: str | None, decided_at: datetime | None) -> None:
        super().__init__(message)
        self.status = status
        self.decided_by = decided_by
        self.decided_at = decided_at


class NoEnrolment(NotFound):
    """The person has no current place, review, offer or waitlist entry matching the request."""


class NothingToDecide(NotAllowed):
    """No clash request with that number that this person may decide. One that does not exist and one they may not
    decide are refused alike, on purpose: the answer must not tell which numbers exist, nor whose run they are on."""

    def __init__(self) -> None:
        super().__init__("there is no clash request with that number that you can decide")


class SessionChanged(ClassroomError):
    """The session is no longer at the time the coordinator was shown (someone moved it meanwhile, or an import
    did); ``current`` is where it is now. Nothing was changed."""

    def __init__(self, message: str, *, current: SessionTime) -> None:
        super().__init__(message)
        self.current = current
