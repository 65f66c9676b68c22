"""The program in the admin: a survey in one sitting with its result, the chair's decision, the household page."""

import datetime

import pytest
from django.test import Client

from households.models import AuditEntry, Household, Member
from programs.models import Assessment, StatusChange

ADD = "/admin/programs/assessment/add/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def survey_form(household, **extra):
    data = {
        "household": household.pk,
        "standard_code": "",
        "review_year": "2026",
        "review_kind": "periodic",
        "review_month": "0",
        "survey_date": "20/09/2026",
        "surveyor_name": "Lò Văn Páo",
        "income_per_capita": "1200000",
        "point_a": "",
        "has_house": "true",
        "floor_area_m2": "60",
        "foundation_frame_durable": "true",
        "walls_durable": "true",
        "roof_durable": "true",
        "note": "",
    }
    for code, value in {"employment": "false", "water": "true", "sanitation": "true", "telecom": "true"}.items():
        data[f"answer_{code}"] = value
    data["answer_information_access"] = "false"
    data.update(extra)
    return data


@pytest.fixture
def ready_household(household_a):
    Member.objects.filter(household=household_a).update(
        health_insurance_number="DN4150000000001",
        health_insurance_valid_until=datetime.date(2026, 12, 31),
        education_level="upper_secondary",
    )
    Member.objects.filter(household=household_a, relation="child").update(schooling="lower_secondary")
    return household_a


@pytest.mark.django_db
def test_an_officer_fills_in_a_survey_and_sees_the_result_and_reasons(officer_a, ready_household):
    client = client_for(officer_a)
    page = client.get(ADD, {"household": ready_household.pk})
    assert page.status_code == 200 and "Thiếu hụt: nguồn nước sinh hoạt" in page.text
    response = client.post(ADD + f"?household={ready_household.pk}", survey_form(ready_household), follow=True)
    assert response.status_code == 200
    assessment = Assessment.objects.get(household=ready_household)
    assert assessment.category == "poor" and assessment.surveyor == officer_a
    assert response.redirect_chain[-1][0].endswith(f"/admin/programs/assessment/{assessment.pk}/change/")
    assert "Kết quả: Hộ nghèo" in response.text
    assert "thiếu hụt 3/12 chỉ số" in response.text  # the reasons on the result page


@pytest.mark.django_db
def test_an_unconfirmed_disagreement_is_a_form_error_and_nothing_is_saved(officer_a, ready_household):
    client = client_for(officer_a)
    data = survey_form(ready_household, answer_health_insurance="true")
    response = client.post(ADD, data)
    assert response.status_code == 200
    assert "cần xác nhận" in response.text and "bảo hiểm y tế" in response.text
    assert not Assessment.objects.exists()
    data["confirm_health_insurance"] = "true"
    assert client.post(ADD, data).status_code == 302
    assert Assessment.objects.get().deprived == ["health_insurance", "water", "sanitation", "telecom"]


@pytest.mark.django_db
def test_a_stunted_child_makes_the_household_deprived_in_nutrition(officer_a, ready_household):
    child = ready_household.members.get(relation="child")
    Member.objects.filter(pk=child.pk).update(date_of_birth=datetime.date(2015, 3, 1))  # 11 on the survey date
    client_for(officer_a).post(ADD, survey_form(ready_household, stunted=[child.pk]))
    assert "nutrition" in Assessment.objects.get().deprived


@pytest.mark.django_db
def test_surveys_of_other_communes_are_out_of_reach(officer_b, officer_a, ready_household, household_b):
    client_for(officer_a).post(ADD, survey_form(ready_household))
    assessment = Assessment.objects.get()
    client = client_for(officer_b)
    assert client.get(f"/admin/programs/assessment/{assessment.pk}/change/").status_code == 404
    assert ready_household.code not in client.get("/admin/programs/assessment/").text
    response = client.post(ADD, survey_form(ready_household))
    assert response.status_code == 200 and Assessment.objects.count() == 1


