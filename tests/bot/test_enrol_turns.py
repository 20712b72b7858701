"""The enrolment steps over HTTP, as a participant goes through them: ``enrol CODE`` (the terms card), "Confirm my
place" (an ``Action.Execute`` answer) and ``withdraw CODE confirm``; each in few statements and transactions
(benchmarks/turns.py ``d-enrol`` runs the same three turns)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from aiohttp.test_utils import TestClient

from classroom.enrolment.organisations import assign_organisation_by_name
from classroom.people import ensure_person
from tests.bot.test_turn_preload import database_use, sqlite_only
from tests.support.catalogue import load_demo_catalogue

PARTICIPANT = "00000000-0000-0000-0000-0000000000020"  # the sender in the captured activities
RUN = "PERMPLAN-2"  # one session: its terms card asks "Confirm my place" / "No thanks"
CONFIRM_PLACE = {
    "action": {"type": "Action.Execute", "title": "Confirm my place", "verb": "answer", "data": {"args": "confirm"}}
}


async def _step(client: TestClient, body: dict[str, Any]) -> list[list[str]]:
    """The statements of one turn, grouped by pooled connection checkout (a transaction each)."""
    with database_use(client) as checkouts:
        response = await client.post("/api/messages", json=body)
    assert response.status in (200, 201)
    if os.environ.get("ENROL_STATEMENTS"):  # to see them: ENROL_STATEMENTS=1 pytest -s
        print(body.get("text") or "confirm", [len(c) for c in checkouts])
        for checkout in checkouts:
            print("\n".join(["  ---", *("    " + " ".join(s.split())[:200] for s in checkout)]))
    return checkouts


def _with(statements: list[str], *words: str) -> list[str]:
    return [s for s in statements if all(word in s for word in words)]


@sqlite_only
async def test_enrolling_confirming_and_withdrawing_take_few_statements(
    quiet_client, activity: Callable[..., dict[str, Any]], connector, session_factory, clock
) -> None:
    await load_demo_catalogue(session_factory, clock)
    async with session_factory.begin() as session:
        await ensure_person(session, PARTICIPANT, "Alex Wilber")
        await assign_organisation_by_name(session, PARTICIPANT, "Brighton & Hove City Council")
    await quiet_client.post("/api/messages", json=activity("personal-message", text="hello"))
    for _round in range(2):  # the second time round, the person's enrolment row is reopened (as in the benchmark)
        terms = await _step(quiet_client, activity("personal-message", text=f"enrol {RUN}"))
        assert "Confirm my place" in str(connector.bodies()[-1])
        confirm = await _step(quiet_client, activity("card-action-execute-invoke", value=CONFIRM_PLACE))
        assert "calendar" in str(connector.bodies()[-1]).lower()
        withdraw = await _step(quiet_client, activity("personal-message", text=f"withdraw {RUN} confirm"))
        assert "cancelled" in str(connector.bodies()[-1])

    every_terms = [s for c in terms for s in c]
    # The terms: the run's dates, prices and organisations from the catalogue kept in memory, not read again.
    assert not _with(every_terms, "FROM run_sessions") and not _with(every_terms, "FROM run_prices")
    assert len(every_terms) <= 5, terms
    # Meeting the person, the runs the code names, their places and the person's organisation in one statement: the
    # activity's claim and the dialog's state, that read, the quote, the state written.
    assert len(terms) == 4, terms

    # Confirming: one transaction takes the place, queues every reminder, prompt and survey (the course's learning
    # outcomes from the catalogue kept in memory, the run's evaluation key read once for them) and issues the
    # calendar link; nobody's roles are read (nothing here depends on them).
    [place] = [c for c in confirm if _with(c, "UPDATE enrolments")]
    assert _with(place, "INSERT INTO outbox") and _with(place, "INSERT INTO calendar_links")
    assert not _with(place, "FROM learning_outcomes"), place
    assert len(_with(place, "FROM evaluation_run_keys")) == 1
    assert not _with(place, "INSERT INTO evaluation_run_keys"), place  # the run has its key: read, not written
    # The session's time as told was recorded by the first place: known from the read under the lock, not written.
    assert not _with(place, "INSERT INTO announced_session_times"), place
    assert not _with(place, "FROM person_roles")
    # The activity's claim with the dialog's state (one transaction, one statement more), the place, the state written.
    assert len(confirm) == 3, confirm
    assert _with(confirm[0], "INSERT INTO activity_receipts") and _with(confirm[0], "FROM bot_state"), confirm
    # The lock, the read under it (with the run's survey key and whether anything planned was answered already), the
    # place, the surveys waiting re-planned, every outbox row in one INSERT, the calendar link.
    assert len(place) <= 6, place
    assert not _with(place, "SELECT reflections.id") and not _with(place, "respondent_key ="), place
    assert sum(map(len, confirm)) <= 9, confirm
    # The run's details from the catalogue kept in memory, for the reminders too: the run is not loaded at all.
    assert not _with(place, "FROM course_runs") and not _with(place, "SELECT run_sessions."), place
    assert not _with(place, "FROM run_prices") and not _with(place, "FROM run_trainers"), place
    assert not _with(place, "FROM run_eligible_organisations"), place

    # The confirmation is built from the enrolment the change left in memory, not read again.
    assert len(_with(place, "FROM enrolment_clash_sessions")) == 1, place

    # Places held and people waiting counted once, in both steps: in the one statement that reads the person and
    # their enrolment under the run's lock (with the catalogue version the run's details are checked against).
    for step in (place, withdraw[-1]):
        [counted] = [s for s in step if "count(enrolments" in s]
        assert "people.aad_object_id =" in counted and "catalogue_version" in counted, step
        assert not [s for s in step if s.startswith("SELECT count(enrolments.id)")], step

    # The run is loaded without counting its places (the steps count them once, above).
    for step in (place, withdraw[-1]):
        assert not _with(step, "FROM course_runs", "count(enrolments.id)"), step

    # Withdrawing: the person and the enrolment read once each; the run not at all (its details from the catalogue
    # kept in memory, checked by the version read with them).
    [given_up] = [c for c in withdraw if _with(c, "UPDATE enrolments")]
    assert len(_with(given_up, "FROM people", "people.aad_object_id =")) == 1
    assert not _with(given_up, "FROM course_runs", "course_runs.capacity")
    assert len(_with(given_up, "FROM enrolments", "enrolments.person_id =")) == 1
    assert not _with(given_up, "FROM person_roles", "person_roles.person_id IN")
    # Its reminders, reflection prompts and surveys cancelled in one statement run (an executemany).
    assert len(_with(given_up, "UPDATE outbox")) == 1, given_up
    # Whom to tell (the coordinators' conversation or each of them, and the run's linked trainers) in one read; every
    # copy in one INSERT.
    [overseers] = _with(given_up, "designated_conversations")
    assert "person_roles" in overseers and "run_trainers" in overseers, overseers
    assert len(_with(given_up, "INSERT INTO outbox")) <= 1, given_up
    assert sum(map(len, withdraw)) <= 10, withdraw
