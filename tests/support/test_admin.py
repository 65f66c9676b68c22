"""Support in the admin (domain A8): records with their moves and follow-ups, loans and repayments, budgets, the
budget, targeting and outcome pages, the household page's supports; scope, rights and bad input.

Through the admin the services check dates against the real today (after November 2026, as in the review's
admin tests); the setup of older histories calls the services with explicit days."""

import datetime
import io
import re
from html import unescape

import pytest
from django.test import Client
from openpyxl import load_workbook

from households.models import AuditEntry
from programs.standards import services as program_services
from support import services
from support.models import BudgetAllocation, InterventionType, Loan, SupportFollowUp, SupportRecord
from tests.households.test_admin import change_form
from tests.programs.review_helpers import DEPRIVED_THREE, survey

pytestmark = pytest.mark.django_db
D = datetime.date
ADMIN = "/admin/support/"
RECORDS = ADMIN + "supportrecord/"
LOANS = ADMIN + "loan/"
BUDGETS = ADMIN + "budgetallocation/"
BUDGET_PAGE = BUDGETS + "overview/"
TARGETING = RECORDS + "targeting/"
OUTCOMES = RECORDS + "outcomes/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:
    return unescape(response.content.decode())


def type_id(code: str) -> int:
    return InterventionType.objects.get(code=code).pk


def set_status(chair, household, *changes: tuple[datetime.date, str]):
    for day, status in changes:
        program_services.record_status_change(
            actor=chair, household_id=household.pk, to_status=status, effective_date=day, decision_number="7/QĐ-UBND"
        )
    household.refresh_from_db()
    return household


def record_form(target, type_code: str = "housing_repair_temp", **overrides) -> dict:
    data = {
        "household": target.pk,
        "intervention_type": type_id(type_code),
        "date": "15/11/2026",
        "quantity": "1",
        "amount": "",
        "funding_source": "local",
        "cofinancing": "0",
        "note": "",
    }
    return data | overrides


def moves_shown(client, record) -> set[str]:
    page = client.get(f"{RECORDS}{record.pk}/change/")
    assert page.status_code == 200
    return set(re.findall(r'data-move="(\w+)"', page.text))


def move(client, record, name: str, **data):
    return client.post(f"{RECORDS}{record.pk}/move/{name}/", {"version": record.version, **data})


def fresh(record) -> SupportRecord:
    return SupportRecord.objects.get(pk=record.pk)


@pytest.fixture
def poor_a(household_a, chair_a):
    """Poor since 10/01/2023 (decided by the chair)."""
    return set_status(chair_a, household_a, (D(2023, 1, 10), "poor"))


@pytest.fixture
def livestock(poor_a, officer_a):
    """Two cows, 25 million of which 5 the household's share, planned for 15/11/2026."""
    return services.record_support(
        actor=officer_a,
        household_id=poor_a.pk,
        type_code="livestock_p3",
        date=D(2026, 11, 15),
        funding_source="central",
        quantity=2,
        amount=25_000_000,
        cofinancing=5_000_000,
    )


# --- records: the add form -----------------------------------------------------------------------------------


def test_an_officer_records_a_support_through_the_add_form(poor_a, officer_a):
    officer = client_for(officer_a)
    page = officer.get(RECORDS + "add/", {"household": poor_a.pk})
    assert page.status_code == 200
    assert f'<option value="{poor_a.pk}" selected>{poor_a.code}</option>' in page.text  # prefilled
    assert 'name="override_reason"' not in page.text  # an officer cannot override
    assert LOANS + "add/" in page.text  # credit is recorded as a loan

    response = officer.post(RECORDS + "add/", record_form(poor_a, note="Nhà dột mái."))
    record = SupportRecord.objects.get(household=poor_a)
    assert response.status_code == 302 and response.url == f"{RECORDS}{record.pk}/change/"
    assert (record.status, record.amount, record.funding_source, record.recorded_by) == (
        "planned",
        30_000_000,  # the type's default
        "local",
        officer_a,
    )
    assert AuditEntry.objects.filter(action="support.record.created", object_id=str(record.pk)).exists()
    page = text_of(officer.get(response.url))
    assert "Đã ghi hỗ trợ “Xóa nhà tạm, nhà dột nát: sửa chữa” cho hộ" in page and "30.000.000" in page

    listing = text_of(officer.get(RECORDS, {"q": "nguyen van duc"}))  # a head's name, without diacritics
    assert poor_a.code in listing and "30.000.000" in listing and "Đủ điều kiện" in listing
    assert poor_a.code not in text_of(officer.get(RECORDS, {"q": "khong co ai"}))


