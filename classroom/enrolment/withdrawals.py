"""Giving up a place, a place under review, an offer or a waitlist entry, and telling the run's trainers and the
coordinators when a place is given up.

Like ``enrolments``, it takes the caller's session, locks the run first, and never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.catalogue.snapshot import CatalogueSnapshot, version_column
from classroom.catalogue.views import CourseView, RunView
from classroom.coordinators import (
    NotifiedTarget,
    coordinator_copies,
    coordinator_targets,
    coordinators_reach,
    targets_of,
)
from classroom.enrolment.enrolments import MAX_REASON_LENGTH
from classroom.enrolment.errors import EnrolmentClosed, NoEnrolment
from classroom.enrolment.loading import (
    find_enrolment,
    load_person,
    load_run,
    normalise_code,
    places_taken,
    run_id_for_code,
)
from classroom.enrolment.locking import lock_run, read_under_lock_on
from classroom.enrolment.notices import ReviewOutcome, RunNotice, WithdrawnNotice, sessions_of, withdrawn_key
from classroom.enrolment.offer_cards import settle_offer_cards
from classroom.enrolment.policy import EnrolmentPolicy
from classroom.enrolment.queries import counted_on_run
from classroom.enrolment.reminders import cancel_reminders, cancel_reminders_on
from classroom.enrolment.review_cards import settle_review_cards
from classroom.enrolment.reviewers import linked_trainers
from classroom.enrolment.waitlist import offer_places
from classroom.errors import InvalidInput, NotFound
from classroom.outbox import Notice, Queued, enqueue_many, enqueue_many_on
from storage.base import utcnow
from storage.direct_statements import DirectStatement
from storage.models import Enrolment, EnrolmentStatus, Organisation, Person, RunTrainer
from storage.models.enrolment import ENDED, HOLDS_PLACE


@dataclass(frozen=True)
class Withdrawn:
    """What was given up: the status it had, the enrolment's id and the run's code (so the caller need not read
    them again)."""

    previous: EnrolmentStatus
    enrolment_id: int
    run_code: str


async def withdraw(
    session: AsyncSession,
    aad_object_id: str,
    run_id: int,
    *,
    now: datetime,
    policy: EnrolmentPolicy,
    only: frozenset[EnrolmentStatus] | None = None,
    reason: str | None = None,
) -> Withdrawn:
    """Give up a place, a place under review, an offer or a waitlist entry; returns the status it had (with the
    enrolment's id and the run's code).

    A freed place is offered to the next person waiting, and the person's pending reminders are cancelled.
    Giving up a place (or a place under review) tells the run's trainers and the coordinators, with the
    person's ``reason`` when they gave one. A clash review or an offer card still waiting shows that it was
    withdrawn or turned down, on every copy.

    Raises:
        NoEnrolment: nothing to give up (``only`` narrows what counts, e.g. to an offer).
        EnrolmentClosed: the run has finished.
        InvalidInput: a reason longer than ``MAX_REASON_LENGTH``.
    """
    reason = _checked_reason(reason)
    await lock_run(session, run_id)
    run = await load_run(session, run_id)
    person = await load_person(session, aad_object_id)
    enrolment = await find_enrolment(session, run.id, person.id)
    if enrolment is None or enrolment.status in ENDED or (only is not None and enrolment.status not in only):
        raise NoEnrolment(f"you have nothing to cancel on {run.code}")
    if run.sessions and run.sessions[-1].ends_at <= now:
        raise EnrolmentClosed(f"{run.code} has finished")
    previous = enrolment.status
    enrolment.status = EnrolmentStatus.CANCELLED
    enrolment.ended_at = now
    enrolment.offer_expires_at = None
    await cancel_reminders(session, enrolment.id)
    if previous == EnrolmentStatus.PENDING_REVIEW:
        await settle_review_cards(session, enrolment, run, ReviewOutcome(decision="withdrawn", at=now), now)
    elif previous == EnrolmentStatus.OFFERED:
        await settle_offer_cards(session, enrolment, run, person.organisation, "declined", now)
    await session.flush()
    offered: list[int] = []
    taken: int | None = None  # counted by the offers, when a place came free
    if previous in HOLDS_PLACE:
        offered, taken = await offer_places(session, run, now, policy)
    if previous in (EnrolmentStatus.CONFIRMED, EnrolmentStatus.PENDING_REVIEW):
        notice = WithdrawnNotice(
            run=RunNotice.of(run),
            sessions=sessions_of(run),
            participant_name=person.name or "A participant",
            organisation_name=enrolment.organisation.name if enrolment.organisation else None,
            had_status=previous.value,
            reason=reason,
            withdrawn_at=now,
            offered_to_waitlist=bool(offered),
            places_left=max(0, run.capacity - (await places_taken(session, run.id) if taken is None else taken)),
            capacity=run.capacity,
        )
        trainers = [(trainer.id, trainer.aad_object_id) for trainer in await linked_trainers(session, run)]
        await _tell_overseers(session, trainers, notice, withdrawn_key(enrolment.id, enrolment.round), now)
    return Withdrawn(previous, enrolment.id, run.code)


def _checked_reason(reason: str | None) -> str | None:
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > MAX_REASON_LENGTH:
        raise InvalidInput(f"say why in at most {MAX_REASON_LENGTH} characters, or leave it out")
    return reason


async def _tell_overseers(
    session: AsyncSession,
    trainers: list[tuple[int, str]],
    notice: Notice,
    key: str,
    now: datetime,
    coordinators: list[NotifiedTarget] | None = None,
) -> None:
    """Queue ``notice`` for the coordinators (their chat, else each of them: ``coordinators``, read here when not
    given) and each linked trainer of the run (``trainers``: their person ids and Entra ids, in id order); someone
    who is both gets one copy. Every copy in one statement."""
    if coordinators is None:
        coordinators = await coordinator_targets(session, key)
    await enqueue_many(session, _overseers_copies(coordinators, trainers, notice, key, now))


def _overseers_copies(
    coordinators: list[NotifiedTarget], trainers: list[tuple[int, str]], notice: Notice, key: str, now: datetime
) -> list[Queued]:
    """The copies of :func:`_tell_overseers`: the coordinators', then each linked trainer's not reached already."""
    rows = coordinator_copies(coordinators, notice, dedupe_key=key, due_at=now)
    reached = {t.recipient for t in coordinators}
    for trainer_id, aad_object_id in trainers:
        if aad_object_id not in reached:
            key_for_trainer = f"{key}:trainer:{trainer_id}"
            rows.append(Queued(notice, due_at=now, dedupe_key=key_for_trainer, recipient=aad_object_id))
    return rows


# Built once: what giving up a place reads under the run's lock, in one statement of plain values: the person, their
# enrolment on the run and the organisation it was taken for, the run's places held and people waiting, and the
# catalogue's version (to check the copy kept in memory that the run's details come from).
_ENROLMENTS, _PEOPLE = Enrolment.__table__.c, Person.__table__.c
_ORGANISATIONS = Organisation.__table__.c
_HOLDER = (
    select(
        _PEOPLE.name,
        _ENROLMENTS.id.label("enrolment_id"),
        _ENROLMENTS.status,
        _ENROLMENTS.round,
        _ORGANISATIONS.name.label("organisation_name"),
        counted_on_run(HOLDS_PLACE).label("taken"),
        counted_on_run(frozenset({EnrolmentStatus.WAITLISTED})).label("waiting"),
        version_column(),
    )
    .select_from(
        Person.__table__.outerjoin(
            Enrolment.__table__,
            and_(_ENROLMENTS.person_id == _PEOPLE.id, _ENROLMENTS.run_id == bindparam("run_id")),
        ).outerjoin(Organisation.__table__, _ORGANISATIONS.id == _ENROLMENTS.organisation_id)
    )
    .where(_PEOPLE.aad_object_id == bindparam("aad_object_id"))
)
_CANCEL = (
    update(Enrolment)
    .where(_ENROLMENTS.id == bindparam("enrolment_id"))
    .values(status=EnrolmentStatus.CANCELLED, ended_at=bindparam("now"), offer_expires_at=None)
)
# The same, its ``updated_at`` given (as the model's ``onupdate`` would set it), so it runs as it is built.
_CANCEL_ON = DirectStatement(_CANCEL.values(updated_at=bindparam("updated_at")))
# Whom a place given up is told of, in one statement: the coordinators' reach, and the run's linked trainers.
_TRAINER = "trainer"
_OVERSEERS = coordinators_reach(
    select(literal(_TRAINER).label("kind"), Person.aad_object_id.label("target"), Person.id.label("person_id"))
    .join(RunTrainer, RunTrainer.person_id == Person.id)
    .where(RunTrainer.run_id == bindparam("run_id"))
    .distinct()
)


async def withdraw_by_code(
    session: AsyncSession,
    aad_object_id: str,
    run_code: str,
    snapshot: CatalogueSnapshot,
    *,
    now: datetime,
    policy: EnrolmentPolicy,
    only: frozenset[EnrolmentStatus] | None = None,
    reason: str | None = None,
) -> Withdrawn:
    """:func:`withdraw`, for the run ``run_code`` names, deciding on the catalogue kept in memory (``snapshot``) when
    it is the database's: its version is read under the run's lock, in the statement that reads the person's
    enrolment and the run's places, and the change is written with plain statements (no ORM entity).

    The common case only (a place or a waitlist entry given up, nobody waiting for the place freed): anything else
    (a clash review or an offer to settle, a place to offer on, someone we have not met, a catalogue changed since
    it was kept) is handed to :func:`withdraw`, in the same transaction. Raises as :func:`withdraw`, and NotFound
    for an unknown run code."""
    reason = _checked_reason(reason)
    kept = snapshot.kept
    found = kept.runs_by_code.get(normalise_code(run_code)) if kept is not None else None
    if kept is None or found is None:
        return await _withdraw_read_whole(session, aad_object_id, run_code, now, policy, only, reason)
    course, run = found
    try:
        await lock_run(session, run.id)
    except NotFound:  # the run was removed since the copy was kept
        return await _withdraw_read_whole(session, aad_object_id, run_code, now, policy, only, reason)
    parameters = {"aad_object_id": aad_object_id, "run_id": run.id}
    row = (await (await session.connection()).execute(_HOLDER, parameters)).first()
    if row is None or row.catalogue_version != kept.version:
        return await _withdraw_read_whole(session, aad_object_id, run_code, now, policy, only, reason)
    previous = row.status
    if previous is None or previous in ENDED or (only is not None and previous not in only):
        raise NoEnrolment(f"you have nothing to cancel on {run.code}")
    if run.sessions and run.sessions[-1].ends_at <= now:
        raise EnrolmentClosed(f"{run.code} has finished")
    frees_a_place_for_someone = previous in HOLDS_PLACE and row.waiting > 0
    cards_to_settle = previous in (EnrolmentStatus.PENDING_REVIEW, EnrolmentStatus.OFFERED)
    if frees_a_place_for_someone or cards_to_settle:
        return await _withdraw_read_whole(session, aad_object_id, run_code, now, policy, only, reason)
    connection = await session.connection()
    await connection.execute(_CANCEL, {"enrolment_id": row.enrolment_id, "now": now})
    await cancel_reminders(session, row.enrolment_id)
    if previous == EnrolmentStatus.CONFIRMED:
        notice = _withdrawn_notice(course, run, row, reason, now, places_left=run.capacity - (row.taken - 1))
        key = withdrawn_key(row.enrolment_id, row.round)
        overseers = (await session.execute(_OVERSEERS, {"run_id": run.id})).all()
        trainers = sorted((o.person_id, o.target) for o in overseers if o.kind == _TRAINER)  # in id order
        await _tell_overseers(session, trainers, notice, key, now, targets_of(overseers, key))
    return Withdrawn(previous, row.enrolment_id, run.code)


_HOLDER_ON = DirectStatement(_HOLDER, named=True)
_OVERSEERS_ON = DirectStatement(_OVERSEERS, named=True)


def withdraw_common_on(
    connection: Connection,
    aad_object_id: str,
    run_code: str,
    snapshot: CatalogueSnapshot,
    *,
    now: datetime,
    only: frozenset[EnrolmentStatus] | None = None,
    reason: str | None = None,
) -> Withdrawn | None:
    """:func:`withdraw_by_code`'s common case from synchronous code, on the connection of the caller's transaction
    (``classroom.transactions.in_transaction_on``): the whole step in one hand-over to the driver, each statement
    built once and run on sqlite3 directly where it can (``DirectStatement``). None for anything else (nothing is
    changed then but the run's lock taken): the caller runs :func:`withdraw_by_code`. Raises NoEnrolment,
    EnrolmentClosed and InvalidInput as :func:`withdraw` does."""
    reason = _checked_reason(reason)
    kept = snapshot.kept
    found = kept.runs_by_code.get(normalise_code(run_code)) if kept is not None else None
    if kept is None or found is None:
        return None
    course, run = found
    row = read_under_lock_on(connection, _HOLDER_ON, aad_object_id, run.id)
    if row is None or row.catalogue_version != kept.version:
        return None
    previous = row.status
    if previous is None or previous in ENDED or (only is not None and previous not in only):
        raise NoEnrolment(f"you have nothing to cancel on {run.code}")
    if run.sessions and run.sessions[-1].ends_at <= now:
        raise EnrolmentClosed(f"{run.code} has finished")
    if (previous in HOLDS_PLACE and row.waiting > 0) or previous in _CARDS_TO_SETTLE:
        return None
    _CANCEL_ON.execute(connection, {"enrolment_id": row.enrolment_id, "now": now, "updated_at": utcnow()})
    cancel_reminders_on(connection, row.enrolment_id)
    if previous == EnrolmentStatus.CONFIRMED:
        notice = _withdrawn_notice(course, run, row, reason, now, places_left=run.capacity - (row.taken - 1))
        key = withdrawn_key(row.enrolment_id, row.round)
        overseers = _OVERSEERS_ON.execute(connection, {"run_id": run.id}).rows
        trainers = sorted((o.person_id, o.target) for o in overseers if o.kind == _TRAINER)  # in id order
        enqueue_many_on(connection, _overseers_copies(targets_of(overseers, key), trainers, notice, key, now))
    return Withdrawn(previous, row.enrolment_id, run.code)


_CARDS_TO_SETTLE = frozenset({EnrolmentStatus.PENDING_REVIEW, EnrolmentStatus.OFFERED})


def _withdrawn_notice(
    course: CourseView, run: RunView, row: Any, reason: str | None, now: datetime, *, places_left: int
) -> WithdrawnNotice:
    return WithdrawnNotice(
        run=RunNotice.of_view(course, run),
        sessions=sessions_of(run),
        participant_name=row.name or "A participant",
        organisation_name=row.organisation_name,
        had_status=row.status.value,
        reason=reason,
        withdrawn_at=now,
        offered_to_waitlist=False,
        places_left=max(0, places_left),
        capacity=run.capacity,
    )


async def _withdraw_read_whole(
    session: AsyncSession,
    aad_object_id: str,
    run_code: str,
    now: datetime,
    policy: EnrolmentPolicy,
    only: frozenset[EnrolmentStatus] | None,
    reason: str | None,
) -> Withdrawn:
    """:func:`withdraw` as it always ran: the run found by its code in the database, its whole graph loaded."""
    run_id = await run_id_for_code(session, run_code)  # an unknown code: NotFound
    try:
        return await withdraw(session, aad_object_id, run_id, now=now, policy=policy, only=only, reason=reason)
    except NoEnrolment:
        raise
    except NotFound as error:  # someone we have not met has nothing to give up
        raise NoEnrolment(str(error)) from error
