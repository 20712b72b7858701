"""What coordinators and enquirers do to an enquiry: assign, reply, close, reopen, write back.

Who may act comes from the actor's stored roles, never from anything a card sends back. An action that names
its Teams activity (``idempotency_key``) is recorded once: a redelivered one changes nothing and sends nothing.

Assign, close and reopen, the buttons coordinators press all day, are each one guarded UPDATE of the enquiry
row: it changes the row only if the actor is a coordinator, the action is not recorded yet and it applies to
the enquiry as it is (not closed already, not yours already...). The UPDATE is also the row lock, so two
coordinators pressing at once are applied one after the other: PostgreSQL checks the row's own conditions
again against the row as the first left it (its other checks see what was committed when the statement
began; a duplicate committed meanwhile has made the change already, so the state condition stops it). Only
when the guard does not hold is the enquiry read again, to say why. Such an action is five statements: the
guarded UPDATE, its event, the card's history and course titles, and the card's copies due again.

A reply and the enquirer writing back depend on more of the enquiry as it was (unassigned? closed?) and
change it whatever its state, so they lock the row first (a no-op UPDATE that returns it), check for a
redelivery, then decide.

The statements are built once, with parameters: building one costs more than running it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Row,
    Table,
    Update,
    bindparam,
    exists,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.catalogue.snapshot import CatalogueSnapshot
from classroom.coordinators import is_coordinator
from classroom.enquiries.fields import parse_reply
from classroom.enquiries.notices import queue_followup, queue_reply_to_enquirer, refresh_cards, refresh_cards_on
from classroom.enquiries.views import EnquiryView, enquiry_view, kept_view_on
from classroom.errors import ClassroomError, NotAllowed, NotFound
from classroom.people import holds_role
from classroom.transactions import on_session_connection
from storage.base import UtcDateTime
from storage.direct_statements import DirectStatement
from storage.models import Enquiry, EnquiryAction, EnquiryEvent, EnquiryStatus, Role


class AlreadyDone(ClassroomError):
    """The action does not apply to the enquiry as it is now (closed already, assigned to you already...); ``view``
    is the enquiry as it is now, read in the same transaction once the caller was known to be a coordinator."""

    def __init__(self, reason: str, view: EnquiryView) -> None:
        super().__init__(reason)
        self.view = view


@dataclass(frozen=True)
class Actor:
    """Who acts: their Entra object id (from the authenticated activity) and their display name."""

    aad_object_id: str
    name: str


@dataclass(frozen=True)
class ActionOutcome:
    view: EnquiryView
    changed: bool  # False: a redelivery of an action already recorded


_ENQUIRIES: Table = Enquiry.__table__  # type: ignore[assignment]
_EVENTS: Table = EnquiryEvent.__table__  # type: ignore[assignment]
_OPEN = _ENQUIRIES.c.status != EnquiryStatus.CLOSED
_ACTOR: BindParameter[str] = bindparam("actor")
_NOW = bindparam("now", type_=UtcDateTime())


def _guarded(values: dict[str, Any], *applies: ColumnElement[bool]) -> Update:
    """Sets ``values`` on enquiry ``enquiry_id`` and returns it, only if ``applies`` hold, the ``actor`` is a
    coordinator and has not done this already (``action_key``)."""
    not_recorded = ~exists().where(_EVENTS.c.idempotency_key == bindparam("action_key"))  # NULL: no row
    statement = update(_ENQUIRIES).where(
        _ENQUIRIES.c.id == bindparam("enquiry_id"), holds_role(_ACTOR, Role.COORDINATOR), not_recorded, *applies
    )
    return statement.values(updated_at=_NOW, **values).returning(*_ENQUIRIES.c)


_ASSIGNEE = {"assignee_aad_object_id": _ACTOR, "assignee_name": bindparam("actor_name")}
_ASSIGN = _guarded(_ASSIGNEE, _OPEN, _ENQUIRIES.c.assignee_aad_object_id.is_distinct_from(_ACTOR))
_CLOSE = _guarded({"status": EnquiryStatus.CLOSED, "closed_at": _NOW, "awaiting_since": None}, _OPEN)
_REOPEN = _guarded({"status": EnquiryStatus.AWAITING_REPLY, "closed_at": None, "awaiting_since": _NOW}, ~_OPEN)


def _lock(*which: ColumnElement[bool]) -> Update:
    """Locks the enquiry and returns it as it is (after waiting for a concurrent writer to finish)."""
    return update(_ENQUIRIES).where(*which).values(updated_at=_ENQUIRIES.c.updated_at).returning(*_ENQUIRIES.c)


_LOCK_FOR_COORDINATOR = _lock(_ENQUIRIES.c.id == bindparam("enquiry_id"), holds_role(_ACTOR, Role.COORDINATOR))
_LOCK_FOR_ENQUIRER = _lock(
    _ENQUIRIES.c.reference == bindparam("enquiry_reference"), _ENQUIRIES.c.enquirer_aad_object_id == _ACTOR
)
_RECORD = insert(_EVENTS)
_RECORD_ON = DirectStatement(_RECORD)  # a press's event, on sqlite3 directly where it can (no id needed back)


async def _apply(
    session: AsyncSession, statement: Update, actor: Actor, now: datetime, key: str | None, **which: Any
) -> Row[Any] | None:
    """The enquiry as ``statement`` left it (locked, and changed if it changes it), or None when its conditions
    did not hold (then nothing changed)."""
    parameters = _guard_parameters(actor, now, key)
    return (await (await session.connection()).execute(statement, {**parameters, **which})).one_or_none()


def _guard_parameters(actor: Actor, now: datetime, key: str | None) -> dict[str, Any]:
    return {"actor": actor.aad_object_id, "actor_name": actor.name[:200], "action_key": key, "now": now}


async def _set(session: AsyncSession, enquiry_id: int, values: dict[str, Any]) -> Row[Any]:
    """Change the enquiry this transaction has locked; returns it as changed."""
    statement = update(_ENQUIRIES).where(_ENQUIRIES.c.id == enquiry_id).values(**values).returning(*_ENQUIRIES.c)
    return (await session.execute(statement)).one()


async def _record(
    session: AsyncSession,
    enquiry_id: int,
    action: EnquiryAction,
    actor: Actor,
    now: datetime,
    text: str | None = None,
    idempotency_key: str | None = None,
) -> int:
    event = _event(enquiry_id, action, actor, now, text, idempotency_key)
    inserted = (await (await session.connection()).execute(_RECORD, event)).inserted_primary_key
    return int(inserted[0])  # type: ignore[index]


def _event(
    enquiry_id: int, action: EnquiryAction, actor: Actor, now: datetime, text: str | None, idempotency_key: str | None
) -> dict[str, Any]:
    return {
        "enquiry_id": enquiry_id,
        "action": action,
        "actor_aad_object_id": actor.aad_object_id,
        "actor_name": actor.name[:200],
        "text": text,
        "idempotency_key": idempotency_key,
        "at": now,
    }


async def _changed(
    session: AsyncSession, enquiry: Row[Any], now: datetime, catalogue: CatalogueSnapshot | None = None
) -> ActionOutcome:
    view = await enquiry_view(session, enquiry, catalogue)
    await refresh_cards(session, view, now=now)  # every copy the coordinators have shows the change
    return ActionOutcome(view, True)


async def _seen(session: AsyncSession, idempotency_key: str | None) -> bool:
    if idempotency_key is None:
        return False
    return (
        await session.scalar(select(EnquiryEvent.id).where(EnquiryEvent.idempotency_key == idempotency_key)) is not None
    )


Refusal = Callable[[AsyncSession, Row[Any]], Awaitable[str]]
Claim = Callable[[Connection], None]


async def _refused(
    session: AsyncSession, enquiry_id: int, actor: Actor, idempotency_key: str | None, reason: Refusal
) -> ActionOutcome:
    """Why a coordinator's guarded update did not hold; a redelivered action shows the enquiry unchanged."""
    if not await is_coordinator(session, actor.aad_object_id):
        raise NotAllowed("only coordinators can act on enquiries")
    enquiry = (await session.execute(select(_ENQUIRIES).where(_ENQUIRIES.c.id == enquiry_id))).one_or_none()
    if enquiry is None:
        raise NotFound(f"no enquiry {enquiry_id}")
    if await _seen(session, idempotency_key):
        return ActionOutcome(await enquiry_view(session, enquiry), False)
    raise AlreadyDone(await reason(session, enquiry), await enquiry_view(session, enquiry))


