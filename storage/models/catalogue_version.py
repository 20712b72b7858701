"""A number that changes whenever anything the catalogue shows changes, so every bot process can keep the
catalogue in memory and know, with one read by primary key, when its copy is out of date.

Database triggers (migration 0015) bump it on every insert, delete and real update of the catalogue's tables,
whoever writes them: an import, a reschedule, a trainer linked in Teams, a test. Nothing has to remember to.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base

# The tables a catalogue view is built from; each has the triggers.
CATALOGUE_TABLES = (
    "courses",
    "learning_outcomes",
    "course_runs",
    "run_sessions",
    "run_trainers",
    "run_prices",
    "run_eligible_organisations",
    "organisations",
)


class CatalogueVersion(Base):
    __tablename__ = "catalogue_version"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
