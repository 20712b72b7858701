"""enquiries"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.create_table(
        "designated_conversations",
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("conversation_id", sa.String(length=512), nullable=False),
        sa.Column("set_by_aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("purpose", name=op.f("pk_designated_conversations")),
    )
    op.create_table(
        "enquiries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("question", "delivery", name="enquiry_kind", native_enum=False, create_constraint=True, length=20),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "awaiting_reply",
                "answered",
                "closed",
                name="enquiry_status",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("enquirer_aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("enquirer_name", sa.String(length=200), nullable=False),
        sa.Column("enquirer_email", sa.String(length=320), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("job_role", sa.String(length=200), nullable=False),
        sa.Column(
            "course_codes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("participants", sa.Integer(), nullable=True),
        sa.Column("preferred_dates", sa.String(length=300), nullable=True),
        sa.Column("preferred_platform", sa.String(length=100), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("assignee_aad_object_id", sa.String(length=64), nullable=True),
        sa.Column("assignee_name", sa.String(length=200), nullable=True),
        sa.Column("awaiting_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("number > 0", name=op.f("ck_enquiries_number_positive")),
        sa.CheckConstraint("participants IS NULL OR participants > 0", name=op.f("ck_enquiries_participants_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enquiries")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_enquiries_idempotency_key")),
        sa.UniqueConstraint("reference", name=op.f("uq_enquiries_reference")),
        sa.UniqueConstraint("year", "number", name=op.f("uq_enquiries_year_number")),
    )
    with op.batch_alter_table("enquiries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enquiries_enquirer_aad_object_id"), ["enquirer_aad_object_id"], unique=False
        )
        batch_op.create_index("ix_enquiries_status_created_at", ["status", "created_at"], unique=False)

    op.create_table(
        "enquiry_counters",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_enquiry_counters")),
    )
    op.create_table(
        "enquiry_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enquiry_id", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "created",
                "assigned",
                "replied",
                "enquirer_replied",
                "closed",
                "reopened",
                name="enquiry_action",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("actor_aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=300), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["enquiry_id"],
            ["enquiries.id"],
            name=op.f("fk_enquiry_events_enquiry_id_enquiries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enquiry_events")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_enquiry_events_idempotency_key")),
    )
    with op.batch_alter_table("enquiry_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enquiry_events_enquiry_id"), ["enquiry_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("enquiry_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enquiry_events_enquiry_id"))
    op.drop_table("enquiry_events")
    op.drop_table("enquiry_counters")
    with op.batch_alter_table("enquiries", schema=None) as batch_op:
        batch_op.drop_index("ix_enquiries_status_created_at")
        batch_op.drop_index(batch_op.f("ix_enquiries_enquirer_aad_object_id"))
    op.drop_table("enquiries")
    op.drop_table("designated_conversations")
