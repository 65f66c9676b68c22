"""POST /api/v1/classify/ and the standards loaded by the data migration."""

import dataclasses

import pytest

from programs.standards import selectors
from tests.api_errors import field_errors, fields_named
from tests.programs.test_rules import STANDARDS

URL = "/api/v1/classify/"


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["VN-2016", "VN-2022", "VN-2027"])
def test_the_data_migration_loads_the_standards_of_domain_a1(code):
    loaded = selectors.standard_rule(code)
    assert dataclasses.replace(loaded, name="", legal_basis="") == STANDARDS[code]


@pytest.mark.django_db
def test_a_rural_household_under_the_line_with_two_deprivations_is_near_poor_with_its_reasons(api, district_staff):
    response = api(district_staff).post(
        URL,
        {
            "standard": "VN-2022",
            "area_type": "rural",
            "income_per_capita": 1400000,
            "deprivations": ["health_insurance", "housing_area"],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json() == {
        "standard": "VN-2022",
        "area_type": "rural",
        "category": "near_poor",
        "deprivation_count": 2,
        "deprived": ["health_insurance", "housing_area"],
        "point_b": 20,
        "income_line": 1500000,
        "reasons": [
            "thu nhập 1.400.000 đ/người/tháng ≤ chuẩn nghèo 1.500.000 đ (nông thôn, chuẩn VN-2022)",
            "thiếu hụt 2/12 chỉ số (điểm B = 20): bảo hiểm y tế, diện tích nhà ở bình quân đầu người",
            "2 < 3 chỉ số thiếu hụt: hộ cận nghèo",
        ],
    }


@pytest.mark.django_db
def test_what_would_this_household_be_under_2027(api, officer_a):
    body = {"area_type": "urban", "income_per_capita": 2500000, "deprivations": ["water", "sanitation", "telecom"]}
    now = api(officer_a).post(URL, {**body, "standard": "VN-2022"}, format="json").json()
    later = api(officer_a).post(URL, {**body, "standard": "VN-2027"}, format="json").json()
    assert (now["category"], later["category"]) == ("average", "poor")


@pytest.mark.django_db
def test_score_path(api, officer_a):
    body = {
        "standard": "VN-2022",
        "area_type": "urban",
        "point_a": 175,
        "deprivations": ["water", "sanitation", "telecom"],
    }
    assert api(officer_a).post(URL, body, format="json").json()["category"] == "poor"


@pytest.mark.django_db
def test_any_signed_in_user_may_classify_but_not_anonymous(api, outsider):
    body = {"standard": "VN-2022", "area_type": "rural", "income_per_capita": 1}
    assert api(outsider).post(URL, body, format="json").status_code == 200
    assert api(None).post(URL, body, format="json").status_code in (401, 403)


BAD = [
    ({"standard": "VN-1999"}, "standard"),
    ({"standard": None}, "standard"),
    ({"deprivations": ["flying"]}, "deprivations"),
    ({"deprivations": ["waste_treatment"]}, "deprivations"),
    ({"deprivations": "water"}, "deprivations"),
    ({"income_per_capita": -1}, "income_per_capita"),
    ({"income_per_capita": "nhiều"}, "income_per_capita"),
    ({"income_per_capita": None}, "income_per_capita"),
    ({"area_type": "suburban"}, "area_type"),
    ({"standard": "VN-2016", "income_per_capita": None, "point_a": 120}, "point_a"),
    ({"standard": "VN-2027", "income_per_capita": None, "point_a": 120}, "point_a"),
    ({"point_a": 120}, "point_a"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("change,field", BAD)
def test_bad_input_is_a_400_naming_the_field(change, field, api, officer_a):
    body = {"standard": "VN-2022", "area_type": "rural", "income_per_capita": 1000000, "deprivations": []}
    body.update(change)
    response = api(officer_a).post(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert field in field_errors(response), response.json()


@pytest.mark.django_db
def test_standards_are_listed_for_officers(api, officer_a, outsider):
    response = api(officer_a).get("/api/v1/standards/")
    assert [s["code"] for s in response.json()["results"]] == ["VN-2016", "VN-2022", "VN-2027"]
    assert response.json()["results"][1]["indicators"][-1] == "information_access"
    assert api(outsider).get("/api/v1/standards/").status_code == 403


FACTS = {
    "survey_date": "2026-09-20",
    "members": [
        {"date_of_birth": "1980-01-01", "has_valid_health_insurance": False, "education_level": "upper_secondary"},
        {"date_of_birth": "2015-01-01", "has_valid_health_insurance": True, "schooling": "primary", "stunted": True,
         "underweight": False},
    ],
    "dwelling": {"has_house": True, "floor_area_m2": 12, "foundation_frame_durable": True, "walls_durable": True,
                 "roof_durable": True},
    "answers": {"employment": False, "water": False, "sanitation": False, "telecom": False,
                "information_access": False},
}  # fmt: skip


@pytest.mark.django_db
def test_classify_from_facts_derives_the_deprivations(api, district_staff):
    body = {"standard": "VN-2022", "area_type": "rural", "income_per_capita": 1_400_000, "facts": FACTS}
    response = api(district_staff).post(URL, body, format="json")
    assert response.status_code == 200, response.content
    result = response.json()
    # the adult (46) is uninsured, the 11-year-old is stunted, 12 m² for 2 people is under 8 m² each
    assert result["deprived"] == ["nutrition", "health_insurance", "housing_area"]
    assert result["category"] == "poor"
    assert result["derived"]["dependants"] is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change,field",
    [
        ({"deprivations": ["water"]}, "deprivations"),
        ({"facts": {**FACTS, "members": []}}, "facts"),
        ({"facts": {**FACTS, "answers": {"waste_treatment": True}}}, "answers"),
        ({"facts": {**FACTS, "answers": {}}}, "answers"),
        ({"facts": {**FACTS, "answers": {**FACTS["answers"], "health_insurance": False}}}, "confirmed"),
        ({"facts": {**FACTS, "dwelling": {"floor_area_m2": -1}}}, "dwelling"),
        ({"facts": {**FACTS, "survey_date": "yesterday"}}, "facts"),
    ],
)
def test_classify_from_bad_facts(change, field, api, officer_a):
    body = {"standard": "VN-2022", "area_type": "rural", "income_per_capita": 1_400_000, "facts": FACTS}
    body.update(change)
    response = api(officer_a).post(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert field in fields_named(response)


@pytest.mark.django_db
@pytest.mark.parametrize("area", ["NaN", "sNaN", "-NaN", "Infinity"])
def test_classify_from_facts_refuses_non_numbers(area, api, officer_a):
    facts = {**FACTS, "dwelling": {**FACTS["dwelling"], "floor_area_m2": area}}
    body = {"standard": "VN-2022", "area_type": "rural", "income_per_capita": 1_400_000, "facts": facts}
    response = api(officer_a).post(URL, body, format="json")
    assert response.status_code == 400 and "dwelling" in field_errors(response)


@pytest.mark.django_db
def test_classify_from_facts_ignores_members_born_after_the_survey(api, officer_a):
    baby = {"date_of_birth": "2027-01-01", "has_valid_health_insurance": False}
    facts = {**FACTS, "members": [*FACTS["members"], baby]}
    body = {"standard": "VN-2022", "area_type": "rural", "income_per_capita": 1_400_000, "facts": facts}
    with_baby = api(officer_a).post(URL, body, format="json").json()
    without = api(officer_a).post(URL, {**body, "facts": FACTS}, format="json").json()
    assert with_baby["deprived"] == without["deprived"]
