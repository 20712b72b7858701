"""reflection: reflections, the CPD log (words sealed at rest), its download links, courses' wording of questions"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0019"
down_revision = "0018"


def upgrade() -> None:
    op.add_column(
        "courses",
        sa.Column("reflection_questions", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
    )
    op.create_table(
        "reflections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "prompted",
                "draft",
                "done",
                "skipped",
                name="reflection_status",
                native_enum=False,
                length=20,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("sealed_answers", sa.LargeBinary(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["enrolments.id"],
            name=op.f("fk_reflections_enrolment_id_enrolments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_reflections_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["course_runs.id"], name=op.f("fk_reflections_run_id_course_runs"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["run_sessions.id"],
            name=op.f("fk_reflections_session_id_run_sessions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reflections")),
        sa.UniqueConstraint("person_id", "session_id", name=op.f("uq_reflections_person_id_session_id")),
    )
    op.create_index(op.f("ix_reflections_person_id"), "reflections", ["person_id"])
    op.create_index(op.f("ix_reflections_run_id"), "reflections", ["run_id"])
    op.create_index(op.f("ix_reflections_session_id"), "reflections", ["session_id"])
    op.create_table(
        "cpd_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("reflection_id", sa.Integer(), nullable=True),
        sa.Column("registration_year", sa.Integer(), nullable=False),
        sa.Column("activity_date", sa.Date(), nullable=False),
        sa.Column("cpd_type", sa.String(length=60), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("has_peer_reflection", sa.Boolean(), nullable=False),
        sa.Column("sealed_fields", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_cpd_entries_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reflection_id"],
            ["reflections.id"],
            name=op.f("fk_cpd_entries_reflection_id_reflections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cpd_entries")),
        sa.UniqueConstraint("reflection_id", name=op.f("uq_cpd_entries_reflection_id")),
    )
    op.create_index(op.f("ix_cpd_entries_person_id"), "cpd_entries", ["person_id"])
    op.create_index(op.f("ix_cpd_entries_registration_year"), "cpd_entries", ["registration_year"])
    op.create_table(
        "cpd_export_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("registration_year", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_cpd_export_links_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cpd_export_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_cpd_export_links_token_hash")),
    )
    op.create_index(op.f("ix_cpd_export_links_person_id"), "cpd_export_links", ["person_id"])


# Migration 0015's triggers on ``courses``: SQLite's batch mode rebuilds the table without them, so they are made again.
_COURSE_COLUMNS = (
    "code",
    "title",
    "summary",
    "description",
    "target_audience",
    "prerequisites",
    "duration",
    "outline_url",
    "delivery",
)
_BUMP = (
    "INSERT INTO catalogue_version (id, version) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET version = catalogue_version.version + 1"
)


def downgrade() -> None:
    with op.batch_alter_table("courses") as batch:
        batch.drop_column("reflection_questions")
    if op.get_bind().dialect.name == "sqlite":
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in _COURSE_COLUMNS)
        op.execute(f"CREATE TRIGGER IF NOT EXISTS courses_inserted AFTER INSERT ON courses BEGIN {_BUMP}; END")
        op.execute(f"CREATE TRIGGER IF NOT EXISTS courses_deleted AFTER DELETE ON courses BEGIN {_BUMP}; END")
        op.execute(
            f"CREATE TRIGGER IF NOT EXISTS courses_updated AFTER UPDATE ON courses WHEN {changed} BEGIN {_BUMP}; END"
        )
    op.drop_table("cpd_export_links")
    op.drop_table("cpd_entries")
    op.drop_table("reflections")
