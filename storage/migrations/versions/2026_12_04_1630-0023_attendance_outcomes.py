"""attendance outcomes: each participant's measured status and time present per session, stored at the session's
end, so registers still read right once the join and leave events are purged after their retention period."""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"


def upgrade() -> None:
    op.create_table(
        "attendance_outcomes",
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
        sa.Column("present_seconds", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_attendance_outcomes_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["run_sessions.id"],
            name=op.f("fk_attendance_outcomes_session_id_run_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "person_id", name=op.f("pk_attendance_outcomes")),
    )


def downgrade() -> None:
    op.drop_table("attendance_outcomes")
