"""Every table of the schema is covered by some feature's ``PersonalData`` (registered with its Feature), and every
column that looks personal (ids of people, names, emails, free text, JSON documents) is either declared personal or
reviewed as not: a new feature's table, or a new column, without privacy handling fails here."""

from __future__ import annotations

import re
from collections import Counter

from sqlalchemy import Column, MetaData, String, Table

from bot.features import FEATURES
from dialogs.registry import FeatureRegistry
from storage.models import Base

PROVIDERS = FeatureRegistry(FEATURES).personal_data
LOOKS_PERSONAL = re.compile(
    r"aad_object_id|name|email|text|message|reason|payload|document|reference|voter|actor|subject|person_id|"
    r"_by_|question|job_role|organisation|where|details|key|conversation|url|audience|value|error|token"
)
TYPES_THAT_HOLD_WORDS = ("VARCHAR", "TEXT", "JSON", "STRING")


def _declared() -> Counter[str]:
    return Counter(table for provider in PROVIDERS for table in provider.tables)


def uncovered(metadata: MetaData) -> set[str]:
    """Tables of ``metadata`` no feature's PersonalData declares."""
    return set(metadata.tables) - set(_declared())


def test_every_table_is_declared_by_exactly_one_feature() -> None:
    declared = _declared()
    tables = set(Base.metadata.tables)
    assert uncovered(Base.metadata) == set(), "tables no feature's PersonalData covers"
    assert set(declared) - tables == set(), "declared tables that do not exist"
    assert [t for t, n in declared.items() if n > 1] == [], "tables declared by two features"


def test_declared_columns_exist() -> None:
    for provider in PROVIDERS:
        for table, columns in (*provider.tables.items(), *provider.not_personal.items()):
            assert columns <= set(Base.metadata.tables[table].columns.keys()), (type(provider).__name__, table)


def test_every_column_that_looks_personal_is_declared_one_way_or_the_other() -> None:
    undeclared = []
    for provider in PROVIDERS:
        for table, personal in provider.tables.items():
            reviewed = personal | provider.not_personal.get(table, frozenset())
            for column in Base.metadata.tables[table].columns:
                looks = LOOKS_PERSONAL.search(column.name) and any(
                    kind in str(column.type).upper() or kind in type(column.type).__name__.upper()
                    for kind in TYPES_THAT_HOLD_WORDS
                )
                if (looks or column.name == "person_id") and column.name not in reviewed:
                    undeclared.append(f"{table}.{column.name}")
    assert undeclared == []


def test_a_new_table_without_privacy_handling_is_caught() -> None:
    """What the check above says of a feature that adds a table and no PersonalData."""
    metadata = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    Table("diary_notes", metadata, Column("author_aad_object_id", String(64)))
    assert uncovered(metadata) == {"diary_notes"}
