"""The API's list filters: a stable ordering that refuses unknown fields, and typed, bounded query parameters.

django-filter's `NumberFilter` is a decimal (`commune=552.0`, `year=0.5` were accepted) and Django's IntegerField
strips a trailing ".0"; the filters below take digits only, within bounds, and the schema says so (integer,
minimum, maximum). A value refused is a 400 naming the parameter, in the API's error envelope (config.errors).
"""

import copy
import datetime
import re
from collections import OrderedDict

import django_filters
from django import forms
from django_filters.filters import FilterMethod
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.drainage import get_override
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

BIGINT = 2**63 - 1
FIRST_YEAR = 2016  # the earliest year of the program's data (the 2016-2020 standard, domain.md A1)
_DIGITS = re.compile(r"[0-9]+")


def last_year() -> int:
    """The latest year a filter accepts: next year (a campaign or a target can be set a year ahead)."""
    return datetime.date.today().year + 1


class StrictIntegerField(forms.IntegerField):
    """Digits only: no sign, no decimal point, no ".0" (Django's own IntegerField accepts "552.0")."""

    default_error_messages = {
        "invalid": "Phải là một số nguyên dương (chỉ gồm chữ số).",
        "min_value": "Phải lớn hơn hoặc bằng %(limit_value)s.",
        "max_value": "Phải nhỏ hơn hoặc bằng %(limit_value)s.",
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not _DIGITS.fullmatch(text) or len(text) > 19:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text)


