"""The REST API of the annual review (domain A6): campaigns, progress by commune, cases and their moves.

Through the API the services use the real today (22/11/2026 or later), so every date sent is in October or
early November 2026, and deadlines that must not be overdue are moved relative to today.
"""

import datetime

import pytest
from django.utils import timezone

from households.models import Area, Household
from households.rules import Level
from programs.models import ReviewCampaign, ReviewCase, StatusChange
from programs.review import rules
from programs.review import services as workflow
from programs.review.services import calendar as reminders
from programs.standards import services
from tests.api_errors import field_errors, fields_named
from tests.programs.review_helpers import (
    DEPRIVED_THREE,
    GOOD_HOUSE,
    NOTHING_DEPRIVED,
    TODAY,
    case_of,
    insure,
    make_poor,
    open_review,
    recognise,
    survey,
    walk_to_posted,
)

pytestmark = pytest.mark.django_db

CASES = "/api/v1/review-cases/"
CAMPAIGNS = "/api/v1/review-campaigns/"
PROGRESS = f"{CAMPAIGNS}progress/"
RICH = 5_000_000  # far above every line: not poor
STATES = [state.value for state in rules.CaseState]


@pytest.fixture
def poor_a(household_a, admin_user) -> Household:
    insure(household_a)
    return make_poor(household_a, admin_user)


@pytest.fixture
def listed_case(poor_a) -> ReviewCase:
    """The periodic review of 2026 opened for commune A: the poor household's case waits for its survey."""
    open_review(poor_a.commune)
    return case_of(poor_a)


@pytest.fixture
def classified_case(listed_case, poor_a, officer_a) -> ReviewCase:
    survey(officer_a, poor_a, income=RICH)
    return case_of(poor_a)


@pytest.fixture
def make_poor_household(make_household, admin_user):
    def make(commune: Area, head: str) -> Household:
        household = make_household(commune, head, ("Con",))
        insure(household)
        return make_poor(household, admin_user)

    return make


def move(client, case: ReviewCase, name: str, **body):
    body.setdefault("version", ReviewCase.objects.get(pk=case.pk).version)
    return client.post(f"{CASES}{case.pk}/{name}/", body, format="json")


# --- a whole periodic review through the API ---------------------------------------------------------------


