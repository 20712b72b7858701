"""Administration: roles granted and revoked, trainers linked to runs, and the record of each change.

Who may do what is decided here, inside the transaction that makes the change, from the actor's Entra object id and
their stored roles: admins grant and revoke roles; admins and coordinators link trainers and see who holds which
role. Every change is recorded in ``admin_changes`` in the same transaction (nothing is recorded when nothing
changed). Roles granted or revoked here are authoritative: the ``ADMIN_AAD_OBJECT_IDS`` bootstrap never gives back
a role that was revoked in Teams.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.admin.errors import LastAdmin
from classroom.admin.views import ChangeRecord, RoleChange, RoleHolder, RunTrainers, TrainerLinkChange
from classroom.catalogue.trainer_links import link_trainer, runs_named, unlink_trainer
from classroom.clock import Clock
from classroom.coordinators import clear_coordinators_conversation
from classroom.errors import InvalidInput, NotAllowed
from classroom.people import ensure_person, find_person, grant_roles, lock_holders, revoke_role, role_holders
from classroom.privacy.audit import SYSTEM, Actor, record_audit
from classroom.text import bounded, storable
from classroom.transactions import SessionFactory, in_transaction
from storage.models import AdminAction, AdminChange, Person, Role

GRANTABLE = (Role.ADMIN, Role.COORDINATOR, Role.TRAINER)  # participant is what everyone is anyway
OVERSEERS = frozenset({Role.ADMIN, Role.COORDINATOR})
BOOTSTRAP = "ADMIN_AAD_OBJECT_IDS"
MAX_AAD_OBJECT_ID = 64
MAX_NAME = 200
HISTORY_LIMIT = 100


def _aad(value: str) -> str:
    value = storable(value).strip()
    if not 0 < len(value) <= MAX_AAD_OBJECT_ID or any(c.isspace() for c in value):
        raise InvalidInput("that is not an Entra object id")
    return value


class AdminService:
    def __init__(self, session_factory: SessionFactory, clock: Clock) -> None:
        self._session_factory = session_factory
        self._clock = clock

    # -- who may ---------------------------------------------------------------------------------------------

    @staticmethod
    async def _actor(session: AsyncSession, aad_object_id: str, allowed: frozenset[Role], what: str) -> Person:
        actor = await find_person(session, aad_object_id)
        if actor is None or not actor.role_set & allowed:
            raise NotAllowed(f"only {' and '.join(sorted(r.value + 's' for r in allowed))} can {what}")
        return actor

    def _record(
        self,
        session: AsyncSession,
        action: AdminAction,
        actor: Person | None,
        subject: Person,
        *,
        role: Role | None = None,
        run_code: str | None = None,
        where: str = "",
    ) -> None:
        """Record one change in ``admin_changes`` (what ``roles history`` shows) and in the audit log."""
        now = self._clock.now()
        session.add(
            AdminChange(
                at=now,
                action=action,
                actor_aad_object_id=actor.aad_object_id if actor else None,
                actor_name=actor.name if actor else "",
                subject_aad_object_id=subject.aad_object_id,
                subject_name=subject.name,
                role=role.value if role else None,
                run_code=run_code,
            )
        )
        details = {"role": role.value} if role else {"run": run_code}
        actor_is = Actor(actor.aad_object_id, actor.name, where) if actor else Actor(None, BOOTSTRAP, SYSTEM)
        record_audit(
            session,
            now,
            f"admin.{action.value}",
            actor_is,
            subject_aad_object_id=subject.aad_object_id,
            subject_name=subject.name,
            **details,
        )

    # -- roles -----------------------------------------------------------------------------------------------

    async def role_holders(self, actor_aad_object_id: str) -> list[RoleHolder]:
        async def unit(session: AsyncSession) -> list[RoleHolder]:
            await self._actor(session, actor_aad_object_id, OVERSEERS, "see who holds which role")
            return [
                RoleHolder(p.name, p.aad_object_id, tuple(r for r in GRANTABLE if r in p.role_set))
                for p in await role_holders(session)
            ]

        return await in_transaction(self._session_factory, unit)

    async def change_role(
        self,
        actor_aad_object_id: str,
        subject_aad_object_id: str,
        subject_name: str,
        role: Role,
        *,
        grant: bool,
        where: str = "",
    ) -> RoleChange:
        """Grant (``grant``) or revoke ``role``; only admins may. The subject is created (a participant) if new.

        Raises:
            NotAllowed: the actor is no admin. LastAdmin: it would take the last admin role there is.
            InvalidInput: not a role one can grant, or not an Entra object id.
        """
        if role not in GRANTABLE:
            raise InvalidInput(f"roles are {', '.join(r.value for r in GRANTABLE)}")
        subject_aad_object_id = _aad(subject_aad_object_id)
        subject_name = bounded(storable(subject_name), MAX_NAME)

        async def unit(session: AsyncSession) -> RoleChange:
            actor = await self._actor(session, actor_aad_object_id, frozenset({Role.ADMIN}), "grant or revoke roles")
            if grant:
                subject = await ensure_person(session, subject_aad_object_id, subject_name)
                changed = bool(await grant_roles(session, subject, [role]))
            else:
                found = await find_person(session, subject_aad_object_id)
                if found is None:
                    return RoleChange(subject_name, subject_aad_object_id, role, granted=False, changed=False)
                subject = found
                if role == Role.ADMIN and role in subject.role_set and await lock_holders(session, Role.ADMIN) <= 1:
                    raise LastAdmin("you are the only admin: grant someone else the admin role first")
                changed = await revoke_role(session, subject, role)
            unset = (
                changed and not grant and role == Role.COORDINATOR and await clear_coordinators_conversation(session)
            )
            if changed:
                self._record(
                    session, AdminAction.GRANT if grant else AdminAction.REVOKE, actor, subject, role=role, where=where
                )
            return RoleChange(subject.name, subject.aad_object_id, role, grant, changed, coordinators_chat_unset=unset)

        return await in_transaction(self._session_factory, unit)

    async def bootstrap(self, aad_object_ids: Iterable[str]) -> None:
        """``ADMIN_AAD_OBJECT_IDS``: give these people the coordinator and admin roles, at every start, except a role
        that was revoked from them in Teams (the stored grants and revokes are authoritative once made)."""
        wanted = [_aad(a) for a in aad_object_ids if a.strip()]

        async def unit(session: AsyncSession) -> None:
            for aad_object_id in wanted:
                revoked = set(
                    (
                        await session.scalars(
                            select(AdminChange.role).where(
                                AdminChange.subject_aad_object_id == aad_object_id,
                                AdminChange.action == AdminAction.REVOKE,
                            )
                        )
                    ).all()
                )
                roles = [r for r in (Role.COORDINATOR, Role.ADMIN) if r.value not in revoked]
                person = await ensure_person(session, aad_object_id, first_roles=())
                for role in await grant_roles(session, person, roles):
                    self._record(session, AdminAction.GRANT, None, person, role=role)

        await in_transaction(self._session_factory, unit)

    # -- trainers --------------------------------------------------------------------------------------------

    async def trainers(self, actor_aad_object_id: str, code: str) -> list[RunTrainers]:
        async def unit(session: AsyncSession) -> list[RunTrainers]:
            await self._actor(session, actor_aad_object_id, OVERSEERS, "see a run's trainers")
            return [
                RunTrainers(run.code, run.course.title, tuple((t.name, t.person_id is not None) for t in run.trainers))
                for run in await runs_named(session, code)
            ]

        return await in_transaction(self._session_factory, unit)

    async def link_trainer(
        self,
        actor_aad_object_id: str,
        subject_aad_object_id: str,
        subject_name: str,
        code: str,
        *,
        link: bool,
        where: str = "",
    ) -> TrainerLinkChange:
        """Link (``link``) or unlink a trainer to the runs ``code`` names (one run, or every run of a course).
        Linking gives the trainer role to someone without it (recorded too).

        Raises:
            NotAllowed: the actor is neither admin nor coordinator. NotFound: no such run or course.
        """
        subject_aad_object_id = _aad(subject_aad_object_id)
        subject_name = bounded(storable(subject_name), MAX_NAME)

        async def unit(session: AsyncSession) -> TrainerLinkChange:
            actor = await self._actor(session, actor_aad_object_id, OVERSEERS, "link trainers to runs")
            runs = await runs_named(session, code)
            if link:
                subject = await ensure_person(session, subject_aad_object_id, subject_name)
            else:
                found = await find_person(session, subject_aad_object_id)
                if found is None:
                    return TrainerLinkChange(
                        subject_name, subject_aad_object_id, False, (), tuple(r.code for r in runs)
                    )
                subject = found
            changed: list[str] = []
            unchanged: list[str] = []
            for run in runs:
                done = await (link_trainer if link else unlink_trainer)(session, run, subject)
                (changed if done else unchanged).append(run.code)
                if done:
                    action = AdminAction.LINK_TRAINER if link else AdminAction.UNLINK_TRAINER
                    self._record(session, action, actor, subject, run_code=run.code, where=where)
            role_granted = False
            if link and changed and await grant_roles(session, subject, [Role.TRAINER]):
                self._record(session, AdminAction.GRANT, actor, subject, role=Role.TRAINER, where=where)
                role_granted = True
            return TrainerLinkChange(
                subject.name, subject.aad_object_id, link, tuple(changed), tuple(unchanged), role_granted
            )

        return await in_transaction(self._session_factory, unit)

    # -- the record ------------------------------------------------------------------------------------------

    async def history(self, actor_aad_object_id: str, limit: int = 20) -> list[ChangeRecord]:
        """The latest changes, newest first."""
        limit = max(1, min(limit, HISTORY_LIMIT))

        async def unit(session: AsyncSession) -> list[ChangeRecord]:
            await self._actor(session, actor_aad_object_id, OVERSEERS, "see the record of role changes")
            rows = await session.scalars(
                select(AdminChange).order_by(AdminChange.at.desc(), AdminChange.id.desc()).limit(limit)
            )
            return [ChangeRecord(r.at, r.action, r.actor_name, r.subject_name, r.role, r.run_code) for r in rows]

        return await in_transaction(self._session_factory, unit)
