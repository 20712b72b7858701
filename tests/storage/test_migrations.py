"""The schema comes from Alembic, and the migrations agree with the models."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.migrate import alembic_config, upgrade
from storage.models import Base


async def test_migrations_create_every_table(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


async def test_models_and_migrations_agree(engine: AsyncEngine) -> None:
    def diff(connection):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with engine.connect() as connection:
        differences = await connection.run_sync(diff)
    assert differences == [], f"models and migrations disagree: {differences}"


async def test_upgrade_is_idempotent(engine: AsyncEngine) -> None:
    await upgrade(engine)  # already at head: must be a no-op, not an error
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert "courses" in tables


OLD_CARD = {
    "id": 7,
    "reference": "ENQ-2026-0007",
    "kind": "question",
    "status": "awaiting_reply",
    "enquirer_name": "Alex Wilber",
    "enquirer_email": "alex@example.org",
    "organisation": "Brighton & Hove City Council",
    "job_role": "Social worker",
    "courses": [["PERM4", "Permanence"]],
    "message": "Is there a date in March?",
    "created_at": "2026-11-23T09:00:00+00:00",
    "events": [{"action": "created", "actor": "Alex Wilber", "at": "2026-11-23T09:00:00+00:00", "text": None}],
    "earlier_events": 0,
}


async def test_enquiry_notifications_queued_before_0006_still_render(engine: AsyncEngine) -> None:
    """Rows queued under the old kind names and card payload shape are renamed and reshaped, and the
    production renderers draw them; downgrading gives the old rows back."""
    from sqlalchemy import insert, select

    from bot.assembly import build_renderers
    from bot.features import FEATURES
    from dialogs.registry import FeatureRegistry
    from storage.models import OutboxNotification

    await _migrate(engine, "downgrade", "0005")
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    rows = [
        ("enquiry_card", OLD_CARD),
        (
            "enquiry_reply",
            {
                "enquiry_id": 7,
                "reference": "ENQ-2026-0007",
                "kind": "question",
                "from_name": "Adele",
                "text": "Yes",
                "at": now.isoformat(),
            },
        ),
    ]
    async with engine.begin() as connection:
        for n, (kind, payload) in enumerate(rows):
            await connection.execute(
                insert(OutboxNotification.__table__).values(
                    dedupe_key=f"old-{n}",
                    kind=kind,
                    recipient_aad_object_id="aad-1",
                    payload=payload,
                    status="pending",
                    due_at=now,
                    next_attempt_at=now,
                    attempts=0,
                    created_at=now,
                    updated_at=now,
                )
            )
    await upgrade(engine)
    async with engine.connect() as connection:
        migrated = (
            await connection.execute(
                select(OutboxNotification.kind, OutboxNotification.payload).order_by(OutboxNotification.id)
            )
        ).all()
    assert [kind for kind, _ in migrated] == ["enquiries.card", "enquiries.reply"]
    renderers = build_renderers(FeatureRegistry(FEATURES), ZoneInfo("Europe/London"))
    card = renderers.render(*migrated[0])["attachments"][0]["content"]
    assert "ENQ-2026-0007" in card["fallbackText"] and "Permanence" in card["fallbackText"]
    assert "Yes" in renderers.render(*migrated[1])["attachments"][0]["content"]["fallbackText"]

    await _migrate(engine, "downgrade", "0005")
    async with engine.connect() as connection:
        restored = (
            await connection.execute(
                select(OutboxNotification.kind, OutboxNotification.payload).order_by(OutboxNotification.id)
            )
        ).all()
    assert restored[0] == ("enquiry_card", OLD_CARD)
    await upgrade(engine)


async def _migrate(engine: AsyncEngine, direction: str, revision: str) -> None:
    def run(connection) -> None:  # type: ignore[no-untyped-def]
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = connection
        getattr(command, direction)(config, revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)


def _revision_before(revision: str) -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    down = script.get_revision(revision).down_revision
    assert isinstance(down, str)
    return down


async def test_clashes_and_what_points_at_enrolments_survive_0010_both_ways(engine: AsyncEngine, clock) -> None:
    """Each enrolment's one clash session moves into enrolment_clash_sessions and back (the first of several);
    the calendar links pointing at enrolments survive SQLite's rebuild of the table, queued clash cards are
    reshaped and still render, and foreign keys are on again afterwards."""
    from sqlalchemy import select, text

    from bot.assembly import build_renderers
    from bot.features import FEATURES
    from classroom.enrolment import notices
    from classroom.enrolment.enrolments import Clash
    from classroom.enrolment.service import EnrolmentService
    from dialogs.registry import FeatureRegistry
    from storage.engine import create_session_factory
    from storage.models import OutboxNotification
    from tests.classroom.enrolment.conftest import FIRST_DAY
    from tests.support.enrolment import MULTI_RUN, add_person, load_world, world

    factory = create_session_factory(engine)
    await load_world(factory, world(FIRST_DAY))
    await add_person(factory, "aad-alex", "Alex Wilber")
    service = EnrolmentService(factory, clock)
    await service.enrol("aad-alex", MULTI_RUN, clash=Clash((2, 3), "court"))
    link = await service.issue_calendar_link("aad-alex", MULTI_RUN)

    await _migrate(engine, "downgrade", _revision_before("0010"))
    async with engine.connect() as connection:
        kept = (
            await connection.execute(
                text(
                    "SELECT s.position FROM enrolments e JOIN run_sessions s ON s.id = e.clash_session_id"
                    " UNION ALL SELECT -count(*) FROM calendar_links"
                )
            )
        ).all()
        [old_card] = (
            await connection.execute(text("SELECT payload FROM outbox WHERE kind = :k"), {"k": notices.CLASH_REVIEW})
        ).all()
    assert sorted(row[0] for row in kept) == [-1, 2]  # the first clash session; the calendar link is still there
    payload = old_card[0] if isinstance(old_card[0], dict) else json.loads(old_card[0])  # SQLite: JSON as text
    assert payload["clash_session"]["position"] == 2 and "clash_sessions" not in payload

    await upgrade(engine)
    async with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    [view] = await service.my_enrolments("aad-alex")
    assert [s.position for s in view.clash_sessions] == [2]
    calendar = await service.calendar_file(link.token)  # the link survived the rebuild
    assert calendar.content.count(b"BEGIN:VEVENT") == 3
    async with factory() as session:
        card = await session.scalar(select(OutboxNotification).where(OutboxNotification.kind == notices.CLASH_REVIEW))
    assert card is not None and [s["position"] for s in card.payload["clash_sessions"]] == [2]
    renderers = build_renderers(FeatureRegistry(FEATURES), ZoneInfo("Europe/London"))
    rendered = renderers.render(card.kind, card.payload)["attachments"][0]["content"]["fallbackText"]
    assert "Session 2 of 4: Monday 21 December 2026" in rendered


async def test_outbox_expiry_0014_both_ways_keeps_queued_rows(engine: AsyncEngine) -> None:
    from sqlalchemy import text

    from classroom.outbox import TextNotice, enqueue
    from storage.engine import create_session_factory

    factory = create_session_factory(engine)
    now = datetime(2026, 12, 4, 9, tzinfo=UTC)
    async with factory.begin() as session:
        await enqueue(session, TextNotice(text="hi"), due_at=now, dedupe_key="k", recipient="aad-1", expires_at=now)

    async def columns() -> set[str]:
        async with engine.connect() as connection:
            found = await connection.run_sync(lambda c: inspect(c).get_columns("outbox"))
        return {column["name"] for column in found}

    await _migrate(engine, "downgrade", _revision_before("0014"))
    assert "expires_at" not in await columns()
    await upgrade(engine)
    assert "expires_at" in await columns()
    async with engine.connect() as connection:
        kept = (await connection.execute(text("SELECT dedupe_key, expires_at FROM outbox"))).all()
    assert [(key, expiry) for key, expiry in kept] == [("k", None)]  # the row survives; its expiry went with 0014


async def test_0011_marks_earlier_choices_pending_and_downgrades_keeping_the_organisation(engine: AsyncEngine) -> None:
    """Organisations people chose before 0011 were never checked: they become pending. Downgrading drops the
    evidence and the status, and keeps each person's organisation."""
    from sqlalchemy import text

    await _migrate(engine, "downgrade", "0010")
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO organisations (id, name, price_band) VALUES (1, 'Kent', 2)"))
        for n, organisation in ((1, 1), (2, None)):
            await connection.execute(
                text(
                    "INSERT INTO people (id, aad_object_id, name, organisation_id, created_at, updated_at)"
                    " VALUES (:id, :aad, 'Someone', :organisation, :now, :now)"
                ),
                {"id": n, "aad": f"aad-{n}", "organisation": organisation, "now": now},
            )
    await upgrade(engine)
    async with engine.begin() as connection:
        rows = (await connection.execute(text("SELECT id, organisation_status FROM people ORDER BY id"))).all()
        assert [tuple(r) for r in rows] == [(1, "pending"), (2, None)]
        await connection.execute(
            text(
                "INSERT INTO organisation_evidence (organisation_id, kind, value)"
                " VALUES (1, 'email_domain', 'kent.gov.uk')"
            )
        )
    await _migrate(engine, "downgrade", "0010")
    async with engine.connect() as connection:
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        columns = await connection.run_sync(lambda c: {col["name"] for col in inspect(c).get_columns("people")})
        kept = (await connection.execute(text("SELECT organisation_id FROM people ORDER BY id"))).all()
    assert "organisation_evidence" not in tables and "organisation_status" not in columns
    assert [r[0] for r in kept] == [1, None]
    await upgrade(engine)
    async with engine.connect() as connection:
        rows = (await connection.execute(text("SELECT organisation_status FROM people ORDER BY id"))).all()
    assert [r[0] for r in rows] == ["pending", None]


