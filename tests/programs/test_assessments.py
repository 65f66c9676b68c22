"""Assessments (surveys with their classification) and the status history, through the API."""

import datetime

import pytest
from django.utils import timezone

from households import rules as access
from households.models import AuditEntry, Household, Member, User
from programs import rules
from programs.models import Assessment, StatusChange
from tests.api_errors import field_errors, fields_named

URL = "/api/v1/assessments/"
STATUS_URL = "/api/v1/status-changes/"
SURVEY_DAY = datetime.date(2026, 9, 20)

# The surveyor's answers for the indicators the system does not derive (VN-2022).
ANSWERED_NONE = {
    "employment": False,
    "water": False,
    "sanitation": False,
    "telecom": False,
    "information_access": False,
}


def payload(household, **extra):
    body = {
        "household": household.pk,
        "review_year": 2026,
        "survey_date": SURVEY_DAY.isoformat(),
        "income_per_capita": 1_200_000,
        "dwelling": {
            "has_house": True,
            "floor_area_m2": "60",
            "foundation_frame_durable": True,
            "walls_durable": True,
            "roof_durable": True,
        },
        "members": [{"member": m.pk, "stunted": False, "underweight": False} for m in household.members.all()],
        "answers": dict(ANSWERED_NONE),
    }
    body.update(extra)
    return body


@pytest.fixture
def insured_household(household_a):
    """Household A with every member insured and at school where they should be: deprived in nothing derived."""
    Member.objects.filter(household=household_a).update(
        health_insurance_number="DN4150000000001",
        health_insurance_valid_until=datetime.date(2026, 12, 31),
        education_level="upper_secondary",
    )
    Member.objects.filter(household=household_a, relation="child").update(schooling="lower_secondary")
    return household_a


@pytest.mark.django_db
def test_an_officer_records_a_survey_and_sees_the_classification(api, officer_a, insured_household):
    body = payload(insured_household, answers={**ANSWERED_NONE, "water": True, "sanitation": True, "telecom": True})
    response = api(officer_a).post(URL, body, format="json")
    assert response.status_code == 201, response.content
    result = response.json()
    assert result["standard"] == "VN-2022"  # in force on the survey date
    assert result["category"] == "poor"
    assert result["deprived"] == ["water", "sanitation", "telecom"]
    assert result["point_b"] == 30
    assert result["reasons"][0].startswith("thu nhập 1.200.000 đ/người/tháng ≤ chuẩn nghèo")
    assert result["derived"]["health_insurance"] is False
    assert result["surveyor"] == officer_a.username
    assert len(result["member_facts"]) == 2
    entry = AuditEntry.objects.get(action="programs.assessment.recorded", object_id=str(result["id"]))
    assert entry.actor == officer_a and entry.changes["category"] == [None, "poor"]
    # Recording a survey does not change the household's status: only a recognition decision does.
    assert Household.objects.get(pk=insured_household.pk).status == "not_poor"


@pytest.mark.django_db
def test_deprivations_are_derived_from_member_and_dwelling_facts(api, officer_a, household_a):
    # Nobody insured (both members are 6+), 10 m² for 2 people (< 8 m² each? no: 5 m² each), 2 weak structures.
    body = payload(
        household_a,
        dwelling={"has_house": True, "floor_area_m2": "10", "walls_durable": False, "roof_durable": False},
    )
    result = api(officer_a).post(URL, body, format="json").json()
    assert result["derived"]["health_insurance"] is True
    assert result["derived"]["housing_area"] is True
    assert result["derived"]["housing_quality"] is True
    assert set(result["deprived"]) >= {"health_insurance", "housing_area", "housing_quality"}
    assert result["category"] == "poor"


@pytest.mark.django_db
def test_a_disagreement_must_be_confirmed(api, officer_a, household_a):
    body = payload(household_a, answers={**ANSWERED_NONE, "health_insurance": False})
    refused = api(officer_a).post(URL, body, format="json")
    assert refused.status_code == 400
    assert "bảo hiểm y tế" in field_errors(refused)["confirmed"][0]
    assert not Assessment.objects.exists()
    body["confirmed"] = {"health_insurance": False}
    accepted = api(officer_a).post(URL, body, format="json")
    assert accepted.status_code == 201, accepted.content
    result = accepted.json()
    assert result["disagreements"][0]["indicator"] == "health_insurance"
    assert "health_insurance" not in result["deprived"]


