"""A refusal (403) and an absence (404) in the admin's layout, in Vietnamese, with a way back; the API keeps its JSON
(config.error_pages). The suite runs with DEBUG off, as production does, so these are the pages people get."""

import re
from html import unescape

import pytest

from config.error_pages import page_not_found
from config.errors import NOT_FOUND_MESSAGE
from tests.test_pages_for_people import client_for

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_a_page_the_role_refuses_is_a_vietnamese_403_in_the_admin_with_a_way_back(officer_a, household_a):
    household_page = f"http://testserver/admin/households/household/{household_a.pk}/change/"
    response = client_for(officer_a).get(
        f"/admin/programs/statuschange/add/?household={household_a.pk}", HTTP_REFERER=household_page
    )
    text = text_of(response)
    assert response.status_code == 403
    assert "Bạn không có quyền mở trang này" in text
    assert "Forbidden" not in text and "403" not in text
    assert "Quản lý hộ nghèo, hộ cận nghèo" in text  # the admin's header
    assert "Hộ gia đình" in text  # its menu, for the user to go on
    assert f'<a href="{household_page}">Quay lại trang trước</a>' in response.content.decode()
    assert '<a href="/admin/">Về trang chủ</a>' in response.content.decode()


def test_a_way_back_is_offered_only_to_a_page_of_this_site(officer_a):
    response = client_for(officer_a).get("/admin/programs/statuschange/add/", HTTP_REFERER="https://evil.example/x")
    assert response.status_code == 403
    assert "evil.example" not in response.content.decode() and "Quay lại trang trước" not in text_of(response)


def test_a_household_outside_the_scope_is_a_vietnamese_404_in_the_admin(officer_b, household_a):
    response = client_for(officer_b).get(f"/admin/households/household/{household_a.pk}/change/")
    text = text_of(response)
    assert response.status_code == 404
    assert "Không tìm thấy trang" in text and "Về trang chủ" in text
    assert "Not Found" not in text and "Page not found" not in text
    assert household_a.code not in text


def test_an_address_no_page_answers_is_the_same_404(officer_a):
    response = client_for(officer_a).get("/khong-co-trang-nay/")
    assert response.status_code == 404 and "Không tìm thấy trang" in text_of(response)


def test_the_api_keeps_its_json_errors(api, officer_a, officer_b, household_a):
    missing = client_for(officer_a).get("/api/v1/khong-co/")
    assert missing.status_code == 404
    assert missing.json() == {"code": "not_found", "message": NOT_FOUND_MESSAGE, "fields": {}}  # the envelope
    outside = api(officer_b).get(f"/api/v1/households/{household_a.pk}/")
    assert outside.status_code == 404 and outside["Content-Type"] == "application/json"


def test_the_api_root_is_named_and_described_in_vietnamese(officer_a):
    page = client_for(officer_a).get("/api/v1/", HTTP_ACCEPT="text/html")
    text = text_of(page)
    assert page.status_code == 200
    assert "API giamngheo, phiên bản 1" in text and "Các tài nguyên của API" in text
    assert "Api Root" not in text and "DefaultRouter" not in text


def test_a_404_of_a_request_no_middleware_saw_is_still_the_404_page(rf):
    """A static file missing under the test server reaches the 404 handler without a user (no middleware ran)."""
    response = page_not_found(rf.get("/static/khong-co-tep-nay.png"), None)
    assert response.status_code == 404
    assert "Không tìm thấy" in response.content.decode()
