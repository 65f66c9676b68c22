"""The REST API of support (domain A8, Part B §5) as officers, chairs and planners use it.

Through the API the services use the real today (22/11/2026 or later): every date sent is in the past, and the
dates that must be in the future are computed from today.
"""

import datetime
import io

import openpyxl
import pytest
from django.utils import timezone

from households.models import Area, AuditEntry, Household
from programs.standards import services as program_services
from support import services
from support.models import BudgetAllocation, Loan, SupportFollowUp, SupportRecord
from tests.api_errors import field_errors
from tests.conftest import PERSONAS
from tests.programs.review_helpers import GOOD_HOUSE, NOTHING_DEPRIVED, insure
from tests.support.helpers import amount_for

pytestmark = pytest.mark.django_db
D = datetime.date
API = "/api/v1/"
RECORDS = f"{API}support-records/"
FOLLOW_UPS = f"{API}support-follow-ups/"
LOANS = f"{API}loans/"
BUDGETS = f"{API}budgets/"
SUMMARY = f"{BUDGETS}summary/"
TARGETING = f"{API}support-targeting/"
OUTCOMES = f"{API}support-outcomes/"
BAD_HOUSE = {**GOOD_HOUSE, "foundation_frame_durable": False, "walls_durable": False}
MISSING = object()


