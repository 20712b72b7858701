"""outbox dedupe keys compare byte by byte on PostgreSQL, so prefix look-ups use their index

The domain finds related outbox rows by dedupe-key prefix (every copy of an enquiry's card, every reminder
of an enrolment). Under a language collation PostgreSQL cannot answer ``LIKE 'prefix%'`` or a key range
from the unique index and reads the whole table, which only grows. SQLite's default collation is already
byte order.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
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
