"""Who may see a run's roster or decide its clashes: its trainers (by the stored person link) and coordinators.

Decided from stored roles and the trainer's person link only, never from names or from what a card sends.
"""

from __future__ import annotations

from classroom.errors import NotAllowed
from storage.models import CourseRun, Person, Role

OVERSEER_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})


def is_coordinator(person: Person) -> bool:
    return bool(person.role_set & OVERSEER_ROLES)


def trains(run: CourseRun, person: Person) -> bool:
    return any(trainer.person_id == person.id for trainer in run.trainers)


def may_oversee(run: CourseRun, person: Person) -> bool:
    return is_coordinator(person) or trains(run, person)


def require_coordinator(person: Person) -> None:
    if not is_coordinator(person):
        raise NotAllowed("only coordinators can do this")