def later(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def set_status(household: Household, *changes: tuple[datetime.date, str], actor=None) -> Household:
    for day, to_status in changes:
        program_services.record_status_change(
            actor=actor, household_id=household.pk, to_status=to_status, effective_date=day, decision_number="7/QĐ"
        )
    household.refresh_from_db()
    return household


def surveyed(household: Household, actor, dwelling: dict) -> Household:
    """A current survey of the 2026 review: deprived in housing quality with BAD_HOUSE, in nothing with GOOD_HOUSE."""
    insure(household)
    program_services.record_assessment(
        actor=actor,
        household_id=household.pk,
        survey_date=D(2026, 10, 1),
        review_year=2026,
        standard_code="VN-2027",
        income_per_capita=5_000_000,
        dwelling=dwelling,
        member_extras={m.pk: {"stunted": False, "underweight": False} for m in household.members.all()},
        answers=NOTHING_DEPRIVED,
    )
    return household


def supported(officer, approver, household, code, day, *, deliver=True, **extra) -> SupportRecord:
    """A support recorded by the officer, approved by another and (unless told) delivered, all on `day`."""
    record = services.record_support(
        actor=officer,
        household_id=household.pk,
        type_code=code,
        date=day,
        funding_source=extra.pop("funding_source", "central"),
        amount=extra.pop("amount", amount_for(code)),
        **extra,
    )
    record = services.approve_support(actor=approver, record_id=record.pk, version=record.version, day=day)
    if deliver:
        record = services.deliver_support(actor=officer, record_id=record.pk, version=record.version, delivered_on=day)
    return record


def loan_of(officer, household, **extra) -> Loan:
    data = {"principal": 50_000_000, "term_months": 240, "disbursed_on": D(2026, 2, 1), "purpose": "Mua bò giống"}
    return services.record_loan(actor=officer, household_id=household.pk, **{**data, **extra})


@pytest.fixture
def poor_a(household_a, admin_user) -> Household:
    return set_status(household_a, (D(2022, 6, 1), "poor"), actor=admin_user)


@pytest.fixture
def poor_b(household_b, admin_user) -> Household:
    return set_status(household_b, (D(2022, 6, 1), "poor"), actor=admin_user)


@pytest.fixture
def planned(poor_a, officer_a) -> SupportRecord:
    return services.record_support(
        actor=officer_a,
        household_id=poor_a.pk,
        type_code="livestock_p3",
        date=D(2026, 3, 1),
        funding_source="central",
        amount=20_000_000,
    )


@pytest.fixture
def approved(planned, chair_a) -> SupportRecord:
    return services.approve_support(actor=chair_a, record_id=planned.pk, version=planned.version, day=D(2026, 3, 5))


@pytest.fixture
def delivered(poor_a, officer_a, chair_a) -> SupportRecord:
    return supported(officer_a, chair_a, poor_a, "livestock_p3", D(2026, 3, 10))


@pytest.fixture
def loan_a(poor_a, officer_a) -> Loan:
    return loan_of(officer_a, poor_a)


def post(client, url: str, body: dict):
    return client.post(url, {k: v for k, v in body.items() if v is not MISSING}, format="json")


# --- a support's life through the API --------------------------------------------------------------------


def test_a_support_is_recorded_approved_by_the_chair_delivered_and_followed_up(api, poor_a, officer_a, chair_a):
    officer, chair = api(officer_a), api(chair_a)
    body = {
        "household": poor_a.pk,
        "type": "livestock_p3",
        "date": "2026-03-01",
        "funding_source": "central",
        "amount": 25_000_000,
        "cofinancing": 5_000_000,
        "note": "Hai con bò giống",
    }
    assert post(chair, RECORDS, body).status_code == 403  # the chair approves, she does not record
    created = post(officer, RECORDS, body)
    assert created.status_code == 201, created.content
    record = created.json()
    assert (record["status"], record["version"], record["type"], record["project"]) == (
        "planned",
        1,
        "livestock_p3",
        "P3",
    )
    assert (record["amount"], record["cofinancing"], record["eligibility"]) == (25_000_000, 5_000_000, ["hộ nghèo"])
    assert (record["household"]["code"], record["loan"], record["follow_ups"]) == (poor_a.code, None, [])
    url = f"{RECORDS}{record['id']}/"

    assert post(officer, f"{url}approve/", {"version": 1}).status_code == 403  # the officer does not approve
    approved = post(chair, f"{url}approve/", {"version": 1, "approved_on": "2026-03-05"})
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved"
    assert (approved.json()["approved_by"], approved.json()["approved_on"]) == ("chutich_a", "2026-03-05")

    assert post(chair, f"{url}deliver/", {"version": 2, "delivered_on": "2026-03-10"}).status_code == 403
    done = post(officer, f"{url}deliver/", {"version": 2, "delivered_on": "2026-03-10", "note": "Đã giao"})
    assert done.status_code == 200, done.content
    record = done.json()
    assert (record["status"], record["delivered_on"], record["version"]) == ("delivered", "2026-03-10", 3)
    checks = [(f["code"], f["due_on"], f["open"], f["overdue"]) for f in record["follow_ups"]]
    year_on = D(2027, 3, 10) < timezone.localdate()  # overdue once its day has passed
    assert checks == [("alive_6m", "2026-09-10", True, True), ("alive_12m", "2027-03-10", True, year_on)]

    listed = officer.get(FOLLOW_UPS, {"area": poor_a.commune_id, "open": "true", "due_before": "2026-12-01"})
    assert [f["code"] for f in listed.json()["results"]] == ["alive_6m"]
    six_months = listed.json()["results"][0]
    assert (six_months["household"]["id"], six_months["delivered_on"]) == (poor_a.pk, "2026-03-10")
    checked = post(officer, f"{FOLLOW_UPS}{six_months['id']}/record/", {"done_on": "2026-09-15", "result": "achieved"})
    assert checked.status_code == 200, checked.content
    assert (checked.json()["result"], checked.json()["open"], checked.json()["checked_by"]) == (
        "achieved",
        False,
        "canbo_a",
    )
    still_open = officer.get(FOLLOW_UPS, {"open": "true"}).json()["results"]
    assert [f["code"] for f in still_open] == ["alive_12m"]
    assert [f["code"] for f in officer.get(FOLLOW_UPS, {"open": "false"}).json()["results"]] == ["alive_6m"]

    actions = set(AuditEntry.objects.filter(object_id=str(record["id"])).values_list("action", flat=True))
    assert {"support.record.created", "support.record.approved", "support.record.delivered"} <= actions
    assert "support.follow_up.recorded" in actions


def test_a_cancelled_support_keeps_its_reason_and_cannot_move_again(api, approved, officer_a):
    client = api(officer_a)
    url = f"{RECORDS}{approved.pk}/"
    body = {"version": approved.version, "reason": "Hộ chuyển đi nơi khác", "cancelled_on": "2026-03-20"}
    cancelled = post(client, f"{url}cancel/", body)
    assert cancelled.status_code == 200, cancelled.content
    record = cancelled.json()
    assert (record["status"], record["cancel_reason"], record["cancelled_on"]) == (
        "cancelled",
        "Hộ chuyển đi nơi khác",
        "2026-03-20",
    )
    again = post(client, f"{url}deliver/", {"version": cancelled.json()["version"], "delivered_on": "2026-03-10"})
    assert again.status_code == 400 and again.json()["code"] == "forbidden_move" and "status" in field_errors(again)


def test_an_ineligible_household_is_refused_naming_the_rule_unless_a_district_officer_overrides(
    api, household_a, officer_a, district_staff
):
    body = {
        "household": household_a.pk,
        "type": "livestock_p3",
        "date": "2026-03-01",
        "funding_source": "local",
        "amount": 20_000_000,
    }
    refused = post(api(officer_a), RECORDS, body)
    assert refused.status_code == 400 and refused.json()["code"] == "not_eligible"
    assert "hộ không nghèo" in field_errors(refused)["household"][0]
    reason = {**body, "override_reason": "Hộ bị lũ cuốn trôi chuồng trại."}
    assert post(api(officer_a), RECORDS, reason).json()["code"] == "no_override_right"
    kept = post(api(district_staff), RECORDS, reason)
    assert kept.status_code == 201, kept.content
    assert kept.json()["override_reason"] == "Hộ bị lũ cuốn trôi chuồng trại."
    assert kept.json()["eligibility"][0].startswith("ngày 01/03/2026 hộ là hộ không nghèo")


def test_the_record_list_filters(api, poor_a, poor_b, officer_a, chair_a, officer_b, province_staff):
    cow = supported(officer_a, chair_a, poor_a, "livestock_p3", D(2026, 3, 10))
    course = supported(officer_a, chair_a, poor_a, "training_p4", D(2025, 5, 2), funding_source="local", deliver=False)
    seeds = supported(officer_b, province_staff, poor_b, "seeds_tools_p3", D(2026, 4, 1))
    client = api(province_staff)

    def ids(**query) -> list[int]:
        response = client.get(RECORDS, query)
        assert response.status_code == 200, response.content
        return [r["id"] for r in response.json()["results"]]

    assert ids() == [seeds.pk, cow.pk, course.pk]  # newest first
    assert ids(area=poor_a.commune_id) == ids(household=poor_a.pk) == [cow.pk, course.pk]
    assert ids(area=poor_a.province_id) == [seeds.pk, cow.pk, course.pk]
    assert ids(type="training_p4") == ids(project="P4") == ids(kind="training") == [course.pk]
    assert ids(status="approved") == ids(funding_source="local") == ids(year=2025) == [course.pk]
    assert ids(date_from="2026-03-10", date_to="2026-03-31") == [cow.pk]
    assert ids(ordering="date") == [course.pk, cow.pk, seeds.pk]
    assert [r["id"] for r in api(officer_a).get(RECORDS).json()["results"]] == [cow.pk, course.pk]


@pytest.mark.parametrize(
    "query,field",
    [
        ({"household": "abc"}, "household"),
        ({"household": "1.5"}, "household"),
        ({"household": str(10**30)}, "household"),
        ({"area": 999_999_999}, "area"),
        ({"type": "castle"}, "type"),
        ({"project": "P9"}, "project"),
        ({"kind": "castle"}, "kind"),
        ({"status": "done"}, "status"),
        ({"funding_source": "lottery"}, "funding_source"),
        ({"year": "2026.5"}, "year"),
        ({"date_from": "2026-02-30"}, "date_from"),
        ({"date_to": "hôm qua"}, "date_to"),
    ],
)
def test_a_bad_record_filter_is_a_400_naming_it(query, field, api, officer_a, planned):
    response = api(officer_a).get(RECORDS, query)
    assert response.status_code == 400, response.content
    assert field in field_errors(response), response.json()


@pytest.mark.parametrize(
    "url,query,field",
    [
        (FOLLOW_UPS, {"open": "maybe"}, "open"),
        (FOLLOW_UPS, {"due_before": "x"}, "due_before"),
        (FOLLOW_UPS, {"area": "abc"}, "area"),
        (LOANS, {"overdue": "maybe"}, "overdue"),
        (LOANS, {"type": "castle"}, "type"),
        (LOANS, {"household": "-1"}, "household"),
        (BUDGETS, {"year": "x"}, "year"),
        (BUDGETS, {"area": 999_999_999}, "area"),
        (BUDGETS, {"project": "P9"}, "project"),
        (f"{API}intervention-types/", {"active": "maybe"}, "active"),
        (f"{API}intervention-types/", {"kind": "castle"}, "kind"),
    ],
)
def test_a_bad_filter_of_the_other_lists_is_a_400_naming_it(url, query, field, api, province_staff):
    response = api(province_staff).get(url, query)
    assert response.status_code == 400, response.content
    assert field in field_errors(response), response.json()


def test_the_intervention_types_are_read_only_and_filtered(api, chair_a):
    client = api(chair_a)
    housing = client.get(f"{API}intervention-types/", {"project": "P5"}).json()["results"]
    assert [(t["code"], t["default_amount"]) for t in housing] == [
        ("housing_new_p5", 40_000_000),
        ("housing_repair_p5", 20_000_000),
    ]
    assert housing[0]["poor_district_only"] and housing[0]["limit"] == "once" and housing[0]["legal_source"]
    credit = client.get(f"{API}intervention-types/", {"kind": "credit", "active": "true"}).json()["results"]
    assert {t["code"]: t["annual_rate_bp"] for t in credit}["credit_near_poor"] == 792
    assert client.get(f"{API}intervention-types/", {"active": "false"}).json()["count"] == 0
    assert client.get(f"{API}intervention-types/{housing[0]['id']}/").json()["code"] == "housing_new_p5"
    refused = client.post(f"{API}intervention-types/", {"code": "x"}, format="json")  # read-only: 405 (issue 12)
    assert (refused.status_code, refused["Allow"]) == (405, "GET, HEAD, OPTIONS")


# --- bad input to every write ----------------------------------------------------------------------------

RECORD = {"type": "livestock_p3", "date": "2026-03-01", "funding_source": "central", "amount": 20_000_000}
BAD_RECORDS = [
    ({"household": "abc"}, "household"),
    ({"household": 10**20}, "household"),
    ({"household": MISSING}, "household"),
    ({"type": "castle"}, "type"),
    ({"type": "credit_poor"}, "type"),  # a loan is recorded with its terms
    ({"type": "x" * 41}, "type"),
    ({"date": "2026-02-30"}, "date"),
    ({"date": "01/03/2026"}, "date"),
    ({"date": "1999-12-31"}, "date"),
    ({"date": "FAR"}, "date"),
    ({"date": MISSING}, "date"),
    ({"funding_source": "lottery"}, "funding_source"),
    ({"quantity": 0}, "quantity"),
    ({"quantity": "two"}, "quantity"),
    ({"amount": -1}, "amount"),
    ({"amount": 10**13}, "amount"),
    ({"amount": 10**30}, "amount"),
    ({"amount": "1.5"}, "amount"),
    ({"amount": 10, "cofinancing": 11}, "cofinancing"),
    ({"cofinancing": -5}, "cofinancing"),
    ({"amount": None}, "amount"),  # a type without a default amount needs one
]


@pytest.mark.parametrize("change,field", BAD_RECORDS)
def test_a_bad_support_record_is_a_400_naming_the_field(change, field, api, poor_a, officer_a):
    change = {k: later(400) if v == "FAR" else v for k, v in change.items()}
    response = post(api(officer_a), RECORDS, {"household": poor_a.pk, **RECORD, **change})
    assert response.status_code == 400, response.content
    assert field in field_errors(response), response.json()
    assert not SupportRecord.objects.exists()


def test_an_unknown_or_out_of_scope_household_is_a_404(api, poor_a, poor_b, officer_a):
    for household in (poor_b.pk, 999_999_999):
        response = post(api(officer_a), RECORDS, {"household": household, **RECORD})
        assert response.status_code == 404 and "household" in field_errors(response)
    assert not SupportRecord.objects.exists()


BAD_MOVES = [
    ("approve", "chair_a", {"version": "x"}, "version"),
    ("approve", "chair_a", {"version": 0}, "version"),
    ("approve", "chair_a", {"version": MISSING}, "version"),
    ("approve", "chair_a", {"approved_on": "2026-13-01"}, "approved_on"),
    ("approve", "chair_a", {"approved_on": "TOMORROW"}, "approved_on"),
    ("approve", "officer_a", {}, None),  # 403: no right, no field at fault
    ("deliver", "officer_a", {"delivered_on": "2026-03-10"}, "status"),  # not approved yet
    ("deliver", "officer_a", {"delivered_on": MISSING}, "delivered_on"),
    ("cancel", "officer_a", {"reason": MISSING}, "reason"),
    ("cancel", "officer_a", {"reason": "   "}, "reason"),
    ("cancel", "officer_a", {"reason": "Ghi nhầm", "cancelled_on": "TOMORROW"}, "cancelled_on"),
    ("cancel", "officer_a", {"reason": "Ghi nhầm", "cancelled_on": "20/03/2026"}, "cancelled_on"),
]


@pytest.mark.parametrize(
    "name,who,change,field", BAD_MOVES, ids=[f"{m[0]}-{m[3]}-{i}" for i, m in enumerate(BAD_MOVES)]
)
def test_a_bad_move_is_refused_naming_the_field(name, who, change, field, api, persona, planned):
    change = {k: later(1) if v == "TOMORROW" else v for k, v in change.items()}
    response = post(api(persona(who)), f"{RECORDS}{planned.pk}/{name}/", {"version": planned.version, **change})
    assert response.status_code in (400, 403), response.content
    if field is None:
        assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    else:
        assert field in field_errors(response), response.json()
    unchanged = SupportRecord.objects.get(pk=planned.pk)
    assert (unchanged.status, unchanged.version) == ("planned", 1)


def test_the_recorder_cannot_approve_her_own_support(api, poor_a, admin_user):
    record = services.record_support(
        actor=admin_user,
        household_id=poor_a.pk,
        type_code="livestock_p3",
        date=D(2026, 3, 1),
        funding_source="local",
        amount=20_000_000,
    )
    response = post(api(admin_user), f"{RECORDS}{record.pk}/approve/", {"version": 1})
    assert response.status_code == 400 and response.json()["code"] == "own_record" and "actor" in field_errors(response)


@pytest.mark.parametrize(
    "change,field",
    [({"delivered_on": "2026-03-04"}, "delivered_on"), ({"delivered_on": "TOMORROW"}, "delivered_on")],
)
def test_a_delivery_before_the_approval_or_in_the_future_is_refused(change, field, api, approved, officer_a):
    change = {k: later(1) if v == "TOMORROW" else v for k, v in change.items()}
    response = post(api(officer_a), f"{RECORDS}{approved.pk}/deliver/", {"version": approved.version, **change})
    assert response.status_code == 400 and field in field_errors(response), response.content


def test_a_stale_version_is_a_409_and_changes_nothing(api, approved, officer_a, chair_a):
    stale = approved.version - 1
    response = post(
        api(officer_a), f"{RECORDS}{approved.pk}/deliver/", {"version": stale, "delivered_on": "2026-03-10"}
    )
    assert response.status_code == 409 and response.json()["code"] == "stale_version", response.content
    cancel = post(api(officer_a), f"{RECORDS}{approved.pk}/cancel/", {"version": stale, "reason": "Nhầm"})
    assert cancel.status_code == 409
    assert SupportRecord.objects.get(pk=approved.pk).status == "approved"


@pytest.mark.parametrize(
    "change,field",
    [
        ({"result": "maybe"}, "result"),
        ({"result": MISSING}, "result"),
        ({"done_on": "TOMORROW"}, "done_on"),
        ({"done_on": "2026-03-09"}, "done_on"),  # before the delivery
        ({"done_on": "31/12/2026"}, "done_on"),
        ({"result": "not_achieved"}, "note"),  # why not, in writing
    ],
)
def test_a_bad_follow_up_result_is_a_400_naming_the_field(change, field, api, delivered, officer_a):
    follow_up = delivered.follow_ups.order_by("due_on").first()
    change = {k: later(1) if v == "TOMORROW" else v for k, v in change.items()}
    response = post(
        api(officer_a), f"{FOLLOW_UPS}{follow_up.pk}/record/", {"done_on": "2026-09-15", "result": "achieved", **change}
    )
    assert response.status_code == 400, response.content
    assert field in field_errors(response), response.json()
    assert SupportFollowUp.objects.get(pk=follow_up.pk).done_on is None


# --- loans -----------------------------------------------------------------------------------------------


def test_a_loans_rate_follows_the_household_status_at_disbursement(api, poor_a, household_b, admin_user, officer_b):
    client = api(admin_user)
    body = {"principal": 50_000_000, "term_months": 240, "disbursed_on": "2026-02-01", "purpose": "Mua bò giống"}
    poor = post(client, LOANS, {"household": poor_a.pk, **body})
    assert poor.status_code == 201, poor.content
    loan = poor.json()
    assert (loan["type"], loan["annual_rate_bp"], loan["annual_rate_percent"], loan["overdue_rate_bp"]) == (
        "credit_poor",
        660,
        6.6,
        858,  # 130% of 6.60%
    )
    assert (loan["balance"], loan["repaid"], loan["overdue"], loan["maturity_on"]) == (
        50_000_000,
        0,
        False,
        "2046-02-01",
    )
    record = client.get(f"{RECORDS}{loan['record']}/").json()
    assert (record["status"], record["loan"], record["funding_source"]) == ("delivered", loan["id"], "policy_bank")

    near_poor = set_status(household_b, (D(2024, 1, 15), "near_poor"), actor=admin_user)
    assert post(client, LOANS, {"household": near_poor.pk, **body}).json()["annual_rate_bp"] == 792
    escaped = set_status(near_poor, (D(2025, 6, 1), "not_poor"), actor=admin_user)
    too_long = post(client, LOANS, {"household": escaped.pk, **body})  # newly escaped: at most 5 years
    assert too_long.status_code == 400 and "term_months" in field_errors(too_long)
    five_years = post(api(officer_b), LOANS, {"household": escaped.pk, **body, "term_months": 60})
    assert (five_years.json()["type"], five_years.json()["annual_rate_bp"]) == ("credit_newly_escaped", 825)
    housing = post(client, LOANS, {"household": poor_a.pk, **body, "type": "credit_housing", "annual_rate_bp": 250})
    assert (housing.json()["type"], housing.json()["annual_rate_percent"]) == ("credit_housing", 2.5)


def test_repayments_lower_the_balance_and_an_overpayment_is_refused(api, loan_a, officer_a):
    client = api(officer_a)
    url = f"{LOANS}{loan_a.pk}/repayments/"
    paid = post(client, url, {"version": 1, "date": "2026-05-01", "principal": 10_000_000, "interest": 1_100_000})
    assert paid.status_code == 201, paid.content
    loan = paid.json()
    assert (loan["repaid"], loan["balance"], loan["version"]) == (10_000_000, 40_000_000, 2)
    assert [(r["date"], r["principal"], r["interest"]) for r in loan["repayments"]] == [
        ("2026-05-01", 10_000_000, 1_100_000)
    ]
    over = post(client, url, {"version": 2, "date": "2026-06-01", "principal": 40_000_001})
    assert over.status_code == 400 and over.json()["code"] == "over_balance" and "principal" in field_errors(over)
    stale = post(client, url, {"version": 1, "date": "2026-06-01", "principal": 1_000_000})
    assert stale.status_code == 409
    rest = post(client, url, {"version": 2, "date": "2026-06-01", "principal": 40_000_000})
    assert (rest.json()["balance"], len(rest.json()["repayments"])) == (0, 2)
    assert Loan.objects.get(pk=loan_a.pk).repaid == 50_000_000


def test_a_loan_past_its_maturity_with_a_balance_is_overdue(api, poor_a, officer_a, loan_a):
    short = loan_of(officer_a, poor_a, term_months=12, disbursed_on=D(2025, 1, 10))
    paid_off = loan_of(officer_a, poor_a, term_months=6, disbursed_on=D(2025, 1, 10), principal=1_000_000)
    services.record_repayment(actor=officer_a, loan_id=paid_off.pk, version=1, date=D(2025, 7, 1), principal=1_000_000)
    client = api(officer_a)
    assert client.get(f"{LOANS}{short.pk}/").json()["overdue"] is True
    assert [loan["id"] for loan in client.get(LOANS, {"overdue": "true"}).json()["results"]] == [short.pk]
    not_overdue = client.get(LOANS, {"overdue": "false"}).json()["results"]
    assert sorted(loan["id"] for loan in not_overdue) == sorted([loan_a.pk, paid_off.pk])
    assert client.get(LOANS, {"type": "credit_poor", "household": poor_a.pk}).json()["count"] == 3
    assert client.get(LOANS, {"type": "credit_housing"}).json()["count"] == 0


LOAN = {"principal": 50_000_000, "term_months": 24, "disbursed_on": "2026-02-01", "purpose": "Mua bò giống"}
BAD_LOANS = [
    ({"household": "x"}, "household"),
    ({"principal": 0}, "principal"),
    ({"principal": -5}, "principal"),
    ({"principal": 10**11}, "principal"),
    ({"principal": MISSING}, "principal"),
    ({"term_months": 0}, "term_months"),
    ({"term_months": 361}, "term_months"),
    ({"annual_rate_bp": 10_001}, "annual_rate_bp"),
    ({"annual_rate_bp": -1}, "annual_rate_bp"),
    ({"purpose": " "}, "purpose"),
    ({"type": "livestock_p3"}, "type"),
    ({"type": "castle"}, "type"),
    ({"disbursed_on": "TOMORROW"}, "disbursed_on"),
    ({"disbursed_on": "2026-02-29"}, "disbursed_on"),
]


@pytest.mark.parametrize("change,field", BAD_LOANS)
def test_a_bad_loan_is_a_400_naming_the_field(change, field, api, poor_a, officer_a):
    change = {k: later(1) if v == "TOMORROW" else v for k, v in change.items()}
    response = post(api(officer_a), LOANS, {"household": poor_a.pk, **LOAN, **change})
    assert response.status_code == 400, response.content
    assert field in field_errors(response), response.json()
    assert not Loan.objects.exists() and not SupportRecord.objects.exists()


def test_a_loan_without_a_type_for_a_household_off_the_lists_names_the_type(api, household_a, officer_a):
    response = post(api(officer_a), LOANS, {"household": household_a.pk, **LOAN})
    assert (response.status_code, response.json()["code"]) == (400, "not_eligible") and "type" in field_errors(response)


@pytest.mark.parametrize(
    "change,field",
    [
        ({"principal": 0, "interest": 0}, "principal"),
        ({"principal": -1}, "principal"),
        ({"interest": -1}, "interest"),
        ({"date": "2026-01-31"}, "date"),  # before the disbursement
        ({"date": "TOMORROW"}, "date"),
        ({"version": MISSING}, "version"),
    ],
)
def test_a_bad_repayment_is_a_400_naming_the_field(change, field, api, loan_a, officer_a):
    change = {k: later(1) if v == "TOMORROW" else v for k, v in change.items()}
    body = {"version": 1, "date": "2026-05-01", "principal": 1_000_000, **change}
    response = post(api(officer_a), f"{LOANS}{loan_a.pk}/repayments/", body)
    assert response.status_code == 400, response.content
    assert field in field_errors(response), response.json()
    assert Loan.objects.get(pk=loan_a.pk).repaid == 0


# --- budgets ---------------------------------------------------------------------------------------------


def budget(area: Area, amount: int, **extra) -> dict:
    return {"area": area.pk, "year": 2026, "project": "P3", "funding_source": "central", "amount": amount, **extra}


def test_budget_lines_must_add_up_from_the_commune_to_the_province(
    api, province, district, commune_a, commune_b, province_staff, district_staff, officer_a
):
    by_province, by_district = api(province_staff), api(district_staff)
    envelope = post(by_province, BUDGETS, budget(province, 1_000_000_000, decision="12/QĐ-UBND"))
    assert envelope.status_code == 201, envelope.content
    assert (envelope.json()["amount"], envelope.json()["version"], envelope.json()["area"]["id"]) == (
        1_000_000_000,
        1,
        province.pk,
    )
    assert post(by_district, BUDGETS, budget(district, 400_000_000)).status_code == 201
    assert post(by_district, BUDGETS, budget(commune_a, 300_000_000)).status_code == 201
    overwrite = post(by_province, BUDGETS, budget(commune_a, 5))  # no version: adds a line, never overwrites one
    assert overwrite.status_code == 400 and overwrite.json()["code"] == "exists" and "amount" in field_errors(overwrite)
    over_district = post(by_district, BUDGETS, budget(commune_a, 500_000_000, version=1))
    assert over_district.status_code == 400 and over_district.json()["code"] == "does_not_add_up"
    assert "amount" in field_errors(over_district)
    over_province = post(by_province, BUDGETS, budget(commune_b, 700_000_000))
    assert over_province.status_code == 400 and "amount" in field_errors(over_province)
    below_the_parts = post(by_district, BUDGETS, budget(district, 200_000_000, version=1))
    assert below_the_parts.status_code == 400 and "amount" in field_errors(below_the_parts)
    raised = post(by_province, BUDGETS, budget(province, 1_200_000_000, version=1))
    assert raised.status_code == 200 and raised.json()["version"] == 2, raised.content
    assert post(by_province, BUDGETS, budget(province, 1_300_000_000, version=1)).status_code == 409
    assert post(by_province, BUDGETS, budget(commune_b, 700_000_000)).status_code == 201
    assert post(by_district, BUDGETS, budget(province, 2_000_000_000)).status_code == 400  # above her area
    assert post(api(officer_a), BUDGETS, budget(commune_a, 1)).status_code == 403
    amounts = dict(BudgetAllocation.objects.values_list("area_id", "amount"))
    assert amounts == {
        province.pk: 1_200_000_000,
        district.pk: 400_000_000,
        commune_a.pk: 300_000_000,
        commune_b.pk: 700_000_000,
    }

    seen = api(officer_a).get(BUDGETS, {"year": 2026}).json()["results"]  # hers and the envelopes above it
    assert sorted(line["area"]["id"] for line in seen) == sorted([province.pk, district.pk, commune_a.pk])
    assert api(province_staff).get(BUDGETS, {"area": district.pk}).json()["count"] == 2


@pytest.mark.parametrize(
    "change,field",
    [
        ({"amount": -1}, "amount"),
        ({"amount": 10**16}, "amount"),
        ({"amount": "many"}, "amount"),
        ({"year": 2019}, "year"),
        ({"year": "2026a"}, "year"),
        ({"project": "P9"}, "project"),
        ({"funding_source": "lottery"}, "funding_source"),
        ({"area": "x"}, "area"),
        ({"area": 999_999_999}, "area"),
        ({"area": "VILLAGE"}, "area"),
        ({"version": 0}, "version"),
        ({"decision": "x" * 121}, "decision"),
    ],
)
def test_a_bad_budget_is_a_400_naming_the_field(change, field, api, province, village_a, province_staff):
    change = {k: village_a.pk if v == "VILLAGE" else v for k, v in change.items()}
    response = post(api(province_staff), BUDGETS, {**budget(province, 1_000_000), **change})
    assert response.status_code == 400, response.content
    assert field in field_errors(response), response.json()
    assert not BudgetAllocation.objects.exists()


def test_the_budget_summary_equals_the_sums_of_allocations_and_supports(
    api, province, district, commune_a, poor_a, officer_a, chair_a, province_staff, district_staff
):
    for area, amount in ((province, 1_000_000_000), (district, 400_000_000), (commune_a, 300_000_000)):
        services.set_budget(
            actor=province_staff, area_id=area.pk, year=2026, project="P3", funding_source="central", amount=amount
        )
    day = D(2026, 3, 10)
    supported(officer_a, chair_a, poor_a, "livestock_p3", day, amount=25_000_000, cofinancing=5_000_000)
    supported(officer_a, chair_a, poor_a, "livestock_p3", day, amount=10_000_000, deliver=False)
    supported(officer_a, chair_a, poor_a, "seeds_tools_p3", day, amount=7_000_000, funding_source="local")
    dropped = supported(officer_a, chair_a, poor_a, "livestock_p3", day, amount=3_000_000)
    services.cancel_support(actor=officer_a, record_id=dropped.pk, version=dropped.version, reason="Ghi nhầm")
    supported(officer_a, chair_a, poor_a, "livestock_p3", D(2025, 6, 1), amount=99_000_000)  # another year

    records = list(SupportRecord.objects.filter(date__year=2026).exclude(status="cancelled"))

    def share(source: str, delivered: bool) -> int:
        return sum(
            r.amount - r.cofinancing
            for r in records
            if r.funding_source == source and (r.status == "delivered") is delivered
        )

    response = api(officer_a).get(SUMMARY, {"area": commune_a.pk, "year": 2026})
    assert response.status_code == 200, response.content
    body = response.json()
    lines = {(line["project"], line["funding_source"]): line for line in body["lines"]}
    central, local = lines[("P3", "central")], lines[("P3", "local")]
    assert (central["allocated"], central["distributed"]) == (300_000_000, 0)
    assert (central["delivered"], central["committed"]) == (share("central", True), share("central", False))
    assert (central["delivered"], central["committed"], central["cofinancing"]) == (20_000_000, 10_000_000, 5_000_000)
    assert central["remaining"] == 300_000_000 - 20_000_000 - 10_000_000
    assert (local["allocated"], local["delivered"]) == (0, share("local", True))
    assert body["totals"]["delivered"] == share("central", True) + share("local", True) == 27_000_000
    assert body["totals"]["allocated"] == 300_000_000
    assert body["communes"] == [
        {
            "area": commune_a.pk,
            "code": commune_a.code,
            "name": commune_a.name,
            "allocated": 300_000_000,
            "delivered": 27_000_000,
        }
    ]
    assert (body["area"]["id"], body["year"]) == (commune_a.pk, 2026)

    whole = api(province_staff).get(SUMMARY, {"area": province.pk, "year": 2026}).json()
    top = {(line["project"], line["funding_source"]): line for line in whole["lines"]}[("P3", "central")]
    assert (top["allocated"], top["distributed"], top["delivered"]) == (1_000_000_000, 400_000_000, 20_000_000)
    by_commune = {row["area"]: row for row in whole["communes"]}
    assert by_commune[commune_a.pk]["delivered"] == 27_000_000
    assert sum(row["allocated"] for row in whole["communes"]) == 300_000_000
    assert api(district_staff).get(SUMMARY, {"area": province.pk, "year": 2026}).status_code == 400  # above her


@pytest.mark.parametrize(
    "query,field",
    [
        ({"year": 2026}, "area"),
        ({"area": "x", "year": 2026}, "area"),
        ({"area": "A"}, "year"),
        ({"area": "A", "year": "x"}, "year"),
    ],
)
def test_a_bad_summary_query_is_a_400_naming_the_field(query, field, api, officer_a, commune_a):
    query = {k: commune_a.pk if v == "A" else v for k, v in query.items()}
    response = api(officer_a).get(SUMMARY, query)
    assert response.status_code == 400 and field in field_errors(response), response.content


# --- targeting and outcomes ------------------------------------------------------------------------------


@pytest.fixture
def deprived_households(make_household, commune_a, village_a, poor_b, officer_a, chair_a, admin_user):
    """Commune A: poor in a bad house (listed), poor in a bad house already repaired (not), poor in a good house
    (not), not poor in a bad house (not), near-poor in a bad house (listed when near-poor is asked for)."""

    def household(head: str, status: str | None, dwelling: dict) -> Household:
        made = make_household(commune_a, head, ("Con",), village=village_a)
        if status:
            set_status(made, (D(2022, 6, 1), status), actor=admin_user)
        return surveyed(made, admin_user, dwelling)

    listed = household("Giàng A Páo", "poor", BAD_HOUSE)
    repaired = household("Lò Văn Pọm", "poor", BAD_HOUSE)
    supported(officer_a, chair_a, repaired, "housing_repair_temp", D(2026, 3, 10))
    household("Vàng Thị Mỷ", "poor", GOOD_HOUSE)
    household("Sùng A Dế", None, BAD_HOUSE)
    near_poor = household("Thào Thị Chu", "near_poor", BAD_HOUSE)
    surveyed(poor_b, admin_user, BAD_HOUSE)
    return {"listed": listed, "repaired": repaired, "near_poor": near_poor, "b": poor_b}


def test_the_targeting_list_names_exactly_the_deprived_households_without_support(
    api, deprived_households, commune_a, province, officer_a, province_staff
):
    h = deprived_households
    client = api(officer_a)

    def codes(user_client=client, **query) -> list[str]:
        response = user_client.get(TARGETING, {"area": commune_a.pk, "indicator": "housing_quality", **query})
        assert response.status_code == 200, response.content
        return sorted(row["code"] for row in response.json()["results"])

    assert codes(status="poor") == [h["listed"].code]
    assert codes() == codes(status=["poor", "near_poor"]) == sorted([h["listed"].code, h["near_poor"].code])
    assert codes(status="poor", since="2026-04-01") == sorted([h["listed"].code, h["repaired"].code])
    assert codes(status="poor", type="livestock_p3") == sorted([h["listed"].code, h["repaired"].code])
    assert codes(status="poor", type="housing_repair_temp") == [h["listed"].code]
    assert codes(api(province_staff), status="poor", area=province.pk) == sorted([h["listed"].code, h["b"].code])
    row = client.get(TARGETING, {"area": commune_a.pk, "indicator": "housing_quality", "status": "poor"}).json()
    assert row["count"] == 1
    assert row["results"][0] | {"deprived": None} == {
        "id": h["listed"].pk,
        "code": h["listed"].code,
        "head_name": "Giàng A Páo",
        "village": "Thôn Nà Phát",
        "status": "poor",
        "status_since": "2022-06-01",
        "deprived": None,
    }
    assert "housing_quality" in row["results"][0]["deprived"]
    assert not AuditEntry.objects.filter(action="support.targeting.exported").exists()  # a list on screen


def test_the_targeting_list_in_excel_has_the_same_households_and_is_audited(
    api, deprived_households, commune_a, officer_a
):
    h = deprived_households
    query = {"area": commune_a.pk, "indicator": "housing_quality", "status": ["poor", "near_poor"], "format": "xlsx"}
    response = api(officer_a).get(TARGETING, query)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert response["Content-Disposition"].startswith('attachment; filename="danh-sach-doi-tuong-ho-tro-')
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    numbered = [row for row in rows if isinstance(row[0], int)]
    assert sorted(row[1] for row in numbered) == sorted([h["listed"].code, h["near_poor"].code])
    entry = AuditEntry.objects.get(action="support.targeting.exported")
    assert (entry.actor, entry.object_id) == (officer_a, str(commune_a.pk))
    assert entry.changes["rows"] == [None, 2] and entry.changes["indicator"] == [None, "housing_quality"]
    assert entry.changes["statuses"] == [None, ["poor", "near_poor"]]


@pytest.mark.parametrize(
    "query,field",
    [
        ({"area": MISSING}, "area"),
        ({"area": "abc"}, "area"),
        ({"area": 999_999_999}, "area"),
        ({"area": "B"}, "area"),  # another commune: outside her scope
        ({"indicator": "castle"}, "indicator"),
        ({"status": "rich"}, "status"),
        ({"since": "2026-13-01"}, "since"),
        ({"type": "castle"}, "type"),
        ({"format": "pdf"}, "format"),
    ],
)
def test_a_bad_targeting_query_is_a_400_naming_the_field(query, field, api, officer_a, commune_a, commune_b):
    query = {"area": commune_a.pk, **query}
    query = {k: commune_b.pk if v == "B" else v for k, v in query.items() if v is not MISSING}
    response = api(officer_a).get(TARGETING, query)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    assert field in field_errors(response), response.json()
    assert not AuditEntry.objects.filter(action="support.targeting.exported").exists()


def test_outcomes_count_the_exits_and_relapses_of_the_households_supported_in_a_year(
    api, make_household, commune_a, province, officer_a, chair_a, admin_user, officer_b, province_staff
):
    def household(head: str, *changes) -> Household:
        return set_status(make_household(commune_a, head), (D(2022, 6, 1), "poor"), *changes, actor=admin_user)

    escaped = household("Giàng A Páo", (D(2024, 12, 20), "not_poor"))
    near_poor = household("Lò Văn Pọm", (D(2025, 6, 1), "near_poor"))
    relapsed = household("Vàng Thị Mỷ", (D(2024, 3, 1), "not_poor"), (D(2025, 3, 1), "poor"))
    planned_only = household("Sùng A Dế", (D(2024, 12, 20), "not_poor"))
    supported(officer_a, chair_a, escaped, "livestock_p3", D(2023, 5, 2))
    supported(officer_a, chair_a, near_poor, "training_p4", D(2023, 6, 1))
    supported(officer_a, chair_a, relapsed, "livestock_p3", D(2023, 7, 1))
    supported(officer_a, chair_a, relapsed, "training_p4", D(2023, 8, 1))
    supported(officer_a, chair_a, planned_only, "livestock_p3", D(2023, 7, 1), deliver=False)

    response = api(officer_a).get(OUTCOMES, {"area": commune_a.pk, "year": 2023, "horizon": 2})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["area"]["id"], body["year"], body["years"]) == (commune_a.pk, 2023, [2024, 2025])
    total = body["total"]
    assert (total["supported"], total["poor_when_supported"], total["listed_when_supported"]) == (3, 3, 3)
    assert total["by_year"] == [
        {"year": 2024, "out_of_poverty": 2, "off_lists": 2, "so_far": False},  # escaped, relapsed (for a while)
        {"year": 2025, "out_of_poverty": 2, "off_lists": 1, "so_far": False},  # escaped, near-poor | escaped
    ]
    assert (total["relapsed"], total["relapsed_households"]) == (1, [relapsed.code])
    rows = {row["key"]: row for row in body["rows"]}
    assert list(rows) == ["P3", "P4"]
    assert rows["P3"]["supported"] == 2 and rows["P3"]["by_year"][1] == {
        "year": 2025,
        "out_of_poverty": 1,
        "off_lists": 1,
        "so_far": False,
    }
    assert rows["P4"]["supported"] == 2 and rows["P4"]["by_year"][0] == {
        "year": 2024,
        "out_of_poverty": 1,
        "off_lists": 1,
        "so_far": False,
    }
    assert rows["P4"]["label"].startswith("Dự án 4")
    assert api(province_staff).get(OUTCOMES, {"area": province.pk, "year": 2023}).json()["total"] == total
    assert api(officer_b).get(OUTCOMES, {"area": commune_a.pk, "year": 2023}).status_code == 400