def test_a_whole_periodic_review_of_a_household_from_opening_to_the_report(api, poor_a, officer_a, chair_a):
    opened = reminders.open_periodic_review(year=2026, area_codes=[poor_a.commune.code])
    assert opened.cases == 1
    officer, chair = api(officer_a), api(chair_a)

    listing = officer.get(CASES, {"household": poor_a.pk}).json()
    assert listing["count"] == 1
    case = listing["results"][0]
    assert (case["state"], case["origin"], case["due_step"], case["due_on"]) == (
        "listed",
        "listed",
        "survey",
        "2026-10-15",
    )
    assert case["allowed_moves"] == ["survey"]  # a household on the list cannot be refused
    assert case["reference"] == f"RS2026-{case['id']:06d}"
    assert case["household"]["code"] == poor_a.code
    assert case["household"]["head_name"] == "Nguyễn Văn Đức"
    assert case["household"]["village_name"] == "Thôn Nà Phát"
    case_id = case["id"]

    recorded = officer.post(
        "/api/v1/assessments/",
        {
            "household": poor_a.pk,
            "review_year": 2026,
            "survey_date": "2026-10-01",
            "income_per_capita": 500_000,
            "dwelling": GOOD_HOUSE,
            "members": [{"member": m.pk, "stunted": False, "underweight": False} for m in poor_a.members.all()],
            "answers": NOTHING_DEPRIVED,
        },
        format="json",
    )
    assert recorded.status_code == 201, recorded.content
    assessment = recorded.json()
    assert (assessment["standard"], assessment["category"]) == ("VN-2027", "near_poor")

    case = officer.get(f"{CASES}{case_id}/").json()
    assert case["state"] == "classified"  # the survey moved the case on
    body = {"version": case["version"], "assessment": assessment["id"]}
    response = officer.post(f"{CASES}{case_id}/survey/", body, format="json")
    assert response.status_code == 200, response.content
    case = response.json()
    assert (case["state"], case["assessment"], case["proposed_category"]) == (
        "classified",
        assessment["id"],
        "near_poor",
    )

    body = {"version": case["version"], "meeting_date": "2026-10-20", "attendees": 40, "agreeing": 30, "note": "Họp"}
    response = officer.post(f"{CASES}{case_id}/meeting/", body, format="json")
    assert response.status_code == 200, response.content
    case = response.json()
    assert (case["state"], case["meeting_attendees"], case["meeting_agreeing"]) == ("agreed", 40, 30)

    response = officer.post(
        f"{CASES}{case_id}/post/", {"version": case["version"], "posting_start": "2026-10-26"}, format="json"
    )
    assert response.status_code == 200, response.content
    case = response.json()
    assert (case["state"], case["posting_start"], case["posting_end"]) == ("posted", "2026-10-26", "2026-10-28")

    body = {
        "version": case["version"],
        "received_on": "2026-10-27",
        "complainant": "Nguyễn Văn Hàng xóm",
        "content": "Hộ có xe máy mới.",
    }
    response = officer.post(f"{CASES}{case_id}/complaint/", body, format="json")
    assert response.status_code == 201, response.content
    case = response.json()
    assert case["state"] == "recheck"
    [complaint] = case["complaints"]
    assert (complaint["complainant"], complaint["outcome"], complaint["resolved_on"]) == (
        "Nguyễn Văn Hàng xóm",
        None,  # not resolved yet: null, as the schema says (never "" outside the enum)
        None,
    )
    assert (
        chair.post(
            f"{CASES}{case_id}/recognise/",
            {"version": case["version"], "decision_number": "45/QĐ-UBND", "decision_date": "2026-11-02"},
            format="json",
        ).json()["code"]
        == "forbidden_move"
    )  # a complaint holds the recognition

    body = {
        "version": case["version"],
        "complaint": complaint["id"],
        "outcome": "dismissed",
        "resolution": "Đã kiểm tra, xe máy đi mượn.",
        "resolved_on": "2026-10-30",
    }
    response = officer.post(f"{CASES}{case_id}/resolve-complaint/", body, format="json")
    assert response.status_code == 200, response.content
    case = response.json()
    assert case["state"] == "posted"
    assert case["complaints"][0]["outcome"] == "dismissed"

    body = {"version": case["version"], "decision_number": "45/QĐ-UBND", "decision_date": "2026-11-02"}
    response = chair.post(f"{CASES}{case_id}/recognise/", body, format="json")
    assert response.status_code == 200, response.content
    case = response.json()
    assert (case["state"], case["recognised_status"], case["certificate_number"]) == (
        "recognised",
        "near_poor",
        "0001/2026/GCN-HN.HCN",
    )
    assert (case["decision_number"], case["decision_date"], case["due_step"]) == (
        "45/QĐ-UBND",
        "2026-11-02",
        "report",
    )
    poor_a.refresh_from_db()
    assert (poor_a.status, poor_a.status_since) == ("near_poor", datetime.date(2026, 11, 2))
    change = StatusChange.objects.get(household=poor_a, decision_number="45/QĐ-UBND")
    assert (change.from_status, change.to_status, change.event) == ("poor", "near_poor", "escaped_poverty")
    assert (change.effective_date, change.assessment_id) == (datetime.date(2026, 11, 2), assessment["id"])

    response = officer.post(
        f"{CASES}{case_id}/report/", {"version": case["version"], "reported_on": "2026-11-10"}, format="json"
    )
    assert response.status_code == 200, response.content
    case = response.json()
    assert (case["state"], case["reported_on"], case["due_on"], case["overdue"]) == (
        "reported",
        "2026-11-10",
        None,
        False,
    )
    assert case["allowed_moves"] == []
    assert case["state_label"] == "Đã báo cáo tỉnh"


def test_a_households_request_is_filed_and_may_be_refused_by_the_chair(api, poor_a, officer_a, chair_a):
    body = {"household": poor_a.pk, "request_kind": "exit", "channel": "online", "filed_on": "2026-03-10"}
    response = api(officer_a).post(CASES, {**body, "note": "Đã có việc làm ổn định."}, format="json")
    assert response.status_code == 201, response.content
    case = response.json()
    assert (case["origin"], case["request_kind"], case["request_channel"], case["requested_on"]) == (
        "requested",
        "exit",
        "online",
        "2026-03-10",
    )
    campaign = ReviewCampaign.objects.get(pk=case["campaign"])
    assert (campaign.kind, campaign.year, campaign.month) == ("monthly", 2026, 3)
    assert case["allowed_moves"] == ["survey", "reject"]

    again = api(officer_a).post(CASES, body, format="json")
    assert (again.status_code, again.json()["code"]) == (400, "already_in_review")
    assert "household" in field_errors(again)

    body = {"version": case["version"], "reason": "Thu nhập vẫn dưới chuẩn nghèo.", "decided_on": "2026-03-28"}
    response = api(chair_a).post(f"{CASES}{case['id']}/reject/", body, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["state"], response.json()["rejection_reason"]) == (
        "rejected",
        "Thu nhập vẫn dưới chuẩn nghèo.",
    )
    poor_a.refresh_from_db()
    assert poor_a.status == "poor"


def test_the_old_district_step_goes_through_the_api(api, household_a, admin_user, officer_a, district_staff):
    insure(household_a)
    make_poor(household_a, admin_user, day=datetime.date(2023, 12, 20))
    open_review(household_a.commune, year=2024)
    services.record_assessment(
        actor=officer_a,
        household_id=household_a.pk,
        survey_date=datetime.date(2024, 10, 1),
        review_year=2024,
        income_per_capita=RICH,
        dwelling=GOOD_HOUSE,
        member_extras={m.pk: {"stunted": False, "underweight": False} for m in household_a.members.all()},
        answers={k: v for k, v in NOTHING_DEPRIVED.items() if k != "waste_treatment"} | {"information_access": False},
        today=TODAY,
    )
    case = case_of(household_a)
    officer = api(officer_a)
    assert move(officer, case, "meeting", meeting_date="2024-10-20", attendees=5, agreeing=5).status_code == 200
    posted = move(officer, case, "post", posting_start="2024-10-21").json()
    assert posted["allowed_moves"] == ["survey", "complain", "consult_district"]
    response = move(api(district_staff), case, "district-opinion", opinion_on="2024-10-28", opinion="Nhất trí.")
    assert response.status_code == 200, response.content
    assert (response.json()["state"], response.json()["district_opinion"]) == ("district_consulted", "Nhất trí.")
    assert response.json()["allowed_moves"] == ["survey", "complain", "recognise"]  # within the posting, a resurvey