@pytest.mark.django_db
def test_a_missing_answer_is_named(api, officer_a, insured_household):
    answers = dict(ANSWERED_NONE)
    del answers["water"]
    response = api(officer_a).post(URL, payload(insured_household, answers=answers), format="json")
    assert response.status_code == 400
    assert "nguồn nước sinh hoạt" in field_errors(response)["answers"][0]


@pytest.mark.django_db
def test_a_second_survey_of_the_same_review_supersedes_without_overwriting(api, officer_a, insured_household):
    client = api(officer_a)
    first = client.post(URL, payload(insured_household), format="json").json()
    second = client.post(URL, payload(insured_household, income_per_capita=3_500_000), format="json").json()
    old = Assessment.objects.get(pk=first["id"])
    assert old.is_current is False and old.superseded_by_id == second["id"]
    assert old.category == "near_poor" and second["category"] == "not_poor"
    current = client.get(URL, {"household": insured_household.pk, "is_current": "true"}).json()
    assert [a["id"] for a in current["results"]] == [second["id"]]
    other_review = client.post(URL, payload(insured_household, review_year=2025), format="json")
    assert other_review.status_code == 201
    assert Assessment.objects.filter(household=insured_household, is_current=True).count() == 2


@pytest.mark.django_db
def test_score_path_and_a_named_standard(api, officer_a, insured_household):
    body = payload(insured_household, income_per_capita=None, point_a=150, standard="VN-2022")
    result = api(officer_a).post(URL, body, format="json").json()
    assert result["category"] == "near_poor"  # commune A is a ward: urban threshold 175
    body = payload(insured_household, standard="VN-2027", answers={**ANSWERED_NONE, "waste_treatment": False})
    del body["answers"]["information_access"]
    assert api(officer_a).post(URL, body, format="json").json()["standard"] == "VN-2027"


BAD = [
    ({"household": 999999999}, "household", 404),
    ({"survey_date": "2099-01-01"}, "survey_date", 400),
    ({"survey_date": "20/09/2026"}, "survey_date", 400),
    ({"income_per_capita": -5}, "income_per_capita", 400),
    ({"income_per_capita": None}, "income_per_capita", 400),
    ({"point_a": 100}, "point_a", 400),
    ({"standard": "VN-1999"}, "standard", 400),
    ({"answers": {**ANSWERED_NONE, "waste_treatment": True}}, "answers", 400),
    ({"answers": {"flying": True}}, "answers", 400),
    ({"review_kind": "monthly", "review_month": 0}, "review_month", 400),
    ({"review_kind": "yearly"}, "review_kind", 400),
    ({"members": [{"member": 999999999, "stunted": True}]}, "members", 400),
    ({"dwelling": {"floor_area_m2": "-3"}}, "dwelling", 400),
    ({"dwelling": {"floor_area_m2": "nhiều"}}, "dwelling", 400),
    ({"review_year": 1990}, "review_year", 400),
]


@pytest.mark.django_db
@pytest.mark.parametrize("change,field,status", BAD)
def test_bad_surveys_are_refused_naming_the_field(change, field, status, api, officer_a, insured_household):
    response = api(officer_a).post(URL, {**payload(insured_household), **change}, format="json")
    assert response.status_code == status, response.content
    if status == 400:
        assert field in fields_named(response), response.json()
    assert not Assessment.objects.exists()


@pytest.mark.django_db
def test_assessments_are_scoped_like_households(api, officer_a, officer_b, chair_a, insured_household):
    created = api(officer_a).post(URL, payload(insured_household), format="json").json()
    assert api(officer_b).get(f"{URL}{created['id']}/").status_code == 404
    assert api(officer_b).get(URL).json()["count"] == 0
    assert api(officer_b).post(URL, payload(insured_household), format="json").status_code == 404
    assert api(chair_a).get(f"{URL}{created['id']}/").status_code == 200
    assert api(chair_a).post(URL, payload(insured_household), format="json").status_code == 403


# --- status history ------------------------------------------------------------------------------