def _closed_notice(enquiry: Row[Any]) -> str:
    return f"{enquiry.reference} is closed; reopen it first"


async def _not_assignable(_session: AsyncSession, enquiry: Row[Any]) -> str:
    if enquiry.status is EnquiryStatus.CLOSED:
        return _closed_notice(enquiry)
    return f"{enquiry.reference} is already assigned to you"


async def _not_open(_session: AsyncSession, enquiry: Row[Any]) -> str:
    return _closed_notice(enquiry)


async def _closed_already(session: AsyncSession, enquiry: Row[Any]) -> str:
    who = await _last_actor(session, enquiry.id, EnquiryAction.CLOSED)
    return f"{enquiry.reference} was already closed{f' by {who}' if who else ''}"


async def _open_already(_session: AsyncSession, enquiry: Row[Any]) -> str:
    return f"{enquiry.reference} is open already"


class NeedsSession(Exception):
    """:meth:`CoordinatorAction.at_once` could not finish the press in one step (the guard did not hold, or the card
    needs the database's catalogue): nothing it did is kept (the exception rolls its transaction back); run the
    action with a session instead."""


@dataclass(frozen=True)
class _Change:
    """A coordinator's button with nothing to add (assign_to_self, close, reopen): a :class:`CoordinatorAction`."""

    statement: DirectStatement  # a guarded UPDATE (see ``_guarded``), its rows named as the enquiry's columns
    action: EnquiryAction  # the event it records
    refusal: Refusal  # why it did not apply, when it did not

    async def __call__(
        self,
        session: AsyncSession,
        enquiry_id: int,
        actor: Actor,
        *,
        now: datetime,
        idempotency_key: str | None = None,
        catalogue: CatalogueSnapshot | None = None,
        claim: Claim | None = None,
    ) -> ActionOutcome:
        done = await on_session_connection(
            session, lambda connection: self._on(connection, enquiry_id, actor, now, idempotency_key, catalogue, claim)
        )
        if isinstance(done, ActionOutcome):
            return done  # claimed there
        if done is None:
            outcome = await _refused(session, enquiry_id, actor, idempotency_key, self.refusal)
        else:
            outcome = await _changed(session, done, now, catalogue)  # the kept catalogue is not the database's
        if claim is not None:
            await session.run_sync(lambda synchronous: claim(synchronous.connection()))
        return outcome

    def at_once(
        self,
        connection: Connection,
        enquiry_id: int,
        actor: Actor,
        *,
        now: datetime,
        idempotency_key: str | None = None,
        catalogue: CatalogueSnapshot | None = None,
        claim: Claim | None = None,
    ) -> ActionOutcome:
        done = self._on(connection, enquiry_id, actor, now, idempotency_key, catalogue, claim)
        if not isinstance(done, ActionOutcome):
            raise NeedsSession(self.action)
        return done

    def _on(
        self,
        connection: Connection,
        enquiry_id: int,
        actor: Actor,
        now: datetime,
        idempotency_key: str | None,
        catalogue: CatalogueSnapshot | None,
        claim: Claim | None,
    ) -> ActionOutcome | Any | None:
        """The change from synchronous code, the same statements in the same order on the transaction's connection:
        one hand-over to the driver for a press instead of one per statement. None: the guard did not hold (nothing
        changed); the enquiry's row: changed and recorded, but the catalogue this process keeps is not the
        database's, so the card is left to :func:`_changed`."""
        parameters = {**_guard_parameters(actor, now, idempotency_key), "enquiry_id": enquiry_id}
        applied = self.statement.execute(connection, parameters).rows  # the row by its id, or none
        if not applied:
            return None
        enquiry = applied[0]
        _RECORD_ON.execute(connection, _event(enquiry.id, self.action, actor, now, None, idempotency_key))
        view = kept_view_on(connection, enquiry, catalogue)
        if view is None:
            return enquiry
        refresh_cards_on(connection, view, now=now)  # every copy the coordinators have shows the change
        if claim is not None:
            claim(connection)
        return ActionOutcome(view, True)


