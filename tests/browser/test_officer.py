"""The commune officer's day: sign in, find a household, register one, survey it."""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.steps import open_household, pick, search, shot, sign_in

pytestmark = [pytest.mark.browser]


def test_the_officer_signs_in_and_sees_her_work(page: Page, demo):
    page.goto("/admin/")
    expect(page.get_by_label("Tên đăng nhập")).to_be_visible()
    shot(page, "01-dang-nhap")
    sign_in(page, "canbo_xa_a")
    expect(page.locator("#user-tools")).to_contain_text("Cán bộ giảm nghèo xã A (demo)")
    expect(page.get_by_text("Việc cần làm").first).to_be_visible()
    expect(page.get_by_role("link", name="Bảng điều khiển giảm nghèo")).to_be_visible()
    shot(page, "02-trang-chu-can-bo-xa")


def test_the_officer_finds_a_household_typing_without_diacritics(page: Page, demo):
    sign_in(page, "canbo_xa_a")
    page.get_by_role("link", name="Hộ gia đình", exact=True).first.click()
    rows = page.locator("#result_list tbody tr")
    expect(rows.filter(has_text=demo.survey_head)).to_have_count(1)  # the whole list, before the search
    search(page, "nguyen van duc")
    expect(rows.filter(has_text=demo.search_head).first).to_be_visible()
    expect(rows.filter(has_text=demo.survey_head)).to_have_count(0)
    shot(page, "03-tim-ho-khong-dau")
    search(page, "nguyen van")
    expect(rows.filter(has_text=re.compile(r"Nguyễn Văn \w+")).first).to_be_visible()
    expect(rows.filter(has_text=demo.survey_head)).to_have_count(0)
    for row in rows.all():  # only her commune's households (its code heads theirs; one commune: no commune column)
        expect(row).to_contain_text(f"{demo.commune_a_code}-")


def test_the_officer_registers_a_household_with_two_members(page: Page, demo):
    sign_in(page, "canbo_xa_a")
    page.get_by_role("link", name="Hộ gia đình", exact=True).first.click()
    page.get_by_role("link", name=re.compile(r"^Thêm (vào )?hộ gia đình$", re.IGNORECASE)).click()
    expect(page.get_by_role("heading", name="Thêm hộ gia đình")).to_be_visible()
    expect(page.locator("#id_commune").locator("xpath=..")).to_contain_text(demo.commune_a)  # her only commune
    shot(page, "04-them-ho-gia-dinh")
    pick(page, page.locator("#id_village"), demo.village)
    page.get_by_label("Địa chỉ").fill("Số 5, ngõ 3, đường Nguyễn Huệ")
    page.get_by_label("Lý do thay đổi").fill("Hộ mới tách hộ, đăng ký lần đầu")
    members = (("Vàng Seo Chư", "Chủ hộ", "12/03/1990", "Nam"), ("Vàng Thị Dợ", "Vợ/chồng", "02/09/1992", "Nữ"))
    for i, (name, relation, born, sex) in enumerate(members):
        if page.locator(f"#members-{i}").count() == 0:
            page.locator("#members-group .add-row a").click()
        block = page.locator(f"#members-{i}")
        block.get_by_label("Họ và tên").fill(name)
        block.get_by_label("Quan hệ với chủ hộ").select_option(label=relation)
        block.get_by_label("Ngày sinh").fill(born)
        block.get_by_label("Giới tính").select_option(label=sex)
        pick(page, block.locator(f"#id_members-{i}-ethnicity"), "Mông")
    page.get_by_role("button", name="Lưu lại", exact=True).click()
    message = page.locator(".messagelist .success")
    expect(message).to_contain_text(re.compile(r"\d{5}-\d{6}"))
    code = re.search(r"\d{5}-\d{6}", message.inner_text())  # the code the system issued
    assert code, message.inner_text()
    shot(page, "05-ho-da-luu")
    page.get_by_role("link", name=code.group(0)).first.click()
    expect(page.locator("#content")).to_contain_text("Vàng Seo Chư")
    expect(page.locator("#content")).to_contain_text("Vàng Thị Dợ")
    shot(page, "06-trang-ho-gia-dinh")


def test_the_officer_surveys_a_household_and_reads_its_classification(page: Page, demo):
    sign_in(page, "canbo_xa_a")
    open_household(page, demo.survey_code)
    page.get_by_role("link", name="Ghi phiếu khảo sát").click()
    form = page.locator("#content-main form")
    expect(form).to_contain_text(demo.survey_code)
    if not page.get_by_label("Năm rà soát").input_value():
        page.get_by_label("Năm rà soát").fill(str(datetime.date.today().year))
    page.get_by_label("Loại rà soát").select_option(label="Rà soát định kỳ")
    page.locator(".field-survey_date").get_by_role("link", name="Hôm nay").click()
    page.get_by_label("Tên rà soát viên").fill("Cán bộ giảm nghèo xã A")
    shot(page, "07-phieu-khao-sat")
    # B1: the income; B2: the dwelling and the surveyor's answers
    page.get_by_label("Thu nhập bình quân/người/tháng").fill("1000000")
    page.get_by_label("Có nhà ở").select_option(label="Có")
    page.get_by_label("Diện tích nhà ở (m²)").fill("40")
    for part in ("Nền móng, khung", "Tường", "Mái"):
        page.get_by_label(part).select_option(label="Bền chắc")
    deprived = ("nguồn nước sinh hoạt", "nhà tiêu hợp vệ sinh", "sử dụng dịch vụ viễn thông")
    answers = form.locator("select[name^='answer_']")
    assert answers.count() >= 3
    for answer in answers.all():
        label = page.locator(f"label[for='{answer.get_attribute('id')}']").inner_text()
        if any(name in label for name in deprived):
            answer.select_option(label="Có thiếu hụt")
        elif "Hệ thống tự tính" not in answer.locator("xpath=ancestor::div[contains(@class,'form-row')]").inner_text():
            answer.select_option(label="Không thiếu hụt")
    page.get_by_label("thiếu vốn sản xuất, kinh doanh").check()
    page.get_by_role("button", name="Lưu lại và xem").click()
    result = page.locator("#content")
    expect(result).to_contain_text("Hộ nghèo")
    expect(result).to_contain_text(re.compile(r"thu nhập .*chuẩn nghèo"))
    expect(result).to_contain_text(re.compile(r"thiếu hụt \d+/\d+ chỉ số"))
    expect(result).to_contain_text("1.000.000 đ")
    shot(page, "08-ket-qua-khao-sat")
