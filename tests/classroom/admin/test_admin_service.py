"""Administration: who may grant, revoke and link; the last admin kept; every change recorded with who made it;
stored grants and revokes outlasting the ADMIN_AAD_OBJECT_IDS bootstrap; Teams links outlasting a catalogue import."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from classroom.admin import service as admin_service
from classroom.admin.errors import LastAdmin
from classroom.admin.service import AdminService
from classroom.catalogue.importer import import_catalogue
from classroom.coordinators import ChatMember, coordinators_conversation, set_coordinators_conversation
from classroom.enrolment.loading import runs_for_code
from classroom.enrolment.reviewers import clash_reviewers
from classroom.errors import InvalidInput, NotAllowed, NotFound
from classroom.people import PeopleService, assign_roles, lock_holders
from storage.models import AdminAction, AdminChange, PersonRole, Role
from tests.conftest import FakeClock
from tests.support.enquiries import COORDINATORS_CHAT, conversation_record, store_conversations
from tests.support.enrolment import (
    COORDINATOR_AAD,
    MULTI,
    MULTI_RUN,
    ONE_DAY_RUN,
    OTHER_TRAINER_AAD,
    TRAINER_AAD,
    load_world,
    world,
)

ADMIN_AAD = "aad-admin-patti"
SECOND_ADMIN_AAD = "aad-admin-second"
PARTICIPANT_AAD = "aad-participant-alex"
NEWCOMER_AAD = "aad-newcomer-lynne"
FIRST_DAY = date(2027, 3, 1)


@pytest.fixture
async def admin(session_factory: async_sessionmaker[AsyncSession], clock: FakeClock) -> AdminService:
    await load_world(session_factory, world(FIRST_DAY))
    async with session_factory.begin() as session:
        await assign_roles(session, ADMIN_AAD, [Role.ADMIN, Role.COORDINATOR], "Patti Fernandez")
        await assign_roles(session, PARTICIPANT_AAD, [Role.PARTICIPANT], "Alex Wilber")
    return AdminService(session_factory, clock)


async def _changes(session_factory: async_sessionmaker[AsyncSession]) -> list[AdminChange]:
    async with session_factory() as session:
        return list((await session.scalars(select(AdminChange).order_by(AdminChange.id))).all())


async def _roles(session_factory: async_sessionmaker[AsyncSession], aad_object_id: str) -> frozenset[Role]:
    return await PeopleService(session_factory).roles_of(aad_object_id)


async def test_an_admin_grants_a_role_and_it_is_recorded(
    admin: AdminService, session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    change = await admin.change_role(ADMIN_AAD, NEWCOMER_AAD, "Lynne Robbins", Role.COORDINATOR, grant=True)

    assert change.changed and change.granted and change.name == "Lynne Robbins"
    assert Role.COORDINATOR in await _roles(session_factory, NEWCOMER_AAD)
    [record] = await _changes(session_factory)
    assert (record.action, record.role, record.at) == (AdminAction.GRANT, "coordinator", clock.now())
    assert (record.actor_aad_object_id, record.actor_name) == (ADMIN_AAD, "Patti Fernandez")
    assert (record.subject_aad_object_id, record.subject_name) == (NEWCOMER_AAD, "Lynne Robbins")

    again = await admin.change_role(ADMIN_AAD, NEWCOMER_AAD, "Lynne Robbins", Role.COORDINATOR, grant=True)
    assert not again.changed
    assert len(await _changes(session_factory)) == 1  # nothing changed, nothing recorded


@pytest.mark.parametrize("actor", [COORDINATOR_AAD, TRAINER_AAD, PARTICIPANT_AAD, "aad-never-met"])
async def test_only_admins_grant_or_revoke(
    admin: AdminService, session_factory: async_sessionmaker[AsyncSession], actor: str
) -> None:
    with pytest.raises(NotAllowed):
        await admin.change_role(actor, actor, "Me", Role.ADMIN, grant=True)
    with pytest.raises(NotAllowed):
        await admin.change_role(actor, ADMIN_AAD, "Patti", Role.ADMIN, grant=False)
    assert Role.ADMIN not in await _roles(session_factory, actor)
    assert Role.ADMIN in await _roles(session_factory, ADMIN_AAD)
    assert await _changes(session_factory) == []


async def test_participant_is_no_role_to_grant_and_ids_are_bounded(admin: AdminService) -> None:
    with pytest.raises(InvalidInput):
        await admin.change_role(ADMIN_AAD, NEWCOMER_AAD, "Lynne", Role.PARTICIPANT, grant=True)
    for hostile in ("", " ", "a b", "x" * 65):
        with pytest.raises(InvalidInput):
            await admin.change_role(ADMIN_AAD, hostile, "Lynne", Role.TRAINER, grant=True)


async def test_the_last_admin_cannot_revoke_their_own_admin_role(
    admin: AdminService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    with pytest.raises(LastAdmin):
        await admin.change_role(ADMIN_AAD, ADMIN_AAD, "Patti", Role.ADMIN, grant=False)
    assert Role.ADMIN in await _roles(session_factory, ADMIN_AAD)

    await admin.change_role(ADMIN_AAD, SECOND_ADMIN_AAD, "Second", Role.ADMIN, grant=True)
    revoked = await admin.change_role(ADMIN_AAD, ADMIN_AAD, "Patti", Role.ADMIN, grant=False)
    assert revoked.changed
    assert Role.ADMIN not in await _roles(session_factory, ADMIN_AAD)
    with pytest.raises(LastAdmin):  # the second admin is now the last one
        await admin.change_role(SECOND_ADMIN_AAD, SECOND_ADMIN_AAD, "Second", Role.ADMIN, grant=False)
    actions = [(c.action, c.subject_aad_object_id, c.role) for c in await _changes(session_factory)]
    assert actions == [
        (AdminAction.GRANT, SECOND_ADMIN_AAD, "admin"),
        (AdminAction.REVOKE, ADMIN_AAD, "admin"),
    ]


async def test_revoking_a_role_nobody_holds_changes_nothing(
    admin: AdminService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    assert not (await admin.change_role(ADMIN_AAD, "aad-never-met", "X", Role.TRAINER, grant=False)).changed
    assert not (await admin.change_role(ADMIN_AAD, PARTICIPANT_AAD, "X", Role.TRAINER, grant=False)).changed
    assert await _changes(session_factory) == []


async def test_stored_revokes_outlast_the_bootstrap(
    admin: AdminService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """ADMIN_AAD_OBJECT_IDS makes the first admins at every start, but never gives back a role revoked in Teams."""
    await admin.bootstrap([NEWCOMER_AAD, " "])
    assert {Role.ADMIN, Role.COORDINATOR} <= await _roles(session_factory, NEWCOMER_AAD)
    bootstrap = await _changes(session_factory)
    assert [(c.action, c.role, c.actor_aad_object_id) for c in bootstrap] == [
        (AdminAction.GRANT, "coordinator", None),
        (AdminAction.GRANT, "admin", None),
    ]
    await admin.bootstrap([NEWCOMER_AAD])  # the next start: nothing new
    assert len(await _changes(session_factory)) == 2

    await admin.change_role(ADMIN_AAD, NEWCOMER_AAD, "Lynne", Role.ADMIN, grant=False)
    await admin.bootstrap([NEWCOMER_AAD])  # a restart after the revoke
    roles = await _roles(session_factory, NEWCOMER_AAD)
    assert Role.ADMIN not in roles and Role.COORDINATOR in roles


async def test_a_coordinator_links_a_trainer_who_then_decides_its_clashes(
    admin: AdminService, session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    async with session_factory() as session:
        [run] = await runs_for_code(session, ONE_DAY_RUN)
        assert {p.aad_object_id for p in await clash_reviewers(session, run)} == {COORDINATOR_AAD, ADMIN_AAD}

    change = await admin.link_trainer(COORDINATOR_AAD, NEWCOMER_AAD, "Lynne Robbins", ONE_DAY_RUN.lower(), link=True)

    assert change.runs == (ONE_DAY_RUN,) and change.trainer_role_granted
    assert Role.TRAINER in await _roles(session_factory, NEWCOMER_AAD)
    async with session_factory() as session:
        [run] = await runs_for_code(session, ONE_DAY_RUN)
        assert [p.aad_object_id for p in await clash_reviewers(session, run)] == [NEWCOMER_AAD]
    records = [(c.action, c.actor_aad_object_id, c.run_code, c.role) for c in await _changes(session_factory)]
    assert records == [
        (AdminAction.LINK_TRAINER, COORDINATOR_AAD, ONE_DAY_RUN, None),
        (AdminAction.GRANT, COORDINATOR_AAD, None, "trainer"),
    ]
    [listed] = await admin.trainers(COORDINATOR_AAD, ONE_DAY_RUN)
    assert listed.trainers == (("Lynne Robbins", True),)

    clock.advance(timedelta(minutes=1))
    again = await admin.link_trainer(COORDINATOR_AAD, NEWCOMER_AAD, "Lynne Robbins", ONE_DAY_RUN, link=True)
    assert again.runs == () and again.unchanged == (ONE_DAY_RUN,)
    assert len(await _changes(session_factory)) == 2


@pytest.mark.parametrize("actor", [TRAINER_AAD, OTHER_TRAINER_AAD, PARTICIPANT_AAD, "aad-never-met"])
async def test_participants_and_trainers_cannot_link_trainers(
    admin: AdminService, session_factory: async_sessionmaker[AsyncSession], actor: str
) -> None:
    with pytest.raises(NotAllowed):
        await admin.link_trainer(actor, actor, "Me", MULTI_RUN, link=True)
    with pytest.raises(NotAllowed):
        await admin.link_trainer(actor, TRAINER_AAD, "Zoe", MULTI_RUN, link=False)
    with pytest.raises(NotAllowed):
        await admin.trainers(actor, MULTI_RUN)
    with pytest.raises(NotAllowed):
        await admin.role_holders(actor)
    with pytest.raises(NotAllowed):
        await admin.history(actor)
    [listed] = await admin.trainers(COORDINATOR_AAD, MULTI_RUN)
    assert listed.trainers == (("Zoe Rosenfield", True), ("Rebecca Watts", False))
    assert await _changes(session_factory) == []


async def test_an_unknown_code_is_not_found(admin: AdminService) -> None:
    with pytest.raises(NotFound):
        await admin.link_trainer(ADMIN_AAD, NEWCOMER_AAD, "Lynne", "NOPE-1", link=True)


async def test_a_link_made_in_teams_outlasts_a_catalogue_import_and_can_be_undone(
    admin: AdminService, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    await admin.link_trainer(ADMIN_AAD, NEWCOMER_AAD, "Lynne Robbins", MULTI, link=True)  # a course: all its runs

    async with session_factory.begin() as session:
        await import_catalogue(session, world(FIRST_DAY))  # the file knows nothing of Lynne
    [listed] = await admin.trainers(ADMIN_AAD, MULTI_RUN)
    assert listed.trainers == (("Zoe Rosenfield", True), ("Rebecca Watts", False), ("Lynne Robbins", True))

    # Unlinking someone the file lists keeps their name and forgets their account; one linked here goes.
    zoe = await admin.link_trainer(ADMIN_AAD, TRAINER_AAD, "Zoe", MULTI_RUN, link=False)
    lynne = await admin.link_trainer(ADMIN_AAD, NEWCOMER_AAD, "Lynne", MULTI_RUN, link=False)
    assert zoe.runs == lynne.runs == (MULTI_RUN,)
    [listed] = await admin.trainers(ADMIN_AAD, MULTI_RUN)
    assert listed.trainers == (("Zoe Rosenfield", False), ("Rebecca Watts", False))
    async with session_factory() as session:
        [run] = await runs_for_code(session, MULTI_RUN)
        assert [t.position for t in run.trainers] == [1, 2]
        assert {p.aad_object_id for p in await clash_reviewers(session, run)} == {COORDINATOR_AAD, ADMIN_AAD}
    actions = [(c.action, c.subject_aad_object_id) for c in await _changes(session_factory)]
    assert actions[-2:] == [(AdminAction.UNLINK_TRAINER, TRAINER_AAD), (AdminAction.UNLINK_TRAINER, NEWCOMER_AAD)]


async def test_who_holds_which_role_and_the_history(
    admin: AdminService, session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    await admin.change_role(ADMIN_AAD, NEWCOMER_AAD, "Lynne Robbins", Role.TRAINER, grant=True)
    clock.advance(timedelta(minutes=5))
    await admin.change_role(ADMIN_AAD, NEWCOMER_AAD, "Lynne Robbins", Role.TRAINER, grant=False)

    holders = {h.aad_object_id: h.roles for h in await admin.role_holders(COORDINATOR_AAD)}
    assert holders[ADMIN_AAD] == (Role.ADMIN, Role.COORDINATOR)
    assert holders[COORDINATOR_AAD] == (Role.COORDINATOR,)
    assert holders[TRAINER_AAD] == (Role.TRAINER,)
    assert PARTICIPANT_AAD not in holders and NEWCOMER_AAD not in holders

    history = await admin.history(COORDINATOR_AAD)
    assert [(r.action, r.actor_name, r.subject_name) for r in history] == [
        (AdminAction.REVOKE, "Patti Fernandez", "Lynne Robbins"),
        (AdminAction.GRANT, "Patti Fernandez", "Lynne Robbins"),
    ]
    async with session_factory() as session:
        assert await session.scalar(select(PersonRole).where(PersonRole.role == Role.TRAINER).limit(1)) is not None


async def test_two_admins_revoking_each_other_at_once_leave_one_admin(
    admin: AdminService, session_factory: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both revokes pass their admin check and meet before counting the admins; the admin rows are locked while
    counted, so the second count waits for the first revoke and sees it: refused, rather than leaving nobody who
    can grant the role again. (PostgreSQL: SQLite runs one transaction at a time, so they could not meet.)"""
    if session_factory.kw["bind"].dialect.name != "postgresql":
        pytest.skip("two transactions at once need PostgreSQL; SQLite writes one at a time")
    await admin.change_role(ADMIN_AAD, SECOND_ADMIN_AAD, "Second", Role.ADMIN, grant=True)
    arrived, both = [0], asyncio.Event()

    async def counted_together(session: AsyncSession, role: Role) -> int:
        arrived[0] += 1
        if arrived[0] >= 2:
            both.set()
        if arrived[0] <= 2:  # the first two meet here; a retried transaction goes straight on
            await asyncio.wait_for(both.wait(), 10)
        return await lock_holders(session, role)

    monkeypatch.setattr(admin_service, "lock_holders", counted_together)
    outcomes = await asyncio.gather(
        admin.change_role(ADMIN_AAD, SECOND_ADMIN_AAD, "Second", Role.ADMIN, grant=False),
        admin.change_role(SECOND_ADMIN_AAD, ADMIN_AAD, "Patti", Role.ADMIN, grant=False),
        return_exceptions=True,
    )

    assert arrived[0] >= 2
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(refused) == 1 and isinstance(refused[0], LastAdmin), outcomes
    admins = [aad for aad in (ADMIN_AAD, SECOND_ADMIN_AAD) if Role.ADMIN in await _roles(session_factory, aad)]
    assert len(admins) == 1