@pytest.mark.parametrize(
    "query,field",
    [
        ({"year": 2023}, "area"),
        ({"area": "A"}, "year"),
        ({"area": "A", "year": 1990}, "year"),
        ({"area": "A", "year": 2023, "horizon": 0}, "horizon"),
    ],
)
def test_a_bad_outcome_query_is_a_400_naming_the_field(query, field, api, officer_a, commune_a):
    query = {k: commune_a.pk if v == "A" else v for k, v in query.items()}
    response = api(officer_a).get(OUTCOMES, query)
    assert response.status_code == 400 and field in field_errors(response), response.content


# --- who may do what -------------------------------------------------------------------------------------

# Each endpoint and method, then the expected status for each persona in PERSONAS' order:
# officer_a, officer_b, chair_a, district_staff, province_staff, admin_user, outsider.
MATRIX = [
    ("types", "get", f"{API}intervention-types/", None, [200, 200, 200, 200, 200, 200, 403]),
    ("records", "get", RECORDS, None, [200, 200, 200, 200, 200, 200, 403]),
    ("record", "get", "{records}{record}/", None, [200, 404, 200, 200, 200, 200, 403]),
    ("create record", "post", "{records}", "RECORD", [201, 404, 403, 201, 201, 201, 403]),
    ("approve", "post", "{records}{record}/approve/", {}, [403, 403, 200, 200, 200, 200, 403]),
    ("cancel", "post", "{records}{record}/cancel/", {"reason": "Ghi nhầm"}, [200, 404, 403, 200, 200, 200, 403]),
    ("follow-ups", "get", FOLLOW_UPS, None, [200, 200, 200, 200, 200, 200, 403]),
    ("follow-up", "get", "{follow_ups}{follow_up}/", None, [200, 404, 200, 200, 200, 200, 403]),
    ("check", "post", "{follow_ups}{follow_up}/record/", "CHECK", [200, 404, 403, 200, 200, 200, 403]),
    ("loans", "get", LOANS, None, [200, 200, 200, 200, 200, 200, 403]),
    ("loan", "get", "{loans}{loan}/", None, [200, 404, 200, 200, 200, 200, 403]),
    ("create loan", "post", "{loans}", "LOAN", [201, 404, 403, 201, 201, 201, 403]),
    ("repay", "post", "{loans}{loan}/repayments/", "REPAY", [201, 404, 403, 201, 201, 201, 403]),
    ("budgets", "get", BUDGETS, None, [200, 200, 200, 200, 200, 200, 403]),
    ("set budget", "post", "{budgets}", "BUDGET", [403, 403, 403, 201, 201, 201, 403]),
    ("summary", "get", "{summary}?area={commune}&year=2026", None, [200, 400, 200, 200, 200, 200, 403]),
    ("targeting", "get", "{targeting}?area={commune}", None, [200, 400, 200, 200, 200, 200, 403]),
    ("outcomes", "get", "{outcomes}?area={commune}&year=2025", None, [200, 400, 200, 200, 200, 200, 403]),
]
CELLS = [
    pytest.param(name, method, path, body, who, expected[index], id=f"{name}-{who}")
    for name, method, path, body, expected in MATRIX
    for index, who in enumerate(PERSONAS)
]


