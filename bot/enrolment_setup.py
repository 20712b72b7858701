"""Enrolment's part of the host: its settings turned into the policy and options the flows use, and its
minutely periodic job."""

from __future__ import annotations

from datetime import timedelta

from bot.delivery.service import DeliveryService
from bot.settings import Settings
from classroom.clock import Clock
from classroom.enrolment.jobs import HOUSEKEEPING_CRON, HOUSEKEEPING_JOB, enrolment_housekeeping
from classroom.enrolment.policy import EnrolmentPolicy, parse_duration, parse_durations
from dialogs.enrolment_options import EnrolmentOptions


def enrolment_policy(settings: Settings) -> EnrolmentPolicy:
    return EnrolmentPolicy(
        zone=settings.zone,
        offer_hold=timedelta(hours=settings.waitlist_offer_hours),
        reminder_offsets=parse_durations(settings.reminder_offsets),
        trainer_reminder_offset=parse_duration(settings.trainer_reminder_offset),
        calendar_link_ttl=timedelta(days=settings.calendar_link_days),
    )


def public_base_url(settings: Settings) -> str:
    """Where people's browsers reach the bot: PUBLIC_BASE_URL, else https://BOT_DOMAIN, else http://HOST:PORT."""
    if settings.public_base_url:
        return settings.public_base_url.rstrip("/")
    if settings.bot_domain:
        return f"https://{settings.bot_domain}"
    return f"http://{settings.host}:{settings.port}"


def enrolment_options(settings: Settings) -> EnrolmentOptions:
    """For ``MessageDispatcher(services, dialog_state, enrolment=enrolment_options(settings))``."""
    return EnrolmentOptions(policy=enrolment_policy(settings), public_base_url=public_base_url(settings))


def add_enrolment_jobs(delivery: DeliveryService, settings: Settings, clock: Clock) -> None:
    """Every minute, once across replicas: lapse offers and pass places on, announce sessions moved by a catalogue
    import, queue the trainers' reminders, drop long-expired calendar links."""
    delivery.add_periodic_job(
        HOUSEKEEPING_JOB, HOUSEKEEPING_CRON, enrolment_housekeeping(clock, enrolment_policy(settings))
    )
