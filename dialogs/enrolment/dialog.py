"""``enrol CODE``: dates, organisation, eligibility, price and every session, then a confirmed place, a place
under trainer review, or the waitlist.

Steps: pick the run when the course has several open; ask the organisation if we do not know it; explain a
refusal when the person is not eligible; show the terms (every session, the price for their band, places or
the waitlist, and when it is full the course's other dates with places) and ask "I can attend every date" /
"I have a clash" / "No thanks" (or, for a full run, "Book X instead" / "Join the waitlist" / "No thanks"; a
place offered from the waitlist, whose card showed the terms, may start at the clash: ``{"decision": CLASH}``);
for a clash, which sessions ("1, 4") and why; then enrol and show the result with the join button and an "Add to
calendar" link. Each choice is a button on its question's card, the sessions boxes to tick with one button
(``dialogs.cards.answers``), and typing the answer (its number, or its words) works too. A command typed at a
choice or at the sessions runs and the question is asked again; typed at the clash's reason (free text) it is
only offered (``dialogs/questions.py``). The dialog's state lives in the database like every dialog's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from botbuilder.core import MessageFactory
from botbuilder.dialogs import DialogTurnResult, WaterfallDialog, WaterfallStepContext
from botbuilder.dialogs.prompts import PromptOptions, PromptValidatorContext

from classroom.enrolment.enrolments import MAX_REASON_LENGTH, Clash
from classroom.enrolment.errors import CourseFull
from classroom.enrolment.organisations import OrganisationStanding
from classroom.enrolment.views import EnrolmentView, RunChoice, SessionTime
from classroom.errors import ClassroomError
from dialogs.answer_prompt import AnswerPrompt
from dialogs.card_question_options import CardQuestionOptions
from dialogs.cards.base import CardMessage
from dialogs.cards.formatting import without_markdown
from dialogs.cards.messages import card_activity
from dialogs.enquiries.dialog import ENQUIRY_DIALOG
from dialogs.enrolment.cards.questions import (
    build_clash_session_question_card,
    build_organisation_question_card,
    build_place_gone_card,
)
from dialogs.enrolment.cards.terms import build_run_choice_card, build_terms_card
from dialogs.enrolment.replies import NOT_SIGNED_IN, explain
from dialogs.enrolment.results import enrolment_result
from dialogs.organisation_evidence import settle_organisation
from dialogs.questions import Question
from dialogs.resumable import ResumableDialog
from dialogs.services import Services
from dialogs.step_values import items, number, recognised_text, text, validations
from storage.models import EnrolmentStatus

ENROL_DIALOG = "enrol"
_STEPS = f"{ENROL_DIALOG}.steps"
_CHOICE_PROMPT = "enrol.choice"
_STANDING = f"{ENROL_DIALOG}.standing"  # turn state: the organisation standing read with the runs
_SESSIONS_PROMPT = "enrol.sessions"
_REASON_PROMPT = "enrol.reason"
_NUMBER = re.compile(r"\d{1,3}")
NOT_LISTED, NOT_LISTED_TITLE = "not-listed", "My organisation isn't listed"
_NOT_LISTED_WORDS = ["my organisation isn't listed", "my organisation is not listed", "not listed", "none", "other"]

EVERY_DATE, CLASH, CONFIRM, WAITLIST, NO, OTHER = "every", "clash", "confirm", "waitlist", "no", "other"
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
    OTHER: ["other", "other date", "other dates"],  # and the other run's code
}


def _normalise(answer: str) -> str:
    return re.sub(r"\s+", " ", answer.strip().lower()).strip(" .!")


def _choices(keys: list[str], titles: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Accepted answers per choice: its number, its title, its synonyms and its key (what its button sends);
    ``titles``: those not in _TITLES."""
    titles = {**_TITLES, **(titles or {})}
    return {
        key: [str(number), _normalise(titles[key]), *_SYNONYMS[key], key] for number, key in enumerate(keys, start=1)
    }


