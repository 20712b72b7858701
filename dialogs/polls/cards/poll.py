"""The poll's card: the question, whether it is anonymous, the results as text (count, percentage, a bar), the
number of voters, one button per option and Close poll; once closed, the final results and who closed it when.

The shared copy in the chat is drawn from the outbox's payload; the person who pressed a button gets their own
view as the invoke's answer ("You chose: ..."), which Teams shows to them alone. The question and options were
typed by a trainer: they appear only as literal text runs (never markdown), and as button titles.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from classroom.polls.views import OptionTally, PollView
from dialogs.cards.base import CardMessage, Element, card, container, execute, submit, text
from dialogs.cards.formatting import plural, short_time
from dialogs.polls.cards.results import poll_export_button
from dialogs.polls.parts import CLOSE, POLL_COMMAND, VOTE, VOTE_COMMAND

BAR_WIDTH = 20


def _run(value: str, **style: object) -> dict[str, object]:
    return {"type": "TextRun", "text": value, **style}


def _runs(*parts: dict[str, object], spacing: str | None = None) -> Element:
    block: Element = {"type": "RichTextBlock", "inlines": list(parts)}
    if spacing:
        block["spacing"] = spacing
    return block


def _privacy(view: PollView) -> str:
    if view.anonymous:
        return "Anonymous: nobody, not even the trainers, can see who answered what."
    return "Not anonymous: the trainers can see who answered what."


def _rules(view: PollView) -> str:
    change = "you can change your answer until it closes" if view.changeable else "your first answer is final"
    return f"One answer each; {change}. Results are shown live."


def _bar(share: int) -> str:
    filled = round(BAR_WIDTH * share / 100)
    return "█" * filled + "░" * (BAR_WIDTH - filled)


def _option_row(view: PollView, number: int, option: OptionTally) -> Element:
    share = view.percent(option)
    return {
        "type": "ColumnSet",
        "spacing": "Small",
        "columns": [
            {"type": "Column", "width": "stretch", "items": [_runs(_run(f"{number}. "), _run(option.text))]},
            {
                "type": "Column",
                "width": "auto",
                "items": [text(f"{plural(option.votes, 'vote')} · {share}%", weight="Bolder")],
            },
            {"type": "Column", "width": "auto", "items": [text(_bar(share), subtle=True)]},
        ],
    }


def _voters_line(view: PollView) -> str:
    if not view.voters:
        return "No answers yet." if not view.closed else "Nobody answered."
    return f"{plural(view.voters, 'person', 'people')} answered."


def _closed_line(view: PollView, zone: ZoneInfo) -> Element:
    assert view.closed_at is not None
    return _runs(
        _run("Closed by ", weight="Bolder"),
        _run(view.closed_by_name or "a trainer", weight="Bolder"),
        _run(f" on {short_time(view.closed_at, zone)}. These are the final results."),
        spacing="Medium",
    )


def _buttons(view: PollView) -> list[Element]:
    buttons: list[Element] = []
    for number, option in enumerate(view.options, start=1):
        title = f"{number}. {option.text}"  # numbered: never the same as another button, however typed
        vote = execute(
            title,
            VOTE,
            {"poll": view.id, "option": option.id},
            fallback=submit(title, VOTE_COMMAND, f"{view.id} {option.id}"),
        )
        buttons.append({"type": "ActionSet", "actions": [vote]})
    close = execute(
        "Close poll",
        CLOSE,
        {"poll": view.id},
        style="destructive",
        fallback=submit("Close poll", POLL_COMMAND, f"close {view.id}"),
    )
    buttons.append({"type": "ActionSet", "spacing": "Medium", "actions": [close]})
    return buttons


def build_poll_card(
    view: PollView, zone: ZoneInfo, *, chosen: str | None = None, notice: str | None = None
) -> CardMessage:
    """The poll as it stands; ``chosen`` (the answer of the person who just pressed, shown only to them) and
    ``notice`` (what just happened, for them) appear only in the invoke's answer."""
    body: list[Element] = []
    if notice:
        body.append(container([text(notice, weight="Bolder")], style="accent"))
    state = "Final results" if view.closed else "Poll"
    body += [
        text(f"{state} · {view.run_code}", subtle=True),
        _runs(_run(view.question, size="Large", weight="Bolder"), spacing="Small"),
        text(_privacy(view), weight="Bolder", spacing="Small"),
    ]
    if not view.closed:
        body.append(text(_rules(view), subtle=True, spacing="None"))
    body += [_option_row(view, n, option) for n, option in enumerate(view.options, start=1)]
    body.append(text(_voters_line(view), spacing="Small"))
    if chosen is not None:
        tail = " · press another answer to change it" if view.changeable and not view.closed else ""
        body.append(container([_runs(_run("You chose: ", weight="Bolder"), _run(chosen, weight="Bolder"), _run(tail))]))
    if view.closed:
        body.append(_closed_line(view, zone))
        # For the run's trainers and coordinators (anyone else pressing it is refused): a link for them alone.
        body.append({"type": "ActionSet", "spacing": "Medium", "actions": [poll_export_button(view.id)]})
    else:
        body += _buttons(view)
    return card(body)
