"""Support's API keeps the contract it publishes: every answer of intervention types, support records, follow-ups,
loans, budgets, the targeting list and the outcomes matches its operation's schema (nulls and blanks included), as
a province user and as a commune officer; query parameters are typed and bounded; enums are named in English."""

import datetime

import pytest

from support import services
from support.models import SupportFollowUp
from tests.api_errors import field_errors
from tests.response_schema import assert_matches_schema, operation, operations_under, schema_names
from tests.support.test_api import loan_of, set_status, supported

pytestmark = pytest.mark.django_db
D = datetime.date
API = "/api/v1/"
MODULE_PATHS = tuple(
    f"{API}{name}/"
    for name in ("intervention-types", "support-records", "support-follow-ups", "loans", "budgets")
    + ("support-targeting", "support-outcomes")
)


@pytest.fixture
def supports(household_a, household_b, admin_user, officer_a, chair_a, province_staff, province, commune_a):
    """A record at every step (planned: no approver, no dates; delivered with follow-ups, one checked; cancelled),
    a loan with a repayment and one without, and budgets of the province and the commune."""
    poor = set_status(household_a, (D(2022, 6, 1), "poor"), actor=admin_user)
    set_status(household_b, (D(2022, 6, 1), "poor"), actor=admin_user)
    planned = services.record_support(
        actor=officer_a,
        household_id=poor.pk,
        type_code="livestock_p3",
        date=D(2026, 3, 1),
        funding_source="central",
        amount=20_000_000,
    )
    delivered = supported(officer_a, chair_a, poor, "livestock_p3", D(2025, 3, 10))
    follow_up = SupportFollowUp.objects.filter(record=delivered).order_by("due_on").first()
    services.record_follow_up(
        actor=officer_a, follow_up_id=follow_up.pk, done_on=D(2026, 3, 20), result="achieved", note="Bò khỏe"
    )
    cancelled = supported(officer_a, chair_a, poor, "livestock_p3", D(2026, 4, 1), deliver=False)
    services.cancel_support(actor=officer_a, record_id=cancelled.pk, version=cancelled.version, reason="Hộ chuyển đi")
    loan = loan_of(officer_a, poor)
    services.record_repayment(actor=officer_a, loan_id=loan.pk, version=loan.version, date=D(2026, 5, 1), principal=1)
    loan_of(officer_a, poor, disbursed_on=D(2026, 2, 2), contract_number="")
    services.set_budget(
        actor=province_staff, area_id=province.pk, year=2026, project="P3", funding_source="central", amount=10**9
    )
    services.set_budget(
        actor=province_staff, area_id=commune_a.pk, year=2026, project="P3", funding_source="central", amount=10**8
    )
    return planned, delivered, follow_up, loan