@pytest.mark.parametrize("name,method,path,body,who,expected", CELLS)
def test_permission_matrix(
    name, method, path, body, who, expected, api, persona, planned, delivered, loan_a, commune_a
):
    follow_up = delivered.follow_ups.order_by("due_on").first()
    url = path.format(
        records=RECORDS,
        record=planned.pk,
        follow_ups=FOLLOW_UPS,
        follow_up=follow_up.pk,
        loans=LOANS,
        loan=loan_a.pk,
        budgets=BUDGETS,
        summary=SUMMARY,
        targeting=TARGETING,
        outcomes=OUTCOMES,
        commune=commune_a.pk,
    )
    bodies = {
        "RECORD": {"household": planned.household_id, **RECORD},
        "CHECK": {"done_on": "2026-09-15", "result": "achieved"},
        "LOAN": {"household": planned.household_id, **LOAN},
        "REPAY": {"version": 1, "date": "2026-05-01", "principal": 1_000_000},
        "BUDGET": budget(commune_a, 1_000_000),
    }
    body = bodies[body] if isinstance(body, str) else {"version": planned.version, **(body or {})}
    client = api(persona(who))
    response = client.get(url) if method == "get" else post(client, url, body)
    assert response.status_code == expected, response.content
    if expected >= 400 and method == "post":
        assert (SupportRecord.objects.count(), Loan.objects.count(), BudgetAllocation.objects.count()) == (3, 1, 0)
        assert SupportRecord.objects.get(pk=planned.pk).version == 1 and Loan.objects.get(pk=loan_a.pk).version == 1
        assert SupportFollowUp.objects.get(pk=follow_up.pk).done_on is None