def recognise(api, chair, household, to_status, day, assessment=None, number="01/QĐ-UBND"):
    body = {
        "household": household.pk,
        "to_status": to_status,
        "effective_date": day.isoformat(),
        "decision_number": number,
    }
    if assessment:
        body["assessment"] = assessment
    return api(chair).post(STATUS_URL, body, format="json")


@pytest.mark.django_db
def test_the_life_of_a_household_newly_poor_escaped_and_relapsed(api, chair_a, officer_a, household_a):
    steps = [
        ("poor", datetime.date(2022, 12, 10), "newly_poor"),
        ("near_poor", datetime.date(2023, 12, 10), "escaped_poverty"),
        ("not_poor", datetime.date(2024, 12, 10), "escaped_near_poverty"),
        ("poor", datetime.date(2025, 12, 10), "relapsed_poor"),
    ]
    for to_status, day, event in steps:
        response = recognise(api, chair_a, household_a, to_status, day)
        assert response.status_code == 201, response.content
        assert response.json()["event"] == event
    household = Household.objects.get(pk=household_a.pk)
    assert (household.status, household.status_since, household.ever_poor) == (
        "poor",
        datetime.date(2025, 12, 10),
        True,
    )
    detail = api(officer_a).get(f"/api/v1/households/{household_a.pk}/").json()
    assert detail["ever_poor"] is True
    assert detail["newly_escaped_until"] is None  # back on the lists: not newly escaped
    # poor in 2022 and 2023, then again from December 2025 to today
    assert detail["years_in_poverty"] == 2 + (timezone.localdate().year - 2025 + 1)
    actions = AuditEntry.objects.filter(household=household_a, action__startswith="programs.status.")
    assert actions.count() == 4 and all(e.actor == chair_a for e in actions)


@pytest.mark.django_db
def test_leaving_the_lists_opens_the_newly_escaped_window(
    api, chair_a, province_staff, household_a, household_b, make_household, commune_a, village_a
):
    day = timezone.localdate() - datetime.timedelta(days=30)
    recognise(api, chair_a, household_a, "poor", day - datetime.timedelta(days=400))
    response = recognise(api, chair_a, household_a, "not_poor", day)
    assert response.json()["event"] == "escaped_poverty"
    detail = api(province_staff).get(f"/api/v1/households/{household_a.pk}/").json()
    assert detail["newly_escaped_until"] == day.replace(year=day.year + 3).isoformat()
    listed = api(province_staff).get("/api/v1/households/", {"newly_escaped": "true"}).json()
    assert [h["id"] for h in listed["results"]] == [household_a.pk]
    assert [
        h["id"] for h in api(province_staff).get("/api/v1/households/", {"ever_poor": "true"}).json()["results"]
    ] == [household_a.pk]
    # the window is 36 months (domain A5, rules.NEWLY_ESCAPED_MONTHS): a household that left the lists 36 months
    # ago today is out of it, one that left the day after is still in it
    today = timezone.localdate()
    since = rules.add_months(today, -36)
    out, last = make_household(commune_a, "Lê Văn Tám"), make_household(commune_a, "Lê Văn Chín")
    for household, left in ((out, since), (last, since + datetime.timedelta(days=1))):
        recognise(api, chair_a, household, "poor", since - datetime.timedelta(days=400))
        assert recognise(api, chair_a, household, "not_poor", left).status_code == 201
    listed = api(province_staff).get("/api/v1/households/", {"newly_escaped": "true"}).json()["results"]
    assert sorted(h["id"] for h in listed) == sorted([household_a.pk, last.pk])
    others = api(province_staff).get("/api/v1/households/", {"newly_escaped": "false"}).json()["results"]
    assert {h["id"] for h in others} == {household_b.pk, out.pk}
    detail = api(province_staff).get(f"/api/v1/households/{out.pk}/").json()
    assert detail["newly_escaped_until"] == rules.add_months(since, 36).isoformat()


@pytest.mark.django_db
def test_a_household_first_near_poor_then_poor_is_not_a_relapse(api, chair_a, household_a):
    assert (
        recognise(api, chair_a, household_a, "near_poor", datetime.date(2024, 1, 5)).json()["event"]
        == "newly_near_poor"
    )
    assert recognise(api, chair_a, household_a, "poor", datetime.date(2025, 1, 5)).json()["event"] == "became_poor"


