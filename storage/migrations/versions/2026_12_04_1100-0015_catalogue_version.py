"""catalogue_version: one number the database bumps whenever what the catalogue shows changes

Bot processes keep the catalogue in memory and compare this number (one read by primary key) to know when to
build it again. Triggers bump it on every insert, delete and real change of a row of the catalogue's tables;
SQLite's compare the columns, since a run's lock there is an update that changes nothing.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"

# Each table the catalogue is built from, with its columns (a change to any of them is a change to show).
TABLES = {
    "courses": (
        "code",
        "title",
        "summary",
        "description",
        "target_audience",
        "prerequisites",
        "duration",
        "outline_url",
        "delivery",
    ),
    "learning_outcomes": ("course_id", "position", "text"),
    "course_runs": ("course_id", "code", "capacity", "join_url", "eligible_audience", "currency"),
    "run_sessions": ("run_id", "position", "starts_at", "ends_at"),
    "run_trainers": ("run_id", "position", "name", "person_id", "linked_in_teams"),
    "run_prices": ("run_id", "band", "amount_pence"),
    "run_eligible_organisations": ("run_id", "organisation_id"),
    "organisations": ("name", "price_band"),
}
# An upsert, so the number goes on even if someone emptied the table.
BUMP = (
    "INSERT INTO catalogue_version (id, version) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET version = catalogue_version.version + 1"
)


def upgrade() -> None:
    op.create_table(
        "catalogue_version",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_catalogue_version_one_row")),
    )
    op.execute("INSERT INTO catalogue_version (id, version) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION bump_catalogue_version() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_catalogue_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION bump_catalogue_version()"
            )
        return
    for table, columns in TABLES.items():
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
        op.execute(f"CREATE TRIGGER {table}_inserted AFTER INSERT ON {table} BEGIN {BUMP}; END")
        op.execute(f"CREATE TRIGGER {table}_deleted AFTER DELETE ON {table} BEGIN {BUMP}; END")
        op.execute(f"CREATE TRIGGER {table}_updated AFTER UPDATE ON {table} WHEN {changed} BEGIN {BUMP}; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_catalogue_version ON {table}")
        op.execute("DROP FUNCTION bump_catalogue_version()")
    else:
        for table in TABLES:
            for event in ("inserted", "deleted", "updated"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{event}")
    op.drop_table("catalogue_version")
