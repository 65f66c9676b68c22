"""The messages an officer reads after an action say what was done to what, in the words and numbers of a
Vietnamese office (issue 13, point 8): no "hỗ trợ đã hỗ trợ", no "12.5", no decision without its event, no type
naming its project twice, no command output mixing "2.344" with "13.7%"."""

import datetime
import io
import re

import pytest
from django.core.management import call_command

from households.models import Household
from support.models import InterventionType
from tests.programs.review_helpers import insure
from tests.programs.test_dashboard import URL as DASHBOARD
from tests.programs.test_dashboard import target
from tests.programs.test_survey_pages import survey_form
from tests.support.test_admin import fresh, livestock, move, poor_a  # noqa: F401 - a support waiting for approval
from tests.test_pages_for_people import client_for

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_approving_and_delivering_a_support_say_which_support_of_which_household(livestock, officer_a, chair_a):  # noqa: F811
    name, code = livestock.intervention_type.name, livestock.household.code
    chair = client_for(chair_a)
    approved = move(chair, livestock, "approve", approved_on="19/11/2026")
    assert messages_of(chair.get(approved["Location"])) == [f"Đã duyệt “{name}” cho hộ {code}."]
    officer = client_for(officer_a)
    delivered = officer.get(move(officer, fresh(livestock), "deliver", delivered_on="20/11/2026")["Location"])
    assert messages_of(delivered) == [f"Đã ghi nhận: hộ {code} đã nhận “{name}” ngày 20/11/2026."]


def test_a_target_is_confirmed_with_a_decimal_comma(province_staff, province):
    url = f"{DASHBOARD}?area={province.pk}&year=2025"
    done = client_for(province_staff).post(url, target(province, value="12,5", source="NQ tỉnh"), follow=True)
    assert messages_of(done) == ["Đã ghi mục tiêu: Lào Cai 2025: tỷ lệ hộ nghèo không quá 12,5%."]


def test_a_decision_is_confirmed_with_its_event_on_the_households_page(chair_a, officer_a, household_a):
    insure(household_a)
    client_for(officer_a).post("/admin/programs/assessment/add/", survey_form(household_a))
    form = {
        "household": household_a.pk,
        "to_status": "poor",
        "effective_date": "01/10/2026",
        "decision_number": "12/QĐ-UBND",
        "reason": "Kết quả rà soát 2026",
    }
    chair = client_for(chair_a)
    response = chair.post("/admin/programs/statuschange/add/", form)
    assert response["Location"] == f"/admin/households/household/{household_a.pk}/change/"
    page = chair.get(response["Location"])
    assert messages_of(page) == [
        f"Đã ghi quyết định công nhận số 12/QĐ-UBND ngày 01/10/2026: hộ {household_a.code} — "
        "Hộ nghèo phát sinh (hộ không nghèo → hộ nghèo)."
    ]
    assert Household.objects.get(pk=household_a.pk).status == "poor"


def test_a_support_type_names_its_project_once():
    program = InterventionType.objects.get(code="livestock_p3")
    assert str(program) == "Hỗ trợ con giống, vật nuôi (Dự án 3)"
    other = InterventionType.objects.get(code="electricity")
    assert str(other) == "Hỗ trợ tiền điện hộ nghèo (Chính sách ngoài Chương trình)"


def test_the_commands_write_numbers_the_vietnamese_way(commune_a, household_a):
    out = io.StringIO()
    call_command("open_periodic_review", "--year", "2026", "--area", commune_a.province.code, stdout=out)
    call_command("send_review_reminders", "--today", datetime.date(2026, 10, 9).isoformat(), stdout=out)
    call_command("refresh_statistics", "--area", commune_a.code, "--year", "2026", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert all(re.search(r"\d+,\d giây\)?\.$", line) for line in lines), lines
    assert not any(re.search(r"\d\.\d+ ?s\b|\d\.\d+%", line) for line in lines), lines
