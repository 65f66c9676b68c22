"""Plumbing for bulk loads (synthetic data, batch jobs): phase timings, id blocks, COPY, foreign keys checked
set-based, a transaction's snapshot read from worker processes and the VACUUM that leaves a loaded table ready for
index-only scans."""

import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, cast

import psycopg
from django.db import connection, connections, transaction
from django.db.models import (
    BooleanField,
    CharField,
    DateField,
    Field,
    ForeignKey,
    IntegerField,
    JSONField,
    Max,
    Model,
    TextField,
)
from psycopg._copy_base import TextFormatter  # the COPY text format without a connection (no public name for it)
from psycopg.adapt import Transformer
from psycopg.copy import QueuedLibpqWriter


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


class JsonText(str):
    """A JSON value already encoded (read as `column::text`, or a constant such as `JsonText("{}")`): `copy_rows`
    passes it through as it is instead of encoding it again. A plain `str` in a JSON column is a JSON string."""

    __slots__ = ()


EMPTY_OBJECT = JsonText("{}")
EMPTY_ARRAY = JsonText("[]")


def json_encoder() -> Callable[[Any], str]:
    """How the loads encode a JSON value: compact, non-ASCII as it is; the text `json.dumps(value,
    ensure_ascii=False, separators=(",", ":"))` gives. `JSONEncoder.encode` builds its C encoder again for every
    value, which costs more than encoding a small one (an answers dict, a list of causes) and is most of the JSON
    time of a load that encodes eight values a row: here the C encoder is built once per load. Without the C
    accelerator, `JSONEncoder.encode` itself. No check for circular structures (values are trees of plain data)."""
    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return encoder.encode
    iterencode = make(
        None,  # no markers: no circular check
        encoder.default,
        json.encoder.encode_basestring,
        None,  # indent
        encoder.key_separator,
        encoder.item_separator,
        encoder.sort_keys,
        encoder.skipkeys,
        encoder.allow_nan,
    )
    join = "".join

    def encode(value: Any) -> str:
        return join(iterencode(value, 0))

    return encode


def copy_rows(
    table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]], json_columns: Sequence[int] = ()
) -> int:
    """COPY rows into `table` (PostgreSQL, current transaction); JSON columns are encoded here, except values that
    are `JsonText` already (copied unchanged from another row: no decode and re-encode). Returns the count."""
    encode = json_encoder()
    with connection.cursor() as cursor:
        # The rows go to the server from a thread of their own (psycopg's QueuedLibpqWriter): PostgreSQL inserts
        # and indexes one batch while Python makes the next, instead of each waiting for the other.
        raw = cursor.cursor
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with raw.copy(statement, writer=QueuedLibpqWriter(raw)) as copy:
            count = _write_rows(copy.write_row, rows, json_columns, encode)
    return count


def copy_text(rows: Iterable[Sequence[Any]], json_columns: Sequence[int] = ()) -> bytes:
    """The rows in COPY's text format, as `copy_rows` sends them (JSON columns encoded the same way), made without a
    connection: a worker process formats its share of a load and the process that holds the transaction sends the
    bytes with `copy_blocks`. Values of the types psycopg adapts by default (str, int, bool, date, datetime,
    Decimal, None)."""
    encode = json_encoder()
    formatter = TextFormatter(Transformer())
    parts: list[Any] = []
    _write_rows(lambda row: parts.append(formatter.write_row(row)), rows, json_columns, encode)
    parts.append(formatter.end())
    return b"".join(parts)


def copy_blocks(table: str, columns: Sequence[str], blocks: Iterable[bytes]) -> int:
    """COPY blocks of rows already in COPY's text format (`copy_text`) into `table` (PostgreSQL, current
    transaction), sent from a thread of their own as `copy_rows` does. Returns the bytes sent."""
    sent = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with raw.copy(statement, writer=QueuedLibpqWriter(raw)) as copy:
            for block in blocks:
                copy.write(block)
                sent += len(block)
    return sent


def _write_rows(
    write: Callable[[Any], None],
    rows: Iterable[Sequence[Any]],
    json_columns: Sequence[int],
    encode: Callable[[Any], str],
) -> int:
    count = 0
    for row in rows:
        if json_columns:
            row = list(row)
            for index in json_columns:
                value = row[index]
                if value.__class__ is not JsonText:
                    row[index] = encode(value)
        write(row)
        count += 1
    return count


