"""For the run's trainers and the coordinators: someone gave up their place, when, and why if they said."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.enrolment.notices import WithdrawnNotice
from dialogs.cards.base import CardMessage, Element, card, facts, field_row, heading, literal, text
from dialogs.enrolment.cards.parts import local_moment, run_span
from storage.models import EnrolmentStatus


def build_withdrawn_notice_card(notice: WithdrawnNotice, zone: ZoneInfo) -> CardMessage:
    run = notice.run
    had = (
        "a place waiting for a clash decision"
        if notice.had_status == EnrolmentStatus.PENDING_REVIEW.value
        else "a confirmed place"
    )
    body: list[Element] = [
        heading(f"Place given up: {run.course_title}", size="Medium"),
        # Names and reasons are typed by people: shown literally, never as markdown.
        field_row("Participant", notice.participant_name),
        field_row("Organisation", notice.organisation_name or "not known"),
        facts(
            [
                ("Run", f"{run.run_code}: {run_span(notice.sessions, zone)}"),
                ("They had", had),
                ("Cancelled", local_moment(notice.withdrawn_at, zone)),
            ]
        ),
    ]
    if notice.reason:
        body.extend([text("They say:"), literal(notice.reason)])
    else:
        body.append(text("They gave no reason.", subtle=True))
    if notice.offered_to_waitlist:
        body.append(text("The place has been offered to the next person on the waitlist."))
    else:
        body.append(text(f"{notice.places_left} of {notice.capacity} places are free now."))
    body.append(text(f"Type **roster {run.run_code}** to see who is coming.", subtle=True))
    return card(body)
