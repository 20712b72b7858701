"""Write a validated catalogue into the database: upsert by code or name, never delete.

Courses are matched by code, runs by run code and organisations by name. For everything the file
mentions, the file wins: fields are updated and a run's sessions, trainers, prices and eligible
organisations (and a course's learning outcomes) become exactly what the file lists. Rows the file does not
mention are left alone; runs and courses missing from the file are reported as "not in file", because a
coordinator should see them (they may have enrolments) rather than have them vanish.

Sessions, outcomes and trainers are updated in place by position, so a session keeps its id (and whatever
refers to it, such as reminders) when only its time changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from classroom.catalogue.file_format import (
    CatalogueDocument,
    CatalogueFileError,
    CourseSpec,
    Problem,
    RunSpec,
)
from storage.models import (
    Course,
    CourseRun,
    EvidenceKind,
    LearningOutcome,
    Organisation,
    OrganisationEvidence,
    Person,
    PersonRole,
    Role,
    RunEligibleOrganisation,
    RunPrice,
    RunSession,
    RunTrainer,
)


class CatalogueConflictError(CatalogueFileError):
    """The file is valid on its own but contradicts the database (a run code that belongs to another course).

    Raised before anything is written. A subclass of ``CatalogueFileError`` so callers report both alike.
    """


@dataclass
class ImportReport:
    """What an import did, by code (courses, runs) or name (organisations, people)."""

    courses_created: list[str] = field(default_factory=list)
    courses_updated: list[str] = field(default_factory=list)
    courses_unchanged: list[str] = field(default_factory=list)
    runs_created: list[str] = field(default_factory=list)
    runs_updated: list[str] = field(default_factory=list)
    runs_unchanged: list[str] = field(default_factory=list)
    organisations_created: list[str] = field(default_factory=list)
    organisations_updated: list[str] = field(default_factory=list)
    organisations_unchanged: list[str] = field(default_factory=list)
    people_created: list[str] = field(default_factory=list)
    trainer_roles_granted: list[str] = field(default_factory=list)
    # In the database but not in the file: kept as they are.
    courses_not_in_file: list[str] = field(default_factory=list)
    runs_not_in_file: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(
            (
                self.courses_created,
                self.courses_updated,
                self.runs_created,
                self.runs_updated,
                self.organisations_created,
                self.organisations_updated,
                self.people_created,
                self.trainer_roles_granted,
            )
        )

    def summary(self) -> str:
        """A few lines for the command line or a coordinator's chat."""

        def line(label: str, created: list[str], updated: list[str], unchanged: list[str]) -> str:
            text = f"{label}: {len(created)} created, {len(updated)} updated, {len(unchanged)} unchanged"
            details = [f"created {', '.join(created)}"] if created else []
            details += [f"updated {', '.join(updated)}"] if updated else []
            return f"{text} ({'; '.join(details)})" if details else text

        lines = [
            line("Courses", self.courses_created, self.courses_updated, self.courses_unchanged),
            line("Runs", self.runs_created, self.runs_updated, self.runs_unchanged),
            line(
                "Organisations",
                self.organisations_created,
                self.organisations_updated,
                self.organisations_unchanged,
            ),
        ]
        if self.people_created or self.trainer_roles_granted:
            lines.append(
                f"Trainers: {len(self.people_created)} people created, "
                f"{len(self.trainer_roles_granted)} given the trainer role"
            )
        if self.courses_not_in_file:
            lines.append(f"Courses not in file (kept): {', '.join(self.courses_not_in_file)}")
        if self.runs_not_in_file:
            lines.append(f"Runs not in file (kept): {', '.join(self.runs_not_in_file)}")
        if not self.changed:
            lines.append("Nothing changed.")
        return "\n".join(lines)