@pytest.mark.django_db
def test_the_chair_records_the_decision_and_the_status_follows(chair_a, officer_a, ready_household):
    client_for(officer_a).post(ADD, survey_form(ready_household))
    assessment = Assessment.objects.get()
    chair = client_for(chair_a)
    form = {
        "household": ready_household.pk,
        "to_status": "poor",
        "effective_date": "01/10/2026",
        "decision_number": "12/QĐ-UBND",
        "assessment": assessment.pk,
        "reason": "Kết quả rà soát 2026",
    }
    assert chair.post("/admin/programs/statuschange/add/", form).status_code == 302
    household = Household.objects.get(pk=ready_household.pk)
    assert household.status == "poor" and household.status_since == datetime.date(2026, 10, 1)
    change = StatusChange.objects.get()
    assert change.event == "newly_poor" and change.recorded_by == chair_a
    page = chair.get(f"/admin/households/household/{ready_household.pk}/change/")
    assert "Hộ nghèo phát sinh" in page.text and "12/QĐ-UBND" in page.text
    assert AuditEntry.objects.filter(action="programs.status.newly_poor", actor=chair_a).exists()


@pytest.mark.django_db
def test_a_bad_decision_is_a_form_error(chair_a, ready_household):
    form = {
        "household": ready_household.pk,
        "to_status": "not_poor",
        "effective_date": "01/10/2026",
        "decision_number": "1",
    }
    response = client_for(chair_a).post("/admin/programs/statuschange/add/", form)
    assert response.status_code == 200 and "trùng tình trạng hiện tại" in response.text
    assert not StatusChange.objects.exists()


@pytest.mark.django_db
def test_officers_cannot_record_decisions_and_chairs_cannot_record_surveys(officer_a, chair_a):
    assert client_for(officer_a).get("/admin/programs/statuschange/add/").status_code == 403
    assert client_for(chair_a).get(ADD).status_code == 403


@pytest.mark.django_db
def test_the_household_page_links_to_the_review(officer_a, household_a):
    page = client_for(officer_a).get(f"/admin/households/household/{household_a.pk}/change/")
    assert f"/admin/programs/assessment/add/?household={household_a.pk}" in page.text


@pytest.mark.django_db
def test_standards_are_read_only_for_officers(officer_a, admin_user):
    assert client_for(officer_a).get("/admin/programs/povertystandard/").status_code == 200
    page = client_for(officer_a).get("/admin/programs/povertystandard/2/change/")
    assert page.status_code == 200 and 'name="rural_poor_line"' not in page.text
    assert 'name="rural_poor_line"' in client_for(admin_user).get("/admin/programs/povertystandard/2/change/").text


@pytest.mark.django_db
def test_add_pages_do_not_show_other_communes_data(officer_a, chair_a, chair_b_setup, household_b):
    child = household_b.members.get(relation="child")
    Member.objects.filter(pk=child.pk).update(date_of_birth=datetime.date(2015, 3, 1))
    page = client_for(officer_a).get(ADD, {"household": household_b.pk})
    assert child.full_name not in page.text
    decision_page = client_for(chair_a).get("/admin/programs/statuschange/add/", {"household": household_b.pk})
    assert household_b.code not in decision_page.text


@pytest.fixture
def chair_b_setup(officer_b, household_b):
    """Household B surveyed by its own officer, so that it has an assessment to (not) leak."""
    Member.objects.filter(household=household_b).update(
        health_insurance_number="DN4150000000001", health_insurance_valid_until=datetime.date(2026, 12, 31)
    )
    client_for(officer_b).post(
        ADD, survey_form(household_b, confirm_adult_education="false", confirm_child_schooling="false")
    )
    assert Assessment.objects.filter(household=household_b).exists()


@pytest.mark.django_db
def test_the_household_page_shows_the_newly_escaped_window(chair_a, officer_a, household_a, household_b):
    from programs.standards import services

    today = datetime.date.today()
    services.record_status_change(
        actor=chair_a, household_id=household_a.pk, to_status="poor", effective_date=today.replace(year=today.year - 2),
        decision_number="1/QĐ",
    )  # fmt: skip
    services.record_status_change(
        actor=chair_a, household_id=household_a.pk, to_status="not_poor", effective_date=today, decision_number="2/QĐ"
    )
    page = client_for(officer_a).get(f"/admin/households/household/{household_a.pk}/change/")
    assert today.replace(year=today.year + 3).strftime("%d/%m/%Y") in page.text
    listed = client_for(officer_a).get("/admin/households/household/", {"newly_escaped": "yes"})
    assert household_a.code in listed.text
    assert (
        household_a.code not in client_for(officer_a).get("/admin/households/household/", {"newly_escaped": "no"}).text
    )
