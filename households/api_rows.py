"""The household list's page as values: the columns it shows, read in one query, and the answer built from them
as the list's serializer (`households.api.HouseholdSerializer` with the extensions' fields) builds it, field for
field, without a model instance, a related row or a serializer field per value.

A page of 50 households through the ModelSerializer cost about 40 ms of Python (whole rows of the household, its
commune, village, head and the head's ethnicity; 23 fields each run through DRF's fields); read here, it is one
query of the columns shown and a loop. The detail and the writes keep their serializers.

On PostgreSQL the statement of the columns (their joins, an extension's subqueries) is compiled once per process
(`PageReader`): each request compiles only the page's ids (the scope, the filters, the ordering and the slice: one
column), and the one statement reads the columns of the rows whose ids that subquery gives, in its order
(`unnest(ARRAY(…)) WITH ORDINALITY`). Compiling the 27 columns with their joins for every request cost more Python
than everything else the list does with the page.

`PageReader.as_json` reads a page for the list's common case (`households.api_list`): one statement prepared by the
server gives the count and the page's rows, each row's registry fields written as JSON by PostgreSQL (but its two
moments, which Python writes for half the cost), the extensions' fields completed in Python and appended to it;
the planning of the joins (about 3 ms of PostgreSQL's time) is made once per connection.
"""

import datetime
import functools
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.models import Expression, QuerySet
from django.utils import timezone
from rest_framework import serializers
from rest_framework.utils.encoders import JSONEncoder

from households.models import Household

# The answer's fields, in its order, and the column (lookup) each is read from: HouseholdSerializer's fields
# (tests/households/test_api_list_rows.py holds the two to the same list).
COLUMNS: dict[str, str] = {
    "id": "id",
    "code": "code",
    "province": "province_id",
    "district": "district_id",
    "commune": "commune_id",
    "commune_code": "commune__code",
    "commune_name": "commune__name",
    "village": "village_id",
    "village_name": "village__name",
    "address": "address",
    "area_type": "area_type",
    "head": "head_id",
    "head_name": "head__full_name",
    "is_ethnic_minority": "is_ethnic_minority",
    "has_revolutionary_contributor": "has_revolutionary_contributor",
    "has_social_protection_member": "has_social_protection_member",
    "no_labour_capacity": "no_labour_capacity",
    "is_female_headed": "is_female_headed",
    "status": "status",
    "status_since": "status_since",
    "version": "version",
    "created_at": "created_at",
    "updated_at": "updated_at",
}

# A date as the serializer's DateField shows it (ISO 8601).
DATE = serializers.DateField()

# What an app above households adds: its fields' columns (the answer's name; a lookup or an expression, e.g. a
# subquery of its own rows) and a function that completes the rows of a page in place (its computed fields, in
# the order of its serializer's; it removes the columns it only reads, e.g. those named with a leading "_").
Columns = tuple[tuple[str, str | Expression], ...]
Completion = Callable[[list[dict[str, Any]]], None]


def shown(value: Any, format: Callable[[Any], Any]) -> Any:
    return None if value is None else format(value)


def moment_format() -> Callable[[datetime.datetime], str]:
    """A moment as the serializer's DateTimeField shows it: in the current time zone, ISO 8601, "Z" for UTC
    (DRF's `enforce_timezone` and `to_representation`, with the time zone looked up once for the page)."""
    zone = timezone.get_current_timezone()

    def format(value: datetime.datetime) -> str:
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return format


# The registry's fields that `PageReader.as_json` reads as values beside the row's JSON: what the extensions'
# completions read of the registry's (`programs.standards.api.complete_status_rows`: the id and the status) and what
# the access log keeps (the id and the commune of each row shown).
VALUES_READ = ("id", "commune", "status")
DATES = ("status_since",)  # the registry's date fields: ISO 8601 (DATE), written by PostgreSQL
# Its moments, the last of its fields: read as values and written by `moment_format`. PostgreSQL's own writing of a
# moment as DRF writes it (to_char in the time zone, microseconds only when not 0, the offset) cost about 20 µs
# each, twice Python's.
MOMENTS = ("created_at", "updated_at")
assert tuple(COLUMNS)[-len(MOMENTS) :] == MOMENTS


@functools.cache
def _json_fields() -> str:
    """The registry's fields but its moments, of a row of `as_json`'s statement (its columns "c0", "c1"… in
    `COLUMNS`' order), as one JSON object written by PostgreSQL as `PageReader.__call__` writes them: a date as
    ISO 8601 (`to_char` … 'YYYY-MM-DD', as `date.isoformat()` for years from 1000)."""
    parts: list[str] = []
    for number, name in enumerate(COLUMNS):
        assert name.isidentifier() and name.isascii()  # written into the statement as a key
        column = f'"row"."c{number}"'
        if name in MOMENTS:
            continue
        value = f"to_char({column}, 'YYYY-MM-DD')" if name in DATES else column
        parts.append(f"'{name}', {value}")
    return f"json_build_object({', '.join(parts)})"


