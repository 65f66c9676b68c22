"""The review's documents (domain A6; Part B §3.2 steps 4 and 6): posting list, decision list, certificate,
as printable pages and Excel files, scoped, audited and in a fixed number of queries."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.errors import DomainError, NotFound
from households import services as household_services
from households.models import AuditEntry, Member
from programs.review import documents
from programs.review import services as workflow
from programs.standards import services
from tests.programs.review_helpers import (
    DECISION_DAY,
    DEPRIVED_THREE,
    GOOD_HOUSE,
    MEETING_DAY,
    NOTHING_DEPRIVED,
    TODAY,
    case_of,
    insure,
    make_poor,
    open_review,
    recognise,
    survey,
    walk_to_posted,
)

pytestmark = pytest.mark.django_db

RICH = 5_000_000  # not poor
LOW = 500_000  # below the line: poor with three deprivations, near-poor without
HEAD_ID = "001080012345"
CHILD_ID = "001210054321"
SECOND_DECISION_DAY = datetime.date(2026, 11, 3)
EXPORTED = "programs.document.exported"


@pytest.fixture
def village_a2(commune_a, admin_user):
    return household_services.create_village(actor=admin_user, commune=commune_a, name="Thôn Khe Mạ")


@pytest.fixture
def listed(make_household, commune_a, village_a, admin_user):
    """A poor household of commune A, insured (no other deprivation than those a test answers)."""

    def make(head: str, village=None, child: str = "Con Thị Út"):
        household = make_household(commune_a, head, (child,), village=village or village_a)
        insure(household)
        return make_poor(household, admin_user)

    return make


@pytest.fixture
def review(listed, make_household, commune_a, village_a, village_a2, officer_a, chair_a, hmong):
    """The 2026 periodic review of commune A with a household at every step that matters to the documents."""
    posted = listed("Nguyễn Văn Đức")
    Member.objects.filter(household=posted, relation="head").update(national_id=HEAD_ID)
    Member.objects.filter(household=posted, relation="child").update(national_id=CHILD_ID)
    khe_ma = listed("Lò Văn Pao", village_a2)
    rechecked = listed("Hoàng Thị Mai")
    agreed = listed("Vàng A Sử")
    waiting = listed("Sùng Thị Dua")
    stays_poor = listed("Giàng A Páo", village_a2, child="Giàng Thị Mỷ")
    Member.objects.filter(household=stays_poor, relation="child").update(ethnicity=hmong, sex="female")
    escaped = listed("Lý Văn Tài")
    to_near = listed("Ma Thị Hà")
    newcomer = make_household(commune_a, "Đặng Văn Nam", ("Đặng Thị Na",), village=village_a2)
    insure(newcomer)
    open_review(commune_a)

    cases = {
        "posted": walk_to_posted(officer_a, posted, income=RICH),
        "khe_ma": walk_to_posted(officer_a, khe_ma, income=LOW, answers=DEPRIVED_THREE),
        "rechecked": walk_to_posted(officer_a, rechecked, income=RICH),
    }
    workflow.file_complaint(
        actor=officer_a,
        case_id=cases["rechecked"].pk,
        expected_version=cases["rechecked"].version,
        received_on=datetime.date(2026, 10, 27),
        complainant="Trưởng thôn",
        content="Hộ có xe máy mới.",
        today=TODAY,
    )
    survey(officer_a, agreed, income=RICH)
    case = case_of(agreed)
    cases["agreed"] = workflow.record_meeting(
        actor=officer_a,
        case_id=case.pk,
        expected_version=case.version,
        meeting_date=MEETING_DAY,
        attendees=10,
        agreeing=10,
        today=TODAY,
    )
    cases["waiting"] = case_of(waiting)
    cases["stays_poor"] = recognise(chair_a, walk_to_posted(officer_a, stays_poor, income=LOW, answers=DEPRIVED_THREE))
    cases["escaped"] = recognise(chair_a, walk_to_posted(officer_a, escaped, income=RICH))
    cases["to_near"] = recognise(chair_a, walk_to_posted(officer_a, to_near, income=LOW, answers=NOTHING_DEPRIVED))
    workflow.file_review_request(
        actor=officer_a,
        household_id=newcomer.pk,
        request_kind="add",
        channel="in_person",
        filed_on=datetime.date(2026, 9, 12),
        today=TODAY,
    )
    newly = recognise(
        chair_a,
        walk_to_posted(officer_a, newcomer, income=LOW, answers=DEPRIVED_THREE),
        number="46/QĐ-UBND",
        day=SECOND_DECISION_DAY,
    )
    cases["newly"] = workflow.report_case(
        actor=officer_a,
        case_id=newly.pk,
        expected_version=newly.version,
        reported_on=datetime.date(2026, 11, 10),
        today=TODAY,
    )
    for case in cases.values():
        case.refresh_from_db()
    return cases


@pytest.fixture
def campaign(review):
    return review["posted"].campaign


@pytest.fixture
def review_b(make_household, commune_b, village_b, officer_b, admin_user):
    """Commune B's review with one posted household: never in commune A's documents."""
    household = make_household(commune_b, "Trần Văn Bình", ("Trần Thị Lan",), village=village_b)
    insure(household)
    make_poor(household, admin_user)
    open_review(commune_b)
    return walk_to_posted(officer_b, household, income=RICH)


@pytest.fixture
def small(listed, commune_a, officer_a, chair_a):
    """One household recognised poor with a certificate: every document exists (for the access matrix)."""
    household = listed("Giàng A Páo")
    open_review(commune_a)
    return recognise(chair_a, walk_to_posted(officer_a, household, income=LOW, answers=DEPRIVED_THREE))


def url(name: str, pk: int, **query) -> str:
    path = reverse(f"programs:{name}", args=[pk])
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def sheet_of(response) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return list(book.active.iter_rows(values_only=True))


def all_text(rows: list[tuple]) -> str:
    return "\n".join(" | ".join("" if v is None else str(v) for v in row) for row in rows)


def table_rows(rows: list[tuple], header: str) -> list[tuple]:
    """The data rows under the column header row (first cell `header`), numbered rows only."""
    start = next(i for i, row in enumerate(rows) if row[0] == header)
    return [row for row in rows[start + 1 :] if isinstance(row[0], int)]


def heads(document: documents.Document, section: int | None = None) -> list[str]:
    rows = document.rows if section is None else document.sections[section].rows
    return [row[1] for row in rows]


# --- the posting list -------------------------------------------------------------------------------------


def test_the_posting_list_holds_the_posted_and_rechecked_households_only(review, campaign, officer_a, review_b):
    document = documents.posting_list(user=officer_a, campaign_id=campaign.pk)
    assert sorted(heads(document)) == ["Hoàng Thị Mai", "Lò Văn Pao", "Nguyễn Văn Đức"]
    assert [column.label for column in document.columns] == [
        "STT",
        "Họ và tên chủ hộ",
        "Thôn, tổ dân phố",
        "Đề xuất phân loại",
        "Số hồ sơ (ghi khi khiếu nại)",
    ]
    by_head = {row[1]: row for row in document.rows}
    assert by_head["Nguyễn Văn Đức"][2:] == ("Thôn Nà Phát", "Hộ không nghèo", review["posted"].reference)
    assert by_head["Lò Văn Pao"][2:] == ("Thôn Khe Mạ", "Hộ nghèo", review["khe_ma"].reference)
    assert [row[0] for row in document.rows] == [1, 2, 3]
    commune = campaign.area.name  # "Phường Lào Cai" in the official list
    assert document.issuer == f"ỦY BAN NHÂN DÂN {commune.upper()}"
    assert document.header[0] == "Rà soát định kỳ năm 2026"
    assert document.header[1] == "Thời gian niêm yết: từ ngày 26/10/2026 đến hết ngày 28/10/2026."
    assert f"gửi Ủy ban nhân dân {documents.in_text(campaign.area)} trong thời gian niêm yết" in document.header[2]
    assert documents.in_text(campaign.area) == "phường " + commune.split(" ", 1)[1]
    assert "28/10/2026" in document.header[2]


def test_the_posting_page_shows_the_right_households_and_no_ids_or_incomes(client, review, campaign, officer_a):
    client.force_login(officer_a)
    response = client.get(url("posting-list", campaign.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    for name in ("Nguyễn Văn Đức", "Lò Văn Pao", "Hoàng Thị Mai", review["posted"].reference):
        assert name in page
    for name in ("Vàng A Sử", "Sùng Thị Dua", "Giàng A Páo", "Lý Văn Tài", "Ma Thị Hà", "Đặng Văn Nam"):
        assert name not in page
    for secret in (HEAD_ID, CHILD_ID, "5000000", "5.000.000", "500.000", "Con Thị Út"):
        assert secret not in page
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page
    assert "Độc lập - Tự do - Hạnh phúc" in page
    assert "data-print" in page and "programs/documents.js" in page  # the print button, its script a file (CSP)
    assert "@media print" in page and "no-print" in page
    assert "size: A4" in page
    assert "format=xlsx" in page
    assert "no-store" in response["Cache-Control"]


def test_the_posting_list_in_excel_has_the_same_households(client, review, campaign, officer_a):
    client.force_login(officer_a)
    response = client.get(url("posting-list", campaign.pk, format="xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="danh-sach-niem-yet-')
    assert disposition.endswith('-2026.xlsx"')
    assert disposition.isascii()
    rows = sheet_of(response)
    assert rows[0][0] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert rows[1][0] == "Độc lập - Tự do - Hạnh phúc"
    data = table_rows(rows, "STT")
    assert sorted(row[1] for row in data) == ["Hoàng Thị Mai", "Lò Văn Pao", "Nguyễn Văn Đức"]
    assert {row[4] for row in data} == {review[k].reference for k in ("posted", "khe_ma", "rechecked")}
    text = all_text(rows)
    for secret in (HEAD_ID, CHILD_ID, "5000000", "Vàng A Sử", "Giàng A Páo"):
        assert secret not in text

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header_row = next(row for row in sheet.iter_rows() if row[0].value == "STT")
    assert all(cell.font.bold for cell in header_row)
    assert sheet.column_dimensions["B"].width == 30
    assert int(sheet.page_setup.paperSize) == 9  # A4


def test_the_posting_list_of_one_village_leaves_the_others_out(client, review, campaign, officer_a, village_a2):
    client.force_login(officer_a)
    page = client.get(url("posting-list", campaign.pk, village=village_a2.pk)).content.decode()
    assert "Lò Văn Pao" in page
    assert "Nguyễn Văn Đức" not in page and "Hoàng Thị Mai" not in page
    assert "Rà soát định kỳ năm 2026 — Thôn Khe Mạ" in page

    response = client.get(url("posting-list", campaign.pk, village=village_a2.pk, format="xlsx"))
    assert [row[1] for row in table_rows(sheet_of(response), "STT")] == ["Lò Văn Pao"]
    assert response["Content-Disposition"].endswith('-2026-thon-khe-ma.xlsx"')


def test_a_village_of_another_commune_or_not_a_number_is_a_400(client, review, campaign, officer_a, village_b):
    client.force_login(officer_a)
    response = client.get(url("posting-list", campaign.pk, village=village_b.pk))
    assert response.status_code == 400
    assert "không thuộc" in response.content.decode()
    response = client.get(url("posting-list", campaign.pk, village="abc"))
    assert response.status_code == 400
    assert "Mã thôn “abc” không hợp lệ" in response.content.decode()
    assert not AuditEntry.objects.filter(action=EXPORTED).exists()


# --- the list attached to the recognition decision ------------------------------------------------------------


def test_the_decision_list_groups_the_recognised_households_by_list(review, campaign, officer_a):
    document = documents.decision_list(user=officer_a, campaign_id=campaign.pk)
    titles = [section.title for section in document.sections]
    assert titles == [
        "I. Hộ nghèo (2 hộ)",
        "II. Hộ cận nghèo (1 hộ)",
        "III. Hộ thoát nghèo (2 hộ)",
        "IV. Hộ thoát cận nghèo (0 hộ)",
    ]
    poor, near, escaped, _ = (section.rows for section in document.sections)
    # STT, head, village, result, decision number, decision date, certificate (two decisions in this campaign)
    assert {row[1]: (row[3], row[4], row[5], row[6]) for row in poor} == {
        "Giàng A Páo": ("Giữ nguyên", "45/QĐ-UBND", DECISION_DAY, review["stays_poor"].certificate_number),
        "Đặng Văn Nam": ("Hộ nghèo phát sinh", "46/QĐ-UBND", SECOND_DECISION_DAY, review["newly"].certificate_number),
    }
    assert [(row[1], row[3], row[6]) for row in near] == [
        ("Ma Thị Hà", "Thoát nghèo, thành hộ cận nghèo", review["to_near"].certificate_number)
    ]
    assert sorted((row[1], row[3], row[6]) for row in escaped) == [
        ("Lý Văn Tài", "Thoát nghèo", ""),
        ("Ma Thị Hà", "Thoát nghèo, thành hộ cận nghèo", review["to_near"].certificate_number),
    ]
    listed_heads = {row[1] for row in document.rows}
    assert not listed_heads & {"Nguyễn Văn Đức", "Lò Văn Pao", "Hoàng Thị Mai", "Vàng A Sử", "Sùng Thị Dua"}
    assert document.header[0] == (
        "(Kèm theo các Quyết định số 45/QĐ-UBND ngày 02/11/2026, số 46/QĐ-UBND ngày 03/11/2026 "
        f"của Chủ tịch Ủy ban nhân dân {documents.in_text(campaign.area)})"
    )
    assert document.place_date.endswith("ngày 03 tháng 11 năm 2026")


def test_one_decision_is_named_in_the_header_and_not_repeated_on_each_row(small, officer_a):
    document = documents.decision_list(user=officer_a, campaign_id=small.campaign_id)
    assert [column.label for column in document.columns] == [
        "STT",
        "Họ và tên chủ hộ",
        "Thôn, tổ dân phố",
        "Kết quả rà soát",
        "Số giấy chứng nhận",
    ]
    assert document.sections[0].rows == ((1, "Giàng A Páo", "Thôn Nà Phát", "Giữ nguyên", "0001/2026/GCN-HN.HCN"),)
    assert document.header[0].startswith("(Kèm theo Quyết định số 45/QĐ-UBND ngày 02/11/2026 của Chủ tịch")


def test_the_decision_list_page_and_excel_agree(client, review, campaign, province_staff):
    client.force_login(province_staff)
    page = client.get(url("decision-list", campaign.pk)).content.decode()
    for name in ("Giàng A Páo", "Đặng Văn Nam", "Ma Thị Hà", "Lý Văn Tài", "0001/2026/GCN-HN.HCN", "45/QĐ-UBND"):
        assert name in page
    for name in ("Nguyễn Văn Đức", "Lò Văn Pao", "Hoàng Thị Mai", "Vàng A Sử", "Sùng Thị Dua", HEAD_ID):
        assert name not in page
    assert "02/11/2026" in page
    assert "size: A4 landscape" in page  # seven columns

    response = client.get(url("decision-list", campaign.pk, format="xlsx"))
    assert response["Content-Disposition"].startswith('attachment; filename="danh-sach-cong-nhan-')
    rows = sheet_of(response)
    data = table_rows(rows, "STT")
    assert sorted(row[1] for row in data) == ["Giàng A Páo", "Lý Văn Tài", "Ma Thị Hà", "Ma Thị Hà", "Đặng Văn Nam"]
    assert "Nguyễn Văn Đức" not in all_text(rows)
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    dates = [row[5] for row in sheet.iter_rows() if isinstance(row[0].value, int)]
    assert {cell.value.date() for cell in dates} == {DECISION_DAY, SECOND_DECISION_DAY}
    assert {cell.number_format for cell in dates} == {"dd/mm/yyyy"}
    assert any(str(row[0]).startswith("III. Hộ thoát nghèo") for row in rows)


# --- the certificate ---------------------------------------------------------------------------------------


def test_the_certificate_names_the_household_its_members_and_their_birth_years(review, officer_a):
    case = review["stays_poor"]
    document = documents.certificate(user=officer_a, case_id=case.pk)
    assert document.title == "GIẤY CHỨNG NHẬN HỘ NGHÈO"
    assert document.number == "Số: 0001/2026/GCN-HN.HCN"
    assert document.rows == (
        (1, "Giàng A Páo", 1980, "Nam", "Kinh", "Chủ hộ"),
        (2, "Giàng Thị Mỷ", 2010, "Nữ", "Mông", "Con"),
    )
    header = "\n".join(document.header)
    assert f"Hộ ông: Giàng A Páo (mã hộ {case.household.code})" in header
    assert "Thôn Khe Mạ" in header
    assert "Là hộ nghèo theo Chuẩn nghèo đa chiều giai đoạn 2027-2030" in header
    assert "Quyết định số 45/QĐ-UBND ngày 02/11/2026" in header
    assert "có giá trị trong năm 2027 (từ ngày 01/01/2027 đến hết ngày 31/12/2027)" in header


def test_a_near_poor_certificate_says_so(review, chair_a):
    document = documents.certificate(user=chair_a, case_id=review["to_near"].pk)
    assert document.title == "GIẤY CHỨNG NHẬN HỘ CẬN NGHÈO"
    assert document.number == "Số: 0002/2026/GCN-HN.HCN"


def test_the_certificate_page_and_excel_list_the_members(client, review, officer_a):
    case = review["stays_poor"]
    client.force_login(officer_a)
    page = client.get(url("certificate", case.pk)).content.decode()
    for text in ("GIẤY CHỨNG NHẬN HỘ NGHÈO", "0001/2026/GCN-HN.HCN", "Giàng Thị Mỷ", "2010", "1980", "Mông", "Con"):
        assert text in page
    assert "Lò Văn Pao" not in page

    response = client.get(url("certificate", case.pk, format="xlsx"))
    assert response["Content-Disposition"] == 'attachment; filename="giay-chung-nhan-0001-2026-gcn-hn-hcn.xlsx"'
    rows = sheet_of(response)
    assert table_rows(rows, "STT") == [
        (1, "Giàng A Páo", 1980, "Nam", "Kinh", "Chủ hộ"),
        (2, "Giàng Thị Mỷ", 2010, "Nữ", "Mông", "Con"),
    ]
    assert "Số: 0001/2026/GCN-HN.HCN" in all_text(rows)


def test_a_case_without_a_certificate_is_a_clear_error(client, review, officer_a):
    for key in ("escaped", "posted"):
        with pytest.raises(DomainError) as refused:
            documents.certificate(user=officer_a, case_id=review[key].pk)
        assert refused.value.code == "no_certificate"
        assert review[key].reference in refused.value.message
    client.force_login(officer_a)
    response = client.get(url("certificate", review["escaped"].pk))
    assert response.status_code == 404
    assert "không có giấy chứng nhận" in response.content.decode()
    assert not AuditEntry.objects.filter(action=EXPORTED).exists()


def test_a_monthly_decision_holds_from_its_date_to_the_end_of_the_year():
    assert documents.certificate_validity("monthly", 2026, datetime.date(2026, 3, 27)) == (
        datetime.date(2026, 3, 27),
        datetime.date(2026, 12, 31),
    )
    assert documents.certificate_validity("periodic", 2026, datetime.date(2026, 11, 2)) == (
        datetime.date(2027, 1, 1),
        datetime.date(2027, 12, 31),
    )


def test_a_monthly_certificate_names_its_dates(make_household, commune_a, village_a, officer_a, chair_a):
    household = make_household(commune_a, "Triệu Thị Sen", ("Triệu Văn Lìn",), village=village_a)
    insure(household)
    Member.objects.filter(household=household, relation="head").update(sex="female")
    case = workflow.file_review_request(
        actor=officer_a,
        household_id=household.pk,
        request_kind="add",
        channel="online",
        filed_on=datetime.date(2026, 3, 10),
        today=TODAY,
    )
    old_standard = {k: v for k, v in DEPRIVED_THREE.items() if k != "waste_treatment"} | {"information_access": True}
    services.record_assessment(
        actor=officer_a,
        household_id=household.pk,
        survey_date=datetime.date(2026, 3, 16),
        review_year=2026,
        review_kind="monthly",
        review_month=3,
        income_per_capita=LOW,
        dwelling=GOOD_HOUSE,
        member_extras={m.pk: {"stunted": False, "underweight": False} for m in household.members.all()},
        answers=old_standard,
        today=TODAY,
    )
    case = case_of(household)
    case = workflow.record_meeting(
        actor=officer_a,
        case_id=case.pk,
        expected_version=case.version,
        meeting_date=datetime.date(2026, 3, 18),
        attendees=10,
        agreeing=8,
        today=TODAY,
    )
    case = workflow.post_case(
        actor=officer_a,
        case_id=case.pk,
        expected_version=case.version,
        posting_start=datetime.date(2026, 3, 19),
        today=TODAY,
    )
    case = recognise(chair_a, case, number="12/QĐ-UBND", day=datetime.date(2026, 3, 27))
    document = documents.certificate(user=officer_a, case_id=case.pk)
    assert document.number == "Số: 0001/T03.2026/GCN-HN.HCN"
    assert "Hộ bà: Triệu Thị Sen" in document.header[1]
    assert "rà soát thường xuyên tháng 3/2026" in document.header[3]
    assert document.header[-1] == "Giấy chứng nhận có giá trị (từ ngày 27/03/2026 đến hết ngày 31/12/2026)."


# --- access, errors, audit ------------------------------------------------------------------------------------

DOCUMENTS = ["posting-list", "decision-list", "certificate"]


def target(name: str, case) -> int:
    return case.pk if name == "certificate" else case.campaign_id


@pytest.mark.parametrize("name", DOCUMENTS)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("officer_a", 200),
        ("chair_a", 200),
        ("district_staff", 200),
        ("province_staff", 200),
        ("admin_user", 200),
        ("officer_b", 404),
        ("outsider", 403),
    ],
)
def test_who_may_download_which_document(client, small, persona, name, who, status):
    client.force_login(persona(who))
    for fmt in ("html", "xlsx"):
        response = client.get(url(name, target(name, small), format=fmt))
        assert response.status_code == status, (who, name, fmt)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_anonymous_users_are_sent_to_the_login_page(client, small, name):
    response = client.get(url(name, target(name, small)))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")


@pytest.mark.parametrize("name", DOCUMENTS)
def test_a_bad_format_is_a_400_with_a_message(client, small, officer_a, name):
    client.force_login(officer_a)
    response = client.get(url(name, target(name, small), format="pdf"))
    assert response.status_code == 400
    assert "Định dạng “pdf” không hợp lệ" in response.content.decode()
    assert client.post(url(name, target(name, small))).status_code == 405


def test_out_of_scope_is_not_found_in_the_builders(review, campaign, officer_b, review_b, officer_a):
    with pytest.raises(NotFound):
        documents.posting_list(user=officer_b, campaign_id=campaign.pk)
    with pytest.raises(NotFound):
        documents.decision_list(user=officer_b, campaign_id=campaign.pk)
    with pytest.raises(NotFound):
        documents.certificate(user=officer_b, case_id=review["stays_poor"].pk)
    other = documents.posting_list(user=officer_b, campaign_id=review_b.campaign_id)
    assert heads(other) == ["Trần Văn Bình"]
    with pytest.raises(NotFound):
        documents.posting_list(user=officer_a, campaign_id=review_b.campaign_id)


def test_every_download_is_audited(client, review, campaign, officer_a, village_a2):
    client.force_login(officer_a)
    client.get(url("posting-list", campaign.pk, village=village_a2.pk, format="xlsx"))
    client.get(url("decision-list", campaign.pk))
    case = review["stays_poor"]
    client.get(url("certificate", case.pk, format="xlsx"))
    entries = list(AuditEntry.objects.filter(action=EXPORTED).order_by("id"))
    assert [(e.actor_id, e.object_id, e.changes) for e in entries] == [
        (
            officer_a.pk,
            str(campaign.pk),
            {"document": [None, "posting-list"], "format": [None, "xlsx"], "village": [None, village_a2.pk]},
        ),
        (officer_a.pk, str(campaign.pk), {"document": [None, "decision-list"], "format": [None, "html"]}),
        (officer_a.pk, str(case.pk), {"document": [None, "certificate"], "format": [None, "xlsx"]}),
    ]
    assert [e.content_type.model for e in entries] == ["reviewcampaign", "reviewcampaign", "reviewcase"]
    assert entries[2].household_id == case.household_id


def test_refused_requests_write_no_audit_entry(client, small, officer_b, outsider):
    for user in (officer_b, outsider):
        client.force_login(user)
        client.get(url("certificate", small.pk))
        client.get(url("posting-list", small.campaign_id))
    client.logout()
    client.get(url("decision-list", small.campaign_id))
    assert not AuditEntry.objects.filter(action=EXPORTED).exists()


def test_the_urls_are_named_in_the_programs_namespace():
    assert reverse("programs:posting-list", args=[7]) == "/review/campaigns/7/posting-list/"
    assert reverse("programs:decision-list", args=[7]) == "/review/campaigns/7/decision-list/"
    assert reverse("programs:certificate", args=[9]) == "/review/cases/9/certificate/"


# --- a fixed number of queries ------------------------------------------------------------------------------


def count_queries(build, user) -> int:
    """Queries of one build, for the user as a request loads her (her area not loaded yet)."""
    fresh = type(user).objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as captured:
        build(fresh)
    return len(captured)


def test_each_document_takes_the_same_few_queries_for_one_household_or_many(
    small, listed, commune_a, officer_a, chair_a, village_a2
):
    builds = (
        lambda user: documents.posting_list(user=user, campaign_id=small.campaign_id),
        lambda user: documents.decision_list(user=user, campaign_id=small.campaign_id),
        lambda user: documents.certificate(user=user, case_id=small.pk),
    )
    alone = [count_queries(build, officer_a) for build in builds]

    posted = [listed(head, village_a2) for head in ("Lò Văn Pao", "Hoàng Thị Mai", "Vàng A Sử")]
    escaped = [listed(head) for head in ("Lý Văn Tài", "Ma Thị Hà")]
    open_review(commune_a)  # the new households join the open campaign
    for household in posted:
        walk_to_posted(officer_a, household, income=RICH)
    for household in escaped:
        recognise(chair_a, walk_to_posted(officer_a, household, income=RICH))
    Member.objects.create(
        household=small.household,
        full_name="Giàng Văn Ba",
        search_name="giang van ba",
        date_of_birth=datetime.date(2015, 2, 1),
        sex="male",
        ethnicity_id="08",
        relation="grandchild",
    )
    many = [count_queries(build, officer_a) for build in builds]
    assert len(documents.posting_list(user=officer_a, campaign_id=small.campaign_id).rows) == 3
    assert len(documents.decision_list(user=officer_a, campaign_id=small.campaign_id).sections[2].rows) == 2
    assert len(documents.certificate(user=officer_a, case_id=small.pk).rows) == 3
    assert many == alone
    assert max(many) <= 4


def test_the_pages_take_a_fixed_number_of_queries(client, review, campaign, officer_a, django_assert_max_num_queries):
    client.force_login(officer_a)
    for name, pk in (
        ("posting-list", campaign.pk),
        ("decision-list", campaign.pk),
        ("certificate", review["stays_poor"].pk),
    ):
        for fmt in ("html", "xlsx"):
            with django_assert_max_num_queries(8):
                assert client.get(url(name, pk, format=fmt)).status_code == 200


def test_a_name_that_looks_like_a_formula_stays_text_in_excel(listed, commune_a, officer_a, client):
    household = listed("Nguyễn Văn Đức")
    Member.objects.filter(household=household, relation="head").update(full_name='=HYPERLINK("http://x","y")')
    open_review(commune_a)
    case = walk_to_posted(officer_a, household, income=RICH)
    client.force_login(officer_a)
    response = client.get(url("posting-list", case.campaign_id, format="xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cell = next(row[1] for row in sheet.iter_rows() if row[0].value == 1)
    assert cell.value == '=HYPERLINK("http://x","y")'
    assert cell.data_type == "s"


def test_a_control_character_in_an_address_does_not_break_the_excel_files(client, small, officer_a):
    case = small
    household = case.household
    type(household).objects.filter(pk=household.pk).update(address="Số 5\x0bngõ 3")
    Member.objects.filter(household=household, relation="head").update(full_name="Giàng A\x01 Páo")
    client.force_login(officer_a)
    for response in (
        client.get(url("certificate", case.pk, format="xlsx")),
        client.get(url("decision-list", case.campaign_id, format="xlsx")),
    ):
        assert response.status_code == 200
        assert "Giàng A Páo" in all_text(sheet_of(response))
