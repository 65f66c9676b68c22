"""The household list's common case answered in one round trip (households.api_list) answers what the general path
answers: the same page, count, links and fields, the same access record, for any user, filters and page; anything
it does not take (another parameter, a bad value, a page past the end) gets the general path's answer and errors."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.pagination import LargeListPagination
from households import api_list
from households.models import AccessRecord, Household
from programs.standards import services as program_services

URL = "/api/v1/households/"


@pytest.fixture
def registry(make_household, commune_a, commune_b, village_a, village_b, admin_user):
    """Eleven households over two communes and their villages, in every status, some with a history."""
    made = []
    for number in range(11):
        commune, village = (commune_a, village_a) if number % 3 else (commune_b, village_b)
        made.append(
            make_household(
                commune,
                f"Lò Văn {number}",
                ("Lò Thị Mai",) if number % 2 else (),
                village=village if number % 4 else None,
                is_ethnic_minority=number % 2 == 0,
            )
        )
    moves = {1: ["poor"], 2: ["near_poor"], 4: ["poor", "not_poor"], 5: ["near_poor", "poor"], 7: ["poor"]}
    for index, statuses in moves.items():
        for year, status in enumerate(statuses, start=2021):
            program_services.record_status_change(
                actor=admin_user,
                household_id=made[index].pk,
                to_status=status,
                effective_date=datetime.date(year, 6, 1 + index),
                decision_number=f"QĐ-{index}-{year}",
            )
    return made


def answers(client, params):
    """The list's answer to `params` by the common case (None where it does not take them) and by the general
    path, each with the access record it wrote."""

    def get(fast: bool):
        before = AccessRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0
        taken = []
        original = api_list.answer

        def spy(view, request, reader):
            found = original(view, request, reader) if fast else None
            taken.append(found is not None)
            return found

        api_list.answer = spy
        try:
            response = client.get(URL, params)
        finally:
            api_list.answer = original
        records = list(
            AccessRecord.objects.filter(id__gt=before).values(
                "action", "search", "household_ids", "commune_ids", "result_count", "query"
            )
        )
        return response, taken == [True], records

    return get(True), get(False)


def same(fast, general):
    (response, taken, records), (expected, _, expected_records) = fast, general
    assert response.status_code == expected.status_code
    assert response.json() == expected.json()
    assert list(response.json()) == list(expected.json())  # the keys in the same order
    if response.status_code == 200:
        for row, expected_row in zip(response.json()["results"], expected.json()["results"], strict=True):
            assert list(row) == list(expected_row)
    own = ("Content-Length", "X-Request-ID")  # each answer's own: its size (PostgreSQL's spacing), its request id
    headers = {k: v for k, v in response.headers.items() if k not in own}
    assert headers == {k: v for k, v in expected.headers.items() if k not in own}
    assert records == expected_records
    return taken


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["officer_a", "officer_b", "district_staff", "province_staff", "admin_user"])
def test_the_common_case_answers_what_the_general_path_answers(name, persona, api, registry, commune_a, village_a):
    client = api(persona(name))
    cases = [
        ({"commune": commune_a.pk}, True),
        ({"commune": commune_a.pk, "status": "poor"}, True),
        ({"commune": commune_a.pk, "status": ["poor", "near_poor"], "page_size": 2, "page": 2}, True),
        ({"village": village_a.pk, "page_size": 1, "page": 3}, True),
        ({"commune": commune_a.pk, "page_size": 500}, True),
        ({"commune": commune_a.pk, "page": 1, "page_size": ""}, True),
        ({}, True),  # the whole area of the user (a commune's, a district's, a province's, the country's)
        ({"status": "poor", "page_size": 2, "page": 2}, True),
        ({"commune": 2**63 - 1}, True),  # no such commune: an empty first page
        ({"commune": commune_a.pk, "ordering": "-id"}, False),  # another parameter: the general path
        ({"commune": commune_a.pk, "q": "lo van"}, True),
        ({"q": " Lò  "}, True),
        ({"q": ""}, True),  # a blank search searches nothing
        ({"q": "lo\x00van"}, False),  # a NUL byte: the general path's 400
        ({"q": ["lo", "van"]}, False),
        ({"commune": commune_a.pk, "page": "last"}, False),
        ({"commune": commune_a.pk, "page": 99}, True),  # past the end: the general path's 404
        ({"commune": "x"}, False),  # a bad value: the general path's 400
        ({"commune": commune_a.pk, "status": "rich"}, False),
        ({"commune": commune_a.pk, "page_size": 501}, False),
        ({"commune": ""}, False),
    ]
    for params, fast in cases:
        found = answers(client, params)
        taken = same(*found)
        assert taken is (fast and found[1][0].status_code == 200), params  # a page past the end: the general path


@pytest.mark.django_db
def test_a_commune_officer_s_list_is_taken_without_a_filter_and_costs_two_statements(api, officer_a, registry):
    client = api(officer_a)
    fast, general = answers(client, {})
    assert same(fast, general)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"status": "poor"})
    assert response.status_code == 200 and response.json()["count_exact"] is True
    assert len(queries) == 2  # the count with the page, then the access record
    assert {row["status"] for row in response.json()["results"]} == {"poor"}


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    who=st.sampled_from(["officer_a", "officer_b", "district_staff", "province_staff", "admin_user"]),
    where=st.sampled_from(["commune_a", "commune_b", "village_a", "village_b", None]),
    statuses=st.sets(st.sampled_from(["poor", "near_poor", "not_poor"]), max_size=3),
    search=st.sampled_from([None, "", "lo van", "LÒ THỊ", "văn 1", "mai", "xyz"]),
    page=st.integers(1, 4),
    size=st.integers(1, 5),
)
def test_any_filters_and_page_answer_the_same(persona, api, registry, who, where, statuses, search, page, size):
    params: dict = {"page": page, "page_size": size}
    if search is not None:
        params["q"] = search
    if where is not None:
        params["village" if where.startswith("village") else "commune"] = persona(where).pk
    if statuses:
        params["status"] = sorted(statuses)
    same(*answers(api(persona(who)), params))


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    moment=st.datetimes(
        min_value=datetime.datetime(1900, 1, 1),
        max_value=datetime.datetime(2200, 1, 1),
        timezones=st.just(datetime.UTC),
    ),
    zone=st.sampled_from(["Asia/Ho_Chi_Minh", "UTC", "America/St_Johns", "Asia/Kathmandu", "Europe/Dublin"]),
    whole_second=st.booleans(),
)
def test_moments_are_written_as_the_serializer_writes_them(api, officer_a, registry, moment, zone, whole_second):
    """PostgreSQL writes a moment as DRF does: local time in the current time zone, microseconds only when not 0,
    the offset as +HH:MM (or with seconds, as for the local mean times before 1906), "Z" for UTC."""
    if whole_second:
        moment = moment.replace(microsecond=0)
    household = registry[1]
    Household.objects.filter(pk=household.pk).update(created_at=moment, updated_at=moment)
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        fast, general = answers(api(officer_a), {"page_size": 50})
    assert same(fast, general)
    row = next(row for row in fast[0].json()["results"] if row["id"] == household.pk)
    assert datetime.datetime.fromisoformat(row["created_at"].replace("Z", "+00:00")) == moment


@pytest.mark.django_db
def test_without_prepared_statements_the_answer_is_the_same(api, officer_a, registry):
    """Behind a pooler that keeps no prepared statements (DB_PREPARED_STATEMENTS=0) the page is bound by the
    server, unprepared."""
    connection.ensure_connection()
    threshold = connection.connection.prepare_threshold
    connection.connection.prepare_threshold = None

    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            return cursor.fetchone()[0]

    try:
        before = prepared()
        assert same(*answers(api(officer_a), {"status": "poor", "page_size": 3}))
        assert prepared() == before
    finally:
        connection.connection.prepare_threshold = threshold


@pytest.mark.django_db
@pytest.mark.parametrize("limit", [2, 5_000])
@pytest.mark.parametrize("name", ["district_staff", "province_staff", "admin_user"])
def test_a_wide_list_is_counted_as_the_pagination_counts_it(name, limit, persona, api, registry, monkeypatch):
    """A list wider than a commune is not counted at every page: its count is exact up to the pagination's limit
    (a bounded count), PostgreSQL's estimate beyond it (`count_exact` false, no count in the access record), exact
    on its last page; the common case answers all of it as the general path does."""
    monkeypatch.setattr(LargeListPagination, "exact_limit", limit)
    client = api(persona(name))
    for params in ({}, {"status": "not_poor"}, {"page_size": 2, "page": 2}, {"page_size": 3, "page": 4}):
        found = answers(client, params)
        assert same(*found) is (found[1][0].status_code == 200), params
    if limit == 2 and name != "district_staff":
        first = client.get(URL, {"page_size": 2}).json()
        assert first["count_exact"] is False and first["count"] >= 3
        assert AccessRecord.objects.order_by("-id").values_list("result_count", flat=True)[0] is None
