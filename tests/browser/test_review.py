"""The chair's recognition through a review case, and the certificate it issues."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import search, shot, sign_in

pytestmark = [pytest.mark.browser]

CERTIFICATE = re.compile(r"\d{4}/(T\d{2}\.)?\d{4}/GCN-HN\.HCN")  # the periodic review's, or a monthly one's


def test_the_chair_recognises_a_posted_case_and_prints_its_certificate(page: Page, demo):
    sign_in(page, "chutich_xa_a")
    page.get_by_role("link", name="Hồ sơ rà soát hộ").first.click()
    search(page, demo.case_code)
    row = page.locator("#result_list tbody tr", has_text=demo.case_code)
    expect(row).to_contain_text(demo.case_head)
    shot(page, "09-ho-so-ra-soat")
    row.get_by_role("link", name=demo.case_reference).click()
    content = page.locator("#content")
    expect(content).to_contain_text("Đang niêm yết")
    shot(page, "10-ho-so-cho-cong-nhan")
    page.get_by_role("link", name="Công nhận", exact=True).click()
    expect(content).to_contain_text("Tình trạng sau công nhận")
    expect(content).to_contain_text("Hộ nghèo")
    page.get_by_label("Số quyết định").fill("125/QĐ-UBND")
    page.locator(".field-decision_date, form").get_by_role("link", name="Hôm nay").first.click()
    shot(page, "11-quyet-dinh-cong-nhan")
    page.get_by_role("button", name="Công nhận").click()
    message = page.locator(".messagelist .success")
    expect(message).to_contain_text(demo.case_reference)
    expect(message).to_contain_text(CERTIFICATE)
    number = CERTIFICATE.search(message.inner_text()).group(0)
    expect(content).to_contain_text(re.compile(r"Bước:\s*Đã công nhận"))
    shot(page, "12-ho-so-da-cong-nhan")
    page.get_by_role("link", name="In giấy chứng nhận").click()
    expect(page.locator("body")).to_contain_text(number)
    expect(page.locator("body")).to_contain_text(demo.case_head)
    expect(page.locator("body")).to_contain_text(re.compile("giấy chứng nhận", re.IGNORECASE))
    shot(page, "13-giay-chung-nhan")
