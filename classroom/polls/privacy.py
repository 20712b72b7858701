"""The personal data of polls: a person's answers to named polls (and, while an anonymous poll is open, the vote
keyed by their id's HMAC, which only they can be traced to), the polls, prepared polls and chat links a trainer
made, and the download links issued to them."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from classroom.polls.ballots import answer_text
from classroom.polls.voters import anonymous_voter_key
from classroom.privacy.personal_data import ERASED_NAME, Erasure, PersonalData, Retention, Section, Subject
from classroom.privacy.retention import POLL_ANSWERS
from storage.models import ChatRunLink, Poll, PollExportLink, PollStatus, PollVote, PreparedPoll


class PollsData(PersonalData):
    tables: ClassVar = {
        "chat_run_links": frozenset({"linked_by_aad_object_id", "linked_by_name"}),
        "polls": frozenset(
            {"launched_by_aad_object_id", "launched_by_name", "closed_by_aad_object_id", "closed_by_name"}
        ),
        "poll_options": frozenset(),
        "poll_votes": frozenset({"voter_key", "voter_name", "answered_at", "text", "teams_user_id"}),
        "poll_vote_picks": frozenset(),  # a vote's picks and ratings: they go with the vote
        "prepared_polls": frozenset({"prepared_by_aad_object_id", "prepared_by_name"}),
        "poll_export_links": frozenset({"issued_to_aad_object_id", "token_hash"}),
    }
    not_personal: ClassVar = {
        "chat_run_links": frozenset({"conversation_id"}),
        "polls": frozenset({"question", "conversation_id", "hmac_key", "low_label", "high_label"}),
        "poll_options": frozenset({"text"}),
        "prepared_polls": frozenset({"question", "draft"}),
    }

    async def export(self, session: AsyncSession, subject: Subject) -> Section | None:
        answers = [
            (poll.question, answer_text(poll, vote), vote.answered_at)
            for vote, poll in (
                await session.execute(
                    select(PollVote, Poll)
                    .join(Poll, Poll.id == PollVote.poll_id)
                    .where(PollVote.voter_key == subject.aad_object_id, Poll.anonymous.is_(False))
                    .order_by(PollVote.answered_at)
                )
            ).all()
        ]
        launched = (
            await session.scalars(select(Poll.question).where(Poll.launched_by_aad_object_id == subject.aad_object_id))
        ).all()
        if not answers and not launched:
            return None
        lines = [f'"{question}": you answered "{option}"' for question, option, _at in answers]
        if launched:
            lines.append(f"Polls you posted: {len(launched)}")
        data = {
            "named_poll_answers": [{"question": q, "answer": o, "at": at} for q, o, at in answers],
            "polls_posted": list(launched),
        }
        return Section("Poll answers", tuple(lines), data)

    async def erase(self, session: AsyncSession, erasure: Erasure) -> dict[str, int]:
        aad, pseudonym = erasure.subject.aad_object_id, erasure.pseudonym
        keys = [aad]
        # While an anonymous poll is open its key can still find the person's vote (and only theirs).
        for hmac_key in (
            await session.scalars(
                select(Poll.hmac_key).where(Poll.status == PollStatus.OPEN, Poll.hmac_key.is_not(None))
            )
        ).all():
            if hmac_key is not None:
                keys.append(anonymous_voter_key(hmac_key, aad))
        votes = await session.execute(delete(PollVote).where(PollVote.voter_key.in_(keys)))
        await session.execute(
            update(Poll)
            .where(Poll.launched_by_aad_object_id == aad)
            .values(launched_by_aad_object_id=pseudonym, launched_by_name=ERASED_NAME)
        )
        await session.execute(
            update(Poll)
            .where(Poll.closed_by_aad_object_id == aad)
            .values(closed_by_aad_object_id=pseudonym, closed_by_name=ERASED_NAME)
        )
        await session.execute(
            update(ChatRunLink)
            .where(ChatRunLink.linked_by_aad_object_id == aad)
            .values(linked_by_aad_object_id=pseudonym, linked_by_name=ERASED_NAME)
        )
        await session.execute(
            update(PreparedPoll)
            .where(PreparedPoll.prepared_by_aad_object_id == aad)
            .values(prepared_by_aad_object_id=pseudonym, prepared_by_name=ERASED_NAME)
        )
        await session.execute(delete(PollExportLink).where(PollExportLink.issued_to_aad_object_id == aad))
        count = int(votes.rowcount)  # type: ignore[attr-defined]
        return {"poll answers deleted": count} if count else {}

    async def purge(self, session: AsyncSession, now: datetime, retention: Retention) -> dict[str, int]:
        """Named polls closed longer ago than the period forget who answered what; the counts stay."""
        before = now - retention.period(POLL_ANSWERS)
        closed = select(Poll.id).where(Poll.status == PollStatus.CLOSED, Poll.closed_at < before)
        result = await session.execute(
            update(PollVote)
            .where(PollVote.poll_id.in_(closed), PollVote.voter_key.is_not(None))
            .values(voter_key=None, voter_name=None, answered_at=None, teams_user_id=None)
        )
        return {POLL_ANSWERS: int(result.rowcount)}  # type: ignore[attr-defined]
