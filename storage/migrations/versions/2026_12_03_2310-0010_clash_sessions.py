"""enrolment: a clash names several sessions (``enrolment_clash_sessions``) instead of one column

Each enrolment's ``clash_session_id`` becomes a row of the new table, then the column goes. Clash reviews and
decisions already queued in the outbox name their session as ``clash_session``; they are reshaped to the new
``clash_sessions`` list, so they still render. Downgrading keeps each enrolment's first clash session.

On SQLite the column is dropped by rebuilding ``enrolments``; ``migrations/env.py`` turns foreign keys off
for migrations there, or dropping the old table would delete every calendar link (ON DELETE CASCADE).
"""

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010"
down_revision = "0009"

CLASH_KINDS = ("enrolment.clash_review", "enrolment.clash_decision")
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
OUTBOX = sa.table(
    "outbox", sa.column("id", sa.Integer), sa.column("kind", sa.String), sa.column("payload", JSON_DOCUMENT)
)
ENROLMENTS = sa.table("enrolments", sa.column("id", sa.Integer), sa.column("clash_session_id", sa.Integer))
CLASH_SESSIONS = sa.table(
    "enrolment_clash_sessions", sa.column("enrolment_id", sa.Integer), sa.column("session_id", sa.Integer)
)
RUN_SESSIONS = sa.table("run_sessions", sa.column("id", sa.Integer), sa.column("position", sa.Integer))


def sessions_list(payload: dict[str, Any]) -> dict[str, Any]:
    reshaped = {key: value for key, value in payload.items() if key != "clash_session"}
    one = payload.get("clash_session")
    reshaped["clash_sessions"] = [one] if one else []
    return reshaped


def first_session(payload: dict[str, Any]) -> dict[str, Any]:
    reshaped = {key: value for key, value in payload.items() if key != "clash_sessions"}
    sessions = payload.get("clash_sessions") or []
    reshaped["clash_session"] = sessions[0] if sessions else None
    return reshaped


def _reshape_notices(reshape: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(OUTBOX.c.id, OUTBOX.c.payload).where(OUTBOX.c.kind.in_(CLASH_KINDS))).all()
    for row_id, payload in rows:
        connection.execute(sa.update(OUTBOX).where(OUTBOX.c.id == row_id).values(payload=reshape(payload)))


def upgrade() -> None:
    op.create_table(
        "enrolment_clash_sessions",
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["enrolments.id"],
            name=op.f("fk_enrolment_clash_sessions_enrolment_id_enrolments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["run_sessions.id"],
            name=op.f("fk_enrolment_clash_sessions_session_id_run_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("enrolment_id", "session_id", name=op.f("pk_enrolment_clash_sessions")),
    )
    with op.batch_alter_table("enrolment_clash_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrolment_clash_sessions_session_id"), ["session_id"], unique=False)
    op.execute(
        CLASH_SESSIONS.insert().from_select(
            ["enrolment_id", "session_id"],
            sa.select(ENROLMENTS.c.id, ENROLMENTS.c.clash_session_id).where(ENROLMENTS.c.clash_session_id.is_not(None)),
        )
    )
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.drop_constraint("fk_enrolments_clash_session_id_run_sessions", type_="foreignkey")
        batch_op.drop_column("clash_session_id")
    _reshape_notices(sessions_list)


def downgrade() -> None:
    _reshape_notices(first_session)
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("clash_session_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_enrolments_clash_session_id_run_sessions",
            "run_sessions",
            ["clash_session_id"],
            ["id"],
            ondelete="SET NULL",
        )
    first = (
        sa.select(CLASH_SESSIONS.c.session_id)
        .join(RUN_SESSIONS, RUN_SESSIONS.c.id == CLASH_SESSIONS.c.session_id)
        .where(CLASH_SESSIONS.c.enrolment_id == ENROLMENTS.c.id)
        .order_by(RUN_SESSIONS.c.position)
        .limit(1)
        .scalar_subquery()
    )
    op.execute(sa.update(ENROLMENTS).values(clash_session_id=first))
    with op.batch_alter_table("enrolment_clash_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrolment_clash_sessions_session_id"))
    op.drop_table("enrolment_clash_sessions")
