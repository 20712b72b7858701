"""merge: activity receipts (0009) and clash sessions (0010), written side by side, both after 0006

Both revisions were added on separate branches with ``down_revision = "0006"``; this empty revision joins the two
heads so ``upgrade head`` has one target. It changes no schema, and goes when the revisions are chained in a line.

Revision ID: merge_0009_0010
Revises: 0009, 0010
Create Date: 2026-12-03 23:30:00
"""

from collections.abc import Sequence

revision: str = "merge_0009_0010"
down_revision: str | Sequence[str] | None = ("0009", "0010")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
