"""One place that builds the bot from settings and the feature list, for the app and for the tests alike.

- ``build_services``: the domain services, each with its policy from the settings (built once at start-up).
- ``build_bot``: the activity handler, its dispatcher and the turn pipeline (middleware, error handler), as
  production runs them; tests install the same pipeline on botbuilder's ``TestAdapter``.
- ``build_renderers`` and ``schedule_jobs``: every feature's notification kinds and periodic jobs, for the
  outbox dispatcher and the scheduler.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from botbuilder.core import BotAdapter, Middleware, TurnContext
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.renderers import Activity, RendererRegistry, default_renderers
from bot.delivery.service import DeliveryService
from bot.meeting_details import ConnectorMeetingDetails
from bot.meeting_participants import ConnectorMeetingParticipants
from bot.personal_chats import RememberPersonalChats
from bot.serial_turns import SerialTurnsMiddleware
from bot.settings import Settings
from bot.teams_bot import DIALOG_STATE_PROPERTY, ClassroomBot
from bot.turn_preload import ConversationDialogState, TurnPreload
from classroom.admin.service import AdminService
from classroom.catalogue.service import CatalogueService
from classroom.certificates.service import CertificateService
from classroom.clock import Clock
from classroom.conversations import ConversationService
from classroom.enquiries.service import EnquiryPolicy, EnquiryService
from classroom.enrolment.policy import EnrolmentPolicy, parse_duration, parse_durations
from classroom.enrolment.service import EnrolmentService
from classroom.errors import TryAgain
from classroom.evaluation.policy import BeforeAt, EvaluationTiming
from classroom.evaluation.service import EvaluationService
from classroom.meetings.policy import MeetingPolicy
from classroom.meetings.service import MeetingService
from classroom.outbox.service import OutboxService
from classroom.people import PeopleService
from classroom.polls.service import PollService
from classroom.privacy.personal_data import PersonalData, Retention
from classroom.privacy.retention import KINDS as RETENTION_KINDS
from classroom.privacy.service import PrivacyPolicy, PrivacyService
from classroom.receipts import ActivityReceipts
from classroom.reflection.policy import ReflectionTiming
from classroom.reflection.privacy import ReflectionData
from classroom.reflection.sealing import Sealer, parse_keys
from classroom.reflection.service import ReflectionService
from dialogs.dialog_progress import PROGRESS_PROPERTY
from dialogs.dispatcher import Dispatcher
from dialogs.feature import Notification
from dialogs.meeting_participants import MeetingRoles
from dialogs.registry import FeatureRegistry
from dialogs.services import Services
from storage.state_storage import ETagConflictError, SqlAlchemyStorage

log = logging.getLogger(__name__)

SessionFactory = async_sessionmaker[AsyncSession]
TurnErrorHandler = Callable[[TurnContext, Exception], Awaitable[None]]


def build_services(
    settings: Settings,
    session_factory: SessionFactory,
    clock: Clock,
    personal_data: Sequence[PersonalData] | None = None,
) -> Services:
    """The services; ``personal_data``: what data protection walks (default: every feature's in bot/features.py)."""
    zone = settings.zone
    enrolment_policy = EnrolmentPolicy(
        zone=zone,
        offer_hold=timedelta(hours=settings.waitlist_offer_hours),
        reminder_offsets=parse_durations(settings.reminder_offsets),
        trainer_reminder_offset=parse_duration(settings.trainer_reminder_offset),
        calendar_link_ttl=timedelta(days=settings.calendar_link_days),
        reflection=ReflectionTiming(
            delay=parse_duration(settings.reflection_delay),
            nudge_after=timedelta(days=settings.reflection_nudge_days),
        ),
        evaluation=EvaluationTiming(
            before_at=BeforeAt(settings.evaluation_before),
            after_open=timedelta(days=settings.evaluation_after_days),
            report_delay=timedelta(days=settings.evaluation_report_days),
        ),
    )
    keys = parse_keys(settings.reflection_keys)
    if not keys:
        log.warning("REFLECTION_KEYS is not set: prompts go out, but reflections cannot be saved")
    enquiry_policy = EnquiryPolicy(
        zone=zone, overdue_after=settings.enquiry_overdue_working_days, digest_cron=settings.enquiry_digest_cron
    )
    if personal_data is None:
        from bot.features import FEATURES  # here, not at the top: the features import the services' module

        personal_data = FeatureRegistry(FEATURES).personal_data
    sealer = Sealer(keys) if keys else None
    # Reflections are sealed: their export needs the keys, which only the settings hold.
    personal_data = [p.sealed_with(sealer) if isinstance(p, ReflectionData) else p for p in personal_data]
    privacy_policy = PrivacyPolicy(
        retention=Retention(
            {kind: timedelta(days=getattr(settings, f"retention_{kind}_days")) for kind in RETENTION_KINDS}
        ),
        export_link_ttl=timedelta(days=settings.my_data_link_days),
    )
    catalogue = CatalogueService(session_factory, clock)
    return Services(
        clock=clock,
        zone=zone,
        public_base_url=settings.browser_base_url,
        dialog_timeout=timedelta(hours=settings.dialog_timeout_hours),
        people=PeopleService(session_factory),
        conversations=ConversationService(session_factory, clock),
        catalogue=catalogue,
        enquiries=EnquiryService(session_factory, clock, enquiry_policy, catalogue=catalogue.snapshot),
        enrolment=EnrolmentService(session_factory, clock, enrolment_policy, catalogue=catalogue.snapshot),
        outbox=OutboxService(session_factory, clock),
        admin=AdminService(session_factory, clock),
        polls=PollService(
            session_factory, clock, zone=zone, export_link_ttl=timedelta(minutes=settings.poll_export_link_minutes)
        ),
        meeting_roles=MeetingRoles(
            ConnectorMeetingParticipants(), fall_back_to_stored_roles=settings.meeting_role_fallback
        ),
        privacy=PrivacyService(session_factory, clock, personal_data, privacy_policy),
        reflection=ReflectionService(session_factory, clock, zone, sealer, enrolment_policy.reflection),
        meetings=MeetingService(
            session_factory,
            clock,
            MeetingPolicy(
                attended_percent=settings.attendance_share_percent,
                reflection=enrolment_policy.reflection,
                evaluation=enrolment_policy.evaluation,
            ),
            export_link_ttl=timedelta(minutes=settings.attendance_export_link_minutes),
        ),
        meeting_details=ConnectorMeetingDetails(),
        certificates=CertificateService(session_factory, clock, zone, sealer),
        evaluation=EvaluationService(
            session_factory,
            clock,
            enrolment_policy.evaluation,
            link_ttl=timedelta(minutes=settings.evaluation_export_link_minutes),
        ),
    )


@dataclass
class BotPipeline:
    """The activity handler and what runs around each of its turns."""

    bot: ClassroomBot
    dispatcher: Dispatcher
    dialog_state: ConversationDialogState
    receipts: ActivityReceipts
    middleware: list[Middleware] = field(default_factory=list)

    def install(self, adapter: BotAdapter) -> None:
        """Run this pipeline's middleware and error handler on ``adapter`` (production's or a test's)."""
        for middleware in self.middleware:
            adapter.use(middleware)
        adapter.on_turn_error = turn_error_handler(self.dialog_state)


def build_bot(services: Services, session_factory: SessionFactory, registry: FeatureRegistry) -> BotPipeline:
    dialog_state = ConversationDialogState(SqlAlchemyStorage(session_factory))
    dispatcher = Dispatcher(
        registry,
        services,
        dialog_state.create_property(DIALOG_STATE_PROPERTY),
        dialog_state.create_property(PROGRESS_PROPERTY),
    )
    receipts = ActivityReceipts(session_factory, services.clock)
    return BotPipeline(
        bot=ClassroomBot(dialog_state, dispatcher),
        dispatcher=dispatcher,
        dialog_state=dialog_state,
        receipts=receipts,
        # One turn at a time per person and conversation; then the activity's claim and the turn's reads in one
        # session; then a 1:1 chat the bot does not know as it is gets stored from the person's message. The claim
        # comes first: a redelivery ends there, so it neither stores the chat again nor is answered twice.
        middleware=[
            SerialTurnsMiddleware(),
            TurnPreload(
                session_factory,
                dialog_state,
                receipts,
                services.clock,
                claimed_by_handler=registry.claims_own_receipt,
            ),
            RememberPersonalChats(services.conversations),
        ],
    )


def turn_error_handler(dialog_state: ConversationDialogState) -> TurnErrorHandler:
    async def on_error(turn_context: TurnContext, error: Exception) -> None:
        if isinstance(error, ETagConflictError):
            # Two turns of one conversation overlapped (e.g. a redelivery); the replies already went out and
            # the other turn's state stands. Nothing to apologise for.
            log.warning("dialog state not saved: %s", error)
            return
        if isinstance(error, TryAgain):
            # The database stayed busy through every retry and nothing was changed; the dialog, unsaved, is still
            # where it was, so the person can simply send the same again.
            log.warning("turn gave up on a busy database: %s", error)
            await _say_safely(turn_context, "I'm very busy right now and nothing was changed. Please try again.")
            return
        log.exception("turn failed: %s", error, exc_info=error)
        try:
            await dialog_state.delete(turn_context)  # a broken dialog must not trap the person in a loop
        except Exception:
            log.exception("could not forget the dialog of a failed turn")
        await _say_safely(
            turn_context,
            "Sorry, something went wrong on our side. Please try again; if it keeps happening, tell the training team.",
        )

    return on_error


async def _say_safely(turn_context: TurnContext, text: str) -> None:
    try:
        await turn_context.send_activity(text)
    except Exception:
        log.exception("could not apologise for a failed turn")


def _card_renderer(notification: Notification[Any], zone: ZoneInfo) -> Callable[[dict[str, Any]], Activity]:
    def render(payload: dict[str, Any]) -> Activity:
        return notification.render(payload, zone).message_json()

    return render


def build_renderers(registry: FeatureRegistry, zone: ZoneInfo) -> RendererRegistry:
    """The outbox's renderers: plain text, and every feature's notification kinds (times shown in ``zone``)."""
    renderers = default_renderers()
    for kind, notification in registry.notifications.items():
        renderers.register(kind, _card_renderer(notification, zone), fresh=notification.fresh)
    return renderers


def schedule_jobs(delivery: DeliveryService, registry: FeatureRegistry, services: Services) -> None:
    for job in registry.jobs(services):
        delivery.add_periodic_job(job.name, job.cron, job.run)
