"""Who may enrol on a run, and what a place costs them: decided by their organisation."""

from __future__ import annotations

from classroom.enrolment.errors import NotEligible, OrganisationNeeded
from storage.models import CourseRun, Organisation, Person


def organisation_of(person: Person) -> Organisation:
    if person.organisation is None:
        raise OrganisationNeeded("tell us which organisation you work for first")
    return person.organisation


def check_eligibility(run: CourseRun, person: Person) -> Organisation:
    """The person's organisation when they may enrol on ``run``.

    Raises:
        OrganisationNeeded: we do not know their organisation.
        NotEligible: the run is limited to other organisations; the message says who it is for.
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
    return organisation


def price_for(run: CourseRun, organisation: Organisation) -> int | None:
    """Pence per place for the organisation's price band (Tier 1-5); None when the run has no such price."""
    return next((p.amount_pence for p in run.prices if p.band == organisation.price_band), None)


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
