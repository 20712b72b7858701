"""Taking a place in the common case (a free place, nobody waiting, no clash), decided on the catalogue kept in
memory and written with plain statements.

``enrolments.enrol`` loads the run's whole ORM graph under its lock (course, sessions, trainers, prices, who may
enrol) and changes the enrolment through the ORM's unit of work; most of a "Confirm my place" turn went there.
Here the run's details come from the catalogue kept in memory (``CatalogueSnapshot``), checked against the
catalogue version read under the run's lock in the one statement that reads what changes by the minute (the
person and their organisation, their row for the run, the places held and people waiting, whether a session
moved since people were told, or has no time recorded as told yet). The reminders, prompts and surveys are planned
from the kept copy too (its course, sessions, learning outcomes and reflection questions).

Anything else returns None, and the caller rolls this transaction back (it took the run's lock only) and takes the
place through ``enrolments.enrol`` in a transaction of its own:
a row still live (a place, a review, an offer, a waitlist entry: a redelivered press is refused as before), a full
run or people waiting, a session moved and not yet announced, a run no longer open, someone we have not met, a
catalogue changed since it was kept, a run gone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, exists, insert, or_, update

from classroom.catalogue.snapshot import CatalogueSnapshot
from classroom.catalogue.views import CourseView, KeptRun, RunView
from classroom.enrolment.eligibility import ApplicantFacts, EmployerFacts, check_eligibility_of, price_for
from classroom.enrolment.loading import normalise_code
from classroom.enrolment.locking import read_under_lock_on
from classroom.enrolment.policy import EnrolmentPolicy
from classroom.enrolment.queries import applicant_on_run
from classroom.enrolment.reminders import plan_reminders_on
from classroom.enrolment.views import EnrolmentView, run_details_of
from classroom.evaluation.planning import RunKeyFacts, run_key_columns
from classroom.reflection.planning import settled_reflections
from storage.base import utcnow
from storage.direct_statements import DirectStatement
from storage.models import (
    AnnouncedSessionTime,
    Enrolment,
    EnrolmentClashSession,
    EnrolmentStatus,
    Organisation,
    OrganisationStatus,
    Person,
    RunSession,
)
from storage.models.enrolment import ENDED

_ENROLMENTS, _PEOPLE, _ORGANISATIONS = Enrolment.__table__.c, Person.__table__.c, Organisation.__table__.c
_MISSED = EnrolmentClashSession.__table__.c
_SESSIONS, _ANNOUNCED = RunSession.__table__.c, AnnouncedSessionTime.__table__.c


# Built once: everything the decision reads live, in one statement (see the module's docstring).
_APPLICANT = DirectStatement(
    applicant_on_run(
        _PEOPLE.id.label("person_id"),
        _PEOPLE.name,
        _PEOPLE.organisation_status,
        _ORGANISATIONS.id.label("organisation_id"),
        _ORGANISATIONS.name.label("organisation_name"),
        _ORGANISATIONS.price_band,
        _ENROLMENTS.id.label("enrolment_id"),
        _ENROLMENTS.status,
        exists().where(_MISSED.enrolment_id == _ENROLMENTS.id).label("had_clash"),
        exists()
        .where(
            _ANNOUNCED.session_id == _SESSIONS.id,
            _SESSIONS.run_id == bindparam("run_id"),
            or_(_ANNOUNCED.starts_at != _SESSIONS.starts_at, _ANNOUNCED.ends_at != _SESSIONS.ends_at),
        )
        .label("moved"),
        # A session with no time recorded as told yet (planning the reminders records it): none, so nothing to write.
        exists()
        .where(_SESSIONS.run_id == bindparam("run_id"), ~exists().where(_ANNOUNCED.session_id == _SESSIONS.id))
        .label("unannounced"),
        # What planning the surveys and prompts would read otherwise (``reminders.plan_reminders_on``).
        *run_key_columns(bindparam("run_id")),
        settled_reflections(_ENROLMENTS.id, bindparam("run_id")).label("reflected"),
    ),
    named=True,
)
_TERMS = ("organisation_id", "price_band", "price_pence", "confirmed_at")
_NEW_PLACE = DirectStatement(
    insert(Enrolment)
    .values(
        run_id=bindparam("run_id"),
        person_id=bindparam("person_id"),
        status=EnrolmentStatus.CONFIRMED,
        round=1,
        created_at=bindparam("created_at"),
        updated_at=bindparam("updated_at"),
        **{name: bindparam(name) for name in _TERMS},
    )
    .returning(_ENROLMENTS.id)
)
# A row given up before, taken again as a new round (as ``enrolments._claim_row`` reopens it).
_PLACE_AGAIN = DirectStatement(
    update(Enrolment)
    .where(_ENROLMENTS.id == bindparam("enrolment_id"))
    .values(
        status=EnrolmentStatus.CONFIRMED,
        round=_ENROLMENTS.round + 1,
        waitlisted_at=None,
        offer_expires_at=None,
        clash_reason=None,
        reviewed_by_person_id=None,
        reviewed_at=None,
        ended_at=None,
        updated_at=bindparam("updated_at"),
        **{name: bindparam(name) for name in _TERMS},
    )
)
_FORGET_CLASH = DirectStatement(delete(EnrolmentClashSession).where(_MISSED.enrolment_id == bindparam("enrolment_id")))


def take_common_place_on(
    connection: Connection,
    aad_object_id: str,
    run_code: str,
    snapshot: CatalogueSnapshot,
    *,
    now: datetime,
    policy: EnrolmentPolicy,
) -> EnrolmentView | None:
    """Take a free place on the run ``run_code`` names, attending every date, when it is the common case (see the
    module's docstring), from synchronous code on the connection of the caller's transaction
    (``classroom.transactions.in_transaction_on``): the whole step in one hand-over to the driver, each statement
    built once and run on sqlite3 directly where it can (``DirectStatement``). None when it is not the common case
    (nothing is changed then but the run's lock taken).

    Raises the refusals of eligibility (``OrganisationNeeded``, ``NotEligible``, ``OrganisationUnconfirmed``), as
    ``enrolments.enrol`` does."""
    kept = snapshot.kept
    found = kept.runs_by_code.get(normalise_code(run_code)) if kept is not None else None
    if kept is None or found is None:
        return None
    course, run = found
    if not run.sessions or run.sessions[0].starts_at <= now:  # as ``waitlist.is_open``
        return None
    row = read_under_lock_on(connection, _APPLICANT, aad_object_id, run.id)
    if row is None or row.catalogue_version != kept.version or row.moved:
        return None
    if row.status is not None and row.status not in ENDED:
        return None
    if row.waiting or run.capacity - row.taken <= 0:
        return None
    employer = (
        EmployerFacts(row.organisation_id, row.organisation_name, row.price_band)
        if row.organisation_id is not None
        else None
    )
    applicant = ApplicantFacts(employer, row.organisation_status)
    organisation = check_eligibility_of(run, applicant)
    terms = {
        "organisation_id": organisation.id,
        "price_band": organisation.price_band,
        "price_pence": price_for(run, organisation),
        "confirmed_at": now,
    }
    # The stamps as the model's defaults would set them (given, so each statement runs as it is built).
    stamp = utcnow()
    if row.enrolment_id is None:
        parameters = {"run_id": run.id, "person_id": row.person_id, **terms, "created_at": stamp, "updated_at": stamp}
        [(enrolment_id,)] = _NEW_PLACE.execute(connection, parameters).rows
    else:
        enrolment_id = row.enrolment_id
        _PLACE_AGAIN.execute(connection, {"enrolment_id": enrolment_id, **terms, "updated_at": stamp})
        if row.had_clash:
            _FORGET_CLASH.execute(connection, {"enrolment_id": enrolment_id})
    # The reminders, prompts and surveys planned from the kept copy too: its version was checked above.
    plan_reminders_on(
        connection,
        enrolment_id,
        KeptRun(course, run),
        aad_object_id,
        now,
        policy,
        announce=row.unannounced,
        evaluation=RunKeyFacts.of(row),
        reflected=row.reflected,
    )
    return _view(enrolment_id, course, run, row, organisation.name, terms)


def _view(
    enrolment_id: int, course: CourseView, run: RunView, row: Any, organisation_name: str, terms: dict[str, Any]
) -> EnrolmentView:
    return EnrolmentView(
        id=enrolment_id,
        run=run_details_of(course, run),
        status=EnrolmentStatus.CONFIRMED,
        person_name=row.name,
        organisation_name=organisation_name,
        price_band=terms["price_band"],
        price_pence=terms["price_pence"],
        waitlist_position=None,
        offer_expires_at=None,
        clash_sessions=(),
        clash_reason=None,
        reviewed_by=None,
        organisation_confirmed=row.organisation_status != OrganisationStatus.PENDING,
    )
