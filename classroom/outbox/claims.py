"""The dispatcher's side of the outbox table: claim due rows under a lease, record each outcome.

Claiming flips due rows to ``sending`` with an UPDATE that re-checks they are still claimable. On PostgreSQL
the chosen rows are first locked ``FOR UPDATE SKIP LOCKED``, so several replicas never claim the same row and
never wait for each other; on SQLite the single UPDATE runs under the one writer lock, so it is atomic.
A claim takes at most ``per_target`` rows of one conversation (counting those this process already holds)
and none of a conversation another live process is sending to, so one busy chat cannot fill the pipeline and
two replicas do not split one chat's rate budget. Rows whose lease expired (their process died) are claimed
again like due ones.

Every outcome is written only while our lease on that claim still holds (same owner, same attempt number):
a process that lost its lease cannot overwrite the result of the one that reclaimed the row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Select, Update, and_, bindparam, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from classroom.conversations import forget_conversation
from storage.models import NotificationStatus, OutboxNotification

Row = OutboxNotification
PENDING, SENDING = NotificationStatus.PENDING, NotificationStatus.SENDING


# Outcomes are written only while our claim holds: same row, still sending, our owner id, our attempt.
_OURS = and_(
    Row.id == bindparam("b_id"),
    Row.status == SENDING,
    Row.lease_owner == bindparam("b_owner"),
    Row.attempts == bindparam("b_attempt"),
)


def _while_ours(**values: Any) -> Any:
    """An outcome's UPDATE, applied only while our claim holds."""
    return update(Row).where(_OURS).values(**values).execution_options(synchronize_session=False)


# Built once: these run for every notification, and building SQLAlchemy expressions is not free.
# New content that arrived during the send (``changed_while_sending``) makes the row due again at once, to
# replace what was just sent, or at the later time the change asked for (``replace_copies(not_before=...)``
# keeps it in ``due_at`` meanwhile: a live card's updates stay spaced); its tries start afresh.
_CHANGED = Row.changed_while_sending.is_(True)
_DUE_AGAIN = case((Row.due_at > bindparam("b_now"), Row.due_at), else_=bindparam("b_now"))
_MARK_SENT = _while_ours(
    status=case((_CHANGED, PENDING), else_=NotificationStatus.SENT),
    due_at=case((_CHANGED, _DUE_AGAIN), else_=Row.due_at),
    next_attempt_at=case((_CHANGED, _DUE_AGAIN), else_=Row.next_attempt_at),
    superseded_attempts=case((_CHANGED, Row.attempts), else_=Row.superseded_attempts),
    changed_while_sending=False,
    lease_owner=case((_CHANGED, None), else_=Row.lease_owner),
    sent_at=bindparam("b_now"),
    activity_id=bindparam("b_activity_id"),
    sent_conversation_id=bindparam("b_conversation_id"),
    last_error=None,
    lease_expires_at=None,
    updated_at=bindparam("b_now"),
)
_MARK_RETRY = _while_ours(
    status=PENDING,
    next_attempt_at=bindparam("b_next"),
    last_error=bindparam("b_error"),
    lease_owner=None,
    lease_expires_at=None,
    updated_at=bindparam("b_now"),
)
_MARK_FAILED = _while_ours(
    status=bindparam("b_status"),
    last_error=bindparam("b_error"),
    lease_expires_at=None,
    updated_at=bindparam("b_now"),
)
_RELEASE = _while_ours(
    status=PENDING,
    attempts=Row.attempts - 1,
    lease_owner=None,
    lease_expires_at=None,
    updated_at=bindparam("b_now"),
)


# Claiming, built once too: the dispatcher claims many times a second under load. Parameters: b_now, b_owner,
# b_per_target, b_limit, b_lease_expires, and b_ids for PostgreSQL's lock-then-update form.
_OUTBOX = OutboxNotification.__table__.c
_NOW: BindParameter[datetime] = bindparam("b_now")
_CLAIMABLE = or_(
    and_(_OUTBOX.status == PENDING, _OUTBOX.next_attempt_at <= _NOW),
    and_(_OUTBOX.status == SENDING, _OUTBOX.lease_expires_at <= _NOW),
)


