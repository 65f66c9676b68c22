"""Plumbing for bulk loads (synthetic data, batch jobs): phase timings, id blocks and COPY."""

import json
import time
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection
from django.db.models import JSONField, Max, Model


def number(value: int) -> str:
    """12345 -> '12.345' (Vietnamese thousands separator)."""
    return f"{value:,}".replace(",", ".")


class Stopwatch:
    """Phase timings (wall clock and this process's CPU), printed by the commands with --verbosity 2."""

    def __init__(self) -> None:
        self.laps: list[tuple[str, float, float]] = []
        self._last = (time.monotonic(), time.process_time())

    def lap(self, label: str) -> None:
        now = (time.monotonic(), time.process_time())
        self.laps.append((label, now[0] - self._last[0], now[1] - self._last[1]))
        self._last = now

    def __str__(self) -> str:
        return ", ".join(f"{label} {wall:.1f}s (Python {cpu:.1f}s)" for label, wall, cpu in self.laps)


def reserve_ids(model: type[Model], size: int) -> int:
    """The first of `size` consecutive ids for `model`, taken from its sequence on PostgreSQL.

    The caller holds a lock on the table (LOCK TABLE ... in the same transaction) so that nobody else
    inserts meanwhile; on SQLite the next id after the largest.
    """
    table = model._meta.db_table
    if connection.vendor != "postgresql":
        return (model._default_manager.aggregate(last=Max("id"))["last"] or 0) + 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (sequence,) = cursor.fetchone()
        cursor.execute(f"SELECT GREATEST(nextval(%s), (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}))", [sequence])  # noqa: S608
        (first,) = cursor.fetchone()
        cursor.execute("SELECT setval(%s, %s)", [sequence, first + max(size, 1) - 1])
    return int(first)


def copy_rows(
    table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], json_columns: Sequence[int] = ()
) -> int:
    """COPY rows into `table` (PostgreSQL, current transaction); JSON columns are encoded here. Returns the count."""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    count = 0
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        write = copy.write_row
        for row in rows:
            if json_columns:
                row = list(row)
                for index in json_columns:
                    row[index] = dumps(row[index])
            write(row)
            count += 1
    return count


def model_columns(model: type[Model]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The table's columns in the model's field order, and the positions of its JSON columns (for COPY)."""
    fields = model._meta.concrete_fields
    columns = tuple(f.column for f in fields)
    return columns, tuple(i for i, f in enumerate(fields) if isinstance(f, JSONField))
