"""polls: every kind (multiple choice, rating, open text, confidence, quiz), results modes, closing by itself

Polls gain ``max_picks``, rating end labels and ``closes_at``; options grow to 500 characters (a learning outcome
is an option of a confidence poll) and may be a quiz's ``correct`` answer; a vote holds its option, its text (open
text) or picks (``poll_vote_picks``: multiple choice, and confidence's rating per outcome), and the Teams user id of
a named poll's voter (per-user card views). ``prepared_polls`` keeps polls prepared for a run, launched later.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0017"
down_revision = "0016"

JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
OLD_KINDS = ("single_choice",)
KINDS = ("single_choice", "multiple_choice", "rating", "open_text", "confidence", "quiz")
OLD_RESULTS = ("live",)
RESULTS = ("live", "after_close", "launcher_only")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _checks(batch: object, kinds: tuple[str, ...], results: tuple[str, ...]) -> None:
    batch.drop_constraint(op.f("ck_polls_poll_kind"), type_="check")  # type: ignore[attr-defined]
    batch.drop_constraint(op.f("ck_polls_poll_results"), type_="check")  # type: ignore[attr-defined]
    batch.create_check_constraint(op.f("ck_polls_poll_kind"), _one_of("kind", kinds))  # type: ignore[attr-defined]
    batch.create_check_constraint(op.f("ck_polls_poll_results"), _one_of("results", results))  # type: ignore[attr-defined]


def upgrade() -> None:
    op.create_table(
        "prepared_polls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=240), nullable=False),
        sa.Column("draft", JSON_DOCUMENT, nullable=False),
        sa.Column("prepared_by_aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("prepared_by_name", sa.String(length=200), nullable=False),
        sa.Column("prepared_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["course_runs.id"], name=op.f("fk_prepared_polls_run_id_course_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prepared_polls")),
    )
    with op.batch_alter_table("prepared_polls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_prepared_polls_run_id"), ["run_id"], unique=False)
    with op.batch_alter_table("polls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prepared_poll_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_polls_prepared_poll_id"), ["prepared_poll_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_polls_prepared_poll_id_prepared_polls"),
            "prepared_polls",
            ["prepared_poll_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.add_column(sa.Column("max_picks", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("low_label", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("high_label", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_polls_closes_at"), ["closes_at"], unique=False)
        _checks(batch_op, KINDS, RESULTS)
    with op.batch_alter_table("poll_options", schema=None) as batch_op:
        batch_op.alter_column("text", existing_type=sa.String(length=120), type_=sa.String(length=500))
        batch_op.add_column(sa.Column("correct", sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table("poll_votes", schema=None) as batch_op:
        batch_op.alter_column("option_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("text", sa.String(length=280), nullable=True))
        batch_op.add_column(sa.Column("teams_user_id", sa.String(length=200), nullable=True))
    op.create_table(
        "poll_vote_picks",
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["option_id"],
            ["poll_options.id"],
            name=op.f("fk_poll_vote_picks_option_id_poll_options"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vote_id"], ["poll_votes.id"], name=op.f("fk_poll_vote_picks_vote_id_poll_votes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("vote_id", "option_id", name=op.f("pk_poll_vote_picks")),
    )
    with op.batch_alter_table("poll_vote_picks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_poll_vote_picks_option_id"), ["option_id"], unique=False)


def downgrade() -> None:
    """Back to single-choice polls only: polls of the new kinds (and their votes) are deleted."""
    op.drop_table("poll_vote_picks")
    polls = sa.table(
        "polls", sa.column("id", sa.Integer), sa.column("kind", sa.String), sa.column("results", sa.String)
    )
    newer = sa.select(polls.c.id).where(polls.c.kind.not_in(OLD_KINDS)).scalar_subquery()
    for child in ("poll_votes", "poll_options"):  # explicitly: SQLite may run without foreign keys enforced
        rows = sa.table(child, sa.column("poll_id", sa.Integer))
        op.execute(sa.delete(rows).where(rows.c.poll_id.in_(newer)))
    op.execute(sa.delete(polls).where(polls.c.kind.not_in(OLD_KINDS)))
    op.execute(sa.update(polls).where(polls.c.results.not_in(OLD_RESULTS)).values(results="live"))
    with op.batch_alter_table("poll_votes", schema=None) as batch_op:
        batch_op.drop_column("teams_user_id")
        batch_op.drop_column("text")
        batch_op.alter_column("option_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("poll_options", schema=None) as batch_op:
        batch_op.drop_column("correct")
        batch_op.alter_column("text", existing_type=sa.String(length=500), type_=sa.String(length=120))
    with op.batch_alter_table("polls", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_polls_prepared_poll_id_prepared_polls"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_polls_prepared_poll_id"))
        batch_op.drop_column("prepared_poll_id")
        _checks(batch_op, OLD_KINDS, OLD_RESULTS)
        batch_op.drop_index(batch_op.f("ix_polls_closes_at"))
        batch_op.drop_column("closes_at")
        batch_op.drop_column("high_label")
        batch_op.drop_column("low_label")
        batch_op.drop_column("max_picks")
    with op.batch_alter_table("prepared_polls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prepared_polls_run_id"))
    op.drop_table("prepared_polls")