def test_an_ineligible_household_is_refused_with_the_reason(household_a, officer_a):
    response = client_for(officer_a).post(RECORDS + "add/", record_form(household_a))
    assert response.status_code == 200
    errors = text_of(response)
    assert "Hộ không đủ điều kiện: ngày 15/11/2026 hộ là hộ không nghèo; chỉ hỗ trợ hộ nghèo, hộ cận nghèo" in errors
    assert not SupportRecord.objects.exists()


def test_staff_with_the_right_override_the_refusal_with_a_written_reason(household_a, district_staff):
    staff = client_for(district_staff)
    assert 'name="override_reason"' in staff.get(RECORDS + "add/").text
    reason = "Hộ bị lũ cuốn trôi nhà."
    response = staff.post(RECORDS + "add/", record_form(household_a, override_reason=reason))
    assert response.status_code == 302
    record = SupportRecord.objects.get(household=household_a)
    assert record.override_reason == reason
    assert AuditEntry.objects.get(action="support.record.overridden", object_id=str(record.pk)).reason == reason
    assert "Không đủ, vẫn hỗ trợ" in text_of(staff.get(RECORDS))


# --- records: the moves and the follow-ups -----------------------------------------------------------------


def test_the_chair_approves_the_officer_delivers_and_records_the_follow_ups(livestock, officer_a, chair_a):
    officer, chair = client_for(officer_a), client_for(chair_a)
    assert moves_shown(officer, livestock) == {"cancel"}
    assert officer.get(f"{RECORDS}{livestock.pk}/move/approve/").status_code == 403
    assert move(officer, livestock, "approve", approved_on="19/11/2026").status_code == 403
    assert moves_shown(chair, livestock) == {"approve"}

    assert chair.get(f"{RECORDS}{livestock.pk}/move/approve/").status_code == 200
    assert move(chair, livestock, "approve", approved_on="19/11/2026").status_code == 302
    approved = fresh(livestock)
    assert (approved.status, approved.approved_by, approved.approved_on) == ("approved", chair_a, D(2026, 11, 19))

    stale = move(officer, livestock, "deliver", delivered_on="20/11/2026")  # the version before the approval
    assert stale.status_code == 200 and "đã được người khác cập nhật" in text_of(stale)
    early = move(officer, approved, "deliver", delivered_on="18/11/2026")
    assert "không được trước ngày duyệt (19/11/2026)" in text_of(early)
    assert move(officer, approved, "deliver", delivered_on="20/11/2026").status_code == 302
    delivered = fresh(livestock)
    assert (delivered.status, delivered.delivered_on) == ("delivered", D(2026, 11, 20))
    assert AuditEntry.objects.filter(action="support.record.delivered", object_id=str(livestock.pk)).exists()

    page = text_of(officer.get(f"{RECORDS}{livestock.pk}/change/"))
    assert "Vật nuôi còn sống, phát triển sau 6 tháng" in page and "20/05/2027" in page
    assert 'data-follow-up="alive_6m"' in page
    assert 'data-follow-up="alive_6m"' not in chair.get(f"{RECORDS}{livestock.pk}/change/").text
    follow_up = SupportFollowUp.objects.get(record=livestock, code="alive_6m")
    url = f"{RECORDS}{livestock.pk}/follow-up/{follow_up.pk}/"
    assert chair.get(url).status_code == 403
    missing_note = officer.post(url, {"done_on": "21/11/2026", "result": "not_achieved", "note": ""})
    assert "Không đạt: phải ghi lý do" in text_of(missing_note)
    assert officer.post(url, {"done_on": "21/11/2026", "result": "achieved", "note": "Bò khỏe."}).status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.result, follow_up.done_on, follow_up.checked_by) == ("achieved", D(2026, 11, 21), officer_a)

    assert moves_shown(officer, delivered) == {"cancel"}
    no_reason = move(officer, delivered, "cancel", reason="  ")
    assert "Phải ghi lý do hủy." in text_of(no_reason)
    assert move(officer, delivered, "cancel", reason="Ghi nhầm hộ.").status_code == 302
    cancelled = fresh(livestock)
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "Ghi nhầm hộ.")
    assert moves_shown(officer, cancelled) == set()
    assert "Hỗ trợ đã hủy." in text_of(officer.get(f"{RECORDS}{livestock.pk}/change/"))


