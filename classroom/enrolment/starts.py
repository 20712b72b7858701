"""``enrol CODE``'s first reads in one statement, on the catalogue kept in memory.

The person (met: their stored name, to rename them when Teams gives another), what we know of their organisation,
the places taken and people waiting on each run the code names that still takes enrolments, and the catalogue's
version (checking the copy kept in memory those runs come from): read in one statement on a pooled connection from
synchronous code (``classroom.transactions.in_transaction_on``), where the ORM session read them in three, each a
hand-over to the driver.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import NamedTuple

from sqlalchemy import Connection, bindparam, select

from classroom.catalogue.snapshot import CatalogueSnapshot, version_column
from classroom.enrolment.organisations import OrganisationChoice, OrganisationStanding
from classroom.enrolment.queries import open_runs_named, places_of_runs, run_choices_of
from classroom.enrolment.views import RunChoice
from classroom.errors import NotFound
from classroom.people import meet_known_on
from storage.direct_statements import DirectStatement
from storage.models import Organisation, Person

# Runs one code names, at most, read in one statement here (a course runs a handful at a time); more go the ORM way.
MOST_RUNS = 16


class KeptStart(NamedTuple):
    """What :func:`kept_start_on` read: as ``service.EnrolmentStart``."""

    runs: list[RunChoice]
    standing: OrganisationStanding | None
    unknown: NotFound | None


def kept_start_on(
    connection: Connection, aad_object_id: str, name: str, code: str, now: datetime, snapshot: CatalogueSnapshot
) -> KeptStart | None:
    """Meet the person and read what ``enrol CODE`` shows first (see the module's docstring), on the connection of
    the caller's transaction. None when no copy of the catalogue is kept or it is not the database's, the code names
    more runs than ``MOST_RUNS``, or the person is not stored yet (a first meeting): the caller reads the ORM way."""
    catalogue = snapshot.kept
    if catalogue is None:
        return None
    try:
        open_, unknown = open_runs_named(code, now, catalogue), None
    except NotFound as error:
        open_, unknown = [], error
    if len(open_) > MOST_RUNS:
        return None
    parameters = {"aad_object_id": aad_object_id, **{f"run_id_{at}": run.id for at, (_c, run) in enumerate(open_)}}
    rows = _start(len(open_)).execute(connection, parameters).rows
    if not rows or int(rows[0].catalogue_version or 0) != catalogue.version:
        return None
    row = rows[0]
    if name and row.name != name:
        meet_known_on(connection, aad_object_id, name)  # renamed, as ``people.meet`` does
    if unknown is not None:
        return KeptStart([], None, unknown)
    runs = run_choices_of(open_, row)
    if not runs:
        return KeptStart([], None, None)
    organisation = None
    if row.organisation_id is not None:
        organisation = OrganisationChoice(row.organisation_id, row.organisation_name)
    standing = OrganisationStanding(organisation, row.organisation_status if organisation else None)
    return KeptStart(runs, standing, None)


_PEOPLE, _ORGANISATIONS = Person.__table__.c, Organisation.__table__.c


@cache
def _start(count: int) -> DirectStatement:
    """The statement of :func:`kept_start_on` for ``count`` runs (built once per count)."""
    return DirectStatement(
        select(
            _PEOPLE.name,
            _PEOPLE.organisation_status,
            _ORGANISATIONS.id.label("organisation_id"),
            _ORGANISATIONS.name.label("organisation_name"),
            version_column(),
            *places_of_runs(count),
        )
        .select_from(Person.__table__.outerjoin(Organisation.__table__, _ORGANISATIONS.id == _PEOPLE.organisation_id))
        .where(_PEOPLE.aad_object_id == bindparam("aad_object_id")),
        named=True,
    )
