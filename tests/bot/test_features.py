"""Adding a feature is its package plus one line in ``bot/features.py``: routing, ``help``, the manifest's command
lists, the outbox's renderers, the scheduler and the running app all come from that list."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.assembly import build_renderers, build_services, schedule_jobs
from bot.delivery.service import DeliveryService
from bot.features import FEATURES
from bot.manifest_package import expected_command_lists
from dialogs import catalogue
from dialogs.feature import Feature
from dialogs.registry import FeatureRegistry
from dialogs.routing import EVERYONE, Router
from storage.models import OutboxNotification
from tests.support import example_feature
from tests.support.bot_harness import LONDON, Conversation, card_text, default_settings, texts
from tests.support.example_feature import WAVE, WaveNotice

WITH_EXAMPLE = (*FEATURES, example_feature.feature)


async def test_a_listed_feature_is_routed_offered_in_help_and_its_buttons_answered(session_factory, clock) -> None:
    chat = Conversation(session_factory, clock, features=WITH_EXAMPLE)
    [greeting] = await chat.say("hello")
    assert "Hello, Alex Wilber!" in card_text(greeting)
    listed = texts(await chat.say("help"))
    assert "hello" in listed and "Say hello" in listed
    answer, _ = await chat.execute(WAVE, {})
    assert answer.body.value["fallbackText"] == "Alex Wilber waved back."

    without = Conversation(session_factory, clock, conversation_id="conv-2")
    [greeted] = await without.say("hello")  # the bot's own greeting, not the feature's wave card
    assert not greeted.attachments and greeted.text.startswith("Hello, Alex!")
    assert "Say hello" not in texts(await without.say("help"))


def test_a_listed_feature_is_in_the_manifests_command_lists() -> None:
    def titles(features: tuple[Feature, ...]) -> dict[str, list[str]]:
        lists = expected_command_lists(FeatureRegistry(features).commands)
        return {entry["scopes"][0]: [command["title"] for command in entry["commands"]] for entry in lists}

    before, after = titles(FEATURES), titles(WITH_EXAMPLE)
    assert all("hello" not in listed for listed in before.values())
    # Team and group-chat menus have room, so it is offered; the personal menu holds ten, all taken before it.
    assert "hello" in after["team"] and "hello" in after["groupChat"]
    assert after["personal"] == before["personal"] and len(after["personal"]) == 10
    assert all(listed[-1] == "help" for listed in after.values())


async def test_a_listed_feature_gets_its_notifications_rendered_and_its_jobs_scheduled(session_factory, clock) -> None:
    registry = FeatureRegistry(WITH_EXAMPLE)
    renderers = build_renderers(registry, LONDON)
    activity = renderers.render(WAVE, WaveNotice(name="Adele").payload())
    assert activity["attachments"][0]["content"]["fallbackText"].startswith("Hello, Adele!")
    assert WAVE not in build_renderers(FeatureRegistry(FEATURES), LONDON).kinds

    services = build_services(default_settings(), session_factory, clock)
    delivery = DeliveryService(
        session_factory=session_factory,
        connector=None,  # type: ignore[arg-type]  # never started: nothing is sent
        zone=LONDON,
        clock=clock,
        renderers=renderers,
    )
    schedule_jobs(delivery, registry, services)
    job = delivery.scheduler.scheduler.get_job("periodic:greetings-morning")
    assert str(job.trigger) == "cron[month='*', day='*', day_of_week='mon-fri', hour='8', minute='0']"
    assert await delivery.scheduler.run_periodic("greetings-morning") is True
    async with session_factory() as session:
        [queued] = (await session.scalars(select(OutboxNotification))).all()
    assert (queued.kind, queued.payload, queued.conversation_key) == (
        WAVE,
        {"name": "everyone"},
        "19:greetings@thread.v2",
    )


async def test_the_running_app_takes_its_features_from_the_list(app_factory_with, activity, connector) -> None:
    async with app_factory_with(features=WITH_EXAMPLE) as client:
        response = await client.post("/api/messages", json=activity("personal-message", text="hello"))
        assert response.status in (200, 201)
    [reply] = connector.bodies()
    assert reply["attachments"][0]["content"]["fallbackText"].startswith("Hello, ")


def test_a_command_must_say_who_may_use_it() -> None:
    router = Router()
    with pytest.raises(TypeError, match="roles"):
        router.command("hello", description="Say hello")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="no role may use it"):
        router.command("hello", roles=[], description="Say hello")
    router.command("hello", roles=EVERYONE, description="Say hello")  # the explicit rule for everyone


def test_nothing_is_registered_twice() -> None:
    with pytest.raises(ValueError, match="listed twice"):
        FeatureRegistry((*FEATURES, catalogue.feature))
    twin = Feature(name="twin", commands=catalogue.feature.commands)
    with pytest.raises(ValueError, match="command 'courses' registered twice"):
        FeatureRegistry((*FEATURES, twin))
    echo = Feature(name="echo", notifications=example_feature.feature.notifications)
    with pytest.raises(ValueError, match="notification kind 'greetings.wave' registered twice"):
        FeatureRegistry((*WITH_EXAMPLE, echo))