class DescribedFilter(django_filters.Filter):
    """A filter whose schema is set on its class (`extend_schema_field`): its `label` becomes the parameter's
    description (drf-spectacular reads none from a filter whose schema is given)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        schema = get_override(type(self), "field")
        if kwargs.get("label") and isinstance(schema, dict):
            extend_schema_field({**schema, "description": str(kwargs["label"])})(self)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": BIGINT})
class IdFilter(DescribedFilter):
    """The id of a row: a whole number from 1."""

    field_class = StrictIntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGINT)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": FIRST_YEAR, "maximum": last_year()})
class YearFilter(DescribedFilter):
    """A year of the program: from 2016 to next year (the upper bound checked at each request, so that it moves
    with the calendar)."""

    field_class = StrictIntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", FIRST_YEAR)
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        # The form field with today's upper bound: a field built on another day (or copied with the filter set's
        # filters) is built again. Its refusal names the parameter, as every filter's does.
        self.extra["max_value"] = last_year()
        if getattr(self, "_field", None) is not None and self._field.max_value != last_year():
            del self._field
        return super().field


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 12})
class MonthFilter(DescribedFilter):
    field_class = StrictIntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 12)
        super().__init__(*args, **kwargs)


class StrictBooleanField(forms.Field):
    """`true` or `false`, nothing else: django-filter's own boolean ignores a value it does not know ("yes", "1"),
    which would list everything as if the flag had not been sent."""

    default_error_messages = {"invalid": "Chỉ nhận true hoặc false."}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if value in ("true", "false"):
            return value == "true"
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


@extend_schema_field({"type": "boolean"})
class FlagFilter(DescribedFilter):
    """A yes/no condition: `true` or `false` (anything else is a 400 naming the parameter)."""

    field_class = StrictBooleanField


def choice_filter(choices, label: str = "", *, multiple: bool = False, **kwargs) -> django_filters.Filter:
    """One of `choices` (repeated, with `multiple`), its values and their Vietnamese labels in the description.
    The enum is inline and without a title: drf-spectacular would title it after the model field's Vietnamese
    verbose name, which a client generator turns into a class name."""
    listed = "; ".join(f"{value}: {name}" for value, name in choices)
    schema = {"type": "string", "enum": [value for value, _ in choices]}
    schema["description"] = f"{label} ({listed})" if label else listed
    kwargs.setdefault("label", label or None)
    if multiple:
        found: django_filters.Filter = django_filters.MultipleChoiceFilter(choices=choices, distinct=False, **kwargs)
    else:
        found = django_filters.ChoiceFilter(choices=choices, **kwargs)
    return extend_schema_field(schema)(found)


class CopiedFilters(OrderedDict):
    """A filterset's declared filters (`base_filters`), each copied for a request as django-filter's deep copy
    leaves it for that request, without copying what no request changes.

    `FilterSet.__init__` deep-copies every filter of its class per request (about 0.5 ms for the household list's,
    with their choices, querysets and labels) so that what a request sets on a filter stays its own: its
    `parent` and `model` (set by the filterset), its form field (`_field`, built from `extra`, and a
    ModelChoiceFilter's queryset written into `extra` by `field`), its label, and a `method`'s FilterMethod
    (which points to its filter). A shallow copy with its own `extra`, no form field yet and its own FilterMethod
    gives each request the same: everything else of a filter is read, never changed, per request."""

    def __deepcopy__(self, memo: dict) -> OrderedDict:
        return OrderedDict((name, _copied(declared)) for name, declared in self.items())


def _copied(declared: django_filters.Filter) -> django_filters.Filter:
    found = copy.copy(declared)
    found.__dict__.pop("_field", None)
    found.extra = dict(declared.extra)
    if isinstance(found.__dict__.get("filter"), FilterMethod):
        found.method = declared.method  # a FilterMethod of its own, pointing to this copy
    return found


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, but a parameter sent empty (`?date_to=`, `?status=`) is refused with a 400 naming it
    rather than read as absent: the schema types it (a date, an id, one of a list), and an empty value is none of
    them. A free text (`q`, `code`) may be empty: it then filters nothing."""

    EMPTY_MESSAGE = "Giá trị trống: bỏ tham số này hoặc nhập một giá trị."

    def get_filterset_class(self, view, queryset=None):
        filterset_class = super().get_filterset_class(view, queryset)
        if filterset_class is not None and not isinstance(filterset_class.base_filters, CopiedFilters):
            filterset_class.base_filters = CopiedFilters(filterset_class.base_filters)  # see CopiedFilters
        return filterset_class

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        browsing = getattr(getattr(request, "accepted_renderer", None), "format", "") == "api"
        if filterset_class is not None and not browsing:  # the browsable API's filter form sends every field
            empty = [
                name
                for name, declared in filterset_class.base_filters.items()
                if not isinstance(declared, django_filters.CharFilter) and "" in request.query_params.getlist(name)
            ]
            if empty:
                raise ValidationError({name: [self.EMPTY_MESSAGE] for name in empty})
        return super().filter_queryset(request, queryset, view)


class StableOrderingFilter(OrderingFilter):
    """Ordering that always ends with the primary key, so pages never overlap or skip rows. An unknown field is a
    400 listing the accepted ones (DRF ignores it silently); the schema lists them as an enum."""

    ordering_description = "Sắp xếp theo trường; thêm dấu “-” trước tên để sắp xếp giảm dần."

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if params:
            fields = [param.strip() for param in params.split(",")]
            valid = self.get_valid_fields(queryset, view, {"request": request})
            names = {name for name, _ in valid}
            unknown = [f for f in fields if f.lstrip("-") not in names]
            if unknown:
                accepted = ", ".join(sorted(names))
                message = f"Không sắp xếp được theo “{unknown[0]}”: chỉ nhận {accepted}."
                raise ValidationError({self.ordering_param: [message]})
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if not any(term.lstrip("-") in ("pk", "id") for term in ordering):
            ordering.append("id")
        return ordering

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        try:
            valid = self.get_valid_fields(view.get_queryset(), view, {"request": getattr(view, "request", None)})
        except Exception:  # noqa: BLE001 - a view whose queryset needs a request: the list stays undeclared
            return parameters
        names = sorted(name for name, _ in valid)
        one = f"-?({'|'.join(map(re.escape, names))})"
        for parameter in parameters:
            # empty (`ordering=`) is the default order, as DRF reads it
            parameter["schema"] = {"type": "string", "pattern": f"^({one}(,{one})*)?$"}
            parameter["description"] = (
                f"{self.ordering_description} Nhận: {', '.join(f'`{name}`' for name in names)}; nhiều trường cách nhau "
                "bằng dấu phẩy."
            )
        return parameters
