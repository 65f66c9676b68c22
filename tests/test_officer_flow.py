"""The officer's way through the admin (issue 13, point 10): a survey started from a review case's button comes back
to the case; the Excel upload page has her commune chosen when she has one; a name search says which member a
household was found by."""

import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programs.models import Assessment
from tests.programs.review_helpers import case_of, insure, make_poor, open_review
from tests.programs.test_survey_pages import survey_form
from tests.test_pages_for_people import client_for, main_text

pytestmark = pytest.mark.django_db


def links_of(response) -> dict[str, str]:
    html = response.content.decode()
    return {
        unescape(label.strip()): unescape(url)
        for url, label in re.findall(r'<a[^>]*href="([^"]+)"[^>]*>([^<]+)</a>', html)
    }


@pytest.fixture
def case_a(household_a, admin_user):
    """A poor household of commune A whose case of the 2026 review waits for its survey (standard VN-2027)."""
    insure(household_a)
    make_poor(household_a, admin_user)
    open_review(household_a.commune)
    return case_of(household_a)


def test_a_survey_started_from_a_review_case_comes_back_to_the_case(officer_a, household_a, case_a):
    case = case_a
    client = client_for(officer_a)
    case_page = f"/admin/programs/reviewcase/{case.pk}/change/"
    form_url = links_of(client.get(case_page))["Ghi phiếu khảo sát"]
    assert form_url.startswith("/admin/programs/assessment/add/?")
    response = client.post(form_url, survey_form(household_a))
    assert (response.status_code, response["Location"]) == (302, case_page)
    landed = client.get(case_page)
    text = main_text(landed)
    assert "Kết quả: Hộ" in landed.content.decode()  # the survey's result, said on the case
    assert "Đã khảo sát, phân loại" in text and Assessment.objects.filter(household=household_a).count() == 1


@pytest.mark.parametrize(
    "elsewhere", ["https://evil.example/", "//evil.example/", "/api/v1/households/", "javascript:x"]
)
def test_the_way_back_after_a_survey_stays_in_the_admin(elsewhere, officer_a, household_a, case_a):
    response = client_for(officer_a).post("/admin/programs/assessment/add/?next=" + elsewhere, survey_form(household_a))
    recorded = Assessment.objects.get(household=household_a)
    assert (response.status_code, response["Location"]) == (302, f"/admin/programs/assessment/{recorded.pk}/change/")


def test_the_upload_page_has_the_commune_of_an_officer_of_one_commune_chosen(officer_a, province_staff, commune_a):
    page = client_for(officer_a).get("/admin/programs/importbatch/upload/").content.decode()
    assert re.search(rf'<option value="{commune_a.pk}" selected>', page)
    several = client_for(province_staff).get("/admin/programs/importbatch/upload/").content.decode()
    assert "selected>" not in several.split('name="commune"')[1].split("</select>")[0].replace(
        '<option value="" selected>', ""
    )


def test_a_name_search_says_which_member_found_each_household_in_one_query(officer_a, make_household, commune_a):
    by_son = make_household(commune_a, "Nguyễn Đức Đức", ("Nguyễn Văn An",))
    by_head = make_household(commune_a, "Nguyễn Văn Bình", ("Lê Thị Cúc",))
    for index in range(5):
        make_household(commune_a, f"Trần Đức Hải {index}", (f"Nguyễn Văn Con {index}",))
    client = client_for(officer_a)
    client.get("/admin/households/household/?q=nguyen+van")  # warm the session, the caches and the access log
    with CaptureQueriesContext(connection) as few:
        page = client.get("/admin/households/household/?q=nguyen+van")
    text = main_text(page)
    assert "Nguyễn Đức Đức khớp: Nguyễn Văn An (con)" in text
    assert f"{by_head.code} Nguyễn Văn Bình khớp" not in text  # the head itself matched
    assert by_son.code in text and "Trần Đức Hải 4 khớp: Nguyễn Văn Con 4 (con)" in text
    with CaptureQueriesContext(connection) as one_more:
        client.get("/admin/households/household/?q=tran+duc")  # five households, none found by another member
    assert len(few) <= len(one_more) + 1  # seven households found by a member: one query for all, not one each
