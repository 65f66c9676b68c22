"""The Excel round-trip of a commune's households and surveys: the template, the upload that checks
every row first and writes all or nothing, the report row by row, the admin page and the API."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from config.errors import DomainError
from config.xlsx import SheetTooLarge, open_workbook
from households import services as registry
from households.models import Area, AuditEntry, Household, Member
from programs import rules
from programs.imports import layout as import_layout
from programs.imports import services as imports
from programs.models import Assessment, ImportBatch
from programs.standards import services
from tests.api_errors import field_errors
from tests.forged_zip import forge
from tests.programs.review_helpers import GOOD_HOUSE, case_of, make_poor, open_review

TODAY = datetime.date(2026, 11, 20)  # the clock of the template and the upload (VN-2022 in force)
SURVEY_DAY = "15/10/2026"  # before any clock the suite will run on: the API and admin tests use the real one


# --- building the files --------------------------------------------------------------------------------------


def fill(content: bytes, households=(), members=(), surveys=(), edit=None) -> bytes:
    """The template with rows appended by header (dicts: header -> value); `edit(book)` may change it further."""
    book = load_workbook(io.BytesIO(content))
    for sheet, rows in (("Hộ", households), ("Thành viên", members), ("Phiếu khảo sát", surveys)):
        ws = book[sheet]
        headers = [cell.value for cell in ws[1]]
        for row in rows:
            unknown = set(row) - set(headers)
            assert not unknown, unknown
            ws.append([row.get(header) for header in headers])
    if edit is not None:
        edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def household(number, village="Thôn Nà Phát", **extra):
    return {"STT hộ": number, "Thôn/tổ dân phố": village, "Địa chỉ": f"Số {number}, thôn Nà Phát", **extra}


def member(ref, name, born="17/05/1980", relation="Chủ hộ", **extra):
    return {
        "Hộ (STT hoặc mã hộ)": ref,
        "Họ và tên": name,
        "Ngày sinh": born,
        "Giới tính": "Nam",
        "Quan hệ với chủ hộ": relation,
        "Mã dân tộc": "01",
        **extra,
    }


def survey(ref, income=1_200_000, **extra):
    answers = {"employment": 1, "water": 1, "sanitation": 0, "telecom": 0, "information_access": 0, "nutrition": 0}
    return {
        "Hộ (STT hoặc mã hộ)": ref,
        "Ngày khảo sát": SURVEY_DAY,
        "Năm rà soát": 2026,
        "Thu nhập bình quân (đồng/người/tháng)": income,
        "Có nhà ở": "Có",
        "Diện tích nhà ở (m²)": 40,
        "Nền móng, khung bền chắc": "Có",
        "Tường bền chắc": "Có",
        "Mái bền chắc": "Có",
        "Người khảo sát": "Lò Thị Mai",
        **{import_layout.indicator_header(code): value for code, value in answers.items()},
        **extra,
    }


def counts() -> tuple[int, int, int, int]:
    return (Household.objects.count(), Member.objects.count(), Assessment.objects.count(), AuditEntry.objects.count())


def upload(user, commune, content, name="ho.xlsx") -> ImportBatch:
    return imports.import_workbook(actor=user, commune_id=commune.pk, file_bytes=content, filename=name, today=TODAY)


def template(commune, user) -> bytes:
    return imports.template(commune, user, today=TODAY)


@pytest.fixture
def blank(commune_a, village_a, officer_a) -> bytes:
    return template(commune_a, officer_a)


@pytest.fixture
def two_new(blank) -> bytes:
    """Two new households: one with a head and a child, one alone; a survey of the first."""
    return fill(
        blank,
        households=[household(1, **{"Hộ dân tộc thiểu số": "Có"}), household(2)],
        members=[
            member(1, "Giàng A Páo", **{"Số CCCD": "015080000123"}),
            member(
                1,
                "Giàng Thị Mỷ",
                "02/03/2015",
                "Con",
                **{
                    "Giới tính": "Nữ",
                    "Số thẻ BHYT": "TE1151234567890",
                    "Thẻ BHYT có giá trị đến": "31/12/2026",
                    "Đang đi học": "Tiểu học",
                },
            ),
            member(2, "Lò Văn Sính"),
        ],
        surveys=[survey(1)],
    )


# --- the template ----------------------------------------------------------------------------------------------


def test_the_template_is_prefilled_with_the_communes_households_and_its_download_is_audited(
    officer_a, commune_a, household_a, household_b
):
    content = template(commune_a, officer_a)

    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Hướng dẫn", "Hộ", "Thành viên", "Phiếu khảo sát", "Danh mục"]
    rows = list(book["Hộ"].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[2], r[3], r[4]) for r in rows] == [(household_a.code, 1, "Nguyễn Văn Đức", "Thôn Nà Phát")]
    people = list(book["Thành viên"].iter_rows(min_row=2, values_only=True))
    assert [(p[0], p[2], p[3], p[5]) for p in people] == [
        (household_a.code, "Nguyễn Văn Đức", "17/05/1980", "Chủ hộ"),
        (household_a.code, "Nguyễn Thị Hoa", "01/01/2010", "Con"),
    ]
    headers = [c.value for c in book["Phiếu khảo sát"][1]]
    assert "Thiếu hụt việc làm" in headers and "Thiếu hụt xử lý rác thải" not in headers  # VN-2022's twelve
    assert sum(h.startswith("Thiếu hụt ") for h in headers) == 12
    assert book["Hộ"].data_validations.dataValidation  # lists to pick from
    entry = AuditEntry.objects.get(action="programs.import.template_downloaded")
    assert (entry.actor, entry.object_id, entry.changes["households"]) == (officer_a, str(commune_a.pk), [None, 1])


def test_the_template_is_refused_outside_the_scope_or_without_the_rights(officer_b, chair_a, commune_a):
    with pytest.raises(DomainError) as outside:
        template(commune_a, officer_b)
    with pytest.raises(DomainError) as no_right:
        template(commune_a, chair_a)
    assert (outside.value.code, no_right.value.code) == ("out_of_scope", "no_right")
    assert not AuditEntry.objects.filter(action="programs.import.template_downloaded").exists()


# --- the upload --------------------------------------------------------------------------------------------------


def test_a_filled_template_creates_households_members_and_surveys_with_their_classification(
    officer_a, commune_a, two_new
):
    before = counts()

    batch = upload(officer_a, commune_a, two_new)

    assert batch.status == "committed", batch.errors
    assert batch.created == {
        "households_created": 2,
        "households_updated": 0,
        "members_created": 3,
        "members_updated": 0,
        "assessments": 1,
    }
    first, second = Household.objects.filter(commune=commune_a).order_by("code")
    assert (first.is_ethnic_minority, first.village.name, first.head.full_name) == (True, "Thôn Nà Phát", "Giàng A Páo")
    assert first.code.startswith(commune_a.code + "-") and second.head.full_name == "Lò Văn Sính"
    child = first.members.get(relation="child")
    assert (child.date_of_birth, child.sex, child.schooling) == (datetime.date(2015, 3, 2), "female", "primary")
    assert first.members.get(relation="head").national_id == "015080000123"
    assessment = Assessment.objects.get(household=first)
    # employment and water answered; health insurance derived (the head has no card): 3 deprivations, income low
    assert set(assessment.deprived) == {"employment", "water", "health_insurance"}
    assert (assessment.category, assessment.standard.code, assessment.surveyor_name) == (
        "poor",
        "VN-2022",
        "Lò Thị Mai",
    )
    actions = sorted(AuditEntry.objects.filter(household__commune=commune_a).values_list("action", flat=True))
    assert actions == [
        "households.household.created",
        "households.household.created",
        "households.member.created",
        "households.member.created",
        "households.member.created",
        "programs.assessment.recorded",
    ]
    assert AuditEntry.objects.filter(action="programs.import.committed", object_id=str(batch.pk)).exists()
    after = counts()
    assert (after[0] - before[0], after[1] - before[1], after[2] - before[2]) == (2, 3, 1)


def test_every_wrong_row_is_reported_with_its_column_and_nothing_is_written(officer_a, commune_a, blank, kinh):
    registry.create_household(
        actor=officer_a,
        data={"commune": commune_a},
        members=[{"full_name": "Người Đã Có", "date_of_birth": datetime.date(1970, 1, 1), "sex": "male",
                  "ethnicity": kinh, "relation": "head", "national_id": "015070000001"}],
    )  # fmt: skip
    content = fill(
        blank,
        households=[household(1), household(2), household(3, "Thôn Không Có"), household(4)],
        members=[
            member(1, "Hà Văn Một"),
            member(2, "Hà Văn Hai", "31/02/1980"),  # no such day
            member(3, "Hà Văn Ba", **{"Số CCCD": "12345"}),  # not 12 digits
            member(4, "Hà Văn Bốn", **{"Số CCCD": "015070000001"}),  # someone else's
            member(4, "Hà Thị Năm", relation="Chủ hộ", **{"Giới tính": "Nữ"}),  # a second head
            member(9, "Không Có Hộ"),
        ],
        surveys=[survey(1, **{"Ngày khảo sát": "01/01/2099"})],
    )
    before = counts()
    seq = Area.objects.get(pk=commune_a.pk).household_seq

    batch = upload(officer_a, commune_a, content)

    assert batch.status == "refused"
    found = {(e["sheet"], e["row"], e["column"]) for e in batch.errors}
    assert {
        ("Thành viên", 3, "Ngày sinh"),
        ("Thành viên", 4, "Số CCCD"),
        ("Hộ", 4, "Thôn/tổ dân phố"),
        ("Thành viên", 5, "Số CCCD"),
        ("Thành viên", 5, "Quan hệ với chủ hộ"),
        ("Thành viên", 7, "Hộ (STT hoặc mã hộ)"),
        ("Phiếu khảo sát", 2, "Ngày khảo sát"),
    } <= found
    messages = {(e["row"], e["column"]): e["message"] for e in batch.errors if e["sheet"] == "Thành viên"}
    assert "dd/mm/yyyy" in messages[(3, "Ngày sinh")]
    assert messages[(4, "Số CCCD")] == "Số CCCD phải gồm đúng 12 chữ số."
    assert "*********001 đã được dùng" in messages[(5, "Số CCCD")]  # not the whole number, kept with the batch
    assert not any("015070000001" in message for message in messages.values())
    assert counts() == before  # nothing written, not even the households of the good rows
    assert Area.objects.get(pk=commune_a.pk).household_seq == seq
    assert ImportBatch.objects.get().status == "refused"


def test_one_bad_row_among_good_ones_writes_nothing(officer_a, commune_a, blank):
    good = [household(n) for n in range(1, 6)]
    people = [member(n, f"Người Thứ {n}") for n in range(1, 6)] + [member(5, "Chủ Hộ Thứ Hai")]  # household 5: 2 heads
    content = fill(blank, households=good, members=people, surveys=[survey(n) for n in range(1, 6)])
    before = counts()

    batch = upload(officer_a, commune_a, content)

    assert batch.status == "refused"
    assert [(e["sheet"], e["row"], e["column"]) for e in batch.errors] == [
        ("Thành viên", 6, "Quan hệ với chủ hộ"),  # both heads of household 5: the officer picks which one stays
        ("Thành viên", 7, "Quan hệ với chủ hộ"),
    ]
    assert all("đúng một chủ hộ" in e["message"] for e in batch.errors)
    assert counts() == before


def test_a_second_upload_of_the_same_file_does_nothing(officer_a, commune_a, two_new):
    first = upload(officer_a, commune_a, two_new)
    before = counts()

    again = upload(officer_a, commune_a, two_new, name="lan-hai.xlsx")

    assert (again.pk, again.duplicate, first.duplicate) == (first.pk, True, False)
    assert "đã được nhập" in imports.duplicate_message(again)
    assert counts() == before
    assert ImportBatch.objects.count() == 1


def test_a_corrected_file_is_accepted_after_a_refused_one(officer_a, commune_a, blank):
    wrong = fill(blank, households=[household(1)], members=[member(1, "Vàng A Dế", "1980-13-45")])
    fixed = fill(blank, households=[household(1)], members=[member(1, "Vàng A Dế", "17/05/1980")])

    refused = upload(officer_a, commune_a, wrong)
    accepted = upload(officer_a, commune_a, fixed)

    assert (refused.status, accepted.status) == ("refused", "committed")
    assert Member.objects.filter(full_name="Vàng A Dế").count() == 1


def test_a_national_id_twice_in_the_file_is_refused(officer_a, commune_a, blank):
    same = {"Số CCCD": "015090000777"}
    content = fill(
        blank, households=[household(1), household(2)], members=[member(1, "Một", **same), member(2, "Hai", **same)]
    )

    batch = upload(officer_a, commune_a, content)

    assert batch.status == "refused"
    assert [(e["row"], e["column"]) for e in batch.errors] == [(3, "Số CCCD")]


def test_existing_households_are_updated_through_the_template_with_their_version_checked(
    officer_a, commune_a, household_a
):
    def rename(book):
        book["Hộ"]["F2"] = "Số 9, thôn Nà Phát"  # Địa chỉ
        book["Thành viên"]["C3"] = "Nguyễn Thị Hoà"  # Họ và tên of the second member

    content = fill(template(commune_a, officer_a), edit=rename)
    registry.update_household(actor=officer_a, household_id=household_a.pk, expected_version=1, data={"address": "x"})

    stale = upload(officer_a, commune_a, content)  # someone changed the household after the download

    assert stale.status == "refused"
    assert [(e["sheet"], e["row"], e["column"]) for e in stale.errors] == [("Hộ", 2, "Phiên bản")]

    fresh = fill(template(commune_a, officer_a), edit=rename)
    batch = upload(officer_a, commune_a, fresh)

    assert batch.status == "committed", batch.errors
    assert (batch.created["households_updated"], batch.created["members_updated"]) == (1, 1)
    household_a.refresh_from_db()
    assert household_a.address == "Số 9, thôn Nà Phát" and household_a.version == 4
    assert household_a.members.filter(full_name="Nguyễn Thị Hoà").exists()


def test_an_unchanged_template_uploads_without_writing_and_surveys_existing_households(
    officer_a, commune_a, household_a
):
    content = fill(template(commune_a, officer_a), surveys=[survey(household_a.code)])
    before = counts()

    batch = upload(officer_a, commune_a, content)

    assert batch.status == "committed", batch.errors
    assert batch.created["assessments"] == 1 and batch.created["households_updated"] == 0
    assert counts()[:2] == before[:2]
    household_a.refresh_from_db()
    assert household_a.version == 1


def test_surveys_of_the_same_review_supersede_the_earlier_ones(officer_a, commune_a, household_a):
    earlier = services.record_assessment(
        actor=officer_a,
        household_id=household_a.pk,
        survey_date=datetime.date(2026, 10, 1),
        review_year=2026,
        income_per_capita=5_000_000,
        dwelling=GOOD_HOUSE,
        answers={"employment": False, "water": False, "sanitation": False, "telecom": False,
                 "information_access": False, "nutrition": False},
    )  # fmt: skip
    content = fill(
        template(commune_a, officer_a),
        surveys=[survey(household_a.code, income=3_000_000), survey(household_a.code, income=1_000_000)],
    )

    batch = upload(officer_a, commune_a, content)

    assert batch.status == "committed", batch.errors
    first, second, third = Assessment.objects.filter(household=household_a).order_by("id")
    assert first.pk == earlier.pk
    assert [a.is_current for a in (first, second, third)] == [False, False, True]
    assert (first.superseded_by, second.superseded_by, third.superseded_by) == (second, third, None)
    assert (second.income_per_capita, third.category) == (3_000_000, "poor")
    entry = AuditEntry.objects.get(action="programs.assessment.recorded", object_id=str(third.pk))
    assert entry.changes["category"] == [second.category, "poor"]


def test_a_survey_in_the_communes_open_review_uses_its_standard_and_moves_the_case_on(
    officer_a, chair_a, commune_a, household_a
):
    make_poor(household_a, chair_a)
    open_review(commune_a)
    content = template(commune_a, officer_a)
    headers = [c.value for c in load_workbook(io.BytesIO(content))["Phiếu khảo sát"][1]]
    assert "Thiếu hụt xử lý rác thải" in headers and "Thiếu hụt phương tiện phục vụ tiếp cận thông tin" not in headers
    answers = {"employment": 1, "water": 1, "sanitation": 1, "telecom": 0, "waste_treatment": 0, "nutrition": 0}
    row = survey(household_a.code) | {import_layout.indicator_header(code): v for code, v in answers.items()}
    del row[import_layout.indicator_header("information_access")]

    batch = upload(officer_a, commune_a, fill(content, surveys=[row]))

    assert batch.status == "committed", batch.errors
    case = case_of(household_a)
    assert (case.state, case.assessment.standard.code, case.proposed_category) == ("classified", "VN-2027", "poor")


def test_the_open_cases_of_many_surveyed_households_move_on_together_audited(
    officer_a, chair_a, commune_a, village_a, make_household
):
    households = [make_poor(make_household(commune_a, f"Lò Văn Páo {i}"), chair_a) for i in range(10)]
    open_review(commune_a)
    content = template(commune_a, officer_a)
    answers = {"employment": 1, "water": 1, "sanitation": 1, "telecom": 0, "waste_treatment": 0, "nutrition": 0}

    def import_surveys(of: list[Household]) -> int:
        rows = []
        for household in of:
            row = survey(household.code) | {import_layout.indicator_header(code): v for code, v in answers.items()}
            del row[import_layout.indicator_header("information_access")]
            rows.append(row)
        with CaptureQueriesContext(connection) as queries:
            batch = upload(officer_a, commune_a, fill(content, surveys=rows))
        assert batch.status == "committed", batch.errors
        return len(queries.captured_queries)

    few, many = import_surveys(households[:2]), import_surveys(households[2:])

    for household in households:
        case = case_of(household)
        assert (case.state, case.proposed_category) == ("classified", "poor")
        assert case.assessment == Assessment.objects.get(household=household, is_current=True)
        entry = AuditEntry.objects.get(action="programs.review_case.surveyed", object_id=str(case.pk))
        assert entry.actor == officer_a and entry.household_id == household.pk
        assert entry.changes["state"][1] == "classified"
    assert many - few < 6, (few, many)  # the cases move in a fixed number of queries, not one per household


@pytest.mark.parametrize("persona_name, code", [("officer_b", "out_of_scope"), ("chair_a", "no_right")])
def test_the_upload_is_refused_outside_the_scope_or_without_the_rights(persona, persona_name, code, commune_a, two_new):
    with pytest.raises(DomainError) as refused:
        upload(persona(persona_name), commune_a, two_new)
    assert refused.value.code == code
    assert not ImportBatch.objects.exists()


def _without_survey_sheet(book):
    del book["Phiếu khảo sát"]


def _renamed_column(book):
    book["Thành viên"]["C1"] = "Tên"


@pytest.mark.parametrize(
    "content, expected",
    [
        (lambda blank: b"PK\x03\x04 not really a zip", "không phải là tệp Excel"),
        (lambda blank: "Hộ;Thành viên\n1;2".encode(), "không phải là tệp Excel"),
        (lambda blank: fill(blank, edit=_without_survey_sheet), "Thiếu trang “Phiếu khảo sát”"),
        (lambda blank: fill(blank, edit=_renamed_column), "Thiếu cột này"),
    ],
)
def test_a_file_that_is_not_the_template_is_refused_clearly(officer_a, commune_a, blank, content, expected):
    batch = upload(officer_a, commune_a, content(blank))

    assert batch.status == "refused"
    assert any(expected in e["message"] for e in batch.errors), batch.errors


def test_too_big_files_and_too_many_rows_are_refused(officer_a, commune_a, blank, monkeypatch):
    three = fill(blank, households=[household(n) for n in (1, 2, 3)], members=[member(n, "A") for n in (1, 2, 3)])
    monkeypatch.setattr(import_layout, "MAX_ROWS", 2)
    rows = upload(officer_a, commune_a, three)
    monkeypatch.setattr(import_layout, "MAX_BYTES", 1000)
    size = upload(officer_a, commune_a, three + b"x")

    assert "hơn 2 dòng" in rows.errors[0]["message"]
    assert "lớn hơn 10 MB" in size.errors[0]["message"]
    assert not Household.objects.filter(commune=commune_a).exists()


def test_the_reader_gives_shared_strings_numbers_booleans_and_dates():
    book = Workbook()
    ws = book.active
    ws.title = "Hộ"
    ws.append(["STT", "Ngày", "Có", "Số"])
    ws.append([1, datetime.date(2015, 3, 2), True, 1.5])
    ws["B2"].number_format = "DD/MM/YYYY"
    ws.append(["văn bản", "17/05/1980", None, "=1+1"])
    out = io.BytesIO()
    book.save(out)

    rows = list(open_workbook(io.BytesIO(out.getvalue())).rows("Hộ", 4))

    assert rows == [
        (1, ["STT", "Ngày", "Có", "Số"]),
        (2, [1, datetime.date(2015, 3, 2), True, 1.5]),
        (3, ["văn bản", "17/05/1980", None, None]),  # a formula without a cached value: nothing
    ]


def test_the_reader_numbers_rows_as_excel_does_when_the_data_starts_further_down_and_right():
    book = Workbook()
    ws = book.active
    ws.title = "Hộ"
    ws["C3"] = "ô C3"
    ws["B5"] = 42
    out = io.BytesIO()
    book.save(out)

    rows = list(open_workbook(io.BytesIO(out.getvalue())).rows("Hộ", 3))

    assert rows[2] == (3, [None, None, "ô C3"]) and rows[4] == (5, [None, 42, None])


def _far(cell, sheet="Hộ"):
    def edit(book):
        (book[sheet] if sheet in book.sheetnames else book.create_sheet(sheet))[cell] = "x"

    return edit


@pytest.mark.parametrize(
    "cell, sheet, where",
    [
        ("A1048576", "Hộ", "tới dòng 1.048.576, cột L"),  # one stray value at the bottom of a sheet that is read
        ("XFD1048576", "Ghi chú", "tới dòng 1.048.576, cột XFD"),  # or anywhere in the workbook
    ],
)
def test_a_value_far_below_or_right_of_the_data_is_refused_before_the_sheet_is_read(
    officer_a, commune_a, two_new, cell, sheet, where
):
    before = counts()

    batch = upload(officer_a, commune_a, fill(two_new, edit=_far(cell, sheet)))

    assert batch.status == "refused"
    assert [(e["sheet"], e["row"], e["column"]) for e in batch.errors] == [(sheet, None, "")]
    assert where in batch.errors[0]["message"] and "Ctrl+End" in batch.errors[0]["message"]
    assert counts() == before


def test_the_reader_refuses_a_sheet_whose_cells_would_not_fit_in_memory():
    book = Workbook()
    ws = book.active
    ws.title = "Hộ"
    ws["A1"] = "STT hộ"
    ws["XFD1048576"] = 1  # calamine would allocate 17 billion cells for this 5 KB file, and abort the process
    out = io.BytesIO()
    book.save(out)

    with pytest.raises(SheetTooLarge) as refused:
        open_workbook(io.BytesIO(out.getvalue()))

    assert (refused.value.sheet, refused.value.rows, refused.value.columns) == ("Hộ", 1_048_576, 16_384)


def test_the_same_rows_saved_again_by_excel_are_not_imported_twice(officer_a, commune_a, two_new):
    first = upload(officer_a, commune_a, two_new)
    book = load_workbook(io.BytesIO(two_new))
    book["Hộ"].insert_rows(5, 2)  # and two blank rows on the way
    saved_again = io.BytesIO()
    book.save(saved_again)
    assert saved_again.getvalue() != two_new
    before = counts()

    again = upload(officer_a, commune_a, saved_again.getvalue(), name="ho (1).xlsx")

    assert (first.status, again.pk, again.duplicate) == ("committed", first.pk, True)
    assert counts() == before


def test_a_title_row_above_the_header_is_one_clear_error(officer_a, commune_a, two_new):
    def title(book):
        book["Thành viên"].insert_rows(1)
        book["Thành viên"]["A1"] = "DANH SÁCH THÀNH VIÊN"

    batch = upload(officer_a, commune_a, fill(two_new, edit=title))

    assert [(e["sheet"], e["row"]) for e in batch.errors] == [("Thành viên", 1)]
    assert "đang ở dòng 2" in batch.errors[0]["message"]


def test_every_problem_of_a_refused_household_is_reported_at_once(officer_a, commune_a, blank):
    content = fill(
        blank,
        households=[household(1), household(2, "Thôn Không Có")],
        members=[
            member(1, "Sai Ngày Sinh", "30/02/1980", **{"Số CCCD": "015080000888"}),
            member(1, "Chủ Hộ Thứ Hai"),
            member(2, "Trùng Số", **{"Số CCCD": "015080000888"}),
        ],
        surveys=[survey(1, income=-1), survey(2, **{"Diện tích nhà ở (m²)": -5})],
    )
    before = counts()

    batch = upload(officer_a, commune_a, content)

    assert {(e["sheet"], e["row"], e["column"]) for e in batch.errors} == {
        ("Hộ", 3, "Thôn/tổ dân phố"),
        ("Thành viên", 2, "Ngày sinh"),
        ("Thành viên", 2, "Quan hệ với chủ hộ"),  # two heads, though the first one's birth date is wrong too
        ("Thành viên", 3, "Quan hệ với chủ hộ"),
        ("Thành viên", 2, "Số CCCD"),  # the same national ID in two households, both refused
        ("Thành viên", 4, "Số CCCD"),
        ("Phiếu khảo sát", 2, "Thu nhập bình quân (đồng/người/tháng)"),  # the surveys of refused households
        ("Phiếu khảo sát", 3, "Diện tích nhà ở (m²)"),
    }
    assert counts() == before


def test_household_wide_errors_name_the_rows_concerned(officer_a, commune_a, household_a):
    same = {"Số CCCD": "015090000555"}
    content = fill(
        template(commune_a, officer_a),  # household_a on row 2 of "Hộ", its two members on rows 2 and 3
        households=[household(2), household(3)],
        members=[
            member(2, "Một", **same),
            member(2, "Con Một", "01/01/2015", "Con", **same),  # the same ID twice in a household: this row
            member(2, "Lạ", relation="Con", **{"Mã thành viên": household_a.head.pk}),  # household_a's head
        ],
    )

    batch = upload(officer_a, commune_a, content)

    found = {(e["sheet"], e["row"], e["column"]): e["message"] for e in batch.errors}
    assert "bị nhập hai lần" in found[("Thành viên", 5, "Số CCCD")]
    assert same["Số CCCD"][-3:] in found[("Thành viên", 5, "Số CCCD")]
    assert not any(same["Số CCCD"] in message for message in found.values())  # masked: its last 3 digits only
    assert "chưa có thành viên nào" in found[("Hộ", 4, "STT hộ")]  # household 3: no member row names it
    assert "Hộ này không có thành viên mã" in found[("Thành viên", 6, "Mã thành viên")]  # not "đã có ở dòng 2"


def test_a_long_household_number_and_a_national_id_with_spaces_are_read_as_written(officer_a, commune_a, blank):
    content = fill(
        blank,
        households=[household(1234567890)],
        members=[member(1234567890, "Số Dài", **{"Số CCCD": "015 080 000 321"})],
    )

    batch = upload(officer_a, commune_a, content)

    assert batch.status == "committed", batch.errors
    assert Member.objects.get(full_name="Số Dài").national_id == "015080000321"


# --- the causes of poverty ------------------------------------------------------------------------------------------

CAUSES = "Nguyên nhân nghèo"
REF_HEADER = "Hộ (STT hoặc mã hộ)"


def test_the_template_lists_the_causes_of_poverty_with_their_codes(officer_a, commune_a, household_a):
    book = load_workbook(io.BytesIO(template(commune_a, officer_a)))

    lists = list(book["Danh mục"].iter_cols(values_only=True))
    names = next(col for col in lists if col[0] == CAUSES)
    codes = next(col for col in lists if col[0] == "Mã nguyên nhân nghèo")
    assert [v for v in names[1:] if v] == list(rules.POVERTY_CAUSES.values())
    assert [v for v in codes[1:] if v] == list(rules.POVERTY_CAUSES)
    headers = [c.value for c in book["Phiếu khảo sát"][1]]
    assert CAUSES in headers
    guide = {row[1]: row[2] for row in book["Hướng dẫn"].iter_rows(values_only=True) if row[0] == "Phiếu khảo sát"}
    assert "thiếu vốn sản xuất, kinh doanh (capital)" in guide[CAUSES]
    # the survey rows come blank, as the other survey columns: a household not surveyed again is not a survey
    row = next(book["Phiếu khảo sát"].iter_rows(min_row=2, values_only=True))
    assert row[headers.index(REF_HEADER)] == household_a.code and row[headers.index(CAUSES)] is None


def test_the_causes_of_poverty_round_trip_by_name_and_by_code_in_the_reports_order(officer_a, commune_a, household_a):
    content = fill(
        template(commune_a, officer_a),
        households=[household(2)],  # household_a is number 1 of the template
        members=[member(2, "Giàng A Páo")],
        surveys=[
            # a name with its own commas, a name without diacritics in capitals, a code, both separators
            survey(household_a.code, **{CAUSES: "Có người ốm đau, bệnh nặng, tai nạn; THIEU DAT SAN XUAT, capital"}),
            survey(2, **{CAUSES: "know_how;thiếu lao động ; thieu lao dong"}),  # the same cause twice: once
            survey(household_a.code, income=900_000, **{"Ngày khảo sát": "16/10/2026"}),  # none: a later survey
        ],
    )

    batch = upload(officer_a, commune_a, content)

    assert batch.status == "committed", batch.errors
    first, later = Assessment.objects.filter(household=household_a).order_by("id")
    assert first.causes == ["land", "capital", "illness"]
    assert later.causes == []
    assert Assessment.objects.get(household__members__full_name="Giàng A Páo").causes == ["labour", "know_how"]
    entry = AuditEntry.objects.get(action="programs.assessment.recorded", object_id=str(first.pk))
    assert entry.changes["causes"] == [None, ["land", "capital", "illness"]]
    unlisted = AuditEntry.objects.get(action="programs.assessment.recorded", object_id=str(later.pk))
    assert "causes" not in unlisted.changes


def test_an_unknown_cause_of_poverty_is_refused_at_its_row_and_column_and_nothing_is_written(
    officer_a, commune_a, household_a
):
    content = fill(
        template(commune_a, officer_a),
        households=[household(2)],
        members=[member(2, "Giàng A Páo")],
        surveys=[
            survey(2, **{CAUSES: "thiếu đất sản xuất"}),
            survey(household_a.code, **{CAUSES: "thiếu vốn sản xuất, kinh doanh; mất mùa"}),
        ],
    )
    before = counts()

    batch = upload(officer_a, commune_a, content)

    assert batch.status == "refused"
    # row 2 is household_a's blank row of the template, row 3 the good survey
    assert [(e["sheet"], e["row"], e["column"]) for e in batch.errors] == [("Phiếu khảo sát", 4, CAUSES)]
    message = batch.errors[0]["message"]
    assert message.startswith("Không có nguyên nhân nghèo “mất mùa”.")
    assert all(name in message for name in rules.POVERTY_CAUSES.values())
    assert counts() == before
    assert ImportBatch.objects.get().status == "refused"


def test_a_file_from_a_template_without_the_causes_column_still_imports(officer_a, commune_a, household_a):
    def older(book):
        ws = book["Phiếu khảo sát"]
        ws.delete_cols([c.value for c in ws[1]].index(CAUSES) + 1)

    content = fill(template(commune_a, officer_a), surveys=[survey(household_a.code)], edit=older)
    assert CAUSES not in [c.value for c in load_workbook(io.BytesIO(content))["Phiếu khảo sát"][1]]

    batch = upload(officer_a, commune_a, content)

    assert batch.status == "committed", batch.errors
    assert Assessment.objects.get(household=household_a).causes == []


@pytest.mark.parametrize(
    "cell, codes",
    [
        ("thiếu vốn sản xuất, kinh doanh", ("capital",)),
        ("Thiếu kỹ năng lao động,tay nghề, thiếu đất sản xuất", ("land", "skills")),
        ("other; LAND;", ("land", "other")),
        ("nguyen nhan khac\ncó người ốm đau, bệnh nặng, tai nạn", ("illness", "other")),
    ],
)
def test_a_causes_cell_is_read_by_name_or_code_whatever_the_separator(cell, codes):
    assert import_layout.parse(import_layout.CAUSES, cell) == codes


def test_a_causes_cell_names_every_unknown_cause():
    with pytest.raises(import_layout.CellError) as refused:
        import_layout.parse(import_layout.CAUSES, "đói, thiếu vốn sản xuất; thiếu nước")

    assert str(refused.value).startswith("Không có nguyên nhân nghèo “đói”, “thiếu vốn sản xuất”, “thiếu nước”.")


# --- the API -------------------------------------------------------------------------------------------------------


def test_the_api_commits_a_good_file_with_201_and_refuses_a_bad_one_with_400(api, officer_a, commune_a, two_new, blank):
    client = api(officer_a)
    bad = fill(blank, households=[household(1)], members=[member(1, "Sai Ngày", "30/02/1990")])
    before = counts()

    refused = client.post("/api/v1/imports/", {"commune": commune_a.pk, "file": io.BytesIO(bad)}, format="multipart")

    assert refused.status_code == 400
    body = refused.json()  # the error envelope, with the refused batch and its report by row
    assert body["code"] == "import_refused" and "không ghi gì" in body["message"].lower()
    assert body["batch"]["status"] == "refused"
    message = body["batch"]["errors"][0]["message"]
    assert body["batch"]["errors"] == [{"sheet": "Thành viên", "row": 2, "column": "Ngày sinh", "message": message}]
    assert body["fields"] == {"file": [f"Thành viên, dòng 2, cột Ngày sinh: {message}"]}
    assert counts() == before

    created = client.post(
        "/api/v1/imports/", {"commune": commune_a.pk, "file": io.BytesIO(two_new)}, format="multipart"
    )
    again = client.post("/api/v1/imports/", {"commune": commune_a.pk, "file": io.BytesIO(two_new)}, format="multipart")

    assert created.status_code == 201 and created.json()["created"]["households_created"] == 2
    assert again.status_code == 200 and again.json()["duplicate"] is True and again.json()["id"] == created.json()["id"]
    listed = client.get("/api/v1/imports/").json()
    assert [b["status"] for b in listed["results"]] == ["committed", "refused"]
    assert client.get(f"/api/v1/imports/{created.json()['id']}/").json()["rows"] == 6


def test_the_api_template_is_an_xlsx_download(api, officer_a, commune_a, village_a):
    response = api(officer_a).get(f"/api/v1/imports/template/?commune={commune_a.pk}")

    assert response.status_code == 200
    assert response["Content-Type"] == imports.XLSX
    assert "attachment" in response["Content-Disposition"]
    assert load_workbook(io.BytesIO(response.content)).sheetnames[1] == "Hộ"
    assert AuditEntry.objects.filter(action="programs.import.template_downloaded", actor=officer_a).count() == 1


def test_the_api_keeps_to_the_scope_and_the_rights(api, officer_a, officer_b, chair_a, outsider, commune_a, two_new):
    mine = upload(officer_a, commune_a, two_new)
    post = {"commune": commune_a.pk, "file": io.BytesIO(two_new)}

    assert field_errors(api(officer_b).post("/api/v1/imports/", post, format="multipart"))["commune"]
    assert api(officer_b).get(f"/api/v1/imports/{mine.pk}/").status_code == 404
    assert api(officer_b).get(f"/api/v1/imports/template/?commune={commune_a.pk}").status_code == 400
    assert api(chair_a).post("/api/v1/imports/", post, format="multipart").status_code == 403
    assert api(chair_a).get(f"/api/v1/imports/{mine.pk}/").status_code == 200  # she may see the history
    assert api(outsider).get("/api/v1/imports/").status_code == 403
    assert api(None).get("/api/v1/imports/").status_code in (401, 403)
    assert api(officer_a).post("/api/v1/imports/", {"commune": commune_a.pk}, format="multipart").status_code == 400
    assert ImportBatch.objects.count() == 1


def test_the_browsable_api_lists_no_other_communes_village(api, officer_a, officer_b, commune_a, village_a, two_new):
    """The list's filter form asks for a commune's id: it offers no choice of every area in the country (villages of
    other communes among them, and thousands of options); the filter still keeps to the scope."""
    upload(officer_a, commune_a, two_new)

    page = api(officer_b).get("/api/v1/imports/", HTTP_ACCEPT="text/html")

    assert page.status_code == 200
    assert village_a.name not in page.content.decode()
    assert api(officer_b).get("/api/v1/imports/", {"commune": commune_a.pk}).json()["count"] == 0
    assert api(officer_a).get("/api/v1/imports/", {"commune": commune_a.pk}).json()["count"] == 1


# --- the admin -----------------------------------------------------------------------------------------------------


def test_the_admin_upload_page_shows_the_errors_and_writes_nothing(client, officer_a, commune_a, blank, two_new):
    client.force_login(officer_a)
    url = reverse("admin:programs_importbatch_upload")
    bad = fill(blank, households=[household(1)], members=[member(1, "Sai Ngày", "30/02/1990")])
    before = counts()

    page = client.get(url)
    refused = client.post(url, {"commune": commune_a.pk, "file": io.BytesIO(bad)})

    assert page.status_code == 200 and "Tải mẫu Excel" in page.content.decode()
    text = refused.content.decode()
    assert refused.status_code == 200
    assert "không ghi gì vào hệ thống" in text
    assert "<td>Thành viên</td><td>2</td><td>Ngày sinh</td>" in text
    assert counts() == before

    good = io.BytesIO(two_new)
    good.name = "ho.xlsx"
    done = client.post(url, {"commune": commune_a.pk, "file": good})
    batch = ImportBatch.objects.get(status="committed")
    assert done.status_code == 302 and done["Location"] == reverse("admin:programs_importbatch_change", args=[batch.pk])
    assert client.get(reverse("admin:programs_importbatch_changelist")).status_code == 200
    assert client.get(done["Location"]).status_code == 200
    template = client.get(reverse("admin:programs_importbatch_template"), {"commune": commune_a.pk})
    assert template.status_code == 200 and template["Content-Type"] == imports.XLSX


def test_the_admin_keeps_to_the_scope(client, officer_b, chair_a, officer_a, commune_a, two_new):
    batch = upload(officer_a, commune_a, two_new)
    client.force_login(officer_b)
    url = reverse("admin:programs_importbatch_upload")

    refused = client.post(url, {"commune": commune_a.pk, "file": io.BytesIO(two_new)})
    hidden = client.get(reverse("admin:programs_importbatch_change", args=[batch.pk]))
    template = client.get(reverse("admin:programs_importbatch_template"), {"commune": commune_a.pk})
    client.force_login(chair_a)
    chair = client.get(url)

    assert refused.status_code == 200 and "nằm ngoài địa bàn bạn phụ trách" in refused.content.decode()
    assert hidden.status_code == 404
    assert template.status_code == 302  # back to the page, with the reason as a message
    assert chair.status_code == 403
    assert ImportBatch.objects.count() == 1


@pytest.mark.parametrize("commune", ["²", "١٢", "12a", "9" * 19])
def test_a_commune_that_is_not_an_id_is_a_form_error_on_upload_and_template(
    client, officer_a, commune_a, two_new, commune
):
    client.force_login(officer_a)
    upload_url = reverse("admin:programs_importbatch_upload")
    posted = client.post(upload_url, {"commune": commune, "file": io.BytesIO(two_new)})
    template = client.get(reverse("admin:programs_importbatch_template"), {"commune": commune})
    assert posted.status_code == 200 and "Xã/phường không hợp lệ." in posted.content.decode()
    assert template.status_code == 302
    assert not ImportBatch.objects.exists()


# --- a forged archive ----------------------------------------------------------------------------------------------


@pytest.fixture
def forged(two_new, monkeypatch) -> bytes:
    """The file whose sheet part declares 5,000 bytes and really unpacks to 3 MB, past a limit of 1 MB."""
    monkeypatch.setattr(import_layout, "MAX_UNPACKED_BYTES", 1024 * 1024)
    return forge(two_new, real_size=3_000_000)


UNPACKED = "Tệp có nội dung giải nén vượt quá 1 MB (dừng đọc ở phần “xl/worksheets/sheet1.xml”)"


def test_a_forged_archive_is_refused_by_what_it_really_unpacks_to_and_writes_nothing(officer_a, commune_a, forged):
    before = counts()

    batch = upload(officer_a, commune_a, forged)

    assert batch.status == "refused" and batch.rows == 0
    assert [(e["sheet"], e["row"], e["column"]) for e in batch.errors] == [("", None, "")]
    assert batch.errors[0]["message"].startswith(UNPACKED), batch.errors
    assert counts() == before
    assert list(ImportBatch.objects.values_list("status", flat=True)) == ["refused"]


def test_a_forged_archive_is_a_400_from_the_api_and_an_error_on_the_admin_page(
    api, client, officer_a, commune_a, forged
):
    before = counts()
    client.force_login(officer_a)

    response = api(officer_a).post(
        "/api/v1/imports/", {"commune": commune_a.pk, "file": io.BytesIO(forged)}, format="multipart"
    )
    page = client.post(
        reverse("admin:programs_importbatch_upload"), {"commune": commune_a.pk, "file": io.BytesIO(forged)}
    )

    assert response.status_code == 400 and response.json()["code"] == "import_refused"
    assert response.json()["batch"]["status"] == "refused"
    assert response.json()["batch"]["errors"][0]["message"].startswith(UNPACKED)
    assert page.status_code == 200 and UNPACKED in page.content.decode()
    assert counts() == before
    assert list(ImportBatch.objects.values_list("status", flat=True)) == ["refused", "refused"]


def test_a_damaged_archive_says_so(officer_a, commune_a, two_new):
    batch = upload(officer_a, commune_a, forge(two_new, real_size=200_000))  # past its claim, within the limit

    assert batch.status == "refused"
    assert batch.errors[0]["message"].startswith("Tệp .xlsx bị hỏng: phần “xl/worksheets/sheet1.xml” không khớp")
