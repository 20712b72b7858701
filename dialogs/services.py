"""What features are handed at start-up: the domain's services (each owns its transactions), the clock and
where people are. Built once by the host; dialogs never open a database session themselves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from classroom.admin.service import AdminService
from classroom.catalogue.service import CatalogueService
from classroom.certificates.service import CertificateService
from classroom.clock import Clock
from classroom.conversations import ConversationService
from classroom.enquiries.service import EnquiryService
from classroom.enrolment.service import EnrolmentService
from classroom.evaluation.service import EvaluationService
from classroom.meetings.service import MeetingService
from classroom.outbox.service import OutboxService
from classroom.people import PeopleService
from classroom.polls.service import PollService
from classroom.privacy.service import PrivacyService
from classroom.reflection.service import ReflectionService
from dialogs.meeting_details import MeetingDetailsSource, NoMeetingDetails
from dialogs.meeting_participants import MeetingRoles


@dataclass(frozen=True)
class Services:
    """Attributes:
    clock: the only source of "now".
    zone: the time zone people see (``TIMEZONE``, Europe/London by default).
    public_base_url: where people's browsers reach the bot (downloads such as "Add to calendar" links).
    dialog_timeout: how long a dialog waits for an answer before it is closed (``DIALOG_TIMEOUT_HOURS``).
    meeting_roles: people's roles in a Teams meeting, asked of Teams (the host plugs in its connector).
    meeting_details: a meeting's join URL and scheduled times, asked of Teams (the host plugs in its connector).
    """

    clock: Clock
    zone: ZoneInfo
    public_base_url: str
    dialog_timeout: timedelta
    people: PeopleService
    conversations: ConversationService
    catalogue: CatalogueService
    enquiries: EnquiryService
    enrolment: EnrolmentService
    outbox: OutboxService
    admin: AdminService
    polls: PollService
    meeting_roles: MeetingRoles
    privacy: PrivacyService
    reflection: ReflectionService
    meetings: MeetingService
    certificates: CertificateService
    evaluation: EvaluationService
    meeting_details: MeetingDetailsSource = field(default_factory=NoMeetingDetails)
