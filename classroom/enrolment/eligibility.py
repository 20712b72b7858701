"""Who may enrol on a run, and what a place costs them: decided by their organisation."""

from __future__ import annotations

from classroom.enrolment.errors import NotEligible, OrganisationNeeded, OrganisationUnconfirmed
from storage.models import CourseRun, Organisation, OrganisationStatus, Person


def organisation_of(person: Person) -> Organisation:
    if person.organisation is None:
        raise OrganisationNeeded("tell us which organisation you work for first")
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
    if allowed and organisation.id not in allowed:
        names = sorted(link.organisation.name for link in run.eligible_organisations)
        audience = run.eligible_audience or ", ".join(names)
        raise NotEligible(
            f"{run.code} is only open to {audience}. It is limited to staff of {_join(names)}, and we have you "
            f"down as working for {organisation.name}."
        )
    if allowed and person.organisation_status == OrganisationStatus.PENDING:
        names = sorted(link.organisation.name for link in run.eligible_organisations)
        raise OrganisationUnconfirmed(
            f"{run.code} is only open to staff of {_join(names)}."
            f" The training team has yet to confirm that you work for {organisation.name}; I'll message you here "
            "as soon as they have, and you can enrol then. Nothing has been booked or held meanwhile."
        )
    return organisation


def organisation_confirmed(person: Person) -> bool:
    """False while the person's organisation (and so their price band) waits for a coordinator."""
    return person.organisation_status != OrganisationStatus.PENDING


def price_for(run: CourseRun, organisation: Organisation) -> int | None:
    """Pence per place for the organisation's price band (Tier 1-5); None when the run has no such price."""
    return next((p.amount_pence for p in run.prices if p.band == organisation.price_band), None)


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
