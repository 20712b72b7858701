"""Stored data for the growth benchmark: the same shape at any size, none of it the benchmark users' own.

``grow(url, factor)`` adds, per unit of ``factor``: 20 courses (3 learning outcomes, 2 runs of 4 sessions, a
trainer and five prices each), 1,000 people with a 1:1 chat each, 2,000 enrolments on those runs, 5,000 sent
outbox rows, 500 enquiries with three events each, and 10 closed polls with 500 named answers each. The
benchmark's own users (``turns.POOL`` of them) get the same data at every size: two places on the demo catalogue
runs, so ``my courses`` shows them the same card whatever else is stored. A turn that reads only what it needs
keeps its time as the rest grows; one that scans a table does not.

Rows go in with SQLAlchemy Core ``insert`` in batches (the ORM's unit of work would take minutes at 10×).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

BATCH = 2_000
COURSES, PEOPLE, ENROLMENTS, OUTBOX_SENT, ENQUIRIES, POLLS, VOTES_PER_POLL = 20, 1_000, 2_000, 5_000, 500, 10, 500


def _batches(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


def _aad(prefix: int, n: int) -> str:
    return f"{prefix:08x}-0000-4000-8000-{n:012d}"  # never a benchmark user (those start 00000000-)


async def grow(url: str, factor: int, pool: Sequence[str]) -> dict[str, int]:
    """Migrate ``url``, import the demo catalogue and add ``factor`` units of others' data; rows added per table."""
    from sqlalchemy import insert, select, text

    from classroom.catalogue.importer import import_catalogue
    from classroom.demo.catalogue import demo_catalogue
    from storage.engine import create_engine, create_session_factory
    from storage.migrate import upgrade
    from storage.models import CourseRun, Organisation

    engine = create_engine(url)
    try:
        await upgrade(engine)
        session_factory = create_session_factory(engine)
        async with session_factory.begin() as session:
            await import_catalogue(session, demo_catalogue(date.today()))
        async with session_factory.begin() as session:
            demo_runs = list(await session.scalars(select(CourseRun.id).order_by(CourseRun.id)))
            organisation = await session.scalar(select(Organisation.id).order_by(Organisation.id))
        tables = _rows(factor, pool, demo_runs, organisation)
        added = {}
        async with engine.begin() as connection:
            for table, rows in tables:
                for batch in _batches(rows):
                    await connection.execute(insert(table), list(batch))
                added[table.name] = added.get(table.name, 0) + len(rows)
        if engine.dialect.name == "postgresql":
            # Statistics, as autovacuum gathers them in a deployment once this many rows change: without any, the
            # planner guesses every table's size, and chose scans no analysed database would.
            async with engine.connect() as connection:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.execute(text("ANALYZE"))
        return added
    finally:
        await engine.dispose()


