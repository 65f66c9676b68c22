"""The writers of the access log of personal data (`AccessRecord`): one record per request that showed households'
personal data (`record_access`, one INSERT), and the pruning of the records past the retention
(`prune_access_log`, the only DELETE the table's trigger lets through).

No service updates a record: the log is append-only, in PostgreSQL as well (migration 0007).
"""

import datetime
import functools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection, transaction
from django.db.models import Field, Min, QuerySet
from django.utils import timezone

from households.models import AccessRecord, Area, Household, User
from households.rules import Level
from households.services.audit import log_action

_MAX_TEXT = 2000  # the longest query string kept
PRUNE_BATCH = 10_000  # rows per DELETE: a long backlog is pruned without one huge transaction


def record_access(
    *,
    actor: User,
    door: str,
    action: str,
    resource: str,
    path: str,
    ip: str | None,
    household_ids: Iterable[int] = (),
    area: Area | None = None,
    query: str = "",
    search: str = "",
    result_count: int | None = None,
    commune_ids: Iterable[int] | None = None,
) -> AccessRecord | None:
    """Write one record of an access to households' personal data: who (`actor`, and her area), when, from where
    (`ip`), through which door, what (`action` on `resource`, at `path` with its `query` and `search` term), which
    households (their ids; or `area` for an export of a whole area) and how many matched (`result_count`).

    One INSERT: the communes of the households are found by the statement itself, unless the caller read them with
    the households (`commune_ids`: the communes of exactly these households, e.g. a list page's rows, which show
    their commune). Nothing is written while `ACCESS_LOG_ENABLED` is off (a switch for measuring the log's cost,
    which the deploy check warns about).

    Durability: outside a transaction (a page that otherwise writes nothing, the common case), the record is
    committed with `synchronous_commit = off` for its own transaction only (set by the INSERT itself: one
    statement, one round trip), so the request does not wait for the WAL flush. A crash of the database server
    (not of the application) may then lose the records of its last fraction of a second (at most about
    3 × `wal_writer_delay`, 0.6 s by default), never corrupt or reorder them.
    Inside a caller's transaction the record shares that transaction's durability, which is never changed."""
    if not settings.ACCESS_LOG_ENABLED:
        return None
    ids = sorted({int(pk) for pk in household_ids})
    record = AccessRecord(
        actor=actor,
        actor_area_id=actor.area_id,
        at=timezone.now(),
        ip=ip,
        door=door,
        action=action,
        resource=resource[:120],
        path=_text(path)[:255],
        query=_text(query)[:_MAX_TEXT],
        search=_text(search)[:200],
        result_count=result_count,
        household_ids=ids,
        area=area,
    )
    communes = sorted({int(pk) for pk in commune_ids}) if commune_ids is not None else _communes(ids, area)
    if isinstance(communes, list):
        record.commune_ids = communes
    else:
        record.commune_ids = ArraySubquery(communes)  # evaluated by the INSERT itself
    _insert(record)
    return record


