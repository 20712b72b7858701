"""people: how their organisation is known; organisations: the evidence (tenant ids, email domains) that names them

``organisation_evidence`` holds each organisation's Entra tenant ids and email domains from the catalogue (a
value belongs to one organisation). ``people`` gains ``organisation_status`` (evidence / coordinator / pending),
who confirmed it and when. Organisations people chose for themselves before this revision were never checked,
so they become ``pending``: evidence settles them at the person's next enrolment, or a coordinator confirms them.
Downgrading drops the evidence and the status (the organisation itself stays).
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"

PEOPLE = sa.table("people", sa.column("organisation_id", sa.Integer), sa.column("organisation_status", sa.String))


def upgrade() -> None:
    op.create_table(
        "organisation_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "tenant", "email_domain", name="evidence_kind", native_enum=False, length=20, create_constraint=True
            ),
            nullable=False,
        ),
        sa.Column("value", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_organisation_evidence_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_evidence")),
        sa.UniqueConstraint("kind", "value", name=op.f("uq_organisation_evidence_kind_value")),
    )
    with op.batch_alter_table("organisation_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisation_evidence_organisation_id"), ["organisation_id"], unique=False)
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "organisation_status",
                sa.Enum(
                    "evidence",
                    "coordinator",
                    "pending",
                    name="organisation_status",
                    native_enum=False,
                    length=20,
                    create_constraint=True,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("organisation_confirmed_by_person_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("organisation_confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_people_organisation_confirmed_by_person_id_people"),
            "people",
            ["organisation_confirmed_by_person_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.execute(sa.update(PEOPLE).where(PEOPLE.c.organisation_id.is_not(None)).values(organisation_status="pending"))


def downgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_people_organisation_confirmed_by_person_id_people"), type_="foreignkey")
        batch_op.drop_constraint("organisation_status", type_="check")
        batch_op.drop_column("organisation_confirmed_at")
        batch_op.drop_column("organisation_confirmed_by_person_id")
        batch_op.drop_column("organisation_status")
    with op.batch_alter_table("organisation_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_evidence_organisation_id"))
    op.drop_table("organisation_evidence")
