"""The household list read as values (households.api_rows) answers what the serializers answer, field for field;
its count is exact where it is cheap and says when it is an estimate; its pages and their links stay right."""

import datetime

import pytest

from households import api as households_api
from households import api_rows, selectors
from households.models import AccessRecord, Household
from programs.standards import api as status_api
from programs.standards import services as program_services
from tests.response_schema import problems

URL = "/api/v1/households/"


def serialized(user, households):
    """The list's answer for these households as the list's serializer builds it (as the list answered before it
    read values): the registry's queryset with every extension's, the composed serializer."""
    queryset = selectors.households_for(user).filter(pk__in=[h.pk for h in households]).order_by("id")
    for extension in households_api._extensions:
        if extension.queryset is not None:
            queryset = extension.queryset(queryset)
    return [dict(item) for item in households_api.household_api().serializer(queryset, many=True).data]


@pytest.fixture
def varied(make_household, commune_a, village_a, admin_user):
    """Households in every state the list shows: in a village or none, with a history (poor, then out: newly
    escaped), poor now, flags set."""
    placed = make_household(commune_a, "Lò Văn Páo", ("Lò Thị Mai",), village=village_a, is_ethnic_minority=True)
    unplaced = make_household(commune_a, "Đặng Thị Hà", is_female_headed=True, address="")
    poor = make_household(commune_a, "Vừ A Dính", no_labour_capacity=True)
    for household, moves in (
        (placed, [("poor", datetime.date(2021, 3, 1)), ("not_poor", datetime.date(2024, 12, 20))]),
        (poor, [("near_poor", datetime.date(2022, 1, 5)), ("poor", datetime.date(2023, 12, 1))]),
    ):
        for status, day in moves:
            program_services.record_status_change(
                actor=admin_user,
                household_id=household.pk,
                to_status=status,
                effective_date=day,
                decision_number=f"QĐ-{household.pk}-{day.year}",
            )
    return [placed, unplaced, poor]


def test_the_columns_are_the_serializers_fields():
    assert list(api_rows.COLUMNS) == households_api.HouseholdSerializer.Meta.fields


def test_the_list_reads_values_with_the_status_flags_of_the_program():
    composed = households_api.household_api()
    assert composed.rows is not None  # every extension registered reads values
    names = composed.rows.names[len(api_rows.COLUMNS) :]
    assert names == ["ever_poor", "left_lists_on", "_history_dates", "_history_statuses"]  # the history with the rows


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["officer_a", "province_staff", "admin_user"])
def test_the_list_answers_what_the_serializer_answers(name, persona, api, varied):
    user = persona(name)
    response = api(user).get(URL, {"ordering": "id"})
    assert response.status_code == 200
    assert not problems(response)
    listed = [item for item in response.data["results"] if item["id"] in {h.pk for h in varied}]
    expected = serialized(user, varied)
    assert listed == expected
    assert [list(item) for item in listed] == [list(item) for item in expected]  # the fields in the same order
    escaped = next(item for item in response.json()["results"] if item["id"] == varied[0].pk)
    assert (escaped["status"], escaped["left_lists_on"], escaped["newly_escaped_until"]) == (
        "not_poor",
        "2024-12-20",
        "2027-12-20",
    )
    assert escaped["years_in_poverty"] == 4 and escaped["village_name"] is not None
    unplaced = next(item for item in response.json()["results"] if item["id"] == varied[1].pk)
    assert (unplaced["village"], unplaced["village_name"], unplaced["years_in_poverty"]) == (None, None, 0)


@pytest.mark.django_db
def test_without_the_history_in_the_rows_the_status_flags_read_it_in_one_query(
    officer_a, varied, django_assert_num_queries
):
    """The embedded SQLite has no arrays: the page's history is read by a query of its own, to the same answer."""
    queryset = selectors.households_listed(officer_a).order_by("id")
    with django_assert_num_queries(2):
        rows = api_rows.PageReader(status_api.STATUS_COLUMNS[:2], [status_api.complete_status_rows])(queryset)
    assert rows == serialized(officer_a, varied)


