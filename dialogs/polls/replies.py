"""What the poll commands and buttons say when they refuse, in one place so typing and pressing agree."""

from __future__ import annotations

from dialogs.polls.quick_form import EXAMPLE

NOT_LINKED = (
    "This chat isn't linked to a course run yet, so I can't run polls here. A trainer of the run or a coordinator "
    "mentions me here and types **link RUN** (for example **link PERM4-A**)."
)
HOW_TO_POLL = (
    "To post a poll, type **poll** followed by the question and the options, with | between them "
    f"(2 to 10 options), for example: **{EXAMPLE}**. Words in square brackets before the question choose the kind: "
    "**multiple** (or **multiple:2**, at most 2 picks), **rating** (| low label | high label), **text** (an open "
    "question, no options), **confidence** (the course's learning outcomes, rated 1 to 5), **quiz** (mark the "
    "right option with *); and the settings: **anonymous**, **hidden** (results when it closes), **private** "
    "(results to you only), **final** (answers can't be changed), **5min** (closes by itself after 5 minutes), "
    "e.g. **poll [quiz anonymous 5min] Who decides? | *The decision maker | A judge**. **poll** alone opens a card "
    "to fill in."
)
NO_SUCH_POLL = "Sorry, I can't find that poll any more."
NOT_AN_OPTION = "Sorry, that answer isn't one of this poll's options. Nothing was recorded."
SIGN_IN = "Sorry, I can only take answers from people signed in to Teams."
CLOSED = "This poll has closed, so your answer was not recorded. These are the final results."
LOCKED = "Answers to this poll can't be changed: your first answer stands."
POLLS_ARE_POSTED_IN_THE_RUNS_CHAT = (
    "Polls are posted in the session's chat, once it is linked to the run (mention me there). Here, type **poll** "
    "alone: its card saves a poll for a run, to launch with one click in that chat (**prepared** there)."
)
NO_ANSWER = "Sorry, I couldn't read an answer from that card. Nothing was recorded."


def refused_answer(reason: str) -> str:
    """``reason``: the domain's own words (never the text that was sent)."""
    return f"Sorry, {reason}. Nothing was recorded: please try again."


def not_allowed(what: str, run_code: str | None = None) -> str:
    whose = f"the trainers of {run_code}" if run_code else "the run's trainers"
    return f"Sorry, only {whose} and coordinators can {what}. Nothing was changed."


def bad_draft(reason: str) -> str:
    """``reason``: the domain's own words (never the text that was typed)."""
    return f"Sorry, {reason}. Nothing was posted. {HOW_TO_POLL}"
