"""The household list's page as values: the columns it shows, read in one query, and the answer built from them
as the list's serializer (`households.api.HouseholdSerializer` with the extensions' fields) builds it, field for
field, without a model instance, a related row or a serializer field per value.

A page of 50 households through the ModelSerializer cost about 40 ms of Python (whole rows of the household, its
commune, village, head and the head's ethnicity; 23 fields each run through DRF's fields); read here, it is one
query of the columns shown and a loop. The detail and the writes keep their serializers.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers

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

# The serializer's own fields for the values that are not shown as read (dates and moments as text, in the
# current time zone): the same text, by the same code.
DATE = serializers.DateField()
MOMENT = serializers.DateTimeField()
_FORMATS: dict[str, Callable[[Any], Any]] = {
    "status_since": DATE.to_representation,
    "created_at": MOMENT.to_representation,
    "updated_at": MOMENT.to_representation,
}

# What an app above households adds: its fields' columns (answer's name, lookup) and a function that completes
# the rows of a page in place (its computed fields, in the order of its serializer's).
Columns = tuple[tuple[str, str], ...]
Completion = Callable[[list[dict[str, Any]]], None]


def shown(value: Any, format: Callable[[Any], Any]) -> Any:
    return None if value is None else format(value)


def page_of_rows(
    queryset: QuerySet[Household],
    columns: Columns = (),
    completions: Iterable[Completion] = (),
) -> list[dict[str, Any]]:
    """The rows of `queryset` (a page's slice, ordered) as the list answers them: the registry's fields, then each
    extension's `columns` (as read: a completion shows them as its serializer would) and what its `completions` add."""
    names = [*COLUMNS, *(name for name, _ in columns)]
    lookups = [*COLUMNS.values(), *(lookup for _, lookup in columns)]
    rows = []
    for values in queryset.values_list(*lookups):
        row = dict(zip(names, values, strict=True))
        for name, format in _FORMATS.items():
            row[name] = shown(row[name], format)
        rows.append(row)
    for complete in completions:
        complete(rows)
    return rows
