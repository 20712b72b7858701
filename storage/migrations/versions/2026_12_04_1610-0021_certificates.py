"""certificates: certificates of attendance (a copy of what each shows, a unique verification code) and their
expiring download links (only each token's SHA-256 is kept)"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0021"
down_revision = "0020"


def upgrade() -> None:
    op.create_table(
        "certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("holder_name", sa.String(length=200), nullable=False),
        sa.Column("course_code", sa.String(length=32), nullable=False),
        sa.Column("course_title", sa.String(length=300), nullable=False),
        sa.Column("run_code", sa.String(length=48), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("first_starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("details", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("cpd_entry_id", sa.Integer(), nullable=True),
        sa.Column("cpd_recorded", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cpd_entry_id"],
            ["cpd_entries.id"],
            name=op.f("fk_certificates_cpd_entry_id_cpd_entries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_certificates_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["course_runs.id"], name=op.f("fk_certificates_run_id_course_runs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificates")),
        sa.UniqueConstraint("code", name=op.f("uq_certificates_code")),
        sa.UniqueConstraint("run_id", "person_id", name=op.f("uq_certificates_run_id_person_id")),
    )
    op.create_index(op.f("ix_certificates_person_id"), "certificates", ["person_id"])
    op.create_index(op.f("ix_certificates_run_id"), "certificates", ["run_id"])
    op.create_index(op.f("ix_certificates_cpd_recorded"), "certificates", ["cpd_recorded"])
    op.create_table(
        "certificate_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_certificate_links_certificate_id_certificates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_certificate_links_token_hash")),
    )
    op.create_index(op.f("ix_certificate_links_certificate_id"), "certificate_links", ["certificate_id"])


def downgrade() -> None:
    op.drop_table("certificate_links")
    op.drop_table("certificates")
