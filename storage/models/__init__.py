"""Every table of the bot. Importing this package registers them all on ``Base.metadata``."""

from storage.base import Base
from storage.models.activity_receipts import ActivityReceipt
from storage.models.admin import AdminAction, AdminChange
from storage.models.bot_state import BotStateRecord
from storage.models.catalogue import (
    Course,
    CourseRun,
    LearningOutcome,
    RunEligibleOrganisation,
    RunPrice,
    RunSession,
    RunTrainer,
)
from storage.models.catalogue_version import CatalogueVersion
from storage.models.certificates import Certificate, CertificateLink
from storage.models.conversations import ConversationRecord
from storage.models.designated_conversations import DesignatedConversation
from storage.models.enquiries import Enquiry, EnquiryAction, EnquiryCounter, EnquiryEvent, EnquiryKind, EnquiryStatus
from storage.models.enrolment import (
    AnnouncedSessionTime,
    CalendarLink,
    Enrolment,
    EnrolmentClashSession,
    EnrolmentStatus,
)
from storage.models.evaluation import (
    EvaluationExportLink,
    EvaluationPhase,
    EvaluationRating,
    EvaluationResponse,
    EvaluationRunKey,
)
from storage.models.meetings import (
    AttendanceCorrection,
    AttendanceEvent,
    AttendanceExportLink,
    AttendanceOutcome,
    AttendanceStatus,
    Completion,
    MeetingSession,
    ParticipantEvent,
)
from storage.models.outbox import NotificationStatus, OutboxNotification, PeriodicJobRun
from storage.models.people import (
    EvidenceKind,
    Organisation,
    OrganisationEvidence,
    OrganisationStatus,
    Person,
    PersonRole,
    Role,
)
from storage.models.poll_exports import PollExportLink
from storage.models.polls import (
    ChatRunLink,
    Poll,
    PollKind,
    PollOption,
    PollResults,
    PollStatus,
    PollVote,
    PollVotePick,
    PreparedPoll,
)
from storage.models.privacy import AuditEntry, DataExportLink
from storage.models.reflection import CpdEntry, CpdExportLink, Reflection, ReflectionStatus

__all__ = [
    "AttendanceExportLink",
    "ParticipantEvent",
    "MeetingSession",
    "Completion",
    "AttendanceStatus",
    "AttendanceEvent",
    "AttendanceOutcome",
    "AttendanceCorrection",
    "Base",
    "ActivityReceipt",
    "AdminAction",
    "AdminChange",
    "AnnouncedSessionTime",
    "AuditEntry",
    "ChatRunLink",
    "BotStateRecord",
    "CalendarLink",
    "CatalogueVersion",
    "Certificate",
    "CertificateLink",
    "ConversationRecord",
    "Course",
    "CourseRun",
    "DataExportLink",
    "CpdEntry",
    "CpdExportLink",
    "DesignatedConversation",
    "Enquiry",
    "EnquiryAction",
    "EnquiryCounter",
    "EnquiryEvent",
    "EnquiryKind",
    "EnquiryStatus",
    "Enrolment",
    "EnrolmentClashSession",
    "EnrolmentStatus",
    "EvaluationExportLink",
    "EvaluationPhase",
    "EvaluationRating",
    "EvaluationResponse",
    "EvaluationRunKey",
    "EvidenceKind",
    "LearningOutcome",
    "NotificationStatus",
    "Organisation",
    "OrganisationEvidence",
    "OrganisationStatus",
    "OutboxNotification",
    "PeriodicJobRun",
    "Person",
    "PersonRole",
    "Poll",
    "PollExportLink",
    "PollKind",
    "PollOption",
    "PollResults",
    "PollStatus",
    "PollVote",
    "PollVotePick",
    "PreparedPoll",
    "Reflection",
    "ReflectionStatus",
    "Role",
    "RunEligibleOrganisation",
    "RunPrice",
    "RunSession",
    "RunTrainer",
]
