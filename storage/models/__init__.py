"""Every table of the bot. Importing this package registers them all on ``Base.metadata``."""

from storage.base import Base
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
from storage.models.conversations import ConversationRecord
from storage.models.people import Organisation, Person, PersonRole, Role

__all__ = [
    "Base",
    "BotStateRecord",
    "ConversationRecord",
    "Course",
    "CourseRun",
    "LearningOutcome",
    "Organisation",
    "Person",
    "PersonRole",
    "Role",
    "RunEligibleOrganisation",
    "RunPrice",
    "RunSession",
    "RunTrainer",
]
