"""bulk_insert: the defaults written into the statement as literals store exactly what peewee stores."""
from __future__ import annotations

import math

import pytest

from app.models import Member, Union, db
from app.models.queries import bulk_insert
from app.models.queries.loading import sql_literal
from app.paths import Profile


@pytest.mark.parametrize("value", [None, 0, -7, 2**63 - 1, True, 1.5, -2.25e-300, "", "O'Brien", "长期",
                                   "a\nb", b"\x00\xff"])
def test_a_literal_stores_what_binding_stores(value: object) -> None:
    import sqlite3

    literal = sql_literal(value)
    assert literal is not None
    con = sqlite3.connect(":memory:")
    by_literal = con.execute(f"SELECT {literal}, typeof({literal})").fetchone()
    by_binding = con.execute("SELECT ?, typeof(?)", (value, value)).fetchone()
    assert by_literal == by_binding


@pytest.mark.parametrize("value", [2**63, math.inf, math.nan, "a\x00b", object()])
def test_values_without_an_exact_literal_are_left_to_binding(value: object) -> None:
    assert sql_literal(value) is None


def test_bulk_insert_stores_the_same_row_as_peewee(profile: Profile) -> None:
    union = Union.create(name="工会").id
    columns = ("union_id", "name", "id_type", "id_number", "phone", "created_at", "updated_at")
    stamp = "2026-12-02 06:00:00"
    with db.atomic():
        assert bulk_insert(Member, columns, [(union, "张三", "mainland", "310101199001011234", None, stamp, stamp)]) == 1
    Member.create(union=union, name="李四", id_type="mainland", id_number="310101199001015678", created_at=stamp,
                  updated_at=stamp)
    names = [f.column_name for f in Member._meta.sorted_fields if f.column_name not in ("id", "name", "id_number")]
    probe = ", ".join(f'"{n}", typeof("{n}")' for n in names)
    first, second = db.execute_sql(f'SELECT {probe} FROM "member" ORDER BY "id"').fetchall()
    assert first == second