def test_the_one_who_recorded_a_support_does_not_approve_it(poor_a, district_staff):
    record = services.record_support(
        actor=district_staff,
        household_id=poor_a.pk,
        type_code="livestock_p3",
        date=D(2026, 11, 1),
        funding_source="central",
        amount=1_000_000,
    )
    staff = client_for(district_staff)
    assert "approve" not in moves_shown(staff, record)
    response = move(staff, record, "approve", approved_on="02/11/2026")
    assert response.status_code == 200 and "Người ghi hỗ trợ không tự duyệt" in text_of(response)
    assert fresh(record).status == "planned"


def test_a_move_the_record_cannot_make_now_leads_back_with_a_warning(livestock, officer_a):
    response = client_for(officer_a).get(f"{RECORDS}{livestock.pk}/move/deliver/")
    assert response.status_code == 302 and response.url == f"{RECORDS}{livestock.pk}/change/"
    refused = move(client_for(officer_a), livestock, "deliver", delivered_on="20/11/2026")
    assert "không thể xác nhận đã hỗ trợ" in text_of(refused)
    assert client_for(officer_a).get(f"{RECORDS}{livestock.pk}/move/fly/").status_code == 404


# --- loans -------------------------------------------------------------------------------------------------


def loan_form(target, **overrides) -> dict:
    data = {
        "household": target.pk,
        "intervention_type": "",
        "principal": "30.000.000",
        "annual_rate": "",
        "term_months": "36",
        "disbursed_on": "01/11/2026",
        "purpose": "Mua bò giống",
        "contract_number": "HĐ-123",
        "note": "",
    }
    return data | overrides


def test_an_officer_records_a_loan_and_its_repayments(poor_a, officer_a, chair_a):
    officer = client_for(officer_a)
    response = officer.post(LOANS + "add/", loan_form(poor_a))
    loan = Loan.objects.get(record__household=poor_a)
    assert response.status_code == 302 and response.url == f"{LOANS}{loan.pk}/change/"
    assert (loan.principal, loan.annual_rate_bp, loan.maturity_on) == (30_000_000, 660, D(2029, 11, 1))
    assert (loan.record.intervention_type.code, loan.record.status) == ("credit_poor", "delivered")
    page = text_of(officer.get(response.url))
    assert "6,60%" in page and "8,58%" in page and "30.000.000" in page  # overdue rate: 130%
    assert "/repay/" not in client_for(chair_a).get(response.url).text

    repay = f"{LOANS}{loan.pk}/repay/"
    assert client_for(chair_a).get(repay).status_code == 403
    over = officer.post(repay, {"version": loan.version, "date": "15/11/2026", "principal": "40.000.000"})
    assert "dư nợ còn lại (30.000.000 đồng)" in text_of(over)
    done = officer.post(
        repay, {"version": loan.version, "date": "15/11/2026", "principal": "5.000.000", "interest": "165000"}
    )
    assert done.status_code == 302
    loan.refresh_from_db()
    assert (loan.repaid, loan.balance, loan.repayments.get().interest) == (5_000_000, 25_000_000, 165_000)
    stale = officer.post(repay, {"version": loan.version - 1, "date": "16/11/2026", "principal": "1"})
    assert "đã được người khác cập nhật" in text_of(stale)
    assert "25.000.000" in text_of(officer.get(LOANS))


def test_a_loan_rate_in_percent_and_an_overdue_loan(poor_a, officer_a):
    officer = client_for(officer_a)
    old = loan_form(poor_a, disbursed_on="01/03/2023", term_months="12", annual_rate="7,92")
    assert officer.post(LOANS + "add/", old).status_code == 302
    loan = Loan.objects.get()
    assert (loan.annual_rate_bp, loan.maturity_on) == (792, D(2024, 3, 1))
    assert poor_a.code in officer.get(LOANS, {"overdue": "yes"}).text
    assert poor_a.code not in officer.get(LOANS, {"overdue": "no"}).text


def test_a_loan_for_a_household_on_no_list_needs_a_program(household_a, officer_a):
    response = client_for(officer_a).post(LOANS + "add/", loan_form(household_a))
    assert response.status_code == 200
    assert "hãy chọn chương trình vay" in text_of(response)
    assert not Loan.objects.exists() and not SupportRecord.objects.exists()


def test_a_loan_cannot_be_cancelled_from_its_record(poor_a, officer_a):
    client_for(officer_a).post(LOANS + "add/", loan_form(poor_a))
    record = SupportRecord.objects.get()
    assert moves_shown(client_for(officer_a), record) == set()


# --- budgets -----------------------------------------------------------------------------------------------


