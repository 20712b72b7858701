"""What coordinators and enquirers do to an enquiry: assign, reply, close, reopen, write back.

Coordinator actions are allowed by the actor's stored roles only (never by anything a card sends back).
Each action locks the enquiry row first (an UPDATE, which is a row lock on PostgreSQL and the writer lock on
SQLite), so two coordinators pressing buttons at once are applied one after the other and the second sees
the first's result. An action that names its Teams activity (``idempotency_key``) is recorded once: a
redelivered reply is neither stored nor sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.coordinators import is_coordinator
from classroom.enquiries.fields import parse_reply
from classroom.enquiries.notifications import queue_followup, queue_reply_to_enquirer, refresh_cards
from classroom.enquiries.views import EnquiryView, enquiry_view
from classroom.errors import ClassroomError, NotAllowed, NotFound
from storage.models import Enquiry, EnquiryAction, EnquiryEvent, EnquiryStatus


class AlreadyDone(ClassroomError):
    """The action does not apply to the enquiry as it is now (closed already, assigned to you already...)."""


@dataclass(frozen=True)
class Actor:
    """Who acts: their Entra object id (from the authenticated activity) and their display name."""

    aad_object_id: str
    name: str


@dataclass(frozen=True)
class ActionOutcome:
    view: EnquiryView
    changed: bool  # False: a redelivery of an action already recorded


async def _lock(session: AsyncSession, enquiry_id: int) -> Enquiry:
    # A no-op UPDATE takes the lock before anything is read, on both backends.
    result = await session.execute(
        update(Enquiry)
        .where(Enquiry.id == enquiry_id)
        .values(updated_at=Enquiry.updated_at)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound(f"no enquiry {enquiry_id}")
    enquiry = await session.get(Enquiry, enquiry_id, populate_existing=True)
    assert enquiry is not None  # noqa: S101 - just locked
    return enquiry


async def _seen(session: AsyncSession, idempotency_key: str | None) -> bool:
    if idempotency_key is None:
        return False
    return (
        await session.scalar(select(EnquiryEvent.id).where(EnquiryEvent.idempotency_key == idempotency_key)) is not None
    )


async def _coordinator_lock(
    session: AsyncSession, enquiry_id: int, actor: Actor, idempotency_key: str | None
) -> tuple[Enquiry, bool]:
    if not await is_coordinator(session, actor.aad_object_id):
        raise NotAllowed("only coordinators can act on enquiries")
    enquiry = await _lock(session, enquiry_id)
    return enquiry, await _seen(session, idempotency_key)


def _record(
    session: AsyncSession,
    enquiry: Enquiry,
    action: EnquiryAction,
    actor: Actor,
    now: datetime,
    text: str | None = None,
    idempotency_key: str | None = None,
) -> EnquiryEvent:
    event = EnquiryEvent(
        enquiry_id=enquiry.id,
        action=action,
        actor_aad_object_id=actor.aad_object_id,
        actor_name=actor.name[:200],
        text=text,
        idempotency_key=idempotency_key,
        at=now,
    )
    session.add(event)
    enquiry.updated_at = now
    return event


async def _finish(session: AsyncSession, enquiry: Enquiry, changed: bool, now: datetime) -> ActionOutcome:
    await session.flush()
    view = await enquiry_view(session, enquiry)
    if changed:
        await refresh_cards(session, view, now=now)  # every copy the coordinators have shows the change
    return ActionOutcome(view, changed)


def _assign(session: AsyncSession, enquiry: Enquiry, actor: Actor, now: datetime, key: str | None = None) -> None:
    enquiry.assignee_aad_object_id = actor.aad_object_id
    enquiry.assignee_name = actor.name[:200]
    _record(session, enquiry, EnquiryAction.ASSIGNED, actor, now, idempotency_key=key)


def _closed_notice(enquiry: Enquiry) -> str:
    return f"{enquiry.reference} is closed; reopen it first"


async def assign_to_self(
    session: AsyncSession, enquiry_id: int, actor: Actor, *, now: datetime, idempotency_key: str | None = None
) -> ActionOutcome:
    enquiry, seen = await _coordinator_lock(session, enquiry_id, actor, idempotency_key)
    if seen:
        return await _finish(session, enquiry, False, now)
    if enquiry.status is EnquiryStatus.CLOSED:
        raise AlreadyDone(_closed_notice(enquiry))
    if enquiry.assignee_aad_object_id == actor.aad_object_id:
        raise AlreadyDone(f"{enquiry.reference} is already assigned to you")
    _assign(session, enquiry, actor, now, idempotency_key)
    return await _finish(session, enquiry, True, now)


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
    enquiry, seen = await _coordinator_lock(session, enquiry_id, actor, idempotency_key)
    if seen:
        return await _finish(session, enquiry, False, now)
    if enquiry.status is EnquiryStatus.CLOSED:
        raise AlreadyDone(_closed_notice(enquiry))
    text = parse_reply(text)
    if enquiry.assignee_aad_object_id is None:
        _assign(session, enquiry, actor, now)
    event = _record(session, enquiry, EnquiryAction.REPLIED, actor, now, text, idempotency_key)
    enquiry.status = EnquiryStatus.ANSWERED
    enquiry.awaiting_since = None
    outcome = await _finish(session, enquiry, True, now)
    await queue_reply_to_enquirer(
        session,
        outcome.view,
        recipient=enquiry.enquirer_aad_object_id,
        event_id=event.id,
        from_name=actor.name,
        text=text,
        at=now,
    )
    return outcome


async def close(
    session: AsyncSession, enquiry_id: int, actor: Actor, *, now: datetime, idempotency_key: str | None = None
) -> ActionOutcome:
    enquiry, seen = await _coordinator_lock(session, enquiry_id, actor, idempotency_key)
    if seen:
        return await _finish(session, enquiry, False, now)
    if enquiry.status is EnquiryStatus.CLOSED:
        who = await _last_actor(session, enquiry, EnquiryAction.CLOSED)
        raise AlreadyDone(f"{enquiry.reference} was already closed{f' by {who}' if who else ''}")
    enquiry.status = EnquiryStatus.CLOSED
    enquiry.closed_at = now
    enquiry.awaiting_since = None
    _record(session, enquiry, EnquiryAction.CLOSED, actor, now, idempotency_key=idempotency_key)
    return await _finish(session, enquiry, True, now)


async def reopen(
    session: AsyncSession, enquiry_id: int, actor: Actor, *, now: datetime, idempotency_key: str | None = None
) -> ActionOutcome:
    enquiry, seen = await _coordinator_lock(session, enquiry_id, actor, idempotency_key)
    if seen:
        return await _finish(session, enquiry, False, now)
    if enquiry.status is not EnquiryStatus.CLOSED:
        raise AlreadyDone(f"{enquiry.reference} is open already")
    _reopen(enquiry, now)
    _record(session, enquiry, EnquiryAction.REOPENED, actor, now, idempotency_key=idempotency_key)
    return await _finish(session, enquiry, True, now)


def _reopen(enquiry: Enquiry, now: datetime) -> None:
    enquiry.status = EnquiryStatus.AWAITING_REPLY
    enquiry.closed_at = None
    enquiry.awaiting_since = now


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
    enquiry_id = await session.scalar(
        select(Enquiry.id).where(
            Enquiry.reference == reference, Enquiry.enquirer_aad_object_id == enquirer.aad_object_id
        )
    )
    if enquiry_id is None:
        raise NotFound(f"you have no enquiry {reference}")
    enquiry = await _lock(session, enquiry_id)
    if await _seen(session, idempotency_key):
        return await _finish(session, enquiry, False, now)
    text = parse_reply(text)
    reopened = enquiry.status is EnquiryStatus.CLOSED
    if reopened:
        _reopen(enquiry, now)
        _record(session, enquiry, EnquiryAction.REOPENED, enquirer, now)
    event = _record(session, enquiry, EnquiryAction.ENQUIRER_REPLIED, enquirer, now, text, idempotency_key)
    if enquiry.status is not EnquiryStatus.AWAITING_REPLY or enquiry.awaiting_since is None:
        enquiry.status = EnquiryStatus.AWAITING_REPLY
        enquiry.awaiting_since = now
    outcome = await _finish(session, enquiry, True, now)
    await queue_followup(session, outcome.view, event_id=event.id, text=text, at=now, reopened=reopened)
    return outcome


async def _last_actor(session: AsyncSession, enquiry: Enquiry, action: EnquiryAction) -> str | None:
    return await session.scalar(
        select(EnquiryEvent.actor_name)
        .where(EnquiryEvent.enquiry_id == enquiry.id, EnquiryEvent.action == action)
        .order_by(EnquiryEvent.id.desc())
        .limit(1)
    )
