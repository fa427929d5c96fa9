"""Fast bulk inserts of dict rows (a first pull, a batch's members).

A thin layer over `app.models.queries.bulk_insert` (one prepared statement run with
executemany): peewee's insert_many builds SQL text for every row, which costs more than SQLite's
own work on tens of thousands of rows.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from peewee import CharField, ForeignKeyField, TextField

from app.models.queries import bulk_insert
from app.models.tables import BaseModel


def insert_rows(model: type[BaseModel], rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert dict rows (keys: field names, the same in every row) into `model`'s table.

    Text and foreign keys (given as ids) go in as they are; other values (dates, booleans …)
    through each field's db_value, as peewee would store them. Fields left out get their defaults.
    """
    rows = list(rows)
    if not rows:
        return 0
    names = list(rows[0].keys())
    fields = [model._meta.fields[name] for name in names]
    converters = [None if isinstance(f, (ForeignKeyField, CharField, TextField)) else f.db_value for f in fields]
    if all(c is None for c in converters):
        values = [tuple(row[name] for name in names) for row in rows]
    else:
        values = [tuple(row[n] if c is None else c(row[n]) for n, c in zip(names, converters)) for row in rows]
    return bulk_insert(model, [f.column_name for f in fields], values)