async def test_revoking_a_coordinator_unsets_the_coordinators_shared_chat_they_may_be_in(
    admin: AdminService, session_factory: async_sessionmaker[AsyncSession], clock: FakeClock
) -> None:
    """Nobody knows who is in the shared chat without asking Teams, so a former coordinator could read enquirers'
    details there: it is unset until a coordinator chooses it again (its members are checked then)."""
    await store_conversations(session_factory, conversation_record(COORDINATORS_CHAT, "groupChat"))
    async with session_factory.begin() as session:
        await set_coordinators_conversation(
            session, COORDINATORS_CHAT, by=ADMIN_AAD, now=clock.now(), members=[ChatMember(ADMIN_AAD, "Patti")]
        )
    trainer_revoked = await admin.change_role(ADMIN_AAD, COORDINATOR_AAD, "", Role.TRAINER, grant=False)
    assert not trainer_revoked.coordinators_chat_unset
    revoked = await admin.change_role(ADMIN_AAD, COORDINATOR_AAD, "", Role.COORDINATOR, grant=False)
    assert revoked.changed and revoked.coordinators_chat_unset
    async with session_factory() as session:
        assert await coordinators_conversation(session) is None
    again = await admin.change_role(ADMIN_AAD, ADMIN_AAD, "", Role.COORDINATOR, grant=False)
    assert again.changed and not again.coordinators_chat_unset  # none was set any more