def _buttons(keys: list[str], titles: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """The answer buttons for ``keys``: each choice's title, answering with its key."""
    titles = {**_TITLES, **(titles or {})}
    return [(titles[key], key) for key in keys]


def _retry(buttons: list[tuple[str, str]]) -> str:
    numbered = " / ".join(f"{n}. {title}" for n, (title, _) in enumerate(buttons, start=1))
    return f"Please press one of the buttons, or type one of: {numbered}"


def _when_full(other_runs: Sequence[RunChoice]) -> tuple[list[tuple[str, str]], dict[str, list[str]], str | None]:
    """A full run's answers: another date with places first (when the course has one), the waitlist, no.

    Returns the answer buttons, the accepted answers per choice, and the run code that "other" stands for.
    """
    if not other_runs:
        return _buttons([WAITLIST, NO]), _choices([WAITLIST, NO]), None
    other = other_runs[0].run.run_code
    titles = {OTHER: f"Book {other} instead"}
    keys = [OTHER, WAITLIST, NO]
    choices = _choices(keys, titles)
    choices[OTHER].append(other.lower())
    return _buttons(keys, titles), choices, other


async def _sessions_are_known(prompt: PromptValidatorContext) -> bool:
    """Accept one or more of the offered session numbers ("3", "1, 4", "sessions 1 and 4"), not all of them;
    the result becomes the sorted positions."""
    offered = {int(p) for p in items(validations(prompt).get("positions"))}
    chosen = sorted({int(n) for n in _NUMBER.findall(recognised_text(prompt))})
    if not chosen or not set(chosen) <= offered or len(chosen) == len(offered):
        return False
    prompt.recognized.value = chosen
    return True


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
        # Choices and session numbers: the buttons on the question's card, or one of the offered answers typed, or
        # a command that runs before the question is asked again.
        self.add_dialog(AnswerPrompt(_CHOICE_PROMPT, _choice_is_known, answers=_choice_is_known))
        self.add_dialog(AnswerPrompt(_SESSIONS_PROMPT, _sessions_are_known, answers=_sessions_are_known))
        # The clash's reason: free text, with no buttons; a command typed here is only offered.
        self.add_dialog(Question(_REASON_PROMPT, _reason_is_usable))
        self.add_dialog(
            WaterfallDialog(
                _STEPS,
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
        self.initial_dialog_id = _STEPS  # type: ignore[assignment]  # botbuilder types it None

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
            CardQuestionOptions(message, retry=f"{retry} (Type **cancel** to stop.)", validations=choices),
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
        start = await self._enrolment.begin(aad_object_id, name, code)
        if start.unknown is not None:
            return await self._stop(step, explain(start.unknown, code))
        runs = start.runs
        # For the next step when it follows in this turn (one run); a later turn reads the standing afresh.
        step.context.turn_state[_STANDING] = start.standing
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
        """Settle the organisation from evidence (the activity's tenant, the email Teams lists for them); ask
        only when nothing shows it, with "My organisation isn't listed" leading to an enquiry."""
        step.values["run_code"] = step.result
        aad_object_id, _ = _caller(step)
        assert aad_object_id is not None  # checked in the first step
        known = step.context.turn_state.pop(_STANDING, None)
        known = known if isinstance(known, OrganisationStanding) else None
        standing = await settle_organisation(self._enrolment, step.context, aad_object_id, known)
        assert standing is not None  # met in the first step
        if standing.organisation is not None:
            return await step.next(None)
        organisations = await self._enrolment.organisations()
        choices = {str(o.id): [str(n), _normalise(o.name)] for n, o in enumerate(organisations, start=1)}
        choices[NOT_LISTED] = [str(len(organisations) + 1), *_NOT_LISTED_WORDS, NOT_LISTED]
        return await self._ask(
            step,
            build_organisation_question_card(organisations, (NOT_LISTED_TITLE, NOT_LISTED)),
            choices,
            f"Please choose your organisation, or type its number or name; if it isn't there, press "
            f"**{NOT_LISTED_TITLE}**.",
        )

    async def _ask_about_organisation(self, step: WaterfallStepContext, run_code: str) -> DialogTurnResult:
        """Their organisation isn't listed: rather than ask again, start an enquiry to the training team."""
        sender = step.context.activity.from_property
        aad_object_id = sender.aad_object_id if sender else None
        prefill: dict[str, str] = {"name": (sender.name or "")[:200]} if sender and sender.name else {}
        if aad_object_id:
            prefill.update(await self._services.enquiries.prefill(aad_object_id))
        prefill["message"] = (
            f"My organisation isn't in the list the bot offers, and I'd like to enrol on {run_code}. "
            "Please add my organisation (its name is above)."
        )
        await step.context.send_activity(
            "No problem: I'll pass this to the training team, who can add your organisation. I haven't enrolled "
            "you yet; once they reply, type **enrol " + run_code + "** again."
        )
        # The enquiry replaces this dialog (the enrolment cannot go on without an organisation).
        return await step.parent.replace_dialog(
            ENQUIRY_DIALOG, {"course_code": run_code.split("-")[0], "prefill": prefill}
        )

    async def _show_terms(self, step: WaterfallStepContext) -> DialogTurnResult:
        aad_object_id, _ = _caller(step)
        assert aad_object_id is not None
        run_code = text(step.values["run_code"])
        if step.result == NOT_LISTED:
            return await self._ask_about_organisation(step, run_code)
        try:
            if step.result is not None:
                chosen = await self._enrolment.choose_organisation(aad_object_id, number(step.result))
                await step.context.send_activity(
                    f"Thank you. I've noted {without_markdown(chosen)}; the training team will confirm it, and "
                    "I'll tell you when they have. Until then your price is to be confirmed, and courses open only "
                    "to certain organisations' staff have to wait."
                )
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
            buttons, choices, step.values["other_run"] = _when_full(quote.other_runs)
        else:
            keys = [EVERY_DATE, CLASH, NO] if len(sessions) > 1 else [CONFIRM, NO]
            buttons, choices = _buttons(keys), _choices(keys)
        return await self._ask(
            step,
            build_terms_card(quote, self._services.zone, self._enrolment.policy.offer_hold, buttons),
            choices,
            _retry(buttons),
        )

    async def _ask_clash_session(self, step: WaterfallStepContext) -> DialogTurnResult:
        step.values["decision"] = step.result
        if step.result != CLASH:
            return await step.next(None)
        sessions = [
            SessionTime(0, position, _utc(starts), _utc(ends))
            for position, starts, ends in items(step.values["sessions"])
        ]
        question = build_clash_session_question_card(sessions, self._services.zone)
        return await step.prompt(
            _SESSIONS_PROMPT,
            CardQuestionOptions(
                question,
                retry=(
                    f"Please tick the sessions you can't attend and press Send, or type their numbers, from 1 to "
                    f"{len(sessions)}, e.g. **1, 4**. If you can't attend any of them, type **cancel** and look at "
                    "other dates."
                ),
                validations={"positions": [s.position for s in sessions]},
            ),
        )

    async def _ask_clash_reason(self, step: WaterfallStepContext) -> DialogTurnResult:
        if step.values["decision"] != CLASH:
            return await step.next(None)
        # A list of positions; a single one from a question asked before several were possible (state is kept).
        answer = step.result if isinstance(step.result, list) else [step.result]
        step.values["clash_positions"] = [number(p) for p in answer]
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
        if decision == OTHER:
            return await step.replace_dialog(_STEPS, {"code": step.values["other_run"]})
        if decision == NO:
            return await self._stop(
                step, f"OK, I haven't enrolled you on {run_code}. Type **courses** to see what else is on."
            )
        try:
            if decision == WAITLIST:
                view = await self._enrolment.join_waitlist(aad_object_id, run_code)
            elif decision == CLASH:
                kept = step.values.get("clash_positions") or [step.values.get("clash_position")]  # or, as before, one
                positions = tuple(number(p) for p in items(kept))
                clash = Clash(positions, text(step.result).strip())
                view = await self._enrolment.enrol(aad_object_id, run_code, clash=clash)
            else:
                view = await self._enrolment.enrol(aad_object_id, run_code, calendar_link=True)
        except CourseFull as full:
            if full.already_waitlisted:
                return await self._stop(step, explain(full, run_code))
            return await self._ask_after_full(step, aad_object_id, run_code, full.position)
        except ClassroomError as error:
            return await self._stop(step, explain(error, run_code))
        await self._send_result(step, aad_object_id, view)
        return await step.end_dialog(view.status.value)

    async def _ask_after_full(
        self, step: WaterfallStepContext, aad_object_id: str, run_code: str, position: int
    ) -> DialogTurnResult:
        """The last place went while they decided: the course's other dates with places, or the waitlist."""
        try:
            other_runs = (await self._enrolment.quote(aad_object_id, run_code)).other_runs
        except ClassroomError:
            other_runs = ()
        buttons, choices, step.values["other_run"] = _when_full(other_runs)
        return await self._ask(
            step,
            build_place_gone_card(run_code, position, buttons, other_runs, self._services.zone),
            choices,
            _retry(buttons),
        )

    async def _after_full(self, step: WaterfallStepContext) -> DialogTurnResult:
        aad_object_id, _ = _caller(step)
        assert aad_object_id is not None
        run_code = text(step.values["run_code"])
        if step.result == OTHER:
            return await step.replace_dialog(_STEPS, {"code": step.values["other_run"]})
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
