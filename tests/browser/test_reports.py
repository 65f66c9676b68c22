"""The figures and the Excel round trip: the dashboard, the import template and an upload refused row by row."""

import datetime
import re

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import shot, sign_in

pytestmark = [pytest.mark.browser]


def test_the_province_reads_the_dashboard(page: Page, demo):
    year = datetime.date.today().year - 1  # the demo's recognised review
    sign_in(page, "canbo_tinh")
    page.get_by_role("link", name="Bảng điều khiển giảm nghèo").click()
    page.get_by_label("Địa bàn").select_option(label="Lào Cai")
    page.get_by_label("Năm").select_option(label=str(year))
    page.get_by_role("button", name="Xem").click()
    content = page.locator("#content")
    expect(content).to_contain_text(f"Lào Cai — năm {year}")
    for figure in ("Tổng số hộ", "Hộ nghèo", "Hộ cận nghèo"):
        expect(content).to_contain_text(figure)
    expect(content).to_contain_text(re.compile(r"\d+,\d{2}%"))  # rates written the Vietnamese way
    shot(page, "17-bang-dieu-khien")
    charts = content.locator("svg, img[src$='.svg'], object[type='image/svg+xml']")
    expect(charts.first).to_be_visible()
    charts.first.scroll_into_view_if_needed()
    shot(page, "18-bang-dieu-khien-bieu-do")


def test_the_excel_template_downloads_and_a_wrong_upload_is_refused_row_by_row(page: Page, demo, tmp_path):
    sign_in(page, "canbo_xa_a")
    page.get_by_role("link", name="Lần nhập Excel").first.click()
    page.locator(".object-tools").get_by_role("link", name=re.compile("Excel")).click()
    for form in ("#template-form", "#upload-form"):  # her only commune
        commune = page.locator(form).get_by_label("Xã/phường")
        if not commune.input_value():
            commune.select_option(label=demo.commune_a)
    shot(page, "19-nhap-excel")
    with page.expect_download() as download:
        page.get_by_role("button", name="Tải mẫu Excel").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.suffix == ".xlsx"

    # The officer opens it, sees her commune's households, and mistypes two members' facts.
    book = openpyxl.load_workbook(path)
    assert {"Hộ", "Thành viên", "Phiếu khảo sát"} <= set(book.sheetnames)
    households = book["Hộ"]
    assert demo.survey_code in [cell.value for cell in households["B"]]
    members = book["Thành viên"]
    headers = [cell.value for cell in members[1]]
    national_id, born = headers.index("Số CCCD") + 1, headers.index("Ngày sinh") + 1
    members.cell(row=2, column=national_id, value="01507900000")  # 11 digits
    members.cell(row=3, column=born, value="31/02/1982")  # no such day
    book.save(path)

    page.locator("#upload-form").get_by_label("Tệp Excel đã điền (.xlsx)").set_input_files(path)
    page.get_by_role("button", name=re.compile("Kiểm tra và ghi", re.IGNORECASE)).click()
    refused = page.locator("#import-refused")
    expect(refused).to_contain_text("có 2 lỗi: không ghi gì vào hệ thống")
    rows = refused.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Thành viên")
    expect(rows.nth(0)).to_contain_text("Số CCCD")
    expect(rows.nth(1)).to_contain_text("Ngày sinh")
    shot(page, "20-nhap-excel-bao-loi")
