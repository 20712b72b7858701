"""reflection wording bumps the catalogue version: SQLite's trigger on courses compares reflection_questions too

0015's triggers list the columns whose change is a change to show; 0019 added the course's reflection questions
without adding them there, and the places now planned from the catalogue kept in memory read them. (PostgreSQL's
triggers fire on every statement: nothing to change there.)
"""

from alembic import op

revision = "0024"
down_revision = "0023"

COURSE_COLUMNS = (
    "code",
    "title",
    "summary",
    "description",
    "target_audience",
    "prerequisites",
    "duration",
    "outline_url",
    "delivery",
)
BUMP = (
    "INSERT INTO catalogue_version (id, version) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET version = catalogue_version.version + 1"
)


def _courses_updated_trigger(columns: tuple[str, ...]) -> None:
    op.execute("DROP TRIGGER IF EXISTS courses_updated")
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
    op.execute(f"CREATE TRIGGER courses_updated AFTER UPDATE ON courses WHEN {changed} BEGIN {BUMP}; END")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _courses_updated_trigger((*COURSE_COLUMNS, "reflection_questions"))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _courses_updated_trigger(COURSE_COLUMNS)
