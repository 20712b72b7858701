"""Where the bot is installed, so it can later write to people and chats unprompted.

The only code that writes conversation records: installs and removals (through ``ConversationService``), the
coordinators' chat being chosen, chats the dispatcher opens, and chats it finds the bot was removed from.
Storing a person's 1:1 chat also makes what waited for it (notifications given up for want of a chat) due at
once, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, Connection, ScalarSelect, case, delete, exists, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter

from classroom.clock import Clock
from classroom.outbox import anything_waiting, deliver_waiting, deliver_waiting_on, waiting_for
from classroom.people import Met, find_person, meet, meet_first, meet_known_on
from classroom.privacy.personal_data import Erasure, PersonalData, Section, Subject
from classroom.receipts import ActivityReceipts, AlreadyTaken
from classroom.transactions import SessionFactory, in_transaction, in_transaction_on, on_session_connection
from storage.base import utcnow
from storage.models import ConversationRecord, DesignatedConversation, Person
from storage.shared_transactions import SharedTransactions
from storage.upsert import direct_upsert, insert_or_ignore, insert_or_update


@dataclass(frozen=True)
class ConversationInfo:
    conversation_id: str
    conversation_type: str  # personal | groupChat | channel
    service_url: str
    reference: dict[str, Any]
    tenant_id: str | None = None
    user_aad_object_id: str | None = None
    team_id: str | None = None
    name: str | None = None


_UPDATABLE = [
    "conversation_type",
    "service_url",
    "reference",
    "tenant_id",
    "user_aad_object_id",
    "team_id",
    "name",
    "installed",
    "updated_at",
]


async def remember_conversation(session: AsyncSession, info: ConversationInfo) -> None:
    """Store (or refresh) the reference of a conversation the bot is installed in."""
    values = _conversation_values(info)
    await insert_or_update(
        session,
        ConversationRecord.__table__,  # type: ignore[arg-type]
        values,
        ["conversation_id"],
        [c for c in _UPDATABLE if c in values],
    )


def remember_conversation_on(connection: Connection, info: ConversationInfo) -> None:
    """:func:`remember_conversation` on the connection of a caller's transaction, from synchronous code (run_sync)."""
    values = _conversation_values(info)
    update_columns = [c for c in _UPDATABLE if c in values]
    table = ConversationRecord.__table__
    direct_upsert(connection.dialect.name, table, ["conversation_id"], update_columns).execute(connection, values)  # type: ignore[arg-type]


def _conversation_values(info: ConversationInfo) -> dict[str, Any]:
    now = utcnow()
    values = {
        "conversation_id": info.conversation_id,
        "conversation_type": info.conversation_type,
        "service_url": info.service_url,
        "reference": info.reference,
        "tenant_id": info.tenant_id,
        "user_aad_object_id": info.user_aad_object_id,
        "team_id": info.team_id,
        "name": info.name,
        "installed": True,
        "created_at": now,
        "updated_at": now,
    }
    if info.name is None:  # don't wipe a known name with an activity that carries none
        values.pop("name")
    return values


async def remember_created_chat(
    session: AsyncSession,
    *,
    conversation_id: str,
    recipient: str,
    service_url: str,
    tenant_id: str | None,
    bot: dict[str, Any],
    channel_id: str,
) -> dict[str, Any]:
    """Store a 1:1 chat the bot opened with ``recipient``; returns its conversation reference.

    Insert only: if the person's install already stored this chat, its reference is the richer one.
    """
    reference = {
        "bot": bot,
        "user": {"id": recipient, "aadObjectId": recipient},
        "conversation": {"id": conversation_id, "conversationType": "personal", "tenantId": tenant_id},
        "channelId": channel_id,
        "serviceUrl": service_url,
    }
    now = utcnow()
    await insert_or_ignore(
        session,
        ConversationRecord.__table__,  # type: ignore[arg-type]
        {
            "conversation_id": conversation_id,
            "conversation_type": "personal",
            "service_url": service_url,
            "reference": reference,
            "tenant_id": tenant_id,
            "user_aad_object_id": recipient,
            "installed": True,
            "created_at": now,
            "updated_at": now,
        },
        ["conversation_id"],
    )
    return reference


async def forget_conversation(session: AsyncSession, conversation_id: str) -> None:
    """The bot was removed: keep the row for the record but never write there again."""
    await session.execute(
        update(ConversationRecord)
        .where(ConversationRecord.conversation_id == conversation_id)
        .values(installed=False, updated_at=utcnow())
    )


_STORED = select(ConversationRecord.installed, ConversationRecord.service_url, ConversationRecord.user_aad_object_id)

StoredChat = tuple[bool, str, str | None]  # installed, service URL, the 1:1 chat's person


async def stored_chat(session: AsyncSession, conversation_id: str) -> StoredChat | None:
    """How the database knows a chat (None: not at all): one read by primary key."""
    row = (await session.execute(_STORED.where(ConversationRecord.conversation_id == conversation_id))).first()
    return None if row is None else (row[0], row[1], row[2])


