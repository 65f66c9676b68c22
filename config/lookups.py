"""`has_item`: whether a JSON list holds a value, on PostgreSQL (the tests, production) and SQLite (the
embedded default of `make run`), where Django's `contains` on a JSONField is not supported.

    Assessment.objects.filter(deprived__has_item="housing_quality")
"""

from django.db.models import JSONField, Lookup


@JSONField.register_lookup
class HasItem(Lookup):
    lookup_name = "has_item"
    prepare_rhs = False

    def as_sql(self, compiler, connection):  # PostgreSQL: jsonb containment of a one-item array, uses GIN indexes
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @> jsonb_build_array({rhs}::text)", [*lhs_params, *rhs_params]

    def as_sqlite(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"EXISTS (SELECT 1 FROM json_each({lhs}) WHERE json_each.value = {rhs})", [*lhs_params, *rhs_params]
