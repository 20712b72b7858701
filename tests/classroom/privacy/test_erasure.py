"""``forget``: two people with every kind of data; one is erased; a walk over every table of the schema finds
nothing of theirs (id, name, email, chat, words they wrote) while the other's rows are exactly as they were; their
booking is kept, anonymised; ``my data`` then shows nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.assembly import build_services
from classroom.errors import NotAllowed
from classroom.privacy.audit import Actor
from classroom.privacy.personal_data import ERASED_NAME
from classroom.privacy.service import PrivacyService
from storage.models import (
    Base,
    CalendarLink,
    Certificate,
    CertificateLink,
    CpdEntry,
    CpdExportLink,
    Enrolment,
    NotificationStatus,
    OutboxNotification,
    Person,
    Poll,
    PollVote,
    Reflection,
    Role,
)
from tests.classroom.enrolment.conftest import FIRST_DAY
from tests.support.bot_harness import default_settings
from tests.support.enrolment import add_person, load_world, world
from tests.support.privacy import SEAL_KEY, Someone, seed_everything

ALEX = Someone("alexandra", 41)
BEA = Someone("beatrix", 42)
PATTI_AAD = "aad-admin-patti"


def _text(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bytes):
        return value.hex()
    return "" if value is None else str(value)


async def rows_mentioning(session_factory: async_sessionmaker[AsyncSession], markers: set[str]) -> dict[str, list]:
    """Every row, in every table of the schema, with a column holding one of ``markers``: table -> rows."""
    found: dict[str, list] = {}
    async with session_factory() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).all():
                cells = [_text(v) for v in row]
                if any(marker in cell for cell in cells for marker in markers):
                    found.setdefault(table.name, []).append(tuple(cells))
    return {table: sorted(rows) for table, rows in found.items()}


@pytest.fixture
async def privacy(session_factory, clock) -> PrivacyService:
    await load_world(session_factory, world(FIRST_DAY))
    await add_person(session_factory, PATTI_AAD, "Patti Fernandez", roles=[Role.ADMIN, Role.COORDINATOR])
    for someone in (ALEX, BEA):
        await seed_everything(session_factory, someone, clock.now())
    return build_services(default_settings(reflection_keys=SEAL_KEY), session_factory, clock).privacy


async def test_seeding_reaches_every_table_that_holds_personal_data(privacy, session_factory) -> None:
    """The erasure test below proves something only if the seed touches every table a feature declares personal."""
    personal = {table for p in privacy.providers for table, columns in p.tables.items() if columns}
    seeded = set(await rows_mentioning(session_factory, ALEX.markers))
    # These hold only ids, hashes and sealed words, reached through the people and enrolments rows they point at
    # (the erasure test counts their rows).
    assert personal - seeded == {
        "person_roles",
        "enrolment_clash_sessions",
        "calendar_links",
        "reflections",
        "cpd_entries",
        "cpd_export_links",
        "completions",
        "attendance_outcomes",
        "certificate_links",
        "evaluation_ratings",  # ratings of a response, under no name: reached through the person's enrolment
    }


async def test_forget_me_leaves_nothing_of_the_person_and_touches_no_one_else(privacy, session_factory) -> None:
    before = await privacy.my_data(ALEX.aad)
    assert {s.title for s in before.sections} >= {
        "Profile",
        "Enquiries",
        "Courses",
        "Poll answers",
        "Chats",
        "Reflections and CPD log",
        "Attendance",
        "Course evaluation answers",
    }
    bea_before = await rows_mentioning(session_factory, BEA.markers)
    bea_data_before = await privacy.my_data(BEA.aad)

    outcome = await privacy.forget(Actor(ALEX.aad, ALEX.name, ALEX.chat), ALEX.aad)

    assert outcome.counts["enquiries deleted"] == 1 and outcome.counts["bookings kept without name"] == 1
    assert await rows_mentioning(session_factory, ALEX.markers) == {}
    assert await rows_mentioning(session_factory, BEA.markers) == bea_before
    assert (await privacy.my_data(BEA.aad)) == bea_data_before
    assert (await privacy.my_data(ALEX.aad)).empty
    async with session_factory() as session:
        # The booking the provider must keep is still there, held by an anonymous person with no roles.
        kept = (
            (
                await session.execute(
                    select(Person).join(Enrolment, Enrolment.person_id == Person.id).where(Person.name == ERASED_NAME)
                )
            )
            .scalars()
            .all()
        )
        assert len(kept) == 1 and kept[0].email is None and kept[0].role_set == frozenset()
        assert kept[0].aad_object_id.startswith("erased-")
        assert (
            await session.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.person_id == kept[0].id))
            == 1
        )
        # Its calendar link (a way in to the person's sessions) is gone; the other person's is not.
        assert await session.scalar(select(func.count()).select_from(CalendarLink)) == 1
        # Their vote in the open anonymous poll (keyed by an HMAC of their id, so no walk can see it) is gone too;
        # the other person's stays.
        anonymous_votes = select(func.count()).select_from(PollVote).join(Poll).where(Poll.anonymous.is_(True))
        assert await session.scalar(anonymous_votes) == 1
        # Their reflections and CPD log (sealed, so no walk can read them) are gone; the other person's stay.
        for table in (Reflection, CpdExportLink):
            assert await session.scalar(select(func.count()).select_from(table)) == 1
        # The other person's CPD log has two entries: their reflection's and their certificate's.
        assert await session.scalar(select(func.count()).select_from(CpdEntry)) == 2
        # Their certificate is deleted (its code no longer verifies), with its download link; the other's stay.
        for table in (Certificate, CertificateLink):
            assert await session.scalar(select(func.count()).select_from(table)) == 1
        # The card about them that coordinators already have is replaced in their chat with one that says nothing.
        shown = await session.scalar(
            select(OutboxNotification).where(OutboxNotification.dedupe_key == "shown-alexandra")
        )
        assert shown is not None and shown.activity_id is not None
        assert (shown.kind, shown.status, shown.payload) == ("outbox.erased", NotificationStatus.PENDING, {})


async def test_an_admin_erases_someone_else_and_nobody_else_may(privacy, session_factory) -> None:
    with pytest.raises(NotAllowed):
        await privacy.forget(Actor(BEA.aad, BEA.name, BEA.chat), ALEX.aad)
    with pytest.raises(NotAllowed):
        await privacy.erasure_preview(Actor(BEA.aad, BEA.name, BEA.chat), ALEX.aad)
    assert not (await privacy.my_data(ALEX.aad)).empty

    preview = await privacy.erasure_preview(Actor(PATTI_AAD, "Patti Fernandez", "19:admins"), ALEX.aad)
    assert preview.name == ALEX.name and preview.kept
    await privacy.forget(Actor(PATTI_AAD, "Patti Fernandez", "19:admins"), ALEX.aad)

    assert await rows_mentioning(session_factory, ALEX.markers) == {}
    [entry] = [e for e in await privacy.audit(PATTI_AAD) if e.action == "privacy.erase"]
    assert (entry.actor_name, entry.subject_name) == ("Patti Fernandez", ERASED_NAME)


async def test_the_download_holds_everything_of_the_person_and_nobody_else(privacy) -> None:
    token, _expires = await privacy.export_link(Actor(ALEX.aad, ALEX.name, ALEX.chat))
    filename, content = await privacy.export_file(token)
    document = json.loads(content)
    text = content.decode("utf-8")

    assert filename.endswith(".json") and document["entra_object_id"] == ALEX.aad
    for marker in ALEX.markers:
        assert marker in text, marker
    assert not any(marker in text for marker in BEA.markers)


async def test_the_only_admin_is_not_erased(privacy, session_factory) -> None:
    """Nobody could grant the admin role again (as with revoke): another admin first."""
    from classroom.admin.errors import LastAdmin

    with pytest.raises(LastAdmin):
        await privacy.forget(Actor(PATTI_AAD, "Patti Fernandez", "a:patti"), PATTI_AAD)
    await add_person(session_factory, "aad-admin-two", "Second Admin", roles=[Role.ADMIN])
    await privacy.forget(Actor(PATTI_AAD, "Patti Fernandez", "a:patti"), PATTI_AAD)
    assert (await privacy.my_data(PATTI_AAD)).empty