def known_as_it_is(stored: StoredChat | None, service_url: str, person: str | None) -> bool:
    """Whether the stored chat is ``person``'s and reachable at ``service_url``, so nothing needs storing."""
    return stored == (True, service_url, person)


def stored_chat_columns(conversation_id: BindParameter[str]) -> tuple[ScalarSelect[Any], ...]:
    """:func:`stored_chat` as columns of a caller's one-row read of several things at once (a message turn's first
    read); :func:`stored_chat_from` reads them."""
    columns = (ConversationRecord.installed, ConversationRecord.service_url, ConversationRecord.user_aad_object_id)
    return tuple(
        select(column).where(ConversationRecord.conversation_id == conversation_id).scalar_subquery()
        for column in columns
    )


def stored_chat_from(installed: bool | None, service_url: str | None, person: str | None) -> StoredChat | None:
    """What :func:`stored_chat_columns` read, as :func:`stored_chat` returns it."""
    return None if installed is None or service_url is None else (bool(installed), service_url, person)


def worth_keeping_column(
    conversation_id: BindParameter[str], person: BindParameter[str], now: BindParameter[datetime]
) -> ColumnElement[bool]:
    """:func:`worth_keeping` as a column of a caller's one-row read (``now``'s values: ``waiting_since``), asked only
    when the chat is not stored (true at once for one that is: the question is then moot)."""
    stored = exists().where(ConversationRecord.conversation_id == conversation_id)
    return case((stored, true()), else_=or_(exists().where(Person.aad_object_id == person), waiting_for(person, now)))


async def worth_keeping(session: AsyncSession, person: str, now: datetime) -> bool:
    """Whether a 1:1 chat the database does not know is worth storing from ``person``'s message: only for someone we
    know, or with something waiting for them. A stranger's message (someone who asked to be forgotten, say) is
    answered without collecting anything about them."""
    return await find_person(session, person) is not None or await anything_waiting(session, person, now)


class _FirstMeeting(Exception):  # not an error: the install's other path
    """``ConversationService._installed_known``: who installed (``by``) is not stored yet."""

    def __init__(self, by: str) -> None:
        super().__init__(by)
        self.by = by


class ConversationService:
    """Installs and removals: installs arriving together share a transaction, removals each have their own."""

    def __init__(self, session_factory: SessionFactory, clock: Clock) -> None:
        self._session_factory = session_factory
        self._receipts = ActivityReceipts(session_factory, clock)
        self._clock = clock
        # Installs arriving together share one transaction, as messages' first reads do (bot/turn_preload.py).
        self._shared = SharedTransactions(partial(in_transaction_on, session_factory))

    async def _installed(
        self, session: AsyncSession, info: ConversationInfo, by: str | None, by_name: str
    ) -> Met | None:
        await remember_conversation(session, info)
        met = await meet(session, by, by_name) if by else None
        await self._deliver_waiting(session, info)
        return met

    async def installed(
        self, info: ConversationInfo, *, by: str | None, by_name: str = "", receipt: str | None = None
    ) -> Met | None:
        """The bot was added to a conversation (or met there again): keep its reference, know who added it, and
        in a person's 1:1 chat send what waited for it. Returns who added it as now stored (their name and roles,
        for the welcome), None when the activity names nobody.

        ``receipt``: the claim key of the install's activity, claimed in this same transaction (one transaction an
        install, not two: shared with installs arriving at the same moment, ``storage/shared_transactions.py``);
        raises AlreadyTaken, changing nothing, for a redelivery. Someone installing for the first time costs a second
        transaction: the first, on a plain connection, finds them not stored and is rolled back; the install then
        runs again in an ORM session, which creates them safely against a race (:func:`meet_first`).
        """
        work = partial(self._installed_known, info=info, by=by, by_name=by_name, receipt=receipt)
        try:
            return await self._shared.run(work, abandoned=partial(self._give_up, receipt))
        except _FirstMeeting:
            pass  # rolled back: nothing of it was kept

        async def first_meeting(session: AsyncSession) -> Met | None:
            try:
                return await on_session_connection(session, work)  # met meanwhile (another install of theirs)
            except _FirstMeeting as first:
                met = await meet_first(session, first.by, by_name)
            await self._deliver_waiting(session, info)
            return met

        return await in_transaction(self._session_factory, first_meeting)

    @property
    def install_transactions(self) -> int:
        """The transactions installs took (fewer than the installs when they come together)."""
        return self._shared.transactions

    async def _give_up(self, receipt: str | None, _met: object) -> None:
        """An install cancelled while its transaction committed is never greeted: give its claim up, so Teams'
        redelivery greets (storing the chat again changes nothing)."""
        if receipt is not None:
            await self._receipts.release(receipt)

    def _installed_known(
        self, connection: Connection, *, info: ConversationInfo, by: str | None, by_name: str, receipt: str | None
    ) -> Met | None:
        """The install's claim and :meth:`_installed`, the same statements in the same order, from synchronous code
        on a pooled connection (``in_transaction_on``): one hand-over to the driver for the install, and neither an
        ORM session nor its statement handling, which cost more than these statements. Raises ``_FirstMeeting``,
        having stored the conversation only, when ``by`` is not stored yet: :func:`meet_first` creates them (safe
        against a race, through the ORM), then what waited for the chat is delivered."""
        if receipt is not None and not self._receipts.claim_on(connection, receipt):
            raise AlreadyTaken(receipt)
        remember_conversation_on(connection, info)
        met = None
        if by:
            met = meet_known_on(connection, by, by_name)
            if met is None:
                raise _FirstMeeting(by)
        if info.conversation_type == "personal" and info.user_aad_object_id:
            deliver_waiting_on(connection, info.user_aad_object_id, self._clock.now())
        return met

    async def _deliver_waiting(self, session: AsyncSession, info: ConversationInfo) -> None:
        if info.conversation_type == "personal" and info.user_aad_object_id:
            await deliver_waiting(session, info.user_aad_object_id, self._clock.now())

    async def written_to_in(self, info: ConversationInfo, *, by: str, by_name: str = "") -> bool:
        """``by`` wrote to the bot in their 1:1 chat ``info``: if we do not know that chat as it is (Teams' install
        event never reached us, the bot was thought removed, or Teams moved the chat to another service URL),
        remember it as an install does. Returns whether it was stored; a known chat costs one read."""

        async def unit(session: AsyncSession) -> bool:
            stored = await stored_chat(session, info.conversation_id)
            if known_as_it_is(stored, info.service_url, info.user_aad_object_id):
                return False
            if stored is None and not await worth_keeping(session, by, self._clock.now()):
                return False
            await self._installed(session, info, by, by_name)
            return True

        return await in_transaction(self._session_factory, unit)

    async def removed(self, conversation_id: str) -> None:
        await in_transaction(self._session_factory, lambda s: forget_conversation(s, conversation_id))