@pytest.mark.django_db
@pytest.mark.parametrize("ordering", [("id",), ("-id",), ("-status", "code", "id"), ("-updated_at", "id")])
def test_the_compiled_statement_reads_the_same_rows_in_the_same_order_as_the_orm(
    officer_a, varied, household_a, ordering
):
    """The reader's statement, compiled once (its columns) around each page's ids, answers the ORM's `values_list`
    of the same page: the same rows, values and order, for any ordering and slice, and nothing for an empty one."""
    reader = households_api.household_api().rows
    assert reader is not None and reader._statement("default") is not None  # PostgreSQL: the compiled statement
    orm = api_rows.PageReader(
        [(name, lookup) for name, lookup in zip(reader.names, reader.lookups, strict=True)][len(api_rows.COLUMNS) :],
        reader.completions,
    )
    orm._statements["default"] = None  # the ORM's values_list, compiled for the page
    queryset = selectors.households_listed(officer_a).order_by(*ordering)
    for window in (queryset[0:2], queryset[1:3], queryset[0:50], queryset[3:9], queryset.none()):
        assert reader(window) == orm(window)
    assert [row["id"] for row in reader(queryset[0:3])] == list(queryset.values_list("id", flat=True)[0:3])
    assert reader(queryset.filter(status="poor")[0:10]) == orm(queryset.filter(status="poor")[0:10])


@pytest.mark.django_db
def test_the_list_of_households_without_a_head_answers_null(api, officer_a, household_a):
    Household.objects.filter(pk=household_a.pk).update(head=None)
    item = api(officer_a).get(URL).data["results"][0]
    assert (item["head"], item["head_name"]) == (None, None)
    assert item == serialized(officer_a, [household_a])[0]


@pytest.mark.django_db
def test_a_page_costs_the_same_queries_whatever_its_size(
    api, officer_a, make_household, commune_a, django_assert_max_num_queries
):
    for index in range(12):
        make_household(commune_a, f"Hộ Số {index}")
    client = api(officer_a)
    with django_assert_max_num_queries(6):  # count, page (with the status history), the access log's record
        assert len(client.get(URL, {"page_size": 10}).json()["results"]) == 10


@pytest.mark.django_db
def test_the_access_log_records_the_households_of_a_page_read_as_values(api, officer_a, varied):
    response = api(officer_a).get(URL, {"page_size": 2, "ordering": "-id", "q": ""})
    record = AccessRecord.objects.get()
    assert record.household_ids == sorted(item["id"] for item in response.json()["results"])
    assert record.result_count == 3


# --- the count ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_communes_list_is_counted_exactly(api, officer_a, province_staff, varied, commune_a, monkeypatch):
    monkeypatch.setattr(households_api.LargeListPagination, "exact_limit", 1)  # any wider list would be estimated
    for client, params in ((api(officer_a), {}), (api(province_staff), {"commune": commune_a.pk})):
        page = client.get(URL, {**params, "page_size": 1}).json()
        assert (page["count"], page["count_exact"], len(page["results"])) == (3, True, 1)


@pytest.mark.django_db
def test_a_wide_list_is_counted_exactly_up_to_the_limit(api, province_staff, varied, household_b):
    page = api(province_staff).get(URL, {"page_size": 1}).json()
    assert (page["count"], page["count_exact"]) == (4, True)


@pytest.mark.django_db
def test_beyond_the_limit_a_wide_list_says_its_count_is_an_estimate(
    api, province_staff, varied, household_b, monkeypatch
):
    monkeypatch.setattr(households_api.LargeListPagination, "exact_limit", 1)
    client = api(province_staff)
    first = client.get(URL, {"page_size": 1})
    assert not problems(first)
    page = first.json()
    assert page["count_exact"] is False and page["count"] >= 2  # at least the rows known to exist
    assert page["next"] is not None and page["previous"] is None
    last = client.get(URL, {"page_size": 1, "page": 4}).json()  # the last page: its rows end the list
    assert (last["count"], last["count_exact"], last["next"]) == (4, True, None)
    assert client.get(URL, {"page_size": 1, "page": "last"}).json()["results"] == last["results"]
    past = client.get(URL, {"page_size": 1, "page": 5})
    assert past.status_code == 404
    assert past.json()["message"] == "Không có trang 5: danh sách có 4 trang (4 bản ghi, 1 mỗi trang)."


@pytest.mark.django_db
def test_the_access_log_records_no_estimate_as_the_count_of_what_matched(
    api, province_staff, varied, household_b, monkeypatch
):
    monkeypatch.setattr(households_api.LargeListPagination, "exact_limit", 1)
    client = api(province_staff)
    assert client.get(URL, {"page_size": 1}).json()["count_exact"] is False
    assert client.get(URL, {"page_size": 1, "page": 4}).json()["count_exact"] is True
    estimated, exact = AccessRecord.objects.order_by("id")
    assert (estimated.result_count, len(estimated.household_ids)) == (None, 1)  # its page's household, no count
    assert exact.result_count == 4


