"""poll_export_links: expiring download links for poll answers (CSV); only each token's SHA-256 is kept

A link covers one poll, or every poll of a run (``poll_id`` NULL), and names whom it was issued to.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"


def upgrade() -> None:
    op.create_table(
        "poll_export_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_to_aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["poll_id"], ["polls.id"], name=op.f("fk_poll_export_links_poll_id_polls"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["course_runs.id"], name=op.f("fk_poll_export_links_run_id_course_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_export_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_poll_export_links_token_hash")),
    )
    with op.batch_alter_table("poll_export_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_poll_export_links_poll_id"), ["poll_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_poll_export_links_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("poll_export_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_poll_export_links_run_id"))
        batch_op.drop_index(batch_op.f("ix_poll_export_links_poll_id"))

    op.drop_table("poll_export_links")