POLL_TABLES = {"chat_run_links", "polls", "poll_options", "poll_votes"}


async def test_0013_adds_the_poll_tables_and_takes_them_away_again(engine: AsyncEngine, clock) -> None:
    """Down to 0012: the poll tables go and everything else stays (a course run among it); up again: a chat is
    linked and a poll with a vote is stored, and foreign keys are on again afterwards."""
    from sqlalchemy import text

    from classroom.polls.polls import Voter
    from classroom.polls.service import PollService
    from storage.engine import create_session_factory
    from tests.support.polls import GROUP_CHAT, ZOE, chat_info, draft, load_poll_world

    factory = create_session_factory(engine)
    await load_poll_world(factory)

    async def tables() -> set[str]:
        async with engine.connect() as connection:
            return await connection.run_sync(lambda c: set(inspect(c).get_table_names()))

    assert await tables() >= POLL_TABLES
    await _migrate(engine, "downgrade", _revision_before("0013"))
    assert _revision_before("0013") == "0012"
    left = await tables()
    assert not POLL_TABLES & left and {"course_runs", "outbox", "people"} <= left
    async with engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM course_runs")) == 2

    await upgrade(engine)
    assert await tables() >= POLL_TABLES
    polls = PollService(factory, clock)
    await polls.link(chat_info(), "PERMX-A", by=ZOE)
    poll = await polls.launch(GROUP_CHAT, draft(), by=ZOE)
    outcome = await polls.vote(poll.id, poll.options[0].id, Voter("aad-alex", "Alex Wilber"))
    assert outcome.view.voters == 1
    async with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1