def budget_form(target, money: str, **overrides) -> dict:
    data = {"area": target.pk, "year": "2026", "project": "P3", "funding_source": "central", "amount": money}
    return data | {"decision": "15/QĐ-UBND"} | overrides


def test_budgets_must_add_up(province, commune_a, commune_b, province_staff, officer_a):
    staff = client_for(province_staff)
    assert staff.post(BUDGETS + "add/", budget_form(province, "100.000.000")).status_code == 302
    assert staff.post(BUDGETS + "add/", budget_form(commune_a, "60000000")).status_code == 302
    over = staff.post(BUDGETS + "add/", budget_form(commune_b, "50.000.000"))
    assert over.status_code == 200
    assert "Kế hoạch vốn không khớp: các địa bàn cấp dưới được giao 110.000.000 đồng" in text_of(over)
    assert not BudgetAllocation.objects.filter(area=commune_b).exists()
    again = staff.post(BUDGETS + "add/", budget_form(commune_a, "1"))
    assert "Đã có kế hoạch vốn này (60.000.000 đồng)" in text_of(again)

    line = BudgetAllocation.objects.get(area=commune_a)
    url = f"{BUDGETS}{line.pk}/change/"
    assert staff.post(url, {}).status_code == 200  # nothing sent: the amount is required
    assert (
        staff.post(url, {"amount": "40.000.000", "decision": "", "expected_version": line.version}).status_code == 302
    )
    line.refresh_from_db()
    assert (line.amount, line.version, line.decision) == (40_000_000, 2, "15/QĐ-UBND")
    stale = staff.post(url, {"amount": "1", "decision": "", "expected_version": 1})
    assert "đã được người khác cập nhật" in text_of(stale)
    assert AuditEntry.objects.filter(action="support.budget.set").count() == 3

    officer = client_for(officer_a)
    assert officer.get(BUDGETS + "add/").status_code == 403
    listing = text_of(officer.get(BUDGETS))
    assert "100.000.000" in listing and "40.000.000" in listing  # her commune's and the province's envelope
    page = officer.get(url)
    assert page.status_code == 200 and 'name="amount"' not in page.text
    assert officer.post(url, {"amount": "1", "expected_version": line.version}).status_code == 403


def test_the_budget_page_sets_delivery_against_the_plan(province, commune_a, livestock, province_staff, officer_a):
    for area, amount in ((province, 100_000_000), (commune_a, 60_000_000)):
        services.set_budget(
            actor=province_staff, area_id=area.pk, year=2026, project="P3", funding_source="central", amount=amount
        )
    services.approve_support(actor=province_staff, record_id=livestock.pk, version=1, day=D(2026, 11, 16))
    services.deliver_support(actor=officer_a, record_id=livestock.pk, version=2, delivered_on=D(2026, 11, 17))
    services.record_support(
        actor=officer_a,
        household_id=livestock.household_id,
        type_code="seeds_tools_p3",
        date=D(2026, 11, 18),
        funding_source="central",
        amount=10_000_000,
    )

    def line_of(page: str) -> list[str]:
        row = re.search(r'data-project="P3" data-source="central">(.*?)</tr>', page, re.S)[1]
        return re.findall(r'class="money">([^<]*)<', row)

    page = text_of(client_for(province_staff).get(BUDGET_PAGE, {"area": province.pk, "year": "2026"}))
    # allocated, passed down, committed, delivered (less the household's share), co-financing, remaining
    assert line_of(page) == ["100.000.000", "60.000.000", "10.000.000", "20.000.000", "5.000.000", "70.000.000"]
    commune = re.search(rf'data-commune="{commune_a.code}">(.*?)</tr>', page, re.S)[1]
    assert re.findall(r'class="money">([^<]*)<', commune) == ["60.000.000", "20.000.000", "40.000.000"]

    mine = text_of(client_for(officer_a).get(BUDGET_PAGE))  # her commune and this year by default
    assert line_of(mine) == ["60.000.000", "0", "10.000.000", "20.000.000", "5.000.000", "30.000.000"]
    assert BUDGET_PAGE in client_for(officer_a).get(ADMIN).text  # linked from the app's page


# --- targeting and outcomes ------------------------------------------------------------------------------------


