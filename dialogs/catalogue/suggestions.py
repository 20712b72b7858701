"""A message that is no command may still name a course: offer the courses it matches."""

from __future__ import annotations

from dialogs.catalogue.cards.course_list import build_course_list_card
from dialogs.feature import NotUnderstood


async def suggest_courses(message: NotUnderstood) -> bool:
    request = message.request
    matches = await request.services.catalogue.search(message.phrase)
    if not matches:
        return False
    await request.show(
        build_course_list_card(
            matches,
            request.services.zone,
            title="Did you mean one of these?",
            intro="I didn't recognise that as a command, but these courses match what you wrote.",
        )
    )
    return True