def _run_prepared(alias: str, statement: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """The rows of one statement run on the connection `alias` by a cursor whose statements the server binds and
    prepares (psycopg's own cursor, in Django's wrapper: its execute wrappers and query log see it), where the
    connection prepares statements (`DB_PREPARED_STATEMENTS`, config/settings.py: psycopg's `prepare_threshold`,
    which only such cursors heed: Django's own bind on the client and never prepare); otherwise bound by the
    server, unprepared."""
    connection = connections[alias]
    connection.ensure_connection()
    with connection._prepare_cursor(ServerBindingCursor(connection.connection)) as cursor:  # as `cursor()` does
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    # The query log (DEBUG, a test's CaptureQueriesContext) keeps the text of what ran, which Django reads from
    # psycopg's query of the run, empty for a prepared statement's: the statement with its values written in.
    if connection.queries_logged and connection.queries_log and connection.queries_log[-1].get("sql") is None:
        connection.queries_log[-1]["sql"] = connection.ops.compose_sql(statement, params)
    return rows


class PageReader:
    """Reads a page of the list as values: the registry's fields, then each extension's `columns` (as read: a
    completion shows them as its serializer would) and what its `completions` add. One per composition of the
    extensions (`households.api`), which keeps the compiled statement of its columns (see the module)."""

    def __init__(self, columns: Columns = (), completions: Iterable[Completion] = ()) -> None:
        self.names = [*COLUMNS, *(name for name, _ in columns)]
        self.lookups = [*COLUMNS.values(), *(lookup for _, lookup in columns)]
        self.completions = tuple(completions)
        self._statements: dict[str, tuple[str, tuple[Any, ...]] | None] = {}

    def __call__(
        self,
        queryset: QuerySet[Household],
        before: tuple[str, tuple[Any, ...]] | None = None,
        found: list[int] | None = None,
    ) -> list[dict[str, Any]]:
        """The rows of `queryset` (a page's slice, ordered) as the list answers them (`before`: a statement of one
        value sent with the page's, its value appended to `found`; see `counted`)."""
        moment, date = moment_format(), DATE.to_representation
        rows = []
        for values in self._values(queryset, before, found):
            row = dict(zip(self.names, values, strict=True))
            row["status_since"] = shown(row["status_since"], date)
            row["created_at"] = shown(row["created_at"], moment)
            row["updated_at"] = shown(row["updated_at"], moment)
            rows.append(row)
        for complete in self.completions:
            complete(rows)
        return rows

    def counted(self, queryset: QuerySet[Household], whole: QuerySet[Household]) -> tuple[list[dict[str, Any]], int]:
        """The rows of `queryset` (a page's slice of `whole`) and the exact count of `whole`, in one round trip on
        PostgreSQL (the count's statement and the page's sent together); elsewhere the ORM's count, then the rows."""
        if self._statement(queryset.db) is None:
            return self(queryset), whole.count()
        try:
            ids, ids_params = whole.order_by().values_list("pk").query.sql_with_params()
        except EmptyResultSet:
            return [], 0
        counting = (f'SELECT COUNT(*) FROM ({ids}) AS "counted"', tuple(ids_params))
        found: list[int] = []
        rows = self(queryset, before=counting, found=found)
        return rows, found[0]

    def _values(
        self,
        queryset: QuerySet[Household],
        before: tuple[str, tuple[Any, ...]] | None = None,
        found: list[int] | None = None,
    ) -> Iterable[tuple[Any, ...]]:
        columns = self._statement(queryset.db)
        if columns is None:  # not PostgreSQL (the embedded SQLite), or columns that need Python's converters
            return queryset.values_list(*self.lookups)
        try:
            ids, ids_params = queryset.values_list("pk").query.sql_with_params()
        except EmptyResultSet:  # a filter that matches nothing (e.g. `none()`)
            if before is None:
                return []
            ids, ids_params = "SELECT NULL::bigint WHERE false", ()
        sql, params = columns
        statement = (
            f'{sql} INNER JOIN unnest(ARRAY({ids})) WITH ORDINALITY AS "page" ("id", "position")'
            f' ON ("page"."id" = "{Household._meta.db_table}"."{Household._meta.pk.column}")'
            ' ORDER BY "page"."position"'
        )
        params = (*params, *ids_params)
        with connections[queryset.db].cursor() as cursor:
            if before is None:
                cursor.execute(statement, params)
                return cursor.fetchall()
            # Two statements in one round trip (psycopg's client-side binding sends them as one simple query):
            # the first's one value, then the page's rows.
            cursor.execute(f"{before[0]}; {statement}", (*before[1], *params))
            assert found is not None
            found.append(cursor.fetchone()[0])
            cursor.nextset()
            return cursor.fetchall()

    def as_json(
        self, whole: QuerySet[Household], offset: int, limit: int, counting: bool = True
    ) -> tuple[list[str], list[dict[str, Any]], int | None] | None:
        """The rows of `whole` (ordered) from `offset`, at most `limit`, as JSON texts, each the object `__call__`
        answers for that row, with the exact count of `whole` (`counting`; else None), in one round trip; None where
        the statement cannot be used (not PostgreSQL).

        PostgreSQL writes each row's registry fields but its moments as JSON (`json_build_object`, dates formatted
        as `__call__` formats them: `_json_fields`); the moments and the extensions' columns are read as values
        with the row's `id`, `commune` and `status`, the moments formatted and the extensions' fields completed as
        in `__call__`, and appended to the row's text. Also answered: those values (`id` and `commune`: what the
        access log reads)."""
        columns = self._statement(whole.db)
        if columns is None:
            return None
        try:  # compiled once: counted as it is, and its page cut from it (the ordering is of no cost to count)
            counted, counted_params = whole.values_list("pk").query.sql_with_params()
        except EmptyResultSet:
            return [], [], 0 if counting else None
        ids, ids_params = f"{counted} LIMIT {int(limit)} OFFSET {int(offset)}", counted_params
        sql, params = columns
        assert sql.startswith("SELECT ")
        inner = (
            f'SELECT "page"."position", {sql[len("SELECT ") :]}'
            f' INNER JOIN unnest(ARRAY({ids})) WITH ORDINALITY AS "page" ("id", "position")'
            f' ON ("page"."id" = "{Household._meta.db_table}"."{Household._meta.pk.column}")'
        )
        aliases = ", ".join(f'"c{number}"' for number in range(len(self.lookups)))
        fields = _json_fields()
        read = ", ".join(f'"row"."c{self.names.index(name)}"' for name in self._values_read)
        # One statement (the count, and the page's rows beside it; one row of no page when it is empty), bound and
        # prepared by the server (`_run_prepared`): its plan, about 3 ms of PostgreSQL's time for the joins of
        # 27 columns, is made once per connection and page shape instead of at every request.
        page = f'SELECT "row"."position", {fields}::text, {read} FROM ({inner}) AS "row" ("position", {aliases})'
        if counting:
            statement = (
                f'SELECT "counted"."count", "page".* FROM (SELECT COUNT(*) AS "count" FROM ({counted}) AS "ids")'
                f' AS "counted" LEFT JOIN LATERAL ({page}) AS "page" ON true ORDER BY "page"."position"'
            )
            values_params: tuple[Any, ...] = (*counted_params, *params, *ids_params)
        else:
            statement = f'SELECT NULL::bigint, "page".* FROM ({page}) AS "page" ORDER BY "page"."position"'
            values_params = (*params, *ids_params)
        read_rows = _run_prepared(whole.db, statement, values_params)
        count = read_rows[0][0] if counting else None
        fetched = [row[2:] for row in read_rows if row[1] is not None]
        texts = [row[0] for row in fetched]
        values = [dict(zip(self._values_read, row[1:], strict=True)) for row in fetched]
        completed = [dict(row) for row in values]
        for complete in self.completions:
            complete(completed)
        encoder = JSONEncoder(ensure_ascii=False, separators=(",", ":"))
        moment = moment_format()
        for index, row in enumerate(completed):
            added = {name: shown(row[name], moment) for name in MOMENTS}
            added |= {name: value for name, value in row.items() if name not in COLUMNS}
            if added:
                text = texts[index]
                texts[index] = f"{text[:-1]},{encoder.encode(added)[1:]}"
        return texts, values, count

    @property
    def _values_read(self) -> list[str]:
        """What `as_json` reads as values: the registry's fields a completion or the access log reads, its moments
        (written by Python), and every extension's columns."""
        return [*VALUES_READ, *MOMENTS, *self.names[len(COLUMNS) :]]

    def _statement(self, alias: str) -> tuple[str, tuple[Any, ...]] | None:
        """The columns' statement without a WHERE or an ORDER BY (its FROM with the joins last), compiled once per
        database; None where it cannot be used as is: another database than PostgreSQL, or a column whose values
        the ORM converts after reading them (none today; the rows would then differ from `values_list`'s)."""
        if alias not in self._statements:
            statement = None
            if connections[alias].vendor == "postgresql":
                query = Household._base_manager.order_by().values_list(*self.lookups).query
                compiler = query.get_compiler(alias)
                sql, params = compiler.as_sql()
                if not compiler.get_converters([column for column, _, _ in compiler.select]):
                    statement = (sql, tuple(params))
            self._statements[alias] = statement
        return self._statements[alias]
