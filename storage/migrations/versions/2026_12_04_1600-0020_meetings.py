"""meetings: the live session in Teams — meeting start/end per run session, participants' join/leave events
(the attendance register is computed from them), trainers' corrections of the register, and completions."""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"


def upgrade() -> None:
    op.create_table(
        "attendance_export_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_to_aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["course_runs.id"],
            name=op.f("fk_attendance_export_links_run_id_course_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_export_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_attendance_export_links_token_hash")),
    )
    with op.batch_alter_table("attendance_export_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendance_export_links_run_id"), ["run_id"], unique=False)
    op.create_table(
        "completions",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_completions_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["course_runs.id"], name=op.f("fk_completions_run_id_course_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", "person_id", name=op.f("pk_completions")),
    )
    op.create_table(
        "attendance_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "attended",
                "partly",
                "absent",
                name="attendance_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("corrected_by_aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("corrected_by_name", sa.String(length=200), nullable=False),
        sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_attendance_corrections_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["run_sessions.id"],
            name=op.f("fk_attendance_corrections_session_id_run_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_corrections")),
    )
    with op.batch_alter_table("attendance_corrections", schema=None) as batch_op:
        batch_op.create_index(
            "ix_attendance_corrections_session_id_person_id", ["session_id", "person_id"], unique=False
        )

    op.create_table(
        "attendance_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("join", "leave", name="participant_event", native_enum=False, create_constraint=True, length=20),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["run_sessions.id"],
            name=op.f("fk_attendance_events_session_id_run_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_events")),
        sa.UniqueConstraint(
            "session_id",
            "aad_object_id",
            "kind",
            "at",
            name=op.f("uq_attendance_events_session_id_aad_object_id_kind_at"),
        ),
    )
    with op.batch_alter_table("attendance_events", schema=None) as batch_op:
        batch_op.create_index("ix_attendance_events_aad_object_id", ["aad_object_id"], unique=False)

    op.create_table(
        "meeting_sessions",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=512), nullable=False),
        sa.Column("conversation_id", sa.String(length=512), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["run_sessions.id"],
            name=op.f("fk_meeting_sessions_session_id_run_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_meeting_sessions")),
    )
    with op.batch_alter_table("meeting_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_sessions_meeting_id"), ["meeting_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("attendance_export_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_export_links_run_id"))
    op.drop_table("attendance_export_links")
    with op.batch_alter_table("meeting_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_sessions_meeting_id"))

    op.drop_table("meeting_sessions")
    with op.batch_alter_table("attendance_events", schema=None) as batch_op:
        batch_op.drop_index("ix_attendance_events_aad_object_id")

    op.drop_table("attendance_events")
    with op.batch_alter_table("attendance_corrections", schema=None) as batch_op:
        batch_op.drop_index("ix_attendance_corrections_session_id_person_id")

    op.drop_table("attendance_corrections")
    op.drop_table("completions")
