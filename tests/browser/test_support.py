"""Support for a poor household: the officer records it, the chair approves it, the officer confirms its delivery."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import open_household, search, shot, sign_in, sign_out

pytestmark = [pytest.mark.browser]

COWS = "Hỗ trợ con giống, vật nuôi"


def open_support_record(page: Page, code: str) -> None:
    page.goto("/admin/")
    page.get_by_role("link", name="Hỗ trợ đã nhận").first.click()
    search(page, code)
    page.locator("#result_list tbody tr", has_text=code).get_by_role("link").first.click()


def test_support_is_recorded_approved_and_delivered(page: Page, demo):
    sign_in(page, "canbo_xa_a")
    open_household(page, demo.support_code)
    page.get_by_role("link", name="Ghi hỗ trợ cho hộ").click()
    content = page.locator("#content")
    expect(content).to_contain_text(demo.support_code)
    kinds = page.get_by_label("Loại hỗ trợ")
    kinds.select_option(kinds.locator("option", has_text=COWS).get_attribute("value"))
    page.locator(".field-date").get_by_role("link", name="Hôm nay").click()
    page.get_by_label("Số lượng").fill("2")
    page.get_by_label("Số tiền (đồng)").fill("30000000")
    page.get_by_label("Nguồn vốn").select_option(label="Ngân sách trung ương")
    page.get_by_label("Hộ đối ứng (đồng)").fill("5000000")
    shot(page, "14-ghi-ho-tro")
    page.get_by_role("button", name="Lưu lại", exact=True).click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(content).to_contain_text(re.compile(r"Trạng thái:\s*Dự kiến"))
    sign_out(page)

    sign_in(page, "chutich_xa_a")
    open_support_record(page, demo.support_code)
    expect(content).to_contain_text(COWS)
    expect(content).to_contain_text("30.000.000 đ")
    page.get_by_role("link", name="Duyệt", exact=True).click()
    page.get_by_role("button", name="Duyệt").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(content).to_contain_text(re.compile(r"Trạng thái:\s*Đã duyệt"))
    sign_out(page)

    sign_in(page, "canbo_xa_a")
    open_support_record(page, demo.support_code)
    page.get_by_role("link", name="Xác nhận đã hỗ trợ").click()
    expect(content).to_contain_text(demo.support_head)
    shot(page, "15-xac-nhan-da-ho-tro")
    page.get_by_role("button", name="Xác nhận đã giao hỗ trợ").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(content).to_contain_text(re.compile(r"Trạng thái:\s*Đã hỗ trợ"))
    expect(content).to_contain_text("Vật nuôi còn sống, phát triển sau 6 tháng")  # its follow-ups, scheduled
    expect(content).to_contain_text("Vật nuôi còn sống, sinh sản sau 12 tháng")
    shot(page, "16-ho-tro-da-giao")
