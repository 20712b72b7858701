"""``EnquiryService``: what the enquiry flows call. Each method is one transaction, retried on transient
conflicts; who may act is decided inside it from the caller's Entra object id and the stored roles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.catalogue.snapshot import CatalogueSnapshot
from classroom.clock import Clock
from classroom.conversations import ConversationInfo, remember_conversation
from classroom.coordinators import (
    ChatMember,
    coordinators_conversation,
    outsiders_joined,
    set_coordinators_conversation,
)
from classroom.enquiries import actions, queries
from classroom.enquiries.actions import ActionOutcome, Actor
from classroom.enquiries.digest import digest_job
from classroom.enquiries.fields import EnquiryDraft
from classroom.enquiries.queries import CoordinatorFilter, EnquiryList, ViewedEnquiry
from classroom.enquiries.submission import DuplicateSubmission, Submitted, create_enquiry, submitted_by_key
from classroom.enquiries.views import CourseRef, course_refs
from classroom.people import find_person
from classroom.periodic import PeriodicJob
from classroom.privacy.audit import named_actor, record_audit
from classroom.receipts import ActivityReceipts
from classroom.transactions import SessionFactory, in_transaction, in_transaction_on


@dataclass(frozen=True)
class EnquiryPolicy:
    """Attributes:
    zone: the coordinators' local time (working days, the digest's day).
    overdue_after: working days an enquiry may wait for our reply before it counts as overdue.
    digest_cron: when the coordinators' digest is queued (crontab in ``zone``).
    """

    zone: ZoneInfo = ZoneInfo("Europe/London")
    overdue_after: int = 2
    digest_cron: str = "0 9 * * mon-fri"


@dataclass(frozen=True)
class CoordinatorsChat:
    """The channel or group chat chosen with ``coordinators here``."""

    conversation_id: str
    conversation_type: str  # groupChat | channel


class EnquiryService:
    def __init__(
        self,
        session_factory: SessionFactory,
        clock: Clock,
        policy: EnquiryPolicy | None = None,
        *,
        catalogue: CatalogueSnapshot | None = None,
    ) -> None:
        """``catalogue``: this process's copy of the catalogue (shared with the other services), for the course
        titles on the coordinators' card a button press answers with."""
        self._session_factory = session_factory
        self._clock = clock
        self.policy = policy or EnquiryPolicy()
        self._catalogue = catalogue or CatalogueSnapshot()
        self._receipts = ActivityReceipts(session_factory, clock)

    # -- enquirers ------------------------------------------------------------------------------------------

    async def prefill(self, aad_object_id: str) -> dict[str, str]:
        """What we already know of the person for a new enquiry: their email and organisation."""

        async def unit(session: AsyncSession) -> dict[str, str]:
            known: dict[str, str] = {}
            person = await find_person(session, aad_object_id)
            if person is not None and person.email:
                known["email"] = person.email
            if person is not None and person.organisation_id is not None:
                await session.refresh(person, ["organisation"])
                if person.organisation is not None:
                    known["organisation"] = person.organisation.name
            return known

        return await in_transaction(self._session_factory, unit)

    async def course_refs(self, codes: list[str]) -> list[CourseRef]:
        return await in_transaction(self._session_factory, lambda s: course_refs(s, codes))

    async def submit(self, draft: EnquiryDraft, *, enquirer: str, idempotency_key: str) -> Submitted:
        """Save the enquiry and queue the coordinators' card; a repeated submission returns the first one."""
        now = self._clock.now()
        try:
            return await in_transaction(
                self._session_factory,
                lambda s: create_enquiry(
                    s, draft, enquirer_aad_object_id=enquirer, idempotency_key=idempotency_key, now=now
                ),
            )
        except DuplicateSubmission:  # a concurrent twin committed first: answer with its enquiry
            return await in_transaction(self._session_factory, lambda s: submitted_by_key(s, idempotency_key, enquirer))

    async def enquirer_list(self, aad_object_id: str) -> EnquiryList:
        return await in_transaction(self._session_factory, lambda s: queries.enquirer_list(s, aad_object_id))

    async def enquiry_for(self, reference: str, viewer: str) -> ViewedEnquiry:
        """One enquiry as ``viewer`` may see it (its enquirer, or a coordinator); raises NotFound otherwise."""
        return await in_transaction(self._session_factory, lambda s: queries.enquiry_for(s, reference, viewer))

    async def enquirer_writes(self, reference: str, actor: Actor, text: str, *, idempotency_key: str | None) -> None:
        """The enquirer writes back; the coordinators are told (and a closed enquiry reopens)."""
        now = self._clock.now()
        await in_transaction(
            self._session_factory,
            lambda s: actions.enquirer_writes(s, reference, actor, text, now=now, idempotency_key=idempotency_key),
        )

    # -- coordinators ---------------------------------------------------------------------------------------

    async def coordinator_list(self, aad_object_id: str, which: CoordinatorFilter) -> EnquiryList:
        return await in_transaction(self._session_factory, lambda s: queries.coordinator_list(s, aad_object_id, which))

    # ``receipt``: the claim key of the activity carrying the press, claimed in the action's own transaction (raises
    # AlreadyTaken, changing nothing, for a redelivery), so a press costs one transaction, not two. Claimed last: a
    # refused press (not a coordinator, already done) claims nothing, as it changed nothing.

    async def assign_to_self(
        self, enquiry_id: int, actor: Actor, *, idempotency_key: str | None, receipt: str | None = None
    ) -> ActionOutcome:
        return await self._act(actions.assign_to_self, enquiry_id, actor, idempotency_key, receipt)

    async def close(
        self, enquiry_id: int, actor: Actor, *, idempotency_key: str | None, receipt: str | None = None
    ) -> ActionOutcome:
        return await self._act(actions.close, enquiry_id, actor, idempotency_key, receipt)

    async def reopen(
        self, enquiry_id: int, actor: Actor, *, idempotency_key: str | None, receipt: str | None = None
    ) -> ActionOutcome:
        return await self._act(actions.reopen, enquiry_id, actor, idempotency_key, receipt)

    async def reply(
        self, enquiry_id: int, actor: Actor, text: str, *, idempotency_key: str | None, receipt: str | None = None
    ) -> ActionOutcome:
        now = self._clock.now()

        async def unit(session: AsyncSession) -> ActionOutcome:
            outcome = await actions.reply(session, enquiry_id, actor, text, now=now, idempotency_key=idempotency_key)
            await self._receipts.require_claim_in(session, receipt)
            return outcome

        return await in_transaction(self._session_factory, unit)

    async def _act(
        self,
        action: actions.CoordinatorAction,
        enquiry_id: int,
        actor: Actor,
        idempotency_key: str | None,
        receipt: str | None,
    ) -> ActionOutcome:
        now = self._clock.now()
        claim = None if receipt is None else partial(self._receipts.require_claim_on, receipt)
        catalogue = self._catalogue

        def at_once(connection: Connection) -> ActionOutcome:
            return action.at_once(
                connection,
                enquiry_id,
                actor,
                now=now,
                idempotency_key=idempotency_key,
                catalogue=catalogue,
                claim=claim,
            )

        async def unit(session: AsyncSession) -> ActionOutcome:
            return await action(
                session, enquiry_id, actor, now=now, idempotency_key=idempotency_key, catalogue=catalogue, claim=claim
            )

        try:  # the usual press, whole in one step without an ORM session
            return await in_transaction_on(self._session_factory, at_once)
        except actions.NeedsSession:
            pass  # rolled back: a refusal or a redelivery, or a card whose titles need the database's catalogue
        return await in_transaction(self._session_factory, unit)

    async def coordinators_chat(self) -> CoordinatorsChat | None:
        """The shared coordinators' conversation, if one is chosen and the bot is still there."""

        async def unit(session: AsyncSession) -> CoordinatorsChat | None:
            record = await coordinators_conversation(session)
            return CoordinatorsChat(record.conversation_id, record.conversation_type) if record else None

        return await in_transaction(self._session_factory, unit)

    async def choose_coordinators_chat(self, here: ConversationInfo, *, by: str, members: Sequence[ChatMember]) -> None:
        """Coordinator notifications go to ``here`` (whose members are ``members``) from now on.

        Raises NotAllowed, InvalidInput, NotOnlyCoordinators (nothing is changed then).
        """
        now = self._clock.now()

        async def unit(session: AsyncSession) -> None:
            await remember_conversation(session, here)
            await set_coordinators_conversation(session, here.conversation_id, by=by, now=now, members=members)
            record_audit(
                session,
                now,
                "coordinators.chat_chosen",
                await named_actor(session, by, here.conversation_id),
                chat=here.name or here.conversation_type,
            )

        await in_transaction(self._session_factory, unit)

    async def members_joined(self, conversation_id: str, team_id: str | None, joined: Sequence[ChatMember]) -> int:
        """People joined a conversation or team: how many of them are not coordinators, when it was the coordinators'
        conversation (which it no longer is then; 0: nothing changed)."""
        return await in_transaction(
            self._session_factory, lambda s: outsiders_joined(s, conversation_id, team_id, joined)
        )

    def digest_job(self) -> PeriodicJob:
        """The coordinators' daily digest, as a periodic job (schedule it as ``DIGEST_JOB_NAME``)."""
        return digest_job(self._clock, self.policy.zone, overdue_after=self.policy.overdue_after)
