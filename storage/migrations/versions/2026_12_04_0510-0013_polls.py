"""polls: chats linked to course runs, polls with their options, and votes (one per person per poll)

A vote's ``voter_key`` is unique per poll: the voter's Entra object id for a named poll, an HMAC of it under the
poll's own ``hmac_key`` for an anonymous one (key and hashes are set to NULL when the poll closes).
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"


def upgrade() -> None:
    op.create_table(
        "chat_run_links",
        sa.Column("conversation_id", sa.String(length=512), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("linked_by_aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("linked_by_name", sa.String(length=200), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["course_runs.id"], name=op.f("fk_chat_run_links_run_id_course_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_chat_run_links")),
    )
    with op.batch_alter_table("chat_run_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chat_run_links_run_id"), ["run_id"], unique=False)

    op.create_table(
        "polls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=512), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("single_choice", name="poll_kind", native_enum=False, create_constraint=True, length=20),
            nullable=False,
        ),
        sa.Column("question", sa.String(length=240), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column(
            "results",
            sa.Enum("live", name="poll_results", native_enum=False, create_constraint=True, length=20),
            nullable=False,
        ),
        sa.Column("changeable", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "closed", name="poll_status", native_enum=False, create_constraint=True, length=20),
            nullable=False,
        ),
        sa.Column("hmac_key", sa.LargeBinary(length=32), nullable=True),
        sa.Column("launched_by_aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("launched_by_name", sa.String(length=200), nullable=False),
        sa.Column("launched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by_aad_object_id", sa.String(length=64), nullable=True),
        sa.Column("closed_by_name", sa.String(length=200), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("card_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status = 'open' OR closed_at IS NOT NULL", name=op.f("ck_polls_closed_has_time")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["course_runs.id"], name=op.f("fk_polls_run_id_course_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_polls")),
    )
    with op.batch_alter_table("polls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_polls_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_polls_run_id"), ["run_id"], unique=False)

    op.create_table(
        "poll_options",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["poll_id"], ["polls.id"], name=op.f("fk_poll_options_poll_id_polls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_options")),
        sa.UniqueConstraint("poll_id", "position", name=op.f("uq_poll_options_poll_id_position")),
    )
    op.create_table(
        "poll_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=False),
        sa.Column("voter_key", sa.String(length=64), nullable=True),
        sa.Column("voter_name", sa.String(length=200), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["option_id"], ["poll_options.id"], name=op.f("fk_poll_votes_option_id_poll_options"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["poll_id"], ["polls.id"], name=op.f("fk_poll_votes_poll_id_polls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_votes")),
        sa.UniqueConstraint("poll_id", "voter_key", name=op.f("uq_poll_votes_poll_id_voter_key")),
    )
    with op.batch_alter_table("poll_votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_poll_votes_option_id"), ["option_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("poll_votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_poll_votes_option_id"))

    op.drop_table("poll_votes")
    op.drop_table("poll_options")
    with op.batch_alter_table("polls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_polls_run_id"))
        batch_op.drop_index(batch_op.f("ix_polls_conversation_id"))

    op.drop_table("polls")
    with op.batch_alter_table("chat_run_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_run_links_run_id"))

    op.drop_table("chat_run_links")
