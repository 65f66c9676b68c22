"""The API's typed filters and its ordering (config.filters): ids and months in digits only within bounds, years from
2016 to next year, an ordering that refuses an unknown field naming `ordering`, and the schema saying so."""

import datetime

import django_filters
import pytest
from drf_spectacular.generators import SchemaGenerator

from config.filters import FIRST_YEAR, IdFilter, MonthFilter, YearFilter, last_year
from households.models import Household

HOUSEHOLDS = "/api/v1/households/"


class Probe(django_filters.FilterSet):
    commune = IdFilter(field_name="commune_id")
    year = YearFilter(field_name="created_at__year")
    month = MonthFilter(field_name="created_at__month")

    class Meta:
        model = Household
        fields: list[str] = []


def errors(**params: str) -> dict:
    filters = Probe(params, queryset=Household.objects.none())
    return {} if filters.is_valid() else dict(filters.errors)


@pytest.mark.parametrize("value", ["552.0", "-1", "1e3", "0x10", "abc", "1 2", "９", "1" * 20])
def test_an_id_is_digits_only(value):
    assert errors(commune=value) == {"commune": ["Phải là một số nguyên dương (chỉ gồm chữ số)."]}


def test_an_id_starts_at_1_and_stays_within_bigint():
    assert errors(commune="0") == {"commune": ["Phải lớn hơn hoặc bằng 1."]}
    assert errors(commune=str(2**63)) == {"commune": [f"Phải nhỏ hơn hoặc bằng {2**63 - 1}."]}
    assert errors(commune="552") == {} and errors(commune=str(2**63 - 1)) == {}


def test_a_year_runs_from_2016_to_next_year_naming_the_parameter():
    assert errors(year="0.5") == {"year": ["Phải là một số nguyên dương (chỉ gồm chữ số)."]}
    assert errors(year=str(FIRST_YEAR - 1)) == {"year": [f"Phải lớn hơn hoặc bằng {FIRST_YEAR}."]}
    assert errors(year=str(last_year() + 1)) == {"year": [f"Phải nhỏ hơn hoặc bằng {last_year()}."]}
    assert errors(year=str(FIRST_YEAR)) == {} and errors(year=str(last_year())) == {}
    assert last_year() == datetime.date.today().year + 1


def test_the_upper_year_moves_with_the_calendar(monkeypatch):
    filters = Probe({"year": str(last_year() + 1)}, queryset=Household.objects.none())
    assert not filters.is_valid()
    monkeypatch.setattr("config.filters.last_year", lambda: datetime.date.today().year + 2)
    assert Probe({"year": str(datetime.date.today().year + 2)}, queryset=Household.objects.none()).is_valid()


def test_a_month_is_1_to_12():
    assert errors(month="13") == {"month": ["Phải nhỏ hơn hoặc bằng 12."]}
    assert errors(month="0") == {"month": ["Phải lớn hơn hoặc bằng 1."]}
    assert errors(month="12") == {}


# --- the ordering, through a real view -------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_unknown_ordering_is_a_400_listing_the_accepted_fields(api, officer_a, household_a):
    response = api(officer_a).get(HOUSEHOLDS, {"ordering": "nonexistent"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and list(body["fields"]) == ["ordering"]
    [message] = body["fields"]["ordering"]
    assert message == "Không sắp xếp được theo “nonexistent”: chỉ nhận code, created_at, id, status, updated_at."
    assert body["message"] == message


@pytest.mark.django_db
def test_one_unknown_field_among_good_ones_is_refused_too(api, officer_a, household_a):
    response = api(officer_a).get(HOUSEHOLDS, {"ordering": "-code,members__full_name"})
    assert response.status_code == 400 and "members__full_name" in response.json()["fields"]["ordering"][0]


@pytest.mark.django_db
def test_a_known_ordering_orders_and_ends_with_the_id(api, officer_a, make_household, commune_a):
    first, second = make_household(commune=commune_a), make_household(commune=commune_a)
    Household.objects.filter(pk__in=[first.pk, second.pk]).update(status="poor")
    response = api(officer_a).get(HOUSEHOLDS, {"ordering": "-status"})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == sorted([first.pk, second.pk])


@pytest.mark.django_db
def test_the_schema_lists_the_accepted_orderings_in_vietnamese():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    [ordering] = [p for p in schema["paths"][HOUSEHOLDS]["get"]["parameters"] if p["name"] == "ordering"]
    assert ordering["schema"]["pattern"].startswith("^(-?(code|created_at|id|status|updated_at)")
    assert "Nhận: `code`, `created_at`, `id`, `status`, `updated_at`" in ordering["description"]
    assert "Which field" not in str(schema)


@pytest.mark.django_db
@pytest.mark.parametrize("parameter", ["commune", "status", "is_ethnic_minority", "village"])
def test_a_typed_parameter_sent_empty_is_refused_naming_it(api, officer_a, household_a, parameter):
    # django-filter reads `?commune=` as no filter: a client that meant a value would get the whole list
    response = api(officer_a).get(HOUSEHOLDS, {parameter: ""})
    assert response.status_code == 400
    assert response.json()["fields"] == {parameter: ["Giá trị trống: bỏ tham số này hoặc nhập một giá trị."]}


@pytest.mark.django_db
def test_an_empty_free_text_or_ordering_is_no_filter(api, officer_a, household_a):
    for params in ({"q": ""}, {"ordering": ""}, {"commune_code": ""}):
        response = api(officer_a).get(HOUSEHOLDS, params)
        assert response.status_code == 200 and response.json()["count"] == 1, params
