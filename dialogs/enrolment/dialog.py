"""``enrol CODE``: dates, organisation, eligibility, price and every session, then a confirmed place, a place
under trainer review, or the waitlist.

Steps: pick the run when the course has several open; ask the organisation if we do not know it; explain a
refusal when the person is not eligible; show the terms (every session, the price for their band, places or
the waitlist) and ask "I can attend every date" / "I have a clash" / "No thanks" (a place offered from the
waitlist, whose card showed the terms, may start at the clash: ``{"decision": CLASH}``); for a clash, which session
and why; then enrol and show the result with the join link and an "Add to calendar" link. Each choice is a
button on its question's card (``dialogs.cards.answers``), and typing the answer (its number, or its words) works
too. A command typed at a choice runs and the choice is asked again; typed at the clash's reason (free text) it
is only offered (``dialogs/questions.py``). The dialog's state lives in the database like every dialog's.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from botbuilder.core import MessageFactory
from botbuilder.dialogs import DialogTurnResult, WaterfallDialog, WaterfallStepContext
from botbuilder.dialogs.prompts import PromptOptions, PromptValidatorContext

from classroom.enrolment.enrolments import MAX_REASON_LENGTH, Clash
from classroom.enrolment.errors import CourseFull
from classroom.enrolment.views import EnrolmentView, SessionTime
from classroom.errors import ClassroomError, NotFound
from dialogs.answer_prompt import AnswerPrompt
from dialogs.cards.base import CardMessage
from dialogs.cards.messages import card_activity
from dialogs.enrolment.cards.questions import (
    build_clash_session_question_card,
    build_organisation_question_card,
    build_place_gone_card,
)
from dialogs.enrolment.cards.terms import build_run_choice_card, build_terms_card
from dialogs.enrolment.replies import NOT_SIGNED_IN, explain
from dialogs.enrolment.results import enrolment_result
from dialogs.questions import Question
from dialogs.resumable import ResumableDialog
from dialogs.services import Services
from dialogs.step_values import items, number, recognised_text, text, validations
from storage.models import EnrolmentStatus

ENROL_DIALOG = "enrol"
_CHOICE_PROMPT = "enrol.choice"
_REASON_PROMPT = "enrol.reason"

EVERY_DATE, CLASH, CONFIRM, WAITLIST, NO = "every", "clash", "confirm", "waitlist", "no"
_TITLES = {
    EVERY_DATE: "I can attend every date",
    CLASH: "I have a clash",
    CONFIRM: "Confirm my place",
    WAITLIST: "Join the waitlist",
    NO: "No thanks",
}
_SYNONYMS = {
    EVERY_DATE: ["every date", "all dates", "yes", "y"],
    CLASH: ["clash", "i have a clash with a date"],
    CONFIRM: ["confirm", "yes", "y", "book"],
    WAITLIST: ["waitlist", "yes", "y", "join"],
    NO: ["no", "n", "no thank you"],
}


def _normalise(answer: str) -> str:
    return re.sub(r"\s+", " ", answer.strip().lower()).strip(" .!")


def _choices(keys: list[str]) -> dict[str, list[str]]:
    """Accepted answers per choice: its number, its title, its synonyms and its key (what its button sends)."""
    return {
        key: [str(number), _normalise(_TITLES[key]), *_SYNONYMS[key], key] for number, key in enumerate(keys, start=1)
    }


def _buttons(keys: list[str]) -> list[tuple[str, str]]:
    """The answer buttons for ``keys``: each choice's title, answering with its key."""
    return [(_TITLES[key], key) for key in keys]


def _numbered(keys: list[str]) -> str:
    return " / ".join(f"{n}. {_TITLES[key]}" for n, key in enumerate(keys, start=1))


async def _choice_is_known(prompt: PromptValidatorContext) -> bool:
    """Accept one of the offered answers; the result becomes that choice's key."""
    answer = _normalise(recognised_text(prompt))
    choices = validations(prompt)
    for key, accepted in choices.items():
        if answer in accepted:
            prompt.recognized.value = key
            return True
    return False


async def _reason_is_usable(prompt: PromptValidatorContext) -> bool:
    value = recognised_text(prompt).strip()
    return prompt.recognized.succeeded and 3 <= len(value) <= MAX_REASON_LENGTH