async def import_catalogue(session: AsyncSession, document: CatalogueDocument) -> ImportReport:
    """Upsert ``document`` into the database through ``session``.

    The caller owns the transaction: this flushes but never commits or rolls back, so it can be part of a
    larger unit of work (and a failure leaves the caller free to roll everything back).

    Raises:
        CatalogueConflictError: a run code in the file belongs to a different course in the database.
            Checked before anything is written.
    """
    report = ImportReport()
    await _refuse_runs_moving_course(session, document)
    organisations = await _upsert_organisations(session, document, report)
    people = await _upsert_trainers(session, document, report)
    await session.flush()  # ids for the links below
    await _sync_evidence(session, document, organisations, report)

    codes = [course.code for course in document.courses]
    existing = {
        course.code: course
        for course in await session.scalars(
            select(Course)
            .where(Course.code.in_(codes))
            .options(
                selectinload(Course.learning_outcomes),
                selectinload(Course.runs).options(
                    selectinload(CourseRun.sessions),
                    selectinload(CourseRun.trainers),
                    selectinload(CourseRun.prices),
                    selectinload(CourseRun.eligible_organisations),
                ),
            )
        )
    }
    for spec in document.courses:
        course = existing.get(spec.code)
        if course is None:
            course = Course(code=spec.code)
            await _apply_course(session, course, spec)
            session.add(course)  # once complete, so an autoflush never sees a half-filled row
            report.courses_created.append(spec.code)
        elif await _apply_course(session, course, spec):
            report.courses_updated.append(spec.code)
        else:
            report.courses_unchanged.append(spec.code)

        runs = {run.code: run for run in course.runs}
        for run_spec in spec.runs:
            run = runs.get(run_spec.code)
            if run is None:
                run = CourseRun(code=run_spec.code, capacity=run_spec.capacity)
                course.runs.append(run)
                await _apply_run(session, run, run_spec, organisations, people)
                report.runs_created.append(run_spec.code)
            elif await _apply_run(session, run, run_spec, organisations, people):
                report.runs_updated.append(run_spec.code)
            else:
                report.runs_unchanged.append(run_spec.code)
    await session.flush()

    run_codes = [run.code for _, run in document.runs()]
    report.courses_not_in_file = list(
        await session.scalars(select(Course.code).where(Course.code.not_in(codes)).order_by(Course.code))
    )
    report.runs_not_in_file = list(
        await session.scalars(select(CourseRun.code).where(CourseRun.code.not_in(run_codes)).order_by(CourseRun.code))
    )
    return report


async def _refuse_runs_moving_course(session: AsyncSession, document: CatalogueDocument) -> None:
    # Moving a run (with its enrolments) to another course is never what a typo in a file should do.
    wanted = {run.code: course.code for course, run in document.runs()}
    rows = await session.execute(
        select(CourseRun.code, Course.code).join(CourseRun.course).where(CourseRun.code.in_(list(wanted)))
    )
    owner = {run_code: course_code for run_code, course_code in rows}
    problems = []
    for course_index, course in enumerate(document.courses):
        for run_index, run in enumerate(course.runs):
            if run.code in owner and owner[run.code] != course.code:
                problems.append(
                    Problem(
                        document.source,
                        run.line,
                        f"courses[{course_index}].runs[{run_index}].code",
                        f"run {run.code} belongs to course {owner[run.code]}, not {course.code}; "
                        "runs cannot move between courses, so give this run a new code",
                    )
                )
    if problems:
        raise CatalogueConflictError(problems)


async def _upsert_organisations(
    session: AsyncSession, document: CatalogueDocument, report: ImportReport
) -> dict[str, Organisation]:
    names = [organisation.name for organisation in document.organisations]
    found = {o.name: o for o in await session.scalars(select(Organisation).where(Organisation.name.in_(names)))}
    for spec in document.organisations:
        organisation = found.get(spec.name)
        if organisation is None:
            found[spec.name] = Organisation(name=spec.name, price_band=spec.price_band)
            session.add(found[spec.name])
            report.organisations_created.append(spec.name)
        elif _assign(organisation, price_band=spec.price_band):
            report.organisations_updated.append(spec.name)
        else:
            report.organisations_unchanged.append(spec.name)
    return found


async def _sync_evidence(
    session: AsyncSession, document: CatalogueDocument, organisations: dict[str, Organisation], report: ImportReport
) -> None:
    """Each organisation in the file gets exactly the tenant ids and email domains it lists; a value the file
    gives to one organisation is taken from any other that had it (a value names one organisation)."""
    wanted: dict[tuple[EvidenceKind, str], int] = {}
    for spec in document.organisations:
        for kind, values in ((EvidenceKind.TENANT, spec.tenant_ids), (EvidenceKind.EMAIL_DOMAIN, spec.email_domains)):
            for value in values:
                wanted[(kind, value)] = organisations[spec.name].id
    in_file = {organisations[spec.name].id: spec.name for spec in document.organisations}
    changed: set[int] = set()
    present: set[tuple[EvidenceKind, str]] = set()
    for row in await session.scalars(select(OrganisationEvidence)):
        owner = wanted.get((row.kind, row.value))
        if owner == row.organisation_id:
            present.add((row.kind, row.value))
        elif owner is not None or row.organisation_id in in_file:
            changed.add(row.organisation_id)
            await session.delete(row)
    await session.flush()  # before the same value is added to another organisation
    for (kind, value), organisation_id in wanted.items():
        if (kind, value) not in present:
            session.add(OrganisationEvidence(organisation_id=organisation_id, kind=kind, value=value))
            changed.add(organisation_id)
    for organisation_id in changed:
        name = in_file.get(organisation_id)
        if name is not None and name in report.organisations_unchanged:
            report.organisations_unchanged.remove(name)
            report.organisations_updated.append(name)


