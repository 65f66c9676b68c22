"""The survey in the admin as an officer meets it (issue 13, points 3 and 5; STYLE 33).

The form shows exactly the indicators of the standard the survey applies (the commune's campaign, else the one in
force on the survey date), with the standard's own names; it asks for a confirmation only where the system's
derivation and the surveyor's answer differ, and says what each answer means. The result page reads as a document:
labelled tables with ✓ and ✗, money as "1.200.000 đ", no JSON, no English keys, no fields that do not apply."""

import datetime
import re
from html import unescape

import pytest
from django.test import Client

from households.models import Member
from programs.models import Assessment, Indicator
from programs.standards import services
from tests.programs.review_helpers import insure, open_review

pytestmark = pytest.mark.django_db

ADD = "/admin/programs/assessment/add/"
VN2027_ANSWERED = {"employment": "false", "water": "true", "sanitation": "true", "waste_treatment": "false"}
JSON_AND_CODES = ('{"', "[{", '["', ": true", ": false", "null", "has_house", "floor_area_m2", "full_name")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def main_of(response) -> str:
    return response.content.decode().split('id="content-main"')[-1]


def fields_of(response) -> set[str]:
    return set(re.findall(r'name="((?:answer|confirm)_\w+)"', response.content.decode()))


@pytest.fixture
def ready_household(household_a):
    insure(household_a)  # every member has a valid card: the system derives "not deprived" in health insurance
    return household_a


@pytest.fixture
def reviewed(ready_household):
    """Commune A's 2026 periodic review is open: its standard is VN-2027 (12 indicators, A1)."""
    open_review(ready_household.commune)
    return ready_household


