"""After the session: a run's polls with their results, one poll's results, and the CSV of answers behind an
expiring, unguessable link, for the run's trainers and coordinators only (anyone else: the same as not found)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from classroom.errors import NotFound
from classroom.polls.exports import spreadsheet_safe
from classroom.polls.kinds import PollDraft, PollSettings, SingleChoice
from classroom.polls.polls import Voter
from storage.models import Person, PollExportLink, Role
from tests.support.enrolment import add_person
from tests.support.polls import (
    ADELE,
    ALEX,
    ISAIAH,
    LYNNE,
    MEGAN,
    MULTI_RUN,
    ZOE,
    chat_info,
    draft,
)

ALEX_V, ISAIAH_V, LYNNE_V = Voter(ALEX, "Alex Wilber"), Voter(ISAIAH, "Isaiah Langer"), Voter(LYNNE, "Lynne Robbins")


@pytest.fixture
async def voted(polls, session_factory, clock):  # type: ignore[no-untyped-def]
    """PERMX-A's chat with a named poll (Alex and Isaiah chose 1, Lynne 2 then 3) and an anonymous one (2 answers),
    on a summer morning (09:00 UTC is 10:00 in the UK)."""
    clock.set(datetime(2026, 7, 1, 9, 0, tzinfo=UTC))
    async with session_factory.begin() as session:
        await session.execute(update(Person).where(Person.aad_object_id == ALEX).values(email="alex@contoso.example"))
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    named = await polls.launch(chat_info().conversation_id, draft(), by=ZOE)
    for voter, option in ((ALEX_V, 0), (ISAIAH_V, 0), (LYNNE_V, 1)):
        clock.advance(timedelta(seconds=5))
        await polls.vote(named.id, named.options[option].id, voter)
    clock.advance(timedelta(seconds=5))
    await polls.vote(named.id, named.options[2].id, LYNNE_V)  # Lynne changes her answer
    await polls.close(named.id, by=ZOE)
    anonymous = await polls.launch(chat_info().conversation_id, draft(anonymous=True), by=ZOE)
    await polls.vote(anonymous.id, anonymous.options[0].id, ALEX_V)
    await polls.vote(anonymous.id, anonymous.options[1].id, LYNNE_V)
    await polls.close(anonymous.id, by=ZOE)
    return named, anonymous


def _rows(content: bytes) -> list[dict[str, str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs to read UTF-8
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


async def test_a_runs_polls_with_results_for_its_trainer_and_coordinators(polls, voted) -> None:  # type: ignore[no-untyped-def]
    named, anonymous = voted
    for who in (ZOE, ADELE):
        listed = await polls.run_polls(MULTI_RUN.lower(), by=who.aad_object_id)
        assert listed.run_code == MULTI_RUN and listed.total == 2
        assert [p.id for p in listed.polls] == [anonymous.id, named.id]  # newest first
        assert [o.votes for o in listed.polls[1].options] == [2, 0, 1] and listed.polls[1].voters == 3
    one = await polls.results(named.id, by=ZOE.aad_object_id)
    assert one.closed and [o.votes for o in one.options] == [2, 0, 1]


@pytest.mark.parametrize("who", [MEGAN.aad_object_id, ALEX, None])
async def test_anyone_else_gets_exactly_what_a_missing_run_or_poll_gets(polls, voted, who) -> None:  # type: ignore[no-untyped-def]
    named, _ = voted
    for ask in (
        lambda: polls.run_polls(MULTI_RUN, by=who),
        lambda: polls.results(named.id, by=who),
        lambda: polls.export_link(poll_id=named.id, by=who),
        lambda: polls.export_link(run_code=MULTI_RUN, by=who),
    ):
        with pytest.raises(NotFound) as refused:
            await ask()
        assert str(refused.value) == "no such run, or not yours to see"
    with pytest.raises(NotFound) as missing:
        await polls.run_polls("NOPE-1", by=ZOE.aad_object_id)
    assert str(missing.value) == "no such run, or not yours to see"
    with pytest.raises(NotFound) as missing:
        await polls.results(10_000, by=ZOE.aad_object_id)
    assert str(missing.value) == "no such run, or not yours to see"


async def test_the_csv_has_one_row_per_answer_names_for_named_polls_only_in_uk_time(polls, voted) -> None:  # type: ignore[no-untyped-def]
    named, anonymous = voted
    link = await polls.export_link(run_code=MULTI_RUN, by=ZOE.aad_object_id)
    file = await polls.export_file(link.token)
    rows = _rows(file.content)
    assert file.filename == f"{MULTI_RUN}-polls.csv"
    assert list(rows[0]) == [
        "Poll",
        "Run",
        "Question",
        "Kind",
        "Anonymous",
        "Answer",
        "Voter name",
        "Voter email",
        "Answered at (Europe/London)",
    ]
    named_rows = [r for r in rows if r["Poll"] == str(named.id)]
    assert [(r["Voter name"], r["Answer"]) for r in named_rows] == [
        ("Alex Wilber", "Presume capacity"),
        ("Isaiah Langer", "Presume capacity"),
        ("Lynne Robbins", "Best interests"),  # her changed answer, once
    ]
    assert named_rows[0]["Voter email"] == "alex@contoso.example" and named_rows[1]["Voter email"] == ""
    assert {r["Kind"] for r in rows} == {"single choice"}
    assert [r["Answered at (Europe/London)"] for r in named_rows] == [
        "2026-07-01 10:00:05",
        "2026-07-01 10:00:10",
        "2026-07-01 10:00:20",  # Lynne's change: when she last answered
    ]
    anonymous_rows = [r for r in rows if r["Poll"] == str(anonymous.id)]
    assert sorted(r["Answer"] for r in anonymous_rows) == ["Presume capacity", "Support to decide"]
    for row in anonymous_rows:
        assert (row["Anonymous"], row["Voter name"], row["Voter email"], row["Answered at (Europe/London)"]) == (
            "yes",
            "",
            "",
            "",
        )
    assert b"aad-" not in file.content  # no Entra object id, of anyone, in any row


async def test_one_polls_csv_holds_that_poll_only(polls, voted) -> None:  # type: ignore[no-untyped-def]
    named, _ = voted
    link = await polls.export_link(poll_id=named.id, by=ADELE.aad_object_id)
    file = await polls.export_file(link.token)
    assert file.filename == f"{MULTI_RUN}-poll-{named.id}.csv"
    assert {r["Poll"] for r in _rows(file.content)} == {str(named.id)}


async def test_a_link_expires_and_only_its_hash_is_stored(polls, voted, session_factory, clock) -> None:  # type: ignore[no-untyped-def]
    named, _ = voted
    link = await polls.export_link(poll_id=named.id, by=ZOE.aad_object_id)
    async with session_factory() as session:
        stored = (await session.scalars(select(PollExportLink))).one()
    assert link.token not in stored.token_hash and len(link.token) == 43
    assert stored.expires_at == clock.now() + timedelta(hours=1)
    clock.advance(timedelta(hours=1))
    with pytest.raises(NotFound):
        await polls.export_file(link.token)


@pytest.mark.parametrize("token", ["", "x" * 43, "../../etc/passwd", "A" * 200])
async def test_a_made_up_link_is_not_found(polls, voted, token) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound):
        await polls.export_file(token)


async def test_a_link_stops_working_when_its_person_loses_the_right(polls, voted, session_factory) -> None:  # type: ignore[no-untyped-def]
    named, _ = voted
    await add_person(session_factory, "aad-coord-2", "Nestor Wilke", roles=(Role.COORDINATOR,))
    link = await polls.export_link(poll_id=named.id, by="aad-coord-2")
    assert await polls.export_file(link.token)
    async with session_factory.begin() as session:
        from classroom.people import find_person, revoke_role

        person = await find_person(session, "aad-coord-2")
        assert person is not None
        await revoke_role(session, person, Role.COORDINATOR)
    with pytest.raises(NotFound):
        await polls.export_file(link.token)


async def test_answers_a_spreadsheet_would_run_as_formulas_are_made_inert(polls, session_factory) -> None:  # type: ignore[no-untyped-def]
    await polls.link(chat_info(), MULTI_RUN, by=ZOE)
    sneaky = PollDraft(
        '=HYPERLINK("http://evil.example","Click")',
        SingleChoice(("+1+2", "-2", "@SUM(A1)", "Plain")),
        PollSettings(),
    )
    poll = await polls.launch(chat_info().conversation_id, sneaky, by=ZOE)
    await add_person(session_factory, "aad-eve", "=cmd|' /C calc'!A0")
    for n, option in enumerate(poll.options):
        await polls.vote(poll.id, option.id, Voter(f"aad-v{n}", "=1+1" if n == 0 else f"Voter {n}"))
    await polls.vote(poll.id, poll.options[0].id, Voter("aad-eve", "=cmd|' /C calc'!A0"))
    file = await polls.export_file((await polls.export_link(poll_id=poll.id, by=ZOE.aad_object_id)).token)
    rows = _rows(file.content)
    assert {r["Question"] for r in rows} == {'\'=HYPERLINK("http://evil.example","Click")'}
    assert sorted(r["Answer"] for r in rows) == ["'+1+2", "'+1+2", "'-2", "'@SUM(A1)", "Plain"]
    assert {r["Voter name"] for r in rows} >= {"'=1+1", "'=cmd|' /C calc'!A0"}
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row.values())


def test_spreadsheet_safe_leaves_ordinary_text_alone() -> None:
    assert spreadsheet_safe("Best interests") == "Best interests"
    assert spreadsheet_safe("\tlead") == "'\tlead" and spreadsheet_safe("\r") == "'\r"
    assert spreadsheet_safe("a=b") == "a=b"


async def test_the_hourly_job_drops_links_expired_over_a_day_ago(polls, voted, session_factory, clock) -> None:  # type: ignore[no-untyped-def]
    named, _ = voted
    old = await polls.export_link(poll_id=named.id, by=ZOE.aad_object_id)
    clock.advance(timedelta(hours=23))
    recent = await polls.export_link(poll_id=named.id, by=ZOE.aad_object_id)
    clock.advance(timedelta(hours=3))  # the old link expired 25 hours ago, the recent one 1 hour ago
    async with session_factory.begin() as session:
        await polls.export_links_job()(session)
        left = list(await session.scalars(select(PollExportLink.expires_at)))
    assert left == [recent.expires_at] and old.expires_at not in left


async def test_every_export_link_issued_is_in_the_audit_log_and_a_refused_one_is_not(  # type: ignore[no-untyped-def]
    polls, voted, session_factory
) -> None:
    from sqlalchemy import select

    from storage.models import AuditEntry

    named, _anonymous = voted
    await polls.export_link(poll_id=named.id, by=ZOE.aad_object_id)
    with pytest.raises(NotFound):
        await polls.export_link(run_code=MULTI_RUN, by="aad-alex")
    async with session_factory() as session:
        entries = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "polls.export"))).all()
    assert [(e.actor_aad_object_id, e.details["poll"]) for e in entries] == [(ZOE.aad_object_id, named.id)]