def _rows(factor: int, pool: Sequence[str], demo_runs: list[int], organisation: int | None) -> list[tuple[Any, list]]:
    """(table, rows) in foreign-key order. Ids are given explicitly, above any the demo data uses."""
    from storage.models import (
        ConversationRecord,
        Course,
        CourseRun,
        Enquiry,
        EnquiryAction,
        EnquiryEvent,
        EnquiryKind,
        EnquiryStatus,
        Enrolment,
        EnrolmentStatus,
        LearningOutcome,
        NotificationStatus,
        OutboxNotification,
        Person,
        Poll,
        PollKind,
        PollOption,
        PollResults,
        PollStatus,
        PollVote,
        RunPrice,
        RunSession,
        RunTrainer,
    )

    now = datetime.now(UTC).replace(microsecond=0)
    base = 1_000_000  # ids above the demo data's
    courses, outcomes, runs, sessions, trainers, prices = [], [], [], [], [], []
    for c in range(COURSES * factor):
        course_id = base + c
        courses.append(
            {
                "id": course_id,
                "code": f"GROW{c:05d}",
                "title": f"Growth course {c}",
                "summary": "A course that exists to make the catalogue larger.",
                "target_audience": "Social workers",
                "duration": "One day",
                "delivery": "Online via Microsoft Teams",
            }
        )
        outcomes += [{"course_id": course_id, "position": p, "text": f"Outcome {p} of {c}"} for p in range(1, 4)]
        for r in range(2):
            run_id = base + c * 2 + r
            runs.append({"id": run_id, "course_id": course_id, "code": f"GROW{c:05d}-{r}", "capacity": 40})
            start = now + timedelta(days=30 + r * 30)
            sessions += [
                {
                    "run_id": run_id,
                    "position": s,
                    "starts_at": start + timedelta(days=7 * s),
                    "ends_at": start + timedelta(days=7 * s, hours=3),
                }
                for s in range(1, 5)
            ]
            trainers.append({"run_id": run_id, "position": 1, "name": f"Trainer {c}"})
            prices += [{"run_id": run_id, "band": band, "amount_pence": 10_000 + band} for band in range(1, 6)]
    run_ids = [row["id"] for row in runs]

    people, chats = [], []
    for p in range(PEOPLE * factor):
        aad = _aad(1, p)
        people.append({"id": base + p, "aad_object_id": aad, "name": f"Person {p}", "organisation_id": organisation})
        chats.append(
            {
                "conversation_id": f"a:grow-{p}",
                "conversation_type": "personal",
                "service_url": "http://127.0.0.1:9/",
                "user_aad_object_id": aad,
                "reference": {"conversation": {"id": f"a:grow-{p}"}},
            }
        )
    person_ids = [row["id"] for row in people]
    # The benchmark users: the same two places at every size (first and last demo run).
    pool_people = [
        {"id": base * 2 + n, "aad_object_id": aad, "name": f"User {n}", "organisation_id": organisation}
        for n, aad in enumerate(pool)
    ]
    enrolments = [
        {"run_id": run, "person_id": row["id"], "status": EnrolmentStatus.CONFIRMED, "confirmed_at": now}
        for row in pool_people
        for run in {demo_runs[0], demo_runs[-1]}
    ]
    seen = set()
    for e in range(ENROLMENTS * factor):
        pair = (run_ids[e % len(run_ids)], person_ids[(e * 7919) % len(person_ids)])
        if pair not in seen:
            seen.add(pair)
            enrolments.append(
                {"run_id": pair[0], "person_id": pair[1], "status": EnrolmentStatus.CONFIRMED, "confirmed_at": now}
            )

    sent = now - timedelta(days=3)
    outbox = [
        {
            "dedupe_key": f"grow:{o}",
            "kind": "reminder",
            "recipient_aad_object_id": people[o % len(people)]["aad_object_id"],
            "payload": {"grown": o},
            "status": NotificationStatus.SENT,
            "due_at": sent,
            "next_attempt_at": sent,
            "attempts": 1,
            "sent_at": sent,
            "activity_id": f"grow-activity-{o}",
            "sent_conversation_id": f"a:grow-{o % len(people)}",
        }
        for o in range(OUTBOX_SENT * factor)
    ]

    enquiries, events = [], []
    for q in range(ENQUIRIES * factor):
        enquiry_id = base + q
        enquirer = people[q % len(people)]
        enquiries.append(
            {
                "id": enquiry_id,
                "reference": f"G{q:07d}",
                "year": 2025,
                "number": q + 1,
                "idempotency_key": f"grow-{q}",
                "kind": EnquiryKind.QUESTION,
                "status": EnquiryStatus.CLOSED,
                "enquirer_aad_object_id": enquirer["aad_object_id"],
                "enquirer_name": enquirer["name"],
                "enquirer_email": f"person{q}@example.org",
                "organisation": "Somewhere Council",
                "job_role": "Social worker",
                "course_codes": ["PERM4"],
                "message": "Is there a later date?",
            }
        )
        for action in (EnquiryAction.CREATED, EnquiryAction.ASSIGNED, EnquiryAction.CLOSED):
            events.append(
                {
                    "enquiry_id": enquiry_id,
                    "action": action,
                    "actor_aad_object_id": enquirer["aad_object_id"],
                    "actor_name": enquirer["name"],
                    "at": sent,
                }
            )

    polls, options, votes = [], [], []
    for n in range(POLLS * factor):
        poll_id = base + n
        polls.append(
            {
                "id": poll_id,
                "run_id": run_ids[n % len(run_ids)],
                "conversation_id": f"19:grow-{n}@thread.v2",
                "kind": PollKind.SINGLE_CHOICE,
                "question": f"Grown poll {n}?",
                "anonymous": False,
                "results": PollResults.LIVE,
                "changeable": True,
                "status": PollStatus.CLOSED,
                "launched_by_aad_object_id": people[0]["aad_object_id"],
                "launched_at": sent,
                "closed_at": sent,
            }
        )
        option_ids = [base + n * 3 + k for k in range(3)]
        options += [
            {"id": option, "poll_id": poll_id, "position": k, "text": f"Option {k}"}
            for k, option in enumerate(option_ids)
        ]
        votes += [
            {
                "poll_id": poll_id,
                "option_id": option_ids[v % 3],
                "voter_key": people[v % len(people)]["aad_object_id"],
                "voter_name": people[v % len(people)]["name"],
                "answered_at": sent,
            }
            for v in range(min(VOTES_PER_POLL, len(people)))
        ]

    return [
        (Course.__table__, courses),
        (LearningOutcome.__table__, outcomes),
        (CourseRun.__table__, runs),
        (RunSession.__table__, sessions),
        (RunTrainer.__table__, trainers),
        (RunPrice.__table__, prices),
        (Person.__table__, people + pool_people),
        (ConversationRecord.__table__, chats),
        (Enrolment.__table__, enrolments),
        (OutboxNotification.__table__, outbox),
        (Enquiry.__table__, enquiries),
        (EnquiryEvent.__table__, events),
        (Poll.__table__, polls),
        (PollOption.__table__, options),
        (PollVote.__table__, votes),
    ]
