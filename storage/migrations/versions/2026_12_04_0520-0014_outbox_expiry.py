"""outbox: ``expires_at``, after which a notification is no news and is neither sent nor revived

A reminder given up while its person had no chat with the bot was revived when they installed the app, days
after its session; one held up by a stopped bot went out late. Reminders now expire when their session starts.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"


def upgrade() -> None:
    op.add_column("outbox", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("expires_at")
