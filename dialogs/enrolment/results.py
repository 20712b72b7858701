"""The card for where someone stands after taking a place: with a fresh "Add to calendar" link when confirmed."""

from __future__ import annotations

from classroom.enrolment.views import EnrolmentView
from dialogs.cards.base import CardMessage
from dialogs.enrolment.cards.result import build_enrolment_result_card
from dialogs.enrolment.links import calendar_url
from dialogs.services import Services
from storage.models import EnrolmentStatus


async def enrolment_result(services: Services, aad_object_id: str, view: EnrolmentView) -> CardMessage:
    enrolment = services.enrolment
    calendar_link = None
    if view.status == EnrolmentStatus.CONFIRMED:
        # Issued with the place when it was just taken; else a fresh one now.
        link = view.calendar_link or await enrolment.issue_calendar_link(aad_object_id, view.run.run_code)
        calendar_link = calendar_url(services.public_base_url, link.token)
    policy = enrolment.policy
    return build_enrolment_result_card(
        view,
        services.zone,
        calendar_url=calendar_link,
        reminder_offsets=policy.reminder_offsets,
        offer_hold=policy.offer_hold,
    )
