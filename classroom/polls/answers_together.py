"""Several people's answers to one poll, recorded in one transaction (votes that arrive together, a classroom
answering at once: ``vote_batches`` gathers them).

A vote alone (``polls.answer``) runs six statements with its activity's claim, plus BEGIN and COMMIT, and most of
them are the same for every vote of the poll: its lock and snapshot, the tallies after the answer. Together, the
votes take the poll's lock and read it once, read every earlier answer in one statement, claim every activity in
one, store the answers in one or two, and read the tallies once; each is told the tallies after all of them (as a
vote alone is told the tallies after the votes committed before it).

The rules are a vote alone's: a refusal (closed, not an option, a refused answer, an answer locked) claims and
writes nothing; a redelivery (its activity claimed before) writes nothing; the same answer again is claimed and
not counted. Activities are claimed before the answers are written (a vote alone claims last and rolls back), so
a redelivery's answer is never written. The two orders differ: when one activity is redelivered to two processes
at once and one records it in a batch, the other alone, the batch can hold the claim while waiting for the voter's
row and the vote alone hold the row while waiting for the claim. PostgreSQL then reports a deadlock after about a
second, rolls one back and ``in_transaction`` runs it again, finding the other's claim (a redelivery: nothing more
is written). Rare and resolved, so the orders stay: the batch cannot roll back one vote of its own, and a vote
alone claiming first was slower (``PollService._answer_alone``). Each voter comes once in a batch
(``vote_batches`` keeps a second press for the next one), so the votes of a batch do not depend on each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from classroom.errors import InvalidInput, NotFound
from classroom.polls.answer_rows import AnswerWrite, earlier_answer, earlier_answers, record_answer, record_answers
from classroom.polls.ballots import Ballot, CheckedAnswer, answer_text, checked, same_answer
from classroom.polls.errors import AnswerLocked, PollClosed
from classroom.polls.polls import VoteOutcome, Voter
from classroom.polls.snapshot import locked_for_answer
from classroom.polls.views import poll_view
from classroom.polls.voters import voter_key
from classroom.receipts import ActivityReceipts, AlreadyTaken
from storage.models import Poll, PollStatus, PollVote


@dataclass(frozen=True)
class PendingVote:
    """One vote waiting to be recorded with others: what ``PollService.answer`` was given, and when."""

    ballot: Ballot
    voter: Voter
    receipt: str | None
    now: datetime


VoteResult = VoteOutcome | Exception  # the outcome, or the refusal to raise in the vote's turn


async def answer_together(
    session: AsyncSession, poll_id: int, votes: Sequence[PendingVote], receipts: ActivityReceipts
) -> list[VoteResult]:
    """Each vote's outcome or refusal, in order (``polls.answer``'s, with ``ActivityReceipts.require_claim_in``'s
    AlreadyTaken). The votes must be of different voters, with different receipts."""
    try:
        poll, code = await locked_for_answer(session, poll_id)
    except NotFound:
        return [NotFound("no such poll") for _ in votes]
    if poll.status is PollStatus.CLOSED:
        closed = await poll_view(session, poll, code)
        return [PollClosed(closed) for _ in votes]
    results: list[VoteResult | None] = [None] * len(votes)
    answers = _checked(poll, votes, results)
    earlier = await earlier_answers(session, poll, [key for key, _answer in answers.values()])
    same, locked, writing = _sorted_out(poll, answers, earlier)
    claimed = await receipts.claim_all_in(session, [r for i in [*same, *writing] if (r := votes[i].receipt)])
    for i in [*same, *writing]:
        receipt = votes[i].receipt
        if receipt is not None and receipt not in claimed:
            results[i] = AlreadyTaken(receipt)
    outcomes = {i: (a, False, False) for i, a in same.items() if results[i] is None}
    writes = {i: _write(votes[i], *answers[i], earlier) for i in writing if results[i] is None}
    for i, stored in zip(writes, await record_answers(session, poll, list(writes.values())), strict=True):
        decided: tuple[PollVote, bool, bool] | PollVote
        if stored is not None:
            decided = (stored, True, writes[i].earlier is not None)
        else:  # their other press (another process's) stored a first answer meanwhile
            decided = await _decided_again(session, poll, *answers[i], votes[i])
        if isinstance(decided, tuple):
            outcomes[i] = decided
            continue
        locked[i] = decided
        if (receipt := votes[i].receipt) is not None:
            await receipts.unclaim_in(session, receipt)  # refused after all: claims nothing
    view = await poll_view(session, poll, code)
    for i, (answer, counted, changed) in outcomes.items():
        results[i] = VoteOutcome(view, answer_text(poll, answer), counted=counted, changed=changed)
    for i, existing in locked.items():
        results[i] = AnswerLocked(view, answer_text(poll, existing))
    return [result if result is not None else RuntimeError("a vote left undecided") for result in results]


def _checked(
    poll: Poll, votes: Sequence[PendingVote], results: list[VoteResult | None]
) -> dict[int, tuple[str, CheckedAnswer]]:
    """Each vote's (voter key, answer) by its place; a refused one's refusal put in ``results`` instead."""
    answers: dict[int, tuple[str, CheckedAnswer]] = {}
    for i, vote in enumerate(votes):
        try:
            answer = checked(poll, vote.ballot)
        except InvalidInput as refused:
            results[i] = refused
            continue
        answers[i] = (voter_key(vote.voter.aad_object_id, anonymous=poll.anonymous, hmac_key=poll.hmac_key), answer)
    return answers


def _sorted_out(
    poll: Poll, answers: dict[int, tuple[str, CheckedAnswer]], earlier: dict[str, PollVote]
) -> tuple[dict[int, PollVote], dict[int, PollVote], list[int]]:
    """(the same answer again, answers locked: each with the earlier answer; the votes to write)."""
    same: dict[int, PollVote] = {}
    locked: dict[int, PollVote] = {}
    writing: list[int] = []
    for i, (key, answer) in answers.items():
        existing = earlier.get(key)
        if existing is not None and same_answer(existing, answer):
            same[i] = existing
        elif existing is not None and not poll.changeable:
            locked[i] = existing
        else:
            writing.append(i)
    return same, locked, writing


def _write(vote: PendingVote, key: str, answer: CheckedAnswer, earlier: dict[str, PollVote]) -> AnswerWrite:
    return AnswerWrite(key, answer, vote.voter.name, vote.voter.teams_id, earlier.get(key), vote.now)


async def _decided_again(
    session: AsyncSession, poll: Poll, key: str, answer: CheckedAnswer, vote: PendingVote
) -> tuple[PollVote, bool, bool] | PollVote:
    """The voter's other press (in another process) stored a first answer meanwhile: decided as a vote alone does
    then (``polls.answer``). Returns (answer, counted, changed), or the earlier answer when it is locked."""
    existing = await earlier_answer(session, poll, key)
    while True:
        if existing is not None and same_answer(existing, answer):
            return existing, False, False
        if existing is not None and not poll.changeable:
            return existing
        voter = vote.voter
        stored = await record_answer(session, poll, key, answer, voter.name, voter.teams_id, existing, now=vote.now)
        if stored is not None:
            return stored, True, existing is not None
        existing = await earlier_answer(session, poll, key)
