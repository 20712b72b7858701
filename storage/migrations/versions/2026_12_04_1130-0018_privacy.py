"""privacy: download links for a person's own data (``data_export_links``) and the audit log (``audit_entries``)"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0018"
down_revision = "0017"


def upgrade() -> None:
    op.create_table(
        "data_export_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_export_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_data_export_links_token_hash")),
    )
    op.create_index(op.f("ix_data_export_links_aad_object_id"), "data_export_links", ["aad_object_id"])
    op.create_index(op.f("ix_data_export_links_expires_at"), "data_export_links", ["expires_at"])
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("actor_aad_object_id", sa.String(length=64), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("subject_aad_object_id", sa.String(length=64), nullable=True),
        sa.Column("subject_name", sa.String(length=200), nullable=False),
        sa.Column("where", sa.String(length=512), nullable=False),
        sa.Column("details", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    for column in ("at", "action", "actor_aad_object_id", "subject_aad_object_id"):
        op.create_index(op.f(f"ix_audit_entries_{column}"), "audit_entries", [column])


def downgrade() -> None:
    op.drop_table("audit_entries")
    op.drop_table("data_export_links")
