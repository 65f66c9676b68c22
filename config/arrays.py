"""A list of ids in one column: `bigint[]` on PostgreSQL (GIN-indexable), a JSON list in a text column on the
embedded SQLite default (the demo), with the two questions asked of it answered on both:

    rows.filter(household_ids__contains=[12])        # the list holds every id given (PostgreSQL: @>)
    rows.filter(commune_ids__overlap=communes.values("pk"))   # the list shares an id with the subquery or list (&&)

On PostgreSQL both are answered by a GIN index on the column (created by the migration that adds it).
"""

import json
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Lookup


class IdArrayField(ArrayField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("base_field", models.BigIntegerField())
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def db_type(self, connection: Any) -> Any:
        return super().db_type(connection) if connection.vendor == "postgresql" else "text"

    def cast_db_type(self, connection: Any) -> Any:
        return super().cast_db_type(connection) if connection.vendor == "postgresql" else "text"

    def get_placeholder(self, value: Any, compiler: Any, connection: Any) -> str:
        return super().get_placeholder(value, compiler, connection) if connection.vendor == "postgresql" else "%s"

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if connection.vendor == "postgresql" and type(value) is list and all(type(item) is int for item in value):
            return value  # ids already: what ArrayField's prep of each item through BigIntegerField would give
        if connection.vendor == "postgresql" or value is None or hasattr(value, "as_sql"):
            return super().get_db_prep_value(value, connection, prepared)
        return json.dumps([int(item) for item in value])

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value


def _ids(values: Any) -> list[int]:
    return [int(value) for value in values]


@IdArrayField.register_lookup
class IdsContain(Lookup):
    """Every id of the right-hand list is in the row's list."""

    lookup_name = "contains"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} @> %s::bigint[]", [*lhs_params, _ids(self.rhs)]

    def as_sqlite(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        sql = f"NOT EXISTS (SELECT value FROM json_each(%s) EXCEPT SELECT value FROM json_each({lhs}))"
        return sql, [json.dumps(_ids(self.rhs)), *lhs_params]


@IdArrayField.register_lookup
class IdsOverlap(Lookup):
    """The row's list shares at least one id with the right-hand list or subquery (of one column of ids)."""

    lookup_name = "overlap"
    prepare_rhs = False

    def _rhs(self, compiler: Any, connection: Any) -> tuple[str, list[Any], bool]:
        if hasattr(self.rhs, "as_sql"):
            sql, params = self.process_rhs(compiler, connection)
            return sql, list(params), True
        return "%s", [_ids(self.rhs)], False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params, subquery = self._rhs(compiler, connection)
        return f"{lhs} && {'ARRAY' + rhs if subquery else rhs + '::bigint[]'}", [*lhs_params, *rhs_params]

    def as_sqlite(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params, subquery = self._rhs(compiler, connection)
        if not subquery:
            rhs, rhs_params = "(SELECT value FROM json_each(%s))", [json.dumps(rhs_params[0])]
        return f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE value IN {rhs})", [*lhs_params, *rhs_params]