async def test_0017_poll_kinds_both_ways_keeps_single_choice_polls_and_drops_the_new_kinds(
    engine: AsyncEngine, clock
) -> None:
    """Up: every kind is stored (a multiple-choice vote's picks among them). Down to 0016: polls of the new kinds
    go with their votes, a single-choice poll and its vote stay; up again works."""
    from sqlalchemy import text

    from classroom.polls.ballots import Picks
    from classroom.polls.kinds import MultipleChoice, PollDraft
    from classroom.polls.polls import Voter
    from classroom.polls.service import PollService
    from storage.engine import create_session_factory
    from tests.support.polls import GROUP_CHAT, ZOE, chat_info, draft, load_poll_world

    factory = create_session_factory(engine)
    await load_poll_world(factory)
    polls = PollService(factory, clock)
    await polls.link(chat_info(), "PERMX-A", by=ZOE)
    single = await polls.launch(GROUP_CHAT, draft(), by=ZOE)
    await polls.vote(single.id, single.options[0].id, Voter("aad-alex", "Alex Wilber"))
    multiple = await polls.launch(GROUP_CHAT, PollDraft("Which?", MultipleChoice(("a", "b", "c"), 2)), by=ZOE)
    picks = Picks(frozenset({multiple.options[0].id, multiple.options[2].id}))
    await polls.answer(multiple.id, picks, Voter("aad-alex", "Alex Wilber"))

    await _migrate(engine, "downgrade", _revision_before("0017"))
    async with engine.connect() as connection:
        kept = (await connection.execute(text("SELECT id, kind FROM polls"))).all()
        votes = (await connection.execute(text("SELECT poll_id FROM poll_votes"))).all()
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert [tuple(r) for r in kept] == [(single.id, "single_choice")] and [r[0] for r in votes] == [single.id]
    assert "poll_vote_picks" not in tables
    await upgrade(engine)
    again = await polls.launch(GROUP_CHAT, PollDraft("Which?", MultipleChoice(("a", "b", "c"), 2)), by=ZOE)
    assert (await polls.answer(again.id, Picks(frozenset({again.options[1].id})), Voter("aad-x", "X"))).view.voters == 1


