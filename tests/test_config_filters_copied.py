"""Each request's filters are its own (config.filters.CopiedFilters, in place of django-filter's deep copy): what a
request sets on a filter (its filterset, its form field, a model choice's queryset, a method bound to it) is not
seen by the next request, and filtering answers as before."""

import django_filters
import pytest

from config.filters import CopiedFilters, FilterBackend, IdFilter
from households.models import Area, Household


class Probe(django_filters.FilterSet):
    commune = IdFilter(field_name="commune_id")
    area = django_filters.ModelChoiceFilter(field_name="commune", queryset=lambda request: Area.objects.all())
    code = django_filters.CharFilter(method="by_code")

    class Meta:
        model = Household
        fields: list[str] = []

    def by_code(self, queryset, name, value):
        self.called_by = self
        return queryset.filter(code=value)


class View:
    filterset_class = Probe


def filterset(params: dict, request=None) -> Probe:
    cls = FilterBackend().get_filterset_class(View(), Household.objects.none())
    return cls(params, queryset=Household.objects.none(), request=request)


def test_the_declared_filters_are_copied_per_request_not_shared():
    first, second = filterset({"commune": "1"}), filterset({"commune": "2"})
    # the backend puts them in place at its first use (this test's own, whatever ran before it in this process)
    assert isinstance(Probe.base_filters, CopiedFilters)
    for name, declared in Probe.base_filters.items():
        assert first.filters[name] is not declared and first.filters[name] is not second.filters[name]
        assert first.filters[name].parent is first and second.filters[name].parent is second
        assert first.filters[name].extra is not second.filters[name].extra is not declared.extra
    assert first.form.fields["commune"] is not second.form.fields["commune"]
    assert first.filters["commune"].field is not second.filters["commune"].field


@pytest.mark.django_db
def test_a_model_choice_and_a_method_belong_to_their_request(rf):
    area = Area.objects.create(level="province", code="99", name="Thử")
    first = filterset({"area": str(area.pk), "code": "x"}, request=rf.get("/"))
    assert first.is_valid(), first.errors
    first.qs  # noqa: B018 - runs the filters
    assert first.called_by is first  # the method ran on this request's filterset
    assert not callable(first.filters["area"].extra["queryset"])  # the request's queryset, written by `field`
    assert callable(Probe.base_filters["area"].extra["queryset"])  # the declared filter keeps its callable
    second = filterset({"area": "0"}, request=rf.get("/"))
    assert not second.is_valid() and "area" in second.errors