@pytest.mark.django_db
def test_relapse_into_near_poverty(api, chair_a, household_a):
    recognise(api, chair_a, household_a, "near_poor", datetime.date(2023, 1, 5))
    recognise(api, chair_a, household_a, "not_poor", datetime.date(2024, 1, 5))
    assert (
        recognise(api, chair_a, household_a, "near_poor", datetime.date(2025, 1, 5)).json()["event"]
        == "relapsed_near_poor"
    )


@pytest.mark.django_db
def test_the_status_follows_the_assessment_behind_it(api, chair_a, officer_a, insured_household):
    body = payload(insured_household, answers={**ANSWERED_NONE, "water": True, "sanitation": True, "telecom": True})
    assessment = api(officer_a).post(URL, body, format="json").json()
    mismatch = recognise(api, chair_a, insured_household, "near_poor", SURVEY_DAY, assessment=assessment["id"])
    assert mismatch.status_code == 400 and "to_status" in field_errors(mismatch)
    ok = recognise(api, chair_a, insured_household, "poor", SURVEY_DAY, assessment=assessment["id"])
    assert ok.status_code == 201 and ok.json()["assessment"] == assessment["id"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body,field",
    [
        ({"to_status": "not_poor"}, "to_status"),
        ({"to_status": "rich"}, "to_status"),
        ({"decision_number": "  "}, "decision_number"),
        ({"effective_date": "2099-01-01"}, "effective_date"),
        ({"assessment": 999999999}, "assessment"),
    ],
)
def test_bad_status_changes_are_refused(body, field, api, chair_a, household_a):
    full = {
        "household": household_a.pk,
        "to_status": "poor",
        "effective_date": "2025-12-01",
        "decision_number": "05/QĐ",
    }
    full.update(body)
    response = api(chair_a).post(STATUS_URL, full, format="json")
    assert response.status_code == 400, response.content
    assert field in field_errors(response)
    assert not StatusChange.objects.exists()
    assert Household.objects.get(pk=household_a.pk).status == "not_poor"


@pytest.mark.django_db
def test_a_decision_older_than_the_current_status_is_refused(api, chair_a, household_a):
    recognise(api, chair_a, household_a, "poor", datetime.date(2025, 12, 1))
    response = recognise(api, chair_a, household_a, "near_poor", datetime.date(2025, 1, 1))
    assert response.status_code == 400 and "effective_date" in field_errors(response)


@pytest.mark.django_db
def test_only_the_chair_recognises_and_only_in_her_commune(api, officer_a, chair_a, household_b):
    assert recognise(api, officer_a, household_b, "poor", datetime.date(2025, 1, 1)).status_code == 403
    assert recognise(api, chair_a, household_b, "poor", datetime.date(2025, 1, 1)).status_code == 404


@pytest.mark.django_db
def test_a_superuser_does_not_decide_a_status_and_keeps_the_other_rights(api, household_a):
    root = User.objects.create_superuser(username="sieuquantri", password="pw-sieuquantri")
    response = recognise(api, root, household_a, "poor", datetime.date(2025, 1, 1))
    assert response.status_code == 403
    assert not StatusChange.objects.exists()
    assert Household.objects.get(pk=household_a.pk).status == "not_poor"
    assert not root.has_right(access.REVIEW_DECIDE) and root.has_right(access.USER_MANAGE)
    assert api(root).get("/api/v1/households/").status_code == 200


@pytest.mark.django_db
def test_status_history_is_listed_in_scope(api, chair_a, officer_b, officer_a, household_a):
    recognise(api, chair_a, household_a, "poor", datetime.date(2025, 1, 1))
    assert api(officer_a).get(STATUS_URL, {"household": household_a.pk}).json()["count"] == 1
    assert api(officer_b).get(STATUS_URL).json()["count"] == 0


@pytest.mark.django_db
def test_status_is_still_read_only_on_the_household(api, officer_a, household_a):
    api(officer_a).patch(f"/api/v1/households/{household_a.pk}/", {"version": 1, "status": "poor"}, format="json")
    assert Household.objects.get(pk=household_a.pk).status == "not_poor"
    assert not StatusChange.objects.exists()


