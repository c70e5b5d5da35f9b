"""The column declarations themselves (`toolkit.spec.fields`): complete, unique, consistent."""
from __future__ import annotations

import pytest

from toolkit.spec import fields
from toolkit.spec.fields import Field, Table
from toolkit.spec.vocab import PARSE_STATUSES, Status

ALL = {**fields.STORE_VIEWS, **fields.API_FRAMES, fields.PARSE_RECORD.name: fields.PARSE_RECORD}


@pytest.mark.parametrize("name", sorted(ALL))
def test_every_table_is_well_declared(name: str) -> None:
    table = ALL[name]
    names = table.index_names + table.names
    assert len(names) == len(set(names)), f"{name}: a column declared twice"
    assert table.label and table.description.endswith(".")
    for field in (*table.index, *table.fields):
        assert field.type in fields.TYPES
        assert field.label and field.description.endswith(".")
        assert field.name == field.name.lower() and " " not in field.name
        if field.type == "bool":
            assert field.name.startswith(("is_", "has_")), field.name


def test_store_tables_have_store_types_only() -> None:
    for table in fields.STORE_VIEWS.values():
        assert {f.type for f in table.fields} <= {"string", "int32", "int64", "float64", "bool"}


def test_one_declaration_per_column() -> None:
    """A column shared by two tables is the same object, not a second description."""
    assert fields.REPORTS.fields[5:5 + len(fields.META)] == fields.META
    assert fields.FACTS.fields[1:] == fields.FACT
    assert fields.CHECKS.fields[1:] == fields.CHECK
    assert fields.REPORTS_HISTORY.fields[:-1] == fields.REPORTS.fields
    for frame in fields.API_FRAMES.values():
        for f in frame.fields:
            twins = [g for t in ALL.values() for g in t.fields
                     if g.name == f.name and g.description == f.description and g is not f]
            assert not twins, f"{frame.name}.{f.name} repeats a declaration: reuse it"


def test_statuses_are_all_described() -> None:
    described = fields.REPORTS["status"].description
    assert [s for s in Status if f"`{s}`" not in described] == []
    parse = fields.PARSE_RECORD["status"].description
    assert [s for s in PARSE_STATUSES if f"`{s}`" not in parse] == []


def test_column_lists_follow_the_declarations() -> None:
    assert [f.name for f in fields.META] == fields.META_KEYS
    assert fields.FACTS.names[1:] == fields.FACT_COLUMNS
    assert fields.CHECKS.names[1:] == fields.CHECK_COLUMNS


def test_declarations_are_checked() -> None:
    with pytest.raises(ValueError, match="is not one of"):
        Field("x", "decimal", "x", "x.")
    table = Table("t", "t", "t.", (Field("a", "string", "a", "a."),))
    assert table["a"].type == "string"
    with pytest.raises(KeyError, match="no field 'b'"):
        table["b"]