async def _upsert_trainers(
    session: AsyncSession, document: CatalogueDocument, report: ImportReport
) -> dict[str, Person]:
    """Make sure every trainer with an Entra object id is a person with the trainer role."""
    names: dict[str, str] = {}
    for _, run in document.runs():
        for trainer in run.trainers:
            if trainer.aad_object_id:
                names.setdefault(trainer.aad_object_id, trainer.name)
    people = {p.aad_object_id: p for p in await session.scalars(select(Person).where(Person.aad_object_id.in_(names)))}
    for aad_object_id, name in names.items():
        person = people.get(aad_object_id)
        if person is None:
            person = people[aad_object_id] = Person(aad_object_id=aad_object_id, name=name, roles=[])
            session.add(person)
            report.people_created.append(name)
        elif not person.name:
            person.name = name  # fill a blank name only: the name Teams gave us wins
        if Role.TRAINER not in person.role_set:
            person.roles.append(PersonRole(role=Role.TRAINER))
            report.trainer_roles_granted.append(person.name)
    return people


async def _apply_course(session: AsyncSession, course: Course, spec: CourseSpec) -> bool:
    changed = _assign(
        course,
        title=spec.title,
        summary=spec.summary,
        description=spec.description,
        target_audience=spec.target_audience,
        prerequisites=spec.prerequisites,
        duration=spec.duration,
        outline_url=spec.outline_url,
        delivery=spec.delivery,
        reflection_questions=dict(spec.reflection_questions) or None,
    )
    outcomes = [{"text": text} for text in spec.learning_outcomes]
    return await _sync_positions(session, course.learning_outcomes, outcomes, LearningOutcome) or changed


async def _apply_run(
    session: AsyncSession,
    run: CourseRun,
    spec: RunSpec,
    organisations: dict[str, Organisation],
    people: dict[str, Person],
) -> bool:
    changed = _assign(run, capacity=spec.capacity, join_url=spec.join_url, eligible_audience=spec.eligible_audience)
    sessions = [{"starts_at": s.starts_at, "ends_at": s.ends_at} for s in spec.sessions]
    changed = await _sync_positions(session, run.sessions, sessions, RunSession) or changed
    trainers = [
        {
            "name": t.name,
            "person_id": people[t.aad_object_id].id if t.aad_object_id else None,
            "linked_in_teams": False,
        }
        for t in spec.trainers
    ]
    # Trainers linked in Teams (``link trainer``) stay, after the file's, unless the file now lists them itself.
    listed = {row["person_id"] for row in trainers}
    trainers += [
        {"name": t.name, "person_id": t.person_id, "linked_in_teams": True}
        for t in run.trainers
        if t.linked_in_teams and t.person_id is not None and t.person_id not in listed
    ]
    changed = await _sync_positions(session, run.trainers, trainers, RunTrainer) or changed
    changed = _sync_prices(run, spec.prices_pence) or changed
    return _sync_eligibility(run, [organisations[name] for name in spec.eligible_organisations]) or changed


def _assign(row: Any, **values: Any) -> bool:
    """Set the attributes that differ; True when any did (so unchanged rows are not reported as updated)."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


async def _sync_positions(
    session: AsyncSession, rows: list[Any], wanted: Sequence[dict[str, Any]], make: Callable[..., Any]
) -> bool:
    """Make an ordered child collection (positions 1, 2, 3…) hold exactly ``wanted``, updating in place."""
    changed = False
    if [row.position for row in rows] != list(range(1, len(rows) + 1)):
        # Positions written some other way: start again, flushing the deletes first so the new rows do
        # not collide with the old ones on the (parent, position) unique constraint.
        rows.clear()
        await session.flush()
        changed = True
    for position, values in enumerate(wanted, start=1):
        if position <= len(rows):
            changed = _assign(rows[position - 1], **values) or changed
        else:
            rows.append(make(position=position, **values))
            changed = True
    if len(rows) > len(wanted):
        del rows[len(wanted) :]
        changed = True
    return changed


def _sync_prices(run: CourseRun, wanted: Mapping[int, int]) -> bool:
    changed = False
    existing = {price.band: price for price in run.prices}
    for band, pence in wanted.items():
        if band in existing:
            changed = _assign(existing[band], amount_pence=pence) or changed
        else:
            run.prices.append(RunPrice(band=band, amount_pence=pence))
            changed = True
    for band, price in existing.items():
        if band not in wanted:
            run.prices.remove(price)
            changed = True
    return changed


def _sync_eligibility(run: CourseRun, wanted: list[Organisation]) -> bool:
    changed = False
    wanted_ids = {organisation.id for organisation in wanted}
    for link in list(run.eligible_organisations):
        if link.organisation_id not in wanted_ids:
            run.eligible_organisations.remove(link)
            changed = True
    present = {link.organisation_id for link in run.eligible_organisations}
    for organisation in wanted:
        if organisation.id not in present:
            run.eligible_organisations.append(RunEligibleOrganisation(organisation=organisation))
            changed = True
    return changed