def test_an_id_that_is_not_a_number_or_too_large_is_a_404_not_a_500(api, province_staff, planned):
    client = api(province_staff)
    for path in (f"{RECORDS}abc/", f"{RECORDS}{10**20}/", f"{LOANS}{10**20}/", f"{RECORDS}{10**20}/approve/"):
        response = client.get(path) if "approve" not in path else post(client, path, {"version": 1})
        assert response.status_code == 404, (path, response.content)


def test_anonymous_requests_are_refused(api):
    for url in (RECORDS, LOANS, BUDGETS, FOLLOW_UPS, f"{API}intervention-types/"):
        assert api(None).get(url).status_code in (401, 403)


# --- cost ------------------------------------------------------------------------------------------------


def test_a_page_of_records_costs_a_fixed_number_of_queries(
    api, make_household, commune_a, admin_user, officer_a, chair_a, province_staff, django_assert_max_num_queries
):
    for index in range(6):
        household = set_status(make_household(commune_a, f"Chủ hộ {index}"), (D(2022, 6, 1), "poor"), actor=admin_user)
        supported(officer_a, chair_a, household, "livestock_p3", D(2026, 3, 10))
        loan_of(officer_a, household)
    for user in (officer_a, province_staff):
        client = api(user)
        with django_assert_max_num_queries(4):  # and the access log's one INSERT
            response = client.get(RECORDS)
        results = response.json()["results"]
        assert len(results) == 12
        assert sorted(len(r["follow_ups"]) for r in results) == [1] * 6 + [2] * 6
        assert sum(r["loan"] is not None for r in results) == 6 and all(r["household"]["head_name"] for r in results)
        with django_assert_max_num_queries(4):  # and the access log's one INSERT
            loans = client.get(LOANS).json()["results"]
        assert len(loans) == 6