def test_the_targeting_list_and_its_excel_file(
    poor_a, make_household, commune_a, village_a, officer_a, chair_a, province_staff
):
    second = make_household(commune_a, "Lò Văn Sáng", village=village_a)
    set_status(chair_a, second, (D(2023, 1, 10), "near_poor"))
    for household in (poor_a, second):
        survey(officer_a, household, income=500_000, answers=DEPRIVED_THREE, standard_code="VN-2027")  # telecom
    info = services.record_support(
        actor=officer_a,
        household_id=poor_a.pk,
        type_code="info_p6",
        date=D(2026, 11, 1),
        funding_source="central",
        amount=2_000_000,
    )
    services.approve_support(actor=chair_a, record_id=info.pk, version=1, day=D(2026, 11, 2))
    services.deliver_support(actor=officer_a, record_id=info.pk, version=2, delivered_on=D(2026, 11, 3))

    officer = client_for(officer_a)
    query = {"area": commune_a.pk, "indicator": "telecom", "statuses": ["poor", "near_poor"], "since": "01/01/2021"}
    page = text_of(officer.get(TARGETING, query))
    assert re.findall(r'data-household="([^"]+)"', page) == [second.code]  # the other got a telephone
    assert "Lò Văn Sáng" in page and "1 hộ thiếu hụt" in page
    water = text_of(officer.get(TARGETING, {**query, "indicator": "water"}))  # a telephone brings no water
    assert set(re.findall(r'data-household="([^"]+)"', water)) == {poor_a.code, second.code}
    unsupported = text_of(officer.get(TARGETING))  # by default: the listed households with no support since 2021
    assert re.findall(r'data-household="([^"]+)"', unsupported) == [second.code]

    download = officer.get(TARGETING, {**query, "format": "xlsx"})
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "no-store" in download["Cache-Control"]
    cells = {c.value for row in load_workbook(io.BytesIO(download.content)).active.iter_rows() for c in row}
    assert second.code in cells and poor_a.code not in cells
    entry = AuditEntry.objects.get(action="support.targeting.exported")
    assert (entry.actor, entry.object_id, entry.changes["indicator"]) == (
        officer_a,
        str(commune_a.pk),
        [None, "telecom"],
    )

    province = client_for(province_staff).get(TARGETING, {**query, "area": commune_a.pk})
    assert re.findall(r'data-household="([^"]+)"', text_of(province)) == [second.code]


def test_the_outcomes_of_a_years_support(poor_a, make_household, commune_a, officer_a, chair_a):
    relapsed = make_household(commune_a, "Hoàng Văn Nam")
    set_status(chair_a, relapsed, (D(2023, 1, 10), "poor"))
    for household in (poor_a, relapsed):
        record = services.record_support(
            actor=officer_a,
            household_id=household.pk,
            type_code="livestock_p3",
            date=D(2024, 3, 1),
            funding_source="central",
            amount=20_000_000,
        )
        services.approve_support(actor=chair_a, record_id=record.pk, version=1, day=D(2024, 3, 5))
        services.deliver_support(actor=officer_a, record_id=record.pk, version=2, delivered_on=D(2024, 3, 10))
    set_status(chair_a, poor_a, (D(2025, 6, 1), "not_poor"))
    set_status(chair_a, relapsed, (D(2024, 12, 20), "not_poor"), (D(2025, 6, 1), "poor"))

    page = text_of(client_for(officer_a).get(OUTCOMES, {"area": commune_a.pk, "year": "2024"}))
    total = re.search(r'data-key="all" class="total">(.*?)</tr>', page, re.S)[1]
    # supported, poor then, listed then, out of poverty and off the lists on 31/12/2025 and today, relapsed
    assert re.findall(r'class="money"[^>]*>([^<]*)<', total) == ["2", "2", "2", "1", "1", "1", "1", "1"]
    assert "Đến 31/12/2025" in page and "Đến hôm nay" in page and "Đến 31/12/2026" not in page  # 2026 is running
    assert re.search(r'id="relapsed-households"><a href="[^"]+">' + relapsed.code, page)
    assert "chưa bắt đầu" in text_of(client_for(officer_a).get(OUTCOMES, {"area": commune_a.pk, "year": "2026"}))


# --- the household page ----------------------------------------------------------------------------------------


def test_the_household_page_lists_its_supports_with_a_link_to_add_one(livestock, officer_a, chair_a, officer_b):
    url = f"/admin/households/household/{livestock.household_id}/change/"
    page = text_of(client_for(officer_a).get(url))
    assert "Hỗ trợ đã nhận" in page
    assert f"{RECORDS}{livestock.pk}/change/" in page and "25.000.000" in page and "Dự kiến" in page
    assert f"{RECORDS}add/?household={livestock.household_id}" in page
    chair_page = text_of(client_for(chair_a).get(url))
    assert f"{RECORDS}{livestock.pk}/change/" in chair_page
    assert f"{RECORDS}add/?household=" not in chair_page  # the chair does not record supports
    assert client_for(officer_b).get(url).status_code == 404


