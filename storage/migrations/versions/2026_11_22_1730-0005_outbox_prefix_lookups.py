"""outbox: messages replaced in place, and prefix look-ups through the dedupe key's index

A sent message (a coordinators' card) can be due again with new content: ``superseded_attempts`` lets its
tries start afresh while ``attempts`` keeps counting claims (the claim token), and ``changed_while_sending``
brings the new content out after a send that was already on the wire.

The domain finds related outbox rows by dedupe-key prefix (every copy of an enquiry's card, every reminder
of an enrolment). Under a language collation PostgreSQL cannot answer ``LIKE 'prefix%'`` or a key range
from the unique index and reads the whole table, which only grows. SQLite's default collation is already
byte order.

Rebuilding the unique index under PostgreSQL takes a lock on the outbox for as long as it runs (seconds
per million rows).
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("superseded_attempts", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("changed_while_sending", sa.Boolean(), server_default=sa.false(), nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "outbox",
            "dedupe_key",
            type_=sa.String(length=300, collation="C"),
            existing_type=sa.String(length=300),
            existing_nullable=False,
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "outbox",
            "dedupe_key",
            type_=sa.String(length=300),
            existing_type=sa.String(length=300, collation="C"),
            existing_nullable=False,
        )
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("changed_while_sending")
        batch.drop_column("superseded_attempts")