# --- found in review (2) ------------------------------------------------------------------------------------


def test_a_delivery_to_a_household_no_longer_eligible_is_a_400_unless_overridden_with_a_reason(
    api, poor_a, officer_a, chair_a, district_staff, admin_user
):
    card = services.record_support(
        actor=officer_a,
        household_id=poor_a.pk,
        type_code="hi_poor",
        date=D(2026, 3, 1),
        funding_source="central",
        amount=1_000_000,
    )
    card = services.approve_support(actor=chair_a, record_id=card.pk, version=card.version, day=D(2026, 3, 2))
    set_status(poor_a, (D(2026, 4, 1), "not_poor"), actor=admin_user)
    url = f"{RECORDS}{card.pk}/deliver/"
    body = {"version": card.version, "delivered_on": "2026-04-01"}
    refused = post(api(officer_a), url, body)
    assert refused.status_code == 400 and refused.json()["code"] == "not_eligible"
    assert "chỉ hỗ trợ hộ nghèo" in field_errors(refused)["delivered_on"][0]
    no_right = post(api(officer_a), url, {**body, "override_reason": "Thẻ đã in trước."})
    assert no_right.status_code == 400 and "override_reason" in field_errors(no_right)
    assert SupportRecord.objects.get(pk=card.pk).status == "approved"
    done = post(api(district_staff), url, {**body, "override_reason": "Thẻ đã in trước khi hộ thoát nghèo."})
    assert done.status_code == 200, done.content
    record = done.json()
    assert (record["status"], record["override_reason"]) == ("delivered", "Thẻ đã in trước khi hộ thoát nghèo.")
    entry = AuditEntry.objects.get(action="support.record.delivered", object_id=str(card.pk))
    assert (entry.actor, entry.reason) == (district_staff, "Thẻ đã in trước khi hộ thoát nghèo.")


