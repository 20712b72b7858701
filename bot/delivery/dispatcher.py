"""The outbox dispatcher: claims due notifications, renders, rate-limits, sends and records each one.

One background task claims rows (when woken: by an enqueue that committed, by the scheduler's tick, by a
retry falling due, or by freed capacity), resolves where the batch goes in a few queries, and hands the rows
to one lane per conversation, so a chat receives its messages in order and one slow chat never holds up the
others. A lane renders a row, waits for the rate limiter, sends through the connector and records the outcome
(group-committed with other lanes') while its lease holds. A heartbeat keeps the leases of held rows alive;
rows of a process that died are reclaimed by any dispatcher once their lease expires, so a row in flight at a
crash may be delivered twice, and nothing is lost.

Where a row goes is always read from the database, never from what this process remembers: a person may install
the app (a chat of their own) after the dispatcher opened one for them. Every failed attempt is logged, one line
with the notification, its target and the reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import os
import random
import socket
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.connector import ConnectorResponse
from bot.delivery.connector import ProactiveConnector
from bot.delivery.outcome_writer import OutcomeWriter
from bot.delivery.rate_limiter import RateLimiter
from bot.delivery.renderers import RendererRegistry, RenderError
from bot.delivery.retry_policy import Decision, RetryPolicy, Verdict
from bot.delivery.targets import (
    CREATE_CONVERSATION_KEY,
    Resolution,
    Target,
    Unreachable,
    address,
    create_conversation_parameters,
    remember_created_conversation,
    resolve_targets,
)
from classroom.clock import Clock, SystemClock
from classroom.outbox.claims import ClaimedNotification, OutboxStore, Outcome
from classroom.transactions import in_transaction
from storage.models import NotificationStatus

log = logging.getLogger(__name__)

SEED_WINDOW = timedelta(seconds=35)  # covers Teams' 1, 2 and 30 second windows
MAX_ACTIVITY_BYTES = 80_000  # Teams takes about 100 KB per message; stay well under
T = TypeVar("T")


def default_owner() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class DispatcherConfig:
    max_in_flight: int = 64  # rows held by this process at once
    per_conversation: int = 8  # rows of one chat held at once (Teams lets ~7 a second through)
    lease: timedelta = timedelta(seconds=60)
    min_idle: float = 0.5  # shortest pause between claims when rows are due but not claimable yet
    # A wake within this long of the last claim waits until the gap has passed: a burst of commits that queue
    # rows (a card action each, hundreds a second) costs one claim per gap, not one each.
    claim_gap: float = 0.02
    max_idle: float = 30.0  # longest sleep without a wake-up (the scheduler's tick usually comes first)
    stop_grace: float = 10.0  # how long stop() lets sends already on the wire finish


@dataclass
class DispatcherStats:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0
    undeliverable: int = 0
    lost_leases: int = 0  # outcomes not recorded because another process had reclaimed the row
    created_conversations: int = 0
    throttled: int = 0  # 429 answers seen
    by_status: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Job:
    claim: ClaimedNotification
    target: Resolution


class OutboxDispatcher:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        connector: ProactiveConnector,
        renderers: RendererRegistry,
        limiter: RateLimiter,
        *,
        clock: Clock | None = None,
        policy: RetryPolicy | None = None,
        config: DispatcherConfig | None = None,
        owner: str | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config or DispatcherConfig()
        self.store = OutboxStore(
            session_factory,
            owner or default_owner(),
            lease=self.config.lease,
            per_target=self.config.per_conversation,
        )
        self._session_factory = session_factory
        self._connector = connector
        self._renderers = renderers
        self._limiter = limiter
        self._clock = clock or SystemClock()
        self._policy = policy or RetryPolicy()
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not secrets
        self._writer = OutcomeWriter(self.store)
        self.stats = DispatcherStats()
        self._wake = asyncio.Event()
        self._held: dict[int, ClaimedNotification] = {}
        self._lanes: dict[str, deque[_Job]] = {}
        self._lane_tasks: dict[str, asyncio.Task[None]] = {}
        self._gone: set[str] = set()  # chats found uninstalled since their rows were claimed
        self._busy_chats: set[str] = set()  # lanes claimed up to their share
        self._on_wire: set[asyncio.Task[Any]] = set()
        self._main: asyncio.Task[None] | None = None
        self._heartbeat: asyncio.Task[None] | None = None
        self._stopping = False
        self._outcomes = asyncio.Condition()
        self.outcome_count = 0  # outcomes this dispatcher recorded (sent, retry, dead, undeliverable)

    @property
    def owner(self) -> str:
        return self.store.owner

    @property
    def running(self) -> bool:
        return self._main is not None and not self._main.done()

    def wake(self) -> None:
        """Look for due rows now (after an enqueue committed, on the scheduler's tick). Safe to call often."""
        self._wake.set()

    async def wait_for_outcome(self, after: int) -> None:
        """Resolve once this dispatcher has recorded more than ``after`` outcomes (see ``outcome_count``)."""
        async with self._outcomes:
            await self._outcomes.wait_for(lambda: self.outcome_count > after)

    async def drained(self) -> None:
        """Resolve once no row is pending or being sent. Other processes' outcomes do not wake this."""
        while True:
            seen = self.outcome_count
            if not self._held and not await self.store.unfinished():
                return
            await self.wait_for_outcome(seen)

    async def start(self) -> None:
        if self.running:
            return
        self._stopping = False
        await self._seed_limiter()
        self._writer.start()
        self._main = asyncio.create_task(self._run(), name="outbox-dispatcher")
        self._heartbeat = asyncio.create_task(self._keep_leases(), name="outbox-heartbeat")
        log.info("outbox dispatcher %s started", self.owner)

    async def _seed_limiter(self) -> None:
        # After a restart, what this app sent moments ago still counts in Teams' windows.
        now = self._clock.now()
        try:
            recent = await self.store.recent_sends(now - SEED_WINDOW)
        except Exception:
            log.exception("could not load recent sends for the rate limiter")
            return
        self._limiter.seed((key, (now - sent_at).total_seconds()) for key, sent_at in recent)

    async def stop(self) -> None:
        """Stop claiming, let sends already on the wire finish and record, hand back the rest."""
        if self._main is None:
            return
        self._stopping = True
        tasks = [t for t in (self._main, self._heartbeat, *self._lane_tasks.values()) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._on_wire:
            await asyncio.wait(self._on_wire, timeout=self.config.stop_grace)
        await self._writer.stop()
        unsent = list(self._held.values())
        if unsent:
            try:
                released = await self.store.release(unsent, self._clock.now())
                log.info("outbox dispatcher %s handed back %d unsent rows", self.owner, released)
            except Exception:
                log.exception("could not hand back %d claimed rows", len(unsent))
        self._held.clear()
        self._busy_chats.clear()
        self._lanes.clear()
        self._lane_tasks.clear()
        self._main = self._heartbeat = None
        log.info("outbox dispatcher %s stopped", self.owner)

    # -- claiming -------------------------------------------------------------------------------------

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopping:
            self._wake.clear()
            claimed_at = loop.time()
            try:
                timeout = await self._claim_once()
            except Exception:
                log.exception("outbox claim failed")
                timeout = self.config.min_idle * 4
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await self._wake.wait()
            gap = claimed_at + self.config.claim_gap - loop.time()
            if gap > 0:
                await asyncio.sleep(gap)  # the wakes that come meanwhile share the next claim

    async def _claim_once(self) -> float:
        """Claim what fits; return how long to wait for a wake-up before looking again."""
        free = self.config.max_in_flight - len(self._held)
        claimed = await self.store.claim(self._clock.now(), free) if free > 0 else []
        if claimed:
            try:
                async with self._session_factory() as session:
                    by_key, by_recipient = await resolve_targets(
                        session,
                        conversation_keys={c.conversation_key for c in claimed if c.conversation_key is not None},
                        recipients={c.recipient for c in claimed if c.recipient is not None},
                    )
            except Exception:
                await self.store.release(claimed, self._clock.now())  # due again at once, not after the lease
                raise
            # Chats the database says are installed again (the person added the app back) are no longer gone.
            self._gone -= {
                target.stored_conversation_id
                for target in (*by_key.values(), *by_recipient.values())
                if isinstance(target, Target) and target.stored_conversation_id
            }
            for claim in claimed:
                if claim.conversation_key is not None:
                    self._take(_Job(claim, by_key[claim.conversation_key]))
                else:
                    assert claim.recipient is not None
                    self._take(_Job(claim, by_recipient[claim.recipient]))
        self.stats.claimed += len(claimed)
        if free <= 0 or len(claimed) == free:
            return self.config.max_idle  # full: a finishing send wakes us
        next_due = await self.store.next_due()
        if next_due is None:
            return self.config.max_idle
        seconds = (next_due - self._clock.now()).total_seconds()
        if seconds <= 0:
            return self.config.min_idle  # due but not claimable yet (its chat is busy): look again shortly
        return min(self.config.max_idle, seconds + 0.001)  # wake when it falls due, not later

    def _take(self, job: _Job) -> None:
        key = job.claim.target_key
        self._held[job.claim.id] = job.claim
        lane = self._lanes.setdefault(key, deque())
        lane.append(job)
        if len(lane) >= self.config.per_conversation:
            self._busy_chats.add(key)  # its share was full: more of its rows may be waiting
        if key not in self._lane_tasks:
            self._lane_tasks[key] = asyncio.create_task(self._drain(key))

    async def _drain(self, key: str) -> None:
        lane = self._lanes[key]
        try:
            while lane and not self._stopping:
                job = lane.popleft()
                await self._deliver(job)
                self._held.pop(job.claim.id, None)
                # Claim again in batches: when half the pipeline is free, or a busy chat's share half empty.
                if len(self._held) <= self.config.max_in_flight // 2 or (
                    key in self._busy_chats and len(lane) <= self.config.per_conversation // 2
                ):
                    self._busy_chats.discard(key)
                    self._wake.set()
        finally:
            if not lane:
                self._lanes.pop(key, None)
                self._lane_tasks.pop(key, None)

    async def _keep_leases(self) -> None:
        interval = self.config.lease.total_seconds() / 3
        while True:
            await asyncio.sleep(interval)
            try:
                await self.store.extend_leases(list(self._held.values()), self._clock.now())
            except Exception:
                log.exception("could not extend outbox leases")

    # -- one row --------------------------------------------------------------------------------------

    async def _deliver(self, job: _Job) -> None:
        claim, target = job.claim, job.target
        if claim.tries > self._policy.max_attempts:
            # Claimed again and again by dispatchers that stopped before recording: do not loop forever.
            reason = f"gave up after {claim.tries - 1} attempts whose outcome was never recorded"
            await self._record(claim, Decision(Verdict.DEAD, reason), None, None)
            return
        if claim.expired(self._clock.now()):
            # Late (the bot was down, or the person had no chat with it until now): a reminder for a session
            # that has started would only mislead.
            reason = f"expired at {claim.expires_at:%Y-%m-%d %H:%M} UTC before it could be sent"
            await self._record(claim, Decision(Verdict.DEAD, reason), None, None)
            return
        if isinstance(target, Target) and target.stored_conversation_id in self._gone:
            target = Unreachable(f"the bot is no longer installed in conversation {target.stored_conversation_id!r}")
        if isinstance(target, Unreachable):
            await self._record(claim, Decision(Verdict.UNDELIVERABLE, str(target)), None, None)
            return
        try:
            payload = await self._payload(claim)
        except Exception as error:  # the database, for a moment: the stored payload may be long out of date
            log.exception("could not draw notification %s afresh; trying again later", claim.id)
            await self._record(claim, self._policy.after_error(error, claim.tries, self._rng), None, None)
            return
        try:
            activity = self._renderers.render(claim.kind, payload)
            size = len(json.dumps(activity).encode())
            if size > MAX_ACTIVITY_BYTES:
                raise RenderError(f"the rendered message is {size} bytes; Teams takes at most ~100 KB")
        except RenderError as error:
            await self._record(claim, Decision(Verdict.DEAD, str(error)), None, None)
            return
        # Once a request may be on the wire, finish it (and record it) even if we are being stopped.
        await self._shielded(self._send(claim, target, activity))

    async def _payload(self, claim: ClaimedNotification) -> dict[str, Any]:
        """The row's payload, or, for a kind drawn when sent, the one read now: after the claim committed, so a
        change committed before then is in it, and a change after finds the row being sent and asks again. A draw
        that fails raises: the row's stored payload (a live poll card's is the launch card) is never sent instead."""
        fresh = self._renderers.fresh(claim.kind)
        if fresh is None:
            return claim.payload
        return await in_transaction(self._session_factory, lambda session: fresh(session, claim.payload))

    async def _shielded(self, work: Awaitable[T]) -> T:
        task: asyncio.Task[T] = asyncio.ensure_future(work)
        self._on_wire.add(task)
        task.add_done_callback(self._on_wire.discard)
        return await asyncio.shield(task)

    async def _send(self, claim: ClaimedNotification, target: Target, activity: dict[str, Any]) -> None:
        if claim.replaces_sent_message:
            await self._replace(claim, target, activity)
            return
        if target.conversation_id is None:
            opened = await self._open_chat(claim, target)
            if opened is None:
                return
            target = opened
        conversation_id = target.conversation_id
        assert conversation_id is not None
        reply, decision = await self._attempt(
            claim,
            conversation_id,
            lambda: self._connector.send_to_conversation(
                target.service_url, conversation_id, address(activity, target)
            ),
        )
        await self._record(claim, decision, target, reply.id if reply else None)

    async def _replace(self, claim: ClaimedNotification, target: Target, activity: dict[str, Any]) -> None:
        """A newer version of a message Teams already shows (a card whose subject changed): replace it in place."""
        conversation_id, activity_id = claim.sent_conversation_id, claim.activity_id
        assert conversation_id is not None and activity_id is not None
        target = dataclasses.replace(target, conversation_id=conversation_id)
        addressed = address(activity, target)
        addressed["id"] = activity_id
        reply, decision = await self._attempt(
            claim,
            conversation_id,
            lambda: self._connector.update_activity(target.service_url, conversation_id, activity_id, addressed),
            replacing=f"{conversation_id}/{activity_id}",  # a live card: at most one replacement a second
        )
        if decision.verdict is Verdict.UNDELIVERABLE:
            # 403/404 to an update: the message may have been deleted. That says nothing about the chat, which
            # keeps getting new messages; only this copy is given up.
            decision = Decision(Verdict.DEAD, f"could not replace message {activity_id}: {decision.reason}")
        await self._record(claim, decision, target, activity_id if reply is not None else None)

    async def _open_chat(self, claim: ClaimedNotification, target: Target) -> Target | None:
        """The recipient's 1:1 chat: the one stored by now (an earlier row of theirs opened it, or they installed
        the app since this row was claimed), else a new one, stored; None when that failed (the outcome is
        recorded)."""
        assert target.recipient is not None
        async with self._session_factory() as session:
            _, by_recipient = await resolve_targets(session, conversation_keys=set(), recipients={target.recipient})
        stored = by_recipient[target.recipient]
        if isinstance(stored, Target) and stored.stored_conversation_id in self._gone:
            # An earlier row of theirs just found it uninstalled; the database may not have been told yet.
            stored = Unreachable(f"the bot is no longer installed in conversation {stored.stored_conversation_id!r}")
        if isinstance(stored, Unreachable):
            await self._record(claim, Decision(Verdict.UNDELIVERABLE, str(stored)), None, None)
            return None
        if stored.conversation_id is not None:
            return stored
        reply, decision = await self._attempt(
            claim,
            CREATE_CONVERSATION_KEY,
            lambda: self._connector.create_conversation(target.service_url, create_conversation_parameters(target)),
        )
        if decision.verdict is not Verdict.DELIVERED:
            await self._record(claim, decision, target, None)
            return None
        if reply is None or not reply.id:
            await self._record(claim, Decision(Verdict.DEAD, "Teams created a chat but sent no id"), target, None)
            return None
        async with self._session_factory.begin() as session:
            opened = await remember_created_conversation(session, target, reply.id)
        self.stats.created_conversations += 1
        return opened

    async def _attempt(
        self,
        claim: ClaimedNotification,
        key: str,
        call: Callable[[], Awaitable[ConnectorResponse]],
        *,
        replacing: str | None = None,
    ) -> tuple[ConnectorResponse | None, Decision]:
        # The longest-waiting message goes first.
        await self._limiter.acquire(key, claim.due_at.timestamp(), replacing=replacing)
        try:
            reply = await call()
        except Exception as error:  # noqa: BLE001 - no answer (timeout, refused, reset, no token): retried
            return None, self._policy.after_error(error, claim.tries, self._rng)
        finally:
            if replacing is not None:
                self._limiter.replaced(replacing)
        self.stats.by_status[reply.status] = self.stats.by_status.get(reply.status, 0) + 1
        decision = self._policy.after_reply(reply, claim.tries, self._rng)
        if reply.status == 429:
            self.stats.throttled += 1
        if decision.throttled:
            self._limiter.block(key, decision.delay)
        return reply, decision

    def _outcome(
        self, claim: ClaimedNotification, decision: Decision, target: Target | None, activity_id: str | None
    ) -> Outcome:
        now = self._clock.now()
        if decision.verdict is Verdict.DELIVERED:
            return Outcome(
                claim,
                NotificationStatus.SENT,
                now,
                activity_id=activity_id,
                conversation_id=target.conversation_id if target else None,
            )
        if decision.verdict is Verdict.RETRY:
            return Outcome(
                claim,
                NotificationStatus.PENDING,
                now,
                decision.reason,
                next_attempt_at=now + timedelta(seconds=decision.delay),
            )
        if decision.verdict is Verdict.UNDELIVERABLE:
            if target is not None and target.stored_conversation_id:
                self._gone.add(target.stored_conversation_id)  # the rest of this chat's lane is not sent
            return Outcome(
                claim,
                NotificationStatus.UNDELIVERABLE,
                now,
                decision.reason,
                forget_conversation_id=target.stored_conversation_id if target else None,
            )
        return Outcome(claim, NotificationStatus.DEAD, now, decision.reason)

    async def _record(
        self, claim: ClaimedNotification, decision: Decision, target: Target | None, activity_id: str | None
    ) -> None:
        outcome = self._outcome(claim, decision, target, activity_id)
        try:
            recorded = await self._writer.write(outcome)
        except Exception:
            log.exception("could not record the outcome of notification %s", claim.id)
            return
        finally:
            self._held.pop(claim.id, None)  # recorded, or left for its lease to expire: no longer ours to keep
        named = f"notification {claim.id} ({claim.kind} to {claim.target_key})"
        if not recorded:
            self.stats.lost_leases += 1
            log.warning("%s: lease lost before its outcome was recorded", named)
        elif outcome.status is NotificationStatus.SENT:
            self.stats.sent += 1
        elif outcome.status is NotificationStatus.PENDING:
            self.stats.retried += 1
            log.info(
                "%s: attempt %d failed, trying again in %.1f s: %s", named, claim.tries, decision.delay, decision.reason
            )
            self._wake.set()  # recompute the next wake-up so the retry is not late
        elif outcome.status is NotificationStatus.DEAD:
            self.stats.dead += 1
            log.warning("%s is dead: %s", named, decision.reason)
        else:
            self.stats.undeliverable += 1
            log.warning("%s is undeliverable: %s", named, decision.reason)
        async with self._outcomes:
            self.outcome_count += 1
            self._outcomes.notify_all()