@pytest.mark.django_db
def test_pages_follow_one_another_without_overlap_or_gap(api, province_staff, varied, household_b, monkeypatch):
    monkeypatch.setattr(households_api.LargeListPagination, "exact_limit", 1)
    client = api(province_staff)
    seen, url = [], f"{URL}?page_size=1&ordering=-id"
    while url:
        page = client.get(url).json()
        seen += [item["id"] for item in page["results"]]
        url = page["next"]
    assert seen == sorted(Household.objects.values_list("id", flat=True), reverse=True)


@pytest.mark.django_db
def test_an_empty_list_has_its_first_page(api, officer_a):
    page = api(officer_a).get(URL).json()
    assert (page["count"], page["count_exact"], page["results"], page["next"]) == (0, True, [], None)
    assert api(officer_a).get(URL, {"page": 2}).status_code == 404


# --- the filters ---------------------------------------------------------------------------------------------------


def test_a_requests_filterset_holds_the_filters_its_parameters_name():
    """Building the form fields of every filter cost about 1 ms a request: a request's filterset holds only the
    filters it names (a filter without a value filters nothing); the class, which the schema reads, keeps them all."""
    filterset = households_api.household_api().filterset
    every = list(filterset.base_filters)
    assert {"commune", "status", "q", "ever_poor", "newly_escaped"} <= set(every)
    named = filterset(data={"commune": "5", "status": "poor", "page": "2", "ordering": "-id"})
    assert list(named.filters) == ["commune", "status"]
    assert list(filterset(data={}).filters) == []
    assert list(filterset(data=None).filters) == every  # unbound (the schema, the browsable API's form)
    assert list(filterset.base_filters) == every


@pytest.mark.django_db
def test_the_filters_a_request_names_are_checked_and_applied(api, officer_a, varied):
    client = api(officer_a)
    assert client.get(URL, {"status": "rich"}).status_code == 400
    assert client.get(URL, {"ever_poor": "maybe"}).status_code == 400
    poor = {item["id"] for item in client.get(URL, {"ever_poor": "true"}).json()["results"]}
    assert poor == {varied[0].pk, varied[2].pk}
    assert len(client.get(URL).json()["results"]) == 3


@pytest.mark.django_db
def test_a_communes_page_and_its_exact_count_are_read_in_one_round_trip(
    api, officer_a, varied, django_assert_num_queries
):
    client = api(officer_a)
    client.get(URL)  # the token and the scope remembered
    with django_assert_num_queries(2) as captured:  # the count with the page, the access log's record
        page = client.get(URL, {"page_size": 2, "page": 2}).json()
    statement = captured.captured_queries[0]["sql"]  # the common case (households.api_list): one statement
    assert statement.startswith('SELECT "counted"."count", "page".*') and "json_build_object(" in statement
    with django_assert_num_queries(2) as captured:  # the general path (here: an ordering): one round trip too
        ordered = client.get(URL, {"page_size": 2, "page": 2, "ordering": "id"}).json()
    assert ordered["results"] == page["results"] and ordered["count"] == page["count"]
    assert captured.captured_queries[0]["sql"].startswith("SELECT COUNT(*)")
    assert (page["count"], page["count_exact"], page["next"], len(page["results"])) == (3, True, None, 1)
    assert page["results"][0]["id"] == max(h.pk for h in varied)
    past = client.get(URL, {"page_size": 2, "page": 3})
    assert past.status_code == 404 and "3 bản ghi" in past.json()["message"]
    empty = client.get(URL, {"status": "near_poor"}).json()
    assert (empty["count"], empty["count_exact"], empty["results"]) == (0, True, [])


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["officer_a", "province_staff"])
def test_a_page_beyond_any_list_is_not_found_not_an_error(api, who, varied, request):
    """A page number whose offset PostgreSQL's OFFSET cannot take (19 digits) is past the end of any list: 404 with
    the list's size where it is counted exactly (a commune's), never a 500."""
    client = api(request.getfixturevalue(who))
    for page in ("9999999999999999999", "184467440737095516"):
        answer = client.get(URL, {"page": page, "page_size": 50})
        assert answer.status_code == 404, (who, page, answer.content[:200])
        assert answer.json()["message"].startswith(f"Không có trang {page}")
    if who == "officer_a":
        assert "3 bản ghi" in client.get(URL, {"page": "9999999999999999999"}).json()["message"]
