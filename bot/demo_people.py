"""Demo roles for the Microsoft 365 Agents Playground's built-in users, so every view can be tried."""

from __future__ import annotations

from dataclasses import dataclass

from storage.models import Role


@dataclass(frozen=True)
class DemoPerson:
    name: str
    aad_object_id: str
    email: str
    roles: tuple[Role, ...]
    playground_user_id: str
    # Recorded as confirmed, from the demo catalogue; None: settled by evidence (the demo catalogue lists the
    # Playground's tenant under Downland County Council) when they first enrol.
    organisation: str | None = None


# The Playground's default mock users (see shared/reference/teams-activities/connector-get-members*.json).
DEMO_PEOPLE = (
    DemoPerson(
        "Alex Wilber",
        "00000000-0000-0000-0000-0000000000020",
        "alexw@example.com",
        (Role.PARTICIPANT,),
        "user-id-0",
        organisation="Brighton & Hove City Council",  # eligible for PERM4
    ),
    DemoPerson(
        "Megan Bowen", "00000000-0000-0000-0000-0000000000021", "meganb@example.com", (Role.TRAINER,), "user-id-1"
    ),
    DemoPerson(
        "Adele Vance", "00000000-0000-0000-0000-0000000000022", "adelev@example.com", (Role.COORDINATOR,), "user-id-2"
    ),
    DemoPerson(
        "Isaiah Langer",
        "00000000-0000-0000-0000-0000000000023",
        "isaiahl@example.com",
        (Role.PARTICIPANT,),
        "user-id-3",  # Downland County Council by the Playground's tenant: PERMPLAN yes, PERM4 no (the refusal)
    ),
    DemoPerson(
        "Patti Fernandez",
        "00000000-0000-0000-0000-0000000000024",
        "pattif@example.com",
        (Role.COORDINATOR, Role.ADMIN),
        "user-id-4",
    ),
    DemoPerson(
        "Lynne Robbins", "00000000-0000-0000-0000-0000000000025", "lynner@example.com", (Role.PARTICIPANT,), "user-id-5"
    ),
)