def test_the_household_page_still_saves_with_its_supports(livestock, officer_a):
    officer = client_for(officer_a)
    data = change_form(officer, livestock.household, address="Số 5, tổ 2", reason="Chuyển nhà")
    assert officer.post(f"/admin/households/household/{livestock.household_id}/change/", data).status_code == 302
    assert fresh(livestock).household.address == "Số 5, tổ 2"


# --- scope and rights ------------------------------------------------------------------------------------------


def test_another_communes_officer_sees_nothing_of_the_record(livestock, officer_b):
    other = client_for(officer_b)
    assert other.get(f"{RECORDS}{livestock.pk}/change/").status_code == 404
    assert move(other, livestock, "cancel", reason="x").status_code == 404
    follow_up_url = f"{RECORDS}{livestock.pk}/follow-up/1/"
    assert other.get(follow_up_url).status_code == 404
    assert livestock.household.code not in other.get(RECORDS).text
    refused = other.post(RECORDS + "add/", record_form(livestock.household))
    assert refused.status_code == 200 and not SupportRecord.objects.filter(recorded_by__username="canbo_b").exists()
    assert fresh(livestock).status == "planned"


def test_the_chair_cannot_add_and_district_staff_see_their_communes(livestock, chair_a, district_staff):
    assert client_for(chair_a).get(RECORDS + "add/").status_code == 403
    assert client_for(chair_a).get(LOANS + "add/").status_code == 403
    assert client_for(chair_a).get(RECORDS).status_code == 200
    assert livestock.household.code in client_for(district_staff).get(RECORDS).text


def test_another_communes_officer_sees_nothing_of_the_loan(poor_a, officer_a, officer_b):
    client_for(officer_a).post(LOANS + "add/", loan_form(poor_a))
    loan = Loan.objects.get()
    other = client_for(officer_b)
    assert other.get(f"{LOANS}{loan.pk}/change/").status_code == 404
    assert (
        other.post(f"{LOANS}{loan.pk}/repay/", {"version": 1, "date": "15/11/2026", "principal": "1"}).status_code
        == 404
    )
    assert poor_a.code not in other.get(LOANS).text
    loan.refresh_from_db()
    assert loan.repaid == 0


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("officer_a", 200),
        ("officer_b", 200),
        ("chair_a", 200),
        ("district_staff", 200),
        ("province_staff", 200),
        ("admin_user", 200),
        ("outsider", 302),
    ],
)
@pytest.mark.parametrize("page", [BUDGET_PAGE, TARGETING, OUTCOMES, RECORDS, LOANS, BUDGETS, ADMIN])
def test_who_opens_the_support_pages(persona, name, status, page):
    assert client_for(persona(name)).get(page).status_code == status


@pytest.mark.parametrize("page", [BUDGET_PAGE, TARGETING, OUTCOMES])
def test_an_area_outside_the_scope_is_refused(page, commune_a, officer_b, livestock):
    response = client_for(officer_b).get(page, {"area": commune_a.pk, "year": "2026", "statuses": "poor"})
    assert response.status_code == 200 and "errorlist" in response.text
    assert livestock.household.code not in response.text


# --- bad input -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "-5", "Không được là số âm."),
        ("amount", "٣٠٠٠", "Chỉ nhập số nguyên bằng các chữ số 0-9."),
        ("amount", "３０００", "Chỉ nhập số nguyên bằng các chữ số 0-9."),
        ("amount", "99999999999999999999999", "Chỉ nhập số nguyên bằng các chữ số 0-9."),
        ("amount", "20.000.000.000", "10000000000"),
        ("quantity", "0", "1"),
        ("quantity", "²", "Chỉ nhập số nguyên"),
        ("cofinancing", "40.000.000", "Phần hộ đối ứng phải từ 0 đến số tiền hỗ trợ."),
        ("date", "31/02/2026", ""),
        ("date", "2026-13-01", ""),
        ("date", "01/01/1999", "Ngày hỗ trợ phải từ năm 2000."),
        ("date", "01/01/2030", "quá xa trong tương lai"),
        ("funding_source", "lottery", ""),
        ("household", "abc", ""),
        ("household", str(10**12), ""),
        ("intervention_type", str(10**12), ""),
    ],
)
def test_bad_input_on_the_add_form_is_a_form_error(poor_a, officer_a, field, value, message):
    response = client_for(officer_a).post(RECORDS + "add/", record_form(poor_a, **{field: value}))
    assert response.status_code == 200
    page = text_of(response)
    assert "errorlist" in page and message in page
    assert not SupportRecord.objects.exists()