class CoordinatorAction(Protocol):
    """assign_to_self, close, reopen: a coordinator's button with nothing to add. ``catalogue``: this process's
    copy of the catalogue, for the card's course titles (else they are read). ``claim``: called last, on the
    transaction's connection, when the action applied or was a redelivery (never for a refusal): the claim of the
    press's activity (``ActivityReceipts.require_claim_on``), in the step of the action's own statements."""

    async def __call__(
        self,
        session: AsyncSession,
        enquiry_id: int,
        actor: Actor,
        *,
        now: datetime,
        idempotency_key: str | None = None,
        catalogue: CatalogueSnapshot | None = None,
        claim: Claim | None = None,
    ) -> ActionOutcome: ...

    def at_once(
        self,
        connection: Connection,
        enquiry_id: int,
        actor: Actor,
        *,
        now: datetime,
        idempotency_key: str | None = None,
        catalogue: CatalogueSnapshot | None = None,
        claim: Claim | None = None,
    ) -> ActionOutcome:
        """The press whole on ``connection``, in the work of ``classroom.transactions.in_transaction_on``: no ORM
        session, its statements, the claim and the commit in one hand-over to the driver. The usual press only (it
        applied, and the card's course titles are in ``catalogue``); otherwise raises :class:`NeedsSession`."""
        ...


