"""Enquiries' part of the host: their notification renderers and the coordinators' daily digest job."""

from __future__ import annotations

from bot.delivery.service import DeliveryService
from bot.notification_renderers import enquiries as enquiry_renderers
from bot.settings import Settings
from classroom.clock import Clock
from classroom.enquiries.digest import DIGEST_JOB_NAME, digest_job


def add_enquiries(delivery: DeliveryService, settings: Settings, clock: Clock) -> None:
    """Render the enquiry notification kinds, and queue the digest at ENQUIRY_DIGEST_TIME on working days.

    The job name must stay ``DIGEST_JOB_NAME``: the digest reads its previous run to know what is new.
    """
    enquiry_renderers.register(delivery.renderers, zone=settings.zone)
    delivery.add_periodic_job(
        DIGEST_JOB_NAME,
        settings.enquiry_digest_cron,
        digest_job(clock, settings.zone, overdue_after=settings.enquiry_overdue_working_days),
    )
