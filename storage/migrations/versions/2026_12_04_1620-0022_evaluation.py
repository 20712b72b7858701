"""evaluation: per-run respondent keys, pseudonymous before/after answers and ratings, CSV download links"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"


def upgrade() -> None:
    op.create_table(
        "evaluation_run_keys",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("hmac_key", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["course_runs.id"], name=op.f("fk_evaluation_run_keys_run_id_course_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_evaluation_run_keys")),
    )
    op.create_table(
        "evaluation_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("respondent_key", sa.String(length=64), nullable=False),
        sa.Column(
            "phase",
            sa.Enum("before", "after", name="evaluation_phase", native_enum=False, length=10, create_constraint=True),
            nullable=False,
        ),
        sa.Column("skipped", sa.Boolean(), nullable=False),
        sa.Column("relevance", sa.Integer(), nullable=True),
        sa.Column("trainers", sa.Integer(), nullable=True),
        sa.Column("pace", sa.String(length=20), nullable=True),
        sa.Column("recommend", sa.String(length=20), nullable=True),
        sa.Column("change_text", sa.String(length=500), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["course_runs.id"], name=op.f("fk_evaluation_responses_run_id_course_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_responses")),
        sa.UniqueConstraint(
            "run_id", "respondent_key", "phase", name=op.f("uq_evaluation_responses_run_id_respondent_key_phase")
        ),
    )
    op.create_index(op.f("ix_evaluation_responses_run_id"), "evaluation_responses", ["run_id"])
    op.create_table(
        "evaluation_ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=500), nullable=False),
        sa.Column("item", sa.String(length=10), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["evaluation_responses.id"],
            name=op.f("fk_evaluation_ratings_response_id_evaluation_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_ratings")),
        sa.UniqueConstraint(
            "response_id", "position", "item", name=op.f("uq_evaluation_ratings_response_id_position_item")
        ),
    )
    op.create_index(op.f("ix_evaluation_ratings_response_id"), "evaluation_ratings", ["response_id"])
    op.create_table(
        "evaluation_export_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_to_aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["course_runs.id"],
            name=op.f("fk_evaluation_export_links_run_id_course_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_export_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_evaluation_export_links_token_hash")),
    )
    op.create_index(op.f("ix_evaluation_export_links_run_id"), "evaluation_export_links", ["run_id"])


def downgrade() -> None:
    op.drop_table("evaluation_export_links")
    op.drop_table("evaluation_ratings")
    op.drop_table("evaluation_responses")
    op.drop_table("evaluation_run_keys")