def test_a_credit_type_posted_to_the_add_form_is_refused(poor_a, officer_a):
    response = client_for(officer_a).post(
        RECORDS + "add/", record_form(poor_a, "housing_new_temp") | {"intervention_type": type_id("credit_poor")}
    )
    assert response.status_code == 200 and "errorlist" in response.text
    assert not SupportRecord.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"principal": "-1"}, "Không được là số âm."),
        ({"principal": "0"}, "Số tiền vay phải là số nguyên dương"),
        ({"annual_rate": "abc"}, "Lãi suất ghi theo %/năm"),
        ({"annual_rate": "150"}, "Lãi suất không quá 100%/năm."),
        ({"term_months": "0"}, ""),
        ({"term_months": "٣٦"}, "Chỉ nhập số nguyên"),
        ({"disbursed_on": "01/01/2030"}, "Ngày giải ngân (01/01/2030) không được sau hôm nay."),
        ({"disbursed_on": "30/02/2026"}, ""),
        ({"purpose": ""}, ""),
        ({"intervention_type": "livestock_p3"}, ""),  # not a credit type
    ],
)
def test_bad_input_on_the_loan_form_is_a_form_error(poor_a, officer_a, overrides, message):
    if overrides.get("intervention_type"):
        overrides = {"intervention_type": type_id(overrides["intervention_type"])}
    response = client_for(officer_a).post(LOANS + "add/", loan_form(poor_a, **overrides))
    assert response.status_code == 200
    assert "errorlist" in response.text and message in text_of(response)
    assert not Loan.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"date": "32/01/2026", "principal": "1"},
        {"date": "15/11/2026", "principal": "１０"},
        {"date": "15/11/2026", "principal": "0", "interest": "0"},
        {"date": "01/01/2020", "principal": "1"},
        {"date": "15/11/2026", "principal": "1", "version": "abc"},
    ],
)
def test_bad_input_on_the_repayment_form_is_a_form_error(poor_a, officer_a, data):
    officer = client_for(officer_a)
    officer.post(LOANS + "add/", loan_form(poor_a))
    loan = Loan.objects.get()
    response = officer.post(f"{LOANS}{loan.pk}/repay/", {"version": loan.version} | data)
    assert response.status_code == 200 and "errorlist" in response.text
    loan.refresh_from_db()
    assert loan.repaid == 0


@pytest.mark.parametrize(
    "data",
    [
        {"version": "abc", "approved_on": "19/11/2026"},
        {"version": "1", "approved_on": "29/02/2026"},
        {"version": "1", "approved_on": "01/01/2030"},
        {"version": "1"},
    ],
)
def test_bad_input_on_a_move_is_a_form_error(livestock, chair_a, data):
    response = client_for(chair_a).post(f"{RECORDS}{livestock.pk}/move/approve/", data)
    assert response.status_code == 200 and "errorlist" in response.text
    assert fresh(livestock).status == "planned"


@pytest.mark.parametrize(
    "overrides",
    [{"amount": "٣"}, {"amount": "-1"}, {"year": "20x6"}, {"year": "1999"}, {"project": "P9"}, {"area": "²"}],
)
def test_bad_input_on_the_budget_form_is_a_form_error(province, province_staff, overrides):
    response = client_for(province_staff).post(BUDGETS + "add/", budget_form(province, "1.000", **overrides))
    assert response.status_code == 200 and "errorlist" in response.text
    assert not BudgetAllocation.objects.exists()


def test_a_village_gets_no_budget(village_a, province_staff):
    response = client_for(province_staff).post(BUDGETS + "add/", budget_form(village_a, "1.000"))
    assert response.status_code == 200 and "errorlist" in response.text


@pytest.mark.parametrize(
    ("page", "query"),
    [
        (BUDGET_PAGE, {"year": "abc"}),
        (BUDGET_PAGE, {"area": "²", "year": "2026"}),
        (TARGETING, {"since": "99/99/9999", "statuses": "poor"}),
        (TARGETING, {"statuses": "rich"}),
        (TARGETING, {"indicator": "wealth", "statuses": "poor"}),
        (OUTCOMES, {"year": "٢٠٢٤"}),
        (RECORDS + "add/", {"household": "²"}),
        (LOANS + "add/", {"household": "99999999999999999999999"}),
        (RECORDS, {"year": "²"}),
        (RECORDS, {"year": "0000"}),
        (LOANS, {"year": "0000"}),
        (RECORDS, {"commune": "abc"}),
        (LOANS, {"overdue": "maybe"}),
        (BUDGETS, {"area": "x"}),
    ],
)
def test_bad_query_strings_never_break_a_page(page, query, officer_a, commune_a):
    query = {"area": commune_a.pk, **query} if page in (BUDGET_PAGE, TARGETING, OUTCOMES) else query
    assert client_for(officer_a).get(page, query).status_code == 200