def _utc(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def _caller(step: WaterfallStepContext) -> tuple[str | None, str]:
    sender = step.context.activity.from_property
    return (sender.aad_object_id if sender else None), (sender.name or "" if sender else "")


class EnrolDialog(ResumableDialog):
    def __init__(self, services: Services) -> None:
        super().__init__(ENROL_DIALOG, topic="your enrolment")
        self._services = services
        self._enrolment = services.enrolment
        # Choices: a button on the question's card, or one of the offered answers typed, or a command that runs
        # before the choice is asked again.
        self.add_dialog(AnswerPrompt(_CHOICE_PROMPT, _choice_is_known, answers=_choice_is_known))
        # The clash's reason: free text, with no buttons; a command typed here is only offered.
        self.add_dialog(Question(_REASON_PROMPT, _reason_is_usable))
        self.add_dialog(
            WaterfallDialog(
                f"{ENROL_DIALOG}.steps",
                [
                    self._pick_run,
                    self._pick_organisation,
                    self._show_terms,
                    self._ask_clash_session,
                    self._ask_clash_reason,
                    self._enrol,
                    self._after_full,
                ],
            )
        )
        self.initial_dialog_id = f"{ENROL_DIALOG}.steps"  # type: ignore[assignment]  # botbuilder types it None

    async def _ask(
        self,
        step: WaterfallStepContext,
        message: CardMessage,
        choices: dict[str, list[str]],
        retry: str,
    ) -> DialogTurnResult:
        """Ask the question on ``message`` (whose buttons answer it); ``choices``: accepted answers by result."""
        return await step.prompt(
            _CHOICE_PROMPT,
            PromptOptions(
                prompt=card_activity(message),
                retry_prompt=MessageFactory.text(f"{retry} (Type **cancel** to stop.)"),
                validations=choices,
            ),
        )

    async def _stop(self, step: WaterfallStepContext, words: str) -> DialogTurnResult:
        await step.context.send_activity(words)
        return await step.end_dialog()

    async def _pick_run(self, step: WaterfallStepContext) -> DialogTurnResult:
        options: dict[str, Any] = step.options if isinstance(step.options, dict) else {}
        words = str(options.get("code", "")).split()
        code = words[0].upper()[:48] if words else ""
        aad_object_id, name = _caller(step)
        if not aad_object_id:
            return await self._stop(step, NOT_SIGNED_IN)
        if not code:
            return await self._stop(
                step,
                "Which course? Type **enrol** and its code, for example **enrol PERM4**. "
                "Type **courses** to see every code.",
            )
        await self._enrolment.meet(aad_object_id, name)
        try:
            runs = await self._enrolment.open_runs(code)
        except NotFound as error:
            return await self._stop(step, explain(error, code))
        if not runs:
            return await self._stop(
                step,
                f"{code} has no dates open for enrolment at the moment. Type **enquire {code.split('-')[0]}** to "
                "ask about new dates, or to ask for it to be run for your team.",
            )
        if len(runs) == 1:
            return await step.next(runs[0].run.run_code)
        choices = {r.run.run_code: [str(n), r.run.run_code.lower()] for n, r in enumerate(runs, start=1)}
        return await self._ask(
            step,
            build_run_choice_card(runs, self._services.zone),
            choices,
            "Please press the dates you want, or type their number or code.",
        )

    async def _pick_organisation(self, step: WaterfallStepContext) -> DialogTurnResult:
        step.values["run_code"] = step.result
        aad_object_id, _ = _caller(step)
        assert aad_object_id is not None  # checked in the first step
        if not await self._enrolment.needs_organisation(aad_object_id):
            return await step.next(None)
        organisations = await self._enrolment.organisations()
        if not organisations:
            return await self._stop(
                step, "I don't know any organisations yet, so I can't enrol you. Please ask the training team."
            )
        choices = {str(o.id): [str(n), _normalise(o.name)] for n, o in enumerate(organisations, start=1)}
        return await self._ask(
            step,
            build_organisation_question_card(organisations),
            choices,
            "Please choose your organisation, or type its number or name.",
        )

    async def _show_terms(self, step: WaterfallStepContext) -> DialogTurnResult:
        aad_object_id, _ = _caller(step)
        assert aad_object_id is not None
        run_code = text(step.values["run_code"])
        try:
            if step.result is not None:
                await self._enrolment.choose_organisation(aad_object_id, number(step.result))
            quote = await self._enrolment.quote(aad_object_id, run_code)
        except ClassroomError as error:
            return await self._stop(step, explain(error, run_code))
        existing = quote.existing
        if existing is not None and existing.status in (EnrolmentStatus.CONFIRMED, EnrolmentStatus.PENDING_REVIEW):
            state = "is confirmed" if existing.status == EnrolmentStatus.CONFIRMED else "is waiting for the trainers"
            return await self._stop(
                step, f"You already have a place on {run_code}: it {state}. Type **my courses** to see it."
            )
        if existing is not None and existing.status == EnrolmentStatus.WAITLISTED:
            return await self._stop(
                step,
                f"You are already number {existing.waitlist_position} on the waitlist for {run_code}. I'll message "
                "you here if a place comes up.",
            )
        offered = existing is not None and existing.status == EnrolmentStatus.OFFERED
        sessions = quote.run.sessions
        # Kept in the dialog state (JSON) for the clash question: positions and UTC times as text.
        step.values["sessions"] = [[s.position, s.starts_at.isoformat(), s.ends_at.isoformat()] for s in sessions]
        options = step.options if isinstance(step.options, dict) else {}
        if offered and len(sessions) > 1 and options.get("decision") == CLASH:
            return await step.next(CLASH)  # "I have a clash" on the offer card, which showed the terms already
        if quote.full and not offered:
            keys = [WAITLIST, NO]
        elif len(sessions) > 1:
            keys = [EVERY_DATE, CLASH, NO]
        else:
            keys = [CONFIRM, NO]
        return await self._ask(
            step,
            build_terms_card(quote, self._services.zone, self._enrolment.policy.offer_hold, _buttons(keys)),
            _choices(keys),
            f"Please press one of the buttons, or type one of: {_numbered(keys)}",
        )

    async def _ask_clash_session(self, step: WaterfallStepContext) -> DialogTurnResult:
        step.values["decision"] = step.result
        if step.result != CLASH:
            return await step.next(None)
        sessions = [
            SessionTime(0, position, _utc(starts), _utc(ends))
            for position, starts, ends in items(step.values["sessions"])
        ]
        choices = {str(s.position): [str(s.position), f"session {s.position}"] for s in sessions}
        return await self._ask(
            step,
            build_clash_session_question_card(sessions, self._services.zone),
            choices,
            f"Please press the session, or type its number, 1 to {len(sessions)}.",
        )

    async def _ask_clash_reason(self, step: WaterfallStepContext) -> DialogTurnResult:
        if step.values["decision"] != CLASH:
            return await step.next(None)
        step.values["clash_position"] = number(step.result)
        return await step.prompt(
            _REASON_PROMPT,
            PromptOptions(
                prompt=MessageFactory.text(
                    "What is the clash? For example: a court date. The trainers will read this to decide."
                ),
                retry_prompt=MessageFactory.text(
                    f"Please say why in a few words (at most {MAX_REASON_LENGTH} characters), or type cancel."
                ),
            ),
        )

    async def _enrol(self, step: WaterfallStepContext) -> DialogTurnResult:
        aad_object_id, _ = _caller(step)
        assert aad_object_id is not None
        run_code = text(step.values["run_code"])
        decision = step.values["decision"]
        if decision == NO:
            return await self._stop(
                step, f"OK, I haven't enrolled you on {run_code}. Type **courses** to see what else is on."
            )
        try:
            if decision == WAITLIST:
                view = await self._enrolment.join_waitlist(aad_object_id, run_code)
            elif decision == CLASH:
                clash = Clash(number(step.values["clash_position"]), text(step.result).strip())
                view = await self._enrolment.enrol(aad_object_id, run_code, clash=clash)
            else:
                view = await self._enrolment.enrol(aad_object_id, run_code)
        except CourseFull as full:
            if full.already_waitlisted:
                return await self._stop(step, explain(full, run_code))
            return await self._ask(
                step,
                build_place_gone_card(run_code, full.position, _buttons([WAITLIST, NO])),
                _choices([WAITLIST, NO]),
                f"Please press one of the buttons, or type one of: {_numbered([WAITLIST, NO])}",
            )
        except ClassroomError as error:
            return await self._stop(step, explain(error, run_code))
        await self._send_result(step, aad_object_id, view)
        return await step.end_dialog(view.status.value)

    async def _after_full(self, step: WaterfallStepContext) -> DialogTurnResult:
        aad_object_id, _ = _caller(step)
        assert aad_object_id is not None
        run_code = text(step.values["run_code"])
        if step.result != WAITLIST:
            return await self._stop(step, f"OK, I haven't put you on the waitlist for {run_code}.")
        try:
            view = await self._enrolment.join_waitlist(aad_object_id, run_code)
        except ClassroomError as error:
            return await self._stop(step, explain(error, run_code))
        await self._send_result(step, aad_object_id, view)
        return await step.end_dialog(view.status.value)

    async def _send_result(self, step: WaterfallStepContext, aad_object_id: str, view: EnrolmentView) -> None:
        await step.context.send_activity(card_activity(await enrolment_result(self._services, aad_object_id, view)))
