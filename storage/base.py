"""Declarative base, naming convention and column types shared by every model."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from sqlalchemy import JSON, DateTime, Enum, MetaData, inspect
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so Alembic migrations look the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    SQLite has no timezone type, so values are stored as naive UTC there and made aware again on load.
    Naive datetimes are refused on the way in: a naive time is a bug waiting for a daylight-saving change.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}; store timezone-aware values only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# JSON everywhere, JSONB where PostgreSQL offers it.
JsonDocument = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {datetime: UtcDateTime()}


def utcnow() -> datetime:
    return datetime.now(UTC)


def text_enum(enum_class: type[enum.StrEnum], name: str, *, length: int = 20) -> Enum:
    """A column of ``enum_class``'s values stored as text with a CHECK constraint (no PostgreSQL enum type, so a
    new member is a migration that swaps the constraint on both databases alike)."""
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda e: [m.value for m in e],
        create_constraint=True,
        name=name,
    )


ModelT = TypeVar("ModelT", bound=Base)


def read_only_copy(model: type[ModelT], values: dict[str, Any]) -> ModelT:
    """An instance of ``model`` holding ``values`` (columns, and relationships as plain lists), made as the ORM makes
    the objects it loads: without the change events its constructor fires per attribute. For a hot path that reads
    rows as plain columns and hands them on as models (a vote's poll and answer); no session tracks it, and
    changing it changes nothing stored. Back-references (an option's ``poll``) are not set: nothing reads them there."""
    instance = cast(ModelT, inspect(model).class_manager.new_instance())
    instance.__dict__.update(values)
    return instance