@pytest.mark.django_db
def test_members_born_after_the_survey_are_not_counted(api, officer_a, insured_household):
    baby = Member.objects.filter(household=insured_household, relation="child").get()
    Member.objects.filter(pk=baby.pk).update(date_of_birth=SURVEY_DAY + datetime.timedelta(days=10))
    body = payload(insured_household, members=[])
    result = api(officer_a).post(URL, body, format="json").json()
    assert [m["member"] for m in result["member_facts"]] == [insured_household.head_id]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change,field",
    [({"income_per_capita": 10**30}, "income_per_capita"), ({"point_a": 10**12, "income_per_capita": None}, "point_a")],
)
def test_overflowing_numbers_are_a_400(change, field, api, officer_a, insured_household):
    response = api(officer_a).post(URL, {**payload(insured_household), **change}, format="json")
    assert response.status_code == 400 and field in field_errors(response)
    assert not Assessment.objects.exists()


@pytest.mark.django_db
def test_decisions_before_any_standard_or_before_the_survey_are_refused(api, chair_a, officer_a, insured_household):
    far = recognise(api, chair_a, insured_household, "poor", datetime.date(1, 1, 1))
    assert far.status_code == 400 and "effective_date" in field_errors(far)
    body = payload(insured_household, answers={**ANSWERED_NONE, "water": True, "sanitation": True, "telecom": True})
    assessment = api(officer_a).post(URL, body, format="json").json()
    early = recognise(
        api, chair_a, insured_household, "poor", SURVEY_DAY - datetime.timedelta(days=1), assessment["id"]
    )
    assert early.status_code == 400 and "effective_date" in field_errors(early)
    assert Household.objects.get(pk=insured_household.pk).status == "not_poor"


@pytest.mark.django_db
def test_a_superseded_survey_cannot_back_a_decision(api, chair_a, officer_a, insured_household):
    body = payload(insured_household, answers={**ANSWERED_NONE, "water": True, "sanitation": True, "telecom": True})
    first = api(officer_a).post(URL, body, format="json").json()
    api(officer_a).post(URL, body, format="json")
    response = recognise(api, chair_a, insured_household, "poor", SURVEY_DAY, first["id"])
    assert response.status_code == 400 and "assessment" in field_errors(response)


@pytest.mark.django_db
def test_a_huge_year_filter_is_a_400(api, officer_a):
    assert api(officer_a).get(STATUS_URL, {"year": "99999999999999999999"}).status_code == 400
    assert api(officer_a).get(URL, {"review_year": "99999999999999999999"}).status_code == 400


@pytest.mark.django_db
def test_the_routed_household_endpoints_are_the_registrys_with_the_programs_status_flags(
    api, officer_a, commune_a, household_a
):
    from config.urls import router
    from households.api import HouseholdViewSet, household_api
    from programs.standards.api import HOUSEHOLD_STATUS

    assert {prefix: viewset for prefix, viewset, _ in router.registry}["households"] is HouseholdViewSet
    assert household_api().serializer.__name__ == "HouseholdStatusSerializer"  # the schema's HouseholdStatus
    assert HOUSEHOLD_STATUS.filters is not None and "newly_escaped" in household_api().filterset.base_filters
    flags = {"ever_poor": False, "left_lists_on": None, "newly_escaped_until": None, "years_in_poverty": 0}
    client = api(officer_a)
    body = {
        "commune": commune_a.pk,
        "members": [
            {
                "full_name": "Lò Văn Páo",
                "date_of_birth": "1980-05-17",
                "sex": "male",
                "ethnicity": "01",
                "relation": "head",
            }
        ],
    }
    created = client.post("/api/v1/households/", body, format="json")
    assert created.status_code == 201, created.content
    assert {name: created.json()[name] for name in flags} == flags
    changed = client.patch(f"/api/v1/households/{household_a.pk}/", {"version": 1, "address": "Số 7"}, format="json")
    assert {name: changed.json()[name] for name in flags} == flags
    listed = client.get("/api/v1/households/").json()["results"]
    assert all({name: row[name] for name in flags} == flags for row in listed) and len(listed) == 2