def test_a_targeting_date_after_today_is_a_400_naming_it(api, officer_a, commune_a):
    response = api(officer_a).get(TARGETING, {"area": commune_a.pk, "since": later(1)})
    assert response.status_code == 400 and response.json()["code"] == "in_future", response.content
    assert "since" in field_errors(response)
    assert api(officer_a).get(TARGETING, {"area": commune_a.pk, "since": later(0)}).status_code == 200


def test_the_outcomes_of_a_year_to_come_are_a_400_naming_the_year(api, officer_a, commune_a):
    year = timezone.localdate().year
    response = api(officer_a).get(OUTCOMES, {"area": commune_a.pk, "year": year + 1})
    assert response.status_code == 400 and "year" in field_errors(response), response.content
    assert api(officer_a).get(OUTCOMES, {"area": commune_a.pk, "year": year}).status_code == 200


def test_the_targeting_list_counts_support_since_the_program_began_by_default_as_the_admin_does(
    api, client, deprived_households, commune_a, officer_a
):
    response = api(officer_a).get(TARGETING, {"area": commune_a.pk, "indicator": "housing_quality", "format": "xlsx"})
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="support.targeting.exported")
    assert entry.changes["since"] == [None, "2021-01-01"]
    client.force_login(officer_a)
    page = client.get("/admin/support/supportrecord/targeting/")
    assert 'value="01/01/2021"' in page.content.decode()