# --- progress by commune -----------------------------------------------------------------------------------


@pytest.fixture
def commune_c(province, commune_a, commune_b) -> Area:
    """A third commune of the province, with a campaign and no household on the lists."""
    return (
        Area.objects.filter(path__startswith=province.path, level=Level.COMMUNE)
        .exclude(pk__in=[commune_a.pk, commune_b.pk])
        .order_by("code")
        .first()
    )


@pytest.fixture
def three_communes_under_review(
    poor_a, make_poor_household, commune_a, commune_b, commune_c, officer_a, officer_b, admin_user
):
    """A: posted, classified, listed; B: classified, listed, deadlines moved past today; C: no case."""
    second_a = make_poor_household(commune_a, "Lò Văn Pao")
    make_poor_household(commune_a, "Hoàng Văn Sinh")
    first_b = make_poor_household(commune_b, "Trần Văn Bình")
    make_poor_household(commune_b, "Vàng Thị Mỷ")
    reminders.open_periodic_review(year=2026, area_codes=[commune_a.code, commune_b.code, commune_c.code])
    walk_to_posted(officer_a, poor_a, income=RICH)
    survey(officer_a, second_a, income=RICH)
    survey(officer_b, first_b, income=RICH)
    campaign_b = ReviewCampaign.objects.get(area=commune_b, year=2026)
    future = timezone.localdate() + datetime.timedelta(days=30)
    # B's deadlines lie ahead (set directly: the calendar service keeps deadlines inside the 2026 review).
    ReviewCase.objects.filter(campaign=campaign_b, due_step__in=["survey", "meeting"]).update(due_on=future)
    return commune_a, commune_b, commune_c


def expected_progress(commune: Area) -> dict:
    """The commune's row computed from the cases one by one, without the API's aggregate query."""
    today = timezone.localdate()
    cases = list(ReviewCase.objects.filter(campaign__area=commune, campaign__year=2026))
    return {
        "commune": {"id": commune.pk, "code": commune.code, "name": commune.name},
        "total": len(cases),
        "counts": {state: sum(case.state == state for case in cases) for state in STATES},
        "overdue": sum(
            case.state not in ("reported", "rejected") and case.due_on is not None and case.due_on < today
            for case in cases
        ),
    }


