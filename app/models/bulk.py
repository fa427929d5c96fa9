"""Fast bulk inserts: one prepared statement run with executemany.

peewee's insert_many builds SQL text for every row (about a quarter of a millisecond each); a
first pull or a large import inserts tens of thousands of rows, so they go through here instead.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from peewee import CharField, ForeignKeyField, Model, TextField


def insert_rows(model: type[Model], rows: Iterable[Mapping[str, Any]], *, or_ignore: bool = False) -> int:
    """Insert dict rows (keys: field names) into `model`'s table; returns the count inserted.

    Every row must have the same keys. Values are converted with each field's db_value, so dates,
    booleans and foreign keys (given as ids) are stored as peewee would store them.
    """
    rows = list(rows)
    if not rows:
        return 0
    names = list(rows[0].keys())
    # Fields left out get their defaults, as insert_many would give them (computed once a batch).
    defaults = {}
    for f in model._meta.sorted_fields:
        if f.name not in names and f.default is not None and not f.primary_key:
            defaults[f.name] = f.default() if callable(f.default) else f.default
    if defaults:
        rows = [{**defaults, **row} for row in rows]
        names += list(defaults)
    fields = [model._meta.fields[name] for name in names]
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    marks = ", ".join("?" for _ in fields)
    verb = "INSERT OR IGNORE" if or_ignore else "INSERT"
    sql = f'{verb} INTO "{model._meta.table_name}" ({columns}) VALUES ({marks})'
    # Text and foreign keys (given as ids) go in as they are; other fields (dates, booleans …)
    # through db_value, as peewee would store them.
    plain = [isinstance(f, (ForeignKeyField, CharField, TextField)) for f in fields]
    if all(plain):
        params = [tuple(row[name] for name in names) for row in rows]
    else:
        converters = [None if p else f.db_value for p, f in zip(plain, fields)]
        params = [tuple(row[name] if conv is None else conv(row[name]) for name, conv in zip(names, converters))
                  for row in rows]
    cursor = model._meta.database.cursor()
    cursor.executemany(sql, params)
    return cursor.rowcount if cursor.rowcount is not None and cursor.rowcount >= 0 else len(params)