assign_to_self: CoordinatorAction = _Change(
    DirectStatement(_ASSIGN, named=True), EnquiryAction.ASSIGNED, _not_assignable
)
close: CoordinatorAction = _Change(DirectStatement(_CLOSE, named=True), EnquiryAction.CLOSED, _closed_already)
reopen: CoordinatorAction = _Change(DirectStatement(_REOPEN, named=True), EnquiryAction.REOPENED, _open_already)


async def reply(
    session: AsyncSession,
    enquiry_id: int,
    actor: Actor,
    text: str,
    *,
    now: datetime,
    idempotency_key: str | None = None,
) -> ActionOutcome:
    """Record a coordinator's reply and queue it to the enquirer; an unassigned enquiry becomes theirs."""
    enquiry = await _apply(session, _LOCK_FOR_COORDINATOR, actor, now, idempotency_key, enquiry_id=enquiry_id)
    if enquiry is None:
        return await _refused(session, enquiry_id, actor, idempotency_key, _not_open)
    if await _seen(session, idempotency_key):
        return ActionOutcome(await enquiry_view(session, enquiry), False)
    if enquiry.status is EnquiryStatus.CLOSED:
        raise AlreadyDone(_closed_notice(enquiry), await enquiry_view(session, enquiry))
    text = parse_reply(text)
    unassigned = enquiry.assignee_aad_object_id is None
    answered: dict[str, Any] = {"status": EnquiryStatus.ANSWERED, "awaiting_since": None, "updated_at": now}
    if unassigned:
        answered.update(assignee_aad_object_id=actor.aad_object_id, assignee_name=actor.name[:200])
    enquiry = await _set(session, enquiry.id, answered)
    if unassigned:
        await _record(session, enquiry.id, EnquiryAction.ASSIGNED, actor, now)
    event_id = await _record(session, enquiry.id, EnquiryAction.REPLIED, actor, now, text, idempotency_key)
    outcome = await _changed(session, enquiry, now)
    await queue_reply_to_enquirer(
        session,
        outcome.view,
        recipient=enquiry.enquirer_aad_object_id,
        event_id=event_id,
        from_name=actor.name,
        text=text,
        at=now,
    )
    return outcome


async def enquirer_writes(
    session: AsyncSession,
    reference: str,
    enquirer: Actor,
    text: str,
    *,
    now: datetime,
    idempotency_key: str | None = None,
) -> ActionOutcome:
    """The enquirer answers back: added to the enquiry's history (reopening it if closed), coordinators told.

    Raises:
        NotFound: no such enquiry of this enquirer (someone else's looks the same as none, on purpose).
    """
    enquiry = await _apply(session, _LOCK_FOR_ENQUIRER, enquirer, now, None, enquiry_reference=reference)
    if enquiry is None:
        raise NotFound(f"you have no enquiry {reference}")
    if await _seen(session, idempotency_key):
        return ActionOutcome(await enquiry_view(session, enquiry), False)
    text = parse_reply(text)
    reopened = enquiry.status is EnquiryStatus.CLOSED
    waiting: dict[str, Any] = {"status": EnquiryStatus.AWAITING_REPLY, "closed_at": None, "updated_at": now}
    if enquiry.status is not EnquiryStatus.AWAITING_REPLY or enquiry.awaiting_since is None:
        waiting["awaiting_since"] = now  # waiting for us from now (if it already was, since then)
    enquiry = await _set(session, enquiry.id, waiting)
    if reopened:
        await _record(session, enquiry.id, EnquiryAction.REOPENED, enquirer, now)
    event_id = await _record(session, enquiry.id, EnquiryAction.ENQUIRER_REPLIED, enquirer, now, text, idempotency_key)
    outcome = await _changed(session, enquiry, now)
    await queue_followup(session, outcome.view, event_id=event_id, text=text, at=now, reopened=reopened)
    return outcome


async def _last_actor(session: AsyncSession, enquiry_id: int, action: EnquiryAction) -> str | None:
    return await session.scalar(
        select(EnquiryEvent.actor_name)
        .where(EnquiryEvent.enquiry_id == enquiry_id, EnquiryEvent.action == action)
        .order_by(EnquiryEvent.id.desc())
        .limit(1)
    )
