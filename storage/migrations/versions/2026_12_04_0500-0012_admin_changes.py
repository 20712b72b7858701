"""admin: the record of role and trainer-link changes made in Teams, and trainers linked in Teams

``admin_changes`` records who granted or revoked which role to whom, and who linked or unlinked a trainer to a
run, and when. ``run_trainers.linked_in_teams`` marks a trainer linked with ``link trainer`` (not listed in the
catalogue file), so a catalogue import keeps them.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"


def upgrade() -> None:
    op.create_table(
        "admin_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "grant",
                "revoke",
                "link_trainer",
                "unlink_trainer",
                name="admin_action",
                native_enum=False,
                length=20,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("actor_aad_object_id", sa.String(length=64), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("subject_aad_object_id", sa.String(length=64), nullable=False),
        sa.Column("subject_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("run_code", sa.String(length=48), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_changes")),
    )
    op.create_index(op.f("ix_admin_changes_at"), "admin_changes", ["at"], unique=False)
    op.create_index(
        op.f("ix_admin_changes_subject_aad_object_id"), "admin_changes", ["subject_aad_object_id"], unique=False
    )
    with op.batch_alter_table("run_trainers") as batch:
        batch.add_column(sa.Column("linked_in_teams", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("run_trainers") as batch:
        batch.drop_column("linked_in_teams")
    op.drop_index(op.f("ix_admin_changes_subject_aad_object_id"), table_name="admin_changes")
    op.drop_index(op.f("ix_admin_changes_at"), table_name="admin_changes")
    op.drop_table("admin_changes")
