"""activity receipts: every inbound activity claimed once in the database, so a redelivery is not run again

Teams redelivers an activity it got no answer to in time. The bot remembered which activities it had taken in
each process's memory only, so a redelivery that reached another process, or came after a restart, ran again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0006"


def upgrade() -> None:
    op.create_table(
        "activity_receipts",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_activity_receipts")),
    )
    op.create_index(op.f("ix_activity_receipts_expires_at"), "activity_receipts", ["expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_activity_receipts_expires_at"), table_name="activity_receipts")
    op.drop_table("activity_receipts")