def walk(client, supports, area):
    planned, delivered, follow_up, loan = supports
    urls = [
        f"{API}intervention-types/",
        f"{API}intervention-types/{planned.intervention_type_id}/",
        f"{API}support-records/",
        f"{API}support-records/{planned.pk}/",
        f"{API}support-records/{delivered.pk}/",
        f"{API}support-follow-ups/",
        f"{API}support-follow-ups/{follow_up.pk}/",
        f"{API}loans/",
        f"{API}loans/{loan.pk}/",
        f"{API}budgets/",
        f"{API}budgets/summary/?area={area.pk}&year=2026",
        f"{API}support-targeting/?area={area.pk}",
        f"{API}support-outcomes/?area={area.pk}&year=2025",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        assert_matches_schema(response)


def test_every_answer_of_support_matches_the_schema_for_the_province(api, province_staff, supports, province):
    walk(api(province_staff), supports, province)


def test_every_answer_of_support_matches_the_schema_for_a_commune_officer(api, officer_a, supports, commune_a):
    walk(api(officer_a), supports, commune_a)


def test_an_open_follow_up_says_null_for_its_result(api, officer_a, supports):
    rows = api(officer_a).get(f"{API}support-follow-ups/").json()["results"]
    assert {row["result"] for row in rows} == {None, "achieved"}


def test_the_walk_covers_every_read_of_support():
    reads = {path for method, path in operations_under(*MODULE_PATHS) if method == "get"}
    walked = {f"{API}{name}/" for name in ("intervention-types", "support-records", "support-follow-ups", "loans")}
    walked |= {f"{API}{name}/{{id}}/" for name in ("intervention-types", "support-records", "support-follow-ups")}
    walked |= {f"{API}loans/{{id}}/", f"{API}budgets/", f"{API}budgets/summary/"}
    walked |= {f"{API}support-targeting/", f"{API}support-outcomes/"}
    assert reads == walked


def test_the_answers_of_supports_writes_match_the_schema(api, household_a, admin_user, officer_a, chair_a):
    poor = set_status(household_a, (D(2022, 6, 1), "poor"), actor=admin_user)
    officer, chair = api(officer_a), api(chair_a)
    body = {"household": poor.pk, "type": "livestock_p3", "date": "2026-03-01", "funding_source": "central"}
    record = officer.post(f"{API}support-records/", {**body, "amount": 20_000_000}, format="json")
    assert record.status_code == 201, record.content
    assert_matches_schema(record, "post")
    approved = chair.post(
        f"{API}support-records/{record.json()['id']}/approve/",
        {"version": record.json()["version"], "approved_on": "2026-03-05"},
        format="json",
    )
    assert approved.status_code == 200, approved.content
    assert_matches_schema(approved, "post")
    delivered = officer.post(
        f"{API}support-records/{record.json()['id']}/deliver/",
        {"version": approved.json()["version"], "delivered_on": "2026-03-10"},
        format="json",
    )
    assert delivered.status_code == 200, delivered.content
    assert_matches_schema(delivered, "post")
    follow_up = delivered.json()["follow_ups"][0]
    checked = officer.post(
        f"{API}support-follow-ups/{follow_up['id']}/record/",
        {"done_on": "2026-04-01", "result": "achieved"},
        format="json",
    )
    assert checked.status_code == 200, checked.content
    assert_matches_schema(checked, "post")
    loan = officer.post(
        f"{API}loans/",
        {"household": poor.pk, "principal": 50_000_000, "term_months": 60, "disbursed_on": "2026-02-01"}
        | {"purpose": "Mua bò giống"},
        format="json",
    )
    assert loan.status_code == 201, loan.content
    assert_matches_schema(loan, "post")
    repaid = officer.post(
        f"{API}loans/{loan.json()['id']}/repayments/",
        {"version": loan.json()["version"], "date": "2026-06-01", "principal": 1_000_000},
        format="json",
    )
    assert repaid.status_code == 201, repaid.content
    assert_matches_schema(repaid, "post")


# --- typed, bounded parameters --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["552.0", "0", "-1", "abc"])
@pytest.mark.parametrize(
    "url, name",
    [
        ("support-records/", "household"),
        ("support-records/", "area"),
        ("support-follow-ups/", "household"),
        ("support-follow-ups/", "area"),
        ("loans/", "household"),
        ("loans/", "area"),
        ("budgets/", "area"),
    ],
)
def test_an_id_filter_that_is_not_a_whole_number_from_1_is_a_400_naming_it(value, url, name, api, province_staff):
    response = api(province_staff).get(f"{API}{url}", {name: value})
    assert response.status_code == 400, response.content
    assert name in field_errors(response)


@pytest.mark.parametrize("value", ["0.5", "2026.0", "0", "2015", "abc"])
@pytest.mark.parametrize("url", ["support-records/", "budgets/"])
def test_a_year_that_is_not_a_year_of_the_program_is_a_400_naming_it(value, url, api, province_staff):
    response = api(province_staff).get(f"{API}{url}", {"year": value})
    assert response.status_code == 400, response.content
    assert "year" in field_errors(response)


@pytest.mark.parametrize("value", ["yes", "1", "True"])
@pytest.mark.parametrize("url, name", [("loans/", "overdue"), ("support-follow-ups/", "open")])
def test_a_flag_other_than_true_or_false_is_a_400_naming_it(value, url, name, api, province_staff):
    response = api(province_staff).get(f"{API}{url}", {name: value})
    assert response.status_code == 400, response.content
    assert name in field_errors(response)


def test_a_valid_id_year_and_flag_still_filter(api, province_staff, supports, household_a):
    client = api(province_staff)

    def count(url, **query):
        return client.get(f"{API}{url}", query).json()["count"]

    assert count("support-records/", household=household_a.pk) == 5  # three supports, two loans
    assert count("support-records/", year=2025) == 1
    assert count("loans/", overdue="false") == 2 and count("loans/", overdue="true") == 0
    assert count("support-follow-ups/", open="false") == 1
    assert count("intervention-types/", active="true") > 0


def test_the_filters_are_typed_in_the_schema():
    for path, name in [("support-records/", "household"), ("loans/", "area"), ("budgets/", "area")]:
        parameters = {p["name"]: p for p in operation(f"{API}{path}")["parameters"]}
        assert parameters[name]["schema"]["type"] == "integer" and parameters[name]["schema"]["minimum"] == 1
        assert parameters[name].get("description")
    for path, name in [("loans/", "overdue"), ("support-follow-ups/", "open"), ("intervention-types/", "active")]:
        parameters = {p["name"]: p for p in operation(f"{API}{path}")["parameters"]}
        assert parameters[name]["schema"] == {"type": "boolean"}, (path, name)
    year = {p["name"]: p for p in operation(f"{API}support-records/")["parameters"]}["year"]["schema"]
    assert year["type"] == "integer" and year["minimum"] == 2016 and year["maximum"] <= D.today().year + 1


# --- names and examples -------------------------------------------------------------------------------------------


def test_supports_operations_use_components_with_english_names():
    names = set()
    for method, path in operations_under(*MODULE_PATHS):
        names |= schema_names(operation(path, method))
    assert names
    assert all(name.isascii() and name.isidentifier() for name in names), sorted(names)
    assert {"FundingSourceEnum", "ProjectEnum", "SupportKindEnum"} <= names


def test_the_main_operations_of_support_carry_examples_and_say_what_they_do():
    for path in ("support-records/", "loans/", "loans/{id}/repayments/"):
        created = operation(f"{API}{path}", "post")
        assert created["requestBody"]["content"]["application/json"].get("examples"), path
        assert created.get("description"), path
    assert "điều kiện" in operation(f"{API}support-records/", "post")["description"]
