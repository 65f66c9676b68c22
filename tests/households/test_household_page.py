"""The household page as each role meets it (issue 13, points 7 and 9): the buttons at its top are the actions the
role may take (the main one first), each opens; a new household's form opens with one member to fill in and no
empty history; the page's history is its change log; a refused form says so in Vietnamese."""

import re
from html import unescape

import pytest

from tests.households.test_admin import CHANGELIST, add_form, client_for
from tests.programs.review_helpers import case_of, make_poor, open_review

pytestmark = pytest.mark.django_db


def top_buttons(page) -> list[tuple[str, str]]:
    """The buttons at the top of the page (the admin's object tools): (label, address), in their order."""
    tools = re.search(r'<ul class="object-tools">(.*?)</ul>', page.content.decode(), re.S)
    assert tools is not None
    return [
        (unescape(label), unescape(url)) for url, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', tools[1])
    ]


ACTIONS = {
    "officer_a": ["Ghi phiếu khảo sát", "Hộ đề nghị rà soát", "Ghi hỗ trợ cho hộ", "Ghi khoản vay ưu đãi"],
    "chair_a": ["Ghi quyết định công nhận"],
    "district_staff": ["Ghi phiếu khảo sát", "Hộ đề nghị rà soát", "Ghi hỗ trợ cho hộ", "Ghi khoản vay ưu đãi"],
    "province_staff": ["Ghi phiếu khảo sát", "Hộ đề nghị rà soát", "Ghi hỗ trợ cho hộ", "Ghi khoản vay ưu đãi"],
    "admin_user": ["Ghi phiếu khảo sát", "Hộ đề nghị rà soát", "Ghi hỗ trợ cho hộ", "Ghi khoản vay ưu đãi"],
}
LISTS = ["Các phiếu khảo sát đã ghi", "Hồ sơ rà soát của hộ", "Lịch sử thay đổi"]


@pytest.mark.parametrize("role", ACTIONS)
def test_the_buttons_at_the_top_are_the_actions_the_role_may_take_and_each_opens(role, persona, household_a):
    client = client_for(persona(role))
    page = client.get(f"{CHANGELIST}{household_a.pk}/change/")
    buttons = top_buttons(page)
    assert [label for label, _ in buttons] == ACTIONS[role] + LISTS
    for label, url in buttons:
        opened = client.get(url)
        assert opened.status_code == 200, (label, url, opened.status_code)
    assert 'class="primarylink">' + ACTIONS[role][0] in page.content.decode()  # the main action, drawn first


def test_the_survey_button_comes_before_the_form_not_1200_pixels_down(officer_a, household_a):
    html = client_for(officer_a).get(f"{CHANGELIST}{household_a.pk}/change/").content.decode()
    assert html.index(">Ghi phiếu khảo sát<") < html.index('id="household_form"')
    assert "Các phiếu đã ghi Ghi quyết định công nhận" not in unescape(re.sub(r"<[^>]+>", " ", html))


def test_a_new_household_opens_with_one_member_to_fill_in_and_no_empty_history(officer_a):
    page = client_for(officer_a).get(CHANGELIST + "add/")
    html = page.content.decode()
    assert re.findall(r'name="([\w-]+)-TOTAL_FORMS" value="(\d+)"', html) == [("members", "1")]  # no other table
    assert "Thêm hộ gia đình" in html and "Thêm vào hộ gia đình" not in html


def test_a_refused_household_form_says_so_in_vietnamese(officer_a, commune_a):
    client = client_for(officer_a)
    data = add_form(client, commune_a, [("Lò Văn Páo", "head", {}), ("Lò Thị Mai", "head", {})])
    page = client.post(CHANGELIST + "add/", data)
    assert page.status_code == 200
    assert "Vui lòng sửa lỗi dưới đây." in page.content.decode()
    assert "Please correct" not in page.content.decode()


def test_the_history_button_shows_the_households_change_log(officer_a, household_a):
    client = client_for(officer_a)
    page = client.get(f"{CHANGELIST}{household_a.pk}/history/")
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", page.content.decode())).split())
    assert page.status_code == 200
    assert f"Lịch sử thay đổi: {household_a.code}" in text
    assert "đăng ký hộ" in text and "thêm thành viên" in text  # the household's entries and its members'
    assert "Chưa có thay đổi nào" not in text


def test_the_list_reads_theo_not_boi_and_its_add_button_them_ho_gia_dinh(officer_a, household_a):
    html = client_for(officer_a).get(CHANGELIST).content.decode()
    assert "Theo thôn/tổ dân phố" in html and "Bởi " not in html
    assert ">Thêm hộ gia đình<" in html.replace("\n", "").replace("  ", "") and "Thêm vào" not in html


def test_the_selection_counter_reads_da_chon(officer_a, household_a, admin_user):
    make_poor(household_a, admin_user)
    open_review(household_a.commune)
    html = client_for(officer_a).get("/admin/programs/reviewcase/").content.decode()
    assert "Đã chọn 0/1" in html and " của " not in html.split('class="action-counter"')[1][:80]


def test_while_a_review_case_is_open_the_chair_is_led_to_it_not_to_a_direct_decision(chair_a, household_a, admin_user):
    # a direct decision is refused while the household's case is open ("chỉ thay đổi bằng quyết định công nhận của
    # hồ sơ đó"): the button the chair sees opens the case, where the recognition is
    make_poor(household_a, admin_user)
    open_review(household_a.commune)
    client = client_for(chair_a)
    buttons = top_buttons(client.get(f"{CHANGELIST}{household_a.pk}/change/"))
    case = case_of(household_a)
    assert buttons[0] == ("Hồ sơ rà soát đang mở", f"/admin/programs/reviewcase/{case.pk}/change/")
    assert "Ghi quyết định công nhận" not in [label for label, _ in buttons]
    assert case.reference in client.get(buttons[0][1]).content.decode()
