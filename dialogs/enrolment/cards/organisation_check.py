"""For the coordinators: someone says which organisation they work for and nothing shows it; confirm or correct.
For the person: what the training team decided.

Confirm and Correct are ``Action.Execute`` buttons (falling back to the ``organisation`` command); whoever presses
them is checked again (a coordinator, by stored role). Once decided, every copy shows the decision, its buttons
gone; a choice settled by evidence meanwhile (their tenant or email domain added to the catalogue) shows that.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.enrolment.notices import OrganisationCheckNotice, OrganisationDecidedNotice, OrganisationOutcome
from dialogs.cards.base import CardMessage, Element, card, container, execute, field_row, heading, submit, text
from dialogs.cards.formatting import short_time

ORGANISATION_CONFIRM, ORGANISATION_CORRECT = "enrolment.organisation.confirm", "enrolment.organisation.correct"
ORGANISATION_INPUT = "organisation"  # the correction's choice, sent with the Correct button


def _outcome(outcome: OrganisationOutcome, zone: ZoneInfo) -> Element:
    words = {
        "confirmed": "Confirmed",
        "corrected": "Corrected",
        "evidence": "Settled by the catalogue (their Teams tenant or email domain)",
    }
    inlines: list[Element] = [{"type": "TextRun", "text": words[outcome.decision], "weight": "Bolder"}]
    inlines.append({"type": "TextRun", "text": ": "})
    inlines.append({"type": "TextRun", "text": outcome.organisation, "weight": "Bolder"})
    if outcome.by and outcome.decision != "evidence":
        inlines += [{"type": "TextRun", "text": " by "}, {"type": "TextRun", "text": outcome.by, "weight": "Bolder"}]
    inlines.append({"type": "TextRun", "text": f" · {short_time(outcome.at, zone)}", "isSubtle": True})
    return {"type": "RichTextBlock", "spacing": "Medium", "inlines": inlines}


def build_organisation_check_card(
    notice: OrganisationCheckNotice, zone: ZoneInfo, *, note: str | None = None
) -> CardMessage:
    """The check as it stands; ``note`` (only in the answer to the coordinator who pressed) says what happened."""
    outcome = notice.outcome
    body: list[Element] = []
    if note:
        body.append(container([text(note, weight="Bolder")], style="accent"))
    body += [
        heading("Organisation to confirm" if outcome is None else "Organisation settled", size="Medium"),
        # The name and email come from Teams: shown literally, never as markdown.
        field_row("Participant", notice.person_name),
        field_row("Email", notice.email or "not known"),
        field_row("They say they work for", notice.chosen),
    ]
    if outcome is not None:
        return card([*body, _outcome(outcome, zone)])
    body.append(
        text(
            "Nothing in the catalogue shows it: neither their Teams tenant nor their email domain is listed for an "
            "organisation. Until it is confirmed, their price is shown as to be confirmed and courses limited to "
            "certain organisations wait. Confirm it, or choose the right one and press Correct.",
            subtle=True,
        )
    )
    body.append(
        {
            "type": "Input.ChoiceSet",
            "id": ORGANISATION_INPUT,
            "label": "Their organisation",
            "style": "compact",
            "isRequired": True,
            "errorMessage": "Choose their organisation first",
            "choices": [{"title": o.name, "value": str(o.id)} for o in notice.options],
        }
    )
    person = notice.person_id
    confirm = execute(
        f"Confirm {notice.chosen}",
        ORGANISATION_CONFIRM,
        {"person": person},
        style="positive",
        fallback=submit("Confirm", "organisation", f"confirm {person}"),
    )
    confirm["associatedInputs"] = "none"  # confirming needs no choice from the list
    correct = execute(
        "Correct",
        ORGANISATION_CORRECT,
        {"person": person},
        fallback=submit("Correct", "organisation", f"correct {person}"),
    )
    return card(body, [confirm, correct])


def build_organisation_decided_card(notice: OrganisationDecidedNotice, _zone: ZoneInfo) -> CardMessage:
    if notice.corrected:
        words = (
            f"The training team has checked your organisation: you work for {notice.organisation} (you had chosen "
            f"{notice.chosen})."
        )
    else:
        words = f"The training team has confirmed your organisation: {notice.organisation}."
    return card(
        [
            heading("Your organisation is confirmed", size="Medium"),
            text(words),
            text(
                f"Your price band is Tier {notice.price_band}, and the prices of any places you hold follow it. "
                "Courses open to your organisation's staff are open to you now: type **courses** to see them.",
            ),
        ]
    )
