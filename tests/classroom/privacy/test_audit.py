"""The audit log: each privileged action is recorded by the service that performs it, in its transaction, with who,
what, about whom and where; admins read it, filtered by person and by date; nobody else may."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.assembly import build_services
from classroom.catalogue.importer import ImportReport
from classroom.enrolment.enrolments import Clash
from classroom.errors import NotAllowed
from classroom.privacy.audit import Actor
from dialogs.services import Services
from storage.models import Role
from tests.classroom.enrolment.conftest import ALEX, FIRST_DAY
from tests.support.bot_harness import default_settings
from tests.support.enrolment import (
    COORDINATOR_AAD,
    MULTI_RUN,
    TRAINER_AAD,
    add_person,
    load_world,
    weekly_session,
    world,
)

PATTI = "aad-admin-patti"
HERE = "19:admins@thread.v2"


@pytest.fixture
async def services(session_factory, clock) -> Services:
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, PATTI, "Patti Fernandez", roles=[Role.ADMIN, Role.COORDINATOR])
    await add_person(session_factory, ALEX, "Alex Wilber")
    return build_services(default_settings(), session_factory, clock)


async def test_each_privileged_action_is_recorded_with_who_what_and_where(services: Services, clock) -> None:
    await services.admin.change_role(PATTI, ALEX, "Alex Wilber", Role.TRAINER, grant=True, where=HERE)
    await services.admin.link_trainer(PATTI, ALEX, "Alex Wilber", MULTI_RUN, link=True, where=HERE)
    pending = await services.enrolment.enrol(ALEX, MULTI_RUN, clash=Clash((2,), "A court date"))
    await services.enrolment.decide_clash(TRAINER_AAD, pending.id, accept=True, where="19:trainers")
    session_2 = weekly_session(FIRST_DAY, 2)
    moved_to = (session_2[0] + timedelta(days=1), session_2[1] + timedelta(days=1))
    await services.enrolment.move_session(COORDINATOR_AAD, MULTI_RUN, 2, *moved_to, was=session_2, where="a:adele")
    await services.privacy.export_link(Actor(ALEX, "Alex Wilber", "a:alex"))
    report: ImportReport = await services.catalogue.import_document(world(FIRST_DAY))

    entries = {e.action: e for e in await services.privacy.audit(PATTI)}
    assert set(entries) == {
        "admin.grant",
        "admin.link_trainer",
        "enrolment.clash_accept",
        "enrolment.reschedule",
        "privacy.export",
        "catalogue.import",
    }
    grant = entries["admin.grant"]
    assert (grant.actor_name, grant.subject_name, grant.where, grant.details) == (
        "Patti Fernandez",
        "Alex Wilber",
        HERE,
        {"role": "trainer"},
    )
    assert entries["admin.link_trainer"].details == {"run": MULTI_RUN}
    clash = entries["enrolment.clash_accept"]
    assert (clash.subject_name, clash.where, clash.details["run"], clash.details["sessions"]) == (
        "Alex Wilber",
        "19:trainers",
        MULTI_RUN,
        [2],
    )
    reschedule = entries["enrolment.reschedule"]
    assert (reschedule.actor_name, reschedule.where, reschedule.details["session_number"]) == (
        "Adele Vance",
        "a:adele",
        2,
    )
    assert entries["catalogue.import"].where == "cli" and entries["catalogue.import"].actor_name.startswith(
        "classroom-bot"
    )
    assert report is not None


async def test_filters_by_person_and_date_and_only_admins_read_it(services: Services, clock) -> None:
    await services.admin.change_role(PATTI, ALEX, "Alex Wilber", Role.TRAINER, grant=True, where=HERE)
    clock.advance(timedelta(days=3))
    await services.admin.change_role(PATTI, COORDINATOR_AAD, "Adele Vance", Role.TRAINER, grant=True, where=HERE)

    about_alex = await services.privacy.audit(PATTI, person_aad_object_id=ALEX)
    assert [e.subject_name for e in about_alex] == ["Alex Wilber"]
    recent = await services.privacy.audit(PATTI, since=clock.now() - timedelta(days=1))
    assert [e.subject_name for e in recent] == ["Adele Vance"]
    older = await services.privacy.audit(PATTI, until=clock.now() - timedelta(days=1))
    assert [e.subject_name for e in older] == ["Alex Wilber"]
    for someone in (ALEX, COORDINATOR_AAD, "aad-unknown", ""):
        with pytest.raises(NotAllowed):
            await services.privacy.audit(someone)


async def test_an_action_that_fails_records_nothing(services: Services) -> None:
    with pytest.raises(NotAllowed):
        await services.admin.change_role(ALEX, PATTI, "Patti", Role.TRAINER, grant=True, where=HERE)
    assert await services.privacy.audit(PATTI) == []