class ConversationsData(PersonalData):
    """A person's 1:1 chat with the bot (its address, so the bot can write to them), other chats' references that
    name them (who added the bot), and the coordinators' chat they chose. Erasing forgets their 1:1 chat: the bot
    can no longer write to them until they write again."""

    tables: ClassVar = {
        "conversations": frozenset({"user_aad_object_id", "reference", "name", "conversation_id"}),
        "designated_conversations": frozenset({"set_by_aad_object_id"}),
    }
    not_personal: ClassVar = {
        "conversations": frozenset({"tenant_id", "team_id", "conversation_type", "service_url"}),
        "designated_conversations": frozenset({"conversation_id"}),  # a shared chat, not a person's
    }
    erase_order: ClassVar = 90  # after what finds the person's chats through these rows

    async def markers(self, session: AsyncSession, subject: Subject) -> set[str]:
        rows = await session.scalars(
            select(ConversationRecord.conversation_id).where(
                ConversationRecord.user_aad_object_id == subject.aad_object_id,
                ConversationRecord.conversation_type == "personal",
            )
        )
        return set(rows.all())

    async def export(self, session: AsyncSession, subject: Subject) -> Section | None:
        chats = (
            await session.scalars(
                select(ConversationRecord).where(ConversationRecord.user_aad_object_id == subject.aad_object_id)
            )
        ).all()
        chosen = (
            await session.scalars(
                select(DesignatedConversation).where(
                    DesignatedConversation.set_by_aad_object_id == subject.aad_object_id
                )
            )
        ).all()
        if not chats and not chosen:
            return None
        lines = [f"Our 1:1 chat, known since {c.created_at:%d %b %Y}" for c in chats]
        lines += [f"You chose the {d.purpose} chat" for d in chosen]
        data = {
            "chats": [
                {"conversation_id": c.conversation_id, "installed": c.installed, "since": c.created_at} for c in chats
            ],
            "chats_chosen": [{"purpose": d.purpose, "at": d.set_at} for d in chosen],
        }
        return Section("Chats", tuple(lines), data)

    async def erase(self, session: AsyncSession, erasure: Erasure) -> dict[str, int]:
        aad = erasure.subject.aad_object_id
        forgotten = await session.execute(
            delete(ConversationRecord).where(ConversationRecord.user_aad_object_id == aad)
        )
        scrubbed = 0
        for record in (await session.scalars(select(ConversationRecord))).all():
            if erasure.mentions(record.reference) or erasure.mentions(record.name or ""):
                record.reference = erasure.scrubbed(record.reference)
                record.name = None if erasure.mentions(record.name or "") else record.name
                scrubbed += 1
        await session.execute(
            update(DesignatedConversation)
            .where(DesignatedConversation.set_by_aad_object_id == aad)
            .values(set_by_aad_object_id=erasure.pseudonym)
        )
        counts = {"chats forgotten": int(forgotten.rowcount)}  # type: ignore[attr-defined]
        if scrubbed:
            counts["other chats' records cleaned"] = scrubbed
        return counts