def _insert(record: AccessRecord) -> None:
    """The record's INSERT; on its own (no caller's transaction, on PostgreSQL) one statement that is its own
    transaction and does not wait for the WAL flush at its commit (see `record_access`): `set_config(…, true)`
    lasts to the end of the statement's transaction, and PostgreSQL reads `synchronous_commit` at its commit.
    Inside a caller's transaction, the ORM's INSERT; with the communes as a subquery, the ORM's INSERT in a
    transaction of its own with `SET LOCAL synchronous_commit = off`."""
    if connection.in_atomic_block or connection.vendor != "postgresql":
        record.save(force_insert=True)
        return
    if not isinstance(record.commune_ids, list):  # a subquery: the ORM's INSERT, in a transaction of its own
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
            record.save(force_insert=True)
        return
    fields = _insert_fields()
    statement = _insert_statement()
    params = [field.get_db_prep_save(field.pre_save(record, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        record.pk = cursor.fetchone()[0]
    record._state.adding = False
    record._state.db = connection.alias


@functools.cache
def _insert_fields() -> list["Field[Any, Any]"]:
    return [field for field in AccessRecord._meta.concrete_fields if not field.primary_key]


def _column(field: "Field[Any, Any]") -> str:
    column = field.column
    assert column is not None  # a concrete field's
    return column


@functools.cache
def _insert_statement() -> str:
    """INSERT … SELECT of the record's values (cast to their columns' types) from the row that switches
    `synchronous_commit` off for the statement's own transaction."""
    quote = connection.ops.quote_name
    fields = _insert_fields()
    columns = ", ".join(quote(_column(field)) for field in fields)
    values = ", ".join(f"%s::{field.cast_db_type(connection)}" for field in fields)
    return (
        f"INSERT INTO {quote(AccessRecord._meta.db_table)} ({columns}) SELECT {values}"
        " FROM (SELECT set_config('synchronous_commit', 'off', true)) AS durability"
        f" RETURNING {quote(_column(AccessRecord._meta.pk))}"
    )


def _text(value: str) -> str:
    """What the caller typed, as PostgreSQL's text keeps it: without NUL bytes (which it refuses)."""
    return value.replace("\x00", "")


def _communes(ids: list[int], area: Area | None) -> "list[int] | QuerySet[Any, int]":
    """The communes of the households (or of the area): a subquery for the INSERT itself on PostgreSQL, else a list."""
    if area is not None and area.level == Level.COMMUNE:
        return [area.pk]
    if area is not None:
        rows = Area.objects.filter(level=Level.COMMUNE).within(area).values_list("pk", flat=True)
    elif ids:
        rows = Household.objects.filter(pk__in=ids).order_by().values_list("commune_id", flat=True).distinct()
    else:
        return []
    return rows if connection.vendor == "postgresql" else sorted(set(rows))


@contextmanager
def _pruning() -> Iterator[None]:
    """The flag the table's trigger lets a DELETE through with, for the statements inside only: `SET LOCAL` lasts
    to the end of the outermost transaction (a savepoint does not end it), so it is switched off again after them
    (and rolled back with them on an error)."""
    postgres = connection.vendor == "postgresql"
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL giamngheo.access_log_prune = 'on'")
    yield
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL giamngheo.access_log_prune = 'off'")


@dataclass(frozen=True)
class Pruned:
    cutoff: datetime.datetime
    deleted: int
    oldest: datetime.datetime | None  # the oldest record deleted (or that would be)


def prune_access_log(*, now: datetime.datetime | None = None, dry_run: bool = False) -> Pruned:
    """Delete the records older than `ACCESS_LOG_RETENTION_DAYS` (`dry_run`: only count them), in batches, each in
    its own transaction with the flag the table's trigger asks for (`SET LOCAL`: it ends with the transaction).

    A prune that deleted records writes one audit entry, in its last batch's transaction (`households.access_log.
    pruned`, by the system): the cutoff, the retention and the count, on the newest record it deleted (the entry
    keeps its id and its description; the log has no other object to name)."""
    days = settings.ACCESS_LOG_RETENTION_DAYS
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    past = AccessRecord.objects.filter(at__lt=cutoff)
    oldest = past.aggregate(oldest=Min("at"))["oldest"]
    if dry_run:
        return Pruned(cutoff=cutoff, deleted=past.count(), oldest=oldest)
    deleted = 0
    newest: AccessRecord | None = None
    while True:
        with transaction.atomic():
            batch = list(past.order_by("id").values_list("id", flat=True)[:PRUNE_BATCH])
            if batch:
                newest = AccessRecord.objects.get(pk=batch[-1])
                with _pruning():
                    AccessRecord.objects.filter(pk__in=batch).delete()
            deleted += len(batch)
            done = len(batch) < PRUNE_BATCH
            if done and newest is not None:
                log_action(
                    actor=None,
                    action="households.access_log.pruned",
                    obj=newest,
                    changes={"cutoff": (None, cutoff), "retention_days": (None, days), "deleted": (None, deleted)},
                )
        if done:
            return Pruned(cutoff=cutoff, deleted=deleted, oldest=oldest)
