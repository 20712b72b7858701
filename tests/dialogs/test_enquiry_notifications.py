"""The enquiry notification kinds render to Teams activities from their payloads alone, and whatever a
person typed (or their Teams display name) can only ever appear as literal text, never as markdown, a link
or a mention."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.assembly import build_renderers
from bot.delivery.renderers import RenderError
from bot.features import FEATURES
from classroom.enquiries.actions import Actor, enquirer_writes, reply
from classroom.enquiries.digest import enqueue_digest
from dialogs.registry import FeatureRegistry
from storage.models import OutboxNotification
from tests.support.catalogue import load_demo_catalogue
from tests.support.enquiries import COORDINATOR_AAD, PARTICIPANT_AAD, make_coordinator, submitted

SNEAKY = "[click me](https://evil.example) <at>Everyone</at> **loud** _x_"
LONDON = ZoneInfo("Europe/London")


def texts_by_element(node: Any, found: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """Every (element type, text) in a card: TextBlock texts, TextRun texts, facts, button titles..."""
    found = [] if found is None else found
    if isinstance(node, dict):
        kind = str(node.get("type", ""))
        for key in ("text", "title", "value", "label", "placeholder"):
            if isinstance(node.get(key), str):
                found.append((kind or key, node[key]))
        for key, value in node.items():
            if key != "fallbackText":
                texts_by_element(value, found)
    elif isinstance(node, list):
        for item in node:
            texts_by_element(item, found)
    return found


async def test_every_kind_renders_and_typed_text_stays_literal(session_factory, clock) -> None:
    await load_demo_catalogue(session_factory, clock)
    await make_coordinator(session_factory, name=SNEAKY)  # a coordinator's display name is typed by someone too
    enquiry = await submitted(
        session_factory, clock.now(), name=SNEAKY, organisation=SNEAKY, role=SNEAKY, message=SNEAKY
    )
    async with session_factory.begin() as session:
        await reply(session, enquiry.id, Actor(COORDINATOR_AAD, SNEAKY), SNEAKY, now=clock.now())
        await enquirer_writes(
            session, enquiry.reference, Actor(PARTICIPANT_AAD, SNEAKY), SNEAKY, now=clock.now() + timedelta(minutes=1)
        )
        await enqueue_digest(session, now=clock.now() + timedelta(days=1), zone=LONDON, overdue_after=2)
    async with session_factory() as session:
        rows = list((await session.scalars(select(OutboxNotification).order_by(OutboxNotification.id))).all())
    assert {row.kind for row in rows} == {"enquiries.card", "enquiries.reply", "enquiries.followup", "enquiries.digest"}

    registry = build_renderers(FeatureRegistry(FEATURES), LONDON)
    for row in rows:
        activity = registry.render(row.kind, row.payload)
        assert activity["type"] == "message" and activity["summary"]
        card = activity["attachments"][0]["content"]
        assert SNEAKY in card["fallbackText"], row.kind  # shown...
        places = {kind for kind, text in texts_by_element(card) if "evil.example" in text}
        assert places == {"TextRun"}, (row.kind, places)  # ...but only ever as literal text


@pytest.mark.parametrize("kind", ["enquiries.card", "enquiries.reply", "enquiries.followup", "enquiries.digest"])
def test_a_broken_payload_is_a_render_error(kind: str) -> None:
    registry = build_renderers(FeatureRegistry(FEATURES), LONDON)
    with pytest.raises(RenderError):
        registry.render(kind, {"reference": "ENQ-2026-0001"})


async def test_the_host_renders_the_kinds_and_schedules_the_digest_at_the_set_time(session_factory, clock) -> None:
    from bot.assembly import build_services, schedule_jobs
    from bot.delivery.service import DeliveryService
    from bot.settings import Settings
    from classroom.enquiries.digest import DIGEST_JOB_NAME

    settings = Settings(enquiry_digest_time="08:45", timezone="Europe/London")
    services = build_services(settings, session_factory, clock)
    registry = FeatureRegistry(FEATURES)
    delivery = DeliveryService(
        session_factory=session_factory,
        connector=None,  # type: ignore[arg-type]
        zone=settings.zone,
        clock=clock,
        renderers=build_renderers(registry, settings.zone),
    )
    schedule_jobs(delivery, registry, services)
    assert {"enquiries.card", "enquiries.reply", "enquiries.followup", "enquiries.digest"} <= delivery.renderers.kinds
    job = delivery.scheduler.scheduler.get_job(f"periodic:{DIGEST_JOB_NAME}")
    assert str(job.trigger) == "cron[month='*', day='*', day_of_week='mon-fri', hour='8', minute='45']"