def _candidates() -> Select[tuple[int]]:
    """The ids to claim: due, within each conversation's share, not being sent by another process."""
    live = and_(_OUTBOX.status == SENDING, _OUTBOX.lease_expires_at > _NOW)
    target = (_OUTBOX.conversation_key, _OUTBOX.recipient_aad_object_id)
    ranked = (
        select(
            _OUTBOX.id,
            _OUTBOX.due_at,
            case((_CLAIMABLE, 1), else_=0).label("claimable"),
            # Held rows rank first, so they count against the per-conversation share.
            func.row_number()
            .over(partition_by=target, order_by=(case((live, 0), else_=1), _OUTBOX.due_at, _OUTBOX.id))
            .label("rank"),
            func.max(case((and_(live, _OUTBOX.lease_owner != bindparam("b_owner")), 1), else_=0))
            .over(partition_by=target)
            .label("busy_elsewhere"),
        )
        .where(or_(and_(_OUTBOX.status == PENDING, _OUTBOX.next_attempt_at <= _NOW), _OUTBOX.status == SENDING))
        .subquery()
    )
    return (
        select(ranked.c.id)
        .where(ranked.c.claimable == 1, ranked.c.rank <= bindparam("b_per_target"), ranked.c.busy_elsewhere == 0)
        .order_by(ranked.c.due_at, ranked.c.id)  # longest-waiting first, retries included
        .limit(bindparam("b_limit"))
    )


def _claim(chosen: ColumnElement[bool]) -> Update:
    return (
        update(OutboxNotification.__table__)  # type: ignore[arg-type]
        .where(chosen, _CLAIMABLE)  # re-checked: a row taken meanwhile is not returned
        .values(
            status=SENDING,
            lease_owner=bindparam("b_owner"),
            lease_expires_at=bindparam("b_lease_expires"),
            attempts=_OUTBOX.attempts + 1,
            changed_while_sending=False,  # this claim takes the newest content
            updated_at=_NOW,
        )
        .returning(
            _OUTBOX.id,
            _OUTBOX.kind,
            _OUTBOX.dedupe_key,
            _OUTBOX.conversation_key,
            _OUTBOX.recipient_aad_object_id,
            _OUTBOX.payload,
            _OUTBOX.attempts,
            _OUTBOX.due_at,
            _OUTBOX.activity_id,
            _OUTBOX.sent_conversation_id,
            _OUTBOX.superseded_attempts,
            _OUTBOX.expires_at,
        )
    )


_CANDIDATES = _candidates()
_CHOSEN_IDS = _OUTBOX.id.in_(bindparam("b_ids", expanding=True))
_LOCK_CHOSEN = select(_OUTBOX.id).where(_CHOSEN_IDS, _CLAIMABLE).with_for_update(skip_locked=True)
_CLAIM_CHOSEN = _claim(_CHOSEN_IDS)  # PostgreSQL: the ids chosen and locked first
_CLAIM_CANDIDATES = _claim(_OUTBOX.id.in_(_CANDIDATES.scalar_subquery()))  # SQLite: one statement
_NEXT_PENDING = select(func.min(_OUTBOX.next_attempt_at)).where(_OUTBOX.status == PENDING)
_NEXT_FOREIGN_EXPIRY = select(func.min(_OUTBOX.lease_expires_at)).where(
    _OUTBOX.status == SENDING, _OUTBOX.lease_owner != bindparam("b_owner")
)


@dataclass(frozen=True)
class ClaimedNotification:
    id: int
    kind: str
    dedupe_key: str
    conversation_key: str | None
    recipient: str | None
    payload: dict[str, Any]
    attempt: int  # 1-based number of this attempt; with our owner id, the token of this claim
    due_at: datetime
    # Set when Teams already has this message (an earlier version was sent): the attempt replaces it.
    activity_id: str | None = None
    sent_conversation_id: str | None = None
    superseded_attempts: int = 0  # attempts spent on earlier content
    expires_at: datetime | None = None  # after this it is not sent at all

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    @property
    def tries(self) -> int:
        """1-based number of this try of the current content (what the retry policy counts)."""
        return self.attempt - self.superseded_attempts

    @property
    def replaces_sent_message(self) -> bool:
        return bool(self.activity_id and self.sent_conversation_id)

    @property
    def target_key(self) -> str:
        return self.conversation_key if self.conversation_key is not None else f"person:{self.recipient}"


@dataclass(frozen=True)
class Outcome:
    """What became of one attempt: sent, due again later (PENDING), DEAD or UNDELIVERABLE."""

    claim: ClaimedNotification
    status: NotificationStatus
    now: datetime
    reason: str | None = None
    next_attempt_at: datetime | None = None  # PENDING only
    activity_id: str | None = None  # SENT only
    conversation_id: str | None = None  # SENT only: where it went
    forget_conversation_id: str | None = None  # UNDELIVERABLE: the stored chat the bot was removed from