async def test_0018_adds_the_privacy_tables_and_takes_them_away_again(engine: AsyncEngine, clock) -> None:
    """Down to the revision before: the download links and the audit log go, everything else stays; up again: an
    audit entry and a download link are stored."""
    from datetime import timedelta

    from sqlalchemy import text

    from classroom.privacy.audit import Actor, record_audit
    from classroom.privacy.export_links import issue_export_link, owner_of_token
    from storage.engine import create_session_factory

    privacy_tables = {"data_export_links", "audit_entries"}

    async def tables() -> set[str]:
        async with engine.connect() as connection:
            return await connection.run_sync(lambda c: set(inspect(c).get_table_names()))

    assert await tables() >= privacy_tables
    await _migrate(engine, "downgrade", _revision_before("0018"))
    left = await tables()
    assert not privacy_tables & left and {"people", "outbox", "admin_changes"} <= left

    await upgrade(engine)
    factory = create_session_factory(engine)
    async with factory.begin() as session:
        token, _expires = await issue_export_link(session, "aad-alex", clock.now(), timedelta(days=7))
        record_audit(session, clock.now(), "privacy.export", Actor("aad-alex", "Alex Wilber", "a:1"), shown=["x"])
    async with factory() as session:
        assert await owner_of_token(session, token, clock.now()) == "aad-alex"
        assert await session.scalar(text("SELECT count(*) FROM audit_entries")) == 1


async def test_every_catalogue_table_keeps_its_version_triggers_up_and_down(engine: AsyncEngine) -> None:
    """The catalogue in memory relies on triggers (0015); a later migration that rebuilds a catalogue table (SQLite's
    batch mode) must not lose them, going up or down."""
    from sqlalchemy import text

    from storage.models.catalogue_version import CATALOGUE_TABLES

    async def tables_with_triggers() -> set[str]:
        query = (
            "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'"
            if engine.dialect.name == "sqlite"
            else "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal"
        )
        async with engine.connect() as connection:
            return {row[0] for row in (await connection.execute(text(query))).all()}

    assert set(CATALOGUE_TABLES) <= await tables_with_triggers()
    await _migrate(engine, "downgrade", "0015")
    assert set(CATALOGUE_TABLES) <= await tables_with_triggers()
    await upgrade(engine)
    assert set(CATALOGUE_TABLES) <= await tables_with_triggers()


async def test_sqlite_catalogue_triggers_compare_every_column_shown(engine: AsyncEngine) -> None:
    """SQLite's update triggers list the columns whose change is a change to show (0015): a column added to a
    catalogue table later and left out would let a kept copy of the catalogue go stale unnoticed (0024)."""
    from sqlalchemy import text

    from storage.models.catalogue_version import CATALOGUE_TABLES

    if engine.dialect.name != "sqlite":
        return  # PostgreSQL's triggers fire on every statement, whatever it changes
    bookkeeping = {"id", "created_at", "updated_at"}
    async with engine.connect() as connection:
        for table in CATALOGUE_TABLES:
            trigger = await connection.scalar(
                text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
                {"name": f"{table}_updated"},
            )
            shown = {column.name for column in Base.metadata.tables[table].columns} - bookkeeping
            assert {column for column in shown if f"NEW.{column} " not in trigger} == set(), table


async def test_0025_adds_the_run_and_status_index_and_takes_it_away_again(engine: AsyncEngine) -> None:
    async def indexes() -> set[str]:
        async with engine.connect() as connection:
            found = await connection.run_sync(lambda c: inspect(c).get_indexes("enrolments"))
        return {index["name"] for index in found if index["name"]}

    assert "ix_enrolments_run_id_status" in await indexes()
    await _migrate(engine, "downgrade", _revision_before("0025"))
    assert "ix_enrolments_run_id_status" not in await indexes()
    await upgrade(engine)
    assert "ix_enrolments_run_id_status" in await indexes()
