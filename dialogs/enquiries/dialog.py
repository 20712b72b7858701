"""``enquire``: asks for each field of an enquiry, re-asks with the reason when an answer will not do, shows
everything back for confirmation, and sends it to the training team with a reference the enquirer sees.

The draft lives in the dialog state (in the database), so the conversation survives a restart of the bot.
It carries its own id, which names the submission: a redelivered or double-clicked "Send" makes one enquiry.
``cancel`` at any step is handled by the dispatcher for every dialog. A command typed at a question with set
answers (the kind, course codes, email, number, platform, send or change) runs and the question is asked again;
at a free-text question (name, organisation, role, dates, message) it is only offered (``dialogs/questions.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from botbuilder.core import MessageFactory
from botbuilder.dialogs import DialogTurnResult, WaterfallDialog, WaterfallStepContext
from botbuilder.dialogs.prompts import PromptOptions, PromptValidatorContext

from classroom.enquiries.fields import (
    PARTICIPANTS_MAX,
    PARTICIPANTS_MIN,
    PLATFORMS,
    EnquiryDraft,
    check_course_codes,
    is_general,
    parse_dates,
    parse_email,
    parse_kind,
    parse_message,
    parse_name,
    parse_organisation,
    parse_participants,
    parse_platform,
    parse_role,
    split_course_codes,
)
from classroom.errors import ClassroomError, InvalidInput
from classroom.text import clean
from dialogs.cards.messages import card_activity
from dialogs.enquiries.answer_prompt import AnswerPrompt
from dialogs.enquiries.cards.confirmation import CHANGE, SEND, build_enquiry_confirmation_card
from dialogs.enquiries.cards.prompt import build_prompt_card
from dialogs.resumable import ResumableDialog
from dialogs.services import Services
from dialogs.step_values import mapping, recognised_text, text, validations
from storage.models import EnquiryKind

ENQUIRY_DIALOG = "enquiry"
_STEPS = f"{ENQUIRY_DIALOG}.steps"
_PROMPT = f"{ENQUIRY_DIALOG}.answer"  # questions with set answers
_TEXT_PROMPT = f"{ENQUIRY_DIALOG}.text"  # questions that take free text

FIELDS = ("kind", "courses", "name", "email", "organisation", "role", "participants", "dates", "platform", "message")
DELIVERY_ONLY = frozenset({"participants", "dates", "platform"})
FREE_TEXT = frozenset({"name", "organisation", "role", "dates", "message"})
LABELS = {
    "kind": "Kind of enquiry",
    "courses": "Courses",
    "name": "Name",
    "email": "Email",
    "organisation": "Organisation",
    "role": "Role",
    "participants": "Participants",
    "dates": "Preferred dates",
    "platform": "Platform",
    "message": "Message",
}
KEEP_WORDS = frozenset({"ok", "okay", "keep", "yes", "y", "same", "fine"})
COURSE_BUTTONS_MAX = 6
_SEND_WORDS = frozenset({"send", "yes", "y", "ok", "okay", "submit", "confirm"})
_CHANGE_WORDS = frozenset({"change", "edit", "correct", "no", "change something"})

# What to type, repeated after the reason whenever an answer is refused.
_HOW = {
    "kind": "Type 1 for a question about a course, or 2 to ask us to deliver a course for your organisation.",
    "courses": "Type a course code such as PERM4 (several separated by commas), or **general**. "
    "Type **courses** to see every code.",
    "name": "Please type your name.",
    "email": "Please type your email address, like name@example.org.",
    "organisation": "Please type the name of the organisation you work for.",
    "role": "Please type your role, for example social worker or team manager.",
    "participants": f"Please type a number from {PARTICIPANTS_MIN} to {PARTICIPANTS_MAX}.",
    "dates": "Please type the dates or months that would suit you, or **flexible**.",
    "platform": "Type 1 for Microsoft Teams, 2 for Zoom or 3 for other or no preference.",
    "message": "Please type your message.",
    "confirm": "Type **send** to send it, **change** to correct something, or **cancel**.",
    "which": "Type the name of the field to change, for example **email**.",
}

Step = Callable[[WaterfallStepContext], Awaitable[DialogTurnResult]]


def relevant_fields(kind: str | None) -> list[str]:
    return [f for f in FIELDS if f not in DELIVERY_ONLY or kind == EnquiryKind.DELIVERY.value]


def _as_text(field: str, value: Any) -> str:
    """A stored answer as the text that would give it again (for "Keep this")."""
    if field == "courses":
        return ", ".join(value) if value else "general"
    return str(value)


class EnquiryDialog(ResumableDialog):
    def __init__(self, services: Services) -> None:
        super().__init__(ENQUIRY_DIALOG, topic="your enquiry")
        self._services = services
        self.add_dialog(AnswerPrompt(_PROMPT, self._validate, answers=self._is_answer))
        self.add_dialog(AnswerPrompt(_TEXT_PROMPT, self._validate))
        steps: list[Step] = [
            self._start,
            *(self._asker(field) for field in FIELDS),
            self._confirm,
            self._after_confirm,
            self._after_change,
        ]
        self.add_dialog(WaterfallDialog(_STEPS, steps))
        self.initial_dialog_id = _STEPS  # type: ignore[assignment]  # botbuilder types it None

    # -- the steps ------------------------------------------------------------------------------------------

    async def _start(self, step: WaterfallStepContext) -> DialogTurnResult:
        options: dict[str, Any] = step.options if isinstance(step.options, dict) else {}
        draft = dict(options.get("draft") or {"id": uuid.uuid4().hex})
        step.values["draft"] = draft
        step.values["prefill"] = dict(options.get("prefill") or {})
        code = clean(str(options.get("course_code") or "")).upper()[:32]
        if "courses" not in draft and code:
            known = await self._known_codes()
            if code in known:
                draft["courses"] = [code]
            else:
                await step.context.send_activity(
                    "I can't find that course code, so I'll ask which course it is in a moment."
                )
        if not options.get("draft"):
            await step.context.send_activity(
                "Let's put your enquiry together for the training team. It takes a few short questions; "
                "you'll see everything before it is sent. Type **cancel** at any time to stop."
            )
        return await step.next(None)

    def _asker(self, field: str) -> Step:
        async def ask(step: WaterfallStepContext) -> DialogTurnResult:
            draft = self._store(step)
            if not self._needs(field, draft):
                return await step.next(None)
            step.values["pending"] = field
            prompt, current = await self._question(field, draft, mapping(step.values["prefill"]))
            return await step.prompt(
                _TEXT_PROMPT if field in FREE_TEXT else _PROMPT,
                PromptOptions(
                    prompt=prompt,
                    validations={"field": field, "kind": draft.get("kind"), "current": current},
                ),
            )

        ask.__name__ = f"ask_{field}"
        return ask

    async def _confirm(self, step: WaterfallStepContext) -> DialogTurnResult:
        draft = self._store(step)
        courses = await self._services.enquiries.course_refs(list(draft["courses"]))
        return await step.prompt(
            _PROMPT,
            PromptOptions(
                prompt=card_activity(build_enquiry_confirmation_card(draft, courses)),
                validations={"field": "confirm"},
            ),
        )

    async def _after_confirm(self, step: WaterfallStepContext) -> DialogTurnResult:
        draft = mapping(step.values["draft"])
        if step.result == SEND:
            try:
                return await step.end_dialog(await self._send(step, draft))
            except InvalidInput as error:
                # Only when something changed since it was checked (a course withdrawn, say): let them fix it.
                await step.context.send_activity(f"Sorry, I couldn't send it: {error}.")
        fields = relevant_fields(draft.get("kind"))
        choices = [(LABELS[f], f) for f in fields]
        return await step.prompt(
            _PROMPT,
            PromptOptions(
                prompt=card_activity(build_prompt_card("What would you like to change?", choices=choices)),
                validations={"field": "which", "kind": draft.get("kind")},
            ),
        )

    async def _after_change(self, step: WaterfallStepContext) -> DialogTurnResult:
        draft = mapping(step.values["draft"])
        prefill = mapping(step.values["prefill"])
        field = text(step.result)
        if field in draft:
            prefill[field] = _as_text(field, draft.pop(field))
        # Only the changed field is asked again (plus any a new kind of enquiry needs), then the summary.
        return await step.replace_dialog(_STEPS, {"draft": draft, "prefill": prefill})

    async def _send(self, step: WaterfallStepContext, draft: dict[str, Any]) -> str | None:
        """Submit the draft and tell the enquirer its reference; returns the reference (None: not sent)."""
        sender = step.context.activity.from_property
        aad_object_id = sender.aad_object_id if sender else None
        if not aad_object_id:
            await step.context.send_activity(
                "Sorry, I can only send enquiries for people signed in to Microsoft Teams, so that the training "
                "team can answer you here. Nothing was sent."
            )
            return None
        submitted = await self._services.enquiries.submit(
            self._draft(draft), enquirer=aad_object_id, idempotency_key=f"enquiry-dialog:{draft['id']}"
        )
        if submitted.created:
            await step.context.send_activity(
                f"Thank you. Your enquiry **{submitted.reference}** has been sent to the training team, who "
                "will reply to you here. Type **my enquiries** to see it at any time."
            )
        else:
            await step.context.send_activity(
                f"That enquiry was already sent: its reference is **{submitted.reference}**."
            )
        return submitted.reference

    # -- helpers --------------------------------------------------------------------------------------------

    @staticmethod
    def _store(step: WaterfallStepContext) -> dict[str, Any]:
        """Keep the answer the previous step's question got; returns the draft."""
        draft = mapping(step.values["draft"])
        pending = step.values.pop("pending", None)
        if isinstance(pending, str) and step.result is not None:
            draft[pending] = step.result
        return draft

    @staticmethod
    def _needs(field: str, draft: dict[str, Any]) -> bool:
        delivery = draft.get("kind") == EnquiryKind.DELIVERY.value
        if field in DELIVERY_ONLY and not delivery:
            return False
        if field == "courses" and delivery and draft.get("courses") == []:
            return True  # "general" was fine for a question, not for a delivery request
        return field not in draft

    async def _known_codes(self) -> set[str]:
        return set(await self._services.catalogue.codes())

    async def _question(self, field: str, draft: dict[str, Any], prefill: dict[str, Any]) -> tuple[Any, str | None]:
        kind = draft.get("kind")
        fields = relevant_fields(kind)
        position = f"Question {fields.index(field) + 1} of {len(fields)}" if kind else None
        current = prefill.get(field)
        current = str(current) if current not in (None, "") else None
        choices: list[tuple[str, str]] = []
        if field == "kind":
            question = (
                "What would you like to do?\n\n1. Ask a question about one of our courses\n"
                "2. Ask us to deliver a course online for your organisation"
            )
            choices = [("A question about a course", "question"), ("Deliver a course for us", "delivery")]
            current = None
        elif field == "courses":
            codes = await self._services.catalogue.codes()
            if kind == EnquiryKind.DELIVERY.value:
                question = "Which course would you like us to deliver? Type its code, or several separated by commas."
            else:
                question = (
                    "Which course is it about? Type its code, several separated by commas, or **general** "
                    "if it isn't about a particular course."
                )
                choices.append(("General question", "general"))
            if len(codes) <= COURSE_BUTTONS_MAX:
                choices = [(code, code) for code in codes] + choices
        elif field == "name":
            question = "What is your name?"
        elif field == "email":
            question = "What email address can the training team reach you at?"
        elif field == "organisation":
            question = "Which organisation do you work for?"
        elif field == "role":
            question = "What is your role? For example: social worker, team manager, senior practitioner."
        elif field == "participants":
            question = f"How many people would take part? (a number from {PARTICIPANTS_MIN} to {PARTICIPANTS_MAX})"
        elif field == "dates":
            question = "Which dates or months would suit you? For example: March or April 2027, or **flexible**."
        elif field == "platform":
            question = "Which platform would you like the course delivered on?"
            choices = [(platform, platform) for platform in PLATFORMS]
        else:
            question = (
                "What would you like to ask the training team?"
                if kind != EnquiryKind.DELIVERY.value
                else "Tell us about your team's needs: who would attend, what they want from the course, "
                "anything we should know."
            )
        card = build_prompt_card(question, current=current, choices=choices, step=position)
        return card_activity(card), current

    async def _validate(self, prompt: PromptValidatorContext) -> bool:
        """Take the answer, or say why not and what to type."""
        try:
            prompt.recognized.value = await self._answer(prompt)
        except ClassroomError as error:
            field = validations(prompt).get("field", "")
            await prompt.context.send_activity(MessageFactory.text(f"Sorry, {error}. {_HOW.get(field, '')}".strip()))
            return False
        return True

    async def _is_answer(self, prompt: PromptValidatorContext) -> bool:
        """Whether a message is an answer, saying nothing (a command typed here is run if it is not)."""
        try:
            prompt.recognized.value = await self._answer(prompt)
        except ClassroomError:
            return False
        return True

    async def _answer(self, prompt: PromptValidatorContext) -> Any:
        rules = validations(prompt)
        raw = clean(recognised_text(prompt))
        current = rules.get("current")
        if current is not None and raw.lower() in KEEP_WORDS:
            raw = current
        if not raw:
            raise InvalidInput("I didn't get an answer")
        return await self._parse(rules.get("field", ""), raw, rules.get("kind"))

    async def _parse(self, field: str, raw: str, kind: str | None) -> Any:
        lowered = raw.lower().rstrip(".!")
        if field == "kind":
            return parse_kind(raw).value
        if field == "courses":
            codes = [] if is_general(raw) else split_course_codes(raw)
            return check_course_codes(codes, await self._known_codes(), EnquiryKind(kind or "question"))
        if field == "participants":
            return parse_participants(raw)
        if field == "confirm":
            if lowered in _SEND_WORDS:
                return SEND
            if lowered in _CHANGE_WORDS:
                return CHANGE
            raise InvalidInput("I didn't understand that")
        if field == "which":
            for name in relevant_fields(kind):
                if lowered in (name, LABELS[name].lower()):
                    return name
            if lowered.isdigit() and 1 <= int(lowered) <= len(relevant_fields(kind)):
                return relevant_fields(kind)[int(lowered) - 1]
            raise InvalidInput("that isn't one of the things you told me")
        parsers: dict[str, Callable[[str], str]] = {
            "name": parse_name,
            "email": parse_email,
            "organisation": parse_organisation,
            "role": parse_role,
            "dates": parse_dates,
            "platform": parse_platform,
            "message": parse_message,
        }
        return parsers[field](raw)

    @staticmethod
    def _draft(draft: dict[str, Any]) -> EnquiryDraft:
        return EnquiryDraft(
            kind=EnquiryKind(draft["kind"]),
            course_codes=list(draft["courses"]),
            name=draft["name"],
            email=draft["email"],
            organisation=draft["organisation"],
            role=draft["role"],
            message=draft["message"],
            participants=draft.get("participants"),
            preferred_dates=draft.get("dates"),
            preferred_platform=draft.get("platform"),
        )