class OutboxStore:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        owner: str,
        *,
        lease: timedelta = timedelta(seconds=60),
        per_target: int = 8,
    ) -> None:
        self._session_factory = session_factory
        self.owner = owner
        self.lease = lease
        self.per_target = per_target

    async def claim(self, now: datetime, limit: int) -> list[ClaimedNotification]:
        """Claim up to ``limit`` due rows for this process, under a lease.

        PostgreSQL: choose, lock (``SKIP LOCKED``), then update, as separate statements; its generic plan for
        the nested form re-ran the window query for every row (seconds at a thousand rows). SQLite: one
        UPDATE with the choice as a subquery, atomic under the single writer lock (a read first and a write
        later in one SQLite transaction can fail outright when another writer commits in between).
        """
        if limit <= 0:
            return []
        parameters: dict[str, Any] = {
            "b_now": now,
            "b_owner": self.owner,
            "b_per_target": self.per_target,
            "b_limit": limit,
            "b_lease_expires": now + self.lease,
        }
        async with self._session_factory.begin() as session:
            if session.get_bind().dialect.name == "postgresql":
                ids = list((await session.execute(_CANDIDATES, parameters)).scalars())
                if ids:
                    # Rows another replica is claiming right now are skipped, not waited for.
                    ids = list((await session.execute(_LOCK_CHOSEN, {**parameters, "b_ids": ids})).scalars())
                if not ids:
                    return []
                rows = (await session.execute(_CLAIM_CHOSEN, {**parameters, "b_ids": ids})).all()
            else:
                rows = (await session.execute(_CLAIM_CANDIDATES, parameters)).all()
        claimed = [ClaimedNotification(*row) for row in rows]
        claimed.sort(key=lambda c: c.id)  # RETURNING order is unspecified; keep each chat's messages in order
        return claimed

    async def record(self, outcomes: Sequence[Outcome]) -> list[bool]:
        """Write outcomes in one transaction (group commit); per outcome, False when its lease was lost."""
        recorded: list[bool] = []
        async with self._session_factory.begin() as session:
            for outcome in outcomes:
                statement, values = self._outcome_statement(outcome)
                result = await session.execute(statement, values)
                ours = bool(result.rowcount)  # type: ignore[attr-defined]
                if ours and outcome.forget_conversation_id:
                    await forget_conversation(session, outcome.forget_conversation_id)
                recorded.append(ours)
        return recorded

    def _outcome_statement(self, outcome: Outcome) -> tuple[Any, dict[str, Any]]:
        claim = outcome.claim
        values: dict[str, Any] = {
            "b_id": claim.id,
            "b_owner": self.owner,
            "b_attempt": claim.attempt,
            "b_now": outcome.now,
        }
        if outcome.status is NotificationStatus.SENT:
            values.update(b_activity_id=outcome.activity_id, b_conversation_id=outcome.conversation_id)
            return _MARK_SENT, values
        values["b_error"] = (outcome.reason or "")[:2000]
        if outcome.status is PENDING:
            values["b_next"] = outcome.next_attempt_at
            return _MARK_RETRY, values
        values["b_status"] = outcome.status
        return _MARK_FAILED, values

    async def release(self, claims: list[ClaimedNotification], now: datetime) -> int:
        """Hand back rows we claimed but never sent (shutting down): due again, the attempt not counted."""
        released = 0
        async with self._session_factory.begin() as session:
            for claim in claims:
                result = await session.execute(
                    _RELEASE,
                    {
                        "b_id": claim.id,
                        "b_owner": self.owner,
                        "b_attempt": claim.attempt,
                        "b_now": now,
                    },
                )
                released += result.rowcount  # type: ignore[attr-defined]
        return released

    async def extend_leases(self, claims: list[ClaimedNotification], now: datetime) -> int:
        """Keep the rows we still hold (some wait long for a busy chat's rate limit) from being reclaimed."""
        if not claims:
            return 0
        async with self._session_factory.begin() as session:
            result = await session.execute(
                update(Row)
                .where(Row.id.in_([c.id for c in claims]), Row.status == SENDING, Row.lease_owner == self.owner)
                .values(lease_expires_at=now + self.lease)
                .execution_options(synchronize_session=False)
            )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def next_due(self) -> datetime | None:
        """The earliest moment a claim could find something: a row falling due, or a foreign lease expiring."""
        async with self._session_factory() as session:
            due = await session.scalar(_NEXT_PENDING)
            expiring = await session.scalar(_NEXT_FOREIGN_EXPIRY, {"b_owner": self.owner})
        return min((t for t in (due, expiring) if t is not None), default=None)

    async def recent_sends(self, since: datetime) -> list[tuple[str, datetime]]:
        """``(conversation id, sent at)`` of every delivery since ``since`` (to seed a new rate limiter)."""
        async with self._session_factory() as session:
            rows = await session.execute(
                select(Row.sent_conversation_id, Row.sent_at).where(
                    Row.status == NotificationStatus.SENT, Row.sent_at >= since, Row.sent_conversation_id.is_not(None)
                )
            )
            return [(key, sent_at) for key, sent_at in rows.all() if key is not None and sent_at is not None]

    async def unfinished(self) -> int:
        """Rows still pending or being sent, by anyone (for tools that run until the outbox is drained)."""
        async with self._session_factory() as session:
            return int(
                await session.scalar(select(func.count()).select_from(Row).where(Row.status.in_([PENDING, SENDING])))
                or 0
            )
