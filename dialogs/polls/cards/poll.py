"""The poll's card: the question, its kind, whether it is anonymous, the results (``results``: as text with a
chart) or why they are not shown yet, the number of voters, how to answer (``answering``) and Close poll; once
closed, the final results and who closed it when (or that it closed by itself).

The shared copy in the chat is drawn from the outbox's payload; the person who pressed a button gets their own
view as the invoke's answer ("You chose: ..."), which Teams shows to them alone. The launcher's copy in their 1:1
chat (results hidden from the chat, open-text answers) shows every result and only the Close button. The
question and options were typed by a trainer: they appear only as literal text runs (never markdown), and as
button titles.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from classroom.polls.views import Audience, PollView
from dialogs.cards.base import CardMessage, Element, card, container, execute, submit, text
from dialogs.cards.formatting import plural, short_time
from dialogs.polls.cards.answering import answer_controls, change_hint
from dialogs.polls.cards.results import poll_export_button
from dialogs.polls.cards.tallies import results, run, runs
from dialogs.polls.parts import CLOSE, POLL_COMMAND, REFRESH
from storage.models import PollKind, PollResults

KIND_NAMES = {
    PollKind.SINGLE_CHOICE: "Poll",
    PollKind.MULTIPLE_CHOICE: "Poll (several answers)",
    PollKind.RATING: "Rating",
    PollKind.OPEN_TEXT: "Open question",
    PollKind.CONFIDENCE: "Confidence check",
    PollKind.QUIZ: "Quiz",
}


def _privacy(view: PollView) -> str:
    if view.anonymous:
        return "Anonymous: nobody, not even the trainers, can see who answered what."
    return "Not anonymous: the trainers can see who answered what."


def _how_to_answer(view: PollView) -> str:
    if view.kind is PollKind.MULTIPLE_CHOICE:
        return f"Pick up to {view.max_picks or len(view.options)} answers."
    if view.kind is PollKind.RATING:
        return f"Rate from 1 ({view.low_label}) to 5 ({view.high_label})."
    if view.kind is PollKind.CONFIDENCE:
        return "Rate your confidence in each learning outcome of the course, from 1 (not confident) to 5 (very)."
    if view.kind is PollKind.QUIZ:
        return "Pick one answer: the right one is revealed when the quiz closes."
    return ""


def _rules(view: PollView, zone: ZoneInfo) -> str:
    change = "you can change your answer until it closes" if view.changeable else "your first answer is final"
    shown = {
        PollResults.LIVE: "Results are shown live.",
        PollResults.AFTER_CLOSE: "Results are shown when the poll closes.",
        PollResults.LAUNCHER_ONLY: "Only the trainer who posted it sees the results.",
    }[view.results]
    closes = f" It closes by itself at {short_time(view.closes_at, zone)}." if view.closes_at else ""
    return f"One answer each; {change}. {shown}{closes}"


def _voters_line(view: PollView) -> str:
    if not view.voters:
        return "No answers yet." if not view.closed else "Nobody answered."
    return f"{plural(view.voters, 'person', 'people')} answered."


def _closed_line(view: PollView, zone: ZoneInfo) -> Element:
    assert view.closed_at is not None
    when = short_time(view.closed_at, zone)
    final = " These are the final results." if view.results_shown else ""
    if view.closed_by_timer:
        return runs(run(f"Closed by itself on {when}.", weight="Bolder"), run(final), spacing="Medium")
    return runs(
        run("Closed by ", weight="Bolder"),
        run(view.closed_by_name or "a trainer", weight="Bolder"),
        run(f" on {when}.{final}"),
        spacing="Medium",
    )


def _close_button(view: PollView) -> Element:
    close = execute(
        "Close poll",
        CLOSE,
        {"poll": view.id},
        style="destructive",
        fallback=submit("Close poll", POLL_COMMAND, f"close {view.id}"),
    )
    return {"type": "ActionSet", "spacing": "Medium", "actions": [close]}


def _refresh(view: PollView) -> dict[str, object] | None:
    """Automatic per-user views: Teams asks for each listed person's own view when they load the card. Named
    polls list their latest voters (at most 60, Teams' limit); anonymous polls store nobody's Teams id, so they
    list none (Teams then refreshes for everyone in chats of up to 60 people) and stop once closed (their
    answers can no longer be told apart)."""
    if view.audience is not Audience.SHARED or (view.anonymous and view.closed):
        return None
    refresh: dict[str, object] = {"action": {"type": "Action.Execute", "verb": REFRESH, "data": {"poll": view.id}}}
    if not view.anonymous:
        refresh["userIds"] = view.recent_voters
    return refresh


def build_poll_card(
    view: PollView,
    zone: ZoneInfo,
    *,
    chosen: str | None = None,
    notice: str | None = None,
    for_launcher: bool = False,
    typed: dict[str, Any] | None = None,
) -> CardMessage:
    """The poll as it stands; ``chosen`` (the answer of the person who just pressed, shown only to them) and
    ``notice`` (what just happened, for them) appear only in the invoke's answer. ``for_launcher``: the copy in
    the launcher's 1:1 chat (no answering there: they answer in the session's chat like everyone). ``typed``: the
    inputs this person sent, shown again in their own view."""
    body: list[Element] = []
    if notice:
        body.append(container([text(notice, weight="Bolder")], style="accent"))
    state = f"Final results · {KIND_NAMES[view.kind]}" if view.closed else KIND_NAMES[view.kind]
    if for_launcher:
        state += " · your copy with every result, only you see it"
    body += [
        text(f"{state} · {view.run_code}", subtle=True),
        runs(run(view.question, size="Large", weight="Bolder"), spacing="Small"),
        text(_privacy(view), weight="Bolder", spacing="Small"),
    ]
    if not view.closed:
        how = _how_to_answer(view)
        body.append(text(f"{how} {_rules(view, zone)}" if how else _rules(view, zone), subtle=True, spacing="None"))
    body += results(view)
    body.append(text(_voters_line(view), spacing="Small"))
    if chosen is not None:
        tail = change_hint(view) if view.changeable and not view.closed else ""
        body.append(container([runs(run("You chose: ", weight="Bolder"), run(chosen, weight="Bolder"), run(tail))]))
    if view.closed:
        body.append(_closed_line(view, zone))
        # For the run's trainers and coordinators (anyone else pressing it is refused): a link for them alone.
        body.append({"type": "ActionSet", "spacing": "Medium", "actions": [poll_export_button(view.id)]})
    else:
        if not for_launcher:
            body += answer_controls(view, typed)
        body.append(_close_button(view))
    message = card(body)
    if not for_launcher and (refresh := _refresh(view)) is not None:
        message.card["refresh"] = refresh
    return message