@contextmanager
def foreign_keys_validated_after(*models: type[Model]) -> Iterator[None]:
    """Check the foreign keys of the `models`' tables once, set-based, after the load in the block, instead of row
    by row (PostgreSQL queues one trigger event per inserted row and key, and runs one query per event at commit).

    Inside the caller's transaction (required): the tables' foreign-key constraints, as read from `pg_constraint`,
    are dropped; after the block they are added again `NOT VALID` with their exact definitions (names, ON DELETE,
    DEFERRABLE INITIALLY DEFERRED as Django made them) and validated, each by one join over the table. A row
    that breaks one raises the `IntegrityError` naming the constraint, and the block's savepoint rolls back the
    rows and the DDL: nothing is left half written or without its constraints, even if the caller catches the
    error. Locks: the tables and the tables they reference are locked exclusively (ACCESS EXCLUSIVE, as DROP
    CONSTRAINT takes them) until the caller's transaction ends, so use this for bulk loads, not for a few rows
    beside live traffic; a loader that concurrent runs could meet takes a table lock that serialises them before
    any row lock (seed_demo), else the second one, waiting on a row, holds what the first needs: a deadlock.
    Validation scans the whole table, old rows included. Elsewhere (SQLite), nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("foreign_keys_validated_after() must run inside transaction.atomic()")
    tables = [model._meta.db_table for model in models]
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid::regclass::text, conname",
            [tables],
        )
        constraints: list[tuple[str, str, str]] = cursor.fetchall()
        # ALTER TABLE refuses a table with pending trigger events (rows written earlier in the transaction): check
        # the deferred constraints now, then defer again those that were.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(
            "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.conname) FROM pg_constraint c "
            "JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.condeferrable AND NOT c.condeferred"
        )
        immediate = [name for (name,) in cursor.fetchall()]
        if immediate:
            cursor.execute(f"SET CONSTRAINTS {', '.join(immediate)} IMMEDIATE")
        for table, name, _ in constraints:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        yield
        for table, name, definition in constraints:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition} NOT VALID")
        for table, name, _ in constraints:
            cursor.execute(f"ALTER TABLE {table} VALIDATE CONSTRAINT {quote(name)}")


def exported_snapshot() -> str | None:
    """This transaction's snapshot, exported for other connections to read in (`reading_in`): what it sees, from
    forked workers that must not use its connection. None when the transaction has written already (a caller's,
    a test's): an imported snapshot does not see the rows the exporting transaction wrote."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id_if_assigned() IS NULL")
        if not cursor.fetchone()[0]:
            return None
        cursor.execute("SELECT pg_export_snapshot()")
        return cursor.fetchone()[0]


@contextmanager
def reading_in(snapshot: str) -> Iterator[psycopg.Connection]:
    """A new connection with Django's parameters (its adapters: the types its cursors give) in a read-only
    REPEATABLE READ transaction that imports `snapshot` (`exported_snapshot`), rolled back and closed after the
    block. The exporting transaction must stay open meanwhile."""
    with psycopg.connect(**connection.get_connection_params()) as reader:
        reader.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        reader.read_only = True
        reader.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
        yield reader
        reader.rollback()


def vacuum_analyze(*models: type[Model]) -> None:
    """`VACUUM (ANALYZE)` the models' tables after a bulk load has committed: the planner's statistics, and the
    visibility map without which an index-only scan (the lists' COUNT(*)) reads the table instead. VACUUM cannot
    run inside a transaction: inside one (a test's), only ANALYZE. Elsewhere (SQLite), nothing.

    Each table is vacuumed from a connection of its own, all at once: one VACUUM uses one core (its parallel
    workers only for the index passes), and the load's caller waits for the slowest table instead of the sum."""
    if connection.vendor != "postgresql" or not models:
        return
    tables = ", ".join(model._meta.db_table for model in models)
    if connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")
        return
    # A load committed with synchronous_commit = off is not flushed to the WAL yet: until it is, PostgreSQL sets
    # neither its rows' hint bits nor the pages' all-visible bits, and VACUUM would leave the visibility map empty.
    # The WAL writer flushes it within a few wal_writer_delay (200 ms): wait for that, ten seconds at most.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()")
        (written,) = cursor.fetchone()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_current_wal_flush_lsn() >= %s::pg_lsn", [written])
            if cursor.fetchone()[0]:
                break
            time.sleep(0.02)
    names = [model._meta.db_table for model in models]
    if len(names) == 1:
        _vacuum(names[0])
        return
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        for _ in pool.map(_vacuum_in_thread, names):  # the first error, if any, raised here
            pass


def _vacuum(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {table}")


def _vacuum_in_thread(table: str) -> None:
    """`_vacuum` on this thread's own connection (Django opens one per thread), closed afterwards."""
    try:
        _vacuum(table)
    finally:
        connection.close()


def model_columns(model: type[Model]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The table's columns in the model's field order, and the positions of its JSON columns (for COPY)."""
    fields = model._meta.concrete_fields
    columns = tuple(f.column for f in fields)
    return columns, tuple(i for i, f in enumerate(fields) if isinstance(f, JSONField))


def next_ids(model: type[Model], count: int) -> list[int]:
    """`count` fresh ids for `model` from its sequence, one `nextval` each: safe beside concurrent inserts without
    locking the table (unlike `reserve_ids`). Not consecutive; on SQLite, none (the insert assigns them)."""
    if connection.vendor != "postgresql" or count <= 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def insert_new(model: type[Model], instances: Sequence[Model]) -> None:
    """INSERT new instances in the current transaction, as `bulk_create` does (ids set on them, `auto_now` fields
    filled, values prepared by their fields), but with COPY on PostgreSQL: several times less Python per row than
    bulk_create's parameter arrays, for the batch services (the Excel import). Instances without an id get one
    from `next_ids`. Elsewhere (SQLite), `bulk_create`."""
    if not instances:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(instances, batch_size=500)
        return
    missing = [instance for instance in instances if instance.pk is None]
    for instance, pk in zip(missing, next_ids(model, len(missing)), strict=True):
        instance.pk = pk
    fields = model._meta.concrete_fields
    prepare = [_preparer(f, connections[connection.alias]) for f in fields]
    pairs = list(zip(fields, prepare, strict=True))
    rows = ([to_db(f.pre_save(obj, True)) for f, to_db in pairs] for obj in instances)
    copy_rows(model._meta.db_table, [f.column for f in fields], rows)
    for instance in instances:
        instance._state.adding = False
        instance._state.db = connection.alias


def update_existing(model: type[Model], instances: Sequence[Model], names: Sequence[str]) -> None:
    """UPDATE the fields `names` of saved instances in the current transaction, as `bulk_update` does, but on
    PostgreSQL by COPY into a temporary table and one UPDATE … FROM: Django's bulk_update builds a CASE per field
    and row, which costs seconds of Python for thousands of rows (the Excel import's review cases). `auto_now`
    fields are not touched: set them on the instances. Elsewhere (SQLite), `bulk_update`."""
    if not instances:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(instances, list(names), batch_size=500)
        return
    meta = model._meta
    fields: list[Field[Any, Any]] = [meta.pk, *(cast("Field[Any, Any]", meta.get_field(name)) for name in names)]
    real = connections[connection.alias]
    pairs = [(f, _preparer(f, real)) for f in fields]
    columns = [str(f.column) for f in fields]
    table, temp = meta.db_table, f"bulk_update_{meta.db_table}"
    with connection.cursor() as cursor:
        listed = ", ".join(columns)
        cursor.execute(f"CREATE TEMP TABLE {temp} ON COMMIT DROP AS SELECT {listed} FROM {table} WITH NO DATA")
    copy_rows(temp, columns, ([to_db(getattr(obj, f.attname)) for f, to_db in pairs] for obj in instances))
    assignments = ", ".join(f"{column} = t.{column}" for column in columns[1:])
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {assignments} FROM {temp} t WHERE {table}.{columns[0]} = t.{columns[0]}")
        cursor.execute(f"DROP TABLE {temp}")


def _as_text(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else str(value)


def _preparer(field: Field, real_connection: Any) -> Callable[[Any], Any]:
    """How a value of `field` goes to COPY: as it is for the plain types psycopg adapts itself (the field's own
    preparation does nothing more for them), else through the field (JSON, decimals, datetimes)."""
    if isinstance(field, (CharField, TextField)):
        return _as_text
    if isinstance(field, (BooleanField, IntegerField, ForeignKey)) or type(field) is DateField:
        return _same
    return lambda value: field.get_db_prep_save(value, real_connection)


def _same(value: Any) -> Any:
    return value
