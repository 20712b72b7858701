"""What the enrolment flows need from the host's configuration, handed to the dispatcher at start-up."""

from __future__ import annotations

from dataclasses import dataclass, field

from classroom.enrolment.policy import EnrolmentPolicy

# Where the host serves calendar downloads (bot/calendar_routes.py registers the route under this prefix).
CALENDAR_PATH_PREFIX = "/calendar/"


@dataclass(frozen=True)
class EnrolmentOptions:
    """Attributes:
    policy: offer hold, reminder offsets, calendar link lifetime, timezone.
    public_base_url: the address people's browsers reach the bot at (for "Add to calendar" links).
    """

    policy: EnrolmentPolicy = field(default_factory=EnrolmentPolicy)
    public_base_url: str = "http://127.0.0.1:3978"

    def calendar_url(self, token: str) -> str:
        return f"{self.public_base_url.rstrip('/')}{CALENDAR_PATH_PREFIX}{token}.ics"
