"""Who may enrol on a run, and what a place costs them: decided by their organisation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from classroom.catalogue.views import RunView
from classroom.enrolment.errors import NotEligible, OrganisationNeeded, OrganisationUnconfirmed
from storage.models import CourseRun, Organisation, OrganisationStatus, Person


class Employer(Protocol):
    """What eligibility and price read of an organisation: an ``Organisation``, or :class:`EmployerFacts`."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def price_band(self) -> int: ...


class Applicant(Protocol):
    """What eligibility reads of a person: a ``Person``, or :class:`ApplicantFacts` (read as plain values)."""

    @property
    def organisation(self) -> Employer | None: ...
    @property
    def organisation_status(self) -> OrganisationStatus | None: ...


@dataclass(frozen=True, slots=True)
class EmployerFacts:
    id: int
    name: str
    price_band: int


@dataclass(frozen=True, slots=True)
class ApplicantFacts:
    """A person's organisation and its standing, read as plain values (no ORM entity: a read-only turn)."""

    organisation: EmployerFacts | None
    organisation_status: OrganisationStatus | None


_NEEDED = "tell us which organisation you work for first"


def organisation_of(person: Person) -> Organisation:
    if person.organisation is None:
        raise OrganisationNeeded(_NEEDED)
    return person.organisation


def check_eligibility(run: CourseRun, person: Person) -> Organisation:
    """The person's organisation when they may enrol on ``run``.

    Raises:
        OrganisationNeeded: we do not know their organisation.
        NotEligible: the run is limited to other organisations; the message says who it is for.
        OrganisationUnconfirmed: the run is limited to organisations including theirs, which a coordinator has yet
            to confirm (they chose it themselves and nothing shows it).
    """
    organisation = organisation_of(person)
    allowed = {link.organisation_id for link in run.eligible_organisations}
    if allowed:
        names = [link.organisation.name for link in run.eligible_organisations]
        _check_limited(run.code, run.eligible_audience, names, organisation.id in allowed, person, organisation)
    return organisation


def check_eligibility_of(run: RunView, person: Applicant) -> Employer:
    """``check_eligibility`` for a run of the catalogue kept in memory, which names its organisations: a name is
    unique, so it names one organisation."""
    organisation = person.organisation
    if organisation is None:
        raise OrganisationNeeded(_NEEDED)
    names = run.eligible_organisations
    if names:
        _check_limited(run.code, run.eligible_audience, list(names), organisation.name in names, person, organisation)
    return organisation


def _check_limited(
    code: str, audience: str, names: list[str], member: bool, person: Applicant, organisation: Employer
) -> None:
    """A run limited to the organisations ``names``; ``member``: whether the person's organisation is one."""
    names = sorted(names)
    if not member:
        raise NotEligible(
            f"{code} is only open to {audience or ', '.join(names)}. It is limited to staff of {_join(names)}, and "
            f"we have you down as working for {organisation.name}."
        )
    if person.organisation_status == OrganisationStatus.PENDING:
        raise OrganisationUnconfirmed(
            f"{code} is only open to staff of {_join(names)}."
            f" The training team has yet to confirm that you work for {organisation.name}; I'll message you here "
            "as soon as they have, and you can enrol then. Nothing has been booked or held meanwhile."
        )


def organisation_confirmed(person: Applicant) -> bool:
    """False while the person's organisation (and so their price band) waits for a coordinator."""
    return person.organisation_status != OrganisationStatus.PENDING


def price_for(run: CourseRun | RunView, organisation: Employer) -> int | None:
    """Pence per place for the organisation's price band (Tier 1-5); None when the run has no such price."""
    return next((p.amount_pence for p in run.prices if p.band == organisation.price_band), None)


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
