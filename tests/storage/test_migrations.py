"""The schema comes from Alembic, and the migrations agree with the models."""

from __future__ import annotations

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
