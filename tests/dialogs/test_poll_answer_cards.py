"""The card a press on a poll is answered with is built once for the presses answered alike (votes recorded
together are told the same view): the same card for the same view and answer, a new one for anything else."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from classroom.polls.views import OptionTally, PollView
from dialogs.polls.answer_cards import answer_card
from dialogs.polls.cards.poll import build_poll_card
from storage.models import PollKind, PollResults, PollStatus

LONDON = ZoneInfo("Europe/London")


def _view(votes: int) -> PollView:
    return PollView(
        id=7,
        run_code="PERM4-A",
        kind=PollKind.SINGLE_CHOICE,
        question="Which principle comes first?",
        anonymous=False,
        changeable=True,
        results=PollResults.LIVE,
        status=PollStatus.OPEN,
        options=[OptionTally(id=1, text="Presume capacity", votes=votes), OptionTally(id=2, text="Best", votes=1)],
        voters=votes + 1,
        launched_by_name="Zoe",
        launched_at=datetime(2026, 12, 4, 10, tzinfo=UTC),
        recent_voters=["29:a", "29:b"],
    )


def test_presses_answered_alike_share_one_card() -> None:
    view = _view(3)
    pressed = {"poll": 7, "option": 1}
    first = answer_card(view, LONDON, chosen="Presume capacity", notice=None, typed=pressed)
    assert first == build_poll_card(view, LONDON, chosen="Presume capacity", typed=pressed).card
    assert answer_card(view, LONDON, chosen="Presume capacity", notice=None, typed=dict(pressed)) is first
    other = answer_card(view, LONDON, chosen="Best", notice=None, typed={"poll": 7, "option": 2})
    assert (
        other is not first
        and other == build_poll_card(view, LONDON, chosen="Best", typed={"poll": 7, "option": 2}).card
    )
    noted = answer_card(view, LONDON, chosen="Presume capacity", notice="Closed.", typed=pressed)
    assert (
        noted is not first
        and noted == build_poll_card(view, LONDON, chosen="Presume capacity", notice="Closed.", typed=pressed).card
    )


def test_a_new_view_or_unhashable_inputs_build_their_own_card() -> None:
    pressed = {"poll": 7, "option": 1}
    first = answer_card(_view(3), LONDON, chosen="Presume capacity", notice=None, typed=pressed)
    later = _view(4)  # the tallies moved on: an equal-looking key, another view
    again = answer_card(later, LONDON, chosen="Presume capacity", notice=None, typed=pressed)
    assert again is not first and again == build_poll_card(later, LONDON, chosen="Presume capacity", typed=pressed).card
    typed = {"poll": 7, "picks": [1, 2]}  # a list in what they sent: not kept, still right
    one = answer_card(later, LONDON, chosen="Presume capacity", notice=None, typed=typed)
    assert one == build_poll_card(later, LONDON, chosen="Presume capacity", typed=typed).card
    assert answer_card(later, LONDON, chosen="Presume capacity", notice=None, typed=typed) is not one
