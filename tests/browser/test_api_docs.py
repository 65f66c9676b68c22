"""The API's documentation: Swagger UI served from this site (every other address is cut off, as on an intranet
without internet), behind the sign-in, listing the operations of the API."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import PASSWORD, shot

pytestmark = [pytest.mark.browser]


def test_the_api_docs_list_their_operations_after_signing_in(page: Page, demo, request):
    page.goto("/api/docs/")
    page.get_by_label("Tên đăng nhập").fill("canbo_huyen")  # sent to the sign-in first, and back after it
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/api/docs/$"))
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible()
    assert operations.count() > 50
    households = page.locator(".opblock-get", has_text="/api/v1/households/").first
    expect(households).to_contain_text("/api/v1/households/")
    expect(page.locator(".opblock", has_text="/api/v1/review-cases/{id}/recognise/")).to_have_count(1)
    shot(page, "21-tai-lieu-api")
    households.locator(".opblock-summary").click()
    expect(households.locator(".parameters")).to_contain_text("page_size")
    shot(page, "22-tai-lieu-api-mot-thao-tac")
    request.node.page_guard.inspect(page)  # the page as the script drew it, not as it loaded