def test_progress_counts_each_communes_cases_by_state_and_overdue(
    api, province_staff, province, three_communes_under_review, django_assert_max_num_queries
):
    commune_a, commune_b, commune_c = three_communes_under_review
    with django_assert_max_num_queries(3):
        response = api(province_staff).get(PROGRESS, {"area": province.pk, "year": 2026, "kind": "periodic"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 3
    assert body["results"] == [expected_progress(c) for c in (commune_a, commune_b, commune_c)]
    row_a, row_b, row_c = body["results"]
    assert (row_a["total"], row_a["counts"]["posted"], row_a["counts"]["classified"], row_a["counts"]["listed"]) == (
        3,
        1,
        1,
        1,
    )
    assert row_a["overdue"] >= 2  # the survey (15/10) and the meeting (31/10) deadlines are past
    assert (row_b["total"], row_b["overdue"]) == (2, 0)
    assert row_c == {
        "commune": {"id": commune_c.pk, "code": commune_c.code, "name": commune_c.name},
        "total": 0,
        "counts": dict.fromkeys(STATES, 0),
        "overdue": 0,
    }
    assert all(list(row["counts"]) == STATES for row in body["results"])  # every state, in the workflow's order


def test_progress_is_paginated_ordered_by_commune_code_and_scoped(
    api, province, district, officer_a, officer_b, province_staff, three_communes_under_review
):
    commune_a, commune_b, commune_c = three_communes_under_review
    page = api(province_staff).get(PROGRESS, {"area": province.pk, "year": 2026, "page_size": 2, "page": 2}).json()
    assert (page["count"], [row["commune"]["id"] for row in page["results"]]) == (3, [commune_c.pk])
    only_a = api(officer_a).get(PROGRESS, {"area": province.pk, "year": 2026}).json()["results"]
    assert [row["commune"]["id"] for row in only_a] == [commune_a.pk]
    only_b = api(officer_b).get(PROGRESS, {"area": province.pk, "year": 2026}).json()["results"]
    assert [row["commune"]["id"] for row in only_b] == [commune_b.pk]
    by_district = api(province_staff).get(PROGRESS, {"area": district.pk, "year": 2026}).json()["results"]
    assert [row["commune"]["id"] for row in by_district] == [commune_a.pk]
    assert api(province_staff).get(PROGRESS, {"area": province.pk, "year": 2025}).json()["count"] == 0
    assert (
        api(province_staff).get(PROGRESS, {"area": province.pk, "year": 2026, "kind": "monthly"}).json()["count"] == 0
    )


BAD_PROGRESS = [
    ({"year": 2026}, "area"),
    ({"area": "PROVINCE"}, "year"),
    ({"area": "PROVINCE", "year": "năm nay"}, "year"),
    ({"area": "PROVINCE", "year": 1900}, "year"),
    ({"area": "x", "year": 2026}, "area"),
    ({"area": 999_999_999, "year": 2026}, "area"),
    ({"area": "PROVINCE", "year": 2026, "kind": "weekly"}, "kind"),
    ({"area": "PROVINCE", "year": 2026, "kind": "monthly", "month": 13}, "month"),
]


@pytest.mark.parametrize("query,field", BAD_PROGRESS)
def test_bad_progress_query_is_a_400_naming_the_field(query, field, api, province_staff, province):
    query = {k: province.pk if v == "PROVINCE" else v for k, v in query.items()}
    response = api(province_staff).get(PROGRESS, query)
    assert response.status_code == 400, response.content
    assert field in field_errors(response), response.json()


# --- the case list --------------------------------------------------------------------------------------------


def test_the_overdue_filter_splits_open_late_cases_from_the_rest(
    api, poor_a, make_poor_household, commune_a, officer_a, chair_a, admin_user
):
    on_time = make_poor_household(commune_a, "Lò Văn Pao")
    closed = make_poor_household(commune_a, "Hoàng Văn Sinh")
    open_review(commune_a)
    late = case_of(poor_a)  # waits for its survey, due 15/10/2026
    recognised = recognise(chair_a, walk_to_posted(officer_a, on_time, income=RICH))
    reported = recognise(chair_a, walk_to_posted(officer_a, closed, income=RICH), number="46/QĐ-UBND")
    workflow.report_case(
        actor=officer_a,
        case_id=reported.pk,
        expected_version=reported.version,
        reported_on=datetime.date(2026, 11, 10),
        today=TODAY,
    )
    future = timezone.localdate() + datetime.timedelta(days=30)
    ReviewCase.objects.filter(campaign_id=late.campaign_id, due_step="report").exclude(pk=late.pk).update(due_on=future)

    client = api(officer_a)
    overdue = client.get(CASES, {"overdue": "true"}).json()["results"]
    assert [(c["id"], c["overdue"]) for c in overdue] == [(late.pk, True)]
    rest = client.get(CASES, {"overdue": "false"}).json()["results"]
    assert {c["id"] for c in rest} == {recognised.pk, reported.pk}
    assert not any(c["overdue"] for c in rest)
    assert {c["id"] for c in client.get(CASES).json()["results"]} == {late.pk, recognised.pk, reported.pk}
    both = client.get(CASES, {"state": ["recognised", "reported"]}).json()["results"]
    assert {c["id"] for c in both} == {recognised.pk, reported.pk}
    assert [c["id"] for c in client.get(CASES, {"state": "reported", "overdue": "false"}).json()["results"]] == [
        reported.pk
    ]
    # the work list: nearest deadline first, closed cases last
    assert [c["id"] for c in client.get(CASES).json()["results"]] == [late.pk, recognised.pk, reported.pk]


def test_the_case_list_filters_by_area_of_any_level_campaign_year_kind_and_household(
    api, poor_a, make_poor_household, commune_a, commune_b, district, province, village_a, province_staff, officer_a
):
    in_b = make_poor_household(commune_b, "Trần Văn Bình")
    reminders.open_periodic_review(year=2026, area_codes=[commune_a.code, commune_b.code])
    monthly = workflow.file_review_request(
        actor=officer_a,
        household_id=poor_a.pk,
        request_kind="exit",
        channel="post",
        filed_on=datetime.date(2026, 3, 2),
        today=TODAY,
    )
    case_a, case_b = case_of_periodic(poor_a), case_of_periodic(in_b)
    client = api(province_staff)

    def ids(**query) -> set[int]:
        response = client.get(CASES, query)
        assert response.status_code == 200, response.content
        return {c["id"] for c in response.json()["results"]}

    assert ids(area=province.pk) == {case_a.pk, case_b.pk, monthly.pk}
    assert ids(area=district.pk) == {case_a.pk, monthly.pk}
    assert ids(area=commune_b.pk) == {case_b.pk}
    assert ids(area=village_a.pk) == {case_a.pk, monthly.pk}
    assert ids(campaign=case_b.campaign_id) == {case_b.pk}
    assert ids(year=2026, kind="monthly") == {monthly.pk}
    assert ids(kind="periodic") == {case_a.pk, case_b.pk}
    assert ids(household=poor_a.pk) == {case_a.pk, monthly.pk}
    assert ids(year=2025) == set()


def case_of_periodic(household: Household) -> ReviewCase:
    return ReviewCase.objects.get(household=household, campaign__kind="periodic")


@pytest.mark.parametrize(
    "query,field",
    [
        ({"area": 999_999_999}, "area"),
        ({"area": "1.5"}, "area"),
        ({"state": "done"}, "state"),
        ({"kind": "weekly"}, "kind"),
        ({"overdue": "maybe"}, "overdue"),
    ],
)
def test_a_bad_list_filter_is_a_400_naming_it(query, field, api, officer_a, listed_case):
    response = api(officer_a).get(CASES, query)
    assert response.status_code == 400, response.content
    assert field in field_errors(response)


def test_a_page_of_cases_costs_a_fixed_number_of_queries(
    api, poor_a, make_poor_household, commune_a, officer_a, province_staff, django_assert_max_num_queries
):
    households = [poor_a] + [make_poor_household(commune_a, f"Chủ hộ {i}") for i in range(5)]
    open_review(commune_a)
    for household in households[:3]:
        case = walk_to_posted(officer_a, household, income=RICH)
        for day in (27, 28):
            workflow.file_complaint(
                actor=officer_a,
                case_id=case.pk,
                expected_version=ReviewCase.objects.get(pk=case.pk).version,
                received_on=datetime.date(2026, 10, day),
                complainant="Hàng xóm",
                content=f"Khiếu nại ngày {day}",
                today=TODAY,
            )
    for user in (officer_a, province_staff):
        client = api(user)
        with django_assert_max_num_queries(4):  # and the access log's one INSERT
            response = client.get(CASES)
        results = response.json()["results"]
        assert len(results) == 6
        assert sorted(len(c["complaints"]) for c in results) == [0, 0, 0, 2, 2, 2]
        assert all(c["household"]["head_name"] for c in results)


# --- the campaigns -------------------------------------------------------------------------------------------


def test_campaigns_are_listed_by_area_and_year_and_retrieved_with_counts(
    api, province_staff, province, district, three_communes_under_review
):
    commune_a, commune_b, commune_c = three_communes_under_review
    client = api(province_staff)
    listed = client.get(CAMPAIGNS, {"area": province.pk, "year": 2026, "kind": "periodic"}).json()
    assert [c["area"]["id"] for c in listed["results"]] == [commune_a.pk, commune_b.pk, commune_c.pk]
    first = listed["results"][0]
    assert (first["standard"], first["kind"], first["month"], first["posting_days"]) == ("VN-2027", "periodic", 0, 3)
    assert first["steps"] == {
        "survey": "2026-10-15",
        "meeting": "2026-10-31",
        "posting": "2026-11-10",
        "recognition": "2026-12-14",
        "report": "2026-12-14",
    }
    assert list(first["steps"]) == ["survey", "meeting", "posting", "recognition", "report"]
    assert "counts" not in first
    assert [c["area"]["id"] for c in client.get(CAMPAIGNS, {"area": district.pk}).json()["results"]] == [commune_a.pk]
    assert client.get(CAMPAIGNS, {"year": 2025}).json()["count"] == 0
    assert client.get(CAMPAIGNS, {"area": 999_999_999}).status_code == 400

    detail = client.get(f"{CAMPAIGNS}{first['id']}/").json()
    expected = expected_progress(commune_a)
    assert (detail["total"], detail["counts"]) == (expected["total"], expected["counts"])


def test_the_province_changes_a_campaigns_calendar_and_open_cases_follow(api, listed_case, province_staff):
    body = {"steps": {"survey": "2026-10-25", "posting": "2026-11-12"}, "posting_days": 5, "reason": "Kế hoạch tỉnh"}
    response = api(province_staff).post(f"{CAMPAIGNS}{listed_case.campaign_id}/calendar/", body, format="json")
    assert response.status_code == 200, response.content
    campaign = response.json()
    assert (campaign["steps"]["survey"], campaign["steps"]["posting"], campaign["posting_days"]) == (
        "2026-10-25",
        "2026-11-12",
        5,
    )
    assert campaign["steps"]["meeting"] == "2026-10-31"  # unchanged
    assert campaign["counts"]["listed"] == 1
    listed_case.refresh_from_db()
    assert listed_case.due_on == datetime.date(2026, 10, 25)


def test_a_campaigns_recognised_cases_are_reported_at_once(api, poor_a, officer_a, chair_a):
    open_review(poor_a.commune)
    case = recognise(chair_a, walk_to_posted(officer_a, poor_a, income=500_000, answers=DEPRIVED_THREE))
    response = api(officer_a).post(
        f"{CAMPAIGNS}{case.campaign_id}/report/", {"reported_on": "2026-11-10"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["reported_cases"] == 1
    assert response.json()["campaign"]["reported_on"] == "2026-11-10"
    assert response.json()["campaign"]["counts"]["reported"] == 1
    case.refresh_from_db()
    assert (case.state, case.reported_on) == ("reported", datetime.date(2026, 11, 10))
    again = api(officer_a).post(f"{CAMPAIGNS}{case.campaign_id}/report/", {"reported_on": "2026-11-11"}, format="json")
    assert (again.status_code, again.json()["code"]) == (400, "nothing_to_report")


# --- who may do what ----------------------------------------------------------------------------------------

PERSONAS = ["officer_a", "officer_b", "chair_a", "district_staff", "province_staff", "admin_user", "outsider"]
VIEW = (200, 200, 200, 200, 200, 200, 403)
VIEW_ONE = (200, 404, 200, 200, 200, 200, 403)  # officer B: the case or campaign of commune A does not exist
WORK = (200, 404, 403, 200, 200, 200, 403)  # the chair decides, she does not work the case
WORK_REFUSED_MOVE = (400, 404, 403, 400, 400, 400, 403)  # allowed to try; the classified case cannot move so
DECIDE_REFUSED_MOVE = (403, 403, 400, 403, 403, 403, 403)  # only the chair; not even the admin (separation of duties)
CONSULT_REFUSED_MOVE = (403, 403, 403, 400, 400, 400, 403)
MANAGE = (403, 403, 403, 403, 200, 200, 403)

# (name, method, path, body, expected status per persona) on the classified case of household A
MATRIX = [
    ("campaign list", "get", "{campaigns}", None, VIEW),
    ("campaign", "get", "{campaigns}{campaign}/", None, VIEW_ONE),
    ("progress", "get", "{campaigns}progress/?area={province}&year=2026", None, VIEW),
    ("campaign report", "post", "{campaigns}{campaign}/report/", {"reported_on": "2026-11-10"}, WORK_REFUSED_MOVE),
    ("campaign calendar", "post", "{campaigns}{campaign}/calendar/", {"steps": {"survey": "2026-10-20"}}, MANAGE),
    ("case list", "get", "{cases}", None, VIEW),
    ("case", "get", "{cases}{case}/", None, VIEW_ONE),
    ("request", "post", "{cases}", "REQUEST", (201, 404, 403, 201, 201, 201, 403)),
    ("survey", "post", "{cases}{case}/survey/", {"assessment": "ASSESSMENT"}, WORK),
    ("meeting", "post", "{cases}{case}/meeting/", {"meeting_date": "2026-10-20", "attendees": 9, "agreeing": 9}, WORK),
    ("post", "post", "{cases}{case}/post/", {"posting_start": "2026-10-26"}, WORK_REFUSED_MOVE),
    (
        "complaint",
        "post",
        "{cases}{case}/complaint/",
        {"received_on": "2026-10-27", "complainant": "A", "content": "B"},
        WORK_REFUSED_MOVE,
    ),
    (
        "resolve complaint",
        "post",
        "{cases}{case}/resolve-complaint/",
        {"complaint": 1, "outcome": "dismissed", "resolution": "x", "resolved_on": "2026-10-30"},
        WORK_REFUSED_MOVE,
    ),
    ("report", "post", "{cases}{case}/report/", {"reported_on": "2026-11-10"}, WORK_REFUSED_MOVE),
    (
        "district opinion",
        "post",
        "{cases}{case}/district-opinion/",
        {"opinion_on": "2026-10-28", "opinion": "Nhất trí."},
        CONSULT_REFUSED_MOVE,
    ),
    (
        "recognise",
        "post",
        "{cases}{case}/recognise/",
        {"decision_number": "45/QĐ-UBND", "decision_date": "2026-11-02"},
        DECIDE_REFUSED_MOVE,
    ),
    ("reject", "post", "{cases}{case}/reject/", {"reason": "x", "decided_on": "2026-10-30"}, DECIDE_REFUSED_MOVE),
]
CELLS = [
    pytest.param(name, method, path, body, persona, expected[index], id=f"{name}-{persona}")
    for name, method, path, body, expected in MATRIX
    for index, persona in enumerate(PERSONAS)
]


@pytest.fixture
def not_listed_a(make_household, commune_a) -> Household:
    return make_household(commune_a, "Hoàng Văn Sinh")


@pytest.mark.parametrize("name,method,path,body,who,expected", CELLS)
def test_permission_matrix(
    name, method, path, body, who, expected, api, persona, classified_case, not_listed_a, province
):
    case = ReviewCase.objects.get(pk=classified_case.pk)
    url = path.format(campaigns=CAMPAIGNS, cases=CASES, campaign=case.campaign_id, case=case.pk, province=province.pk)
    if body == "REQUEST":
        body = {"household": not_listed_a.pk, "request_kind": "add", "channel": "in_person", "filed_on": "2026-10-05"}
    elif body is not None:
        body = {k: case.assessment_id if v == "ASSESSMENT" else v for k, v in body.items()}
        if "{case}/" in path:
            body["version"] = case.version
    client = api(persona(who))
    response = client.get(url) if method == "get" else client.post(url, body, format="json")
    assert response.status_code == expected, response.content
    if expected >= 400:
        unchanged = ReviewCase.objects.get(pk=case.pk)
        assert (unchanged.state, unchanged.version) == (case.state, case.version)
        assert ReviewCase.objects.filter(household=not_listed_a).count() == 0


def test_anonymous_requests_are_refused(api, listed_case):
    assert api(None).get(CASES).status_code in (401, 403)
    assert api(None).get(PROGRESS).status_code in (401, 403)


# --- bad input, stale versions, forbidden moves ---------------------------------------------------------------

MISSING = object()
VALID = {
    "survey": {"assessment": "ASSESSMENT"},
    "meeting": {"meeting_date": "2026-10-20", "attendees": 40, "agreeing": 30},
    "post": {"posting_start": "2026-10-26"},
    "complaint": {"received_on": "2026-10-27", "complainant": "Hàng xóm", "content": "Hộ có xe mới."},
    "resolve-complaint": {"complaint": 1, "outcome": "dismissed", "resolution": "x", "resolved_on": "2026-10-30"},
    "report": {"reported_on": "2026-11-10"},
    "recognise": {"decision_number": "45/QĐ-UBND", "decision_date": "2026-11-02"},
    "reject": {"reason": "Không đủ điều kiện.", "decided_on": "2026-10-30"},
    "district-opinion": {"opinion_on": "2026-10-28", "opinion": "Nhất trí."},
}
BAD_MOVES = [
    ("officer_a", "meeting", {"attendees": -1}, "attendees"),
    ("officer_a", "meeting", {"attendees": 0}, "attendees"),
    ("officer_a", "meeting", {"agreeing": 41}, "agreeing"),
    ("officer_a", "meeting", {"agreeing": -1}, "agreeing"),
    ("officer_a", "meeting", {"version": MISSING}, "version"),
    ("officer_a", "meeting", {"version": "một"}, "version"),
    ("officer_a", "meeting", {"meeting_date": "2026-13-01"}, "meeting_date"),
    ("officer_a", "meeting", {"meeting_date": "20/10/2026"}, "meeting_date"),
    ("officer_a", "meeting", {"meeting_date": "2999-01-01"}, "meeting_date"),  # in the future
    ("officer_a", "meeting", {"meeting_date": "2026-09-01"}, "meeting_date"),  # before the survey
    ("officer_a", "survey", {"assessment": 0}, "assessment"),
    ("officer_a", "survey", {"assessment": "x"}, "assessment"),
    ("officer_a", "post", {"posting_start": MISSING}, "posting_start"),
    ("officer_a", "complaint", {"complainant": "   "}, "complainant"),
    ("officer_a", "complaint", {"content": MISSING}, "content"),
    ("officer_a", "complaint", {"complainant": "x" * 121}, "complainant"),
    ("officer_a", "resolve-complaint", {"outcome": "maybe"}, "outcome"),
    ("officer_a", "resolve-complaint", {"complaint": MISSING}, "complaint"),
    ("officer_a", "report", {"reported_on": "hôm qua"}, "reported_on"),
    ("chair_a", "recognise", {"decision_number": ""}, "decision_number"),
    ("chair_a", "recognise", {"decision_date": MISSING}, "decision_date"),
    ("chair_a", "reject", {"reason": ""}, "reason"),
    ("district_staff", "district-opinion", {"opinion": ""}, "opinion"),
]


@pytest.mark.parametrize(
    "who,name,change,field", BAD_MOVES, ids=[f"{b[1]}-{b[3]}-{i}" for i, b in enumerate(BAD_MOVES)]
)
def test_bad_input_to_a_move_is_a_400_naming_the_field(who, name, change, field, api, persona, classified_case):
    case = ReviewCase.objects.get(pk=classified_case.pk)
    body = {"version": case.version, **VALID[name], **change}
    body = {k: case.assessment_id if v == "ASSESSMENT" else v for k, v in body.items() if v is not MISSING}
    response = api(persona(who)).post(f"{CASES}{case.pk}/{name}/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in field_errors(response), response.json()
    unchanged = ReviewCase.objects.get(pk=case.pk)
    assert (unchanged.state, unchanged.version) == (case.state, case.version)


def test_field_errors_are_in_vietnamese(api, classified_case, officer_a):
    body = {"version": "một", "meeting_date": "20/10/2026", "attendees": -1, "agreeing": 100_001}
    response = api(officer_a).post(f"{CASES}{classified_case.pk}/meeting/", body, format="json")
    assert field_errors(response) == {
        "version": ["Phải là một số nguyên."],
        "meeting_date": ["Ngày sai định dạng. Dùng một trong những định dạng sau để thay thế: YYYY-MM-DD."],
        "attendees": ["Phải lớn hơn hoặc bằng 1."],
        "agreeing": ["Phải nhỏ hơn hoặc bằng 100000."],
    }
    response = api(officer_a).post(CASES, {"household": 1, "request_kind": "join", "channel": "x"}, format="json")
    assert field_errors(response)["request_kind"] == ["“join” không hợp lệ: chỉ nhận add, exit."]


def test_a_posting_shorter_than_the_campaigns_working_days_is_a_400_naming_posting_end(api, classified_case, officer_a):
    client = api(officer_a)
    assert move(client, classified_case, "meeting", **VALID["meeting"]).status_code == 200
    response = move(client, classified_case, "post", posting_start="2026-10-30", posting_end="2026-11-02")
    assert response.status_code == 400
    assert response.json()["code"] == "posting_too_short"
    assert "03/11/2026" in field_errors(response)["posting_end"][0]


BAD_REQUESTS = [
    ({"request_kind": "foo"}, "request_kind"),
    ({"request_kind": "exit"}, "request_kind"),  # only a listed household may register its exit
    ({"channel": "fax"}, "channel"),
    ({"filed_on": "2999-01-01"}, "filed_on"),
    ({"filed_on": MISSING}, "filed_on"),
    ({"household": MISSING}, "household"),
    ({"household": "hộ"}, "household"),
]


@pytest.mark.parametrize("change,field", BAD_REQUESTS)
def test_a_bad_request_is_a_400_naming_the_field(change, field, api, officer_a, household_a):
    body = {"household": household_a.pk, "request_kind": "add", "channel": "in_person", "filed_on": "2026-10-05"}
    body = {k: v for k, v in {**body, **change}.items() if v is not MISSING}
    response = api(officer_a).post(CASES, body, format="json")
    assert response.status_code == 400, response.content
    assert field in field_errors(response), response.json()
    assert not ReviewCase.objects.exists()


BAD_CALENDARS = [
    ({"steps": {"survey": "ngày mai"}}, "steps"),
    ({"steps": {"harvest": "2026-10-01"}}, "steps"),
    ({"steps": MISSING}, "steps"),
    ({"steps": ["survey"]}, "steps"),
    ({"posting_days": 0}, "posting_days"),
]


@pytest.mark.parametrize("change,field", BAD_CALENDARS)
def test_a_bad_calendar_is_a_400_naming_the_field(change, field, api, province_staff, listed_case):
    body = {k: v for k, v in {"steps": {"survey": "2026-10-20"}, **change}.items() if v is not MISSING}
    response = api(province_staff).post(f"{CAMPAIGNS}{listed_case.campaign_id}/calendar/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in fields_named(response), response.json()
    assert ReviewCampaign.objects.get(pk=listed_case.campaign_id).steps["survey"] == "2026-10-15"


@pytest.mark.parametrize("body", [{}, {"reported_on": "2999-01-01"}, {"reported_on": "10/11/2026"}])
def test_a_bad_campaign_report_is_a_400_naming_reported_on(body, api, officer_a, listed_case):
    response = api(officer_a).post(f"{CAMPAIGNS}{listed_case.campaign_id}/report/", body, format="json")
    assert response.status_code == 400, response.content
    assert "reported_on" in field_errors(response)


def test_a_stale_version_is_a_409_and_nothing_is_overwritten(api, classified_case, officer_a, district_staff):
    seen = classified_case.version
    first = api(officer_a).post(
        f"{CASES}{classified_case.pk}/meeting/", {"version": seen, **VALID["meeting"]}, format="json"
    )
    assert first.status_code == 200
    second = api(district_staff).post(
        f"{CASES}{classified_case.pk}/meeting/",
        {"version": seen, "meeting_date": "2026-10-21", "attendees": 10, "agreeing": 1},
        format="json",
    )
    assert second.status_code == 409
    assert (second.json()["code"], "version" in field_errors(second)) == ("stale_version", True)
    case = ReviewCase.objects.get(pk=classified_case.pk)
    assert (case.state, case.meeting_attendees, case.version) == ("agreed", 40, first.json()["version"])


def test_a_forbidden_move_is_a_400_with_its_code(api, classified_case, officer_a):
    response = move(api(officer_a), classified_case, "post", posting_start="2026-10-26")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "forbidden_move"
    assert "ghi kết quả họp thôn" in body["fields"]["state"][0]  # names what is allowed instead


def test_a_case_outside_the_users_scope_is_a_404(api, classified_case, officer_b):
    client = api(officer_b)
    assert client.get(f"{CASES}{classified_case.pk}/").status_code == 404
    assert move(client, classified_case, "meeting", **VALID["meeting"]).status_code == 404
    assert move(client, classified_case, "meeting", attendees=-1).status_code == 404  # before reading the input
    assert client.get(f"{CAMPAIGNS}{classified_case.campaign_id}/").status_code == 404
    assert client.get(f"{CASES}abc/").status_code == 404
    assert client.get(CASES).json()["count"] == 0


@pytest.mark.parametrize(("value", "late"), [("true", True), ("false", False)])
def test_the_overdue_filter_is_a_boolean(value, late, api, officer_a, listed_case):
    ids = [c["id"] for c in api(officer_a).get(CASES, {"overdue": value}).json()["results"]]
    assert ids == ([listed_case.pk] if late else [])  # its survey was due 15/10/2026


@pytest.mark.parametrize("value", ["yes", "no", "1", "True"])
def test_the_overdue_filter_refuses_what_is_not_a_boolean(value, api, officer_a, listed_case):
    # the schema says boolean: a generated client sends true or false, and anything else is a 400, not a guess
    response = api(officer_a).get(CASES, {"overdue": value})
    assert response.status_code == 400, response.content
    assert "overdue" in field_errors(response)