def survey_form(household, standard_shown: str | None = "VN-2027", **extra) -> dict:
    data = {
        "household": household.pk,
        "standard_code": "",
        "review_year": "2026",
        "review_kind": "periodic",
        "review_month": "0",
        "survey_date": "01/10/2026",
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
    if standard_shown is not None:
        data["indicators_of"] = standard_shown
    data |= {f"answer_{code}": value for code, value in VN2027_ANSWERED.items()}
    data["answer_telecom"] = "true"
    return data | extra


def test_the_form_shows_exactly_the_indicators_of_the_reviews_standard(officer_a, reviewed):
    page = client_for(officer_a).get(ADD, {"household": reviewed.pk, "review_year": "2026"})
    assert page.status_code == 200
    text = text_of(page)
    assert "Chỉ số thiếu hụt theo chuẩn VN-2027 (12 chỉ số)" in text
    answers = {name for name in fields_of(page) if name.startswith("answer_")}
    assert len(answers) == 12
    assert "answer_waste_treatment" in answers
    assert not {"answer_healthcare_access", "answer_information_access"} & answers
    assert not [name for name in fields_of(page) if name.startswith("confirm_")]  # nothing to confirm yet
    assert "Thiếu hụt: xử lý rác thải" in text and "tiếp cận các dịch vụ y tế" not in text


def test_without_a_review_the_form_follows_the_standard_in_force_on_the_survey_date(officer_a, ready_household):
    page = client_for(officer_a).get(ADD, {"household": ready_household.pk, "survey_date": "20/09/2026"})
    text = text_of(page)
    assert "Chỉ số thiếu hụt theo chuẩn VN-2022 (12 chỉ số)" in text
    assert "chuẩn áp dụng ngày khảo sát 20/09/2026" in text
    assert "answer_information_access" in fields_of(page) and "answer_waste_treatment" not in fields_of(page)


def test_the_form_names_each_indicator_as_its_standard_does(officer_a, admin_user, reviewed):
    water = Indicator.objects.get(code="water")
    services.change_indicator(actor=admin_user, indicator_id=water.pk, data={"name": "nước sinh hoạt hợp vệ sinh"})
    text = text_of(client_for(officer_a).get(ADD, {"household": reviewed.pk}))
    assert "Thiếu hụt: nước sinh hoạt hợp vệ sinh" in text and "water" not in text


def test_a_disagreement_asks_for_one_confirmation_that_says_what_each_answer_means(officer_a, reviewed):
    client = client_for(officer_a)
    data = survey_form(reviewed, answer_health_insurance="true")  # the cards say otherwise
    refused = client.post(ADD, data)
    assert refused.status_code == 200 and not Assessment.objects.exists()
    assert [name for name in fields_of(refused) if name.startswith("confirm_")] == ["confirm_health_insurance"]
    text = text_of(refused)
    assert "Xác nhận: bảo hiểm y tế" in text
    assert "Có = hộ thiếu hụt chỉ số này" in text and "Không = hộ không thiếu hụt chỉ số này" in text
    assert "Hệ thống tính “không thiếu hụt”, người khảo sát ghi “thiếu hụt”" in text
    assert "health_insurance" not in text
    saved = client.post(ADD, data | {"confirm_health_insurance": "true"})
    assert saved.status_code == 302
    assessment = Assessment.objects.get()
    assert assessment.confirmed == {"health_insurance": True} and "health_insurance" in assessment.deprived
    assert assessment.standard.code == "VN-2027"


def test_a_page_showing_another_standards_indicators_is_refused_and_shown_again(officer_a, reviewed):
    client = client_for(officer_a)
    stale = survey_form(reviewed, standard_shown="VN-2022")  # the page was built for another date or review
    refused = client.post(ADD, stale)
    assert refused.status_code == 200 and not Assessment.objects.exists()
    text = text_of(refused)
    assert "áp dụng chuẩn VN-2027 (12 chỉ số), không phải chuẩn VN-2022" in text
    assert "answer_waste_treatment" in fields_of(refused)
    assert 'name="indicators_of" value="VN-2027"' in refused.content.decode()
    assert client.post(ADD, stale | {"indicators_of": "VN-2027"}).status_code == 302


def test_the_result_page_reads_as_a_document(officer_a, reviewed):
    client = client_for(officer_a)
    child = reviewed.members.get(relation="child")
    Member.objects.filter(pk=child.pk).update(date_of_birth=datetime.date(2015, 3, 1))  # 11 on the survey date
    assert client.post(ADD, survey_form(reviewed, stunted=[child.pk])).status_code == 302
    assessment = Assessment.objects.get()
    page = client.get(f"/admin/programs/assessment/{assessment.pk}/change/")
    assert page.status_code == 200
    text = text_of(page)
    assert "Rà soát định kỳ năm 2026" in text
    assert "Tháng (rà soát thường xuyên)" not in text and "Điểm A" not in text  # what does not apply
    assert "1.200.000 đ/người/tháng" in text and "1200000" not in main_of(page)
    assert "2.200.000 đ/người/tháng" in text or "2.800.000 đ/người/tháng" in text  # VN-2027's line
    rows = dict(
        re.findall(r"<tr><td>([^<]+)</td>.*?<td>(?:<strong>)?([✓✗][^<]*)(?:</strong>)?</td></tr>", main_of(page))
    )
    assert rows["Nguồn nước sinh hoạt"] == "✓ thiếu hụt" and rows["Việc làm"] == "✗ không thiếu hụt"
    assert rows["Dinh dưỡng"] == "✓ thiếu hụt"  # the stunted child
    assert "Xử lý rác thải" in rows and "Phương tiện phục vụ tiếp cận thông tin" not in text
    assert "Nguyễn Thị Hoa" in text and "Trẻ thấp còi" in text and "Thẻ BHYT còn hạn" in text
    assert "60 m² (30 m²/người, 2 người)" in text
    assert not [token for token in JSON_AND_CODES if token in main_of(page)]
    assert "Nhận dạng nhanh" not in text  # none recorded


def test_a_monthly_survey_names_its_month_and_quick_answers_show_as_a_table(officer_a, ready_household):
    assessment = services.record_assessment(
        actor=officer_a,
        household_id=ready_household.pk,
        survey_date=datetime.date(2026, 3, 20),
        review_year=2026,
        review_kind="monthly",
        review_month=3,
        income_per_capita=900_000,
        quick_answers={"co_nha_kien_co": True},
        dwelling={"has_house": False},
        answers={"employment": False, "water": False, "sanitation": False, "telecom": False},
        member_extras={m.pk: {"stunted": False, "underweight": False} for m in ready_household.members.all()},
        confirmed={"information_access": False},
    )
    text = text_of(client_for(officer_a).get(f"/admin/programs/assessment/{assessment.pk}/change/"))
    assert "Rà soát thường xuyên tháng 3/2026" in text
    assert "Nhận dạng nhanh" in text and "Co nha kien co ✓ có" in text
    assert "Có nhà ở ✗ không" in text and "Xác nhận khi khác nhau" in text
