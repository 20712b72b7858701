"""Data protection's service: a person's own data (``my data``, and its JSON file behind an expiring link), their
erasure (``forget me``; admins for someone else), the periodic purge and the audit log.

It knows no table itself: it walks the features' ``PersonalData`` implementations it is built with. Who may do
what is decided here, in the transaction, from the caller's Entra object id and stored roles: only the person
themselves sees or downloads their data; the person or an admin erases it; admins read the audit log.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from classroom.admin.errors import LastAdmin
from classroom.clock import Clock
from classroom.errors import InvalidInput, NotAllowed, NotFound
from classroom.people import find_person, lock_holders, roles_of
from classroom.periodic import PeriodicJob
from classroom.privacy.audit import Actor, AuditRecord, audit_entries, record_audit
from classroom.privacy.export_links import issue_export_link, owner_of_token
from classroom.privacy.personal_data import Erasure, PersonalData, Retention, Section, Subject, split_markers
from classroom.privacy.retention import BOOKING_RECORDS
from classroom.transactions import SessionFactory, in_transaction
from storage.models import Role

log = logging.getLogger(__name__)

MAX_AUDIT = 50
PSEUDONYM_PREFIX = "erased-"


@dataclass(frozen=True)
class PrivacyPolicy:
    retention: Retention
    export_link_ttl: timedelta = timedelta(days=7)


@dataclass(frozen=True)
class HeldData:
    """Everything held about one person, by feature (empty: nothing)."""

    sections: tuple[Section, ...]

    @property
    def empty(self) -> bool:
        return not self.sections


@dataclass(frozen=True)
class ErasurePreview:
    """What ``forget`` would do: what is deleted (``held``) and what is kept without the name, and until when."""

    name: str
    aad_object_id: str
    held: HeldData
    kept: tuple[str, ...]
    keep_records: timedelta


@dataclass(frozen=True)
class ErasureOutcome:
    counts: dict[str, int]


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"not JSON: {type(value).__name__}")


class PrivacyService:
    def __init__(
        self,
        session_factory: SessionFactory,
        clock: Clock,
        providers: Sequence[PersonalData],
        policy: PrivacyPolicy,
    ) -> None:
        self._session_factory = session_factory
        self._clock = clock
        self._providers = tuple(sorted(providers, key=lambda p: p.erase_order))
        self._policy = policy

    @property
    def providers(self) -> tuple[PersonalData, ...]:
        return self._providers

    @staticmethod
    async def _subject(session: AsyncSession, aad_object_id: str) -> Subject:
        person = await find_person(session, aad_object_id)
        if person is None:
            return Subject(aad_object_id)
        return Subject(aad_object_id, person.id, person.name, person.email)

    async def _held(self, session: AsyncSession, subject: Subject) -> HeldData:
        sections = [await p.export(session, subject) for p in self._providers]
        return HeldData(tuple(s for s in sections if s is not None))

    # -- access ----------------------------------------------------------------------------------------------

    async def my_data(self, aad_object_id: str) -> HeldData:
        """Everything held about the caller."""
        if not aad_object_id:
            raise NotAllowed("only someone signed in to Teams with a work account has data here")

        async def unit(session: AsyncSession) -> HeldData:
            return await self._held(session, await self._subject(session, aad_object_id))

        return await in_transaction(self._session_factory, unit)

    async def export_link(self, actor: Actor) -> tuple[str, datetime]:
        """A new download link to the caller's own data, and when it expires (recorded in the audit log)."""
        if not actor.aad_object_id:
            raise NotAllowed("only someone signed in to Teams with a work account has data here")
        aad = actor.aad_object_id

        async def unit(session: AsyncSession) -> tuple[str, datetime]:
            now = self._clock.now()
            link = await issue_export_link(session, aad, now, self._policy.export_link_ttl)
            record_audit(session, now, "privacy.export", actor, subject_aad_object_id=aad, subject_name=actor.name)
            return link

        return await in_transaction(self._session_factory, unit)

    async def export_file(self, token: str) -> tuple[str, bytes]:
        """The file name and JSON of everything held about the link's owner, built now; NotFound for a bad link."""

        async def unit(session: AsyncSession) -> tuple[str, bytes]:
            now = self._clock.now()
            owner = await owner_of_token(session, token, now)
            if owner is None:
                raise NotFound("no such download link")
            subject = await self._subject(session, owner)
            held = await self._held(session, subject)
            document = {
                "exported_at": now,
                "entra_object_id": owner,
                "sections": {s.title: s.data for s in held.sections},
            }
            content = json.dumps(document, default=_jsonable, indent=2, ensure_ascii=False).encode("utf-8")
            return f"my-data-{now:%Y-%m-%d}.json", content

        return await in_transaction(self._session_factory, unit)

    # -- erasure ---------------------------------------------------------------------------------------------

    @staticmethod
    async def _may_erase(session: AsyncSession, actor: Actor, subject_aad_object_id: str) -> None:
        if not actor.aad_object_id:
            raise NotAllowed("only someone signed in to Teams with a work account can ask for an erasure")
        if actor.aad_object_id != subject_aad_object_id and Role.ADMIN not in await roles_of(
            session, actor.aad_object_id
        ):
            raise NotAllowed("only admins can erase someone else's data")

    async def erasure_preview(self, actor: Actor, subject_aad_object_id: str) -> ErasurePreview:
        if not subject_aad_object_id:
            raise InvalidInput("whose data?")

        async def unit(session: AsyncSession) -> ErasurePreview:
            await self._may_erase(session, actor, subject_aad_object_id)
            subject = await self._subject(session, subject_aad_object_id)
            held = await self._held(session, subject)
            kept = [line for p in self._providers for line in await p.kept(session, subject)]
            return ErasurePreview(
                subject.name, subject_aad_object_id, held, tuple(kept), self._policy.retention.period(BOOKING_RECORDS)
            )

        return await in_transaction(self._session_factory, unit)

    async def forget(self, actor: Actor, subject_aad_object_id: str) -> ErasureOutcome:
        """Erase or anonymise everything held about the subject, everywhere, in one transaction.

        Raises:
            NotAllowed: the actor is neither the subject nor an admin. LastAdmin: the subject is the only admin
                (nobody could grant the role again).
        """
        if not subject_aad_object_id or subject_aad_object_id.startswith(PSEUDONYM_PREFIX):
            raise InvalidInput("that is not someone whose data can be erased")

        async def unit(session: AsyncSession) -> ErasureOutcome:
            await self._may_erase(session, actor, subject_aad_object_id)
            if (
                Role.ADMIN in await roles_of(session, subject_aad_object_id)
                and await lock_holders(session, Role.ADMIN) <= 1
            ):
                raise LastAdmin("this is the only admin: grant someone else the admin role first")
            now = self._clock.now()
            subject = await self._subject(session, subject_aad_object_id)
            words: set[str | None] = set()
            for provider in self._providers:
                words |= await provider.markers(session, subject)
            inside, whole = split_markers(words)
            # Their id and email are theirs wherever they appear; their name only as a whole value ("Ann" is in
            # "Anna", and two people can share a name: a false match would erase someone else's message).
            inside |= {v for v in (subject.aad_object_id, subject.email) if v}
            whole |= {subject.name.strip()} if subject.name.strip() else set()
            erasure = Erasure(
                subject,
                frozenset(inside),
                PSEUDONYM_PREFIX + secrets.token_hex(16),
                now,
                self._policy.retention.period(BOOKING_RECORDS),
                frozenset(whole),
            )
            counts: dict[str, int] = {}
            for provider in self._providers:
                counts.update(await provider.erase(session, erasure))
            by_self = actor.aad_object_id == subject_aad_object_id
            # Recorded after the erasure, under the pseudonym: the log shows an erasure happened, not of whom.
            record_audit(
                session,
                now,
                "privacy.erase",
                Actor(erasure.pseudonym, "", "") if by_self else actor,
                subject_aad_object_id=erasure.pseudonym,
                subject_name="Erased person",
                by="the person themselves" if by_self else "an admin",
                counts=counts,
            )
            log.info("erasure done (%s): %s", "by the person" if by_self else "by an admin", counts)
            return ErasureOutcome(counts)

        return await in_transaction(self._session_factory, unit)

    # -- retention -------------------------------------------------------------------------------------------

    async def purge_in(self, session: AsyncSession) -> dict[str, int]:
        now = self._clock.now()
        removed: dict[str, int] = {}
        for provider in self._providers:
            for kind, count in (await provider.purge(session, now, self._policy.retention)).items():
                removed[kind] = removed.get(kind, 0) + count
        log.info("privacy purge removed: %s", ", ".join(f"{k} {v}" for k, v in sorted(removed.items())) or "nothing")
        return removed

    async def purge(self) -> dict[str, int]:
        """Remove everything past its retention period now; counts by kind."""
        return await in_transaction(self._session_factory, self.purge_in)

    def purge_job(self) -> PeriodicJob:
        async def job(session: AsyncSession) -> None:
            await self.purge_in(session)

        return job

    # -- audit -----------------------------------------------------------------------------------------------

    async def audit(
        self,
        actor_aad_object_id: str,
        *,
        person_aad_object_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 20,
    ) -> list[AuditRecord]:
        limit = max(1, min(limit, MAX_AUDIT))

        async def unit(session: AsyncSession) -> list[AuditRecord]:
            if Role.ADMIN not in await roles_of(session, actor_aad_object_id):
                raise NotAllowed("only admins can read the audit log")
            return await audit_entries(
                session, person_aad_object_id=person_aad_object_id, since=since, until=until, limit=limit
            )

        return await in_transaction(self._session_factory, unit)