def test_the_targeting_file_is_refused_outside_the_scope(commune_a, officer_b):
    response = client_for(officer_b).get(TARGETING, {"area": commune_a.pk, "statuses": "poor", "format": "xlsx"})
    assert response.status_code == 200 and "errorlist" in response.text
    assert not AuditEntry.objects.filter(action="support.targeting.exported").exists()


def test_an_area_field_shows_only_the_scope(officer_a, commune_a, commune_b):
    page = client_for(officer_a).get(BUDGET_PAGE).text
    assert f'value="{commune_a.pk}"' in page and f'value="{commune_b.pk}"' not in page
    assert f">{commune_a.name}</option>" in page  # her own area, not indented


# --- found in review (2) ------------------------------------------------------------------------------------


def test_a_delivery_to_a_household_no_longer_eligible_is_refused_unless_district_staff_write_why(
    poor_a, officer_a, chair_a, district_staff
):
    card = services.record_support(
        actor=officer_a,
        household_id=poor_a.pk,
        type_code="hi_poor",
        date=D(2026, 9, 1),
        funding_source="central",
        amount=1_000_000,
    )
    card = services.approve_support(actor=chair_a, record_id=card.pk, version=card.version, day=D(2026, 9, 2))
    set_status(chair_a, poor_a, (D(2026, 10, 1), "not_poor"))
    officer = client_for(officer_a)
    assert 'name="override_reason"' not in officer.get(f"{RECORDS}{card.pk}/move/deliver/").text
    refused = move(officer, card, "deliver", delivered_on="01/10/2026")
    assert refused.status_code == 200
    assert "Ngày giao hỗ trợ 01/10/2026 hộ không còn đủ điều kiện" in text_of(refused)
    assert fresh(card).status == "approved"
    staff = client_for(district_staff)
    assert 'name="override_reason"' in staff.get(f"{RECORDS}{card.pk}/move/deliver/").text
    done = move(staff, card, "deliver", delivered_on="01/10/2026", override_reason="Thẻ đã in trước.")
    assert done.status_code == 302
    assert (fresh(card).status, fresh(card).override_reason) == ("delivered", "Thẻ đã in trước.")


def test_a_budget_change_without_the_version_seen_is_refused(province, province_staff):
    line = services.set_budget(
        actor=province_staff, area_id=province.pk, year=2026, project="P3", funding_source="central", amount=100
    )
    response = client_for(province_staff).post(f"{BUDGETS}{line.pk}/change/", {"amount": "1", "decision": ""})
    assert response.status_code == 200 and "Thiếu phiên bản kế hoạch vốn" in text_of(response)
    line.refresh_from_db()
    assert (line.amount, line.version) == (100, 1)


def test_a_loan_rate_above_100_percent_on_a_type_is_a_form_error_in_vietnamese(admin_user):
    credit = InterventionType.objects.get(code="credit_poor")
    data = {
        **{name: getattr(credit, name) for name in ("code", "name", "project", "kind", "unit", "legal_source")},
        "default_amount": "0",
        "annual_rate_bp": "10001",
        "max_term_months": "",
        "eligible_statuses": ["poor"],
        "newly_escaped_months": "36",
        "limit": "none",
        "active": "on",
    }
    response = client_for(admin_user).post(f"{ADMIN}interventiontype/{credit.pk}/change/", data)
    assert response.status_code == 200 and "10000" in text_of(response).replace(".", "")
    assert "Constraint" not in text_of(response)
    assert InterventionType.objects.get(pk=credit.pk).annual_rate_bp == 660


def test_a_targeting_date_or_an_outcome_year_to_come_is_a_form_error(officer_a, commune_a):
    officer = client_for(officer_a)
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    page = officer.get(TARGETING, {"area": commune_a.pk, "statuses": "poor", "since": f"{tomorrow:%d/%m/%Y}"})
    assert "sau hôm nay" in text_of(page) and "data-household" not in page.text
    page = officer.get(OUTCOMES, {"area": commune_a.pk, "year": str(tomorrow.year + 1)})
    assert "chưa đến" in text_of(page)
