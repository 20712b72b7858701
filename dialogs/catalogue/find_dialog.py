"""``find``: asks what to look for (unless given), then lists the matching courses.

A small multi-step dialog; its state lives in the database, so an answer given after a restart of the
bot (or to another replica) still finds the question it belongs to.
"""

from __future__ import annotations

from botbuilder.core import MessageFactory
from botbuilder.dialogs import DialogTurnResult, WaterfallDialog, WaterfallStepContext
from botbuilder.dialogs.prompts import PromptOptions, PromptValidatorContext

from classroom.catalogue.queries import search_words
from dialogs.cards.formatting import without_markdown
from dialogs.cards.messages import card_activity
from dialogs.catalogue.cards.course_list import build_course_list_card
from dialogs.questions import Question
from dialogs.resumable import ResumableDialog
from dialogs.services import Services
from dialogs.step_values import recognised_text, text

FIND_DIALOG = "find"
_QUERY_PROMPT = "find.query"
MAX_QUERY_LENGTH = 200


async def _query_is_usable(prompt: PromptValidatorContext) -> bool:
    value = recognised_text(prompt).strip()
    return prompt.recognized.succeeded and 0 < len(value) <= MAX_QUERY_LENGTH and bool(search_words(value))


class FindCoursesDialog(ResumableDialog):
    def __init__(self, services: Services) -> None:
        super().__init__(FIND_DIALOG, topic="your search")
        self._services = services
        # Its only question: a command typed there is run instead (leaving the search loses nothing).
        self.add_dialog(Question(_QUERY_PROMPT, _query_is_usable, gives_way=True))
        self.add_dialog(WaterfallDialog(f"{FIND_DIALOG}.steps", [self._ask, self._show]))
        self.initial_dialog_id = f"{FIND_DIALOG}.steps"  # type: ignore[assignment]  # botbuilder types it None

    async def _ask(self, step: WaterfallStepContext) -> DialogTurnResult:
        query = (step.options or {}).get("query", "") if isinstance(step.options, dict) else ""
        if query.strip():
            return await step.next(query.strip())
        return await step.prompt(
            _QUERY_PROMPT,
            PromptOptions(
                prompt=MessageFactory.text(
                    "What are you looking for? A topic, a word from the title or a course code "
                    "(for example: permanence, court, PERM4). Type cancel to stop."
                ),
                retry_prompt=MessageFactory.text(
                    f"Please type a word or two to search for (at most {MAX_QUERY_LENGTH} characters), or cancel."
                ),
            ),
        )

    async def _show(self, step: WaterfallStepContext) -> DialogTurnResult:
        query = text(step.result)
        found = await self._services.catalogue.search(query)
        words = without_markdown(" ".join(search_words(query)))  # "_word_" would be italic
        intro = f"{len(found)} course{'s' if len(found) != 1 else ''} matching \u201c{words}\u201d:" if found else None
        await step.context.send_activity(
            card_activity(build_course_list_card(found, self._services.zone, title="Search results", intro=intro))
        )
        return await step.end_dialog(len(found))
