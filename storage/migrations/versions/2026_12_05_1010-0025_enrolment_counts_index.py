"""enrolments by run and status: the places held and the people waiting on a run counted from the index

Every enrolment step counts the run's places held (confirmed, under review, offered) and people waiting. A row
given up stays (one per person and run, reused when they come back), so a run gathers many more rows than places.
With only (run_id, person_id) to go on, SQLite read every row of the run for each count, and PostgreSQL went by
status across every run (or read every row of the run, as its statistics led it). On (run_id, status) each count
reads only the rows it counts; in SQLite the index covers the count (the id is the rowid).

Building it under PostgreSQL blocks writes to enrolments while it runs: a fraction of a second for the table's
size (one row per person and run).
"""

from alembic import op

revision = "0025"
down_revision = "0024"


def upgrade() -> None:
    op.create_index("ix_enrolments_run_id_status", "enrolments", ["run_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_enrolments_run_id_status", table_name="enrolments")
